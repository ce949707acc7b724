#include "report/report_csv.h"

#include <cmath>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analysis/run_comparison.h"
#include "common/csv_writer.h"
#include "spec/grid.h"

namespace scalebench::report {
namespace {

std::string Num(double v) { return absl::StrFormat("%.10g", v); }

class Table {
 public:
  explicit Table(std::vector<std::string> header) { Add(std::move(header)); }
  void Add(const std::vector<std::string>& cells) { text_ += CsvRow(cells); }
  std::string str() const { return text_; }

 private:
  std::string text_;
};

std::string Throughput(const ReportData& data) {
  Table t({"x_column", "y_column", "run", "platform", "balancer", "kind", "x",
           "y", "low", "high", "interval", "n", "trial_id", "model", "group",
           "series", "held_out"});
  for (const ScatterFigure& f : data.figures) {
    for (const Series& s : f.series) {
      for (const TrialPoint& p : s.points) {
        t.Add({f.x_column, f.y_column, s.run, s.platform, s.balancer, "trial",
               Num(p.x), Num(p.y), "", "", "", "1", p.trial_id, "", "", s.label,
               p.test ? "true" : "false"});
      }
      for (const ConfigurationPoint& c : s.configurations) {
        t.Add({f.x_column, f.y_column, s.run, s.platform, s.balancer, "median",
               Num(c.x), Num(c.median), Num(c.low), Num(c.high),
               c.is_ci ? "median_95ci" : "min_max", absl::StrCat(c.n), "", "",
               "", s.label, ""});
      }
    }
    for (const ModelCurve& m : f.curves) {
      for (size_t i = 0; i < m.x.size(); ++i) {
        const bool band = i < m.band_low.size();
        t.Add({f.x_column, f.y_column, m.run, "", "", "model", Num(m.x[i]),
               Num(m.fitted[i]), band ? Num(m.band_low[i]) : "",
               band ? Num(m.band_high[i]) : "", band ? "prediction_95" : "", "",
               "",
               m.cross_host.empty() ? m.model
                                    : absl::StrCat(m.model, " ", m.cross_host),
               m.group, "", ""});
      }
    }
  }
  return t.str();
}

std::string Latency(const ReportData& data) {
  Table t({"run", "configuration", "n", "latency_p50_us", "latency_p90_us",
           "latency_p99_us"});
  for (const LatencyRow& r : data.latency) {
    t.Add({r.run, r.configuration, absl::StrCat(r.n), Num(r.p50_us),
           Num(r.p90_us), Num(r.p99_us)});
  }
  return t.str();
}

std::string Skew(const ReportData& data) {
  Table t({"run", "trial_id", "start_skew_us", "start_skew_uncertainty_us",
           "start_spread_us", "observed_start_spread_us"});
  for (const SkewValue& v : data.skew) {
    t.Add(
        {v.run, v.trial_id, Num(v.skew_us), Num(v.uncertainty_us),
         Num(v.spread_us),
         std::isfinite(v.observed_spread_us) ? Num(v.observed_spread_us) : ""});
  }
  return t.str();
}

std::string Hosts(const ReportData& data) {
  Table t({"run", "worker", "hostname", "kernel", "cpu_model", "logical_cpus",
           "smt", "governor", "memory_bytes", "kvm", "nested", "versions",
           "addresses_now", "worker_cpus_now", "platforms_now",
           "balancers_now"});
  for (const HostRow& h : data.hosts) {
    const v1::HostEnvironment& e = h.environment;
    std::vector<std::string> versions;
    for (const auto& [k, v] : e.versions())
      versions.push_back(absl::StrCat(k, "=", v));
    std::sort(versions.begin(), versions.end());
    std::vector<std::string> cells = {h.run,
                                      h.worker,
                                      e.hostname(),
                                      e.kernel(),
                                      e.cpu_model(),
                                      absl::StrCat(e.logical_cpus()),
                                      e.smt() ? "true" : "false",
                                      e.governor(),
                                      absl::StrCat(e.memory_bytes()),
                                      e.kvm() ? "true" : "false",
                                      e.nested() ? "true" : "false",
                                      absl::StrJoin(versions, " ")};
    for (std::string& cell : HostFactCells(h)) cells.push_back(std::move(cell));
    t.Add(cells);
  }
  return t.str();
}

std::string Comparison(const results::RunsComparison& c) {
  Table t({"configuration", "baseline_n", "contender_n", "baseline_median",
           "contender_median", "change", "change_ci_low", "change_ci_high",
           "holm_p", "probability_of_superiority", "verdict"});
  for (const results::ComparedConfiguration& r : c.configurations) {
    const analysis::ConfigurationComparison& x = r.comparison;
    t.Add({spec::DescribeConfiguration(r.configuration),
           absl::StrCat(x.baseline.n), absl::StrCat(x.contender.n),
           Num(x.baseline.median), Num(x.contender.median),
           Num(x.change.estimate),
           x.change.ci.has_value() ? Num(x.change.ci->low) : "",
           x.change.ci.has_value() ? Num(x.change.ci->high) : "", Num(x.holm_p),
           Num(x.test.probability_of_superiority),
           std::string(analysis::VerdictName(x.verdict))});
  }
  return t.str();
}

}  // namespace

std::string CsvPathBeside(const std::string& html_path,
                          absl::string_view suffix) {
  std::string stem = html_path;
  if (absl::EndsWith(stem, ".html")) {
    stem.resize(stem.size() - 5);
  } else if (absl::EndsWith(stem, ".htm")) {
    stem.resize(stem.size() - 4);
  }
  return absl::StrCat(stem, "-", suffix, ".csv");
}

std::vector<CsvFile> ReportCsvs(const ReportData& data) {
  std::vector<CsvFile> files = {
      {"throughput",
       "every scatter figure: trials, medians with intervals, model curves "
       "with bands",
       Throughput(data)},
      {"latency", "latency percentiles per configuration", Latency(data)},
      {"skew", "start skew per trial", Skew(data)},
      {"hosts", "the hosts that took part", Hosts(data)}};
  if (data.comparison.has_value()) {
    files.push_back({"comparison", "the comparison per configuration",
                     Comparison(*data.comparison)});
  }
  return files;
}

}  // namespace scalebench::report
