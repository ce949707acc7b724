#include "common/csv_writer.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace scalebench {

std::string CsvField(absl::string_view field) {
  if (field.find_first_of(",\"\r\n") == absl::string_view::npos) {
    return std::string(field);
  }
  return absl::StrCat("\"", absl::StrReplaceAll(field, {{"\"", "\"\""}}), "\"");
}

std::string CsvRow(const std::vector<std::string>& cells) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line.push_back(',');
    line += CsvField(cells[i]);
  }
  line.push_back('\n');
  return line;
}

}  // namespace scalebench
