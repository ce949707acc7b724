// Test-only: certificates for tests of mutual TLS, made by the project's
// own deploy/pki/pki.sh (the path a test gets as SCALEBENCH_PKI_SH) in a
// folder the test owns, and loaded as TransportSecurity. Header-only, so
// that a test needs no library for it. Not thread-safe: runs a shell.
#ifndef SCALEBENCH_TESTS_SUPPORT_TEST_PKI_H_
#define SCALEBENCH_TESTS_SUPPORT_TEST_PKI_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/grpc_channel.h"

namespace scalebench::testing {

// Runs `pki_sh` with `args` ("ca pki", "worker pki host-a", ...) in `dir`,
// its output discarded. Returns its exit status as std::system does.
inline int RunPki(absl::string_view pki_sh, absl::string_view dir,
                  absl::string_view args) {
  const std::string command = absl::StrCat("cd '", dir, "' && '", pki_sh, "' ",
                                           args, " >/dev/null 2>&1");
  return std::system(command.c_str());
}

// A fresh folder "`prefix`.XXXXXX" in the system's temp dir, with pki.sh
// run there once with each of `commands`. Empty, and the test failed,
// when the folder cannot be made or a command fails. The caller removes
// the folder.
inline std::string MakeTempPki(
    absl::string_view pki_sh, absl::string_view prefix,
    std::initializer_list<absl::string_view> commands) {
  std::string dir =
      (std::filesystem::temp_directory_path() / absl::StrCat(prefix, ".XXXXXX"))
          .string();
  if (mkdtemp(dir.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << dir;
    return "";
  }
  for (absl::string_view args : commands) {
    if (RunPki(pki_sh, dir, args) != 0) {
      ADD_FAILURE() << "pki.sh " << args;
      std::filesystem::remove_all(dir);
      return "";
    }
  }
  return dir;
}

// `name`'s certificate and key ("worker-host-a", "client-alice", ...) in
// `dir`/`cert_dir`, trusting the CA in `dir`/`ca_dir`. Empty material, and
// the test failed, when they do not load.
inline TransportSecurity PkiMaterial(absl::string_view dir,
                                     absl::string_view name,
                                     absl::string_view cert_dir = "pki",
                                     absl::string_view ca_dir = "pki") {
  absl::StatusOr<TransportSecurity> security = LoadTransportSecurity(
      absl::StrCat(dir, "/", ca_dir, "/ca.crt"),
      absl::StrCat(dir, "/", cert_dir, "/", name, ".crt"),
      absl::StrCat(dir, "/", cert_dir, "/", name, ".key"));
  EXPECT_TRUE(security.ok()) << security.status();
  return security.ok() ? *security : TransportSecurity{};
}

}  // namespace scalebench::testing

#endif  // SCALEBENCH_TESTS_SUPPORT_TEST_PKI_H_
