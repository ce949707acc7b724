#include "cli/csv.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/text_file.h"

namespace scalebench::cli {
namespace {

constexpr int kEnd = -1;
// Bytes read from a file at a time.
constexpr size_t kChunkBytes = 64 << 10;
constexpr absl::string_view kByteOrderMark = "\xEF\xBB\xBF";

// "64 MiB" for a limit in bytes that is a whole number of MiB or KiB.
std::string Bytes(uint64_t bytes) {
  if (bytes % (1 << 20) == 0) return absl::StrCat(bytes >> 20, " MiB");
  if (bytes % (1 << 10) == 0) return absl::StrCat(bytes >> 10, " KiB");
  return absl::StrCat(bytes, " bytes");
}

// The bytes of the CSV text, one at a time, from memory or from a file
// read in chunks of kChunkBytes; at most kMaxCsvBytes of them. A read
// error or the limit ends the input early and sets status().
class Input final {
 public:
  // All of `text`.
  Input(absl::string_view text, absl::string_view source)
      : source_(source), next_(text.data()), end_(text.data() + text.size()) {
    total_ = text.size();
    CheckLimit();
  }
  // The file open as `fd` (not owned).
  Input(int fd, absl::string_view source) : source_(source), fd_(fd) {
    buffer_.resize(kChunkBytes);
  }
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;

  // The next byte (0 to 255), or kEnd.
  int Peek() {
    if (next_ != end_) return static_cast<unsigned char>(*next_);
    return Refill() ? static_cast<unsigned char>(*next_) : kEnd;
  }
  void Advance() { ++next_; }  // Requires Peek() != kEnd.

  // Skips a byte order mark at the very start.
  void SkipByteOrderMark() {
    for (char c : kByteOrderMark) {
      if (Peek() != static_cast<unsigned char>(c)) return;
      Advance();
    }
  }

  // Why the input ended early; OK when it did not.
  const absl::Status& status() const { return status_; }

 private:
  bool Refill() {
    if (fd_ < 0 || !status_.ok()) return false;
    ssize_t n;
    do {
      n = read(fd_, buffer_.data(), buffer_.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      status_ = absl::InvalidArgumentError(
          absl::StrCat(source_, ": cannot read: ", std::strerror(errno)));
      return false;
    }
    if (n == 0) return false;
    total_ += static_cast<uint64_t>(n);
    next_ = buffer_.data();
    end_ = next_ + n;
    return CheckLimit();
  }

  bool CheckLimit() {
    if (total_ <= kMaxCsvBytes) return true;
    status_ = absl::InvalidArgumentError(
        absl::StrCat(source_, ": larger than ", Bytes(kMaxCsvBytes),
                     ", the most a CSV file may have"));
    next_ = end_;
    return false;
  }

  const absl::string_view source_;
  const int fd_ = -1;
  std::vector<char> buffer_;
  const char* next_ = nullptr;
  const char* end_ = nullptr;
  uint64_t total_ = 0;
  absl::Status status_;
};

bool IsLineEnd(int c) { return c == '\n' || c == '\r'; }
// Space that does not end a line.
bool IsBlank(int c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

// Consumes LF, CR or CRLF if the input is at one.
void SkipLineEnd(Input& in) {
  const int c = in.Peek();
  if (c == '\r') {
    in.Advance();
    if (in.Peek() == '\n') in.Advance();
  } else if (c == '\n') {
    in.Advance();
  }
}

// Reads the CSV text into a RowTable, counting lines and enforcing the
// row, cell and cell-size limits.
class Parser final {
 public:
  Parser(Input& in, absl::string_view source) : in_(in), source_(source) {}

  absl::StatusOr<analysis::RowTable> Parse() {
    in_.SkipByteOrderMark();
    std::vector<std::string> cells;
    std::optional<analysis::RowTable> table;
    while (SkipBlankAndCommentLines()) {
      const int record_line = line_;
      if (absl::Status s = ParseRecord(cells); !s.ok()) return s;
      if (!table.has_value()) {
        absl::StatusOr<analysis::RowTable> header = Header(cells, record_line);
        if (!header.ok()) return header.status();
        table = *std::move(header);
        continue;
      }
      if (cells.size() != table->columns().size()) {
        return Error(record_line, cells.size(), " cells, but the header has ",
                     table->columns().size(), " columns");
      }
      if (table->row_count() == kMaxCsvRows) {
        return Error(record_line, "more than ", kMaxCsvRows,
                     " rows, the most a CSV file may have");
      }
      std::vector<analysis::Cell> row;
      row.reserve(cells.size());
      for (std::string& text : cells) {
        row.push_back(analysis::Cell::FromText(std::move(text)));
      }
      // The cell counts match: AddRow cannot fail.
      table->AddRow(std::move(row), absl::StrCat(source_, ":", record_line))
          .IgnoreError();
    }
    if (!in_.status().ok()) return in_.status();
    if (!table.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source_, ": no header row (the file is empty)"));
    }
    return *std::move(table);
  }

