// `scalebench history NAME`: a schedule's nightly series per
// configuration, from the coordinator's stored runs, with the change
// points found in each (results/nightly_history.h): the night each shift
// began, its size and its significance. No global state.
#ifndef SCALEBENCH_CLI_HISTORY_COMMAND_H_
#define SCALEBENCH_CLI_HISTORY_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "analysis/change_points.h"
#include "cli/client.h"
#include "common/command_line.h"
#include "results/nightly_history.h"

namespace scalebench::cli {

struct HistoryFlags {
  ClientFlags client;
  OutputFormat output = OutputFormat::kText;
  // NAME: "nightly" or "schedules/nightly".
  std::string schedule;
  // COLUMN=VALUE[,VALUE...] filters on the configurations' factors, all of
  // which must hold.
  std::vector<std::string> configurations;
  std::string metric = "requests_per_s";
  // --significance, --permutations and --min-segment; the defaults are
  // analysis::ChangePointOptions'.
  analysis::ChangePointOptions change_points;
};

// Adds the command's argument and flags, with its manual as the footer.
void AddHistoryFlags(CLI::App& history, HistoryFlags* flags);

// Returns kExitOk; kExitBadInput for a bad argument or flag or an unknown
// schedule; kExitRunFailed when the coordinator cannot be reached.
int RunHistory(const HistoryFlags& flags, std::ostream& out, std::ostream& err);

// The histories as text: per configuration a line, then one row per night
// with the shifts marked.
void PrintHistoryText(const std::string& schedule, const std::string& metric,
                      const std::vector<results::ConfigurationHistory>& history,
                      std::ostream& out);

// The histories as one JSON document (docs/cli.md).
std::string HistoryJson(
    const std::string& schedule, const std::string& metric,
    const std::vector<results::ConfigurationHistory>& history);

}  // namespace scalebench::cli

#endif  // SCALEBENCH_CLI_HISTORY_COMMAND_H_
