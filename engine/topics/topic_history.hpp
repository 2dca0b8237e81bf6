// The recent events of one topic, kept so that a subscriber that fell behind or came
// back from a disconnect can be replayed what it missed, in order.
//
// Sequences start at 1 (or a given first sequence) and grow by one per append; the history holds the newest
// events, [first_seq(), next_seq()). It is bounded three ways, and the oldest events
// go first when any bound is hit: count (events_max), bytes (bytes_max, counting the
// encoded frames) and age (age_max, applied by expire()). The newest event is always
// kept, even when it alone is larger than bytes_max, so that live delivery never has a
// hole the history cannot explain.
//
// A reader asks where delivery from a sequence would start (locate) and then reads in
// pages of at most `max` events (read), so a late joiner with a large backlog is served
// a page per reactor iteration instead of all at once.
//
// Thread: owned by the topic's owner shard. Memory: a ring of refs (8 bytes each) that
// starts at 16 and doubles as events arrive, up to events_max rounded up to a power of
// two; event bytes are shared, see event_record.hpp.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/counter.hpp"
#include "engine/time.hpp"
#include "engine/topics/event_record.hpp"

namespace sluice {

struct topic_history_limits {
  std::uint32_t events_max = 4096;      // replay depth for a busy topic
  std::uint64_t bytes_max = 16u << 20;  // memory per topic
  time_ns age_max = 5 * 60 * ns_per_s;  // longer than a resume window plus retries
};

struct topic_history_counters {
  counter appended_total;
  counter evicted_count_total;   // dropped to stay within events_max
  counter evicted_bytes_total;   // dropped to stay within bytes_max
  counter evicted_age_total;     // dropped by expire()
  counter evicted_budget_total;  // dropped by evict_oldest(): the owner's shard-wide byte budget
};

class topic_history {
 public:
  // Counts into `shared` when given (an owner sums all its topics there), else into
  // counters of its own.
  // Sequences start at `first_seq` (1 for a topic never seen; an owner restarting a
  // forgotten topic starts it past every sequence it gave before).
  explicit topic_history(const topic_history_limits& limits, topic_history_counters* shared = nullptr,
                         std::uint64_t first_seq = 1);
  topic_history(const topic_history&) = delete;
  topic_history& operator=(const topic_history&) = delete;

  // The sequence the next event gets: the caller stamps it into the frame it encodes.
  [[nodiscard]] std::uint64_t next_seq() const noexcept { return next_seq_; }
  // The oldest sequence held; equals next_seq() when the history is empty.
  [[nodiscard]] std::uint64_t first_seq() const noexcept { return next_seq_ - count_; }
  [[nodiscard]] std::uint32_t size() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t bytes() const noexcept { return bytes_; }

  // Appends `event`, whose seq() must be next_seq(), evicting the oldest events as the
  // count and byte bounds require.
  void append(event_ref event);
  // Drops the events published more than age_max before `now_ns` (the newest stays).
  void expire(time_ns now_ns);
  // Drops the oldest event unless it is the newest; false when nothing could go.
  bool evict_oldest();
  // Nothing here is replayable any more: empty, or the newest event is past age_max.
  [[nodiscard]] bool idle(time_ns now_ns) const noexcept;

  struct position {
    std::uint64_t start = 0;  // the first sequence a reader from `from` gets
    bool truncated = false;   // events in [from, start) are gone from the history
  };
  // Where delivery to a reader wanting everything from `from` (>= 1) begins. A `from`
  // past next_seq() starts at next_seq() and is truncated: the reader saw sequences this
  // history never gave (its topic was forgotten and restarted since).
  [[nodiscard]] position locate(std::uint64_t from) const noexcept;

  // Hands the events with sequences in [from, next_seq()) to `on_event(const event_ref&)`,
  // at most `max` of them, oldest first; `from` below first_seq() starts at first_seq().
  // Returns the sequence after the last one handed out (next_seq() when caught up).
  template <class on_event_fn>
  std::uint64_t read(std::uint64_t from, std::uint32_t max, on_event_fn&& on_event) const {
    std::uint64_t seq = from < first_seq() ? first_seq() : from;
    for (std::uint32_t given = 0; seq < next_seq_ && given < max; ++seq, ++given) on_event(at(seq));
    return seq < next_seq_ ? seq : next_seq_;
  }

  [[nodiscard]] const topic_history_counters& counters() const noexcept { return *counters_; }

 private:
  [[nodiscard]] const event_ref& at(std::uint64_t seq) const noexcept;
  void drop_oldest(counter& reason);
  void grow();

  topic_history_limits limits_;
  std::vector<event_ref> ring_;  // seq s lives at (s - 1) % ring_.size(), a power of two up to events_max's
  std::uint64_t next_seq_ = 1;
  std::uint32_t count_ = 0;
  std::uint64_t bytes_ = 0;
  topic_history_counters own_counters_;
  topic_history_counters* counters_;
};

}  // namespace sluice
