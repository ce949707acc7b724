#include "cli/compare_command.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "api/result_columns.h"
#include "cli/output.h"
#include "cli/results_command.h"
#include "cli/status_command.h"
#include "common/exit_codes.h"
#include "common/grpc_status.h"
#include "nlohmann/json.hpp"
#include "spec/grid.h"

namespace scalebench::cli {
namespace {

constexpr char kCompareManual[] =
    R"(Compares the stored results of two experiments, BASELINE (before) and
CONTENDER (after), configuration by configuration. Configurations match by
their factor values (platform, instances, balancer, ...), not by their
position in the sweep; those only one experiment measured are listed.

For each configuration: the two medians of the metric; the relative change
CONTENDER / BASELINE - 1 (the Hodges-Lehmann estimate: the median of all
pairwise ratios, which can differ from the ratio of the two medians
shown, even in sign, when runs are skewed or bimodal) with its
distribution-free 95% interval; Mann-Whitney's p,
adjusted with Holm's method across the configurations; the effect size
P(C>B), the probability that a contender run beats a baseline run (0.5 is
none, 0 or 1 complete separation); and a verdict:

  regression   significant (Holm-adjusted p <= --alpha) AND the change is
               larger than --threshold, for the worse
  improvement  the same, for the better
  no_change    otherwise

"Better" is higher for requests_per_s and transfer_kb_per_s, lower for the
latencies and the rest. With few runs no difference can be significant: 3
and 3 runs allow p >= 0.1, and give no 95% interval; compare warns and
says how many repetitions would do (4 each for one configuration at 5%,
more across several, as Holm divides alpha). docs/analysis.md has the
statistics. An experiment that has not ended yet is compared on the
results it has, with a warning that they are partial.

--output json: one object: baseline, contender, metric, higher_is_better,
threshold, alpha, configurations (each: factors, description, baseline and
contender {n, median, median_ci}, change {estimate, ci, coverage, exact},
u, p_value, holm_p, exact, probability_of_superiority, rank_biserial,
smallest_p, can_be_significant, verdict), only_baseline, only_contender,
runs_for_significance, summary {regression, improvement, no_change},
warnings.

Exit status: 0 no configuration regressed; 1 at least one regressed (or
the coordinator cannot be reached: the message says which); 2 a wrong
argument or flag, an unknown experiment, no configuration in common, or a
metric that is not positive in every trial (errors usually is 0).

)";

std::string Num(double value) { return absl::StrFormat("%.6g", value); }

std::string Percent(double fraction) {
  return absl::StrFormat("%+.1f%%", 100 * fraction);
}

std::string PValue(double p) { return absl::StrFormat("%.3g", p); }

std::string ChangeCell(const analysis::RelativeChange& change) {
  return absl::StrCat(Percent(change.estimate), " ",
                      change.ci.has_value()
                          ? absl::StrCat("[", Percent(change.ci->low), ", ",
                                         Percent(change.ci->high), "]")
                          : std::string("[no 95% interval]"));
}

// The factors (name=value) whose values differ between the compared
// configurations, by column index.
std::vector<size_t> VaryingFactors(const results::RunsComparison& report) {
  std::vector<size_t> varying;
  const size_t columns = api::FactorColumns().size();
  for (size_t f = 0; f < columns; ++f) {
    for (const results::ComparedConfiguration& c : report.configurations) {
      if (c.factors[f] != report.configurations.front().factors[f]) {
        varying.push_back(f);
        break;
      }
    }
  }
  return varying;
}

std::string FactorList(const std::vector<std::string>& factors,
                       const std::vector<size_t>& which) {
  std::vector<std::string> parts;
  for (size_t f : which) {
    if (factors[f].empty()) continue;  // algorithm without a balancer
    parts.push_back(absl::StrCat(api::FactorColumns()[f], "=", factors[f]));
  }
  return absl::StrJoin(parts, " ");
}

// One line per group of configurations whose sample sizes cannot reach
// significance at Holm's first step.
std::vector<std::string> Warnings(const results::RunsComparison& report) {
  std::map<std::pair<int, int>, std::pair<int, double>> groups;  // (m, n)
  for (const results::ComparedConfiguration& c : report.configurations) {
    if (c.comparison.can_be_significant) continue;
    auto& [count, smallest_p] =
        groups[{c.comparison.baseline.n, c.comparison.contender.n}];
    ++count;
    smallest_p = c.comparison.smallest_p;
  }
  std::vector<std::string> warnings;
  const size_t family = report.configurations.size();
  for (const auto& [sizes, group] : groups) {
    const auto& [count, smallest_p] = group;
    warnings.push_back(absl::StrCat(
        "with ", sizes.first, " and ", sizes.second, " runs (",
        count == static_cast<int>(family)
            ? std::string(family == 1 ? "the configuration"
                                      : "every configuration")
            : absl::StrCat(count, " of ", family, " configurations"),
        ") no difference can be significant at ", Num(report.alpha),
        family > 1 ? absl::StrCat(" over ", family, " configurations (Holm)")
                   : std::string(),
        ": the smallest possible p is ", PValue(smallest_p),
        "; use repetitions >= ", report.runs_for_significance));
  }
  return warnings;
}

std::string Sense(const results::RunsComparison& report) {
  return report.higher_is_better ? "higher is better" : "lower is better";
}

nlohmann::json SampleJson(const analysis::RepetitionSummary& s) {
  nlohmann::json j;
  j["n"] = s.n;
  j["median"] = s.median;
  if (s.median_ci.has_value()) {
    j["median_ci"] = {{"low", s.median_ci->interval.low},
                      {"high", s.median_ci->interval.high},
                      {"coverage", s.median_ci->coverage}};
  } else {
    j["median_ci"] = nullptr;
  }
  return j;
}

nlohmann::json FactorsJson(const std::vector<std::string>& factors) {
  nlohmann::json j = nlohmann::json::object();
  for (size_t f = 0; f < factors.size(); ++f) {
    j[api::FactorColumns()[f]] = factors[f];
  }
  return j;
}

nlohmann::json UnmatchedJson(
    const std::vector<results::UnmatchedConfiguration>& list) {
  nlohmann::json j = nlohmann::json::array();
  for (const results::UnmatchedConfiguration& u : list) {
    j.push_back({{"factors", FactorsJson(u.factors)},
                 {"description", spec::DescribeConfiguration(u.configuration)},
                 {"n", u.n}});
  }
  return j;
}

void PrintUnmatched(const char* side, const std::string& name,
                    const std::vector<results::UnmatchedConfiguration>& list,
                    std::ostream& out) {
  for (const results::UnmatchedConfiguration& u : list) {
    out << "only in " << side << " " << name << " (" << u.n
        << (u.n == 1 ? " run" : " runs")
        << "): " << spec::DescribeConfiguration(u.configuration) << "\n";
  }
}

// Empty when experiment `name` has ended; otherwise a warning that its
// results are partial. Errors as the coordinator gives them.
absl::StatusOr<std::string> PartialNote(CoordinatorClient& client,
                                        const char* side,
                                        const std::string& name) {
  absl::StatusOr<v1::Experiment> experiment = client.GetExperiment(name);
  if (!experiment.ok()) return experiment.status();
  const v1::Experiment& e = *experiment;
  switch (e.state()) {
    case v1::EXPERIMENT_STATE_PENDING:
    case v1::EXPERIMENT_STATE_RUNNING:
    case v1::EXPERIMENT_STATE_CANCELLING:
      return absl::StrCat(side, " ", name, " is ", StateName(e.state()),
                          ": its results are partial (",
                          e.progress().trials_succeeded(), " of ",
                          e.progress().trials_total(), " trials succeeded)");
    default:
      return std::string();
  }
}

}  // namespace

