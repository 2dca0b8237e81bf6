// What reactors send each other through their inboxes. Each message moves ownership:
// an fd in a message belongs to the receiver once posted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "engine/protocol/frame.hpp"
#include "engine/session_id.hpp"
#include "engine/session_shard.hpp"
#include "engine/source_limiter.hpp"
#include "engine/topics/event_record.hpp"

namespace sluice {

// A connection just accepted elsewhere, for the reactor that owns its source address:
// that reactor runs source admission and the handshake.
struct adopt_connection {
  int fd = -1;
  source_address source;
};

// A connection whose HELLO named (or drew) a session this reactor owns. `pending` holds
// the bytes that arrived after the HELLO.
struct adopt_session {
  int fd = -1;
  source_address source;
  std::uint32_t source_reactor = 0;  // holds the connection's source admission slot
  bool resume = false;
  session_id id;
  session_id resume_token;
  std::uint64_t last_seq = 0;
  std::vector<std::byte> pending;
};

// Connections admitted by this reactor's source limiter have ended elsewhere.
struct release_source {
  source_address source;
  std::uint32_t count = 1;
};

// A connection from a source this reactor admits broke the protocol.
struct source_misuse {
  source_address source;
};

// Topic traffic. A topic's owner is the reactor its name hashes to; a subscription
// lives on its session's reactor and is named in replies by (index, generation), so a
// reply for a subscription that has since ended is recognised and dropped. One reactor's
// messages to another arrive in the order it sent them, which the delivery relies on:
// an answer or page sent before an event batch is handled before it.

// Subscriber's reactor -> owner: a subscription starts (`added`) or moves its position.
struct topic_subscribe {
  std::string topic;
  std::uint32_t from_reactor = 0;
  std::uint32_t subscription = 0;
  std::uint32_t generation = 0;
  bool added = false;
  std::uint64_t from_seq = 0;  // 0: from the next event
  std::uint64_t request_id = 0;
};

// Owner -> subscriber's reactor: where delivery starts.
struct topic_subscribed {
  std::uint32_t subscription = 0;
  std::uint32_t generation = 0;
  std::uint64_t request_id = 0;
  proto::error_code status = proto::error_code::none;
  std::uint64_t start = 0;
  bool truncated = false;
  std::uint64_t next_seq = 0;
};

// Subscriber's reactor -> owner: a subscription counted there has ended.
struct topic_unsubscribe {
  std::string topic;
  std::uint32_t from_reactor = 0;
};

// Publisher's reactor -> owner: an event encoded with sequence 0; its frame names the topic.
struct topic_publish {
  event_ref event;
  std::uint32_t from_reactor = 0;
  session_ref session;
  std::uint64_t request_id = 0;
  std::uint32_t remembered_at = 0;  // the request id's position in the session's dedup window
  bool ack = false;                 // the client wants an ACK on success too
};

// Owner -> publisher's reactor.
struct topic_published {
  session_ref session;
  std::uint64_t request_id = 0;
  std::uint32_t remembered_at = 0;  // copied from the topic_publish
  std::uint64_t seq = 0;
  proto::error_code status = proto::error_code::none;
  bool ack = false;
};

// Owner -> a reactor with subscribers: events in publication order (any topics).
struct event_batch {
  std::vector<event_ref> events;
};

// Subscriber's reactor -> owner: the next history page for one subscription.
struct replay_request {
  std::string topic;
  std::uint32_t from_reactor = 0;
  std::uint32_t subscription = 0;
  std::uint32_t generation = 0;
  std::uint64_t from_seq = 0;
};

// Owner -> subscriber's reactor.
struct replay_page {
  std::uint32_t subscription = 0;
  std::uint32_t generation = 0;
  std::vector<event_ref> events;
  std::uint64_t first_held = 0;  // the oldest sequence the history had
  std::uint64_t next_seq = 0;    // the topic's next sequence when the page was read
};

using reactor_message = std::variant<std::monostate, adopt_connection, adopt_session, release_source, source_misuse,
                                     topic_subscribe, topic_subscribed, topic_unsubscribe, topic_publish,
                                     topic_published, event_batch, replay_request, replay_page>;

}  // namespace sluice
