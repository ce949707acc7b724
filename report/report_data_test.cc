#include "report/report_data.h"

#include <cmath>
#include <string>
#include <vector>

#include "analysis/model_fit.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "report/report_test_util.h"
#include "results/trial_rows.h"

namespace scalebench::report {
namespace {

using testing::Experiment;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::StoredFits;
using testing::Trial;

constexpr auto kNone = v1::BALANCER_KIND_NONE;
constexpr auto kHaproxy = v1::BALANCER_KIND_HAPROXY;

// instances [1, 2] x balancer [none, haproxy], `reps` repetitions: rates
// 1000 x instances (+ 10 x repetition) without a balancer, 80% of it
// with haproxy.
std::vector<v1::TrialResult> Sweep(const std::string& id, int reps,
                                   double scale = 1) {
  std::vector<v1::TrialResult> trials;
  int number = 0;
  for (int rep = 0; rep < reps; ++rep) {
    for (int i = 0; i < 4; ++i) {
      const int instances = 1 + i % 2;
      const auto balancer = i < 2 ? kNone : kHaproxy;
      const double rate = scale * (1000.0 * instances + 10 * rep) *
                          (balancer == kNone ? 1 : 0.8);
      trials.push_back(Trial(id, number++, i, instances, balancer, rate,
                             100 + 10 * i, rep * 50 - 20));
    }
  }
  return trials;
}

// `kind` of y on instances.
v1::ModelSpec Model(v1::ModelKind kind,
                    const std::string& y = "requests_per_s") {
  v1::ModelSpec spec;
  spec.set_fit(kind);
  spec.set_x("instances");
  spec.set_y(y);
  return spec;
}

const ScatterFigure& Figure(const ReportData& d, const std::string& x,
                            const std::string& y) {
  for (const ScatterFigure& f : d.figures) {
    if (f.x_column == x && f.y_column == y) return f;
  }
  ADD_FAILURE() << "no figure " << y << " ~ " << x;
  static const ScatterFigure kNoFigure;
  return kNoFigure;
}

TEST(AssembleReportTest, SeriesPerPlatformAndBalancerWithMinMaxBelowSixRuns) {
  ReportInput input;
  input.run.experiment = Experiment("exp-000007", "quick");
  input.run.trials = Sweep("exp-000007", 3);
  absl::StatusOr<ReportData> d = AssembleReport(input);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->run.name, "exp-000007");
  EXPECT_EQ(d->run.spec_name, "quick");
  EXPECT_EQ(d->run.state, "succeeded");
  EXPECT_EQ(d->run.create_time, "2027-01-15T08:00:00Z");
  EXPECT_EQ(d->run.workers, std::vector<std::string>{"w1"});
  ASSERT_EQ(d->figures.size(), 2u);  // instances and vcpus_total
  const ScatterFigure& f = Figure(*d, "instances", "requests_per_s");
  ASSERT_EQ(f.series.size(), 2u);
  EXPECT_EQ(f.series[0].balancer, "none");
  EXPECT_EQ(f.series[1].balancer, "haproxy");
  // Only the balancer varies besides x (its algorithm follows from it).
  EXPECT_EQ(f.series[0].label, "no balancer");
  EXPECT_EQ(f.series[1].label, "haproxy");
  ASSERT_EQ(f.series[1].factors.size(), 1u);
  EXPECT_EQ(f.series[1].factors[0].first, "balancer");
  EXPECT_EQ(f.series[0].points.size(), 6u);
  ASSERT_EQ(f.series[0].configurations.size(), 2u);
  const ConfigurationPoint& two = f.series[0].configurations[1];
  EXPECT_EQ(two.x, 2);
  EXPECT_EQ(two.n, 3);
  EXPECT_DOUBLE_EQ(two.median, 2010);
  EXPECT_FALSE(two.is_ci);  // 3 runs: the range, not an interval
  EXPECT_DOUBLE_EQ(two.low, 2000);
  EXPECT_DOUBLE_EQ(two.high, 2020);
  EXPECT_DOUBLE_EQ(f.series[1].configurations[0].median, 0.8 * 1010);
}

TEST(AssembleReportTest, TenRunsGiveTheMediansDistributionFreeInterval) {
  ReportInput input;
  input.run.experiment = Experiment("exp-000007", "quick");
  input.run.trials = Sweep("exp-000007", 10);
  absl::StatusOr<ReportData> d = AssembleReport(input);
  ASSERT_TRUE(d.ok()) << d.status();
  const ConfigurationPoint& one =
      Figure(*d, "instances", "requests_per_s").series[0].configurations[0];
  EXPECT_EQ(one.n, 10);
  EXPECT_TRUE(one.is_ci);
  // Order statistics 2 and 9 of 10 (binomial coverage 97.9%): values
  // 1000 + 10 k for k = 0..9, so 1010 and 1080, not the range.
  EXPECT_DOUBLE_EQ(one.low, 1010);
  EXPECT_DOUBLE_EQ(one.high, 1080);
}

// The straight line's 95% prediction interval for one new observation,
// by the textbook formula: fitted -/+ t(0.975, n-2) s sqrt(1 + 1/n +
// (x - mean)^2 / Sxx).
TEST(AssembleReportTest, LinearModelCurveCarriesThePredictionBand) {
  ReportInput input;
  input.run.experiment = Experiment("exp-000007", "quick");
  // 3 instance levels x 2 repetitions, no balancer: n = 6, dof = 4.
  const double ys[] = {1010, 990, 1950, 2070, 3040, 2960};
  for (int k = 0; k < 6; ++k) {
    input.run.trials.push_back(
        Trial("exp-000007", k, k / 2, 1 + k / 2, kNone, ys[k]));
  }
  v1::ModelSpec spec = Model(v1::MODEL_KIND_LINEAR);
  absl::StatusOr<std::vector<v1::ModelFit>> fits =
      StoredFits(spec, input.run.trials);
  ASSERT_TRUE(fits.ok()) << fits.status();
  input.run.fits = *fits;
  absl::StatusOr<ReportData> d = AssembleReport(input);
  ASSERT_TRUE(d.ok()) << d.status();
  const ScatterFigure& f = Figure(*d, "instances", "requests_per_s");
  ASSERT_EQ(f.curves.size(), 1u);
  const ModelCurve& c = f.curves[0];
  EXPECT_EQ(c.model, "linear");
  EXPECT_EQ(c.note, "");  // the refit is the stored fit
  ASSERT_EQ(c.x.size(), static_cast<size_t>(kCurveGridPoints));
  ASSERT_EQ(c.band_low.size(), c.x.size());
  EXPECT_DOUBLE_EQ(c.x.front(), 1);
  EXPECT_DOUBLE_EQ(c.x.back(), 3);
  // By hand: mean x 2, Sxx 4, slope (sum (x - 2) y) / 4.
  double sy = 0;
  for (double y : ys) sy += y;
  const double slope = ((-1) * (1010 + 990) + 1 * (3040 + 2960)) / 4.0;
  const double intercept = sy / 6 - slope * 2;
  double rss = 0;
  for (int k = 0; k < 6; ++k) {
    const double r = ys[k] - (intercept + slope * (1 + k / 2));
    rss += r * r;
  }
  const double s = std::sqrt(rss / 4);
  const double t = 2.7764451051977987;  // t(0.975, 4)
  for (size_t i : {size_t{0}, c.x.size() / 2, c.x.size() - 1}) {
    const double x = c.x[i];
    const double fitted = intercept + slope * x;
    const double half = t * s * std::sqrt(1 + 1.0 / 6 + (x - 2) * (x - 2) / 4);
    EXPECT_NEAR(c.fitted[i], fitted, 1e-6);
    EXPECT_NEAR(c.band_low[i], fitted - half, 1e-6);
    EXPECT_NEAR(c.band_high[i], fitted + half, 1e-6);
  }
  EXPECT_THAT(d->run.fit_verdicts.at(0),
              HasSubstr("linear requests_per_s ~ instances: n 6, R² "));
  // And says in words what one more instance adds.
  EXPECT_THAT(d->run.fit_verdicts.at(0), HasSubstr(": each instances adds "));

  // A stored fit the rows do not give is flagged, not silently redrawn.
  input.run.fits[0].mutable_parameters(1)->set_estimate(slope * 2);
  d = AssembleReport(input);
  ASSERT_TRUE(d.ok());
  EXPECT_THAT(Figure(*d, "instances", "requests_per_s").curves.at(0).note,
              HasSubstr("differs from the stored fit"));
}

TEST(AssembleReportTest, GroupedFitsAreRefittedOnTheirGroupOnly) {
  ReportInput input;
  input.run.experiment = Experiment("exp-000007", "quick");
  input.run.trials = Sweep("exp-000007", 3);
  v1::ModelSpec spec = Model(v1::MODEL_KIND_LINEAR);
  spec.add_by("balancer");
  absl::StatusOr<std::vector<v1::ModelFit>> fits =
      StoredFits(spec, input.run.trials);
  ASSERT_TRUE(fits.ok()) << fits.status();
  ASSERT_EQ(fits->size(), 2u);
  input.run.fits = *fits;
  absl::StatusOr<ReportData> d = AssembleReport(input);
  ASSERT_TRUE(d.ok()) << d.status();
  const ScatterFigure& f = Figure(*d, "instances", "requests_per_s");
  ASSERT_EQ(f.curves.size(), 2u);
  for (const ModelCurve& c : f.curves) EXPECT_EQ(c.note, "") << c.group;
  // haproxy's line runs at 80%: at x = 1 about 808, not the pooled 900.
  EXPECT_NEAR(f.curves[1].fitted.front(), 808, 1e-6);
  EXPECT_THAT(f.curves[1].group, HasSubstr("haproxy"));
  // No figure for vcpus_total gets a curve of an instances model.
  EXPECT_TRUE(Figure(*d, "vcpus_total", "requests_per_s").curves.empty());
}

// The USL's band is its delta-method prediction interval
// (analysis::UslFit::Predict), around the curve of the stored parameters.
TEST(AssembleReportTest, UslCurveCarriesItsPredictionBand) {
  ReportInput input;
  input.run.experiment = Experiment("exp-000007", "quick");
  // X(N) = 1000 N / (1 + 0.05 (N - 1) + 0.01 N (N - 1)), +-2%, 3 runs.
  const int levels[] = {1, 2, 4, 8, 16};
  int number = 0;
  for (int rep = 0; rep < 3; ++rep) {
    for (int i = 0; i < 5; ++i) {
      const double n = levels[i];
      const double x = 1000 * n / (1 + 0.05 * (n - 1) + 0.01 * n * (n - 1));
      input.run.trials.push_back(Trial("exp-000007", number++, i, levels[i],
                                       kNone, x * (1 + 0.02 * (rep - 1))));
    }
  }
  v1::ModelSpec spec = Model(v1::MODEL_KIND_USL, "transfer_kb_per_s");
  absl::StatusOr<std::vector<v1::ModelFit>> fits =
      StoredFits(spec, input.run.trials);
  ASSERT_TRUE(fits.ok()) << fits.status();
  ASSERT_EQ(fits->at(0).error(), "");
  input.run.fits = *fits;
  absl::StatusOr<ReportData> d = AssembleReport(input);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->figures.size(), 3u);  // a figure for the model's axes
  const ModelCurve& c =
      Figure(*d, "instances", "transfer_kb_per_s").curves.at(0);
  EXPECT_EQ(c.model, "usl");
  EXPECT_EQ(c.note, "");  // the refit is the stored fit
  ASSERT_EQ(c.band_low.size(), c.x.size());
  // transfer_kb_per_s is a tenth of the rate: lambda about 100.
  double lambda = 0;
  for (const v1::FittedParameter& p : input.run.fits[0].parameters()) {
    if (p.name() == "lambda") lambda = p.estimate();
  }
  EXPECT_NEAR(lambda, 100, 2);
  EXPECT_NEAR(c.fitted.front(), lambda, 1e-9);
  for (size_t i = 0; i < c.x.size(); ++i) {
    EXPECT_LT(c.band_low[i], c.fitted[i]);
    EXPECT_GT(c.band_high[i], c.fitted[i]);
  }
  // The band holds the trials it was fitted to: 2% noise, well inside.
  for (const Series& s : Figure(*d, "instances", "transfer_kb_per_s").series) {
    for (const TrialPoint& p : s.points) {
      const size_t at = static_cast<size_t>(
          std::lround((p.x - 1) / 15 * (kCurveGridPoints - 1)));
      if (std::abs(c.x[at] - p.x) > 1e-9) continue;  // not on the grid
      EXPECT_LE(c.band_low[at], p.y);
      EXPECT_GE(c.band_high[at], p.y);
    }
  }
}

