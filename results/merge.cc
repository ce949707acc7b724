#include "results/merge.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/proto_time.h"
#include "results/histogram.h"

namespace scalebench::results {
namespace {

std::string Input(size_t i) { return absl::StrCat("results[", i, "]"); }

void AddStatusClasses(const v1::StatusClassCounts& in,
                      v1::StatusClassCounts* out) {
  out->set_status_1xx(out->status_1xx() + in.status_1xx());
  out->set_status_2xx(out->status_2xx() + in.status_2xx());
  out->set_status_3xx(out->status_3xx() + in.status_3xx());
  out->set_status_4xx(out->status_4xx() + in.status_4xx());
  out->set_status_5xx(out->status_5xx() + in.status_5xx());
}

void AddParseCauses(const v1::ParseErrorCounts& in, v1::ParseErrorCounts* out) {
  out->set_status_line(out->status_line() + in.status_line());
  out->set_header_syntax(out->header_syntax() + in.header_syntax());
  out->set_headers_too_large(out->headers_too_large() + in.headers_too_large());
  out->set_content_length(out->content_length() + in.content_length());
  out->set_chunk_syntax(out->chunk_syntax() + in.chunk_syntax());
  out->set_unsupported(out->unsupported() + in.unsupported());
  out->set_unexpected_data(out->unexpected_data() + in.unexpected_data());
}

void AddErrors(const v1::ErrorCounts& in, v1::ErrorCounts* out) {
  out->set_connect(out->connect() + in.connect());
  out->set_read(out->read() + in.read());
  out->set_write(out->write() + in.write());
  out->set_timeout(out->timeout() + in.timeout());
  out->set_parse(out->parse() + in.parse());
  out->set_status(out->status() + in.status());
  AddParseCauses(in.parse_causes(), out->mutable_parse_causes());
}

// The seconds every input has, summed.
std::vector<v1::SecondSample> MergeSeries(
    absl::Span<const v1::LoadgenResult> results) {
  struct Sum {
    size_t inputs = 0;
    v1::SecondSample sample;
  };
  std::map<uint32_t, Sum> sums;
  for (const v1::LoadgenResult& result : results) {
    absl::flat_hash_set<uint32_t> seen;
    for (const v1::SecondSample& s : result.series()) {
      Sum& sum = sums[s.second()];
      // A second listed twice in one input counts once towards presence.
      if (seen.insert(s.second()).second) ++sum.inputs;
      v1::SecondSample& out = sum.sample;
      out.set_second(s.second());
      out.set_requests(out.requests() + s.requests());
      out.set_errors(out.errors() + s.errors());
      out.set_bytes(out.bytes() + s.bytes());
      out.set_latency_sum_ns(out.latency_sum_ns() + s.latency_sum_ns());
      out.set_latency_max_ns(
          std::max(out.latency_max_ns(), s.latency_max_ns()));
    }
  }
  std::vector<v1::SecondSample> merged;
  for (auto& [second, sum] : sums) {
    if (sum.inputs == results.size()) merged.push_back(std::move(sum.sample));
  }
  return merged;
}

}  // namespace

absl::StatusOr<v1::LoadgenResult> MergeLoadgenResults(
    absl::Span<const v1::LoadgenResult> results) {
  if (results.empty()) {
    return absl::InvalidArgumentError("results: no load generator results");
  }
  const v1::LoadgenResult& first = results[0];
  for (size_t i = 0; i < results.size(); ++i) {
    const v1::LoadgenResult& r = results[i];
    if (r.has_failure()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Input(i), ": failure is set (", r.failure().reason(),
                       "); a failed measurement is never merged"));
    }
    if (r.mode() != first.mode()) {
      return absl::InvalidArgumentError(absl::StrCat(
          Input(i), ": mode ", v1::LoadMode_Name(r.mode()),
          " differs from results[0]'s ", v1::LoadMode_Name(first.mode())));
    }
    if (r.latency().sub_bucket_bits() != first.latency().sub_bucket_bits()) {
      return absl::InvalidArgumentError(absl::StrCat(
          Input(i), ": latency.sub_bucket_bits ", r.latency().sub_bucket_bits(),
          " differs from results[0]'s ", first.latency().sub_bucket_bits()));
    }
  }

  v1::LoadgenResult merged;
  merged.set_mode(first.mode());
  std::vector<std::string> sources;
  absl::flat_hash_set<std::string> urls;
  absl::Time start = absl::InfinitePast();
  absl::Time end = absl::InfiniteFuture();
  size_t latest_start = 0;
  size_t earliest_end = 0;
  absl::Duration cpu_user, cpu_system, skew, skew_uncertainty;
  std::optional<Histogram> latency;
  for (size_t i = 0; i < results.size(); ++i) {
    const v1::LoadgenResult& r = results[i];
    absl::StatusOr<Histogram> h = Histogram::FromProto(r.latency());
    if (!h.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Input(i), ": latency: ", h.status().message()));
    }
    if (latency.has_value()) {
      latency->Merge(*h);
    } else {
      latency = *std::move(h);
    }
    sources.push_back(r.source());
    merged.set_requests(merged.requests() + r.requests());
    AddStatusClasses(r.status_classes(), merged.mutable_status_classes());
    for (const auto& [code, count] : r.statuses()) {
      (*merged.mutable_statuses())[code] += count;
    }
    AddErrors(r.errors(), merged.mutable_errors());
    merged.set_bytes_received(merged.bytes_received() + r.bytes_received());
    merged.set_bytes_sent(merged.bytes_sent() + r.bytes_sent());
    merged.set_warmup_requests(merged.warmup_requests() + r.warmup_requests());
    merged.set_connections(merged.connections() + r.connections());
    merged.set_threads(merged.threads() + r.threads());
    merged.set_target_rate(merged.target_rate() + r.target_rate());
    cpu_user += DurationFromProto(r.cpu_user());
    cpu_system += DurationFromProto(r.cpu_system());
    for (uint32_t cpu : r.cpus()) merged.add_cpus(cpu);
    for (const std::string& url : r.urls()) {
      if (urls.insert(url).second) merged.add_urls(url);
    }
    // The largest skew in magnitude; of equal ones, the least certain.
    const absl::Duration s = DurationFromProto(r.start_skew());
    const absl::Duration u = DurationFromProto(r.start_skew_uncertainty());
    if (std::make_pair(absl::AbsDuration(s), u) >
        std::make_pair(absl::AbsDuration(skew), skew_uncertainty)) {
      skew = s;
      skew_uncertainty = u;
    }
    const absl::Time r_start = TimeFromProto(r.start_time());
    const absl::Time r_end = r_start + DurationFromProto(r.duration());
    if (r_start > start) {
      start = r_start;
      latest_start = i;
    }
    if (r_end < end) {
      end = r_end;
      earliest_end = i;
    }
  }
  if (end < start) {
    return absl::InvalidArgumentError(absl::StrCat(
        Input(earliest_end), ": its window ends before ", Input(latest_start),
        "'s starts; the windows have no common instant"));
  }
  *merged.mutable_latency() = latency->ToProto();
  merged.set_source(absl::StrJoin(sources, ","));
  *merged.mutable_start_time() = TimeToProto(start);
  *merged.mutable_duration() = DurationToProto(end - start);
  *merged.mutable_cpu_user() = DurationToProto(cpu_user);
  *merged.mutable_cpu_system() = DurationToProto(cpu_system);
  *merged.mutable_start_skew() = DurationToProto(skew);
  if (std::any_of(results.begin(), results.end(),
                  [](const v1::LoadgenResult& r) {
                    return r.has_start_skew_uncertainty();
                  })) {
    *merged.mutable_start_skew_uncertainty() =
        DurationToProto(skew_uncertainty);
  }
  for (v1::SecondSample& s : MergeSeries(results)) {
    *merged.add_series() = std::move(s);
  }
  return merged;
}

}  // namespace scalebench::results
