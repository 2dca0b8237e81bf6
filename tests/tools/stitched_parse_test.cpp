#include "tools/load/stitched_parse.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::load {
namespace {

// A toy protocol: one length byte, then that many bytes of body; a length of 0 is not
// the protocol. Records each whole message and the longest input it was given that did
// not lie in the chunk being fed (that is, a copy).
struct toy_parser {
  std::vector<std::string> messages;
  std::string_view chunk;  // the chunk being fed
  std::size_t longest_copy = 0;

  parse_step operator()(std::string_view in) {
    const auto at = [](const char* p) { return reinterpret_cast<std::uintptr_t>(p); };
    const bool in_chunk =
        at(in.data()) >= at(chunk.data()) && at(in.data() + in.size()) <= at(chunk.data() + chunk.size());
    if (!in_chunk) longest_copy = std::max(longest_copy, in.size());
    std::size_t used = 0;
    while (used < in.size()) {
      const auto length = static_cast<std::uint8_t>(in[used]);
      if (length == 0) return {used, true};
      if (in.size() - used < 1U + length) break;
      messages.emplace_back(in.substr(used + 1, length));
      used += 1U + length;
    }
    return {used, false};
  }
};

std::string frame(const std::string& body) { return static_cast<char>(body.size()) + body; }

// Messages of 1..max_length bytes, each body distinct, and the stream they make.
std::vector<std::string> bodies(std::mt19937& random, int count, int max_length) {
  std::vector<std::string> out;
  std::uniform_int_distribution<int> length(1, max_length);
  for (int i = 0; i < count; ++i) {
    std::string body = std::to_string(i) + ":";
    body.resize(static_cast<std::size_t>(std::max<int>(length(random), static_cast<int>(body.size()))), 'a' + i % 26);
    out.push_back(body.substr(0, 255));
  }
  return out;
}

// Feeds `stream` in chunks cut at random, some of them empty, and returns the parser's
// record.
toy_parser feed_in_random_chunks(const std::string& stream, std::mt19937& random, int max_chunk,
                                 std::size_t straddle_max) {
  toy_parser parser;
  std::string carry;
  std::uniform_int_distribution<int> cut(0, max_chunk);
  for (std::size_t at = 0; at < stream.size();) {
    const std::size_t n = std::min(stream.size() - at, static_cast<std::size_t>(cut(random)));
    const std::string chunk = stream.substr(at, n);  // its own buffer, as a receive's is
    parser.chunk = chunk;
    EXPECT_TRUE(parse_stitched(carry, chunk, straddle_max, parser));
    at += n;
  }
  EXPECT_TRUE(carry.empty());
  return parser;
}

TEST(StitchedParse, EveryMessageOnceInOrderWhereverTheChunksAreCut) {
  std::mt19937 random(7);
  for (const int max_length : {3, 40, 255}) {
    const std::vector<std::string> sent = bodies(random, 400, max_length);
    std::string stream;
    for (const std::string& b : sent) stream += frame(b);
    for (const int max_chunk : {1, 2, 7, 64, 600}) {
      for (const std::size_t straddle_max : {std::size_t{1}, std::size_t{5}, std::size_t{64}, std::size_t{1000}}) {
        const toy_parser parser = feed_in_random_chunks(stream, random, max_chunk, straddle_max);
        EXPECT_EQ(parser.messages, sent) << "lengths up to " << max_length << ", chunks up to " << max_chunk
                                         << ", straddle_max " << straddle_max;
      }
    }
  }
}

TEST(StitchedParse, CopiesNoMoreThanTheCutMessageNeedsOfAChunk) {
  std::mt19937 random(11);
  const std::vector<std::string> sent = bodies(random, 2000, 60);  // frames of at most 61 bytes
  std::string stream;
  for (const std::string& b : sent) stream += frame(b);
  const std::size_t straddle_max = 61;
  const toy_parser parser = feed_in_random_chunks(stream, random, 4096, straddle_max);
  EXPECT_EQ(parser.messages, sent);
  // A copy holds the unparsed end of one chunk and what the next lends it, together no
  // more than the longest frame; copying whole chunks of up to 4 KiB would show here.
  EXPECT_GT(parser.longest_copy, 0U);
  EXPECT_LE(parser.longest_copy, straddle_max);
}

TEST(StitchedParse, AMessageLongerThanWhatIsLentIsFinishedFromTheWholeChunk) {
  const std::string big(200, 'b');
  const std::string stream = frame("x") + frame(big) + frame("y");
  toy_parser parser;
  std::string carry;
  const std::string first = stream.substr(0, 10);  // "x" and the start of the big one
  const std::string second = stream.substr(10);
  parser.chunk = first;
  ASSERT_TRUE(parse_stitched(carry, first, 16, parser));
  EXPECT_EQ(carry.size(), 8U);
  parser.chunk = second;
  ASSERT_TRUE(parse_stitched(carry, second, 16, parser));
  EXPECT_EQ(parser.messages, (std::vector<std::string>{"x", big, "y"}));
  EXPECT_TRUE(carry.empty());
}

TEST(StitchedParse, NothingAfterInputThatIsNotTheProtocolIsParsed) {
  const std::string stream = frame("ab") + frame("cd") + frame("efgh") + frame("ij");
  const std::string first = stream.substr(0, 2);  // "ab" cut after its first byte
  struct case_of {
    std::size_t zeroed;  // in the second chunk: "b" \2 "cd" \4 "efgh" \2 "ij"
    std::vector<std::string> parsed;
  };
  // A zero length among the 4 bytes lent to the cut message, and one parsed in place.
  for (const case_of& c : {case_of{1, {"ab"}}, case_of{9, {"ab", "cd", "efgh"}}}) {
    std::string second = stream.substr(2);
    second[c.zeroed] = '\0';
    toy_parser parser;
    std::string carry;
    parser.chunk = first;
    ASSERT_TRUE(parse_stitched(carry, first, 4, parser));
    parser.chunk = second;
    EXPECT_FALSE(parse_stitched(carry, second, 4, parser));
    EXPECT_EQ(parser.messages, c.parsed) << "zero at " << c.zeroed;
  }
}

TEST(StitchedParse, InputThatIsNotTheProtocolStopsItWhereverItComes) {
  const std::string big(200, 'b');
  struct case_of {
    std::string second;  // follows \5 "ab", the first 3 bytes of a 6-byte frame
    std::size_t straddle_max;
    std::vector<std::string> parsed;
  };
  const case_of cases[] = {
      // The whole chunk is lent, and a zero length follows the finished frame.
      {"cde" + std::string(1, '\0'), 64, {"abcde"}},
      // The frame is longer than straddle_max, so the chunk joins it, and a zero length
      // follows it in the rest of the chunk.
      {"cde" + frame(big) + std::string(1, '\0') + frame("z"), 4, {"abcde", big}},
  };
  for (const case_of& c : cases) {
    toy_parser parser;
    std::string carry;
    const std::string first = std::string(1, 5) + "ab";
    parser.chunk = first;
    ASSERT_TRUE(parse_stitched(carry, first, c.straddle_max, parser));
    parser.chunk = c.second;
    EXPECT_FALSE(parse_stitched(carry, c.second, c.straddle_max, parser));
    EXPECT_EQ(parser.messages, c.parsed) << "straddle_max " << c.straddle_max;
    EXPECT_EQ(carry, std::string(1, '\0') + (c.straddle_max == 4 ? frame("z") : ""));
  }
}

}  // namespace
}  // namespace sluice::load
