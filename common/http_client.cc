#include "common/http_client.h"

#include <curl/curl.h>

#include <cstdio>
#include <memory>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace scalebench {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Sink {
  HttpResponse* response;
  size_t limit;
};

size_t Append(char* data, size_t size, size_t count, void* user) {
  Sink* sink = static_cast<Sink*>(user);
  const size_t n = size * count;
  std::string& body = sink->response->body;
  const size_t room = sink->limit - std::min(sink->limit, body.size());
  if (n > room) sink->response->truncated = true;
  body.append(data, std::min(n, room));
  return n;
}

long Milliseconds(absl::Duration d) {
  return static_cast<long>(absl::ToInt64Milliseconds(d));
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct FileCloser {
  void operator()(FILE* file) const { std::fclose(file); }
};

}  // namespace

absl::StatusOr<HttpResponse> SendHttpRequest(const HttpRequest& request) {
  InitCurlOnce();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  CURL* c = curl.get();
  HttpResponse response;
  Sink sink{&response, request.max_response_bytes};
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  if (!request.unix_socket.empty()) {
    curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, request.unix_socket.c_str());
  }
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   Milliseconds(request.connect_timeout));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, Milliseconds(request.timeout));
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, request.protocols.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  std::unique_ptr<FILE, FileCloser> body_file;
  if (!request.body_file.empty()) {
    body_file.reset(std::fopen(request.body_file.c_str(), "rb"));
    if (body_file == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("cannot open ", request.body_file));
    }
    std::fseek(body_file.get(), 0, SEEK_END);
    const long size = std::ftell(body_file.get());
    std::fseek(body_file.get(), 0, SEEK_SET);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READDATA, body_file.get());
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
                     static_cast<curl_off_t>(size));
  } else if (request.method == "POST" || !request.body.empty()) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_slist* list = nullptr;
  for (const std::string& header : request.headers) {
    list = curl_slist_append(list, header.c_str());
  }
  list = curl_slist_append(list, "Expect:");
  std::unique_ptr<curl_slist, SlistDeleter> headers(list);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  const CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    return absl::UnavailableError(curl_easy_strerror(code));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

absl::StatusOr<HttpResponse> HttpGet(const std::string& url,
                                     absl::Duration timeout) {
  HttpRequest request;
  request.url = url;
  request.timeout = timeout;
  return SendHttpRequest(request);
}

std::string UrlEscape(absl::string_view text) {
  // libcurl ignores the handle since 7.82 (Debian 12 has 7.88).
  char* escaped =
      curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  std::string result = escaped != nullptr ? escaped : "";
  curl_free(escaped);
  return result;
}

}  // namespace scalebench
