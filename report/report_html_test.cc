#include "report/report_html.h"

#include <regex>
#include <string>
#include <tuple>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "report/report_csv.h"
#include "report/report_test_util.h"

namespace scalebench::report {
namespace {

using testing::Experiment;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::Trial;

constexpr char kFakeChartJs[] =
    "/* Chart.js stand-in */ window.Chart = function(){};";

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + what.size())) {
    ++n;
  }
  return n;
}

// 12 trials of exp-000002 at `rate` + k requests/s (k the trial number),
// instances 1 and 2; with `baseline_factor`, exp-000001 the same times it.
ReportInput Input(int baseline_factor = 0, double rate = 1000.0) {
  ReportInput input;
  input.run.experiment = Experiment("exp-000002", "quick");
  for (int k = 0; k < 12; ++k) {
    input.run.trials.push_back(Trial("exp-000002", k, k % 2, 1 + k % 2,
                                     v1::BALANCER_KIND_NONE, rate + k));
  }
  if (baseline_factor > 0) {
    input.baseline.emplace();
    input.baseline->experiment = Experiment("exp-000001", "quick");
    for (int k = 0; k < 12; ++k) {
      input.baseline->trials.push_back(Trial("exp-000001", k, k % 2, 1 + k % 2,
                                             v1::BALANCER_KIND_NONE,
                                             baseline_factor * (rate + k)));
    }
  }
  return input;
}

std::string Render(const ReportInput& input, RenderOptions options = {}) {
  absl::StatusOr<ReportData> data = AssembleReport(input);
  EXPECT_TRUE(data.ok()) << data.status();
  if (options.chartjs.empty()) options.chartjs = kFakeChartJs;
  return RenderHtml(*data, options);
}

TEST(RenderHtmlTest, OneCanvasPerChartAndChartJsInlinedOnce) {
  const std::string html = Render(Input());
  // Throughput against instances and vcpus_total, latency, start skew.
  EXPECT_EQ(Count(html, "<canvas class=\"chart\""), 4);
  EXPECT_EQ(Count(html, kFakeChartJs), 1);
  EXPECT_THAT(html, HasSubstr("id=\"chart-requests_per_s-instances\""));
  // Nothing is loaded from elsewhere.
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("href=\"http")));
  EXPECT_THAT(html, Not(HasSubstr("<link")));
  EXPECT_THAT(html, HasSubstr("throughput (requests/s)"));  // axis with unit
}

