#include "worker/observe/first_requests.h"

#include <arpa/inet.h>

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"

namespace scalebench::worker {

std::optional<Ipv4Address> ParseIpv4(std::string_view text) {
  in_addr parsed{};
  const std::string terminated(text);
  if (inet_pton(AF_INET, terminated.c_str(), &parsed) != 1) {
    return std::nullopt;
  }
  return ntohl(parsed.s_addr);
}

std::string FormatIpv4(Ipv4Address address) {
  in_addr raw{};
  raw.s_addr = htonl(address);
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &raw, text, sizeof(text));
  return text;
}

absl::StatusOr<FirstRequests> FirstRequests::Create(
    const std::vector<v1::LoadSource>& sources) {
  if (sources.size() > static_cast<size_t>(kMaxSources)) {
    return absl::InvalidArgumentError(
        absl::StrCat("load_sources: ", sources.size(), " sources, at most ",
                     kMaxSources, " can be observed"));
  }
  FirstRequests first;
  for (size_t i = 0; i < sources.size(); ++i) {
    const v1::LoadSource& source = sources[i];
    bool observable = false;
    for (int j = 0; j < source.addresses_size(); ++j) {
      const std::optional<Ipv4Address> address = ParseIpv4(source.addresses(j));
      if (!address.has_value()) continue;
      const auto [owner, inserted] = first.owner_.emplace(*address, i);
      if (!inserted && owner->second != i) {
        return absl::InvalidArgumentError(absl::StrCat(
            "load_sources[", i, "].addresses[", j, "]: ", source.addresses(j),
            " is also an address of load_sources[", owner->second, "] (",
            sources[owner->second].worker_id(),
            "), so their requests cannot be told apart"));
      }
      observable = true;
    }
    if (observable) ++first.waiting_for_;
    first.sources_.push_back(Source{source.worker_id(), std::nullopt});
  }
  return first;
}

void FirstRequests::Record(const DataSegment& segment) {
  const auto owner = owner_.find(segment.source);
  if (owner == owner_.end()) return;
  std::optional<DataSegment>& first = sources_[owner->second].first;
  if (!first.has_value()) {
    --waiting_for_;
  } else if (first->time <= segment.time) {
    return;
  }
  first = segment;
}

std::vector<Ipv4Address> FirstRequests::Awaited() const {
  std::vector<Ipv4Address> awaited;
  for (const auto& [address, index] : owner_) {
    if (!sources_[index].first.has_value()) awaited.push_back(address);
  }
  std::sort(awaited.begin(), awaited.end());
  return awaited;
}

std::vector<v1::ObservedStart> FirstRequests::Observed() const {
  std::vector<v1::ObservedStart> observed;
  for (const Source& source : sources_) {
    if (!source.first.has_value()) continue;
    v1::ObservedStart& start = observed.emplace_back();
    start.set_worker_id(source.worker_id);
    start.set_address(FormatIpv4(source.first->source));
    *start.mutable_first_request() = TimeToProto(source.first->time);
  }
  return observed;
}

}  // namespace scalebench::worker
