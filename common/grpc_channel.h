// The one place where gRPC channels and server credentials are built, so
// that transport security is decided in one function for every binary.
//
// Today only plaintext on loopback is supported: a plaintext channel to, or
// a plaintext server on, any other address is refused with
// FAILED_PRECONDITION, so nothing reaches a worker (which starts containers
// and VMs) unauthenticated from the network. Mutual TLS arrives with the
// security issue and will be configured through TransportSecurity.
#ifndef SCALEBENCH_COMMON_GRPC_CHANNEL_H_
#define SCALEBENCH_COMMON_GRPC_CHANNEL_H_

#include <grpcpp/channel.h>
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace scalebench {

// TLS material, as PEM text. All empty = plaintext (loopback only).
struct TransportSecurity {
  // CA that signs the peer's certificate.
  std::string ca_cert_pem;
  // This side's certificate chain and private key.
  std::string cert_chain_pem;
  std::string private_key_pem;

  bool plaintext() const {
    return ca_cert_pem.empty() && cert_chain_pem.empty() &&
           private_key_pem.empty();
  }
};

// True when `address` ("host:port", "[v6]:port", "unix:path") names this
// machine only: 127.0.0.0/8, ::1, "localhost", or a Unix socket.
bool IsLoopbackAddress(absl::string_view address);

// A channel to `target` ("host:port"). Errors: INVALID_ARGUMENT for a
// malformed target, FAILED_PRECONDITION for plaintext to a non-loopback
// address or TLS material (not yet supported).
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    absl::string_view target, const TransportSecurity& security);

// Credentials for a server listening on `listen_address`, with the same
// rules as MakeChannel.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    absl::string_view listen_address, const TransportSecurity& security);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_GRPC_CHANNEL_H_
