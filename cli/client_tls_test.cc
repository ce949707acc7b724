// The remote commands' TLS flags and environment against a coordinator
// that requires mutual TLS, with certificates from deploy/pki/pki.sh.
#include <stdlib.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/remote_fixture.h"
#include "common/exit_codes.h"
#include "common/grpc_channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench::cli {
namespace {

using ::testing::HasSubstr;

class ClientTlsTest : public RemoteCommandsTest {
 protected:
  void SetUp() override {
    RemoteCommandsTest::SetUp();
    for (const std::string& args :
         {std::string("ca pki"),
          std::string("server pki coordinator --ip 127.0.0.1"),
          std::string("client pki alice")}) {
      const std::string command = absl::StrCat(
          "cd '", dir_, "' && '", SCALEBENCH_PKI_SH, "' ", args, " >/dev/null");
      ASSERT_EQ(system(command.c_str()), 0) << command;
    }
    absl::StatusOr<TransportSecurity> server =
        LoadTransportSecurity(Pem("ca.crt"), Pem("server-coordinator.crt"),
                              Pem("server-coordinator.key"));
    ASSERT_TRUE(server.ok()) << server.status();
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
        MakeServerCredentials("127.0.0.1:0", *server);
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    StopServing();
    int port = 0;
    Serve("127.0.0.1:0", &port, *credentials);
    ASSERT_NE(server_, nullptr);
    address_ = absl::StrCat("127.0.0.1:", port);
  }
  void TearDown() override {
    for (const char* name : {"SCALEBENCH_COORDINATOR", "SCALEBENCH_CA",
                             "SCALEBENCH_CERT", "SCALEBENCH_KEY"}) {
      unsetenv(name);
    }
    RemoteCommandsTest::TearDown();
  }

  std::string Pem(const std::string& name) { return dir_ + "/pki/" + name; }
};

TEST_F(ClientTlsTest, FlagsGiveTheClientItsCertificate) {
  JoinWorker();
  EXPECT_EQ(Run({"submit", spec_path_, "--ca", Pem("ca.crt"), "--cert",
                 Pem("client-alice.crt"), "--key", Pem("client-alice.key")}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(ExperimentCount(), 1);
}

TEST_F(ClientTlsTest, EnvironmentGivesTheCoordinatorAndTheCertificate) {
  setenv("SCALEBENCH_COORDINATOR", address_.c_str(), 1);
  setenv("SCALEBENCH_CA", Pem("ca.crt").c_str(), 1);
  setenv("SCALEBENCH_CERT", Pem("client-alice.crt").c_str(), 1);
  setenv("SCALEBENCH_KEY", Pem("client-alice.key").c_str(), 1);
  EXPECT_EQ(RunOffline({"status"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("no experiments"));
}

TEST_F(ClientTlsTest, WithoutACertificateTheCoordinatorCannotBeReached) {
  EXPECT_EQ(Run({"status"}), kExitRunFailed);
  EXPECT_THAT(err_.str(),
              HasSubstr("cannot reach the coordinator at " + address_));
}

TEST_F(ClientTlsTest, IncompleteTlsMaterialIsAUsageErrorNamingTheFlags) {
  EXPECT_EQ(Run({"status", "--ca", Pem("ca.crt")}), kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("scalebench status: --ca/--cert/--key: "));
  EXPECT_EQ(Run({"status", "--ca", Pem("missing.crt"), "--cert",
                 Pem("client-alice.crt"), "--key", Pem("client-alice.key")}),
            kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("missing.crt"));
}

}  // namespace
}  // namespace scalebench::cli
