// A byte-level fuzzer for the coordinator's API: the real coordinator
// (CoordinatorServer: store, scheduler, both services) in this process, a
// few valid serialized requests (CreateExperiment with validate_only,
// Synchronize with a result and a clock sample, GetExperiment,
// ListExperiments, ListWorkers) mutated byte by byte with a fixed seed and
// sent as raw bytes, sometimes to another method than their own. Bounded:
// kCalls calls or kBudget, whichever ends first. The coordinator must
// answer every call with a status a client can act on (never INTERNAL,
// UNKNOWN or a missed deadline), and still answer GetExperiment and
// ListExperiments afterwards.
#include <grpcpp/client_context.h>
#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "common/grpc_channel.h"
#include "common/proto_time.h"
#include "coordinator/rpc/server.h"
#include "gtest/gtest.h"
#include "results/histogram.h"
#include "scalebench/v1/coordinator.grpc.pb.h"
#include "scalebench/v1/worker.grpc.pb.h"
#include "spec/spec_yaml.h"
#include "tests/support/raw_call.h"

namespace scalebench::coordinator {
namespace {

constexpr int kCalls = 2000;
constexpr absl::Duration kBudget = absl::Seconds(20);
// Per call: a call the coordinator does not answer within it is a hang.
constexpr absl::Duration kCallTimeout = absl::Seconds(5);
constexpr uint32_t kSeed = 25;

constexpr char kSpecYaml[] = R"yaml(
name: fuzz
repetitions: 2
loadgen:
  mode: closed
  connections: 10
  duration: 1s
  headers: ["Authorization: Bearer secret"]
sweep:
  instances: [1, 2]
  balancer: [none, nginx]
)yaml";

// A request to send as bytes, and the method it belongs to.
struct Seed {
  std::string method;
  std::string bytes;
};

// "/scalebench.v1.Service/Name".
std::string Method(const char* service, const std::string& name) {
  return absl::StrCat("/", service, "/", name);
}

std::vector<Seed> Seeds(const v1::ExperimentSpec& spec) {
  const char* const coordinator = v1::CoordinatorService::service_full_name();
  std::vector<Seed> seeds;
  v1::CreateExperimentRequest create;
  *create.mutable_spec() = spec;
  create.set_spec_source(kSpecYaml);
  create.set_request_id("5b0e5a84-4d7f-4b43-9d1e-0b4f00f1e0a1");
  create.set_validate_only(true);
  seeds.push_back(
      {Method(coordinator, "CreateExperiment"), create.SerializeAsString()});

  v1::GetExperimentRequest get;
  get.set_name("experiments/exp-000001");
  get.set_view(v1::EXPERIMENT_VIEW_FULL);
  seeds.push_back(
      {Method(coordinator, "GetExperiment"), get.SerializeAsString()});

  v1::ListExperimentsRequest list;
  list.set_page_size(10);
  list.set_view(v1::EXPERIMENT_VIEW_FULL);
  list.add_states(v1::EXPERIMENT_STATE_PENDING);
  seeds.push_back(
      {Method(coordinator, "ListExperiments"), list.SerializeAsString()});

  seeds.push_back({Method(coordinator, "ListWorkers"),
                   v1::ListWorkersRequest().SerializeAsString()});

  // A worker reporting a measurement for trial 0's first attempt, with a
  // clock sample; not idle, so that the call is answered at once.
  const absl::Time now = absl::Now();
  v1::SynchronizeRequest sync;
  sync.set_worker_id("fuzz-worker");
  sync.set_session_id("session-1");
  v1::AttemptKey key;
  key.set_trial("experiments/exp-000001/trials/0");
  key.set_attempt(1);
  *sync.mutable_current()->mutable_preparing()->mutable_key() = key;
  v1::HostFacts& facts = *sync.mutable_facts();
  facts.add_platforms(v1::PLATFORM_NATIVE);
  facts.add_cpus(0);
  facts.add_cpus(1);
  v1::ClockSample& sample = *sync.mutable_previous_clock();
  *sample.mutable_t1() = TimeToProto(now - absl::Milliseconds(20));
  *sample.mutable_t2() = TimeToProto(now - absl::Milliseconds(15));
  *sample.mutable_t3() = TimeToProto(now - absl::Milliseconds(10));
  *sample.mutable_t4() = TimeToProto(now - absl::Milliseconds(5));
  v1::WorkerResult& result = *sync.add_results();
  *result.mutable_key() = key;
  result.set_worker_id("fuzz-worker");
  v1::LoadgenResult& load = *result.mutable_loadgen();
  load.set_requests(100);
  results::Histogram latency;
  for (int i = 0; i < 100; ++i) latency.Record(1'000'000 + i * 1000);
  *load.mutable_latency() = latency.ToProto();
  *load.mutable_start_time() = TimeToProto(now - absl::Seconds(2));
  *load.mutable_duration() = DurationToProto(absl::Seconds(1));
  result.add_core_busy()->set_busy(0.5);
  seeds.push_back(
      {Method(v1::WorkerService::service_full_name(), "Synchronize"),
       sync.SerializeAsString()});
  return seeds;
}

// Applies one to four random byte-level mutations to `bytes`.
class Mutator {
 public:
  explicit Mutator(uint32_t seed) : random_(seed) {}

