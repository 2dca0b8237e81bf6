// The topics one shard owns (those whose name hashes to it): for each, its history and
// which shards have subscribers to it, so a published event is handed once to each of
// those shards and never to the others.
//
// Requests arrive already checked by the requester's shard (topic name, payload size,
// rate); what is left to refuse here is a new topic past topics_max.
//
// Forgetting: a topic with no subscribers and nothing replayable left (its newest event
// older than history age_max) is dropped by expire(), so topics_max bounds the topics
// in use, not every name ever seen. A topic created after one was forgotten starts past
// every sequence a forgotten topic reached (restart_seq_), so any position a client
// kept from before lies below the new history and is answered as truncated, never
// silently served from the middle of the new numbering.
//
// Shard budget: the histories of all topics together keep at most history_shard_bytes
// (plus each topic's newest event, which is always kept). Past it the oldest events of
// the least recently published topic go first. Topics holding more than their newest
// event are on an intrusive LRU list, so each eviction is O(1).
//
// Thread: owned by one reactor. Bounds: topics_max topics; each history by its limits,
// all of them by history_shard_bytes; per topic one (shard, count) pair per shard with
// subscribers.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/counter.hpp"
#include "engine/protocol/frame.hpp"
#include "engine/topics/event_record.hpp"
#include "engine/topics/topic_history.hpp"
#include "engine/topics/topics_config.hpp"

namespace sluice {

struct shard_interest {
  std::uint32_t shard = 0;
  std::uint32_t subscriptions = 0;  // > 0
};

struct topic_owner_counters {
  gauge topics;
  gauge history_bytes;  // encoded event bytes held by all histories
  counter published_total;
  counter refused_topics_total;  // requests refused with too_many_topics
  counter forgotten_topics_total;
  topic_history_counters history;  // summed over every topic, forgotten ones included
};

class topic_owner {
 public:
  topic_owner(const topics_config& config, std::uint64_t hash_seed);

  struct subscribe_outcome {
    proto::error_code status = proto::error_code::none;
    std::uint64_t start = 0;     // the first sequence the subscriber gets
    bool truncated = false;      // events it asked for are gone from the history
    std::uint64_t next_seq = 0;  // the sequence the topic's next event gets
  };
  // A subscription on `shard` starts (`added`) or moves its position. With `from` set
  // (>= 1), delivery starts there or at the oldest event held; else at the next event.
  [[nodiscard]] subscribe_outcome subscribe(std::string_view topic, std::uint32_t shard, bool added,
                                            std::uint64_t from);
  // A subscription on `shard` ended; a no-op for one that was never counted.
  void unsubscribe(std::string_view topic, std::uint32_t shard) noexcept;

  struct publish_outcome {
    proto::error_code status = proto::error_code::none;
    std::uint64_t seq = 0;
    event_ref event{};                         // the stamped event, to hand to those shards
    std::span<const shard_interest> shards{};  // valid until the next call
  };
  // Gives `event` (encoded with sequence 0, private to the caller) its topic's next
  // sequence, stamped into its frame, and keeps it in the history.
  [[nodiscard]] publish_outcome publish(event_ref event, time_ns now_ns);

  // The shards with subscribers to `topic` (none for an unknown topic); valid until the
  // next call.
  [[nodiscard]] std::span<const shard_interest> interest(std::string_view topic) const noexcept {
    const auto it = topics_.find(topic);
    return it == topics_.end() ? std::span<const shard_interest>{}
                               : std::span<const shard_interest>(it->second->shards);
  }

  struct page {
    std::uint64_t first_held = 0;  // the oldest sequence the history still has
    std::uint64_t next_seq = 0;    // the sequence the topic's next event gets
  };
  // Hands at most `max` events from `from` on (oldest first) to `on_event(const event_ref&)`.
  // An unknown topic reads as empty, at sequence 1.
  template <class on_event_fn>
  page read(std::string_view topic, std::uint64_t from, std::uint32_t max, on_event_fn&& on_event) const {
    const auto it = topics_.find(topic);
    if (it == topics_.end()) return {1, 1};
    const topic_history& history = it->second->history;
    (void)history.read(from, max, on_event);
    return {history.first_seq(), history.next_seq()};
  }

  // Applies the age bound to at most `budget` topics, round robin, so no call is long,
  // and forgets those of them that are idle (see above).
  void expire(time_ns now_ns, std::uint32_t budget);

  [[nodiscard]] std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(order_.size()); }
  [[nodiscard]] const topic_owner_counters& counters() const noexcept { return counters_; }

 private:
  struct owned_topic {
    owned_topic(std::string topic_name, const topic_history_limits& limits, topic_history_counters& counters,
                std::uint64_t first_seq)
        : name(std::move(topic_name)), history(limits, &counters, first_seq) {}
    std::string name;
    topic_history history;
    std::vector<shard_interest> shards;
    std::size_t order_index = 0;   // its place in order_
    owned_topic* older = nullptr;  // LRU links, while it holds more than its newest event
    owned_topic* newer = nullptr;
    bool evictable = false;
  };
  struct name_hash {
    using is_transparent = void;
    std::uint64_t seed = 0;
    std::size_t operator()(std::string_view name) const noexcept;
  };

  [[nodiscard]] owned_topic* find_or_create(std::string_view topic);
  // Applies a change to `t`'s history: keeps history_bytes_ exact and the LRU in step.
  template <class change_fn>
  void change_history(owned_topic& t, bool published, change_fn&& change);
  void lru_remove(owned_topic& t) noexcept;
  void lru_push_newest(owned_topic& t) noexcept;
  void enforce_shard_budget();
  void forget(owned_topic& t);

  topics_config config_;
  std::unordered_map<std::string_view, std::unique_ptr<owned_topic>, name_hash, std::equal_to<>>
      topics_;                       // keys view names
  std::vector<owned_topic*> order_;  // for round-robin expiry
  std::size_t expire_cursor_ = 0;
  // The topic found last: a publisher's window arrives as a run of events to one topic,
  // and the name's hash and probe were 5% of a reactor's time under 50 pipelining pairs.
  owned_topic* last_found_ = nullptr;
  owned_topic* lru_oldest_ = nullptr;  // least recently published, with events to spare
  owned_topic* lru_newest_ = nullptr;
  std::uint64_t history_bytes_ = 0;
  std::uint64_t restart_seq_ = 1;  // first sequence of a new topic: past all forgotten ones
  topic_owner_counters counters_;
};

}  // namespace sluice
