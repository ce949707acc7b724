#include "worker/observe/testing/fake_capture.h"

#include <memory>
#include <utility>

namespace scalebench::worker {

class FakeCapture::Source final : public PacketSource {
 public:
  explicit Source(FakeCapture* capture) : capture_(capture) {}
  ~Source() override { capture_->Close(); }

  absl::StatusOr<std::vector<DataSegment>> Wait(
      absl::Duration timeout) override {
    return capture_->Wait(timeout);
  }
  absl::Status Refilter(const CaptureFilter& filter) override {
    capture_->Refilter(filter);
    return absl::OkStatus();
  }
  void Interrupt() override { capture_->Interrupt(); }

 private:
  FakeCapture* const capture_;
};

PacketSourceFactory FakeCapture::Factory() {
  return [this](const CaptureFilter& filter)
             -> absl::StatusOr<std::unique_ptr<PacketSource>> {
    absl::MutexLock lock(&mu_);
    if (open_error_.has_value()) return *open_error_;
    ++opened_;
    closed_ = false;
    filters_.push_back(filter);
    return std::make_unique<Source>(this);
  };
}

void FakeCapture::FailOpen(absl::Status status) {
  absl::MutexLock lock(&mu_);
  open_error_ = std::move(status);
}

void FakeCapture::Deliver(std::vector<DataSegment> segments) {
  absl::MutexLock lock(&mu_);
  received_.insert(received_.end(), segments.begin(), segments.end());
  ++releases_;
}

void FakeCapture::Stage(std::vector<DataSegment> segments) {
  absl::MutexLock lock(&mu_);
  received_.insert(received_.end(), segments.begin(), segments.end());
}

void FakeCapture::TimeOut() {
  absl::MutexLock lock(&mu_);
  ++releases_;
}

void FakeCapture::Fail(absl::Status status) {
  absl::MutexLock lock(&mu_);
  failure_ = std::move(status);
}

void FakeCapture::AwaitWaits(int count) {
  absl::MutexLock lock(&mu_);
  auto reached = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return static_cast<int>(timeouts_.size()) >= count;
  };
  mu_.Await(absl::Condition(&reached));
}

void FakeCapture::AwaitClosed() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(&closed_));
}

std::vector<absl::Duration> FakeCapture::timeouts() const {
  absl::MutexLock lock(&mu_);
  return timeouts_;
}

std::vector<CaptureFilter> FakeCapture::filters() const {
  absl::MutexLock lock(&mu_);
  return filters_;
}

int FakeCapture::opened() const {
  absl::MutexLock lock(&mu_);
  return opened_;
}

bool FakeCapture::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

int FakeCapture::interrupts() const {
  absl::MutexLock lock(&mu_);
  return interrupts_;
}

absl::StatusOr<std::vector<DataSegment>> FakeCapture::Wait(
    absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  timeouts_.push_back(timeout);
  if (timeout > absl::ZeroDuration()) {
    auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return releases_ > 0 || interrupted_ || failure_.has_value();
    };
    mu_.Await(absl::Condition(&woken));
  }
  if (failure_.has_value()) return *failure_;
  // Woken by Interrupt alone: as when the wake-up is noticed before the
  // segments the kernel holds are read.
  const bool interrupted_only =
      timeout > absl::ZeroDuration() && interrupted_ && releases_ == 0;
  interrupted_ = false;
  if (interrupted_only) return std::vector<DataSegment>();
  if (releases_ > 0) --releases_;
  return std::exchange(received_, {});
}

void FakeCapture::Interrupt() {
  absl::MutexLock lock(&mu_);
  interrupted_ = true;
  ++interrupts_;
}

void FakeCapture::Refilter(const CaptureFilter& filter) {
  absl::MutexLock lock(&mu_);
  filters_.push_back(filter);
}

void FakeCapture::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

}  // namespace scalebench::worker
