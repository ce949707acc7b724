#include "platforms/xen/xen_domains.h"

#include <algorithm>
#include <iostream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace scalebench::worker {
namespace {

// What xl prints when the domain named on its command line does not
// exist (tools/xl/xl_utils.c, find_domain(); exit status 1).
constexpr char kNoSuchDomain[] = "is an invalid domain identifier";

// The first line of `xl list`.
constexpr char kXlListHeader[] = "Name ";

}  // namespace

std::vector<std::string> ParseXlList(absl::string_view text) {
  std::vector<std::string> names;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, kXlListHeader)) continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    // Name, ID, Mem, VCPUs, State, Time(s): anything shorter is not a row.
    if (fields.size() < 6) continue;
    names.emplace_back(fields[0]);
  }
  return names;
}

XenDomains::XenDomains(const WorkerContext& context, std::string xl,
                       absl::Duration command_timeout)
    : Instances(context),
      xl_(std::move(xl)),
      command_timeout_(command_timeout) {}

absl::StatusOr<os::ProgramOutput> XenDomains::RunXl(
    const std::vector<std::string>& args) {
  std::vector<std::string> argv = {xl_};
  argv.insert(argv.end(), args.begin(), args.end());
  os::RunOptions run;
  run.timeout = command_timeout_;
  return context().env->Run(argv, run);
}

bool XenDomains::IsOurs(absl::string_view name) const {
  absl::string_view rest = name;
  if (!absl::ConsumePrefix(&rest, context().owner) ||
      !absl::ConsumePrefix(&rest, "-t") || rest.empty()) {
    return false;
  }
  for (char c : rest) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

absl::StatusOr<std::vector<std::string>> XenDomains::List() {
  absl::StatusOr<os::ProgramOutput> output = RunXl({"list"});
  if (!output.ok()) return output.status();
  if (output->exit_code != 0) {
    return absl::UnavailableError(
        absl::StrCat("xl list ", os::DescribeOutcome(*output)));
  }
  std::vector<std::string> ours;
  for (std::string& name : ParseXlList(output->out)) {
    if (IsOurs(name)) ours.push_back(std::move(name));
  }
  return ours;
}

absl::Status XenDomains::Stop(const std::string& id) {
  if (!IsOurs(id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "xen: id \"", absl::CHexEscape(id), "\" is not this worker's (",
        context().owner, "-t<N>); refusing to destroy it"));
  }
  absl::StatusOr<os::ProgramOutput> output = RunXl({"destroy", id});
  if (!output.ok()) return output.status();
  if (output->exit_code == 0 || absl::StrContains(output->err, kNoSuchDomain)) {
    return absl::OkStatus();
  }
  return absl::InternalError(
      absl::StrCat("xl destroy ", id, " ", os::DescribeOutcome(*output)));
}

absl::Status XenDomains::Recover() {
  absl::StatusOr<std::vector<std::string>> ours = List();
  if (!ours.ok()) return ours.status();
  std::vector<std::string> failures;
  for (const std::string& name : *ours) {
    if (absl::Status s = Stop(name); !s.ok()) {
      failures.emplace_back(s.message());
    } else {
      // What an operator (and the nested host's test) looks for after a
      // worker died mid-trial.
      std::cerr << "scalebench-worker: xen: destroyed domain " << name
                << ", left by an earlier worker\n";
    }
  }
  if (!failures.empty()) {
    return absl::InternalError(
        absl::StrCat("xen: could not remove every earlier domain: ",
                     absl::StrJoin(failures, "; ")));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Termination>> XenDomains::Terminated(
    const std::string& id) {
  if (!IsOurs(id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "xen: id \"", absl::CHexEscape(id), "\" is not this worker's"));
  }
  absl::StatusOr<std::vector<std::string>> ours = List();
  if (!ours.ok()) return ours.status();
  if (std::find(ours->begin(), ours->end(), id) != ours->end()) {
    return std::nullopt;
  }
  // xl keeps nothing of a domain that is gone: how it ended is unknown.
  return Termination{};
}

absl::Status XenDomains::WaitReady(const Target& target,
                                   absl::Duration timeout) {
  // The guest's own address on the bridge; only HTTP is watched.
  return WaitUntilAnswering(target, timeout, *context().clock, nullptr);
}

}  // namespace scalebench::worker