// A cross-host test: fitted on hosts 1 (instances 1..3), drawn out to the
// test rows' x (hosts 2, instances 4 and 6).
TEST(AssembleReportTest, CrossHostCurveIsFittedToTheTrainingRows) {
  ReportInput input;
  input.run.experiment = Experiment("exp-000007", "quick");
  const int instances[] = {1, 2, 3, 4, 6};
  int number = 0;
  for (int rep = 0; rep < 2; ++rep) {
    for (int i = 0; i < 5; ++i) {
      v1::TrialResult t = Trial("exp-000007", number++, i, instances[i], kNone,
                                1000.0 * instances[i] + 20 * rep);
      t.mutable_configuration()->set_hosts(i < 3 ? 1 : 2);
      input.run.trials.push_back(std::move(t));
    }
  }
  v1::ModelSpec spec = Model(v1::MODEL_KIND_LINEAR);
  (*spec.mutable_train()->mutable_factors())["hosts"].add_values("1");
  (*spec.mutable_test()->mutable_factors())["hosts"].add_values("2");
  absl::StatusOr<std::vector<v1::ModelFit>> fits =
      StoredFits(spec, input.run.trials);
  ASSERT_TRUE(fits.ok()) << fits.status();
  ASSERT_TRUE(fits->at(0).has_cross_host()) << fits->at(0).error();
  input.run.fits = *fits;
  absl::StatusOr<ReportData> d = AssembleReport(input);
  ASSERT_TRUE(d.ok()) << d.status();
  const ModelCurve& c = Figure(*d, "instances", "requests_per_s").curves.at(0);
  EXPECT_EQ(c.note, "");  // the refit on hosts 1 is the stored fit
  EXPECT_EQ(c.cross_host, "trained on hosts=1, tested on hosts=2");
  EXPECT_DOUBLE_EQ(c.x.front(), 1);
  EXPECT_DOUBLE_EQ(c.x.back(), 6);  // out to the test rows
  // y = 1000 x + 10 exactly on the training rows: at 6, 6010.
  EXPECT_NEAR(c.fitted.back(), 6010, 1e-6);
  // The stored predictions' interval at x = 6 is the band's there.
  int checked = 0;
  for (const v1::PredictionCheck& p : fits->at(0).cross_host().predictions()) {
    if (p.x() != 6) continue;
    EXPECT_NEAR(c.band_low.back(), p.pi_low(), 1e-6);
    EXPECT_NEAR(c.band_high.back(), p.pi_high(), 1e-6);
    ++checked;
  }
  EXPECT_EQ(checked, 2);
}

