#include "analysis/run_comparison.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace scalebench::analysis {

absl::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kImprovement:
      return "improvement";
    case Verdict::kRegression:
      return "regression";
    case Verdict::kNoChange:
      break;
  }
  return "no_change";
}

absl::StatusOr<RunComparison> CompareRuns(
    absl::Span<const ConfigurationSamples> configurations,
    const RunComparisonOptions& options) {
  if (!(options.threshold >= 0) || !std::isfinite(options.threshold)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "threshold: ", options.threshold, " is not a finite number >= 0"));
  }
  if (!(options.alpha > 0 && options.alpha < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("alpha: ", options.alpha, " is not in (0, 1)"));
  }
  RunComparison result;
  std::vector<double> p_values;
  for (size_t i = 0; i < configurations.size(); ++i) {
    const ConfigurationSamples& samples = configurations[i];
    const std::string where = absl::StrCat("configuration ", i + 1, ": ");
    absl::StatusOr<RelativeChange> change =
        RelativeChangeOf(samples.baseline, samples.contender);
    if (!change.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, change.status().message()));
    }
    // The samples are non-empty, finite and positive from here on, so the
    // summaries and the test cannot fail.
    absl::StatusOr<RepetitionSummary> baseline =
        SummarizeRepetitions(samples.baseline);
    absl::StatusOr<RepetitionSummary> contender =
        SummarizeRepetitions(samples.contender);
    absl::StatusOr<MannWhitneyResult> test =
        MannWhitneyU(samples.contender, samples.baseline);
    if (!baseline.ok() || !contender.ok() || !test.ok()) {
      return absl::InternalError(
          absl::StrCat(where, "summary or test failed on checked samples"));
    }
    ConfigurationComparison c;
    c.baseline = *std::move(baseline);
    c.contender = *std::move(contender);
    c.change = *std::move(change);
    c.test = *test;
    c.smallest_p =
        SmallestMannWhitneyP(static_cast<int>(samples.baseline.size()),
                             static_cast<int>(samples.contender.size()));
    p_values.push_back(test->p_value);
    result.configurations.push_back(std::move(c));
  }
  const std::vector<double> holm = HolmAdjust(p_values);
  const double family = static_cast<double>(configurations.size());
  for (size_t i = 0; i < result.configurations.size(); ++i) {
    ConfigurationComparison& c = result.configurations[i];
    c.holm_p = holm[i];
    c.can_be_significant = c.smallest_p * family <= options.alpha;
    const double change = c.change.estimate;
    if (c.holm_p <= options.alpha && std::fabs(change) > options.threshold) {
      const bool better = (change > 0) == options.higher_is_better;
      c.verdict = better ? Verdict::kImprovement : Verdict::kRegression;
    }
  }
  result.runs_for_significance =
      RunsForSignificance(options.alpha / std::max(1.0, family));
  return result;
}

}  // namespace scalebench::analysis
