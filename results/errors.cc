#include "results/errors.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace scalebench::results {
namespace {

// The failures without a complete response, by kind, as named in a reason.
std::vector<std::pair<std::string, uint64_t>> TransportErrors(
    const v1::ErrorCounts& e) {
  return {{"connect errors", e.connect()},
          {"read errors", e.read()},
          {"write errors", e.write()},
          {"timeouts", e.timeout()},
          {"parse errors", e.parse()}};
}

// "0.5%", "1%", "100%": a percentage with as many digits as it needs.
std::string Percent(double fraction) {
  return absl::StrFormat("%.3g%%", fraction * 100);
}

}  // namespace

uint64_t Successes(const v1::LoadgenResult& load) {
  return load.status_classes().status_2xx();
}

uint64_t Failures(const v1::LoadgenResult& load) {
  uint64_t failures =
      load.requests() - std::min(load.requests(), Successes(load));
  for (const auto& [kind, count] : TransportErrors(load.errors())) {
    failures += count;
  }
  return failures;
}

uint64_t Sent(const v1::LoadgenResult& load) {
  return Successes(load) + Failures(load);
}

double ErrorRate(const v1::LoadgenResult& load) {
  const uint64_t sent = Sent(load);
  return sent == 0 ? 0 : static_cast<double>(Failures(load)) / sent;
}

std::optional<std::string> ExcessErrorsReason(const v1::LoadgenResult& merged,
                                              double max_error_rate) {
  const uint64_t sent = Sent(merged);
  if (sent == 0) return std::nullopt;  // Nothing to judge: a stall.
  const double rate = ErrorRate(merged);
  std::string reason;
  if (Successes(merged) == 0) {
    reason = absl::StrCat("none of the ", sent, " requests succeeded (2xx)");
  } else if (rate > max_error_rate) {
    reason = absl::StrCat(Failures(merged), " of ", sent, " requests failed (",
                          Percent(rate), ", more than loadgen.max_error_rate ",
                          Percent(max_error_rate), ")");
  } else {
    return std::nullopt;
  }
  // What they failed with: statuses other than 2xx, most frequent first,
  // then the kinds of failure without a response.
  std::vector<std::pair<std::string, uint64_t>> seen;
  for (const auto& [code, count] : merged.statuses()) {
    if ((code < 200 || code > 299) && count > 0) {
      seen.emplace_back(absl::StrCat("status ", code), count);
    }
  }
  std::stable_sort(seen.begin(), seen.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  for (const auto& [kind, count] : TransportErrors(merged.errors())) {
    if (count > 0) seen.emplace_back(kind, count);
  }
  if (!seen.empty()) {
    absl::StrAppend(
        &reason, ": ",
        absl::StrJoin(seen, ", ", [](std::string* out, const auto& s) {
          absl::StrAppend(out, s.first, " (", s.second, ")");
        }));
  }
  return reason;
}

}  // namespace scalebench::results