// Configurations that differ only in hosts are two series, not one with a
// vertical jump; the cross-host model's test trials (hosts=2) are marked,
// its training trials are not.
TEST(AssembleReportTest, MultiHostSeriesAndHeldOutTestTrials) {
  absl::StatusOr<RunInput> run = testing::MultiHostRun("exp-000009");
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->fits.size(), 2u);
  ASSERT_TRUE(run->fits[0].has_cross_host()) << run->fits[0].error();
  ReportInput input;
  input.run = *run;
  absl::StatusOr<ReportData> d = AssembleReport(input);
  ASSERT_TRUE(d.ok()) << d.status();
  const ScatterFigure& f = Figure(*d, "instances", "requests_per_s");
  std::vector<std::string> labels;
  for (const Series& s : f.series) labels.push_back(s.label);
  EXPECT_EQ(labels,
            (std::vector<std::string>{"haproxy, hosts 1", "nginx, hosts 1",
                                      "haproxy, hosts 2", "nginx, hosts 2"}));
  for (const Series& s : f.series) {
    ASSERT_EQ(s.configurations.size(), 4u) << s.label;
    for (size_t i = 1; i < s.configurations.size(); ++i) {
      EXPECT_LT(s.configurations[i - 1].x, s.configurations[i].x) << s.label;
    }
    const bool held_out = s.label.find("hosts 2") != std::string::npos;
    ASSERT_EQ(s.points.size(), 12u);
    for (const TrialPoint& p : s.points) {
      EXPECT_EQ(p.test, held_out) << s.label << " " << p.trial_id;
    }
  }
  // vcpus_total draws no cross-host model: nothing is held out there.
  for (const Series& s : Figure(*d, "vcpus_total", "requests_per_s").series) {
    EXPECT_EQ(s.points.size(), 12u) << s.label;
    for (const TrialPoint& p : s.points) EXPECT_FALSE(p.test) << p.trial_id;
  }
  // The curves are trained on hosts=1.
  ASSERT_EQ(f.curves.size(), 2u);
  EXPECT_EQ(f.curves[0].train,
            (std::vector<std::pair<std::string, std::vector<std::string>>>{
                {"hosts", {"1"}}}));
  EXPECT_THAT(f.curves[0].cross_host,
              HasSubstr("trained on hosts=1, tested on hosts=2"));
  // Every verdict is in the summary.
  EXPECT_EQ(d->run.cross_host_verdicts.size(), 2u);
  EXPECT_EQ(d->run.fits.size(), 2u);
  // The model's line leaves the cross-host verdict to its own line.
  EXPECT_THAT(d->run.fit_verdicts.at(0), Not(HasSubstr("holds")));
  EXPECT_EQ(d->run.cross_host_verdicts.at(0),
            d->run.fits.at(0).cross_host().verdict());
}

