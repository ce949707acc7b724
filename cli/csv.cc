#include "cli/csv.h"

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace scalebench::cli {
namespace {

// Splits one record starting at text[pos]; advances pos past its line end
// and `line` past every newline consumed (quoted fields may hold some).
absl::StatusOr<std::vector<std::string>> ParseRecord(absl::string_view text,
                                                     size_t& pos, int& line,
                                                     absl::string_view source) {
  const int start_line = line;
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;  // the current cell began with a quote
  while (true) {
    if (pos < text.size() && text[pos] == '"' &&
        absl::StripAsciiWhitespace(cell).empty() && !quoted) {
      quoted = true;
      cell.clear();
      ++pos;
      while (true) {
        if (pos >= text.size()) {
          return absl::InvalidArgumentError(absl::StrCat(
              source, ":", start_line, ": a quoted cell is never closed"));
        }
        const char c = text[pos++];
        if (c == '"') {
          if (pos < text.size() && text[pos] == '"') {
            cell += '"';
            ++pos;
            continue;
          }
          break;
        }
        if (c == '\n') ++line;
        cell += c;
      }
      continue;
    }
    if (pos >= text.size() || text[pos] == '\n' || text[pos] == '\r' ||
        text[pos] == ',') {
      cells.push_back(quoted ? cell
                             : std::string(absl::StripAsciiWhitespace(cell)));
      cell.clear();
      quoted = false;
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
        continue;
      }
      if (pos < text.size() && text[pos] == '\r') ++pos;
      if (pos < text.size() && text[pos] == '\n') ++pos;
      ++line;
      return cells;
    }
    if (quoted) {
      if (text[pos] != ' ' && text[pos] != '\t') {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ":", start_line,
                         ": text after a closing quote; quote the whole cell"));
      }
      ++pos;
      continue;
    }
    cell += text[pos++];
  }
}

// True for lines to skip: blank, or a '#' comment.
bool SkipLine(absl::string_view text, size_t pos) {
  size_t end = text.find('\n', pos);
  if (end == absl::string_view::npos) end = text.size();
  const absl::string_view content =
      absl::StripAsciiWhitespace(text.substr(pos, end - pos));
  return content.empty() || content[0] == '#';
}

}  // namespace

absl::StatusOr<CsvTable> CsvTable::Read(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open the file"));
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  return Parse(contents.str(), path);
}

absl::StatusOr<CsvTable> CsvTable::Parse(absl::string_view text,
                                         absl::string_view source) {
  CsvTable table;
  table.source_ = std::string(source);
  size_t pos = 0;
  int line = 1;
  bool have_header = false;
  while (pos < text.size()) {
    if (SkipLine(text, pos)) {
      const size_t end = text.find('\n', pos);
      pos = end == absl::string_view::npos ? text.size() : end + 1;
      ++line;
      continue;
    }
    const int record_line = line;
    absl::StatusOr<std::vector<std::string>> cells =
        ParseRecord(text, pos, line, source);
    if (!cells.ok()) return cells.status();
    if (!have_header) {
      absl::flat_hash_set<std::string> seen;
      for (const std::string& name : *cells) {
        if (name.empty()) {
          return absl::InvalidArgumentError(
              absl::StrCat(source, ":", record_line,
                           ": the header has an empty column name"));
        }
        if (!seen.insert(name).second) {
          return absl::InvalidArgumentError(
              absl::StrCat(source, ":", record_line,
                           ": the header repeats column '", name, "'"));
        }
      }
      table.columns_ = *std::move(cells);
      have_header = true;
      continue;
    }
    if (cells->size() != table.columns_.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          source, ":", record_line, ": ", cells->size(),
          " cells, but the header has ", table.columns_.size(), " columns"));
    }
    table.rows_.push_back({record_line, *std::move(cells)});
  }
  if (!have_header) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": no header row (the file is empty)"));
  }
  return table;
}

analysis::RowTable CsvTable::ToRowTable() const {
  // Parse() has checked the column names and the cell counts.
  absl::StatusOr<analysis::RowTable> table =
      analysis::RowTable::Create(source_, columns_);
  for (const Row& row : rows_) {
    std::vector<analysis::Cell> cells;
    cells.reserve(row.cells.size());
    for (const std::string& text : row.cells) {
      cells.push_back(analysis::Cell::FromText(text));
    }
    table->AddRow(std::move(cells), absl::StrCat(source_, ":", row.line))
        .IgnoreError();
  }
  return *std::move(table);
}

}  // namespace scalebench::cli
