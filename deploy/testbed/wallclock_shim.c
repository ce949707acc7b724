// An LD_PRELOAD shim for the testbed (deploy/testbed/clock.sh): the wall
// clock a process reads (clock_gettime of CLOCK_REALTIME and
// CLOCK_REALTIME_COARSE, gettimeofday, time) is the kernel's plus an
// offset in nanoseconds, read from the file SBTB_CLOCK_FILE names
// ("+300000000"). The file is read again at the first wall-clock read of
// each new second of the kernel's clock, so a step written there (by a
// rename, never in place) reaches the process within a second; a file
// that cannot be read keeps the last offset. Nothing else changes: the
// monotonic clocks and every sleep and wait are the kernel's. (libfaketime
// does more, and converts absolute sleeps on CLOCK_MONOTONIC as if that
// clock were faked even with FAKETIME_DONT_FAKE_MONOTONIC=1, so a load
// generator's clock_nanosleep until its start returned at once.)
// Thread-safe: the offset is one atomic word, and one thread at a time
// re-reads the file.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const int64_t kNsPerS = 1000000000;

static _Atomic int64_t offset_ns;
// The kernel-clock second from which the file is read again.
static _Atomic int64_t next_read_s;

typedef int (*ClockGettime)(clockid_t, struct timespec*);

static int kernel_clock_gettime(clockid_t id, struct timespec* ts) {
  static _Atomic(ClockGettime) next;
  ClockGettime f = atomic_load_explicit(&next, memory_order_acquire);
  if (f == NULL) {
    f = (ClockGettime)dlsym(RTLD_NEXT, "clock_gettime");
    if (f == NULL) return (int)syscall(SYS_clock_gettime, id, ts);
    atomic_store_explicit(&next, f, memory_order_release);
  }
  return f(id, ts);
}

static void read_offset(void) {
  const char* path = getenv("SBTB_CLOCK_FILE");
  if (path == NULL) return;
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char text[32];
  const ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return;
  text[n] = '\0';
  char* end = NULL;
  const long long value = strtoll(text, &end, 10);
  if (end == text) return;
  atomic_store_explicit(&offset_ns, value, memory_order_relaxed);
}

static int64_t offset_at(int64_t kernel_s) {
  int64_t next = atomic_load_explicit(&next_read_s, memory_order_relaxed);
  if (kernel_s >= next &&
      atomic_compare_exchange_strong(&next_read_s, &next, kernel_s + 1)) {
    read_offset();
  }
  return atomic_load_explicit(&offset_ns, memory_order_relaxed);
}

static void shift(struct timespec* ts) {
  int64_t ns = (int64_t)ts->tv_sec * kNsPerS + ts->tv_nsec +
               offset_at(ts->tv_sec);
  ts->tv_sec = (time_t)(ns / kNsPerS);
  ts->tv_nsec = (long)(ns % kNsPerS);
  if (ts->tv_nsec < 0) {
    ts->tv_nsec += kNsPerS;
    ts->tv_sec -= 1;
  }
}

int clock_gettime(clockid_t id, struct timespec* ts) {
  const int rc = kernel_clock_gettime(id, ts);
  if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) {
    shift(ts);
  }
  return rc;
}

int gettimeofday(struct timeval* restrict tv, void* restrict tz) {
  (void)tz;  // Obsolete; Linux fills it with zeros, which callers ignore.
  struct timespec ts;
  const int rc = clock_gettime(CLOCK_REALTIME, &ts);
  if (rc == 0) {
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
  }
  return rc;
}

time_t time(time_t* out) {
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return (time_t)-1;
  if (out != NULL) *out = ts.tv_sec;
  return ts.tv_sec;
}
