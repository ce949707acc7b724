#include "loadgen/flags.h"

#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "loadgen/target.h"

namespace scalebench::loadgen {
namespace {

constexpr uint32_t kMaxConnections = 1'000'000;
constexpr uint32_t kMaxThreads = 1024;
constexpr double kMaxRate = 1e9;

}  // namespace

const char kLoadgenDescription[] =
    "scalebench-loadgen: an HTTP/1.1 load generator.\n\n"
    "Sends requests to each URL (connections are spread over them "
    "round-robin)\nfor a duration or a number of requests, and reports "
    "throughput, latency\npercentiles, errors by kind, and its own CPU use.";

namespace {

constexpr char kManual[] =
    R"(How long: exactly one of --duration and --requests.
Durations are written 30s, 500ms, 2m or 1h30m (a bare number is seconds),
at most 8784h.

Open loop (--rate): requests are sent at R per second in total, evenly
spaced; latency counts from each request's intended send time, so a stalled
server shows in the tail (as wrk2 does). Closed loop (the default): each
connection sends its next request when the previous response completes.

Synchronized starts: --start-at T starts the measurement window (and ends
the warm-up) at wall-clock time T. The reported start skew is the actual
start minus T. A start later than --start-tolerance (default 5ms) after T
sends no load: the result says how late, and the exit status is 1.

Errors are counted by kind: connect, read, write, timeout, parse (malformed
or oversized response, by cause), status (a response outside 2xx).

Exit status: 0 after a run (whatever its request errors); 1 when the run
failed (a late start, the server unreachable, too few file descriptors);
2 for bad flags or URLs.

Examples:
  scalebench-loadgen -c 100 -d 10s http://127.0.0.1:8080/
  scalebench-loadgen -n 10000 -c 1000 --no-keepalive http://127.0.0.1:8080/
  scalebench-loadgen -c 50 -R 2000 -d 30s --warmup 5s -o json http://127.0.0.1:8080/
)";

}  // namespace

std::string FlagForOption(absl::string_view field) {
  if (field == "urls") return "URL";
  return FieldAsFlag(field);
}

void AddLoadgenFlags(CLI::App& app, LoadgenFlags* flags) {
  LoadOptions& o = flags->options;
  app.add_option("URL", o.urls,
                 "http://host[:port][/path] to send to (one or more)")
      ->type_name("")
      ->required();
  AddDurationOption(app, "-d,--duration", &o.duration, "measure for this long");
  app.add_option("-n,--requests", o.requests,
                 "measure exactly N requests in total, as ab -n")
      ->type_name("N")
      ->check(CLI::PositiveNumber.description(""));
  app.add_option("-c,--connections", o.connections,
                 "concurrent connections in total (default 10)")
      ->type_name("N")
      ->check(CLI::Range(uint32_t{1}, kMaxConnections).description(""));
  app.add_option("-t,--threads", o.threads,
                 "event-loop threads (default: one per --cpus core, or one "
                 "per available core; at most one per connection)")
      ->type_name("N")
      ->check(CLI::Range(uint32_t{1}, kMaxThreads).description(""));
  AddCpuListOption(app, "--cpus", &o.cpus,
                   "pin threads to these cores, e.g. 2,3 or 0-3");
  app.add_option("-R,--rate", o.rate,
                 "open loop: R requests/s in total, evenly spaced")
      ->type_name("R")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            double rate = 0;
            if (absl::SimpleAtod(text, &rate) && rate > 0 && rate <= kMaxRate) {
              return "";
            }
            return absl::StrCat("'", text,
                                "' is not a rate above 0 and at most 1e9 "
                                "requests per second");
          },
          ""));
  app.add_option("--mode", flags->mode,
                 "closed (the default) or open (needs --rate)")
      ->type_name("MODE")
      ->check(CLI::IsMember({"closed", "open"}).description(""));
  app.add_flag("-k,--keepalive", o.keepalive,
               "reuse connections (the default)");
  app.add_flag_callback(
      "--no-keepalive", [&o] { o.keepalive = false; },
      "a new connection per request, as ab does by default");
  AddDurationOption(app, "--warmup", &o.warmup,
                    "offer load for this long first, excluded from results");
  AddDurationOption(app, "--timeout", &o.timeout,
                    "a request without a complete response after this long "
                    "is a timeout error (default 10s)");
  AddInstantOption(app, "--start-at", &o.start_at,
                   "start the measurement at this wall-clock time: RFC 3339 "
                   "or Unix seconds");
  AddDurationOption(app, "--start-tolerance", &o.start_tolerance,
                    "how late after --start-at the start may be before the "
                    "run fails (default 5ms)");
  app.add_option("-m,--method", o.method, "HTTP method (default GET)")
      ->type_name("M");
  app.add_option("-H,--header", o.headers,
                 "add a header, \"Name: value\" (repeatable)")
      ->type_name("H")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--body", o.body, "request body (sets Content-Length)")
      ->type_name("TEXT");
  app.add_option("--body-file", flags->body_file, "request body from a file")
      ->type_name("FILE");
  AddOutputOption(
      app, &flags->output,
      {OutputFormat::kText, OutputFormat::kJson, OutputFormat::kProto});
  app.footer(kManual);
}

absl::Status FinishFlags(LoadgenFlags* flags) {
  LoadOptions& o = flags->options;
  if (flags->mode == "open" || (flags->mode.empty() && o.rate > 0)) {
    o.mode = Mode::kOpen;
  }
  if (!flags->body_file.empty()) {
    if (!o.body.empty()) {
      return absl::InvalidArgumentError("give --body or --body-file, not both");
    }
    std::ifstream in(flags->body_file, std::ios::binary);
    if (!in) {
      return absl::InvalidArgumentError(
          absl::StrCat("--body-file '", flags->body_file, "': cannot open"));
    }
    std::ostringstream text;
    text << in.rdbuf();
    o.body = text.str();
  }
  for (const std::string& header : o.headers) {
    if (absl::Status s = ValidateHeader(header); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--header: ", s.message()));
    }
  }
  for (const std::string& url : o.urls) {
    if (absl::Status s = ParseUrl(url).status(); !s.ok()) return s;
  }
  return ValidateOptions(o, FlagForOption);
}

}  // namespace scalebench::loadgen
