#include "spec/spec_yaml.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "spec/architecture_example.h"

namespace scalebench::spec {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

v1::ExperimentSpec FromText(const char* text) {
  v1::ExperimentSpec spec;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &spec));
  return spec;
}

// Equality including presence: an optional field set to its default
// differs from one left unset.
void ExpectSameProto(const v1::ExperimentSpec& actual,
                     const v1::ExperimentSpec& expected) {
  google::protobuf::util::MessageDifferencer differ;
  std::string differences;
  differ.ReportDifferencesToString(&differences);
  EXPECT_TRUE(differ.Compare(expected, actual)) << differences;
}

// The message of parsing `yaml` as "spec.yaml", or "OK".
std::string ErrorOf(const std::string& yaml) {
  absl::StatusOr<v1::ExperimentSpec> spec = ParseSpecYaml(yaml, "spec.yaml");
  if (spec.ok()) return "OK";
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(spec.status().message());
}

// The smallest valid spec, so that each test adds the one line it is about.
constexpr char kMinimal[] = "name: t\nloadgen:\n  duration: 3s\n";

TEST(ParseSpecYamlTest, ReadsTheArchitectureExampleFieldByField) {
  absl::StatusOr<v1::ExperimentSpec> spec =
      ParseSpecYaml(testing::kArchitectureExample, "ARCHITECTURE.md");
  ASSERT_TRUE(spec.ok()) << spec.status();
  ExpectSameProto(*spec, FromText(testing::kArchitectureExampleProto));
}

TEST(ParseSpecYamlTest, SetsOptionalFieldsOnlyWhenGiven) {
  absl::StatusOr<v1::ExperimentSpec> spec = ParseSpecYaml(kMinimal, "s");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_FALSE(spec->has_seed());
  EXPECT_FALSE(spec->has_repetitions());
  EXPECT_FALSE(spec->has_service());
  EXPECT_FALSE(spec->has_target());
  EXPECT_FALSE(spec->has_retry());
  EXPECT_FALSE(spec->has_timeouts());
  EXPECT_FALSE(spec->loadgen().has_connections());
  EXPECT_FALSE(spec->loadgen().has_keepalive());
  EXPECT_FALSE(spec->loadgen().has_warmup());
  EXPECT_FALSE(spec->loadgen().has_timeout());

  spec = ParseSpecYaml(absl::StrCat(kMinimal,
                                    "  keepalive: false\n"
                                    "  connections: 100\n"
                                    "service: {page_bytes: 0}\n"
                                    "timeouts: {balance: 1s}\n"
                                    "seed: 0\n"),
                       "s");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_TRUE(spec->loadgen().has_keepalive());
  EXPECT_FALSE(spec->loadgen().keepalive());
  EXPECT_TRUE(spec->loadgen().has_connections());
  EXPECT_TRUE(spec->service().has_page_bytes());
  EXPECT_FALSE(spec->service().has_server());
  EXPECT_TRUE(spec->timeouts().has_balance());
  EXPECT_FALSE(spec->timeouts().has_prepare());
  EXPECT_TRUE(spec->has_seed());
}

