// The subscriptions of the sessions one shard owns, found by session (to list, move or
// drop them) and by topic (to deliver an event batch to every local subscriber).
//
// Each subscription tracks the next sequence its session should be sent, so live
// batches and history pages can arrive in any interleaving: an event is queued only if
// it is exactly that sequence, older ones are skipped, and a newer one means the
// subscription is behind and must be served from the topic's history first.
//
// Thread: owned by one reactor. Bounds: subscriptions_max over the shard and
// session_subscriptions_max per session, checked before anything is inserted.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/counter.hpp"
#include "engine/protocol/frame.hpp"
#include "engine/session_shard.hpp"

namespace sluice {

enum class subscription_state : std::uint8_t {
  waiting,  // the topic's owner has not yet said where delivery starts
  live,     // events are queued as their batches arrive
  behind,   // events are fetched from the history, a page at a time
};

struct subscription {
  session_ref session;
  std::uint32_t topic = UINT32_MAX;  // index of its local topic
  std::uint32_t generation = 0;      // tells a reply for a former subscription in this slot from one for this
  std::uint64_t next_seq = 0;        // the next sequence the session is to be sent
  subscription_state state = subscription_state::waiting;
  bool replay_in_flight = false;  // a history page was asked for and has not arrived
  bool adding = false;            // its first SUBSCRIBE is not answered: the owner may refuse the topic
};

struct subscription_table_counters {
  gauge subscriptions;
  counter refused_total;  // too_many_subscriptions, per session or per shard
};

class subscription_table {
 public:
  static constexpr std::uint32_t npos = UINT32_MAX;

  subscription_table(std::uint32_t subscriptions_max, std::uint32_t session_subscriptions_max,
                     std::uint32_t sessions_max, std::uint64_t hash_seed);

  // The session's subscription to `topic`, or npos.
  [[nodiscard]] std::uint32_t find(session_ref session, std::string_view topic) const noexcept;

  struct add_result {
    std::uint32_t index = npos;
    proto::error_code status = proto::error_code::none;
  };
  // A new subscription, waiting for its owner's answer; refused past either bound.
  [[nodiscard]] add_result add(session_ref session, std::string_view topic, std::uint32_t owner);
  void remove(std::uint32_t index);

  [[nodiscard]] subscription& operator[](std::uint32_t index) noexcept { return subs_[index]; }
  [[nodiscard]] const subscription& operator[](std::uint32_t index) const noexcept { return subs_[index]; }
  // Whether `index` holds the subscription of that generation still.
  [[nodiscard]] bool current(std::uint32_t index, std::uint32_t generation) const noexcept {
    return index < subs_.size() && subs_[index].topic != UINT32_MAX && subs_[index].generation == generation;
  }
  [[nodiscard]] std::string_view topic_of(const subscription& s) const noexcept { return topics_[s.topic].name; }
  [[nodiscard]] std::uint32_t owner_of(const subscription& s) const noexcept { return topics_[s.topic].owner; }

  [[nodiscard]] std::span<const std::uint32_t> of_session(std::uint32_t session_slot) const noexcept {
    return by_session_[session_slot];
  }
  [[nodiscard]] std::span<const std::uint32_t> of_topic(std::string_view topic) const noexcept;

  [[nodiscard]] std::uint32_t size() const noexcept { return size_; }
  [[nodiscard]] const subscription_table_counters& counters() const noexcept { return counters_; }

 private:
  struct local_topic {
    std::string name;
    std::uint32_t owner = 0;
    std::vector<std::uint32_t> subscriptions;
  };
  struct name_hash {
    using is_transparent = void;
    std::uint64_t seed = 0;
    std::size_t operator()(std::string_view name) const noexcept;
  };

  std::uint32_t subscriptions_max_;
  std::uint32_t session_subscriptions_max_;
  std::vector<subscription> subs_;  // grows up to subscriptions_max_
  std::vector<std::uint32_t> free_subs_;
  std::uint32_t size_ = 0;
  std::vector<std::vector<std::uint32_t>> by_session_;  // by session slot
  std::deque<local_topic> topics_;                      // a deque: growing it never moves a name the index views
  std::vector<std::uint32_t> free_topics_;
  std::unordered_map<std::string_view, std::uint32_t, name_hash, std::equal_to<>> topic_index_;  // keys view names
  subscription_table_counters counters_;
};

}  // namespace sluice
