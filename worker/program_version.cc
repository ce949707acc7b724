#include "worker/program_version.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace scalebench::worker {
namespace {

// Version output is a few lines; more is not kept.
constexpr size_t kMaxOutput = 64 * 1024;

}  // namespace

absl::StatusOr<std::string> ProgramVersion(os::Env& env,
                                           const std::vector<std::string>& argv,
                                           const std::string& marker,
                                           absl::Duration timeout) {
  if (argv.empty()) return absl::InvalidArgumentError("no program");
  const std::string command = absl::StrJoin(argv, " ");
  os::RunOptions options;
  options.timeout = timeout;
  options.max_output_bytes = kMaxOutput;
  absl::StatusOr<os::ProgramOutput> run = env.Run(argv, options);
  if (!run.ok()) {
    return absl::FailedPreconditionError(
        absl::IsFailedPrecondition(run.status())
            ? absl::StrCat("`", command,
                           "` could not be run (not installed?): ",
                           run.status().message())
            : std::string(run.status().message()));
  }
  // nginx prints its version on stderr, haproxy and QEMU on stdout.
  const std::string output = run->out + run->err;
  if (run->exit_code != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("`", command,
                     "` failed: ", absl::StripTrailingAsciiWhitespace(output)));
  }
  if (const size_t at = output.find(marker); at != std::string::npos) {
    absl::string_view rest =
        absl::string_view(output).substr(at + marker.size());
    rest = rest.substr(0, rest.find_first_of(" \t\r\n"));
    if (!rest.empty()) return std::string(rest);
  }
  return absl::FailedPreconditionError(
      absl::StrCat("`", command, "` printed no version after \"", marker,
                   "\": ", absl::StripTrailingAsciiWhitespace(output)));
}

}  // namespace scalebench::worker
