// CSV files of measurements for `scalebench fit` and `changepoints`: a
// header row of column names, then one row per measurement, read into an
// analysis::RowTable. Quoted fields ("a, b", "say ""hi""") may hold commas,
// quotes and line breaks; unquoted cells are trimmed of spaces; blank lines
// and lines starting with '#' are skipped; lines end in LF, CRLF or CR; a
// UTF-8 byte order mark at the start is ignored. Every problem is reported
// with the file name and line, so a user can go and fix it.
//
// The input is bounded (kMaxCsv*): a file is read once, in chunks, straight
// into the table, so memory follows the data and the limits bound both.
// Stateless functions; thread-safe.
#ifndef SCALEBENCH_CLI_CSV_H_
#define SCALEBENCH_CLI_CSV_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "analysis/row_table.h"

namespace scalebench::cli {

// The most bytes, rows (after the header) and cells (the header's
// included) a CSV file may have. A table costs some 50 bytes a cell and
// 70 a row beyond its text: at these limits `scalebench fit` and
// `changepoints` stay under 200 MB, whatever the shape of the file. The
// rows of `scalebench results --output csv` (24 columns) fit 80,000 at a
// time.
inline constexpr uint64_t kMaxCsvBytes = uint64_t{32} << 20;
inline constexpr size_t kMaxCsvRows = 500'000;
inline constexpr size_t kMaxCsvCells = 2'000'000;
// The longest cell (or column name), in bytes.
inline constexpr size_t kMaxCsvCellBytes = 64 << 10;

// Reads the CSV file at `path` into a table whose source is `path` and
// whose rows' origins are "PATH:LINE" (the line where the row starts),
// each cell's number read from its text when it is a finite number.
// The errors of RegularFile::Open (common/text_file.h): NOT_FOUND "PATH:
// no such file"; INVALID_ARGUMENT "PATH: not a regular file (a
// directory)" (a FIFO, a device: /dev/zero or a FIFO without a writer
// cannot hang or exhaust memory), "PATH: cannot read: REASON"; then
// INVALID_ARGUMENT when it is larger than a limit above (naming it), or as
// ParseCsv.
absl::StatusOr<analysis::RowTable> ReadCsvFile(const std::string& path);

// Parses `text` as ReadCsvFile does a file's contents; `source` names it
// in messages and origins. INVALID_ARGUMENT "SOURCE:LINE: ..." when there
// is no header row, a column name is empty or repeated, a quote is not
// closed, a row's cell count differs from the header's, or a limit above
// is exceeded.
absl::StatusOr<analysis::RowTable> ParseCsv(absl::string_view text,
                                            absl::string_view source);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_CSV_H_