TEST(ParseSpecYamlTest, ReadsEveryFieldOfTheReference) {
  constexpr char kYaml[] = R"(name: all.fields_1
repetitions:
  until: {ci_halfwidth: 0.03, min: 8, max: 30}
order: sequential
seed: 18446744073709551615
service: {server: nginx, page_bytes: 0, worker_processes: 2}
target: {vcpus: 2, memory_mb: 128, image: "scalebench/nginx:1", hypervisor: qemu}
loadgen:
  mode: open
  connections: 64
  threads: 2
  requests: 10000
  rate: 2500.5
  keepalive: false
  warmup: 500ms
  timeout: 2s
  method: POST
  path: /api?x=1
  headers: ["X-Trace: 1", "Accept: */*"]
  body: '{"a": 1}'
  cpus: 0,2-3
sweep:
  platform: unikernel
  instances: 3
  balancer: [haproxy]
  algorithm: [leastconn, source]
  hosts: [1, 2]
  vcpus: [1]
  keepalive: [true, false]
  health_check_interval: [0s, 2s]
  connections: [10, 100]
models:
  - fit: amdahl
    x: hosts
    y: latency_p99_us
    by: platform
retry: {max_attempts: 5}
timeouts: {prepare: 2m, balance: 10s, start_lead: 1500ms, collect: 1m}
placement: {balancer: own_host}
)";
  constexpr char kProto[] = R"pb(
    name: "all.fields_1"
    repetitions { adaptive { ci_halfwidth: 0.03 min: 8 max: 30 } }
    order: TRIAL_ORDER_SEQUENTIAL
    seed: 18446744073709551615
    service { server: "nginx" page_bytes: 0 worker_processes: 2 }
    target {
      vcpus: 2
      memory_mb: 128
      image: "scalebench/nginx:1"
      hypervisor: "qemu"
    }
    loadgen {
      mode: LOAD_MODE_OPEN
      connections: 64
      threads: 2
      requests: 10000
      rate: 2500.5
      keepalive: false
      warmup { nanos: 500000000 }
      timeout { seconds: 2 }
      method: "POST"
      path: "/api?x=1"
      headers: [ "X-Trace: 1", "Accept: */*" ]
      body: "{\"a\": 1}"
      cpus: [ 0, 2, 3 ]
    }
    sweep {
      platform: [ PLATFORM_UNIKERNEL ]
      instances: [ 3 ]
      balancer: [ BALANCER_KIND_HAPROXY ]
      algorithm: [ BALANCER_ALGORITHM_LEASTCONN, BALANCER_ALGORITHM_SOURCE ]
      hosts: [ 1, 2 ]
      vcpus: [ 1 ]
      keepalive: [ true, false ]
      health_check_interval { seconds: 0 }
      health_check_interval { seconds: 2 }
      connections: [ 10, 100 ]
    }
    models {
      fit: MODEL_KIND_AMDAHL
      x: "hosts"
      y: "latency_p99_us"
      by: "platform"
    }
    retry { max_attempts: 5 }
    timeouts {
      prepare { seconds: 120 }
      balance { seconds: 10 }
      start_lead { seconds: 1 nanos: 500000000 }
      collect { seconds: 60 }
    }
    placement { balancer: BALANCER_PLACEMENT_OWN_HOST }
  )pb";
  absl::StatusOr<v1::ExperimentSpec> spec = ParseSpecYaml(kYaml, "all.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  ExpectSameProto(*spec, FromText(kProto));
}

TEST(ParseSpecYamlTest, CpusMayBeAList) {
  absl::StatusOr<v1::ExperimentSpec> spec =
      ParseSpecYaml(absl::StrCat(kMinimal, "  cpus: [3, 1]\n"), "s");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_THAT(spec->loadgen().cpus(), ::testing::ElementsAre(3, 1));
}

TEST(ParseSpecYamlTest, NamesAMisspeltKeyWithItsPositionAndTheLikelyField) {
  EXPECT_THAT(ErrorOf(absl::StrCat(kMinimal, "  conections: 10\n")),
              StartsWith("spec.yaml:4:3: loadgen.conections: unknown field "
                         "(did you mean 'connections'?); the fields of "
                         "loadgen are mode, connections, threads, "));
  EXPECT_THAT(ErrorOf(absl::StrCat(kMinimal, "Sweep: {}\n")),
              StartsWith("spec.yaml:4:1: Sweep: unknown field (did you mean "
                         "'sweep'?); the fields of a spec are name, "));
  EXPECT_THAT(ErrorOf(absl::StrCat(kMinimal, "retry: {attempts: 2}\n")),
              StartsWith("spec.yaml:4:9: retry.attempts: unknown field"));
}

TEST(ParseSpecYamlTest, ABalancerOfItsOwnNeedsABalancer) {
  EXPECT_EQ(
      ErrorOf(absl::StrCat(kMinimal, "placement: {balancer: own_host}\n")),
      "spec.yaml:4:23: placement.balancer: own_host, but no level of "
      "sweep.balancer puts a balancer in front of the targets (add "
      "haproxy or nginx there)");
  EXPECT_EQ(ErrorOf(absl::StrCat(kMinimal, "placement: {balancer: apart}\n")),
            "spec.yaml:4:23: placement.balancer: 'apart' is not one of "
            "target_host, own_host");
  EXPECT_EQ(ErrorOf(absl::StrCat(kMinimal, "sweep: {balancer: [none, nginx]}\n",
                                 "placement: {balancer: own_host}\n")),
            "OK");
}