TEST(SeriesLabelTest, NumbersByNameEnumerationsByValue) {
  EXPECT_EQ(SeriesLabel({{"hosts", "2"}, {"balancer", "haproxy"}}),
            "hosts 2, haproxy");
  EXPECT_EQ(SeriesLabel({{"platform", "docker"},
                         {"balancer", "none"},
                         {"algorithm", ""},
                         {"vcpus", "2"}}),
            "docker, no balancer, vcpus 2");
  EXPECT_EQ(SeriesLabel({}), "");
}

// Skews that are all alike still make a histogram of several bins, the
// values in the middle ones.
TEST(AssembleReportTest, AlikeSkewsGiveSeveralBins) {
  ReportInput input;
  input.run.experiment = Experiment("exp-000007", "quick");
  for (int k = 0; k < 4; ++k) {
    input.run.trials.push_back(
        Trial("exp-000007", k, 0, 1, kNone, 1000, 100, 40));
  }
  absl::StatusOr<ReportData> d = AssembleReport(input);
  ASSERT_TRUE(d.ok()) << d.status();
  const SkewHistogram& h = d->skew_histogram;
  ASSERT_EQ(h.edges.size(), 8u);  // 7 bins
  EXPECT_EQ(h.counts.at(0).front(), 0);
  EXPECT_EQ(h.counts.at(0).back(), 0);
  EXPECT_EQ(h.counts.at(0)[3], 4);
  EXPECT_LE(h.edges[3], 40);
  EXPECT_GT(h.edges[4], 40);
}

