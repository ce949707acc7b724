#include "common/grpc_channel.h"

#include <arpa/inet.h>
#include <grpc/grpc_security_constants.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace scalebench {
namespace {

// SAN URIs that name a scalebench identity: kIdentityUriPrefix + "workers/ID"
// or + "clients/NAME".
constexpr absl::string_view kIdentityUriPrefix = "scalebench://";
constexpr absl::string_view kWorkersPrefix = "workers/";
constexpr absl::string_view kClientsPrefix = "clients/";
// Longest worker id or client name, as in SynchronizeRequest.worker_id.
constexpr size_t kMaxNameLength = 64;

constexpr absl::string_view kPemCertificate = "-----BEGIN CERTIFICATE-----";
constexpr absl::string_view kPemKeySuffix = "PRIVATE KEY-----";

// [A-Za-z0-9._-]{1,64}, the pattern of worker ids and client names.
bool IsValidName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// "workers/ID" or "clients/NAME" from a SAN URI, or empty if the URI names
// no scalebench identity.
std::string IdentityFromUri(absl::string_view uri) {
  if (!absl::ConsumePrefix(&uri, kIdentityUriPrefix)) return "";
  absl::string_view name = uri;
  if (!absl::ConsumePrefix(&name, kWorkersPrefix) &&
      !absl::ConsumePrefix(&name, kClientsPrefix)) {
    return "";
  }
  return IsValidName(name) ? std::string(uri) : "";
}

absl::StatusOr<std::string> ReadPemFile(absl::string_view what,
                                        absl::string_view path,
                                        absl::string_view marker) {
  const std::string path_str(path);
  std::ifstream in(path_str, std::ios::binary);
  if (!in) {
    const int error = errno;
    const std::string message = absl::StrCat("cannot read ", what, " file '",
                                             path, "': ", std::strerror(error));
    if (error == ENOENT) return absl::NotFoundError(message);
    if (error == EACCES) return absl::PermissionDeniedError(message);
    return absl::FailedPreconditionError(message);
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read ", what, " file '", path, "'"));
  }
  std::string pem = contents.str();
  if (!absl::StrContains(pem, marker)) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " file '", path, "' holds no PEM '", marker, "' block"));
  }
  return pem;
}

// INVALID_ARGUMENT unless `security` is plaintext or complete TLS material.
absl::Status CheckMaterial(const TransportSecurity& security) {
  if (security.plaintext()) return absl::OkStatus();
  std::vector<absl::string_view> missing;
  if (security.ca_cert_pem.empty()) missing.push_back("CA certificate");
  if (security.cert_chain_pem.empty()) missing.push_back("certificate");
  if (security.private_key_pem.empty()) missing.push_back("private key");
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("mutual TLS needs a CA certificate, a certificate and a "
                     "private key; missing: ",
                     absl::StrJoin(missing, ", ")));
  }
  return absl::OkStatus();
}

// Splits "host:port" or "[v6]:port" into host and port; false if malformed.
bool SplitHostPort(absl::string_view address, absl::string_view* host) {
  absl::string_view port;
  if (absl::StartsWith(address, "[")) {
    const size_t close = address.find(']');
    if (close == absl::string_view::npos) return false;
    *host = address.substr(1, close - 1);
    if (address.substr(close + 1, 1) != ":") return false;
    port = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == absl::string_view::npos) return false;
    *host = address.substr(0, colon);
    if (absl::StrContains(*host, ':')) return false;  // v6 needs brackets
    port = address.substr(colon + 1);
  }
  int port_number;
  return !host->empty() && absl::SimpleAtoi(port, &port_number) &&
         port_number >= 0 && port_number <= 65535;
}

absl::Status CheckAddress(absl::string_view address,
                          const TransportSecurity& security) {
  absl::string_view host;
  if (!absl::StartsWith(address, "unix:") && !SplitHostPort(address, &host)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "address '", address, "' is not host:port, [ipv6]:port or unix:path"));
  }
  if (absl::Status s = CheckMaterial(security); !s.ok()) return s;
  if (security.plaintext() && !IsLoopbackAddress(address)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "refusing plaintext gRPC on '", address,
        "': plaintext is allowed on loopback (127.0.0.0/8, ::1, localhost, "
        "unix:) only"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TransportSecurity> LoadTransportSecurity(
    absl::string_view ca_path, absl::string_view cert_path,
    absl::string_view key_path) {
  TransportSecurity security;
  if (ca_path.empty() && cert_path.empty() && key_path.empty()) {
    return security;
  }
  if (ca_path.empty() || cert_path.empty() || key_path.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "mutual TLS needs a CA certificate, a certificate and a private key "
        "together; got CA '",
        ca_path, "', certificate '", cert_path, "', key '", key_path, "'"));
  }
  absl::StatusOr<std::string> ca =
      ReadPemFile("CA certificate", ca_path, kPemCertificate);
  if (!ca.ok()) return ca.status();
  absl::StatusOr<std::string> cert =
      ReadPemFile("certificate", cert_path, kPemCertificate);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key =
      ReadPemFile("private key", key_path, kPemKeySuffix);
  if (!key.ok()) return key.status();
  security.ca_cert_pem = *std::move(ca);
  security.cert_chain_pem = *std::move(cert);
  security.private_key_pem = *std::move(key);
  return security;
}

