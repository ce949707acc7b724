#include "worker/observe/testing/observed_starts.h"

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"

namespace scalebench::worker {

v1::LoadSource TestLoadSource(const std::string& worker_id,
                              const std::vector<std::string>& addresses) {
  v1::LoadSource source;
  source.set_worker_id(worker_id);
  for (const std::string& address : addresses) source.add_addresses(address);
  return source;
}

DataSegment SegmentAt(Ipv4Address source, int64_t microseconds) {
  return {source, kTestOrigin + absl::Microseconds(microseconds)};
}

std::vector<std::string> ObservedLines(
    const std::vector<v1::ObservedStart>& starts) {
  std::vector<std::string> lines;
  for (const v1::ObservedStart& start : starts) {
    lines.push_back(absl::StrCat(
        start.worker_id(), " ", start.address(), " +",
        absl::ToInt64Microseconds(TimeFromProto(start.first_request()) -
                                  kTestOrigin)));
  }
  return lines;
}

}  // namespace scalebench::worker