// Issue 25: deep nesting said "invalid YAML: bad file".
TEST(ParseSpecYamlTest, DeepNestingSaysSoWithItsLine) {
  const std::string deep =
      absl::StrCat(kMinimal, "sweep:\n  instances: ", std::string(2000, '['),
                   "1", std::string(2000, ']'), "\n");
  const std::string message = ErrorOf(deep);
  EXPECT_THAT(message, StartsWith("spec.yaml:5:"));
  EXPECT_THAT(message, HasSubstr("invalid YAML: nested too deeply"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("bad file")));
}

// Found by spec_fuzz_test: a message quoted control characters raw, and
// broke over lines.
TEST(ParseSpecYamlTest, MessagesStayOnOneLine) {
  const std::string escape = ErrorOf("name: \"a\\\x01\"\n");
  EXPECT_THAT(escape, StartsWith("spec.yaml:1:"));
  EXPECT_THAT(escape, HasSubstr("invalid YAML: unknown escape character: "
                                "\\x01"));
  EXPECT_EQ(ErrorOf(absl::StrCat(kMinimal, "service: \"a\\nb\"\n")),
            "spec.yaml:4:10: service: expected a mapping, got 'a\\nb'");
}

// Issue 25: a 1 MB value was echoed back whole.
TEST(ParseSpecYamlTest, AHugeValueIsNotEchoedWhole) {
  const std::string huge(1 << 20, '7');
  for (const std::string& yaml :
       {absl::StrCat(kMinimal, "  mode: ", huge, "\n"),
        absl::StrCat(kMinimal, "  connections: ", huge, "\n"),
        absl::StrCat(kMinimal, "  warmup: ", huge, "x\n"),
        absl::StrCat(kMinimal, "  keepalive: ", huge, "\n"),
        absl::StrCat(kMinimal, "  rate: x", huge, "\n"),
        absl::StrCat(kMinimal, "  cpus: \"", huge, "\"\n"),
        absl::StrCat(kMinimal, "? ", huge, "\n: 1\n"),
        absl::StrCat("name: n", huge, "\nloadgen:\n  duration: 3s\n")}) {
    const std::string message = ErrorOf(yaml);
    EXPECT_LT(message.size(), 500u) << message.substr(0, 500);
    EXPECT_THAT(message, HasSubstr(" bytes)")) << message.substr(0, 500);
  }
}

// Lines added to kMinimal, and the whole message they give: where, which
// field, and the rule it breaks.
struct AddedLinesCase {
  const char* name;
  const char* added;
  const char* message;
};

void PrintTo(const AddedLinesCase& c, std::ostream* os) { *os << c.name; }

class ParseSpecYamlAddedLinesTest
    : public ::testing::TestWithParam<AddedLinesCase> {};

