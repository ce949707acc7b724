// Waiting on an epoll set with a nanosecond timeout: epoll_pwait2 (Linux
// 5.11 and later), or on older kernels, which answer it with ENOSYS,
// epoll_wait with the timeout rounded up to whole milliseconds. Which one
// is decided once per process, on the first wait. Thread-safe.
#ifndef SCALEBENCH_LOADGEN_EPOLL_WAIT_H_
#define SCALEBENCH_LOADGEN_EPOLL_WAIT_H_

#include <sys/epoll.h>

#include <cstdint>

namespace scalebench::loadgen {

// As epoll_pwait2 with no signal mask: the number of events written to
// `events`, 0 on timeout, -1 with errno set on failure (EINTR included).
int WaitForEvents(int epoll_fd, epoll_event* events, int max_events,
                  int64_t timeout_ns);

// Whether this process waits with epoll_wait (the kernel lacks
// epoll_pwait2, or a test forced it).
bool UsingEpollWaitFallback();

// Test-only: use epoll_wait from now on, as on a kernel before 5.11.
void TEST_ForceEpollWaitFallback();

// Test-only: calls `hook` (or nothing, when null) on the waiting thread
// before every wait, to let a test arrange what the wait will see.
void TEST_SetBeforeWaitHook(void (*hook)());

}  // namespace scalebench::loadgen

#endif  // SCALEBENCH_LOADGEN_EPOLL_WAIT_H_
