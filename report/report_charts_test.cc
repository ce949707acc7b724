#include "report/report_charts.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::report {
namespace {

using ::testing::HasSubstr;

ScatterFigure Figure() {
  ScatterFigure f;
  f.x_column = "instances";
  f.y_column = "requests_per_s";
  Series s;
  s.run = "exp-000001";
  s.platform = "native";
  s.balancer = "none";
  s.label = "native, no balancer";
  s.points = {{1, 100, "exp-000001/0"},
              {1, 110, "exp-000001/1"},
              {2, 200, "exp-000001/2"}};
  s.configurations = {{1, 2, 105, 100, 110, false},
                      {2, 1, 200, 200, 200, false}};
  f.series.push_back(s);
  ModelCurve m;
  m.run = "exp-000001";
  m.model = "linear";
  m.x = {1, 1.5, 2};
  m.fitted = {100, 150, 200};
  m.band_low = {90, 140, 190};
  m.band_high = {110, 160, 210};
  f.curves.push_back(m);
  return f;
}

TEST(ScatterChartTest, BandsAreALowLineAndAnUpperLineFilledDownToIt) {
  const nlohmann::json chart = ScatterChart(Figure(), "");
  const nlohmann::json& d = chart["data"]["datasets"];
  ASSERT_EQ(d.size(), 7u);  // band low/high, trials, median; band x2, fit
  EXPECT_EQ(d[0]["label"],
            "native, no balancer: min–max (n < 6: no 95% CI) (low)");
  EXPECT_EQ(d[0]["hideInLegend"], true);
  EXPECT_EQ(d[1]["fill"], "-1");
  EXPECT_EQ(d[1]["data"].size(), 2u);
  EXPECT_EQ(d[1]["data"][0]["y"], 110);
  EXPECT_EQ(d[2]["label"], "native, no balancer: trials");
  EXPECT_EQ(d[2]["data"].size(), 3u);
  EXPECT_EQ(d[3]["label"], "native, no balancer: median");
  EXPECT_EQ(d[3]["showLine"], true);
  EXPECT_EQ(d[4]["hideInLegend"], true);
  EXPECT_EQ(d[5]["label"], "model linear: 95% prediction band");
  EXPECT_EQ(d[5]["fill"], "-1");
  EXPECT_EQ(d[5]["data"][2]["y"], 210);
  EXPECT_EQ(d[6]["label"], "model linear: fit");
  // The curve takes its series' colour.
  EXPECT_EQ(d[6]["borderColor"], "rgba(0,114,178,0.90)");
  const nlohmann::json& scales = chart["options"]["scales"];
  EXPECT_EQ(scales["x"]["title"]["text"],
            "instances (servers behind the balancer)");
  EXPECT_EQ(scales["y"]["title"]["text"], "throughput (requests/s)");
  EXPECT_THAT(chart["options"]["plugins"]["title"]["text"].get<std::string>(),
              HasSubstr("against instances"));
}

TEST(ScatterChartTest, TheBaselineIsDrawnFainterWithTriangles) {
  ScatterFigure f = Figure();
  Series baseline = f.series[0];
  baseline.run = "exp-000000";
  f.series.push_back(baseline);
  f.curves.clear();
  const nlohmann::json d = ScatterChart(f, "exp-000000")["data"]["datasets"];
  ASSERT_EQ(d.size(), 8u);
  EXPECT_EQ(d[2]["label"], "exp-000001 native, no balancer: trials");
  EXPECT_EQ(d[2]["pointStyle"], "crossRot");
  EXPECT_EQ(d[6]["label"], "exp-000000 native, no balancer: trials");
  EXPECT_EQ(d[6]["pointStyle"], "triangle");
  EXPECT_TRUE(d[7].contains("borderDash"));
  EXPECT_FALSE(d[3].contains("borderDash"));
}

// Two hosts counts of one balancer: one series each, the held-out test
// trials a dataset of their own (hollow diamonds), and the cross-host
// curve in the colour of the series it was trained on.
TEST(ScatterChartTest, TestTrialsAreMarkedApartAndCurvesTakeTheirSeries) {
  ScatterFigure f = Figure();
  f.series[0].factors = {{"hosts", "1"}};
  f.series[0].label = "hosts 1";
  Series two = f.series[0];
  two.factors = {{"hosts", "2"}};
  two.label = "hosts 2";
  for (TrialPoint& p : two.points) p.test = true;
  f.series.insert(f.series.begin(), two);  // drawn first: colour 0
  f.curves[0].train = {{"hosts", {"1"}}};
  ModelCurve usl = f.curves[0];
  usl.model = "usl";
  f.curves.push_back(usl);
  const nlohmann::json d = ScatterChart(f, "")["data"]["datasets"];
  std::map<std::string, nlohmann::json> by_label;
  for (const nlohmann::json& set : d) by_label[set["label"]] = set;
  ASSERT_TRUE(by_label.count("hosts 2: test trials (held out)"));
  const nlohmann::json& test = by_label["hosts 2: test trials (held out)"];
  EXPECT_EQ(test["pointStyle"], "rectRot");
  EXPECT_EQ(test["data"].size(), 3u);
  EXPECT_EQ(by_label.count("hosts 2: trials"), 0u);
  EXPECT_EQ(by_label["hosts 1: trials"]["data"].size(), 3u);
  EXPECT_EQ(by_label.count("hosts 1: test trials (held out)"), 0u);
  EXPECT_EQ(by_label["hosts 1: median"]["borderColor"], "rgba(213,94,0,1.00)");
  // Both curves in hosts 1's colour, told apart by their dashes.
  const nlohmann::json& linear = by_label["model linear: fit"];
  const nlohmann::json& usl_fit = by_label["model usl: fit"];
  EXPECT_EQ(linear["borderColor"], "rgba(213,94,0,0.90)");
  EXPECT_EQ(usl_fit["borderColor"], "rgba(213,94,0,0.90)");
  EXPECT_NE(linear["borderDash"], usl_fit["borderDash"]);
}

TEST(LatencyAndSkewChartsTest, OneValuePerConfigurationAndPerBin) {
  ReportData data;
  data.latency = {{"exp-000001", "platform=native instances=1", "instances=1",
                   3, 100, 200, 900},
                  {"exp-000001", "platform=native instances=2", "instances=2",
                   3, 90, 150, 800}};
  const nlohmann::json latency = LatencyChart(data, false);
  EXPECT_EQ(latency["data"]["labels"][1], "instances=2");
  EXPECT_EQ(latency["data"]["datasets"][2]["label"], "p99");
  EXPECT_EQ(latency["data"]["datasets"][2]["data"][0], 900);
  EXPECT_EQ(latency["options"]["scales"]["y"]["type"], "logarithmic");
  SkewHistogram h;
  h.edges = {0, 5, 10};
  h.runs = {"exp-000001"};
  h.counts = {{3, 1}};
  const nlohmann::json skew = SkewChart(h);
  EXPECT_EQ(skew["data"]["labels"][0], "[0, 5)");
  EXPECT_EQ(skew["options"]["scales"]["y"]["ticks"]["precision"], 0);
  h.edges = {-0.5, 0, 0.5};
  EXPECT_EQ(SkewChart(h)["data"]["labels"][0], "[-0.5, 0.0)");
  EXPECT_EQ(skew["data"]["datasets"][0]["data"][1], 1);
  EXPECT_EQ(skew["options"]["scales"]["x"]["title"]["text"],
            "start skew (µs, positive = late)");
}

}  // namespace
}  // namespace scalebench::report
