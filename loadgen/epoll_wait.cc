#include "loadgen/epoll_wait.h"

#include <errno.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <climits>

namespace scalebench::loadgen {
namespace {

enum Mode : int { kUndecided, kPwait2, kEpollWait };

std::atomic<int> mode{kUndecided};
std::atomic<void (*)()> before_wait{nullptr};

int WaitMillis(int epoll_fd, epoll_event* events, int max_events,
               int64_t timeout_ns) {
  // Rounded up: waking early would only spin until the deadline.
  const int64_t ms = (timeout_ns + 999'999) / 1'000'000;
  return epoll_wait(epoll_fd, events, max_events,
                    static_cast<int>(std::min<int64_t>(ms, INT_MAX)));
}

}  // namespace

int WaitForEvents(int epoll_fd, epoll_event* events, int max_events,
                  int64_t timeout_ns) {
  if (void (*hook)() = before_wait.load(std::memory_order_relaxed)) hook();
  const int m = mode.load(std::memory_order_relaxed);
  if (m != kEpollWait) {
    const timespec timeout = {
        static_cast<time_t>(timeout_ns / 1'000'000'000),
        static_cast<long>(timeout_ns % 1'000'000'000)};  // NOLINT(runtime/int)
    const int n = epoll_pwait2(epoll_fd, events, max_events, &timeout, nullptr);
    if (n >= 0 || errno != ENOSYS) {
      if (m == kUndecided) mode.store(kPwait2, std::memory_order_relaxed);
      return n;
    }
    mode.store(kEpollWait, std::memory_order_relaxed);
  }
  return WaitMillis(epoll_fd, events, max_events, timeout_ns);
}

bool UsingEpollWaitFallback() {
  return mode.load(std::memory_order_relaxed) == kEpollWait;
}

void TEST_ForceEpollWaitFallback() {
  mode.store(kEpollWait, std::memory_order_relaxed);
}

void TEST_SetBeforeWaitHook(void (*hook)()) {
  before_wait.store(hook, std::memory_order_relaxed);
}

}  // namespace scalebench::loadgen
