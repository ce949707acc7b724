// SIGINT and SIGTERM, taken by one thread with sigwait instead of killing
// the process in the middle of its work (the worker in the middle of a
// phase, the coordinator in the middle of a transaction). Shared by every
// daemon's main. BlockStopSignals() must run before any thread starts
// (threads inherit the mask). Thread-safe.
#ifndef SCALEBENCH_COMMON_STOP_SIGNALS_H_
#define SCALEBENCH_COMMON_STOP_SIGNALS_H_

#include <signal.h>

namespace scalebench {

// {SIGINT, SIGTERM}.
inline sigset_t StopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}

// Blocks them in the calling thread (and so in every thread it starts
// later), and ignores SIGPIPE: a peer closing a socket is an error return.
inline void BlockStopSignals() {
  const sigset_t signals = StopSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

}  // namespace scalebench

#endif  // SCALEBENCH_COMMON_STOP_SIGNALS_H_