absl::StatusOr<double> ParseThreshold(absl::string_view text) {
  absl::string_view number = absl::StripAsciiWhitespace(text);
  const bool percent = absl::ConsumeSuffix(&number, "%");
  double value = 0;
  if (!absl::SimpleAtod(number, &value) || !(value >= 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--threshold: '", text,
                     "' is not a relative change >= 0 such as 3% "
                     "or 0.03"));
  }
  if (percent) value /= 100;
  if (!(value < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--threshold: '", text, "' is ", Num(100 * value),
        "%, too large to mean anything: write 3% or 0.03 for three percent"));
  }
  return value;
}

void PrintCompareText(const std::string& baseline, const std::string& contender,
                      const results::RunsComparison& report, std::ostream& out,
                      const std::vector<std::string>& notes) {
  const size_t family = report.configurations.size();
  out << "metric " << report.metric << " (" << Sense(report)
      << "): " << contender << " against " << baseline << "; threshold "
      << absl::StrFormat("%g%%", 100 * report.threshold) << ", alpha "
      << Num(report.alpha) << ", Holm over " << family
      << (family == 1 ? " configuration" : " configurations") << "\n";
  const std::vector<size_t> varying = VaryingFactors(report);
  if (family > 1) {
    std::vector<size_t> common;
    for (size_t f = 0; f < api::FactorColumns().size(); ++f) {
      if (std::find(varying.begin(), varying.end(), f) == varying.end()) {
        common.push_back(f);
      }
    }
    if (!common.empty()) {
      out << "common to all: "
          << FactorList(report.configurations.front().factors, common) << "\n";
    }
  }
  TextTable table({"CONFIGURATION", "N", "BASELINE", "CONTENDER",
                   "CHANGE [95% INTERVAL]", "P (HOLM)", "P(C>B)", "VERDICT"});
  for (const results::ComparedConfiguration& c : report.configurations) {
    const analysis::ConfigurationComparison& r = c.comparison;
    table.AddRow({family > 1 && !varying.empty()
                      ? FactorList(c.factors, varying)
                      : spec::DescribeConfiguration(c.configuration),
                  absl::StrCat(r.baseline.n, "/", r.contender.n),
                  Num(r.baseline.median), Num(r.contender.median),
                  ChangeCell(r.change), PValue(r.holm_p),
                  absl::StrFormat("%.2f", r.test.probability_of_superiority),
                  std::string(analysis::VerdictName(r.verdict))});
  }
  table.Print(out);
  PrintUnmatched("baseline", baseline, report.only_baseline, out);
  PrintUnmatched("contender", contender, report.only_contender, out);
  for (const std::string& note : notes) out << "warning: " << note << "\n";
  for (const std::string& warning : Warnings(report)) {
    out << "warning: " << warning << "\n";
  }
  out << "summary: " << report.regressions << " "
      << analysis::VerdictName(analysis::Verdict::kRegression) << ", "
      << report.improvements << " "
      << analysis::VerdictName(analysis::Verdict::kImprovement) << ", "
      << report.unchanged << " "
      << analysis::VerdictName(analysis::Verdict::kNoChange) << " of " << family
      << (family == 1 ? " configuration" : " configurations") << "\n";
}

