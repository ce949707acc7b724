#include "results/shared_cores.h"

#include <map>
#include <set>

#include "absl/status/statusor.h"
#include "common/flag_values.h"

namespace scalebench::results {

std::vector<SharedCore> SharedCores(const v1::TrialResult& trial) {
  std::vector<SharedCore> shared;
  for (const v1::WorkerResult& host : trial.raw()) {
    // Ordered, so the lines read the same in every run.
    std::map<int, std::set<std::string>> roles_by_core;
    for (const auto& [role, text] : host.environment().pinning()) {
      absl::StatusOr<std::vector<int>> cores = ParseCpuListText(text);
      if (!cores.ok()) continue;
      for (int core : *cores) roles_by_core[core].insert(role);
    }
    for (const auto& [core, roles] : roles_by_core) {
      if (roles.size() < 2) continue;
      shared.push_back(
          SharedCore{host.worker_id(), core, {roles.begin(), roles.end()}});
    }
  }
  return shared;
}

}  // namespace scalebench::results
