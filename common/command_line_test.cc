#include "common/command_line.h"

#include <stdlib.h>

#include <sstream>

#include "common/exit_codes.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace scalebench {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// A program with the kinds of options the binaries use.
class CommandLineTest : public ::testing::Test {
 protected:
  CommandLineTest() : cl_("demo", "A demonstration.") {
    cl_.app().add_option("-c,--connections", connections_, "connections");
    cl_.app().add_option("-H,--header", headers_, "headers (repeatable)");
    AddDurationOption(cl_.app(), "-d,--duration", &duration_, "how long");
    AddCpuListOption(cl_.app(), "--cpus", &cpus_, "cores");
    AddInstantOption(cl_.app(), "--start-at", &start_at_, "when");
    AddOutputOption(cl_.app(), &output_,
                    {OutputFormat::kText, OutputFormat::kJson});
  }

  std::optional<int> Parse(const std::vector<std::string>& args) {
    return cl_.Parse(args, out_, err_);
  }

  CommandLine cl_;
  int connections_ = 10;
  std::vector<std::string> headers_;
  absl::Duration duration_ = absl::ZeroDuration();
  std::vector<int> cpus_;
  std::optional<absl::Time> start_at_;
  OutputFormat output_ = OutputFormat::kText;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(CommandLineTest, BindsValuesAndGoesOn) {
  EXPECT_EQ(
      Parse({"-c", "5", "--duration=2m", "--cpus", "0-1", "-H", "A: 1", "-H",
             "B: 2", "--output", "json", "--start-at", "1700000000"}),
      std::nullopt)
      << err_.str();
  EXPECT_EQ(connections_, 5);
  EXPECT_EQ(duration_, absl::Minutes(2));
  EXPECT_EQ(cpus_, (std::vector<int>{0, 1}));
  EXPECT_EQ(headers_, (std::vector<std::string>{"A: 1", "B: 2"}));
  EXPECT_EQ(output_, OutputFormat::kJson);
  EXPECT_EQ(start_at_, absl::FromUnixSeconds(1700000000));
  EXPECT_THAT(err_.str(), IsEmpty());
}

TEST_F(CommandLineTest, OutputTableIsAnotherSpellingOfText) {
  output_ = OutputFormat::kJson;
  EXPECT_EQ(Parse({"--output", "table"}), std::nullopt) << err_.str();
  EXPECT_EQ(output_, OutputFormat::kText);
}

TEST_F(CommandLineTest, UnknownFlagIsAUsageErrorOnStderr) {
  EXPECT_EQ(Parse({"--frobnicate"}), kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("demo: "));
  EXPECT_THAT(err_.str(), HasSubstr("--frobnicate"));
  EXPECT_THAT(err_.str(), HasSubstr("Run 'demo --help'"));
  EXPECT_THAT(out_.str(), IsEmpty());
}

TEST_F(CommandLineTest, RepeatedSingleValuedFlagIsRejected) {
  EXPECT_EQ(Parse({"-c", "5", "-c", "6"}), kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("--connections"));
  EXPECT_EQ(Parse({"-d", "1s", "--duration", "2s"}), kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("--duration"));
}

TEST_F(CommandLineTest, BadValueNamesTheFlagAndTheValue) {
  EXPECT_EQ(Parse({"--duration", "3x"}), kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("--duration: '3x' is not a duration"));
  EXPECT_EQ(Parse({"--output", "yaml"}), kExitBadInput);
  EXPECT_THAT(err_.str(),
              HasSubstr("--output: 'yaml' is not one of text, json"));
  EXPECT_EQ(Parse({"-c", "many"}), kExitBadInput);
  EXPECT_THAT(err_.str(), HasSubstr("--connections"));
}

TEST_F(CommandLineTest, HelpAndVersionGoToStdoutAndSucceed) {
  EXPECT_EQ(Parse({"--help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("A demonstration."));
  EXPECT_THAT(out_.str(), HasSubstr("--duration"));
  out_.str("");
  EXPECT_EQ(Parse({"--version"}), kExitOk);
  EXPECT_EQ(out_.str(), std::string("demo ") + Version() + "\n");
  EXPECT_THAT(err_.str(), IsEmpty());
}

TEST(CommandLineSubcommandTest, HelpCommandPrintsOneCommandsHelp) {
  CommandLine cl("tool", "A tool.");
  int degree = 0;
  CLI::App* fit = cl.app().add_subcommand("fit", "fit a model");
  fit->add_option("--degree", degree, "the polynomial's degree");
  cl.app().add_subcommand("run", "run a spec");
  cl.AddHelpCommand();

  std::ostringstream out, err;
  EXPECT_EQ(cl.Parse({"help", "fit"}, out, err), kExitOk);
  EXPECT_THAT(out.str(), HasSubstr("--degree"));
  EXPECT_THAT(out.str(), Not(HasSubstr("run a spec")));

  std::ostringstream out2, err2;
  EXPECT_EQ(cl.Parse({"fit", "--help"}, out2, err2), kExitOk);
  EXPECT_THAT(out2.str(), HasSubstr("--degree"));

  std::ostringstream out3, err3;
  EXPECT_EQ(cl.Parse({"help", "nosuch"}, out3, err3), kExitBadInput);
  EXPECT_THAT(err3.str(), HasSubstr("nosuch"));
}

TEST(CommandLineSubcommandTest, SubcommandFlagsRejectRepetitionToo) {
  CommandLine cl("tool", "A tool.");
  int degree = 0;
  cl.app().add_subcommand("fit", "fit")->add_option("--degree", degree, "d");
  std::ostringstream out, err;
  EXPECT_EQ(cl.Parse({"fit", "--degree", "2", "--degree", "3"}, out, err),
            kExitBadInput);
  EXPECT_THAT(err.str(), HasSubstr("--degree"));
}

TEST(TlsFileOptionsTest, FlagsWinOverTheEnvironmentAndHelpSaysWhatEachIs) {
  CommandLine cl("demo", "A demonstration.");
  std::string ca, cert, key;
  AddTlsFileOptions(cl.app(),
                    {"the CA that signs the peers'", "my cert", "my key"}, &ca,
                    &cert, &key);
  ASSERT_EQ(setenv("SCALEBENCH_CA", "/env/ca.crt", 1), 0);
  ASSERT_EQ(setenv("SCALEBENCH_KEY", "/env/k.key", 1), 0);
  std::ostringstream out, err;
  EXPECT_EQ(
      cl.Parse({"--cert", "/flag/c.crt", "--key", "/flag/k.key"}, out, err),
      std::nullopt)
      << err.str();
  unsetenv("SCALEBENCH_CA");
  unsetenv("SCALEBENCH_KEY");
  EXPECT_EQ(ca, "/env/ca.crt");
  EXPECT_EQ(cert, "/flag/c.crt");
  EXPECT_EQ(key, "/flag/k.key");

  CommandLine help("demo", "A demonstration.");
  AddTlsFileOptions(help.app(),
                    {"the CA that signs the peers'", "my cert", "my key"}, &ca,
                    &cert, &key);
  EXPECT_EQ(help.Parse({"--help"}, out, err), kExitOk);
  EXPECT_THAT(out.str(),
              HasSubstr("mutual TLS: the CA that signs the peers' (default: "
                        "SCALEBENCH_CA)"));
  EXPECT_THAT(out.str(),
              HasSubstr("mutual TLS: my key (default: SCALEBENCH_KEY)"));
}

TEST(ExitCodeForTest, InputErrorsAreTwoRunFailuresOne) {
  EXPECT_EQ(ExitCodeFor(absl::OkStatus()), kExitOk);
  EXPECT_EQ(ExitCodeFor(absl::InvalidArgumentError("x")), kExitBadInput);
  EXPECT_EQ(ExitCodeFor(absl::NotFoundError("x")), kExitBadInput);
  EXPECT_EQ(ExitCodeFor(absl::UnavailableError("x")), kExitRunFailed);
  EXPECT_EQ(ExitCodeFor(absl::InternalError("x")), kExitRunFailed);
}

}  // namespace
}  // namespace scalebench