bool IsLoopbackAddress(absl::string_view address) {
  if (absl::StartsWith(address, "unix:")) return true;
  absl::string_view host;
  if (!SplitHostPort(address, &host)) return false;
  if (host == "localhost") return true;
  const std::string host_str(host);
  in_addr v4;
  if (inet_pton(AF_INET, host_str.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, host_str.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    absl::string_view target, const TransportSecurity& security) {
  if (absl::Status s = CheckAddress(target, security); !s.ok()) return s;
  if (security.plaintext()) {
    return grpc::CreateChannel(std::string(target),
                               grpc::InsecureChannelCredentials());
  }
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = security.ca_cert_pem;
  options.pem_cert_chain = security.cert_chain_pem;
  options.pem_private_key = security.private_key_pem;
  grpc::ChannelArguments arguments;
  if (!security.target_name_override.empty()) {
    arguments.SetSslTargetNameOverride(security.target_name_override);
  }
  return grpc::CreateCustomChannel(std::string(target),
                                   grpc::SslCredentials(options), arguments);
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    absl::string_view listen_address, const TransportSecurity& security) {
  if (absl::Status s = CheckAddress(listen_address, security); !s.ok()) {
    return s;
  }
  if (security.plaintext()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = security.ca_cert_pem;
  options.pem_key_cert_pairs.push_back(
      {security.private_key_pem, security.cert_chain_pem});
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::string> PeerIdentity(const grpc::AuthContext& auth) {
  if (!auth.IsPeerAuthenticated()) {
    return absl::UnauthenticatedError("the peer presented no certificate");
  }
  // gRPC lists URI SANs under "peer_uri" and all SANs under
  // "x509_subject_alternative_name"; either may carry the identity.
  std::set<std::string> identities;
  for (const char* property :
       {GRPC_PEER_URI_PROPERTY_NAME, GRPC_X509_SAN_PROPERTY_NAME}) {
    for (const grpc::string_ref& value : auth.FindPropertyValues(property)) {
      std::string identity =
          IdentityFromUri(absl::string_view(value.data(), value.size()));
      if (!identity.empty()) identities.insert(std::move(identity));
    }
  }
  if (identities.size() == 1) return *identities.begin();
  std::vector<grpc::string_ref> cn =
      auth.FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME);
  const std::string subject =
      cn.empty()
          ? "the peer's certificate"
          : absl::StrCat("the certificate of '",
                         absl::string_view(cn[0].data(), cn[0].size()), "'");
  if (identities.empty()) {
    return absl::PermissionDeniedError(absl::StrCat(
        subject, " names no scalebench identity (SAN URI ", kIdentityUriPrefix,
        kWorkersPrefix, "ID or ", kIdentityUriPrefix, kClientsPrefix, "NAME)"));
  }
  return absl::PermissionDeniedError(
      absl::StrCat(subject, " names more than one scalebench identity: ",
                   absl::StrJoin(identities, ", ")));
}

namespace {

// Whether a peer that presented no certificate came over TLS (which
// requires one, so it may do nothing) rather than over a plaintext server,
// which MakeServerCredentials allows on loopback only.
bool IsTlsPeer(const grpc::AuthContext& auth) {
  for (const grpc::string_ref& type :
       auth.FindPropertyValues(GRPC_TRANSPORT_SECURITY_TYPE_PROPERTY_NAME)) {
    if (absl::string_view(type.data(), type.size()) ==
        GRPC_SSL_TRANSPORT_SECURITY_TYPE) {
      return true;
    }
  }
  return false;
}

}  // namespace

absl::Status CheckUserIdentity(const grpc::AuthContext& auth) {
  if (!auth.IsPeerAuthenticated()) {
    if (IsTlsPeer(auth)) {
      return absl::PermissionDeniedError(
          "a TLS peer without a certificate may not use the coordinator "
          "service");
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> identity = PeerIdentity(auth);
  if (!identity.ok()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "may not use the coordinator service: ", identity.status().message()));
  }
  if (!absl::StartsWith(*identity, kClientsPrefix)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the peer's certificate names '", *identity,
        "', a worker: workers may call only WorkerService.Synchronize; the "
        "coordinator service takes a user's certificate (",
        kIdentityUriPrefix, kClientsPrefix, "NAME)"));
  }
  return absl::OkStatus();
}

absl::Status CheckWorkerIdentity(const grpc::AuthContext& auth,
                                 absl::string_view worker_id) {
  if (!auth.IsPeerAuthenticated()) {
    if (IsTlsPeer(auth)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "a TLS peer without a certificate may not act as worker '", worker_id,
          "'"));
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> identity = PeerIdentity(auth);
  if (!identity.ok()) {
    return absl::PermissionDeniedError(
        absl::StrCat("may not act as worker '", worker_id,
                     "': ", identity.status().message()));
  }
  if (*identity != absl::StrCat(kWorkersPrefix, worker_id)) {
    return absl::PermissionDeniedError(
        absl::StrCat("the peer's certificate names '", *identity,
                     "', so it may not act as worker '", worker_id, "'"));
  }
  return absl::OkStatus();
}

}  // namespace scalebench
