// The one place where gRPC channels and server credentials are built, so
// that transport security is decided in one function for every binary.
//
// Plaintext is allowed on loopback only: a plaintext channel to, or a
// plaintext server on, any other address is refused with
// FAILED_PRECONDITION, so nothing reaches a worker (which starts containers
// and VMs) unauthenticated from the network. With TLS material
// (TransportSecurity, usually from LoadTransportSecurity) every channel and
// server uses mutual TLS on any address: both sides present a certificate
// signed by the configured CA. A worker's certificate names the worker id
// it may use (SAN URI scalebench://workers/ID), a CLI user's its name
// (scalebench://clients/NAME); PeerIdentity, CheckWorkerIdentity and
// CheckUserIdentity read them on the server side (docs/security.md: what
// each role may call). All functions are thread-safe.
#ifndef SCALEBENCH_COMMON_GRPC_CHANNEL_H_
#define SCALEBENCH_COMMON_GRPC_CHANNEL_H_

#include <grpcpp/channel.h>
#include <grpcpp/security/auth_context.h>
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace scalebench {

// TLS material, as PEM text. All three empty = plaintext (loopback only);
// otherwise all three are required (mutual TLS).
struct TransportSecurity {
  // CA that signs the peer's certificate.
  std::string ca_cert_pem;
  // This side's certificate chain and private key.
  std::string cert_chain_pem;
  std::string private_key_pem;
  // Channels only: the name checked against the server's certificate
  // instead of the target's host, e.g. when a coordinator whose certificate
  // names a DNS name is reached by address. Default empty: the target's
  // host. Ignored for plaintext and by MakeServerCredentials.
  std::string target_name_override;

  bool plaintext() const {
    return ca_cert_pem.empty() && cert_chain_pem.empty() &&
           private_key_pem.empty();
  }
};

// Reads TLS material from PEM files: the CA certificate, this side's
// certificate chain and its private key (--ca, --cert, --key). All three
// paths empty returns plaintext TransportSecurity. Errors, each naming the
// file: INVALID_ARGUMENT when only some paths are given or a file holds no
// PEM certificate (or key); NOT_FOUND for a missing file; PERMISSION_DENIED
// or FAILED_PRECONDITION when it cannot be read.
absl::StatusOr<TransportSecurity> LoadTransportSecurity(
    absl::string_view ca_path, absl::string_view cert_path,
    absl::string_view key_path);

// True when `address` ("host:port", "[v6]:port", "unix:path") names this
// machine only: 127.0.0.0/8, ::1, "localhost", or a Unix socket.
bool IsLoopbackAddress(absl::string_view address);

// A channel to `target` ("host:port"): mutual TLS with `security`'s
// material (any address), plaintext without (loopback only). Errors:
// INVALID_ARGUMENT for a malformed target or incomplete TLS material,
// FAILED_PRECONDITION for plaintext to a non-loopback address.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    absl::string_view target, const TransportSecurity& security);

// Credentials for a server listening on `listen_address`, with the same
// rules as MakeChannel. With TLS material the server presents its
// certificate and requires and verifies a client certificate signed by the
// CA; a client without one fails the handshake.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    absl::string_view listen_address, const TransportSecurity& security);

// The identity a peer's verified certificate names: "workers/ID" or
// "clients/NAME", from its SAN URI scalebench://workers/ID or
// scalebench://clients/NAME. Errors: UNAUTHENTICATED when the peer
// presented no certificate (plaintext); PERMISSION_DENIED when the
// certificate names no such identity, or more than one.
absl::StatusOr<std::string> PeerIdentity(const grpc::AuthContext& auth);

// Whether the peer may call the coordinator service (CoordinatorService:
// experiments, workers, schedules), which is for users. OK for a
// plaintext peer (loopback only, as for CheckWorkerIdentity) and for a
// certificate naming clients/NAME; PERMISSION_DENIED naming the identity
// for a worker's certificate (workers/ID: a worker may call only
// WorkerService.Synchronize), and for a certificate naming no identity or
// a TLS peer without one.
absl::Status CheckUserIdentity(const grpc::AuthContext& auth);

// Whether the peer may act as worker `worker_id`. OK for a plaintext peer
// (no certificate: plaintext servers are loopback-only, see
// MakeServerCredentials) and for a certificate naming workers/<worker_id>;
// PERMISSION_DENIED naming both ids when the certificate names another
// worker or a client, or no identity.
absl::Status CheckWorkerIdentity(const grpc::AuthContext& auth,
                                 absl::string_view worker_id);

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_GRPC_CHANNEL_H_
