#include "coordinator/nightly/webhook_notifier.h"

#include <curl/curl.h>

#include <algorithm>
#include <iostream>
#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "coordinator/nightly/webhook_url.h"

namespace scalebench::coordinator {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Discards the answer's body: only its status matters.
size_t Discard(char* /*data*/, size_t size, size_t count, void* /*user*/) {
  return size * count;
}

}  // namespace

CurlWebhookPoster::CurlWebhookPoster(absl::Duration timeout)
    : timeout_(timeout) {
  InitCurlOnce();
}

absl::StatusOr<int> CurlWebhookPoster::Post(const std::string& url,
                                            const std::string& json,
                                            const std::string& key) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers,
                              absl::StrCat("Idempotency-Key: ", key).c_str());
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(json.size()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(timeout_)));
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat("POST ", RedactedWebhookUrl(url),
                                               ": ", curl_easy_strerror(code)));
  }
  return static_cast<int>(status);
}

absl::Duration Backoff(int attempts, const WebhookNotifierOptions& options) {
  absl::Duration wait = options.initial_backoff;
  for (int i = 1; i < attempts && wait < options.max_backoff; ++i) wait *= 2;
  return std::min(wait, options.max_backoff);
}

WebhookNotifier::WebhookNotifier(Stores* store, Clock* clock,
                                 WebhookPoster* poster,
                                 WebhookNotifierOptions options)
    : store_(store), clock_(clock), poster_(poster), options_(options) {}

WebhookNotifier::~WebhookNotifier() { Stop(); }

int WebhookNotifier::RunOnce() {
  absl::StatusOr<std::vector<OutboxEntry>> due =
      store_->outbox().DueNotifications(clock_->Wall(), options_.batch);
  if (!due.ok()) {
    std::cerr << "scalebench-coordinator: notifications: " << due.status()
              << "\n";
    return 0;
  }
  int sent = 0;
  for (const OutboxEntry& entry : *due) {
    absl::StatusOr<int> status =
        poster_->Post(entry.url, entry.payload, entry.event_key);
    absl::Status stored;
    if (status.ok() && *status >= 200 && *status < 300) {
      stored = store_->outbox().MarkNotificationSent(entry.id);
      if (stored.ok()) ++sent;
    } else {
      const std::string error =
          status.ok() ? absl::StrCat("POST ", RedactedWebhookUrl(entry.url),
                                     ": HTTP ", *status)
                      : std::string(status.status().message());
      const absl::Duration wait = Backoff(entry.attempts + 1, options_);
      std::cerr << "scalebench-coordinator: notification " << entry.event_key
                << ": " << error << "; trying again in " << wait << "\n";
      stored = store_->outbox().DeferNotification(entry.id, error,
                                                  clock_->Wall() + wait);
    }
    if (!stored.ok()) {
      std::cerr << "scalebench-coordinator: notification " << entry.event_key
                << ": " << stored << "\n";
    }
  }
  return sent;
}

void WebhookNotifier::Start() {
  // A poll period, not timing logic: what is due is read off clock_.
  loop_.Start(options_.tick, [this] { RunOnce(); });
}

void WebhookNotifier::Stop() { loop_.Stop(); }

}  // namespace scalebench::coordinator