std::string CompareJson(const std::string& baseline,
                        const std::string& contender,
                        const results::RunsComparison& report,
                        const std::vector<std::string>& notes) {
  nlohmann::json doc;
  doc["baseline"] = baseline;
  doc["contender"] = contender;
  doc["metric"] = report.metric;
  doc["higher_is_better"] = report.higher_is_better;
  doc["threshold"] = report.threshold;
  doc["alpha"] = report.alpha;
  nlohmann::json configurations = nlohmann::json::array();
  for (const results::ComparedConfiguration& c : report.configurations) {
    const analysis::ConfigurationComparison& r = c.comparison;
    nlohmann::json j;
    j["factors"] = FactorsJson(c.factors);
    j["description"] = spec::DescribeConfiguration(c.configuration);
    j["baseline"] = SampleJson(r.baseline);
    j["contender"] = SampleJson(r.contender);
    nlohmann::json change;
    change["estimate"] = r.change.estimate;
    if (r.change.ci.has_value()) {
      change["ci"] = {{"low", r.change.ci->low}, {"high", r.change.ci->high}};
    } else {
      change["ci"] = nullptr;
    }
    change["coverage"] = r.change.coverage;
    change["exact"] = r.change.exact;
    j["change"] = std::move(change);
    j["u"] = r.test.u;
    j["p_value"] = r.test.p_value;
    j["holm_p"] = r.holm_p;
    j["exact"] = r.test.exact;
    j["probability_of_superiority"] = r.test.probability_of_superiority;
    j["rank_biserial"] = r.test.rank_biserial;
    j["smallest_p"] = r.smallest_p;
    j["can_be_significant"] = r.can_be_significant;
    j["verdict"] = std::string(analysis::VerdictName(r.verdict));
    configurations.push_back(std::move(j));
  }
  doc["configurations"] = std::move(configurations);
  doc["only_baseline"] = UnmatchedJson(report.only_baseline);
  doc["only_contender"] = UnmatchedJson(report.only_contender);
  doc["runs_for_significance"] = report.runs_for_significance;
  doc["summary"] = {
      {std::string(analysis::VerdictName(analysis::Verdict::kRegression)),
       report.regressions},
      {std::string(analysis::VerdictName(analysis::Verdict::kImprovement)),
       report.improvements},
      {std::string(analysis::VerdictName(analysis::Verdict::kNoChange)),
       report.unchanged}};
  std::vector<std::string> warnings = notes;
  for (std::string& warning : Warnings(report)) {
    warnings.push_back(std::move(warning));
  }
  doc["warnings"] = std::move(warnings);
  return doc.dump(2) + "\n";
}

