#include "common/json_writer.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace scalebench {
namespace {

TEST(JsonWriterTest, CompactNestedDocument) {
  JsonWriter w(/*indent=*/0);
  w.BeginObject();
  w.Key("requests").Uint(18446744073709551615u);
  w.Key("delta").Int(-3);
  w.Key("errors").BeginObject().Key("total").Uint(0).EndObject();
  w.Key("series").BeginArray().Double(0.5).Double(2).EndArray();
  w.Key("empty").BeginArray().EndArray();
  w.Key("ok").Bool(true);
  w.Key("none").Null();
  w.EndObject();
  EXPECT_EQ(w.str(), R"({"requests":18446744073709551615,"delta":-3,)"
                     R"("errors":{"total":0},"series":[0.5,2],"empty":[],)"
                     R"("ok":true,"none":null})");
}

TEST(JsonWriterTest, IndentedDocument) {
  JsonWriter w(/*indent=*/2);
  w.BeginObject().Key("a").BeginArray().Int(1).EndArray().EndObject();
  EXPECT_EQ(w.str(), "{\n  \"a\": [\n    1\n  ]\n}");
}

TEST(JsonWriterTest, EscapesControlCharactersAndQuotes) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n\t\x01"), R"("a\"b\\c\n\t\u0001")");
  EXPECT_EQ(JsonQuote("ünïcode"), "\"ünïcode\"");
}

TEST(JsonWriterTest, DoublesRoundTripAndNonFiniteBecomeNull) {
  JsonWriter w(0);
  w.BeginArray();
  w.Double(0.1);
  w.Double(1e-300);
  w.Double(std::nan(""));
  w.Double(std::numeric_limits<double>::infinity());
  w.EndArray();
  EXPECT_EQ(w.str(), "[0.1,1e-300,null,null]");
}

}  // namespace
}  // namespace scalebench
