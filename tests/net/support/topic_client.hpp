// A test client for topics: a session plus blocking helpers to subscribe, publish and
// collect what the server sends, keeping every frame in order so a test can check
// sequences, ACKs and GAP markers.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/client.hpp"
#include "tests/net/support/test_server.hpp"

namespace sluice::test {

struct received_event {
  std::string topic;
  std::uint64_t seq = 0;
  bool gap = false;
  std::uint64_t last_dropped = 0;  // gap only
  std::string payload;
};

struct received_ack {
  std::uint64_t request_id = 0;
  std::uint64_t seq = 0;
  proto::error_code status = proto::error_code::none;
  proto::frame_type request_type = proto::frame_type::publish;
  bool duplicate = false;
  bool truncated = false;
  std::size_t events_before = 0;  // events received before this ACK
};

class topic_client {
 public:
  // Connected, and with a new session unless `open_session` is false (the test then
  // sends its own HELLO, e.g. a resume).
  explicit topic_client(running_server& server, bool open_session = true) : port_(server.port()) {
    EXPECT_EQ(c_.connect("127.0.0.1", port_, 2s), "");
    if (!open_session) return;
    const hello_result h = c_.hello();
    EXPECT_TRUE(h.ok) << h.message;
    credentials_ = h.credentials();
  }

  [[nodiscard]] client& raw() { return c_; }
  [[nodiscard]] const session_credentials& credentials() const { return credentials_; }

  void send_subscribe(std::string_view topic, std::uint64_t request_id, std::optional<std::uint64_t> from = {}) {
    ASSERT_TRUE(c_.send_frame(proto::subscribe_frame{
        .request_id = request_id, .has_from_seq = from.has_value(), .from_seq = from.value_or(0), .topic = topic}));
  }
  void send_publish(std::string_view topic, std::uint64_t request_id, std::string_view payload, bool ack = true) {
    ASSERT_TRUE(
        c_.send_frame(proto::publish_frame{.ack = ack, .request_id = request_id, .topic = topic, .payload = payload}));
  }

  // Subscribes and waits for the answer.
  received_ack subscribe(std::string_view topic, std::uint64_t request_id, std::optional<std::uint64_t> from = {}) {
    send_subscribe(topic, request_id, from);
    return await_ack(request_id);
  }
  received_ack unsubscribe(std::string_view topic, std::uint64_t request_id) {
    EXPECT_TRUE(c_.send_frame(proto::unsubscribe_frame{.request_id = request_id, .topic = topic}));
    return await_ack(request_id);
  }
  received_ack publish(std::string_view topic, std::uint64_t request_id, std::string_view payload) {
    send_publish(topic, request_id, payload);
    return await_ack(request_id);
  }

  // Reads frames until the ACK for `request_id`; events read on the way are kept.
  received_ack await_ack(std::uint64_t request_id, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      for (std::size_t i = 0; i < acks_.size(); ++i) {
        if (acks_[i].request_id == request_id) {
          const received_ack a = acks_[i];
          acks_.erase(acks_.begin() + static_cast<std::ptrdiff_t>(i));
          return a;
        }
      }
      if (!read_one(100ms) && !c_.connected()) break;
    }
    ADD_FAILURE() << "no ACK for request " << request_id;
    return {};
  }

  // Reads until `count` events (GAP markers included) are held, or the timeout.
  bool await_events(std::size_t count, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (events_.size() < count) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (!read_one(100ms) && !c_.connected()) return false;
    }
    return true;
  }

  // Reads until an event (or GAP marker) reaching sequence `last` is held, or the timeout.
  bool await_events_up_to(std::uint64_t last, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto reached = [&] {
      if (events_.empty()) return false;
      const received_event& e = events_.back();
      return (e.gap ? e.last_dropped : e.seq) >= last;
    };
    while (!reached()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (!read_one(100ms) && !c_.connected()) return false;
    }
    return true;
  }

  // One frame, if one comes within `timeout`; false on timeout or when the connection ended.
  bool read_one(std::chrono::milliseconds timeout) {
    const read_result r = c_.read_frame(timeout);
    if (r.status == read_status::timeout) return false;
    if (r.status != read_status::frame) {
      closed_ = true;
      c_.disconnect();
      return false;
    }
    if (const auto* e = std::get_if<proto::event_frame>(&r.value)) {
      received_event got{std::string(e->topic), e->seq, e->gap, 0, std::string(e->payload)};
      if (e->gap) got.last_dropped = proto::gap_last_dropped(*e);
      events_.push_back(std::move(got));
    } else if (const auto* a = std::get_if<proto::ack_frame>(&r.value)) {
      acks_.push_back({a->request_id, a->seq, a->status, a->request_type, a->duplicate, a->truncated, events_.size()});
    } else if (const auto* p = std::get_if<proto::pong_frame>(&r.value)) {
      pongs_.push_back(p->nonce);
    } else if (const auto* g = std::get_if<proto::goaway_frame>(&r.value)) {
      goaway_ = g->code;
    } else if (const auto* err = std::get_if<proto::error_frame>(&r.value)) {
      error_ = err->code;
    }
    return true;
  }

  [[nodiscard]] std::vector<received_event>& events() { return events_; }
  // The events received after `ack`: a SUBSCRIBE's ACK starts the stream it asked for.
  [[nodiscard]] std::vector<received_event> events_after(const received_ack& ack) const {
    return {events_.begin() + static_cast<std::ptrdiff_t>(ack.events_before), events_.end()};
  }
  [[nodiscard]] std::vector<received_ack>& acks() { return acks_; }
  [[nodiscard]] const std::vector<std::uint64_t>& pongs() const { return pongs_; }  // their nonces
  [[nodiscard]] std::optional<proto::error_code> goaway() const { return goaway_; }
  [[nodiscard]] std::optional<proto::error_code> error() const { return error_; }
  [[nodiscard]] bool closed() const { return closed_; }

 private:
  std::uint16_t port_;
  client c_;
  session_credentials credentials_;
  std::vector<received_event> events_;
  std::vector<received_ack> acks_;
  std::vector<std::uint64_t> pongs_;
  std::optional<proto::error_code> goaway_;
  std::optional<proto::error_code> error_;
  bool closed_ = false;
};

}  // namespace sluice::test
