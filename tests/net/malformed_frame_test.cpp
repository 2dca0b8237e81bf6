// Every class of malformed input gets ERROR with its code and a close; the server stays
// up, counts it, and other connections do not notice.
#include <gtest/gtest.h>

#include <cstring>

#include "tests/net/support/test_server.hpp"

namespace sluice::test {
namespace {

std::vector<std::byte> header(std::uint32_t length, std::uint8_t version, std::uint8_t type, std::uint16_t flags) {
  std::vector<std::byte> b(8);
  std::memcpy(b.data(), &length, 4);  // the test host is little-endian, as the protocol
  b[4] = std::byte{version};
  b[5] = std::byte{type};
  std::memcpy(b.data() + 6, &flags, 2);
  return b;
}

std::vector<std::byte> with_body(std::vector<std::byte> head, std::size_t body_bytes) {
  head.resize(head.size() + body_bytes);
  return head;
}

std::vector<std::byte> encoded(const proto::frame& f) {
  std::vector<std::byte> b(proto::encoded_size(f));
  proto::encode_frame(f, b);
  return b;
}

struct malformed_case {
  const char* name;
  bool after_hello;
  std::vector<std::byte> bytes;
  proto::error_code expected;
};

std::vector<malformed_case> cases(std::uint32_t max_frame) {
  std::vector<std::byte> hello_extra = encoded(proto::hello_frame{});
  hello_extra.push_back(std::byte{0});
  const std::uint32_t hello_len = 51;
  std::memcpy(hello_extra.data(), &hello_len, 4);  // one byte after the token: bad_fields
  std::vector<std::byte> resume_without_flag = encoded(proto::hello_frame{});
  resume_without_flag[40] = std::byte{5};  // last_seq = 5 without RESUME
  return {
      {"length below 8", false, header(5, 1, 1, 0), proto::error_code::bad_length},
      {"length over max_frame (header only)", false, header(max_frame + 1, 1, 3, 0),
       proto::error_code::frame_too_large},
      {"version 2", false, with_body(header(50, 2, 1, 0), 42), proto::error_code::bad_version},
      {"unknown type", false, with_body(header(16, 1, 0x7f, 0), 8), proto::error_code::unknown_type},
      {"ACK from a client", true, encoded(proto::ack_frame{.request_id = 1}), proto::error_code::unexpected_frame},
      {"EVENT from a client", true, encoded(proto::event_frame{false, 1, "a/topic", "x"}),
       proto::error_code::unexpected_frame},
      {"undefined flag", false, with_body(header(50, 1, 1, 0x8000), 42), proto::error_code::bad_flags},
      {"truncated HELLO", false, with_body(header(20, 1, 1, 0), 12), proto::error_code::truncated},
      {"bytes after HELLO's token", false, hello_extra, proto::error_code::bad_fields},
      {"resume fields without RESUME", false, resume_without_flag, proto::error_code::bad_fields},
      {"PING before HELLO", false, encoded(proto::ping_frame{1, {}}), proto::error_code::unexpected_frame},
      {"second HELLO", true, encoded(proto::hello_frame{}), proto::error_code::unexpected_frame},
      {"WELCOME from a client", true, encoded(proto::welcome_frame{}), proto::error_code::unexpected_frame},
  };
}

TEST(MalformedFrame, EachClassGetsItsErrorAndACloseWhileOthersCarryOn) {
  server_config config = test_config();
  config.max_frame = 8192;
  config.topics.payload_max = 1024;  // an EVENT must fit in max_frame
  config.output_queue_max = 16384;
  config.sources.misuse_burst = 1000;  // this test misbehaves on purpose, many times
  running_server server(config);
  client bystander = server.connect();
  ASSERT_TRUE(bystander.hello().ok);

  for (const malformed_case& m : cases(config.max_frame)) {
    SCOPED_TRACE(m.name);
    client c = server.connect();
    if (m.after_hello) {
      ASSERT_TRUE(c.hello().ok);
    }
    const std::uint64_t before = errors_sent(server.stats(), m.expected);
    ASSERT_TRUE(c.send_bytes(m.bytes));
    expect_error_then_close(c, m.expected);
    EXPECT_EQ(errors_sent(server.stats(), m.expected), before + 1);

    ASSERT_TRUE(bystander.send_frame(proto::ping_frame{42, "still here"}));
    const read_result r = bystander.read_frame(5s);
    ASSERT_EQ(r.status, read_status::frame);
    ASSERT_TRUE(std::holds_alternative<proto::pong_frame>(r.value));
  }
  // Malformed input after HELLO detaches the session; it stays resumable.
  EXPECT_TRUE(eventually([&] { return server.stats().sessions_detached == 4; }));
}

TEST(MalformedFrame, OversizeLengthIsRefusedWithoutWaitingForTheBody) {
  server_config config = test_config();
  config.max_frame = 8192;
  config.topics.payload_max = 1024;  // an EVENT must fit in max_frame
  config.output_queue_max = 16384;
  running_server server(config);
  client c = server.connect();
  ASSERT_TRUE(c.hello().ok);
  // Only the 4 length bytes of a 1 GiB frame: the answer must not wait for more.
  const std::uint32_t length = 1u << 30;
  std::byte bytes[4];
  std::memcpy(bytes, &length, 4);
  ASSERT_TRUE(c.send_bytes(bytes));
  expect_error_then_close(c, proto::error_code::frame_too_large);
}

TEST(MalformedFrame, RepeatedMisuseFromASourcePutsItInThePenaltyBox) {
  server_config config = test_config();
  config.sources.misuse_burst = 3;
  config.sources.misuse_rate_per_s = 0.001;
  config.sources.penalty_ns = 60 * ns_per_s;
  running_server server(config);
  // Misuse until the box closes: a few strikes, each an ERROR + close.
  bool penalized = false;
  for (int i = 0; i < 10 && !penalized; ++i) {
    client c = server.connect();
    ASSERT_TRUE(c.send_bytes(header(5, 1, 1, 0)));
    const read_result r = c.read_frame(5s);
    ASSERT_EQ(r.status, read_status::frame);
    const auto* error = std::get_if<proto::error_frame>(&r.value);
    ASSERT_NE(error, nullptr);
    penalized = error->code == proto::error_code::penalized;
    // Before HELLO a connection lives on its source's reactor, which records the strike
    // before it sends the ERROR: the next connect sees it.
    if (!penalized) {
      EXPECT_EQ(error->code, proto::error_code::bad_length);
    }
  }
  EXPECT_TRUE(penalized);
  // While in the box, even a well-formed client is refused at once.
  client c = server.connect();
  const hello_result h = c.hello();
  EXPECT_FALSE(h.ok);
  EXPECT_EQ(h.error, proto::error_code::penalized);
}

}  // namespace
}  // namespace sluice::test
