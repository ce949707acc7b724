#include "coordinator/nightly/webhook_notifier.h"

#include <algorithm>
#include <iostream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/http_client.h"
#include "coordinator/nightly/webhook_url.h"

namespace scalebench::coordinator {
CurlWebhookPoster::CurlWebhookPoster(absl::Duration timeout)
    : timeout_(timeout) {}

absl::StatusOr<int> CurlWebhookPoster::Post(const std::string& url,
                                            const std::string& json,
                                            const std::string& key) {
  HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.headers = {"Content-Type: application/json",
                     absl::StrCat("Idempotency-Key: ", key)};
  request.body = json;
  request.connect_timeout = timeout_;
  request.timeout = timeout_;
  // Only the status matters; a receiver's page is not kept.
  request.max_response_bytes = 0;
  absl::StatusOr<HttpResponse> response = SendHttpRequest(request);
  if (!response.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "POST ", RedactedWebhookUrl(url), ": ", response.status().message()));
  }
  return static_cast<int>(response->status);
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