  std::string Mutate(std::string bytes, const std::vector<Seed>& seeds) {
    const int rounds = Uniform(1, 4);
    for (int i = 0; i < rounds; ++i) MutateOnce(bytes, seeds);
    return bytes;
  }

  int Uniform(int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random_);
  }

 private:
  size_t Position(const std::string& bytes) {
    return bytes.empty() ? 0
                         : static_cast<size_t>(
                               Uniform(0, static_cast<int>(bytes.size()) - 1));
  }
  char Byte() { return static_cast<char>(Uniform(0, 255)); }

  void MutateOnce(std::string& bytes, const std::vector<Seed>& seeds) {
    static constexpr unsigned char kInteresting[] = {0x00, 0x01, 0x7f,
                                                     0x80, 0xfe, 0xff};
    switch (Uniform(0, 7)) {
      case 0:  // Flip one bit.
        if (!bytes.empty()) {
          bytes[Position(bytes)] ^= static_cast<char>(1 << Uniform(0, 7));
        }
        break;
      case 1:  // Overwrite a byte.
        if (!bytes.empty()) bytes[Position(bytes)] = Byte();
        break;
      case 2:  // A boundary value (varint continuation, lengths).
        if (!bytes.empty()) {
          bytes[Position(bytes)] = static_cast<char>(
              kInteresting[Uniform(0, sizeof(kInteresting) - 1)]);
        }
        break;
      case 3: {  // Insert random bytes.
        std::string inserted(static_cast<size_t>(Uniform(1, 8)), '\0');
        for (char& c : inserted) c = Byte();
        bytes.insert(bytes.empty() ? 0 : Position(bytes), inserted);
        break;
      }
      case 4:  // Erase a range.
        if (!bytes.empty()) {
          bytes.erase(Position(bytes), static_cast<size_t>(Uniform(1, 16)));
        }
        break;
      case 5:  // Truncate.
        bytes.resize(Position(bytes));
        break;
      case 6: {  // Repeat a chunk.
        if (bytes.empty()) break;
        const size_t from = Position(bytes);
        const std::string chunk =
            bytes.substr(from, static_cast<size_t>(Uniform(1, 64)));
        bytes.insert(Position(bytes), chunk);
        break;
      }
      case 7: {  // Splice in a chunk of another request.
        const std::string& other =
            seeds[static_cast<size_t>(
                      Uniform(0, static_cast<int>(seeds.size()) - 1))]
                .bytes;
        if (other.empty()) break;
        const std::string chunk =
            other.substr(Position(other), static_cast<size_t>(Uniform(1, 64)));
        bytes.insert(bytes.empty() ? 0 : Position(bytes), chunk);
        break;
      }
    }
  }