TEST(RenderHtmlTest, StringsFromTheStoreAreEscaped) {
  ReportInput input = Input();
  input.run.experiment.mutable_spec()->set_name("<img src=x onerror=alert(1)>");
  input.run.trials[0].mutable_raw(0)->set_worker_id("</script><b>w</b>");
  const std::string html = Render(input);
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, HasSubstr("&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("<b>w</b>")));
  EXPECT_THAT(html, HasSubstr("&lt;/script&gt;&lt;b&gt;w&lt;/b&gt;"));
  // The three scripts (data, Chart.js, init) are closed once each.
  EXPECT_EQ(Count(html, "</script>"), 3);
  EXPECT_EQ(HtmlEscape("a&b\"c'"), "a&amp;b&quot;c&#39;");
  EXPECT_EQ(ScriptSafeJson("{\"a\":\"</script>\"}"),
            "{\"a\":\"\\u003c/script>\"}");
}

TEST(RenderHtmlTest, RegressionRowsAreHighlighted) {
  const std::string html = Render(Input(2));  // the baseline twice as fast
  EXPECT_THAT(html, HasSubstr("id=\"comparison\""));
  EXPECT_EQ(Count(html, "<tr class=\"regression\">"), 2);
  EXPECT_THAT(html, HasSubstr("tr.regression td{"));
  EXPECT_THAT(html, HasSubstr("The baseline, exp-000001, is drawn fainter"));
  const std::string same = Render(Input(1));
  EXPECT_EQ(Count(same, "<tr class=\"regression\">"), 0);
}

TEST(RenderHtmlTest, LinksTheCsvFilesAndShowsTheTexts) {
  RenderOptions options;
  options.csv_links = {{"r-throughput.csv", "throughput"}};
  options.compare_text = "compare says a<b";
  const std::string html = Render(Input(2), options);
  EXPECT_THAT(html, HasSubstr("<a href=\"r-throughput.csv\">"));
  EXPECT_THAT(html, HasSubstr("<pre>compare says a&lt;b</pre>"));
}

// The page between its style and its scripts: what a person reads.
std::string Body(const std::string& html) {
  const size_t start = html.find("</style>");
  return html.substr(start, html.find("<script") - start);
}

// The first number in e-notation in `html` ("3.71e-13"); "" when none.
std::string ENotation(const std::string& html) {
  std::smatch match;
  std::regex_search(html, match, std::regex("[0-9.]+e[+-]?[0-9]+"));
  return match.str();
}

// A multi-host run with a cross-host model: the fits are HTML tables, not
// preformatted text, and every verdict (the models', the cross-host
// test's) is in the summary, above the figures.
TEST(RenderHtmlTest, ModelsAreTablesAndTheirVerdictsAreInTheSummary) {
  absl::StatusOr<RunInput> run = testing::MultiHostRun("exp-000009");
  ASSERT_TRUE(run.ok()) << run.status();
  ReportInput input;
  input.run = *run;
  const std::string page = Render(input);
  const std::string html = Body(page);
  EXPECT_EQ(Count(html, "<pre"), 0);
  EXPECT_EQ(Count(html, "<table class=\"model-parameters\">"), 2);
  EXPECT_EQ(Count(html, "<table class=\"model-predictions\">"), 2);
  const size_t throughput = html.find("id=\"throughput\"");
  const std::string verdict = run->fits.at(0).cross_host().verdict();
  ASSERT_FALSE(verdict.empty());
  EXPECT_LT(html.find(HtmlEscape(verdict)), throughput);
  EXPECT_LT(html.find("<td>cross-host</td>"), throughput);
  // Twice: in the summary and under the model's tables.
  EXPECT_EQ(Count(html, HtmlEscape(verdict)), 2);
  // Every table scrolls in its own box, not the page.
  EXPECT_EQ(Count(html, "<table"), Count(html, "<div class=\"table-box\">"));
  EXPECT_THAT(page, HasSubstr(".table-box{max-width:100%;overflow-x:auto}"));
}

// The throughput CSV names each trial's series and says which trials a
// cross-host model held out: the 12 hosts=2 trials per balancer in the
// instances figure (the model's), none in the vcpus_total figure.
TEST(ReportCsvTest, ThroughputMarksTheHeldOutTrials) {
  absl::StatusOr<RunInput> run = testing::MultiHostRun("exp-000009");
  ASSERT_TRUE(run.ok()) << run.status();
  ReportInput input;
  input.run = *run;
  absl::StatusOr<ReportData> data = AssembleReport(input);
  ASSERT_TRUE(data.ok()) << data.status();
  const std::string csv = ReportCsvs(*data).at(0).content;
  EXPECT_EQ(Count(csv, ",\"haproxy, hosts 2\",true\n"), 12);
  EXPECT_EQ(Count(csv, ",\"nginx, hosts 2\",true\n"), 12);
  EXPECT_EQ(Count(csv, ",true\n"), 24);
  EXPECT_EQ(Count(csv, ",\"haproxy, hosts 1\",false\n"), 2 * 12);
}

TEST(RenderHtmlTest, TheComparisonsVerdictIsAtTheTop) {
  const std::string html = Body(Render(Input(2)));
  const size_t verdict = html.find(
      "Verdict: exp-000002 against exp-000001, metric "
      "requests_per_s: 2 regression");
  ASSERT_NE(verdict, std::string::npos);
  EXPECT_LT(verdict, html.find("<table class=\"summary\">"));
  EXPECT_LT(html.find("id=\"comparison\""), html.find("id=\"throughput\""));
  EXPECT_THAT(html, HasSubstr("<p class=\"verdict regression\">"));
}

// Numbers as people read them: grouped thousands, no e-notation.
TEST(RenderHtmlTest, NumbersArePlain) {
  const std::string html = Body(Render(Input(2, 152400)));
  // The medians of the comparison: 152,400 + 5 and + 6 (12 trials over two
  // configurations), the baseline twice that.
  EXPECT_THAT(html, HasSubstr("<td>304,810</td><td>152,405</td>"));
  EXPECT_EQ(ENotation(html), "");
}

// A parameter that is floating-point residue next to its standard error
// reads 0, not 3.71e-13.
TEST(RenderHtmlTest, ResidueParametersReadZero) {
  ReportInput input = Input();
  v1::ModelFit& fit = input.run.fits.emplace_back();
  fit.mutable_spec()->set_fit(v1::MODEL_KIND_POLY);
  fit.mutable_spec()->set_degree(2);
  fit.mutable_spec()->set_x("instances");
  fit.mutable_spec()->set_y("requests_per_s");
  fit.set_n(12);
  for (const auto& [name, estimate, se] :
       {std::tuple{"b0", 20.5, 86.2}, std::tuple{"b1", 1025.0, 78.6},
        std::tuple{"b2", 3.71e-13, 15.5}}) {
    v1::FittedParameter* p = fit.add_parameters();
    p->set_name(name);
    p->set_estimate(estimate);
    p->set_std_error(se);
  }
  const std::string html = Body(Render(input));
  EXPECT_THAT(html, HasSubstr("<td>1,025</td><td>78.6</td>"));
  EXPECT_THAT(html, HasSubstr("<td>0</td><td>15.5</td>"));
  EXPECT_EQ(ENotation(html), "");
}

TEST(RenderHtmlTest, AnExperimentWithoutResultsSaysSo) {
  ReportInput input;
  input.run.experiment = Experiment("exp-000003", "quick");
  const std::string html = Render(input);
  EXPECT_THAT(html, HasSubstr("exp-000003 has no trial results (yet)"));
}

TEST(ReportCsvTest, QuotingAndPaths) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvPathBeside("out/report.html", "latency"),
            "out/report-latency.csv");
  EXPECT_EQ(CsvPathBeside("report", "skew"), "report-skew.csv");
}

