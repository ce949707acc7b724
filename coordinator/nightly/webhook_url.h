// How a webhook URL appears in logs, errors and stored delivery errors: a
// webhook URL is a bearer secret (its path or query often is the token),
// so only its scheme and host are shown, with a short hash of the whole
// URL to tell two webhooks on one host apart. The one place that decides
// it: everything that logs a webhook URL calls RedactedWebhookUrl.
// Stateless; thread-safe.
#ifndef SCALEBENCH_COORDINATOR_NIGHTLY_WEBHOOK_URL_H_
#define SCALEBENCH_COORDINATOR_NIGHTLY_WEBHOOK_URL_H_

#include <string>

#include "absl/strings/string_view.h"

namespace scalebench::coordinator {

// "https://hooks.example.com (url #1a2b3c4d)": the scheme and host (with
// its port; user information dropped), and the first 8 hex digits of the
// URL's 64-bit FNV-1a hash, stable across runs and builds. A text with no
// "scheme://" shows only the hash: "(url #1a2b3c4d)".
std::string RedactedWebhookUrl(absl::string_view url);

}  // namespace scalebench::coordinator

#endif  // SCALEBENCH_COORDINATOR_NIGHTLY_WEBHOOK_URL_H_
