// A fuzzer for the spec parser, kept as a test: the specs in examples/
// mutated byte by byte (flips, inserted and deleted bytes, duplicated and
// dropped spans, YAML's own punctuation), with a fixed seed, a bounded
// number of mutations and a time budget. Whatever the input, parsing and
// validation must not crash, and must return either a spec that also
// validates as protobuf and expands to its counted grid, or
// INVALID_ARGUMENT "fuzz.yaml:LINE:COLUMN: ..." of bounded length.
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/text_file.h"
#include "gtest/gtest.h"
#include "spec/grid.h"
#include "spec/spec_yaml.h"
#include "spec/validate.h"

namespace scalebench::spec {
namespace {

// Mutated inputs per run, and the time they may take together; the run
// ends at whichever comes first.
constexpr int kMutations = 3000;
constexpr auto kBudget = std::chrono::seconds(20);
constexpr uint64_t kSeed = 25;
// The longest error message a mutated spec may produce: values and paths
// are clipped, so messages stay short whatever the input.
constexpr size_t kMaxMessageBytes = 2048;
// Bytes that mean something to YAML, and some that mean something to us.
constexpr char kSpecial[] = "[]{}:,-#&*!|>'\"%@`?\n\t \\0123456789.e";

// Caps this process's address space, so that an input that makes the
// parser allocate without end fails the test with std::bad_alloc instead
// of exhausting the machine's memory. Each test runs in its own process
// under ctest.
void LimitMemory() {
  constexpr rlim_t kMaxBytes = rlim_t{2} << 30;
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_AS, &limit), 0);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur <= kMaxBytes) return;
  limit.rlim_cur = kMaxBytes;
  ASSERT_EQ(setrlimit(RLIMIT_AS, &limit), 0);
}

std::vector<std::string> ReadExamples() {
  std::vector<std::string> texts;
  for (const auto& entry :
       std::filesystem::directory_iterator(SCALEBENCH_EXAMPLES_DIR)) {
    if (entry.path().extension() != ".yaml") continue;
    absl::StatusOr<std::string> text =
        ReadRegularFile(entry.path().string(), kMaxSpecFileBytes);
    EXPECT_TRUE(text.ok()) << text.status();
    if (text.ok()) texts.push_back(*std::move(text));
  }
  return texts;
}

// One random edit of `text`.
void Mutate(std::mt19937_64& rng, std::string& text) {
  auto below = [&rng](size_t n) {
    return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n);
  };
  const size_t at = below(text.size() + 1);
  switch (rng() % 7) {
    case 0:  // Flip one bit.
      if (at < text.size()) text[at] ^= static_cast<char>(1u << (rng() % 8));
      break;
    case 1:  // Insert a random byte.
      text.insert(at, 1, static_cast<char>(rng() % 256));
      break;
    case 2:  // Insert a byte that means something to YAML.
      text.insert(at, 1, kSpecial[below(sizeof kSpecial - 1)]);
      break;
    case 3:  // Overwrite a byte with one.
      if (at < text.size()) text[at] = kSpecial[below(sizeof kSpecial - 1)];
      break;
    case 4:  // Delete a span.
      text.erase(at, 1 + below(16));
      break;
    case 5: {  // Duplicate a span elsewhere.
      const std::string span = text.substr(at, 1 + below(64));
      text.insert(below(text.size() + 1), span);
      break;
    }
    default: {  // Repeat a span many times (long values, long lists).
      const std::string span = text.substr(at, 1 + below(8));
      std::string repeated;
      for (size_t i = 0, n = 1 + below(2000); i < n; ++i) repeated += span;
      text.insert(at, repeated);
      break;
    }
  }
}

// What a failure needs to be reproduced: the iteration and the input.
std::string Describe(int iteration, const std::string& text) {
  return absl::StrCat("mutation ", iteration, " (seed ", kSeed, "):\n",
                      text.substr(0, 2000),
                      text.size() > 2000 ? "\n[...]" : "");
}

// Found by this fuzzer: yaml-cpp reads a ',' where a document's value
// starts as an empty document without consuming it, so reading every
// document (YAML::LoadAll) allocated until the process was killed.
TEST(SpecFuzzTest, AStrayCommaIsAnErrorNotEndlessDocuments) {
  LimitMemory();
  const auto error = [](const std::string& yaml) {
    return std::string(ParseSpecYaml(yaml, "fuzz.yaml").status().message());
  };
  EXPECT_EQ(error(","),
            "fuzz.yaml:1:1: invalid YAML: ',' cannot start a value");
  EXPECT_EQ(error("# a comment\n  , name: t\n"),
            "fuzz.yaml:2:3: invalid YAML: ',' cannot start a value");
  EXPECT_EQ(error("name: t\nloadgen: {duration: 1s}\n---\n,\n"),
            "fuzz.yaml:4:1: a spec file holds one YAML document; this is a "
            "second one");
}

TEST(SpecFuzzTest, MutatedExamplesParseOrFailNamingALine) {
  LimitMemory();
  const std::vector<std::string> examples = ReadExamples();
  ASSERT_FALSE(examples.empty());
  const std::regex located(R"(^fuzz\.yaml:[0-9]+:[0-9]+: [^\n]+$)");
  std::mt19937_64 rng(kSeed);
  const auto deadline = std::chrono::steady_clock::now() + kBudget;
  int parsed = 0;
  int refused = 0;
  for (int i = 0; i < kMutations && std::chrono::steady_clock::now() < deadline;
       ++i) {
    std::string text = examples[rng() % examples.size()];
    for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0; --edits) {
      Mutate(rng, text);
    }
    if (text.size() > kMaxSpecFileBytes) text.resize(kMaxSpecFileBytes);
    const absl::StatusOr<v1::ExperimentSpec> spec =
        ParseSpecYaml(text, "fuzz.yaml");
    if (!spec.ok()) {
      ++refused;
      const std::string message(spec.status().message());
      ASSERT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument)
          << spec.status() << "\n"
          << Describe(i, text);
      ASSERT_TRUE(std::regex_match(message, located))
          << message.substr(0, 500) << "\n"
          << Describe(i, text);
      ASSERT_LE(message.size(), kMaxMessageBytes)
          << message.substr(0, 500) << "\n"
          << Describe(i, text);
      continue;
    }
    ++parsed;
    // What validated from YAML validates as protobuf, and its grid is
    // what was counted.
    ASSERT_TRUE(ValidateSpec(*spec).ok()) << ValidateSpec(*spec) << "\n"
                                          << Describe(i, text);
    const uint64_t count = CountConfigurations(*spec);
    ASSERT_LE(count, kMaxConfigurations) << Describe(i, text);
    ASSERT_EQ(ExpandGrid(*spec).size(), count) << Describe(i, text);
  }
  // Both outcomes occurred: the mutations neither broke every spec nor
  // left every one intact.
  EXPECT_GT(parsed, 0);
  EXPECT_GT(refused, 0);
  std::cout << parsed << " mutated specs parsed, " << refused
            << " refused with a location\n";
}

}  // namespace
}  // namespace scalebench::spec