TEST(ReportCsvTest, ThroughputHoldsEveryTrialAndMedian) {
  absl::StatusOr<ReportData> data = AssembleReport(Input(2));
  ASSERT_TRUE(data.ok());
  const std::vector<CsvFile> files = ReportCsvs(*data);
  ASSERT_EQ(files.size(), 5u);
  EXPECT_EQ(files[0].suffix, "throughput");
  EXPECT_EQ(files[4].suffix, "comparison");
  const std::vector<std::string> lines =
      absl::StrSplit(files[0].content, '\n', absl::SkipEmpty());
  // Header; 2 figures x 2 runs x (12 trials + 2 medians).
  EXPECT_EQ(lines.size(), 1u + 2 * 2 * (12 + 2));
  EXPECT_EQ(Count(files[0].content, ",trial,"), 48);
  EXPECT_EQ(Count(files[0].content, ",median,"), 8);
  EXPECT_EQ(Count(files[0].content, ",median_95ci,"), 8);  // 6 runs each
  // Each trial and median names its series; no trial is held out here.
  EXPECT_EQ(Count(files[0].content, ",native, no balancer,false\n"), 0);
  EXPECT_EQ(Count(files[0].content, ",\"native, no balancer\",false\n"), 48);
  const std::vector<std::string> comparison =
      absl::StrSplit(files[4].content, '\n', absl::SkipEmpty());
  EXPECT_EQ(comparison.size(), 3u);
  EXPECT_THAT(comparison[1], HasSubstr("regression"));
}

}  // namespace
}  // namespace scalebench::report