TEST(AssembleReportTest, LatencySkewAndHosts) {
  ReportInput input;
  input.run.experiment = Experiment("exp-000007", "quick");
  input.run.trials = Sweep("exp-000007", 3);
  input.run.trials[5].mutable_raw(0)->set_worker_id("w2");
  v1::Worker& known = input.workers.emplace_back();
  known.set_name("workers/w1");
  known.mutable_facts()->add_addresses("10.0.0.1");
  known.mutable_facts()->add_cpus(0);
  known.mutable_facts()->add_cpus(1);
  known.mutable_facts()->add_platforms(v1::PLATFORM_NATIVE);
  known.mutable_facts()->add_platforms(v1::PLATFORM_DOCKER);
  absl::StatusOr<ReportData> d = AssembleReport(input);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_EQ(d->latency.size(), 4u);
  EXPECT_EQ(d->latency[2].n, 3);
  // Labelled by the factors that vary, not the whole configuration.
  EXPECT_EQ(d->latency[2].label,
            "instances=1 balancer=haproxy algorithm=roundrobin vcpus_total=1");
  EXPECT_THAT(d->latency[2].configuration, HasSubstr("connections=10"));
  // Configuration 2 records 120 ns, read off its histogram as 0.12 µs
  // (to the histogram's accuracy).
  EXPECT_NEAR(d->latency[2].p50_us, 0.12, 0.12 * 0.005);
  EXPECT_NEAR(d->latency[2].p99_us, 0.12, 0.12 * 0.005);
  ASSERT_EQ(d->skew.size(), 12u);
  EXPECT_DOUBLE_EQ(d->skew[0].skew_us, -20);
  EXPECT_DOUBLE_EQ(d->skew[11].skew_us, 80);
  int counted = 0;
  for (int c : d->skew_histogram.counts.at(0)) counted += c;
  EXPECT_EQ(counted, 12);
  EXPECT_LE(d->skew_histogram.edges.front(), -20);
  EXPECT_GT(d->skew_histogram.edges.back(), 80);
  ASSERT_EQ(d->hosts.size(), 2u);
  EXPECT_EQ(d->hosts[1].worker, "w2");
  EXPECT_EQ(d->hosts[1].environment.hostname(), "w1-host");
  // The coordinator knows w1 now, not w2.
  EXPECT_EQ(HostFactCells(d->hosts[0]),
            (std::vector<std::string>{"10.0.0.1", "0,1", "native docker", ""}));
  EXPECT_FALSE(d->hosts[1].facts.has_value());
  EXPECT_EQ(HostFactCells(d->hosts[1]),
            (std::vector<std::string>{"", "", "", ""}));
}

