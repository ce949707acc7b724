#include "common/echo_text.h"

#include <string>

#include "gtest/gtest.h"

namespace scalebench {
namespace {

TEST(ClipTextTest, ShortTextIsUnchanged) {
  EXPECT_EQ(ClipText("short", 5), "short");
  EXPECT_EQ(ClipText("", 0), "");
}

TEST(ClipTextTest, LongTextKeepsItsStartAndSaysHowLongItWas) {
  const std::string text(1 << 20, 'a');
  const std::string clipped = ClipText(text, 10);
  EXPECT_EQ(clipped, "aaaaaaaaaa... (1048576 bytes)");
}

TEST(ClipTextTest, NeverCutsInsideAUtf8Character) {
  // "é" is two bytes (C3 A9): a cut after 4 bytes would split the third.
  const std::string text = "ab\xC3\xA9\xC3\xA9xyz";
  EXPECT_EQ(ClipText(text, 5), "ab\xC3\xA9... (9 bytes)");
}

TEST(OneLineTest, ClipsAndEscapes) {
  EXPECT_EQ(OneLine("a.b\nc", 10), "a.b\\nc");
  EXPECT_EQ(OneLine("a.b\nc", 4), "a.b\\n... (5 bytes)");
}

TEST(QuoteValueTest, QuotesShortValuesWhole) {
  EXPECT_EQ(QuoteValue("kvm"), "'kvm'");
}

TEST(QuoteValueTest, KeepsTheMessageOnOneLine) {
  EXPECT_EQ(QuoteValue("a\nb\tc\r\x01\x7f\xC3\xA9"),
            "'a\\nb\\tc\\r\\x01\\x7f\xC3\xA9'");
}

TEST(QuoteValueTest, ClipsLongValuesToTheEchoBound) {
  const std::string value(1 << 20, 'x');
  const std::string quoted = QuoteValue(value);
  EXPECT_EQ(quoted, "'" + std::string(kMaxEchoedValueBytes, 'x') +
                        "...' (1048576 bytes)");
}

}  // namespace
}  // namespace scalebench
