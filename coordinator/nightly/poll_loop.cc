#include "coordinator/nightly/poll_loop.h"

#include <utility>

namespace scalebench::coordinator {

void PollLoop::Start(absl::Duration period, std::function<void()> pass) {
  thread_ = std::thread([this, period, pass = std::move(pass)] {
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        mu_.AwaitWithTimeout(absl::Condition(&stop_), period);
        if (stop_) return;
      }
      pass();
    }
  });
}

void PollLoop::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace scalebench::coordinator
