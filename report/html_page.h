// The HTML page being written by report_html.cc and report_models.cc: text
// escaped on the way in, tables inside their own horizontally scrolling
// box (so a wide table never widens the page), and the charts' Chart.js
// configurations collected for the script at the end. Internal to
// report/; not thread-safe (one page per call).
#ifndef SCALEBENCH_REPORT_HTML_PAGE_H_
#define SCALEBENCH_REPORT_HTML_PAGE_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"
#include "report/report_html.h"

namespace scalebench::report {

class Page final {
 public:
  void Raw(absl::string_view html) { absl::StrAppend(&html_, html); }
  void Text(absl::string_view text) {
    absl::StrAppend(&html_, HtmlEscape(text));
  }
  // <tag>text</tag> on a line; `css_class` when not empty.
  void Tag(const char* tag, absl::string_view text,
           absl::string_view css_class = "") {
    absl::StrAppend(&html_, "<", tag,
                    css_class.empty()
                        ? std::string()
                        : absl::StrCat(" class=\"", css_class, "\""),
                    ">", HtmlEscape(text), "</", tag, ">\n");
  }
  // A table of class `css_class` in a box that scrolls sideways when the
  // table is wider than the page; closed by EndTable.
  void BeginTable(absl::string_view css_class) {
    absl::StrAppend(&html_, "<div class=\"table-box\"><table class=\"",
                    css_class, "\">\n");
  }
  void EndTable() { Raw("</table></div>\n"); }
  // One row of `cell` ("td" or "th") cells; `css_class` on the <tr>.
  void Row(const std::vector<std::string>& cells, const char* cell = "td",
           const std::string& css_class = "") {
    Raw(css_class.empty() ? "<tr>"
                          : absl::StrCat("<tr class=\"", css_class, "\">"));
    for (const std::string& c : cells) {
      absl::StrAppend(&html_, "<", cell, ">", HtmlEscape(c), "</", cell, ">");
    }
    Raw("</tr>\n");
  }
  void Chart(const std::string& id, const nlohmann::json& config,
             const std::string& caption) {
    Raw(absl::StrCat(
        "<figure><div class=\"chart-box\"><canvas class=\"chart\" id=\"", id,
        "\"></canvas></div><figcaption>"));
    Text(caption);
    Raw("</figcaption></figure>\n");
    charts_.push_back({{"id", id}, {"config", config}});
  }
  const nlohmann::json& charts() const { return charts_; }
  std::string& html() { return html_; }

 private:
  std::string html_;
  nlohmann::json charts_ = nlohmann::json::array();
};

}  // namespace scalebench::report

#endif  // SCALEBENCH_REPORT_HTML_PAGE_H_