  std::mt19937 random_;
};

TEST(ApiFuzzTest, TheCoordinatorAnswersEveryMutatedRequestAndStaysUp) {
  std::string dir = ::testing::TempDir() + "/api-fuzz-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.db = dir + "/data/coordinator.db";
  options.registry.hold = absl::Milliseconds(20);
  absl::StatusOr<std::unique_ptr<CoordinatorServer>> server =
      CoordinatorServer::Start(options, Clock::Real());
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel((*server)->address(), TransportSecurity{});
  ASSERT_TRUE(channel.ok()) << channel.status();
  auto stub = v1::CoordinatorService::NewStub(*channel);

  // One real experiment for the Get and Synchronize seeds to name.
  absl::StatusOr<v1::ExperimentSpec> spec =
      spec::ParseSpecYaml(kSpecYaml, "fuzz.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  {
    grpc::ClientContext context;
    v1::CreateExperimentRequest request;
    *request.mutable_spec() = *spec;
    v1::CreateExperimentResponse response;
    ASSERT_TRUE(stub->CreateExperiment(&context, request, &response).ok());
  }
  const std::vector<Seed> seeds = Seeds(*spec);
  for (const Seed& seed : seeds) {
    const grpc::Status status =
        testing::RawUnaryCall(*channel, seed.method, seed.bytes, kCallTimeout);
    EXPECT_TRUE(status.ok())
        << "unmutated " << seed.method << ": " << status.error_message();
  }

  Mutator mutator(kSeed);
  std::map<grpc::StatusCode, int> codes;
  int calls = 0;
  const absl::Time end = absl::Now() + kBudget;
  for (; calls < kCalls && absl::Now() < end; ++calls) {
    const Seed& seed = seeds[static_cast<size_t>(
        mutator.Uniform(0, static_cast<int>(seeds.size()) - 1))];
    // One call in ten goes to another method than its request's.
    const std::string& method =
        mutator.Uniform(0, 9) == 0
            ? seeds[static_cast<size_t>(
                        mutator.Uniform(0, static_cast<int>(seeds.size()) - 1))]
                  .method
            : seed.method;
    const std::string bytes = mutator.Mutate(seed.bytes, seeds);
    const grpc::Status status =
        testing::RawUnaryCall(*channel, method, bytes, kCallTimeout);
    ++codes[status.error_code()];
    ASSERT_NE(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
        << "call " << calls << " to " << method << " was not answered";
    EXPECT_NE(status.error_code(), grpc::StatusCode::INTERNAL)
        << "call " << calls << " to " << method << ": "
        << status.error_message();
    EXPECT_NE(status.error_code(), grpc::StatusCode::UNKNOWN)
        << "call " << calls << " to " << method << ": "
        << status.error_message();
  }
  std::cout << calls << " mutated calls:";
  for (const auto& [code, count] : codes) {
    std::cout << " code " << code << " x" << count;
  }
  std::cout << "\n";
  // The mutations reached the handlers: some were accepted, some refused
  // as invalid.
  EXPECT_GT(codes[grpc::StatusCode::OK], 0);
  EXPECT_GT(codes[grpc::StatusCode::INVALID_ARGUMENT], 0);

  // Still up: it answers a status query at once.
  for (int i = 0; i < 2; ++i) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(1));
    if (i == 0) {
      v1::GetExperimentRequest request;
      request.set_name("experiments/exp-000001");
      v1::GetExperimentResponse response;
      const grpc::Status status =
          stub->GetExperiment(&context, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      EXPECT_EQ(response.experiment().name(), "experiments/exp-000001");
    } else {
      v1::ListExperimentsResponse response;
      const grpc::Status status = stub->ListExperiments(
          &context, v1::ListExperimentsRequest(), &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      EXPECT_GT(response.experiments_size(), 0);
    }
  }
  (*server)->Shutdown();
  server->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace scalebench::coordinator
