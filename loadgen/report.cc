#include "loadgen/report.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "api/enum_names.h"
#include "common/json_writer.h"
#include "common/status_macros.h"
#include "results/histogram.h"

namespace scalebench::loadgen {
namespace {

double Seconds(const google::protobuf::Duration& d) {
  return static_cast<double>(d.seconds()) + d.nanos() * 1e-9;
}

// Figures derived once for both formats.
struct Summary {
  double duration_s;
  double requests_per_s;
  double transfer_kb_per_s;  // ab's definition: KiB received per second.
  double cpu_s;
  double min_us, mean_us, stdev_us, p50_us, p90_us, p99_us, p999_us, max_us;
};

absl::StatusOr<Summary> Summarize(const v1::LoadgenResult& r) {
  ASSIGN_OR_RETURN(results::Histogram h,
                   results::Histogram::FromProto(r.latency()));
  Summary s;
  s.duration_s = Seconds(r.duration());
  const double d = s.duration_s > 0 ? s.duration_s : 1;
  s.requests_per_s = static_cast<double>(r.requests()) / d;
  s.transfer_kb_per_s = static_cast<double>(r.bytes_received()) / 1024.0 / d;
  s.cpu_s = Seconds(r.cpu_user()) + Seconds(r.cpu_system());
  auto us = [](double ns) { return ns / 1000.0; };
  s.min_us = us(static_cast<double>(h.min_ns()));
  s.mean_us = us(h.MeanNs());
  s.stdev_us = us(h.StdDevNs());
  s.p50_us = us(static_cast<double>(h.ValueAtQuantile(0.5)));
  s.p90_us = us(static_cast<double>(h.ValueAtQuantile(0.9)));
  s.p99_us = us(static_cast<double>(h.ValueAtQuantile(0.99)));
  s.p999_us = us(static_cast<double>(h.ValueAtQuantile(0.999)));
  s.max_us = us(static_cast<double>(h.max_ns()));
  return s;
}

// "1.23ms", "456us", "2.50s": latencies in the unit that reads best.
std::string Latency(double us) {
  if (us >= 1e6) return absl::StrFormat("%.2fs", us / 1e6);
  if (us >= 1e3) return absl::StrFormat("%.2fms", us / 1e3);
  return absl::StrFormat("%.0fus", us);
}

// The parse-error causes with their text and JSON names, in proto order.
struct CauseField {
  const char* text;
  const char* json;
  uint64_t (v1::ParseErrorCounts::*get)() const;
};
constexpr CauseField kCauses[] = {
    {"status line", "status_line", &v1::ParseErrorCounts::status_line},
    {"header syntax", "header_syntax", &v1::ParseErrorCounts::header_syntax},
    {"headers too large", "headers_too_large",
     &v1::ParseErrorCounts::headers_too_large},
    {"content length", "content_length", &v1::ParseErrorCounts::content_length},
    {"chunk syntax", "chunk_syntax", &v1::ParseErrorCounts::chunk_syntax},
    {"unsupported", "unsupported", &v1::ParseErrorCounts::unsupported},
    {"unexpected data", "unexpected_data",
     &v1::ParseErrorCounts::unexpected_data},
};

// "parse 20 (status line 20)": the parse errors and their non-zero causes.
std::string ParseErrorsText(const v1::ErrorCounts& e) {
  std::string out = absl::StrCat("parse ", e.parse());
  std::string causes;
  for (const CauseField& f : kCauses) {
    const uint64_t n = (e.parse_causes().*f.get)();
    if (n == 0) continue;
    absl::StrAppend(&causes, causes.empty() ? "" : ", ", f.text, " ", n);
  }
  if (!causes.empty()) absl::StrAppend(&out, " (", causes, ")");
  return out;
}

}  // namespace

uint64_t TotalErrors(const v1::ErrorCounts& e) {
  return e.connect() + e.read() + e.write() + e.timeout() + e.parse() +
         e.status();
}

absl::StatusOr<std::string> FormatText(const v1::LoadgenResult& r) {
  ASSIGN_OR_RETURN(Summary s, Summarize(r));
  std::string out;
  absl::StrAppendFormat(&out, "%s loop, %d connections, %d thread%s",
                        api::EnumName(r.mode()), r.connections(), r.threads(),
                        r.threads() == 1 ? "" : "s");
  if (r.mode() == v1::LOAD_MODE_OPEN) {
    absl::StrAppendFormat(&out, ", target %.1f req/s", r.target_rate());
  }
  out += "\n";
  for (const std::string& url : r.urls())
    absl::StrAppend(&out, "  ", url, "\n");
  absl::StrAppendFormat(&out, "  requests    %d in %.2fs, %.1f req/s\n",
                        r.requests(), s.duration_s, s.requests_per_s);
  absl::StrAppendFormat(&out, "  transfer    %d bytes, %.2f KB/s\n",
                        r.bytes_received(), s.transfer_kb_per_s);
  absl::StrAppendFormat(&out,
                        "  latency     min %s  mean %s  stdev %s  max %s\n",
                        Latency(s.min_us), Latency(s.mean_us),
                        Latency(s.stdev_us), Latency(s.max_us));
  absl::StrAppendFormat(
      &out, "              p50 %s  p90 %s  p99 %s  p99.9 %s%s\n",
      Latency(s.p50_us), Latency(s.p90_us), Latency(s.p99_us),
      Latency(s.p999_us),
      r.mode() == v1::LOAD_MODE_OPEN ? "  (from intended send times)" : "");
  const v1::StatusClassCounts& c = r.status_classes();
  absl::StrAppendFormat(&out, "  status      2xx %d  3xx %d  4xx %d  5xx %d",
                        c.status_2xx(), c.status_3xx(), c.status_4xx(),
                        c.status_5xx());
  if (c.status_1xx() > 0)
    absl::StrAppendFormat(&out, "  1xx %d", c.status_1xx());
  out += "\n";
  const v1::ErrorCounts& e = r.errors();
  absl::StrAppendFormat(&out, "  errors      %d", TotalErrors(e));
  if (TotalErrors(e) > 0) {
    absl::StrAppendFormat(
        &out, " (connect %d, read %d, write %d, timeout %d, %s, status %d)",
        e.connect(), e.read(), e.write(), e.timeout(), ParseErrorsText(e),
        e.status());
  }
  out += "\n";
  absl::StrAppendFormat(&out, "  cpu         %.2fs (user %.2fs, system %.2fs)",
                        s.cpu_s, Seconds(r.cpu_user()),
                        Seconds(r.cpu_system()));
  if (r.requests() > 0) {
    absl::StrAppendFormat(&out, ", %.2fs per 100k requests",
                          s.cpu_s * 1e5 / static_cast<double>(r.requests()));
  }
  out += "\n";
  if (r.warmup_requests() > 0) {
    absl::StrAppendFormat(&out, "  warm-up     %d requests, excluded\n",
                          r.warmup_requests());
  }
  absl::StrAppendFormat(&out, "  start skew  %s\n",
                        Latency(Seconds(r.start_skew()) * 1e6));
  if (r.has_failure()) {
    absl::StrAppend(&out, "  FAILED      ", api::EnumName(r.failure().kind()),
                    ": ", r.failure().reason(), "\n");
  }
  return out;
}

absl::StatusOr<std::string> FormatJson(const v1::LoadgenResult& r) {
  ASSIGN_OR_RETURN(Summary s, Summarize(r));
  JsonWriter w(/*indent=*/2);
  w.BeginObject();
  w.Key("mode").String(api::EnumName(r.mode()));
  w.Key("requests").Uint(r.requests());
  const v1::ErrorCounts& e = r.errors();
  w.Key("errors").BeginObject();
  w.Key("connect").Uint(e.connect());
  w.Key("read").Uint(e.read());
  w.Key("write").Uint(e.write());
  w.Key("timeout").Uint(e.timeout());
  w.Key("parse").Uint(e.parse());
  w.Key("parse_causes").BeginObject();
  for (const CauseField& f : kCauses) {
    w.Key(f.json).Uint((e.parse_causes().*f.get)());
  }
  w.EndObject();
  w.Key("status").Uint(e.status());
  w.Key("total").Uint(TotalErrors(e));
  w.EndObject();
  w.Key("duration_s").Double(s.duration_s);
  w.Key("requests_per_s").Double(s.requests_per_s);
  w.Key("bytes").Uint(r.bytes_received());
  w.Key("transfer_kb_per_s").Double(s.transfer_kb_per_s);
  w.Key("latency_us").BeginObject();
  w.Key("min").Double(s.min_us);
  w.Key("mean").Double(s.mean_us);
  w.Key("stdev").Double(s.stdev_us);
  w.Key("p50").Double(s.p50_us);
  w.Key("p90").Double(s.p90_us);
  w.Key("p99").Double(s.p99_us);
  w.Key("p999").Double(s.p999_us);
  w.Key("max").Double(s.max_us);
  w.EndObject();
  w.Key("cpu_s").Double(s.cpu_s);
  w.Key("series").BeginArray();
  for (const v1::SecondSample& sample : r.series()) {
    w.BeginObject();
    w.Key("second").Uint(sample.second());
    w.Key("requests").Uint(sample.requests());
    w.Key("errors").Uint(sample.errors());
    w.Key("bytes").Uint(sample.bytes());
    w.Key("latency_mean_us")
        .Double(sample.requests() == 0
                    ? 0.0
                    : static_cast<double>(sample.latency_sum_ns()) / 1000.0 /
                          static_cast<double>(sample.requests()));
    w.Key("latency_max_us")
        .Double(static_cast<double>(sample.latency_max_ns()) / 1000.0);
    w.EndObject();
  }
  w.EndArray();
  w.Key("warmup_requests").Uint(r.warmup_requests());
  const v1::StatusClassCounts& c = r.status_classes();
  w.Key("status").BeginObject();
  w.Key("1xx").Uint(c.status_1xx());
  w.Key("2xx").Uint(c.status_2xx());
  w.Key("3xx").Uint(c.status_3xx());
  w.Key("4xx").Uint(c.status_4xx());
  w.Key("5xx").Uint(c.status_5xx());
  w.EndObject();
  w.Key("bytes_sent").Uint(r.bytes_sent());
  w.Key("connections").Uint(r.connections());
  w.Key("threads").Uint(r.threads());
  w.Key("target_rate").Double(r.target_rate());
  w.Key("start_skew_us").Double(Seconds(r.start_skew()) * 1e6);
  w.Key("failure");
  if (r.has_failure()) {
    w.BeginObject();
    w.Key("kind").String(api::EnumName(r.failure().kind()));
    w.Key("reason").String(r.failure().reason());
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("urls").BeginArray();
  for (const std::string& url : r.urls()) w.String(url);
  w.EndArray();
  w.EndObject();
  return w.str() + "\n";
}

}  // namespace scalebench::loadgen
