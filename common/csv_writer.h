// Writing CSV (RFC 4180): the one writer behind `scalebench results
// --output csv` and the report's CSV files. A cell is quoted only when it
// holds a comma, a quote or a line break, a quote inside doubled; rows end
// in "\n". (Reading is cli/csv.h.) Stateless functions; thread-safe.
#ifndef SCALEBENCH_COMMON_CSV_WRITER_H_
#define SCALEBENCH_COMMON_CSV_WRITER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace scalebench {

// `field` quoted for a CSV cell when it holds a comma, quote or line
// break; as it is otherwise.
std::string CsvField(absl::string_view field);

// One CSV line: the cells as CsvField writes them, joined by commas,
// ending in "\n".
std::string CsvRow(const std::vector<std::string>& cells);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_CSV_WRITER_H_
