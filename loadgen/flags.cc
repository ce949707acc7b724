#include "loadgen/flags.h"

#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "loadgen/target.h"

namespace scalebench::loadgen {
namespace {

absl::Status FlagError(absl::string_view flag, absl::string_view value,
                       absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat(flag, " '", value, "': expected ", expected));
}

absl::StatusOr<uint64_t> ParseCount(absl::string_view flag,
                                    absl::string_view value) {
  uint64_t n = 0;
  if (!absl::SimpleAtoi(value, &n)) {
    return FlagError(flag, value, "a whole number");
  }
  return n;
}

// "30s", "500ms", "2m", "1h30m", or a bare number of seconds ("10").
absl::StatusOr<absl::Duration> ParseDurationFlag(absl::string_view flag,
                                                 absl::string_view value) {
  double seconds = 0;
  if (absl::SimpleAtod(value, &seconds) && seconds >= 0) {
    return absl::Seconds(seconds);
  }
  absl::Duration d;
  if (!absl::ParseDuration(value, &d) || d < absl::ZeroDuration()) {
    return FlagError(flag, value, "a duration such as 30s, 500ms or 2m");
  }
  return d;
}

// "0,2-3" -> {0, 2, 3}.
absl::StatusOr<std::vector<int>> ParseCpuList(absl::string_view value) {
  std::vector<int> cpus;
  for (absl::string_view part : absl::StrSplit(value, ',')) {
    const std::vector<absl::string_view> range = absl::StrSplit(part, '-');
    int low = 0, high = 0;
    if (range.size() == 1 && absl::SimpleAtoi(range[0], &low) && low >= 0) {
      cpus.push_back(low);
    } else if (range.size() == 2 && absl::SimpleAtoi(range[0], &low) &&
               absl::SimpleAtoi(range[1], &high) && 0 <= low && low <= high &&
               high < 4096) {
      for (int c = low; c <= high; ++c) cpus.push_back(c);
    } else {
      return FlagError("--cpus", value, "a list of cores such as 0,2-3");
    }
  }
  return cpus;
}

// RFC 3339 ("2026-11-29T12:00:00.5Z") or Unix seconds ("1795000000.25").
absl::StatusOr<absl::Time> ParseInstant(absl::string_view value) {
  double unix_seconds = 0;
  if (absl::SimpleAtod(value, &unix_seconds)) {
    return absl::UnixEpoch() + absl::Seconds(unix_seconds);
  }
  absl::Time t;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, value, &t, &error)) return t;
  return FlagError("--start-at", value,
                   "an RFC 3339 time (2026-11-29T12:00:00Z) or Unix seconds");
}

}  // namespace

