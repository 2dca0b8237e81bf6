// The encoder writes the layout of docs/protocol.md byte for byte (the doc's examples
// and hand-built frames), sizes frames exactly, and cuts over-long reasons.
#include "engine/protocol/encoder.hpp"

#include <gtest/gtest.h>

#include <string>

#include "engine/protocol/decoder.hpp"
#include "tests/engine/protocol/frame_bytes.hpp"

namespace sluice::proto {
namespace {

using test::bytes;
using test::bytes_of;
using test::frame_bytes;

bytes encode(const frame& f) {
  bytes out(encoded_size(f));
  EXPECT_EQ(encode_frame(f, out), out.size());
  return out;
}

frame decode_whole(const bytes& b) {
  const decode_result r = decode_frame(b, max_frame_default);
  EXPECT_EQ(r.status, decode_status::complete) << error_code_name(r.error) << ": " << r.reason;
  EXPECT_EQ(r.size, b.size());
  return r.value;
}

// The two examples at the end of docs/protocol.md, copied byte for byte.
const bytes doc_hello = bytes_of({
    0x32, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00,                          // length=50 version=1 type=HELLO flags=0
    0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0,  // session_id = 0
    0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0,  // resume_token = 0
    0,    0,    0,    0,    0,    0,    0,    0,                             // last_seq = 0
    0,    0,                                                                 // token_len = 0
});
const bytes doc_ping = bytes_of(
    {0x12, 0x00, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x68, 0x69});

TEST(encoder, doc_example_hello) {
  ASSERT_EQ(doc_hello.size(), 50u);
  EXPECT_EQ(decode_whole(doc_hello), frame(hello_frame{}));
  EXPECT_EQ(encode(hello_frame{}), doc_hello);
}

TEST(encoder, doc_example_ping) {
  EXPECT_EQ(decode_whole(doc_ping), frame(ping_frame{.nonce = 7, .payload = "hi"}));
  EXPECT_EQ(encode(ping_frame{.nonce = 7, .payload = "hi"}), doc_ping);
}

// Distinct values in every field, so a swapped or misplaced field shows.
TEST(encoder, welcome_layout) {
  const welcome_frame w{.resumed = true,
                        .id = {0x1112131415161718, 0x2122232425262728},
                        .resume_token = {0x3132333435363738, 0x4142434445464748},
                        .last_seq = 0x5152535455565758,
                        .idle_timeout_ms = 0x61626364,
                        .resume_window_ms = 0x71727374,
                        .max_frame = 0x81828384};
  const bytes expected = frame_bytes(0x02, 0x0001)
                             .id(0x1112131415161718, 0x2122232425262728)
                             .id(0x3132333435363738, 0x4142434445464748)
                             .u64(0x5152535455565758)
                             .u32(0x61626364)
                             .u32(0x71727374)
                             .u32(0x81828384)
                             .build();
  ASSERT_EQ(expected.size(), 60u);
  EXPECT_EQ(encode(w), expected);
  EXPECT_EQ(decode_whole(expected), frame(w));
}

TEST(encoder, hello_resume_layout) {
  const hello_frame h{.resume = true, .id = {1, 2}, .resume_token = {3, 4}, .last_seq = 5, .token = "secret"};
  const bytes expected = frame_bytes(0x01, 0x0001).id(1, 2).id(3, 4).u64(5).u16(6).text("secret").build();
  EXPECT_EQ(encode(h), expected);
  EXPECT_EQ(decode_whole(expected), frame(h));
}

TEST(encoder, pong_error_goaway_close_layout) {
  EXPECT_EQ(encode(pong_frame{.nonce = 0x0102030405060708, .payload = ""}),
            frame_bytes(0x04).u64(0x0102030405060708).build());
  EXPECT_EQ(encode(error_frame{.code = error_code::bad_flags, .reason = "flags"}),
            frame_bytes(0x05).u16(5).text("flags").build());
  EXPECT_EQ(encode(goaway_frame{.code = error_code::shutting_down, .reconnect_after_ms = 0x01020304, .reason = "bye"}),
            frame_bytes(0x06).u16(17).u32(0x01020304).text("bye").build());
  EXPECT_EQ(encode(close_frame{.code = static_cast<error_code>(0xabcd), .reason = ""}),
            frame_bytes(0x07).u16(0xabcd).build());
}

// Topic frames, from the tables of docs/protocol.md "Topics", distinct values in every field.

TEST(encoder, subscribe_layout) {
  const subscribe_frame with_seq{
      .request_id = 0x0102030405060708, .has_from_seq = true, .from_seq = 0x1112131415161718, .topic = "news/eu"};
  const bytes expected =
      frame_bytes(0x10, 0x0001).u64(0x0102030405060708).u64(0x1112131415161718).u16(7).text("news/eu").build();
  ASSERT_EQ(expected.size(), 26u + 7u);
  EXPECT_EQ(encode(with_seq), expected);
  EXPECT_EQ(decode_whole(expected), frame(with_seq));
  const subscribe_frame next_new{.request_id = 3, .topic = "t"};
  EXPECT_EQ(encode(next_new), frame_bytes(0x10).u64(3).u64(0).u16(1).text("t").build());
}

TEST(encoder, unsubscribe_layout) {
  const unsubscribe_frame u{.request_id = 0x0102030405060708, .topic = "a.b_c-d"};
  const bytes expected = frame_bytes(0x11).u64(0x0102030405060708).u16(7).text("a.b_c-d").build();
  ASSERT_EQ(expected.size(), 18u + 7u);
  EXPECT_EQ(encode(u), expected);
  EXPECT_EQ(decode_whole(expected), frame(u));
}

TEST(encoder, publish_layout) {
  const publish_frame with_ack{.ack = true, .request_id = 0x0102030405060708, .topic = "x:y", .payload = "hello"};
  const bytes expected = frame_bytes(0x12, 0x0001).u64(0x0102030405060708).u16(3).text("x:y").text("hello").build();
  EXPECT_EQ(encode(with_ack), expected);
  EXPECT_EQ(decode_whole(expected), frame(with_ack));
  EXPECT_EQ(encode(publish_frame{.request_id = 1, .topic = "t"}), frame_bytes(0x12).u64(1).u16(1).text("t").build());
}

TEST(encoder, ack_layout) {
  const ack_frame a{.duplicate = true,
                    .truncated = false,
                    .request_id = 0x0102030405060708,
                    .seq = 0x1112131415161718,
                    .status = error_code::publish_rate_limited,
                    .request_type = frame_type::publish};
  bytes expected = frame_bytes(0x13, 0x0001).u64(0x0102030405060708).u64(0x1112131415161718).u16(23).build();
  expected.push_back(std::byte{0x12});
  expected[0] = std::byte{27};
  ASSERT_EQ(expected.size(), 27u);
  EXPECT_EQ(encode(a), expected);
  EXPECT_EQ(decode_whole(expected), frame(a));
  const bytes both = encode(ack_frame{.duplicate = true, .truncated = true});
  EXPECT_EQ(both[6], std::byte{0x03});
  EXPECT_EQ(encode(ack_frame{.truncated = true, .request_type = frame_type::subscribe})[6], std::byte{0x02});
  EXPECT_EQ(encode(ack_frame{.request_type = frame_type::subscribe})[26], std::byte{0x10});
}

TEST(encoder, event_layout) {
  const event_frame e{.seq = 0x0102030405060708, .topic = "news", .payload = "body"};
  const bytes expected = frame_bytes(0x14).u64(0x0102030405060708).u16(4).text("news").text("body").build();
  EXPECT_EQ(encode(e), expected);
  EXPECT_EQ(decode_whole(expected), frame(e));
}

TEST(encoder, gap_event_layout) {
  const gap_payload last_dropped = gap_payload_of(0x2122232425262728);
  const event_frame gap{.gap = true, .seq = 5, .topic = "t", .payload = {last_dropped.data(), last_dropped.size()}};
  const bytes expected = frame_bytes(0x14, 0x0001).u64(5).u16(1).text("t").u64(0x2122232425262728).build();
  EXPECT_EQ(encode(gap), expected);
  const frame decoded = decode_whole(expected);
  EXPECT_EQ(decoded, frame(gap));
  EXPECT_EQ(gap_last_dropped(std::get<event_frame>(decoded)), 0x2122232425262728u);
}

TEST(encoder, topics_the_server_refuses_still_encode_canonically) {
  // The decoder accepts any topic_len that fits; the encoder must write those back.
  const std::string longest(0xffff, '*');
  const subscribe_frame cases[] = {{.request_id = 0, .topic = ""},
                                   {.request_id = 1, .topic = std::string_view(longest).substr(0, topic_max + 1)},
                                   {.request_id = 2, .topic = longest}};
  for (const subscribe_frame& s : cases) {
    const bytes out = encode(s);
    EXPECT_EQ(out.size(), 26 + s.topic.size());
    EXPECT_EQ(decode_whole(out), frame(s));
  }
}

TEST(encoder, over_long_reasons_are_cut_to_256_bytes) {
  std::string reason(reason_max + 44, 'x');
  reason[reason_max - 1] = 'L';  // the last byte kept
  const std::string_view kept = std::string_view(reason).substr(0, reason_max);
  const frame cases[] = {error_frame{error_code::server_error, reason}, close_frame{error_code::none, reason},
                         goaway_frame{error_code::capacity, 10, reason}};
  const frame expected[] = {error_frame{error_code::server_error, kept}, close_frame{error_code::none, kept},
                            goaway_frame{error_code::capacity, 10, kept}};
  const std::size_t fixed[] = {10, 10, 14};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(encoded_size(cases[i]), fixed[i] + reason_max);
    const bytes out = encode(cases[i]);
    ASSERT_EQ(out.size(), fixed[i] + reason_max);
    EXPECT_EQ(static_cast<char>(out.back()), 'L');
    EXPECT_EQ(decode_whole(out), expected[i]);
  }
}

TEST(encoder, writes_only_its_size_and_sets_the_length) {
  const ping_frame p{.nonce = 1, .payload = "abc"};
  bytes out(64, std::byte{0xee});
  ASSERT_EQ(encode_frame(p, out), 19u);
  EXPECT_EQ(out[0], std::byte{19});
  EXPECT_EQ(out[19], std::byte{0xee});
}

TEST(encoder_death, token_over_4096_is_a_caller_bug) {
  const std::string token(token_max + 1, 't');
  const hello_frame h{.token = token};
  bytes out(2 * token_max);
  EXPECT_DEATH((void)encode_frame(h, out), "invariant failed");
}

TEST(encoder_death, a_buffer_too_small_is_a_caller_bug) {
  bytes out(17);
  EXPECT_DEATH((void)encode_frame(ping_frame{.nonce = 1, .payload = "ab"}, out), "invariant failed");
}

TEST(encoder_death, resume_fields_without_resume_are_a_caller_bug) {
  bytes out(64);
  EXPECT_DEATH((void)encode_frame(hello_frame{.resume = false, .last_seq = 3}, out), "invariant failed");
}

TEST(encoder_death, from_seq_without_the_flag_is_a_caller_bug) {
  bytes out(64);
  EXPECT_DEATH(
      (void)encode_frame(subscribe_frame{.request_id = 1, .has_from_seq = false, .from_seq = 4, .topic = "t"}, out),
      "invariant failed");
}

TEST(encoder_death, a_gap_event_without_8_payload_bytes_is_a_caller_bug) {
  bytes out(64);
  EXPECT_DEATH((void)encode_frame(event_frame{.gap = true, .seq = 1, .topic = "t", .payload = "1234567"}, out),
               "invariant failed");
}

TEST(encoder_death, a_topic_over_65535_bytes_is_a_caller_bug) {
  const std::string topic(0x10000, 't');
  bytes out(0x10000 + 64);
  EXPECT_DEATH((void)encode_frame(unsubscribe_frame{.request_id = 1, .topic = topic}, out), "invariant failed");
}

TEST(encoder_death, gap_last_dropped_of_a_plain_event_is_a_caller_bug) {
  EXPECT_DEATH((void)gap_last_dropped(event_frame{.gap = false, .payload = "12345678"}), "invariant failed");
  EXPECT_DEATH((void)gap_last_dropped(event_frame{.gap = true, .payload = "123"}), "invariant failed");
}

}  // namespace
}  // namespace sluice::proto
