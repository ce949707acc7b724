// Delivers the store's outbox of notifications (nightly verdicts, change
// points, failed runs) to webhooks: each entry is POSTed as JSON with an
// Idempotency-Key header (its event key) until a webhook answers 2xx,
// retrying with exponential backoff. An entry is marked sent only after
// the answer, so delivery survives restarts: a coordinator killed while a
// POST is in flight sends it again on restart, with the same key, and a
// receiver that keys on it sees the event once (docs/nightly.md).
// Thread-safe.
#ifndef SCALEBENCH_COORDINATOR_NIGHTLY_WEBHOOK_NOTIFIER_H_
#define SCALEBENCH_COORDINATOR_NIGHTLY_WEBHOOK_NOTIFIER_H_

#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "coordinator/nightly/poll_loop.h"
#include "coordinator/store/stores.h"

namespace scalebench::coordinator {

// Sends one POST; the seam the notifier is tested through.
class WebhookPoster {
 public:
  virtual ~WebhookPoster() = default;
  // POSTs `json` to `url` with Content-Type application/json and
  // Idempotency-Key `key`. Returns the HTTP status of the answer, or
  // UNAVAILABLE when there was none (refused, timed out, bad URL), whose
  // message shows the URL only as RedactedWebhookUrl does.
  virtual absl::StatusOr<int> Post(const std::string& url,
                                   const std::string& json,
                                   const std::string& key) = 0;
};

// WebhookPoster over libcurl: one connection per POST, answer within
// `timeout`. Thread-safe.
class CurlWebhookPoster final : public WebhookPoster {
 public:
  explicit CurlWebhookPoster(absl::Duration timeout = absl::Seconds(10));
  absl::StatusOr<int> Post(const std::string& url, const std::string& json,
                           const std::string& key) override;

 private:
  const absl::Duration timeout_;
};

struct WebhookNotifierOptions {
  // Longest the thread waits between passes. Default 1 s.
  absl::Duration tick = absl::Seconds(1);
  // The wait after the first failed delivery, doubling with each further
  // failure up to max_backoff. Defaults 1 s and 10 min.
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(10);
  // Entries tried per pass. Default 20.
  int batch = 20;
};

// The wait before the next try of an entry that has failed `attempts`
// times (>= 1): initial * 2^(attempts - 1), at most max.
absl::Duration Backoff(int attempts, const WebhookNotifierOptions& options);

class WebhookNotifier final {
 public:
  // The pointers outlive the notifier.
  WebhookNotifier(Stores* store, Clock* clock, WebhookPoster* poster,
                  WebhookNotifierOptions options = {});
  // Stop().
  ~WebhookNotifier();
  WebhookNotifier(const WebhookNotifier&) = delete;
  WebhookNotifier& operator=(const WebhookNotifier&) = delete;

  // One pass: tries every entry due at the clock's wall time; a 2xx marks
  // it sent, anything else defers it by Backoff. Returns how many were
  // sent. Failed deliveries and store errors are logged, naming the URL
  // only as RedactedWebhookUrl (it is a secret).
  int RunOnce();

  // Runs passes on a thread until Stop(). Stop is idempotent.
  void Start();
  void Stop();

 private:
  Stores* const store_;
  Clock* const clock_;
  WebhookPoster* const poster_;
  const WebhookNotifierOptions options_;

  PollLoop loop_;
};

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_NIGHTLY_WEBHOOK_NOTIFIER_H_
