#include "worker/observe/start_observer.h"

#include <algorithm>
#include <optional>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status_macros.h"
#include "worker/observe/first_requests.h"
#include "worker/observe/pcap_packet_source.h"

namespace scalebench::worker {
namespace {

// The capture thread reads the clock at least this often, whatever the
// packet source does with its timeout.
constexpr absl::Duration kMaxPollWait = absl::Milliseconds(100);

// The capture filter `request` asks for, before the sources are added.
absl::StatusOr<CaptureFilter> FilterFor(const ObserveRequest& request) {
  CaptureFilter filter;
  if (request.port == 0) {
    return absl::InvalidArgumentError("port: the balancer's port is required");
  }
  filter.port = request.port;
  if (request.max_wait <= absl::ZeroDuration() ||
      request.max_wait > kMaxObserveWait) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_wait: ", absl::FormatDuration(request.max_wait),
                     ", must be more than 0 and at most ",
                     absl::FormatDuration(kMaxObserveWait)));
  }
  if (!request.listen_address.empty() && request.listen_address != "0.0.0.0") {
    filter.destination = ParseIpv4(request.listen_address);
    if (!filter.destination.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("listen_address: \"", request.listen_address,
                       "\" is not an IPv4 address"));
    }
  }
  return filter;
}

class CapturingStartObserver final : public StartObserver {
 public:
  CapturingStartObserver(Clock* clock, PacketSourceFactory capture)
      : clock_(clock), capture_(std::move(capture)) {}

  CapturingStartObserver(const CapturingStartObserver&) = delete;
  CapturingStartObserver& operator=(const CapturingStartObserver&) = delete;

  ~CapturingStartObserver() override { (void)End(); }

  absl::Status Begin(const ObserveRequest& request) override {
    if (begun_) {
      return absl::FailedPreconditionError(
          "the start observer has already observed once");
    }
    ASSIGN_OR_RETURN(CaptureFilter filter, FilterFor(request));
    ASSIGN_OR_RETURN(FirstRequests first,
                     FirstRequests::Create(request.sources));
    filter.sources = first.Awaited();
    // No source can be seen: nothing to capture (an empty source list
    // would capture every client).
    std::unique_ptr<PacketSource> source;
    if (!first.done()) {
      ASSIGN_OR_RETURN(source, capture_(filter));
    }
    deadline_ = clock_->Monotonic() + request.max_wait;
    filter_ = std::move(filter);
    begun_ = true;
    {
      absl::MutexLock lock(&mu_);
      first_ = std::move(first);
      source_ = std::move(source);
      if (source_ == nullptr) return absl::OkStatus();
    }
    thread_ = std::thread(&CapturingStartObserver::Capture, this);
    return absl::OkStatus();
  }

  std::vector<v1::ObservedStart> End() override {
    if (!begun_) return {};
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
      if (source_ != nullptr) source_->Interrupt();
    }
    if (thread_.joinable()) thread_.join();
    absl::MutexLock lock(&mu_);
    return first_->Observed();
  }

  absl::Status capture_status() const override {
    absl::MutexLock lock(&mu_);
    return capture_status_;
  }

 private:
  // The capture thread: reads segments until every source was seen,
  // max_wait has passed, End asked it to stop (then it reads once more
  // without waiting, for what the kernel received before End), or the
  // capture failed; then closes the capture.
  void Capture() {
    PacketSource* source = nullptr;
    {
      absl::MutexLock lock(&mu_);
      source = source_.get();
    }
    for (;;) {
      const bool stopping = StopRequested();
      const absl::Duration left = deadline_ - clock_->Monotonic();
      if (!stopping && left <= absl::ZeroDuration()) break;
      absl::StatusOr<std::vector<DataSegment>> segments = source->Wait(
          stopping ? absl::ZeroDuration() : std::min(left, kMaxPollWait));
      std::optional<std::vector<Ipv4Address>> awaited;
      {
        absl::MutexLock lock(&mu_);
        if (!segments.ok()) {
          capture_status_ = segments.status();
          break;
        }
        const int unseen = first_->unseen();
        for (const DataSegment& segment : *segments) first_->Record(segment);
        if (stopping || first_->done()) break;
        if (first_->unseen() < unseen) awaited = first_->Awaited();
      }
      if (awaited.has_value()) {
        // Narrower, so that the sources already seen cost nothing more;
        // should it fail, the wider filter stays and the extra segments
        // are ignored.
        filter_.sources = *std::move(awaited);
        (void)source->Refilter(filter_);
      }
    }
    absl::MutexLock lock(&mu_);
    source_.reset();
  }

  bool StopRequested() const {
    absl::MutexLock lock(&mu_);
    return stop_;
  }

  Clock* const clock_;
  const PacketSourceFactory capture_;
  // Set by Begin before the capture thread starts; then the thread's.
  absl::Duration deadline_;
  CaptureFilter filter_;
  std::thread thread_;
  // The calling thread's: Begin has succeeded.
  bool begun_ = false;

  mutable absl::Mutex mu_;
  std::optional<FirstRequests> first_ ABSL_GUARDED_BY(mu_);
  // The capture's, until the capture thread closes it.
  std::unique_ptr<PacketSource> source_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status capture_status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<StartObserver> MakeStartObserver(Clock* clock,
                                                 PacketSourceFactory capture) {
  return std::make_unique<CapturingStartObserver>(clock, std::move(capture));
}

std::unique_ptr<StartObserver> MakePcapStartObserver(Clock* clock) {
  return MakeStartObserver(clock, &OpenPcapPacketSource);
}

}  // namespace scalebench::worker