absl::StatusOr<CommandLine> ParseCommandLine(
    const std::vector<std::string>& args) {
  CommandLine cl;
  LoadOptions& o = cl.options;
  bool mode_given = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool inline_value = false;
    if (flag.rfind("--", 0) == 0) {
      const size_t eq = flag.find('=');
      if (eq != std::string::npos) {
        value = flag.substr(eq + 1);
        flag = flag.substr(0, eq);
        inline_value = true;
      }
    }
    // Fetches the flag's value: inline (--flag=v) or the next argument.
    auto next = [&]() -> absl::StatusOr<std::string> {
      if (inline_value) return value;
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat(flag, " needs a value (see --help)"));
      }
      return args[++i];
    };

    if (flag == "-h" || flag == "--help") {
      cl.help = true;
    } else if (flag == "-c" || flag == "--connections") {
      ASSIGN_OR_RETURN(std::string v, next());
      ASSIGN_OR_RETURN(uint64_t n, ParseCount(flag, v));
      if (n == 0 || n > 1'000'000) {
        return FlagError(flag, v, "a number of connections from 1 to 1000000");
      }
      o.connections = static_cast<uint32_t>(n);
    } else if (flag == "-t" || flag == "--threads") {
      ASSIGN_OR_RETURN(std::string v, next());
      ASSIGN_OR_RETURN(uint64_t n, ParseCount(flag, v));
      if (n == 0 || n > 1024) return FlagError(flag, v, "1 to 1024 threads");
      o.threads = static_cast<uint32_t>(n);
    } else if (flag == "-d" || flag == "--duration") {
      ASSIGN_OR_RETURN(std::string v, next());
      ASSIGN_OR_RETURN(o.duration, ParseDurationFlag(flag, v));
      if (o.duration <= absl::ZeroDuration()) {
        return FlagError(flag, v, "a positive duration");
      }
    } else if (flag == "-n" || flag == "--requests") {
      ASSIGN_OR_RETURN(std::string v, next());
      ASSIGN_OR_RETURN(o.requests, ParseCount(flag, v));
      if (o.requests == 0) return FlagError(flag, v, "at least 1 request");
    } else if (flag == "--mode") {
      ASSIGN_OR_RETURN(std::string v, next());
      if (v == "closed") {
        o.mode = Mode::kClosed;
      } else if (v == "open") {
        o.mode = Mode::kOpen;
      } else {
        return FlagError(flag, v, "closed or open");
      }
      mode_given = true;
    } else if (flag == "-R" || flag == "--rate") {
      ASSIGN_OR_RETURN(std::string v, next());
      if (!absl::SimpleAtod(v, &o.rate) || !(o.rate > 0) || o.rate > 1e9) {
        return FlagError(flag, v, "requests per second, > 0");
      }
      if (!mode_given) o.mode = Mode::kOpen;
    } else if (flag == "-k" || flag == "--keepalive") {
      o.keepalive = true;
    } else if (flag == "--no-keepalive") {
      o.keepalive = false;
    } else if (flag == "--warmup") {
      ASSIGN_OR_RETURN(std::string v, next());
      ASSIGN_OR_RETURN(o.warmup, ParseDurationFlag(flag, v));
    } else if (flag == "--timeout") {
      ASSIGN_OR_RETURN(std::string v, next());
      ASSIGN_OR_RETURN(o.timeout, ParseDurationFlag(flag, v));
      if (o.timeout <= absl::ZeroDuration()) {
        return FlagError(flag, v, "a positive duration");
      }
    } else if (flag == "-m" || flag == "--method") {
      ASSIGN_OR_RETURN(o.method, next());
    } else if (flag == "-H" || flag == "--header") {
      ASSIGN_OR_RETURN(std::string v, next());
      RETURN_IF_ERROR(ValidateHeader(v));
      o.headers.push_back(v);
    } else if (flag == "--body") {
      ASSIGN_OR_RETURN(o.body, next());
    } else if (flag == "--body-file") {
      ASSIGN_OR_RETURN(std::string path, next());
      std::ifstream in(path, std::ios::binary);
      if (!in) {
        return absl::InvalidArgumentError(
            absl::StrCat("--body-file '", path, "': cannot open"));
      }
      std::ostringstream text;
      text << in.rdbuf();
      o.body = text.str();
    } else if (flag == "--cpus") {
      ASSIGN_OR_RETURN(std::string v, next());
      ASSIGN_OR_RETURN(o.cpus, ParseCpuList(v));
    } else if (flag == "--start-at") {
      ASSIGN_OR_RETURN(std::string v, next());
      ASSIGN_OR_RETURN(o.start_at, ParseInstant(v));
    } else if (flag == "--start-tolerance") {
      ASSIGN_OR_RETURN(std::string v, next());
      ASSIGN_OR_RETURN(o.start_tolerance, ParseDurationFlag(flag, v));
    } else if (flag == "-o" || flag == "--output") {
      ASSIGN_OR_RETURN(std::string v, next());
      if (v == "text") {
        cl.output = OutputFormat::kText;
      } else if (v == "json") {
        cl.output = OutputFormat::kJson;
      } else if (v == "proto") {
        cl.output = OutputFormat::kProto;
      } else {
        return FlagError(flag, v, "text, json or proto");
      }
    } else if (!flag.empty() && flag[0] == '-') {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag ", flag, " (see --help)"));
    } else {
      RETURN_IF_ERROR(ParseUrl(flag).status());
      o.urls.push_back(flag);
    }
  }
  if (cl.help) return cl;
  if (o.urls.empty()) {
    return absl::InvalidArgumentError(
        "no URL given: scalebench-loadgen [flags] http://host:port/path "
        "(see --help)");
  }
  RETURN_IF_ERROR(ValidateOptions(o));
  return cl;
}

std::string Usage() {
  return R"(scalebench-loadgen: an HTTP/1.1 load generator.

Usage: scalebench-loadgen [flags] URL [URL...]

Sends requests to each URL (connections are spread over them round-robin)
for a duration or a number of requests, and reports throughput, latency
percentiles, errors by kind, and its own CPU use.

How long (exactly one):
  -d, --duration D      measure for D (30s, 500ms, 2m; a bare number is seconds)
  -n, --requests N      measure exactly N requests in total, as ab -n

How much load:
  -c, --connections N   concurrent connections in total (default 10)
  -t, --threads N       event-loop threads (default: one per --cpus core, or
                        one per available core; at most one per connection)
      --cpus LIST       pin threads to these cores, e.g. 2,3 or 0-3
  -R, --rate R          open loop: R requests/s in total, evenly spaced;
                        latency counts from each request's intended send
                        time, so stalls show in the tail (as wrk2 does)
      --mode M          closed (default: send when the previous response
                        completes) or open (needs --rate)
  -k, --keepalive       reuse connections (the default)
      --no-keepalive    a new connection per request, as ab does by default
      --warmup D        offer load for D first, excluded from the results
      --timeout D       a request without a complete response after D is a
                        timeout error (default 10s)
      --start-at T      start the measurement (end the warm-up) at wall-clock
                        time T: RFC 3339 or Unix seconds; for synchronized
                        starts across hosts
      --start-tolerance D  fail the run (exit 1) when the window would
                        open more than D after --start-at; no load is sent
                        if that is known at the start (default 5ms)

The request:
  -m, --method M        HTTP method (default GET)
  -H, --header H        add a header, "Name: value" (repeatable)
      --body TEXT       request body (sets Content-Length)
      --body-file F     request body from file F

Output:
  -o, --output F        text (default), json, or proto (v1.LoadgenResult)
  -h, --help            this text

Errors are counted by kind: connect, read, write, timeout, parse (malformed
or oversized response), status (a response outside 2xx). Exit status: 0
after a run (whatever its errors), 1 when the run could not start (server
unreachable, too few file descriptors) or started later than
--start-tolerance (the result is still printed, with the failure), 2 for
bad flags or URLs.

Examples:
  scalebench-loadgen -c 100 -d 10s http://127.0.0.1:8080/
  scalebench-loadgen -n 10000 -c 1000 --no-keepalive http://127.0.0.1:8080/
  scalebench-loadgen -c 50 -R 2000 -d 30s --warmup 5s -o json http://127.0.0.1:8080/
)";
}

}  // namespace scalebench::loadgen
