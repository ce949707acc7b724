// What starting a target or a balancer would do, spelled out: the files it
// writes and the commands it runs. Drivers return one from Plan() without
// starting anything, for `run-trial --dry-run`, and follow the same plan in
// Start(), so the dry run shows exactly what a real run does. Plain data.
#ifndef SCALEBENCH_WORKER_LAUNCH_PLAN_H_
#define SCALEBENCH_WORKER_LAUNCH_PLAN_H_

#include <string>
#include <vector>

namespace scalebench::worker {

struct LaunchPlan {
  // A generated file: an nginx or haproxy config, an xl domain config, the
  // JSON body of a Docker create request.
  struct File {
    std::string path;  // Where it is written (or, for an API body, a label).
    std::string contents;
  };
  // What the plan is for, one line: "target 0: nginx on cores 1, port 20001".
  std::string summary;
  std::vector<File> files;
  // Each command as its argument vector, in the order they run; API calls
  // are written as "POST /containers/create" and so on.
  std::vector<std::vector<std::string>> commands;
};

}  // namespace scalebench::worker

#endif  // SCALEBENCH_WORKER_LAUNCH_PLAN_H_
