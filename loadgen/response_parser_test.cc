#include "loadgen/response_parser.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace scalebench::loadgen {
namespace {

using Result = ResponseParser::Result;

struct Outcome {
  Result result;
  size_t consumed;  // Bytes of the input the response used.
  int status;
  bool keep_alive;
  ParseError error;

  bool operator==(const Outcome& o) const {
    return result == o.result && consumed == o.consumed && status == o.status &&
           keep_alive == o.keep_alive && error == o.error;
  }
};

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// Feeds `chunks` in order, then signals the close if `close_after`.
Outcome Run(const std::vector<std::string>& chunks, bool close_after,
            bool head = false) {
  ResponseParser parser;
  parser.Reset(head);
  size_t total = 0;
  for (const std::string& chunk : chunks) {
    size_t consumed = 0;
    const Result r = parser.Feed(chunk.data(), chunk.size(), &consumed);
    if (r == Result::kError) {
      // Where in the input an error was detected is not part of the
      // contract; only that it was.
      return {r, 0, parser.status_code(), parser.keep_alive(), parser.error()};
    }
    if (r != Result::kNeedMore) {
      return {r, total + consumed, parser.status_code(), parser.keep_alive(),
              parser.error()};
    }
    EXPECT_EQ(consumed, chunk.size());
    total += consumed;
  }
  Result r = Result::kNeedMore;
  if (close_after) r = parser.FinishOnClose();
  return {r, total, parser.status_code(), parser.keep_alive(), parser.error()};
}

// Parses `input` whole, split in two at every byte boundary, and one byte at
// a time; every way must give the same outcome. Returns it.
Outcome ParseEverySplit(const std::string& input, bool close_after = false,
                        bool head = false) {
  const Outcome whole = Run({input}, close_after, head);
  for (size_t i = 0; i <= input.size(); ++i) {
    const Outcome split =
        Run({input.substr(0, i), input.substr(i)}, close_after, head);
    EXPECT_TRUE(split == whole) << "split at byte " << i << " of:\n" << input;
    if (!(split == whole)) break;
  }
  std::vector<std::string> bytes;
  for (char c : input) bytes.emplace_back(1, c);
  EXPECT_TRUE(Run(bytes, close_after, head) == whole) << "byte by byte";
  return whole;
}

// `response` completes, however split, using every byte of it; returns
// the outcome for the test's other checks.
Outcome ParseComplete(const std::string& response, bool head = false) {
  const Outcome o = ParseEverySplit(response, /*close_after=*/false, head);
  EXPECT_EQ(o.result, Result::kComplete) << response;
  EXPECT_EQ(o.consumed, response.size()) << response;
  return o;
}

// `response`'s body runs until the connection closes: however split, it
// needs more until the close, then completes, and the connection is not
// reused.
void ExpectBodyEndsWithTheClose(const std::string& response) {
  EXPECT_EQ(ParseEverySplit(response).result, Result::kNeedMore);
  const Outcome o = ParseEverySplit(response, /*close_after=*/true);
  EXPECT_EQ(o.result, Result::kComplete);
  EXPECT_FALSE(o.keep_alive);
}

TEST(ResponseParserTest, ContentLengthBody) {
  const Outcome o = ParseComplete(
      "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 12\r\n\r\n"
      "hello world!");
  EXPECT_EQ(o.status, 200);
  EXPECT_TRUE(o.keep_alive);
}

TEST(ResponseParserTest, StopsAtTheEndOfTheResponse) {
  const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  const Outcome o = ParseEverySplit(response + "HTTP/1.1 200 OK\r\n");
  EXPECT_EQ(o.result, Result::kComplete);
  EXPECT_EQ(o.consumed, response.size());
}

TEST(ResponseParserTest, ZeroContentLength) {
  EXPECT_EQ(ParseComplete("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                .status,
            404);
}

TEST(ResponseParserTest, ChunkedWithExtensionsAndTrailers) {
  const Outcome o = ParseComplete(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
      "0\r\nExpires: never\r\nX-Checksum: 1\r\n\r\n");
  EXPECT_TRUE(o.keep_alive);
}

TEST(ResponseParserTest, ChunkedWithoutTrailers) {
  ParseComplete(
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n");
}

TEST(ResponseParserTest, BodyDelimitedByClose) {
  ExpectBodyEndsWithTheClose(
      "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of this is body");
}

TEST(ResponseParserTest, NonChunkedTransferEncodingRunsUntilClose) {
  ExpectBodyEndsWithTheClose(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz");
}

TEST(ResponseParserTest, ConnectionCloseWithContentLength) {
  const Outcome o = ParseEverySplit(
      "HTTP/1.1 200 OK\r\nConnection: Keep-Alive, close\r\n"
      "Content-Length: 1\r\n\r\nx");
  EXPECT_EQ(o.result, Result::kComplete);
  EXPECT_FALSE(o.keep_alive);
}

TEST(ResponseParserTest, Http10KeepsAliveOnlyWhenAsked) {
  const Outcome plain =
      ParseEverySplit("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx");
  EXPECT_EQ(plain.result, Result::kComplete);
  EXPECT_FALSE(plain.keep_alive);
  const Outcome kept = ParseEverySplit(
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n"
      "\r\nx");
  EXPECT_TRUE(kept.keep_alive);
}

TEST(ResponseParserTest, ResponsesWithoutBody) {
  ParseComplete("HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n");
  ParseComplete("HTTP/1.1 304 Not Modified\r\n\r\n");
  ParseComplete("HTTP/1.1 200 OK\r\nContent-Length: 612\r\n\r\n",
                /*head=*/true);
}

TEST(ResponseParserTest, InterimResponseIsSkipped) {
  const Outcome o = ParseComplete(
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
  EXPECT_EQ(o.status, 201);
}

// Feeds `input` in one piece.
ResponseParser::Result FeedWhole(ResponseParser& parser,
                                 const std::string& input) {
  size_t consumed = 0;
  return parser.Feed(input.data(), input.size(), &consumed);
}

// Fed in one piece (too long to try every split), `input` fails with
// `error`.
void ExpectWholeFailsWith(const std::string& input, ParseError error) {
  ResponseParser parser;
  EXPECT_EQ(FeedWhole(parser, input), Result::kError);
  EXPECT_EQ(parser.error(), error) << ParseErrorName(parser.error());
}

TEST(ResponseParserTest, EndlessInterimResponsesExceedTheHeaderBytes) {
  // 3000 small interim heads: each is under the limits, together they are
  // over the byte limit.
  ExpectWholeFailsWith(Repeat("HTTP/1.1 102 Processing\r\n\r\n", 3000),
                       ParseError::kHeadersTooLarge);
}

TEST(ResponseParserTest, InterimResponsesCountTowardTheHeaderLines) {
  // 150 interim heads of one header each: 300 lines, well under 64 KiB.
  ExpectWholeFailsWith(Repeat("HTTP/1.1 100 Continue\r\nA: b\r\n\r\n", 150),
                       ParseError::kHeadersTooLarge);
}

TEST(ResponseParserTest, AFewInterimResponsesWithHeadersAreFine) {
  const std::string r =
      Repeat("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n", 10) +
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  ResponseParser parser;
  EXPECT_EQ(FeedWhole(parser, r), Result::kComplete);
  EXPECT_EQ(parser.status_code(), 200);
}

TEST(ResponseParserTest, OtherTransferCodingWithLengthRunsUntilClose) {
  // Transfer-Encoding overrides Content-Length; without a final chunked
  // the body ends with the connection (RFC 9112, 6.3).
  ExpectBodyEndsWithTheClose(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n"
      "\r\nxyz and more");
  // In either order.
  ExpectBodyEndsWithTheClose(
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: gzip\r\n"
      "\r\nxyz and more");
}

TEST(ResponseParserTest, BareLineFeedsAreAccepted) {
  EXPECT_EQ(ParseComplete("HTTP/1.1 200 OK\nContent-Length: 3\n\nabc").status,
            200);
}

TEST(ResponseParserTest, StatusLineWithoutReason) {
  ParseComplete("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n");
}

// Each malformed or hostile input fails with its own error, however split.
struct BadCase {
  const char* name;
  std::string input;
  ParseError error;
  bool close_after = false;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class ResponseParserErrorTest : public testing::TestWithParam<BadCase> {};

TEST_P(ResponseParserErrorTest, FailsWithTheRightError) {
  const BadCase& c = GetParam();
  const Outcome o = ParseEverySplit(c.input, c.close_after);
  EXPECT_EQ(o.result, Result::kError) << c.name;
  EXPECT_EQ(o.error, c.error) << c.name << ": " << ParseErrorName(o.error);
  EXPECT_FALSE(o.keep_alive);
}

INSTANTIATE_TEST_SUITE_P(
    Hostile, ResponseParserErrorTest,
    testing::Values(
        BadCase{"garbage", "GARBAGE GARBAGE GARBAGE\r\n\r\n",
                ParseError::kStatusLine},
        BadCase{"http2_preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                ParseError::kStatusLine},
        BadCase{"short_status", "HTTP/1.1 20\r\n\r\n", ParseError::kStatusLine},
        BadCase{"status_glued_to_reason", "HTTP/1.1 200OK\r\n\r\n",
                ParseError::kStatusLine},
        BadCase{"http_2_version", "HTTP/2.0 200 OK\r\n\r\n",
                ParseError::kStatusLine},
        BadCase{"space_in_name", "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n",
                ParseError::kHeaderSyntax},
        BadCase{"empty_name", "HTTP/1.1 200 OK\r\n: x\r\n\r\n",
                ParseError::kHeaderSyntax},
        BadCase{"cr_without_lf", "HTTP/1.1 200 OK\r\nA: b\rX\r\n\r\n",
                ParseError::kHeaderSyntax},
        BadCase{"obs_fold", "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n",
                ParseError::kUnsupported},
        BadCase{"switching_protocols",
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n",
                ParseError::kUnsupported},
        BadCase{"negative_length",
                "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                ParseError::kContentLength},
        BadCase{"hex_length", "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
                ParseError::kContentLength},
        BadCase{
            "huge_length",
            "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
            ParseError::kContentLength},
        BadCase{"conflicting_lengths",
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n"
                "\r\nxy",
                ParseError::kContentLength},
        BadCase{"length_and_chunked",
                "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                ParseError::kContentLength},
        BadCase{"bad_chunk_size",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                ParseError::kChunkSyntax},
        BadCase{"huge_chunk_size",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                "fffffffffffffffff\r\n",
                ParseError::kChunkSyntax},
        BadCase{"chunk_without_crlf",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                "3\r\nabcX\r\n0\r\n\r\n",
                ParseError::kChunkSyntax},
        BadCase{"endless_chunk_extension",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" +
                    std::string(5000, 'e'),
                ParseError::kChunkSyntax},
        BadCase{
            "oversized_header",
            "HTTP/1.1 200 OK\r\nX-Big: " + std::string(70000, 'a') + "\r\n\r\n",
            ParseError::kHeadersTooLarge},
        BadCase{"oversized_reason",
                "HTTP/1.1 200 " + std::string(70000, 'r') + "\r\n\r\n",
                ParseError::kHeadersTooLarge},
        BadCase{"too_many_headers",
                "HTTP/1.1 200 OK\r\n" + Repeat("A: b\r\n", 300) + "\r\n",
                ParseError::kHeadersTooLarge},
        BadCase{"truncated_headers", "HTTP/1.1 200 OK\r\nContent-Le",
                ParseError::kTruncated, true},
        BadCase{"truncated_body",
                "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
                ParseError::kTruncated, true},
        BadCase{"truncated_chunk",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
                ParseError::kTruncated, true},
        BadCase{"closed_before_anything", "", ParseError::kTruncated, true}),
    [](const testing::TestParamInfo<BadCase>& info) {
      return std::string(info.param.name);
    });

TEST(ResponseParserTest, ResetMakesTheParserReusable) {
  ResponseParser parser;
  size_t consumed;
  const std::string bad = "nonsense\r\n\r\n";
  ASSERT_EQ(parser.Feed(bad.data(), bad.size(), &consumed), Result::kError);
  parser.Reset(false);
  EXPECT_FALSE(parser.started());
  const std::string good = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(parser.Feed(good.data(), good.size(), &consumed),
            Result::kComplete);
  EXPECT_TRUE(parser.started());
}

}  // namespace
}  // namespace scalebench::loadgen