TEST(AssembleReportTest, ComparisonFindsTheRegression) {
  ReportInput input;
  input.run.experiment = Experiment("exp-000008", "quick");
  input.run.trials = Sweep("exp-000008", 8, 0.5);  // half as fast
  input.baseline.emplace();
  input.baseline->experiment = Experiment("exp-000007", "quick");
  input.baseline->trials = Sweep("exp-000007", 8);
  absl::StatusOr<ReportData> d = AssembleReport(input);
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_TRUE(d->baseline.has_value());
  EXPECT_EQ(d->baseline->name, "exp-000007");
  ASSERT_TRUE(d->comparison.has_value()) << d->comparison_error;
  EXPECT_EQ(d->comparison->regressions, 4);
  // Both runs' series in one figure, the run's first.
  const ScatterFigure& f = Figure(*d, "instances", "requests_per_s");
  ASSERT_EQ(f.series.size(), 4u);
  EXPECT_EQ(f.series[0].run, "exp-000008");
  EXPECT_EQ(f.series[2].run, "exp-000007");
  EXPECT_EQ(d->skew_histogram.runs.size(), 2u);
}

TEST(AssembleReportTest, NoResultsIsAnEmptyReportNotAnError) {
  ReportInput input;
  input.run.experiment = Experiment("exp-000009", "quick");
  absl::StatusOr<ReportData> d = AssembleReport(input);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->run.results, 0);
  EXPECT_EQ(d->figures.size(), 2u);
  EXPECT_TRUE(d->figures[0].series.empty());
  EXPECT_TRUE(d->skew_histogram.edges.empty());
}

}  // namespace
}  // namespace scalebench::report
