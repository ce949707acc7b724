#include "api/synchronize_limits.h"

#include "absl/strings/str_cat.h"

namespace scalebench::api {

size_t TakeResultBatch(const std::vector<v1::WorkerResult>& spool) {
  size_t count = 0;
  size_t bytes = 0;
  for (const v1::WorkerResult& result : spool) {
    if (count == kMaxResultsPerSynchronize) break;
    bytes += result.ByteSizeLong();
    if (count > 0 && bytes > kMaxResultBytesPerSynchronize) break;
    ++count;
  }
  return count;
}

absl::Status CheckResultBatch(const v1::SynchronizeRequest& request) {
  const size_t count = static_cast<size_t>(request.results_size());
  if (count <= kMaxResultsPerSynchronize) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("results: ", count, " results in one request; at most ",
                   kMaxResultsPerSynchronize,
                   " are accepted, the rest belong in later requests"));
}

}  // namespace scalebench::api
