// What bounds topics, subscriptions and publishing ([topics] in the configuration; the
// reasons for each bound are in docs/config.md). Every limit here is answered with an
// ACK status when a request would pass it, never by dropping the connection.
#pragma once

#include <cstdint>

#include "engine/time.hpp"
#include "engine/topics/topic_history.hpp"

namespace sluice {

// What happens to a subscriber whose connection's output is full.
enum class slow_consumer_policy : std::uint8_t {
  // Its events stop being queued; it is served from the topic's history once its output
  // drains. Events the history dropped meanwhile (the oldest first) reach it as a GAP
  // marker. Its other traffic goes on.
  drop_oldest,
  // The connection gets GOAWAY(slow_consumer) and is closed; the session stays
  // resumable and SUBSCRIBE with FROM_SEQ recovers what the history still holds.
  disconnect,
};

struct topics_config {
  std::uint32_t topics_max = 65'536;                   // topics one shard owns
  std::uint32_t subscriptions_max = 262'144;           // subscriptions held on one shard, all sessions
  std::uint32_t session_subscriptions_max = 256;       // per session
  std::uint32_t payload_max = 64 * 1024;               // bytes of one PUBLISH payload
  topic_history_limits history;                        // per topic
  std::uint64_t history_shard_bytes_max = 256u << 20;  // all the histories of one shard (newest events aside)
  double publish_rate_per_s = 10'000.0;                // per session, sustained
  std::uint32_t publish_burst = 1'000;                 // per session, at once
  std::uint32_t dedup_entries = 256;                   // request ids remembered per publishing session
  time_ns dedup_ttl_ns = 5 * 60 * ns_per_s;            // how long a request id is remembered
  std::uint32_t replay_page_events = 256;              // events per history page sent to one subscriber
  slow_consumer_policy slow_consumer = slow_consumer_policy::drop_oldest;
};

}  // namespace sluice