 private:
  template <typename... Parts>
  absl::Status Error(int line, const Parts&... parts) {
    // A limit that cut the input short explains what follows from it (an
    // unclosed quote, a short row).
    if (!in_.status().ok()) return in_.status();
    return absl::InvalidArgumentError(
        absl::StrCat(source_, ":", line, ": ", parts...));
  }

  // Skips blank lines and '#' comments; false at the end of the input.
  bool SkipBlankAndCommentLines() {
    while (true) {
      while (IsBlank(in_.Peek())) in_.Advance();
      const int c = in_.Peek();
      if (c == kEnd) return false;
      if (c == '#') {
        while (in_.Peek() != kEnd && !IsLineEnd(in_.Peek())) in_.Advance();
      } else if (!IsLineEnd(c)) {
        return true;
      }
      SkipLineEnd(in_);
      ++line_;
    }
  }

  absl::StatusOr<analysis::RowTable> Header(std::vector<std::string>& names,
                                            int line) {
    absl::flat_hash_set<std::string> seen;
    for (const std::string& name : names) {
      if (name.empty())
        return Error(line, "the header has an empty column name");
      if (!seen.insert(name).second) {
        return Error(line, "the header repeats column '", name, "'");
      }
    }
    return analysis::RowTable::Create(std::string(source_), std::move(names));
  }

  absl::Status AppendTo(std::string& cell, int c, int start_line) {
    if (cell.size() == kMaxCsvCellBytes) {
      return Error(start_line, "a cell longer than ", Bytes(kMaxCsvCellBytes),
                   ", the most a CSV cell may have");
    }
    cell += static_cast<char>(c);
    return absl::OkStatus();
  }

  // Reads the rest of a quoted cell, after its opening quote, into `cell`.
  absl::Status ParseQuoted(std::string& cell, int start_line) {
    while (true) {
      const int c = in_.Peek();
      if (c == kEnd) {
        return Error(start_line, "a quoted cell is never closed");
      }
      in_.Advance();
      if (c == '"') {
        if (in_.Peek() != '"') return absl::OkStatus();
        in_.Advance();
      } else if (c == '\n' || (c == '\r' && in_.Peek() != '\n')) {
        ++line_;  // LF, CR, or the LF of CRLF.
      }
      if (absl::Status s = AppendTo(cell, c, start_line); !s.ok()) return s;
    }
  }

  // Splits one record into `cells`; consumes its line end and counts every
  // line it spans (quoted cells may hold line breaks).
  absl::Status ParseRecord(std::vector<std::string>& cells) {
    const int start_line = line_;
    cells.clear();
    std::string cell;
    bool quoted = false;  // the current cell began with a quote
    while (true) {
      const int c = in_.Peek();
      if (c == '"' && !quoted && absl::StripAsciiWhitespace(cell).empty()) {
        quoted = true;
        cell.clear();
        in_.Advance();
        if (absl::Status s = ParseQuoted(cell, start_line); !s.ok()) return s;
        continue;
      }
      if (c == kEnd || c == ',' || IsLineEnd(c)) {
        if (++cells_ > kMaxCsvCells) {
          return Error(start_line, "more than ", kMaxCsvCells,
                       " cells, the most a CSV file may have");
        }
        cells.push_back(quoted ? std::move(cell)
                               : std::string(absl::StripAsciiWhitespace(cell)));
        cell.clear();
        quoted = false;
        if (c == ',') {
          in_.Advance();
          continue;
        }
        SkipLineEnd(in_);
        ++line_;
        return absl::OkStatus();
      }
      in_.Advance();
      if (quoted) {
        if (!IsBlank(c)) {
          return Error(start_line,
                       "text after a closing quote; quote the whole cell");
        }
        continue;
      }
      if (absl::Status s = AppendTo(cell, c, start_line); !s.ok()) return s;
    }
  }

  Input& in_;
  const absl::string_view source_;
  int line_ = 1;
  size_t cells_ = 0;  // read so far, the header's included
};

}  // namespace

absl::StatusOr<analysis::RowTable> ReadCsvFile(const std::string& path) {
  absl::StatusOr<RegularFile> file = RegularFile::Open(path);
  if (!file.ok()) return file.status();
  if (file->size() > kMaxCsvBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", file->size(), " bytes, larger than ",
                     Bytes(kMaxCsvBytes), ", the most a CSV file may have"));
  }
  Input in(file->fd(), path);
  return Parser(in, path).Parse();
}

absl::StatusOr<analysis::RowTable> ParseCsv(absl::string_view text,
                                            absl::string_view source) {
  Input in(text, source);
  return Parser(in, source).Parse();
}

}  // namespace scalebench::cli