TEST_P(ParseSpecYamlAddedLinesTest, NamesThePositionTheFieldAndTheRule) {
  EXPECT_EQ(ErrorOf(absl::StrCat(kMinimal, GetParam().added)),
            GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Rejects, ParseSpecYamlAddedLinesTest,
    ::testing::Values(
        // Zero where a count must be positive.
        AddedLinesCase{"zero_connections", "  connections: 0\n",
                       "spec.yaml:4:16: loadgen.connections: must be at "
                       "least 1"},
        AddedLinesCase{"zero_repetitions", "repetitions: 0\n",
                       "spec.yaml:4:14: repetitions: must be at least 1"},
        // Negative and fractional counts.
        AddedLinesCase{"negative_connections", "  connections: -5\n",
                       "spec.yaml:4:16: loadgen.connections: '-5' is "
                       "negative; expected a whole number >= 0"},
        AddedLinesCase{"fractional_instances", "sweep: {instances: [1, 2.5]}\n",
                       "spec.yaml:4:24: sweep.instances[1]: '2.5' is not a "
                       "whole number"},
        AddedLinesCase{"huge_repetitions", "repetitions: 99999999999\n",
                       "spec.yaml:4:14: repetitions: '99999999999' is larger "
                       "than the maximum, 4294967295"},
        // A key given twice.
        AddedLinesCase{"duplicate_nested_key", "  duration: 5s\n",
                       "spec.yaml:4:3: loadgen.duration: given twice (first "
                       "on line 3)"},
        AddedLinesCase{"duplicate_top_level_key", "name: u\n",
                       "spec.yaml:4:1: name: given twice (first on line 1)"},
        AddedLinesCase{"duration_and_requests", "  requests: 100\n",
                       "spec.yaml:4:13: loadgen.requests: give either "
                       "duration or requests, not both (duration is given "
                       "too)"},
        // An unknown platform, by its index in the list.
        AddedLinesCase{"unknown_platform",
                       "sweep:\n  platform: [native, docker, kvm]\n",
                       "spec.yaml:5:30: sweep.platform[2]: 'kvm' is not one "
                       "of native, docker, qemu, xen, unikernel"},
        // A poly without a degree, at the model.
        AddedLinesCase{"poly_without_degree",
                       "models:\n"
                       "  - {fit: poly, x: instances, y: requests_per_s}\n",
                       "spec.yaml:5:5: models[0].degree: poly needs a degree "
                       "from 2 to 10; got 0"},
        // A linear model with a degree, at the degree.
        AddedLinesCase{"linear_with_degree",
                       "models:\n"
                       "  - {fit: usl, x: instances, y: requests_per_s}\n"
                       "  - {fit: linear, degree: 2, x: vcpus_total, y: "
                       "requests_per_s}\n",
                       "spec.yaml:6:27: models[1].degree: only poly takes a "
                       "degree, not linear; got 2"}),
    [](const ::testing::TestParamInfo<AddedLinesCase>& info) {
      return std::string(info.param.name);
    });

TEST(ParseSpecYamlTest, NamesABadDuration) {
  EXPECT_EQ(ErrorOf("name: t\nloadgen:\n  duration: 3x\n"),
            "spec.yaml:3:13: loadgen.duration: '3x' is not a duration such as "
            "30s, 500ms or 2m (a bare number is seconds)");
  EXPECT_EQ(ErrorOf(absl::StrCat(kMinimal, "timeouts: {prepare: -1s}\n")),
            "spec.yaml:4:21: timeouts.prepare: '-1s' is negative; a duration "
            "is >= 0");
}

TEST(ParseSpecYamlTest, ReportsYamlSyntaxErrorsWithTheirLine) {
  EXPECT_EQ(ErrorOf("name: t\nsweep:\n  platform: [native, docker\n"
                    "  hosts: [1]\n"),
            "spec.yaml:4:8: invalid YAML: end of sequence flow not found");
  EXPECT_THAT(ErrorOf("name: t\n\tloadgen: {}\n"),
              StartsWith("spec.yaml:2:1: invalid YAML: "));
}

TEST(ParseSpecYamlTest, RejectsValuesOfTheWrongType) {
  EXPECT_EQ(ErrorOf("name: [a, b]\nloadgen: {duration: 1s}\n"),
            "spec.yaml:1:7: name: expected text, got a list");
  EXPECT_EQ(ErrorOf("name: t\nloadgen: 30s\n"),
            "spec.yaml:2:10: loadgen: expected a mapping, got '30s'");
  EXPECT_EQ(ErrorOf(absl::StrCat(kMinimal, "  keepalive: yes\n")),
            "spec.yaml:4:14: loadgen.keepalive: 'yes' is not true or false");
  EXPECT_EQ(ErrorOf(absl::StrCat(kMinimal, "  connections: {a: 1}\n")),
            "spec.yaml:4:16: loadgen.connections: expected a whole number, "
            "got a mapping");
  EXPECT_EQ(ErrorOf(absl::StrCat(kMinimal, "  warmup:\n")),
            "spec.yaml:4:3: loadgen.warmup: has no value; expected a "
            "duration such as 30s");
  EXPECT_EQ(ErrorOf("- name: t\n"),
            "spec.yaml:1:1: a spec is a mapping of fields, not a list");
  EXPECT_EQ(ErrorOf("# nothing\n"), "spec.yaml:1:1: the spec is empty");
}

TEST(ParseSpecYamlTest, PointsValidationProblemsAtTheNearestGivenField) {
  // rate is missing: the nearest field given is loadgen.
  EXPECT_EQ(ErrorOf("name: t\nloadgen:\n  mode: open\n  duration: 1s\n"),
            "spec.yaml:3:3: loadgen.rate: is required for mode open "
            "(requests per second per load-generator host)");
  // Nothing encloses name: the start of the document.
  EXPECT_EQ(ErrorOf("loadgen: {duration: 1s}\n"),
            "spec.yaml:1:1: name: is required");
  EXPECT_EQ(ErrorOf(absl::StrCat(kMinimal,
                                 "models:\n  - fit: linear\n    x: instances\n"
                                 "    y: requests_per_s\n"
                                 "    train: {hosts: 1}\n"
                                 "    test: {hosts: [2, x]}\n")),
            "spec.yaml:9:23: models[0].test.hosts[1]: 'x' is not a whole "
            "number");
}

TEST(ParseSpecYamlTest, AcceptsAScalarWhereAListIsExpected) {
  absl::StatusOr<v1::ExperimentSpec> spec = ParseSpecYaml(
      absl::StrCat(kMinimal,
                   "sweep: {platform: docker, instances: 2, hosts: 2}\n"),
      "s");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_THAT(spec->sweep().platform(),
              ::testing::ElementsAre(v1::PLATFORM_DOCKER));
  EXPECT_THAT(spec->sweep().hosts(), ::testing::ElementsAre(2));
}

TEST(ParseSpecYamlTest, RejectsASecondDocument) {
  EXPECT_THAT(ErrorOf(absl::StrCat(kMinimal, "---\nname: u\n")),
              StartsWith("spec.yaml:5:1: a spec file holds one YAML document"));
}

TEST(ParseSpecFileTest, NamesTheFileInMessages) {
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/spec_file_test.yaml");
  {
    std::ofstream file(path);
    file << "name: t\nloadgen: {duration: 1s, mode: sideways}\n";
  }
  absl::StatusOr<v1::ExperimentSpec> spec = ParseSpecFile(path);
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().message(),
            absl::StrCat(path,
                         ":2:31: loadgen.mode: 'sideways' is not one of "
                         "closed, open"));
  std::remove(path.c_str());
}

