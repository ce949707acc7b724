// Where a cross-host model stops holding, and which CPU resource ran out
// there: from the per-core busy fractions the workers measured
// (WorkerResult.core_busy), the cores each role was pinned to
// (HostEnvironment.pinning) and how often each host's CPU quota was used
// up (WorkerResult.cpu_quota), the mean busy fraction of the balancer's,
// the load generators', the targets' and all cores, the share of quota
// periods throttled, and the first resource that was saturated. Pure
// functions; thread-safe.
#ifndef SCALEBENCH_COORDINATOR_TRIALS_SATURATION_H_
#define SCALEBENCH_COORDINATOR_TRIALS_SATURATION_H_

#include <optional>
#include <string>
#include <vector>

#include "analysis/row_table.h"
#include "scalebench/v1/results.pb.h"

namespace scalebench::coordinator {

// A resource whose cores were at least this busy on average ran out.
inline constexpr double kSaturatedBusy = 0.9;

// Hosts whose CPU quota was used up (the kernel throttled them) in at
// least this fraction of its enforcement periods spent most of the window
// capped by it: their CPU slice ran out.
inline constexpr double kThrottledPeriods = 0.5;

// For a cross-host fit (fit.cross_host set, no error) over `table`, whose
// row i is `results[i]` (results::TrialRowTable(results)): picks the
// smallest test x measured outside its prediction interval, or, when all
// are inside, the test x furthest below its prediction (relative to it);
// over the raw worker results of the fit's test rows at that x (its group
// only), averages the busy fraction of the balancer's cores, the load
// generators' cores, the targets' cores and all cores measured, and sums
// the quota periods and throttled periods of the results that have a
// quota, for the balancer's host and for the others apart; and names what
// ran out: the CPU quota of the balancer's host, else of the other hosts,
// when it was used up in >= kThrottledPeriods of its periods, else the
// first of the balancer,
// the load generators and the targets whose mean is >= kSaturatedBusy,
// else the machine when the mean over all cores is, else none of the
// measured CPU resources. E.g. "from vcpus_total = 4 (hosts = 2): the
// balancer's cores were 98% busy, the load generators' 61%, the targets'
// 55%, all cores 88%: the balancer ran out". Results without core_busy (older
// workers) give a sentence saying usage was not measured. nullopt when there is
// nothing to explain: not a cross-host fit, no predictions, or `table` and
// `results` do not match.
std::optional<std::string> ExplainSaturation(
    const v1::ModelFit& fit, const analysis::RowTable& table,
    const std::vector<v1::TrialResult>& results);

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_TRIALS_SATURATION_H_