void AddCompareFlags(CLI::App& compare, CompareFlags* flags) {
  compare
      .add_option("BASELINE", flags->baseline,
                  "the experiment to compare against (before)")
      ->type_name("EXPERIMENT")
      ->required();
  compare
      .add_option("CONTENDER", flags->contender,
                  "the experiment to judge (after)")
      ->type_name("EXPERIMENT")
      ->required();
  compare
      .add_option("--threshold", flags->threshold,
                  "smallest relative change that counts: 3% or 0.03 "
                  "(default 3%)")
      ->type_name("CHANGE");
  compare
      .add_option("--metric", flags->metric,
                  absl::StrCat("the metric compared (default requests_per_s): ",
                               absl::StrJoin(api::MetricColumns(), ", ")))
      ->type_name("NAME");
  compare
      .add_option("--alpha", flags->alpha,
                  "family-wise significance level, Holm (default 0.05)")
      ->type_name("LEVEL");
  AddOutputOption(compare, &flags->output,
                  {OutputFormat::kText, OutputFormat::kJson});
  AddClientFlags(compare, &flags->client);
  compare.footer(absl::StrCat(
      kCompareManual, kClientManual,
      "\nExamples:\n"
      "  # last night's run against the one before; exit 1 on a regression\n"
      "  scalebench compare exp-000041 exp-000042\n"
      "  # p99 latency, counting changes above 5%, as JSON\n"
      "  scalebench compare exp-000041 exp-000042 --metric latency_p99_us \\\n"
      "      --threshold 5% --output json\n"
      "\nA regression as measured (6 runs each of native nginx; the\n"
      "contender served 1 MiB pages instead of 612 bytes; configuration\n"
      "shortened):\n"
      "  CONFIGURATION                N    BASELINE  CONTENDER  "
      "CHANGE [95% INTERVAL]    P (HOLM)  P(C>B)  VERDICT\n"
      "  platform=native instances=1  6/6  60019.5   2180.5     "
      "-96.1% [-96.8%, -95.8%]  0.00216   0.00    regression\n"
      "  summary: 1 regression, 0 improvement, 0 no_change of 1 "
      "configuration\n"));
}

int RunCompare(const CompareFlags& flags, std::ostream& out,
               std::ostream& err) {
  absl::StatusOr<std::string> baseline = ExperimentNameArgument(flags.baseline);
  absl::StatusOr<std::string> contender =
      ExperimentNameArgument(flags.contender);
  absl::StatusOr<double> threshold = ParseThreshold(flags.threshold);
  for (const absl::Status& status :
       {baseline.status(), contender.status(), threshold.status()}) {
    if (!status.ok()) {
      err << "scalebench compare: " << status.message() << "\n";
      return kExitBadInput;
    }
  }
  if (!(flags.alpha > 0 && flags.alpha < 1)) {
    err << "scalebench compare: --alpha: " << flags.alpha
        << " is not in (0, 1); 0.05 is usual\n";
    return kExitBadInput;
  }
  if (!api::IsColumn(api::MetricColumns(), flags.metric)) {
    err << "scalebench compare: --metric: '" << flags.metric
        << "' is not one of " << absl::StrJoin(api::MetricColumns(), ", ")
        << "\n";
    return kExitBadInput;
  }
  absl::StatusOr<std::unique_ptr<CoordinatorClient>> client =
      ConnectForCommand("compare", flags.client, err);
  if (!client.ok()) return kExitBadInput;
  std::vector<v1::TrialResult> trials[2];
  const std::string* names[2] = {&*baseline, &*contender};
  const char* sides[2] = {"baseline", "contender"};
  std::vector<std::string> notes;
  for (int side = 0; side < 2; ++side) {
    absl::StatusOr<std::string> partial =
        PartialNote(**client, sides[side], *names[side]);
    if (!partial.ok()) {
      return (*client)->Fail(partial.status());
    }
    if (!partial->empty()) notes.push_back(*std::move(partial));
    absl::StatusOr<ExportedResults> exported =
        ExportResults(**client, *names[side]);
    if (!exported.ok()) {
      return (*client)->Fail(exported.status());
    }
    if (exported->trials.empty()) {
      err << "scalebench compare: " << *names[side]
          << " has no trial results (yet)\n";
      return kExitBadInput;
    }
    trials[side] = std::move(exported->trials);
  }
  results::CompareOptions options;
  options.metric = flags.metric;
  options.threshold = *threshold;
  options.alpha = flags.alpha;
  absl::StatusOr<results::RunsComparison> report =
      results::CompareTrialResults(trials[0], trials[1], options);
  if (!report.ok()) {
    err << "scalebench compare: " << report.status().message() << "\n";
    return kExitBadInput;
  }
  if (report->configurations.empty()) {
    err << "scalebench compare: " << *baseline << " and " << *contender
        << " have no configuration in common (configurations match by "
           "their factor values)\n";
    PrintUnmatched("baseline", *baseline, report->only_baseline, err);
    PrintUnmatched("contender", *contender, report->only_contender, err);
    return kExitBadInput;
  }
  if (flags.output == OutputFormat::kJson) {
    out << CompareJson(*baseline, *contender, *report, notes);
  } else {
    PrintCompareText(*baseline, *contender, *report, out, notes);
  }
  return report->regressions > 0 ? kExitRunFailed : kExitOk;
}

}  // namespace scalebench::cli
