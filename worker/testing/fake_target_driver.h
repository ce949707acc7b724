// Test doubles for the worker: a TargetDriver whose targets, and a Balancer
// whose balancer, are HTTP servers inside the test process, so trial logic
// is tested without a platform.
// Test-only. Thread-safe.
#ifndef SCALEBENCH_WORKER_TESTING_FAKE_TARGET_DRIVER_H_
#define SCALEBENCH_WORKER_TESTING_FAKE_TARGET_DRIVER_H_

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "worker/balancers/balancer.h"
#include "worker/targets/target_driver.h"

namespace scalebench::worker::testing {

// A keep-alive HTTP/1.1 server on 127.0.0.1:`port` answering every request
// with a body of `body_bytes` bytes: the stand-in for an nginx target.
class InProcessServer {
 public:
  InProcessServer(uint16_t port, size_t body_bytes);
  ~InProcessServer();
  InProcessServer(const InProcessServer&) = delete;
  InProcessServer& operator=(const InProcessServer&) = delete;
  // Whether it could listen.
  bool ok() const { return ok_; }

 private:
  void AcceptLoop();
  void Serve(int connection);

  std::string body_;
  int fd_ = -1;
  bool ok_ = false;
  std::atomic<bool> stop_{false};
  std::thread accept_thread_;
  std::vector<std::thread> connections_;
};

// The Instances of both fakes: InProcessServers by id, in this process.
// Recover has nothing to remove; WaitReady waits until the server answers
// (never, for one added without a server); Terminated is kStopped once
// stopped, nullopt while it runs.
class InProcessServers final : public Instances {
 public:
  // `clock` paces WaitReady(); the fakes' is the real one.
  explicit InProcessServers(Clock* clock = Clock::Real());

  // Adds `id`, served by `server` (null: it runs but never answers).
  void Add(const std::string& id, std::unique_ptr<InProcessServer> server);
  // How many run now.
  size_t size() const;

  absl::Status Recover() override { return absl::OkStatus(); }
  absl::Status Stop(const std::string& id) override;
  absl::StatusOr<std::vector<std::string>> List() override;
  absl::StatusOr<std::optional<Termination>> Terminated(
      const std::string& id) override;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<InProcessServer>> servers_
      ABSL_GUARDED_BY(mu_);
};

// A TargetDriver for PLATFORM_NATIVE whose targets are InProcessServers.
class FakeTargetDriver final : public TargetDriver {
 public:
  // A driver for `platform` (only its name differs).
  explicit FakeTargetDriver(v1::Platform platform = v1::PLATFORM_NATIVE)
      : platform_(platform) {}
  v1::Platform platform() const override { return platform_; }
  // OK, or FAILED_PRECONDITION with `unusable` when set.
  absl::Status CheckUsable() override;
  absl::StatusOr<LaunchPlan> Plan(const TargetLaunch& launch) override;
  // Its InProcessServer, or when `silent` none: it never answers.
  absl::StatusOr<Target> Start(const TargetLaunch& launch) override;

  // The start of the target with this index fails; -1 = none.
  std::atomic<int> fail_index{-1};
  // Targets start but never answer.
  std::atomic<bool> silent{false};
  // Why CheckUsable fails; empty = it passes. Set before use.
  std::string unusable;
  // Every launch started, in order.
  std::vector<TargetLaunch> launches() const;

 private:
  Instances& instances() override { return servers_; }

  const v1::Platform platform_;
  InProcessServers servers_;
  mutable absl::Mutex mu_;
  std::vector<TargetLaunch> launches_ ABSL_GUARDED_BY(mu_);
};

// A haproxy Balancer whose balancer is an InProcessServer on its port (it
// forwards nothing): records what it was asked to front.
class FakeBalancer final : public Balancer {
 public:
  v1::BalancerKind kind() const override { return v1::BALANCER_KIND_HAPROXY; }
  absl::Status CheckUsable() override { return absl::OkStatus(); }
  absl::StatusOr<LaunchPlan> Plan(const BalancerLaunch& launch) override;
  absl::StatusOr<Target> Start(const BalancerLaunch& launch) override;

  // Every launch started, in order, and those running now.
  std::vector<BalancerLaunch> launches() const;
  size_t running() const { return servers_.size(); }

 private:
  Instances& instances() override { return servers_; }

  InProcessServers servers_;
  mutable absl::Mutex mu_;
  std::vector<BalancerLaunch> launches_ ABSL_GUARDED_BY(mu_);
};

}  // namespace scalebench::worker::testing

#endif  // SCALEBENCH_WORKER_TESTING_FAKE_TARGET_DRIVER_H_
