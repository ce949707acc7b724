#include "coordinator/trials/saturation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "analysis/row_selector.h"

namespace scalebench::coordinator {
namespace {

// HostEnvironment.pinning's keys (worker/cores.h CoreMap::Pinning).
constexpr char kBalancerRole[] = "balancer";
constexpr char kLoadgenRole[] = "loadgen";
constexpr char kTargetRolePrefix[] = "target/";

// A running mean of busy fractions.
struct Mean {
  double sum = 0;
  int count = 0;
  void Add(double busy) {
    sum += busy;
    ++count;
  }
  double value() const { return count == 0 ? 0 : sum / count; }
};

// CPU quota periods, summed over worker results.
struct QuotaPeriods {
  uint64_t periods = 0;
  uint64_t throttled = 0;
  bool measured() const { return periods > 0; }
  double fraction() const {
    return periods == 0
               ? 0
               : static_cast<double>(throttled) / static_cast<double>(periods);
  }
};

struct CoreUsage {
  Mean balancer;
  Mean loadgen;
  Mean targets;
  Mean all;
  int measured = 0;    // worker results with core_busy
  int unmeasured = 0;  // worker results without
  // The CPU quota of the hosts that ran the balancer, and of the others.
  QuotaPeriods balancer_host_quota;
  QuotaPeriods other_hosts_quota;
  std::set<double> quota_cpus;
};

// "0,2" -> {0, 2}; parts that are not numbers are skipped.
std::set<int> ParseCores(const std::string& cores) {
  std::set<int> parsed;
  for (absl::string_view part : absl::StrSplit(cores, ',')) {
    int core = 0;
    if (absl::SimpleAtoi(part, &core)) parsed.insert(core);
  }
  return parsed;
}

void AddWorker(const v1::WorkerResult& worker, CoreUsage* usage) {
  if (worker.has_cpu_quota()) {
    QuotaPeriods& quota = worker.environment().pinning().contains(kBalancerRole)
                              ? usage->balancer_host_quota
                              : usage->other_hosts_quota;
    quota.periods += worker.cpu_quota().periods();
    quota.throttled += worker.cpu_quota().throttled_periods();
    usage->quota_cpus.insert(worker.cpu_quota().cpus());
  }
  if (worker.core_busy().empty()) {
    ++usage->unmeasured;
    return;
  }
  ++usage->measured;
  std::map<int, double> busy;
  for (const v1::CoreBusy& core : worker.core_busy()) {
    busy[static_cast<int>(core.cpu())] = core.busy();
    usage->all.Add(core.busy());
  }
  std::set<int> balancer, loadgen, targets;
  for (const auto& [role, cores] : worker.environment().pinning()) {
    const std::set<int> parsed = ParseCores(cores);
    if (role == kBalancerRole) {
      balancer.insert(parsed.begin(), parsed.end());
    } else if (role == kLoadgenRole) {
      loadgen.insert(parsed.begin(), parsed.end());
    } else if (absl::StartsWith(role, kTargetRolePrefix)) {
      targets.insert(parsed.begin(), parsed.end());
    }
  }
  const auto add = [&busy](const std::set<int>& cores, Mean* mean) {
    for (int core : cores) {
      if (auto it = busy.find(core); it != busy.end()) mean->Add(it->second);
    }
  };
  add(balancer, &usage->balancer);
  add(loadgen, &usage->loadgen);
  add(targets, &usage->targets);
}

std::string Percent(double fraction) {
  return absl::StrFormat("%.0f%%", 100 * fraction);
}

// "the CPU quota (0.67 CPUs per host) was used up in 98% of the periods
// on the balancer's host, 2% on the others"; nullopt when no result
// carries a quota. A host's quota caps all its roles together, whatever
// its (shared) cores show, so one used up in kThrottledPeriods or more
// is what ran out: sets `conclusion`, the balancer's host first.
std::optional<std::string> DescribeQuota(const CoreUsage& usage,
                                         std::string* conclusion) {
  const QuotaPeriods& front = usage.balancer_host_quota;
  const QuotaPeriods& others = usage.other_hosts_quota;
  if (!front.measured() && !others.measured()) return std::nullopt;
  std::string text = absl::StrCat(
      "the CPU quota",
      usage.quota_cpus.size() == 1
          ? absl::StrFormat(" (%.2g CPUs per host)", *usage.quota_cpus.begin())
          : "",
      " was used up in ");
  if (!front.measured()) {
    absl::StrAppend(&text, Percent(others.fraction()), " of the periods");
  } else {
    absl::StrAppend(&text, Percent(front.fraction()),
                    " of the periods on the balancer's host");
    if (others.measured()) {
      absl::StrAppend(&text, ", ", Percent(others.fraction()),
                      " on the others");
    }
  }
  if (front.measured() && front.fraction() >= kThrottledPeriods) {
    *conclusion = "the balancer's host's CPU quota ran out";
  } else if (others.measured() && others.fraction() >= kThrottledPeriods) {
    *conclusion = front.measured() ? "the other hosts' CPU quota ran out"
                                   : "the hosts' CPU quota ran out";
  }
  return text;
}

// "the balancer's cores were 98% busy, the load generators' 61%, the
// targets' 55%, all cores 88%: the balancer ran out".
std::string Describe(const CoreUsage& usage) {
  struct Role {
    const char* possessive;
    const char* ran_out;
    const Mean* mean;
  };
  const Role roles[] = {
      {"the balancer's", "the balancer ran out", &usage.balancer},
      {"the load generators'", "the load generators ran out", &usage.loadgen},
      {"the targets'", "the targets ran out", &usage.targets},
  };
  std::vector<std::string> parts;
  std::string conclusion;
  for (const Role& role : roles) {
    if (role.mean->count == 0) continue;
    parts.push_back(
        parts.empty()
            ? absl::StrCat(role.possessive, " cores were ",
                           Percent(role.mean->value()), " busy")
            : absl::StrCat(role.possessive, " ", Percent(role.mean->value())));
    if (conclusion.empty() && role.mean->value() >= kSaturatedBusy) {
      conclusion = role.ran_out;
    }
  }
  parts.push_back(
      parts.empty()
          ? absl::StrCat("all cores were ", Percent(usage.all.value()), " busy")
          : absl::StrCat("all cores ", Percent(usage.all.value())));
  if (std::optional<std::string> quota = DescribeQuota(usage, &conclusion)) {
    parts.push_back(*std::move(quota));
  }
  if (conclusion.empty()) {
    conclusion = usage.all.value() >= kSaturatedBusy
                     ? "the machine ran out"
                     : "none of the measured CPU resources ran out (look at "
                       "the network or the service)";
  }
  std::string sentence =
      absl::StrCat(absl::StrJoin(parts, ", "), ": ", conclusion);
  if (usage.unmeasured > 0) {
    absl::StrAppend(&sentence, " (", usage.unmeasured, " of ",
                    usage.measured + usage.unmeasured,
                    " worker results did not measure core usage)");
  }
  return sentence;
}

// The test x to explain: the smallest outside its interval, else the one
// furthest below its prediction relative to it.
double ChooseX(const v1::CrossHostTest& test) {
  std::optional<double> outside;
  for (const v1::PredictionCheck& p : test.predictions()) {
    if (!p.inside() && (!outside.has_value() || p.x() < *outside)) {
      outside = p.x();
    }
  }
  if (outside.has_value()) return *outside;
  double chosen = test.predictions(0).x();
  double worst = -std::numeric_limits<double>::infinity();
  for (const v1::PredictionCheck& p : test.predictions()) {
    const double shortfall =
        p.predicted() == 0
            ? p.predicted() - p.measured()
            : (p.predicted() - p.measured()) / std::abs(p.predicted());
    if (shortfall > worst) {
      worst = shortfall;
      chosen = p.x();
    }
  }
  return chosen;
}

bool InGroup(const v1::ModelFit& fit, const analysis::RowTable& table,
             size_t row) {
  for (const auto& [column, text] : fit.group()) {
    const std::optional<int> index = table.FindColumn(column);
    if (!index.has_value() || table.cell(row, *index).text != text) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> ExplainSaturation(
    const v1::ModelFit& fit, const analysis::RowTable& table,
    const std::vector<v1::TrialResult>& results) {
  if (!fit.has_cross_host() || !fit.error().empty() ||
      fit.cross_host().predictions().empty() ||
      table.row_count() != results.size()) {
    return std::nullopt;
  }
  const v1::ModelSpec& spec = fit.spec();
  const std::optional<int> x_column = table.FindColumn(spec.x());
  absl::StatusOr<analysis::RowSelector> test =
      analysis::RowSelector::Create(spec.test(), table, "test");
  if (!x_column.has_value() || !test.ok()) return std::nullopt;

  const double x = ChooseX(fit.cross_host());
  // The test factors' values at x, by factor name, in order of appearance.
  std::map<std::string, std::vector<std::string>> factors;
  for (const auto& [name, values] : spec.test().factors()) factors[name];
  CoreUsage usage;
  int rows = 0;
  for (size_t row = 0; row < table.row_count(); ++row) {
    if (!test->Matches(table, row) || !InGroup(fit, table, row)) continue;
    const absl::StatusOr<double> row_x = table.Number(row, *x_column);
    if (!row_x.ok() || *row_x != x) continue;
    ++rows;
    for (auto& [name, seen] : factors) {
      const std::string& text = table.cell(row, *table.FindColumn(name)).text;
      if (std::find(seen.begin(), seen.end(), text) == seen.end()) {
        seen.push_back(text);
      }
    }
    for (const v1::WorkerResult& worker : results[row].raw()) {
      AddWorker(worker, &usage);
    }
  }
  if (rows == 0) return std::nullopt;

  std::string where = absl::StrCat("from ", spec.x(), " = ",
                                   analysis::Cell::FromNumber(x).text);
  std::vector<std::string> labels;
  for (const auto& [name, seen] : factors) {
    labels.push_back(absl::StrCat(name, " = ", absl::StrJoin(seen, ",")));
  }
  if (!labels.empty())
    absl::StrAppend(&where, " (", absl::StrJoin(labels, ", "), ")");
  if (usage.measured == 0) {
    return absl::StrCat(where,
                        ": CPU usage was not measured (the results carry no "
                        "core_busy; their workers predate it)");
  }
  return absl::StrCat(where, ": ", Describe(usage));
}

}  // namespace scalebench::coordinator
