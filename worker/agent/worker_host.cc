#include "worker/agent/worker_host.h"

#include <filesystem>
#include <utility>

#include "api/resource_names.h"
#include "worker/agent/worker_defaults.h"
#include "worker/host_facts.h"

namespace scalebench::worker {

void AddWorkerFlags(CLI::App& app, WorkerFlags* flags,
                    const std::string& name_default) {
  app.add_option("--name", flags->name,
                 "this worker's id, part of every id it gives (default: " +
                     name_default + ")")
      ->type_name("NAME");
  app.add_option("--state-dir", flags->state_dir,
                 "pid files, configs and the result spool, held by one "
                 "worker at a time; what an earlier worker left there is "
                 "removed first (default " +
                     DefaultStateDir() + ")")
      ->type_name("DIR");
  app.add_option("--runtime-dir", flags->runtime_dir,
                 "where the targets' and balancers' configs, pages and pid "
                 "files go (default: the state dir when nginx's workers, "
                 "as nobody under root, can reach it, else "
                 "/run/scalebench/NAME-HASH, removed when the worker stops)")
      ->type_name("DIR");
  app.add_option("--listen-address", flags->listen_address,
                 "where targets and the balancer listen (default 127.0.0.1)")
      ->type_name("ADDR");
  AddCpuListOption(app, "--cpus", &flags->cpus,
                   "the cores scalebench may use (default: all this process "
                   "may run on)");
  app.add_option("--docker-host", flags->drivers.docker_host,
                 "the Docker engine, unix:///path (default: DOCKER_HOST, "
                 "else unix:///var/run/docker.sock)")
      ->type_name("URL");
  app.add_option("--qemu-images", flags->drivers.qemu_image_dir,
                 "the qemu guests' images, from "
                 "deploy/images/build-qemu-images.sh (default: the build "
                 "tree's images/qemu)")
      ->type_name("DIR");
}

WorkerHost::WorkerHost(WorkerContext context, StateDirLock lock)
    : context_(std::move(context)), lock_(std::move(lock)) {}

WorkerHost::~WorkerHost() {
  // The drivers go before the runtime dir is released, and the lock last.
  drivers_.reset();
  release_.reset();
}

absl::StatusOr<std::unique_ptr<WorkerHost>> WorkerHost::Open(
    const WorkerFlags& flags, const std::string& default_name, Clock* clock) {
  WorkerContext context;
  context.clock = clock;
  context.name = flags.name.empty() ? default_name : flags.name;
  if (absl::Status s = api::ValidateId(context.name, "--name"); !s.ok()) {
    return s;
  }
  context.owner = "scalebench-" + context.name;
  // Absolute: targets and balancers read their files from other working
  // directories.
  context.state_dir =
      std::filesystem::absolute(flags.state_dir.empty() ? DefaultStateDir()
                                                        : flags.state_dir)
          .lexically_normal()
          .string();
  // Before anything else touches the state dir: another worker's live
  // targets must not be "recovered".
  absl::StatusOr<StateDirLock> lock = StateDirLock::Acquire(context.state_dir);
  if (!lock.ok()) return lock.status();
  if (absl::Status s = PrepareStateDir(context.state_dir); !s.ok()) return s;
  absl::StatusOr<std::string> runtime_dir =
      ResolveRuntimeDir(context.state_dir, context.name, flags.runtime_dir);
  if (!runtime_dir.ok()) return runtime_dir.status();
  context.runtime_dir = *runtime_dir;

  auto host = std::unique_ptr<WorkerHost>(
      new WorkerHost(std::move(context), *std::move(lock)));
  // Whatever happens later, an empty runtime dir of our own goes when the
  // worker does.
  host->release_.emplace(host->context_);
  host->drivers_ = MakeDrivers(host->context_, flags.drivers);
  host->cpus_ = flags.cpus.empty() ? AllowedCpus() : flags.cpus;
  return host;
}

}  // namespace scalebench::worker
