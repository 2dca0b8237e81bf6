// Names of error codes and frame types, and the type code of each frame struct.
#include "engine/protocol/frame.hpp"

#include <gtest/gtest.h>

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
  EXPECT_EQ(static_cast<std::size_t>(error_code::server_error) + 1, error_code_count);
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
}

TEST(frame, equality_compares_view_contents) {
  const std::string a = "same", b = "same";
  EXPECT_EQ((ping_frame{1, a}), (ping_frame{1, b}));
  EXPECT_NE((ping_frame{1, a}), (ping_frame{2, b}));
  EXPECT_NE((close_frame{error_code::none, a}), (close_frame{error_code::none, "other"}));
}

}  // namespace
}  // namespace sluice::proto