TEST(ParseSpecFileTest, AMissingFileIsNotFound) {
  absl::StatusOr<v1::ExperimentSpec> spec =
      ParseSpecFile("/nonexistent/spec.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(spec.status().message(), HasSubstr("/nonexistent/spec.yaml"));
}

// Issue 25: `scalebench validate` on a FIFO blocked forever.
TEST(ParseSpecFileTest, AFifoIsRefusedWithoutWaitingForAWriter) {
  const std::string path = ::testing::TempDir() + "/spec_yaml_test.fifo";
  std::remove(path.c_str());
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  std::future<absl::StatusOr<v1::ExperimentSpec>> parsed =
      std::async(std::launch::async, [&] { return ParseSpecFile(path); });
  if (parsed.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    // Blocked in open(): a writer releases it, so the test can end.
    std::ofstream(path) << "name: t\n";
    ADD_FAILURE() << "ParseSpecFile waited for a writer";
  }
  const absl::StatusOr<v1::ExperimentSpec> spec = parsed.get();
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument)
      << spec.status();
  EXPECT_EQ(spec.status().message(),
            absl::StrCat(path, ": not a regular file (a FIFO)"));
  std::remove(path.c_str());
}

TEST(ParseSpecFileTest, ADirectoryAndATooLargeFileAreRefused) {
  const std::string dir = ::testing::TempDir();
  EXPECT_THAT(ParseSpecFile(dir).status().message(),
              HasSubstr("not a regular file (a directory)"));
  const std::string path = ::testing::TempDir() + "/spec_yaml_test_big.yaml";
  std::ofstream(path) << std::string(kMaxSpecFileBytes + 1, '#');
  EXPECT_EQ(ParseSpecFile(path).status().message(),
            absl::StrCat(path, ": larger than 1048576 bytes"));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace scalebench::spec
