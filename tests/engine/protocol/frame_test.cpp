// Names of error codes and frame types, and the type code of each frame struct.
#include "engine/protocol/frame.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>

namespace sluice::proto {
namespace {

TEST(frame, error_code_names_follow_the_doc_table) {
  EXPECT_EQ(error_code_name(error_code::none), "none");
  EXPECT_EQ(error_code_name(error_code::bad_length), "bad_length");
  EXPECT_EQ(error_code_name(error_code::not_implemented), "not_implemented");
  EXPECT_EQ(error_code_name(error_code::too_many_connections), "too_many_connections");
  EXPECT_EQ(error_code_name(error_code::server_error), "server_error");
  EXPECT_EQ(error_code_name(error_code::bad_topic), "bad_topic");
  EXPECT_EQ(error_code_name(error_code::too_many_subscriptions), "too_many_subscriptions");
  EXPECT_EQ(error_code_name(error_code::payload_too_large), "payload_too_large");
  EXPECT_EQ(error_code_name(error_code::publish_rate_limited), "publish_rate_limited");
  EXPECT_EQ(error_code_name(error_code::not_subscribed), "not_subscribed");
  EXPECT_EQ(error_code_name(error_code::bad_request_id), "bad_request_id");
  EXPECT_EQ(static_cast<int>(error_code::server_error), 19);
  EXPECT_EQ(static_cast<int>(error_code::bad_topic), 20);
  EXPECT_EQ(static_cast<int>(error_code::bad_request_id), 25);
  EXPECT_EQ(static_cast<int>(error_code::too_many_topics), 26);
  EXPECT_EQ(static_cast<int>(error_code::request_pending), 27);
  EXPECT_EQ(static_cast<std::size_t>(error_code::request_pending) + 1, error_code_count);
  std::set<std::string_view> names;
  for (std::size_t code = 0; code < error_code_count; ++code) {
    const std::string_view name = error_code_name(static_cast<error_code>(code));
    EXPECT_NE(name, "unknown") << code;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), error_code_count);
}

TEST(frame, codes_from_the_wire_past_the_table_are_unknown) {
  EXPECT_EQ(error_code_name(static_cast<error_code>(error_code_count)), "unknown");
  EXPECT_EQ(error_code_name(static_cast<error_code>(0xffff)), "unknown");
}

TEST(frame, frame_type_names) {
  EXPECT_EQ(frame_type_name(frame_type::hello), "HELLO");
  EXPECT_EQ(frame_type_name(frame_type::goaway), "GOAWAY");
  EXPECT_EQ(frame_type_name(frame_type::event), "EVENT");
  EXPECT_EQ(frame_type_name(static_cast<frame_type>(0x08)), "unknown");
  EXPECT_EQ(frame_type_name(static_cast<frame_type>(0xff)), "unknown");
}

TEST(frame, type_of_gives_the_wire_code) {
  EXPECT_EQ(type_of(hello_frame{}), frame_type::hello);
  EXPECT_EQ(type_of(welcome_frame{}), frame_type::welcome);
  EXPECT_EQ(type_of(ping_frame{}), frame_type::ping);
  EXPECT_EQ(type_of(pong_frame{}), frame_type::pong);
  EXPECT_EQ(type_of(error_frame{}), frame_type::error);
  EXPECT_EQ(type_of(goaway_frame{}), frame_type::goaway);
  EXPECT_EQ(type_of(close_frame{}), frame_type::close);
  EXPECT_EQ(type_of(subscribe_frame{}), frame_type::subscribe);
  EXPECT_EQ(type_of(unsubscribe_frame{}), frame_type::unsubscribe);
  EXPECT_EQ(type_of(publish_frame{}), frame_type::publish);
  EXPECT_EQ(type_of(ack_frame{}), frame_type::ack);
  EXPECT_EQ(type_of(event_frame{}), frame_type::event);
  EXPECT_EQ(frame(event_frame{}).index(), 11u);  // the topic frames follow close_frame, in code order
  EXPECT_EQ(frame(subscribe_frame{}).index(), 7u);
}

TEST(frame, check_topic_takes_1_to_200_bytes) {
  EXPECT_EQ(check_topic(""), error_code::bad_topic);
  EXPECT_EQ(check_topic("a"), error_code::none);
  EXPECT_EQ(check_topic(std::string(topic_max, 'a')), error_code::none);
  EXPECT_EQ(check_topic(std::string(topic_max + 1, 'a')), error_code::bad_topic);
}

TEST(frame, check_topic_takes_each_allowed_character_class) {
  for (const std::string_view topic :
       {"ABCXYZ", "abcxyz", "0123456789", ".", "_", "-", "/", ":", "news/eu-west_1:v2.0"}) {
    EXPECT_EQ(check_topic(topic), error_code::none) << topic;
  }
  std::string every;
  for (int c = 0; c < 256; ++c) {
    const std::string one(1, static_cast<char>(c));
    const bool allowed =
        (c < 128 && std::isalnum(c) != 0) || std::string_view("._-/:").find(one[0]) != std::string_view::npos;
    EXPECT_EQ(check_topic(one), allowed ? error_code::none : error_code::bad_topic) << c;
    if (allowed) every += one;
  }
  EXPECT_EQ(every.size(), 26u + 26u + 10u + 5u);
  EXPECT_EQ(check_topic(every), error_code::none);
}

TEST(frame, check_topic_refuses_characters_outside_the_set) {
  for (const std::string_view topic :
       {"a b", "a*", "*", "news/#", "a+b", "caf\xc3\xa9", "\xff", "a\tb", "a,b", "a\\b"}) {
    EXPECT_EQ(check_topic(topic), error_code::bad_topic) << topic;
  }
  EXPECT_EQ(check_topic(std::string_view("a\0b", 3)), error_code::bad_topic);
  std::string valid_but_one(topic_max, 'a');
  valid_but_one.back() = ' ';
  EXPECT_EQ(check_topic(valid_but_one), error_code::bad_topic);
}

TEST(frame, gap_payload_is_last_dropped_little_endian) {
  const gap_payload p = gap_payload_of(0x0102030405060708);
  EXPECT_EQ(std::string_view(p.data(), p.size()), std::string_view("\x08\x07\x06\x05\x04\x03\x02\x01", 8));
  EXPECT_EQ(gap_last_dropped(event_frame{.gap = true, .payload = {p.data(), p.size()}}), 0x0102030405060708u);
}

TEST(frame, equality_compares_view_contents) {
  const std::string a = "same", b = "same";
  EXPECT_EQ((ping_frame{1, a}), (ping_frame{1, b}));
  EXPECT_NE((ping_frame{1, a}), (ping_frame{2, b}));
  EXPECT_NE((close_frame{error_code::none, a}), (close_frame{error_code::none, "other"}));
}

}  // namespace
}  // namespace sluice::proto
