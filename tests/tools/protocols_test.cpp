// What sluice-load parses from Redis and NATS: deliveries split anywhere arrive whole;
// framing that does not add up is an error, not a delivery; a message that would not
// end, or claims more than 16 MiB, is an error instead of a buffer that grows; a NATS
// opening ends at its PONG, or in front of a MSG that came before it, and fails on
// -ERR, on a server that is not NATS, or on no answer within its bound; a sluice opening
// ends at its ACK and names any other frame that came in its place.
#include "tools/load/protocols.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/protocol/encoder.hpp"

namespace sluice::load {
namespace {

struct collected final : delivery_sink {
  std::vector<std::pair<std::string, std::string>> deliveries;
  void on_delivery(std::string_view topic, std::string_view payload) override {
    deliveries.emplace_back(topic, payload);
  }
};

struct parsed {
  std::size_t used = 0;
  std::string reply;
  std::string error;
  collected sink;
};

parsed parse(target_kind kind, std::string_view in) {
  parsed p;
  p.used = make_protocol(kind)->parse(in, p.sink, p.reply, p.error);
  return p;
}

// Feeds `stream` in pieces of `piece` bytes, as a client reads it.
parsed parse_in_pieces(target_kind kind, std::string_view stream, std::size_t piece) {
  const std::unique_ptr<protocol> proto = make_protocol(kind);
  parsed p;
  std::string buffer;
  for (std::size_t at = 0; at < stream.size() && p.error.empty(); at += piece) {
    buffer.append(stream.substr(at, piece));
    buffer.erase(0, proto->parse(buffer, p.sink, p.reply, p.error));
  }
  p.used = stream.size() - buffer.size();
  return p;
}

using delivery = std::pair<std::string, std::string>;

// Every split of `stream` into equal pieces parses whole: no error, all of it used,
// `expected` delivered in order, and (when given) `reply` owed to the server.
void expect_whole_in_any_pieces(target_kind kind, const std::string& stream, const std::vector<delivery>& expected,
                                const std::optional<std::string>& reply = std::nullopt) {
  for (std::size_t piece = 1; piece <= stream.size(); ++piece) {
    const parsed p = parse_in_pieces(kind, stream, piece);
    ASSERT_EQ(p.error, "") << "pieces of " << piece;
    EXPECT_EQ(p.used, stream.size());
    if (reply) {
      EXPECT_EQ(p.reply, *reply);
    }
    EXPECT_EQ(p.sink.deliveries, expected) << "pieces of " << piece;
  }
}

const std::string redis_messages =
    "*3\r\n$7\r\nmessage\r\n$2\r\nt1\r\n$5\r\nhello\r\n"
    ":3\r\n"
    "*3\r\n$7\r\nmessage\r\n$2\r\nt1\r\n$4\r\n\r\n\r\n\r\n";

TEST(LoadProtocols, RedisMessagesSplitAnywhereArriveWhole) {
  expect_whole_in_any_pieces(target_kind::redis, redis_messages, {{"t1", "hello"}, {"t1", "\r\n\r\n"}});
}

TEST(LoadProtocols, RedisStringsMustEndWhereTheirLengthSays) {
  const parsed p = parse(target_kind::redis, "*3\r\n$7\r\nmessage\r\n$2\r\nt1\r\n$3\r\nhello\r\n");
  EXPECT_EQ(p.error, "malformed RESP");
  EXPECT_TRUE(p.sink.deliveries.empty());
}

TEST(LoadProtocols, RedisMessagesBeyondTheBoundAreErrors) {
  // A length over the bound fails at once, before its bytes come.
  const parsed claimed = parse(target_kind::redis, "*3\r\n$7\r\nmessage\r\n$2\r\nt1\r\n$99999999999\r\n");
  EXPECT_EQ(claimed.error, "unexpected RESP from the server");
  // A line that never ends fails once it is longer than any message may be.
  const std::string endless(max_message_bytes, '+');
  EXPECT_EQ(parse(target_kind::redis, endless).error, "");
  EXPECT_EQ(parse(target_kind::redis, endless + "+").error, "a message of more than 16 MiB from the server");
}

TEST(LoadProtocols, RedisOpeningWithoutAnAnswerFailsAtItsBound) {
  const std::unique_ptr<protocol> proto = make_protocol(target_kind::redis);
  std::size_t used = 0;
  std::string error;
  EXPECT_EQ(proto->parse_opening("*3\r\n$9\r\nsubscribe\r\n$2\r\nt1\r\n:1\r\n", true, used, error),
            opening_status::done);
  const std::string noise(max_opening_bytes + 1, 'x');
  EXPECT_EQ(proto->parse_opening(noise.substr(0, max_opening_bytes), true, used, error), opening_status::pending);
  EXPECT_EQ(proto->parse_opening(noise, true, used, error), opening_status::failed);
  EXPECT_EQ(error, "no answer to SUBSCRIBE or PING in 64 KiB");
}

const std::string nats_messages =
    "MSG t1 1 5\r\nhello\r\n"
    "PING\r\n"
    "MSG t1 1 _INBOX.x 4\r\n\r\n\r\n\r\n"
    "+OK\r\n"
    "MSG t2 1 0\r\n\r\n";

TEST(LoadProtocols, NatsMessagesSplitAnywhereArriveWholeAndPingsAreAnswered) {
  expect_whole_in_any_pieces(target_kind::nats, nats_messages, {{"t1", "hello"}, {"t1", "\r\n\r\n"}, {"t2", ""}},
                             "PONG\r\n");
}

TEST(LoadProtocols, NatsMessagesThatDoNotAddUpAreErrors) {
  // No size: the sid is not taken for one.
  EXPECT_EQ(parse(target_kind::nats, "MSG t1 5\r\nhello\r\n").error, "malformed MSG");
  EXPECT_EQ(parse(target_kind::nats, "MSG t1 1 a b 5\r\nhello\r\n").error, "malformed MSG");
  EXPECT_EQ(parse(target_kind::nats, "MSG t1 1 3\r\nhello\r\n").error,
            "malformed MSG: its payload does not end in CRLF");
  EXPECT_EQ(parse(target_kind::nats, "MSG t1 1 99999999999\r\n").error, "malformed MSG");
  EXPECT_EQ(parse(target_kind::nats, "-ERR 'Authorization Violation'\r\n").error,
            "NATS error: -ERR 'Authorization Violation'");
  const std::string endless(max_message_bytes + 1, 'M');
  EXPECT_EQ(parse(target_kind::nats, endless).error, "a message of more than 16 MiB from the server");
}

opening_status nats_opening(std::string_view in, std::size_t& used, std::string& error) {
  return make_protocol(target_kind::nats)->parse_opening(in, true, used, error);
}

TEST(LoadProtocols, NatsOpeningEndsAtItsPongOrInFrontOfAnEarlierMessage) {
  const std::string info = "INFO {\"server_id\":\"x\"}\r\n";
  std::size_t used = 0;
  std::string error;
  for (std::size_t cut = 0; cut < 5; ++cut) {  // a first read shorter than "INFO "
    EXPECT_EQ(nats_opening(info.substr(0, cut), used, error), opening_status::pending) << cut;
  }
  EXPECT_EQ(nats_opening(info + "+OK\r\n", used, error), opening_status::pending);
  EXPECT_EQ(nats_opening(info + "+OK\r\nPONG\r\nMSG t1 1 1\r\nx\r\n", used, error), opening_status::done);
  EXPECT_EQ(used, info.size() + 11);
  // The event routed between the SUB and the PING is left to be parsed as a delivery.
  EXPECT_EQ(nats_opening(info + "MSG t1 1 1\r\nx\r\nPONG\r\n", used, error), opening_status::done);
  EXPECT_EQ(used, info.size());
}

TEST(LoadProtocols, NatsOpeningFailsOnErrorsStrangersAndSilence) {
  std::size_t used = 0;
  std::string error;
  EXPECT_EQ(nats_opening("HTTP/1.1 400\r\n", used, error), opening_status::failed);
  EXPECT_EQ(error, "not a NATS server");
  EXPECT_EQ(nats_opening("INFO {}\r\n-ERR 'Authorization Violation'\r\n", used, error), opening_status::failed);
  EXPECT_EQ(error, "NATS error: -ERR 'Authorization Violation'");
  const std::string silence = "INFO {}\r\n" + std::string(max_opening_bytes, '+');
  EXPECT_EQ(nats_opening(silence, used, error), opening_status::failed);
  EXPECT_EQ(error, "no PONG after CONNECT in 64 KiB");
}

std::string sluice_frames(std::initializer_list<proto::frame> frames) {
  std::string out;
  for (const proto::frame& f : frames) {
    const std::size_t at = out.size();
    out.resize(at + proto::encoded_size(f));
    (void)proto::encode_frame(f, std::as_writable_bytes(std::span<char>(out.data() + at, out.size() - at)));
  }
  return out;
}

// A subscriber's sluice opening ends at the ACK of its SUBSCRIBE; anything else in its
// place fails it with a reason that says what came.
TEST(LoadProtocols, SluiceOpeningEndsAtItsAckAndNamesWhatElseCame) {
  const auto opening = [](const std::string& in, std::size_t& used, std::string& error) {
    return make_protocol(target_kind::sluice)->parse_opening(in, true, used, error);
  };
  std::size_t used = 0;
  std::string error;
  const std::string welcome = sluice_frames({proto::welcome_frame{}});
  const std::string ack =
      sluice_frames({proto::ack_frame{.request_id = 1, .request_type = proto::frame_type::subscribe}});
  EXPECT_EQ(opening(welcome, used, error), opening_status::pending);
  EXPECT_EQ(opening(welcome + ack + "x", used, error), opening_status::done);
  EXPECT_EQ(used, welcome.size() + ack.size());
  const std::pair<std::string, std::string> strangers[] = {
      {sluice_frames({proto::goaway_frame{.code = proto::error_code::shutting_down}}),
       "the server is going away: shutting_down"},
      {welcome + sluice_frames({proto::pong_frame{}}), "unexpected PONG in the opening"},
      {sluice_frames({proto::error_frame{.code = proto::error_code::capacity}}), "refused: capacity"}};
  for (const auto& [in, reason] : strangers) {
    EXPECT_EQ(opening(in, used, error), opening_status::failed) << reason;
    EXPECT_EQ(error, reason);
  }
}

}  // namespace
}  // namespace sluice::load
