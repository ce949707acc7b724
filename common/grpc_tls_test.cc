// Mutual TLS through MakeChannel and MakeServerCredentials, with a real
// server on 127.0.0.1:0 and a CA and certificates made by deploy/pki/pki.sh.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/grpc_channel.h"
#include "common/grpc_status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "scalebench/v1/worker.grpc.pb.h"
#include "tests/support/synchronize_call.h"
#include "tests/support/test_pki.h"

namespace scalebench {
namespace {

using ::testing::HasSubstr;

// Answers Synchronize with CheckWorkerIdentity for the request's worker id
// and remembers what PeerIdentity said about the caller.
class IdentityCheckingWorkerService final
    : public v1::WorkerService::CallbackService {
 public:
  grpc::ServerUnaryReactor* Synchronize(
      grpc::CallbackServerContext* context,
      const v1::SynchronizeRequest* request,
      v1::SynchronizeResponse* /*response*/) override {
    const std::shared_ptr<const grpc::AuthContext> auth =
        context->auth_context();
    absl::StatusOr<std::string> identity = PeerIdentity(*auth);
    {
      absl::MutexLock lock(&mu_);
      ++calls_;
      last_identity_ = identity.ok() ? *identity : identity.status().ToString();
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(
        ToGrpcStatus(CheckWorkerIdentity(*auth, request->worker_id())));
    return reactor;
  }

  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  std::string last_identity() const {
    absl::MutexLock lock(&mu_);
    return last_identity_;
  }

 private:
  mutable absl::Mutex mu_;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_identity_ ABSL_GUARDED_BY(mu_);
};

class GrpcTlsTest : public ::testing::Test {
 protected:
  // One PKI for the whole suite: the testbed's CA with a coordinator, two
  // workers and a CLI user, and a second, unrelated CA with a worker.
  static void SetUpTestSuite() {
    *dir_ = testing::MakeTempPki(
        SCALEBENCH_PKI_SH, "scalebench-tls",
        {"ca pki", "server pki coordinator --ip 127.0.0.1 --dns localhost",
         "worker pki host-a", "worker pki host-b", "client pki alice",
         "ca other", "worker other host-a"});
    ASSERT_FALSE(dir_->empty());
  }

  // Runs deploy/pki/pki.sh with `args` in the suite's directory; returns
  // its exit status as std::system does.
  static int RunPki(absl::string_view args) {
    return testing::RunPki(SCALEBENCH_PKI_SH, *dir_, args);
  }

  static void TearDownTestSuite() { std::filesystem::remove_all(*dir_); }

  // TLS material: `ca_dir`'s CA as roots, `cert_dir`'s `name` certificate.
  static TransportSecurity Material(const std::string& ca_dir,
                                    const std::string& cert_dir,
                                    const std::string& name) {
    return testing::PkiMaterial(*dir_, name, cert_dir, ca_dir);
  }

  // Starts the service on 127.0.0.1:0 with `security`; returns false if the
  // server did not start.
  bool StartServer(const TransportSecurity& security) {
    auto creds = MakeServerCredentials("127.0.0.1:0", security);
    EXPECT_TRUE(creds.ok()) << creds.status();
    if (!creds.ok()) return false;
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    builder.AddListeningPort("127.0.0.1:0", *creds, &port_);
    server_ = builder.BuildAndStart();
    return server_ != nullptr && port_ > 0;
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  std::string Address() const { return absl::StrCat("127.0.0.1:", port_); }

  // Synchronize as `worker_id` over `channel`.
  static grpc::Status CallAs(const std::shared_ptr<grpc::Channel>& channel,
                             const std::string& worker_id) {
    return testing::SynchronizeIdle(channel, worker_id);
  }

  grpc::Status CallAs(const TransportSecurity& security,
                      const std::string& worker_id) {
    auto channel = MakeChannel(Address(), security);
    EXPECT_TRUE(channel.ok()) << channel.status();
    if (!channel.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "");
    return CallAs(*channel, worker_id);
  }

  static std::string Path(const std::string& relative) {
    return absl::StrCat(*dir_, "/", relative);
  }

  static inline std::string* const dir_ = new std::string;
  IdentityCheckingWorkerService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(GrpcTlsTest, AcceptsAWorkerCertificateFromTheCaAndSeesItsId) {
  ASSERT_TRUE(StartServer(Material("pki", "pki", "server-coordinator")));
  const grpc::Status status =
      CallAs(Material("pki", "pki", "worker-host-a"), "host-a");
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(service_.last_identity(), "workers/host-a");
}

TEST_F(GrpcTlsTest, RefusesAWorkerWhoseCertificateNamesAnotherId) {
  ASSERT_TRUE(StartServer(Material("pki", "pki", "server-coordinator")));
  const grpc::Status status =
      CallAs(Material("pki", "pki", "worker-host-b"), "host-a");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("workers/host-b"));
  EXPECT_THAT(status.error_message(), HasSubstr("'host-a'"));
  EXPECT_EQ(service_.last_identity(), "workers/host-b");
}

TEST_F(GrpcTlsTest, AClientCertificateMayNotActAsAWorker) {
  ASSERT_TRUE(StartServer(Material("pki", "pki", "server-coordinator")));
  const grpc::Status status =
      CallAs(Material("pki", "pki", "client-alice"), "alice");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(service_.last_identity(), "clients/alice");
}

TEST_F(GrpcTlsTest, RefusesACertificateFromAnotherCa) {
  ASSERT_TRUE(StartServer(Material("pki", "pki", "server-coordinator")));
  // Trusts the right CA, but presents a certificate the other CA signed.
  const grpc::Status status =
      CallAs(Material("pki", "other", "worker-host-a"), "host-a");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(GrpcTlsTest, RefusesAClientWithoutACertificate) {
  ASSERT_TRUE(StartServer(Material("pki", "pki", "server-coordinator")));
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = Material("pki", "pki", "worker-host-a").ca_cert_pem;
  const grpc::Status status = CallAs(
      grpc::CreateChannel(Address(), grpc::SslCredentials(options)), "host-a");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(GrpcTlsTest, AWorkerRefusesAServerFromAnotherCa) {
  ASSERT_TRUE(StartServer(Material("pki", "pki", "server-coordinator")));
  const grpc::Status status =
      CallAs(Material("other", "other", "worker-host-a"), "host-a");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << status.error_message();
  EXPECT_EQ(service_.calls(), 0);
}

TEST_F(GrpcTlsTest, TargetNameOverrideChecksTheServerCertificateForThatName) {
  ASSERT_TRUE(StartServer(Material("pki", "pki", "server-coordinator")));
  TransportSecurity worker = Material("pki", "pki", "worker-host-a");
  worker.target_name_override = "localhost";
  EXPECT_TRUE(CallAs(worker, "host-a").ok());
  worker.target_name_override = "elsewhere.example";
  EXPECT_EQ(CallAs(worker, "host-a").error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // An address is checked against the certificate's IP names, as a nested
  // host's worker does: it dials 10.0.2.2 and names the host's 127.0.0.1.
  worker.target_name_override = "127.0.0.1";
  EXPECT_TRUE(CallAs(worker, "host-a").ok());
  worker.target_name_override = "10.0.2.2";
  EXPECT_EQ(CallAs(worker, "host-a").error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GrpcTlsTest, APlaintextPeerOnLoopbackMayActAsAnyWorker) {
  ASSERT_TRUE(StartServer(TransportSecurity{}));
  const grpc::Status status = CallAs(TransportSecurity{}, "host-a");
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(service_.last_identity(), HasSubstr("UNAUTHENTICATED"));
}

TEST_F(GrpcTlsTest, TlsIsAllowedOnAnyAddress) {
  const TransportSecurity tls = Material("pki", "pki", "server-coordinator");
  EXPECT_TRUE(MakeServerCredentials("0.0.0.0:50051", tls).ok());
  EXPECT_TRUE(MakeChannel("192.0.2.10:50051", tls).ok());
}

TEST_F(GrpcTlsTest, LoadNamesAMissingFile) {
  const std::string missing = Path("pki/worker-nobody.crt");
  auto security = LoadTransportSecurity(Path("pki/ca.crt"), missing,
                                        Path("pki/worker-host-a.key"));
  ASSERT_FALSE(security.ok());
  EXPECT_EQ(security.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(security.status().message(), HasSubstr(missing));
}

TEST_F(GrpcTlsTest, LoadNamesAFileWithoutTheExpectedPem) {
  const std::string key_as_cert = Path("pki/worker-host-a.key");
  auto security = LoadTransportSecurity(Path("pki/ca.crt"), key_as_cert,
                                        Path("pki/worker-host-a.key"));
  ASSERT_FALSE(security.ok());
  EXPECT_EQ(security.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(security.status().message(), HasSubstr(key_as_cert));
}

TEST_F(GrpcTlsTest, LoadWantsAllThreeFilesOrNone) {
  auto partial = LoadTransportSecurity(Path("pki/ca.crt"), "", "");
  ASSERT_FALSE(partial.ok());
  EXPECT_EQ(partial.status().code(), absl::StatusCode::kInvalidArgument);
  auto none = LoadTransportSecurity("", "", "");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->plaintext());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

TEST_F(GrpcTlsTest, PkiScriptKeepsWhatExistsAndWritesPrivateKeys) {
  const std::string cert = ReadFile(Path("pki/worker-host-a.crt"));
  ASSERT_FALSE(cert.empty());
  ASSERT_EQ(RunPki("worker pki host-a"), 0);
  EXPECT_EQ(ReadFile(Path("pki/worker-host-a.crt")), cert);
  for (const char* key :
       {"pki/ca.key", "pki/worker-host-a.key", "pki/server-coordinator.key",
        "pki/client-alice.key"}) {
    EXPECT_EQ(std::filesystem::status(Path(key)).permissions() &
                  std::filesystem::perms::all,
              std::filesystem::perms::owner_read |
                  std::filesystem::perms::owner_write)
        << key;
  }
}

TEST_F(GrpcTlsTest, PkiScriptRefusesAWorkerIdOutsideThePattern) {
  EXPECT_NE(RunPki("worker pki ../escape"), 0);
  EXPECT_FALSE(std::filesystem::exists(Path("pki/worker-../escape.key")));
  EXPECT_NE(RunPki("server pki coordinator2"), 0);  // no --dns or --ip
}

}  // namespace
}  // namespace scalebench
