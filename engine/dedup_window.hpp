// A bounded window of recent client message ids, for publish deduplication.
//
// Remembers up to `entries_max` message ids, each with a 64-bit value (the sequence
// the original publish was given) and its insertion time; an id older than `ttl_ns`
// counts as unseen. Entries live in a ring in insertion order, found through a
// fixed-size open-addressing index, so:
//  - memory is fixed at construction whatever the input (memory_bytes());
//  - when full, inserting drops the oldest entry (counted as evicted_full);
//  - expired entries are dropped from the ring's head as time passes (counted).
// Ids are client-chosen, so the index hashes them with a secret seed.
//
// Cost per fresh id: clients number their messages upwards, so an id above every id
// ever remembered is known to be new without a lookup. While the ring's ids ascend
// (the usual case) the index is not kept at all: a lower id is found by binary search
// in the ring. An id out of order builds the index from the ring (once, O(entries))
// and it is kept until that id has left the ring. Each indexed entry keeps its hash, so
// forgetting it does not hash again. A caller that will update an entry later keeps
// the position remember() returned and reaches it with value_at(), without a lookup.
// (Profiled under a 50-pair publish load: the window was 19% of a reactor's time with
// the index always kept and a lookup per answer, 3% without.)
//
// Thread: owned by the session's shard.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/assert.hpp"
#include "engine/counter.hpp"
#include "engine/flat_index.hpp"
#include "engine/time.hpp"

namespace sluice {

struct dedup_window_config {
  std::uint32_t entries_max = 1'024;   // a publisher window of 256 in flight, 4x over
  time_ns ttl_ns = 5 * 60 * ns_per_s;  // longer than a resume window plus client retry backoff
  std::uint64_t hash_seed = 0;
};

struct dedup_window_counters {
  counter duplicates_total;
  counter evicted_full_total;  // forgotten early: the window was full
  counter expired_total;       // forgotten after the TTL
};

enum class dedup_verdict : std::uint8_t { fresh, duplicate };

struct dedup_result {
  dedup_verdict verdict = dedup_verdict::fresh;
  std::uint64_t value = 0;  // for a duplicate: the value remembered with the id
};

class dedup_window {
 public:
  // Counts into `shared` when given (a reactor sums all its sessions' windows there),
  // else into counters of its own.
  explicit dedup_window(const dedup_window_config& config, dedup_window_counters* shared = nullptr);
  dedup_window(const dedup_window&) = delete;
  dedup_window& operator=(const dedup_window&) = delete;

  // Fresh ids are remembered with `value`; a duplicate keeps its original value and
  // reports it.
  [[nodiscard]] dedup_result observe(std::uint64_t message_id, std::uint64_t value, time_ns now_ns);

  // A remembered id, or nullptr. The value may be updated in place (a publish whose
  // sequence is assigned later by the topic's owner).
  [[nodiscard]] std::uint64_t* find(std::uint64_t message_id, time_ns now_ns);

  // The ring position of a remembered id, or npos; value(position) reads or updates it.
  [[nodiscard]] std::uint32_t find_position(std::uint64_t message_id, time_ns now_ns);
  [[nodiscard]] std::uint64_t& value(std::uint32_t position) noexcept {
    SLUICE_DASSERT(position < ring_.size());
    return ring_[position].value;
  }
  // Remembers an id that find() has just reported absent (no second lookup), and
  // returns its position.
  std::uint32_t remember(std::uint64_t message_id, std::uint64_t value, time_ns now_ns);
  // The value remembered for `message_id` at `position` (from remember), or nullptr if
  // that entry has been forgotten since.
  [[nodiscard]] std::uint64_t* value_at(std::uint32_t position, std::uint64_t message_id) noexcept;

  static constexpr std::uint32_t npos = flat_index::npos;
  // True while the ids in the ring ascend and the index is not kept.
  [[nodiscard]] bool ordered() const noexcept { return ordered_; }

  [[nodiscard]] std::uint32_t size() const noexcept { return count_; }
  [[nodiscard]] std::size_t memory_bytes() const noexcept;
  [[nodiscard]] const dedup_window_counters& counters() const noexcept { return *counters_; }

 private:
  struct entry {
    std::uint64_t message_id = 0;
    std::uint64_t value = 0;
    time_ns inserted_ns = 0;
    std::uint64_t hash = 0;  // of message_id while indexed, kept for erasing it from the index
  };

  void drop_expired(time_ns now_ns);
  void drop_oldest();
  void build_index();
  [[nodiscard]] std::uint32_t locate(std::uint64_t message_id) const;
  [[nodiscard]] std::uint32_t search_ordered(std::uint64_t message_id) const noexcept;
  [[nodiscard]] std::uint32_t position_of(std::uint32_t age) const noexcept {  // age 0: the oldest
    const std::uint32_t p = head_ + age;
    return p >= ring_.size() ? p - static_cast<std::uint32_t>(ring_.size()) : p;
  }
  [[nodiscard]] std::uint64_t hash(std::uint64_t message_id) const noexcept;

  dedup_window_config config_;
  std::vector<entry> ring_;  // oldest at head_, count_ entries
  flat_index index_;         // message id -> ring position
  std::uint32_t head_ = 0;
  std::uint32_t count_ = 0;
  std::uint64_t highest_ = 0;  // the highest id ever remembered: above it, nothing is known
  // Ids ascend from the oldest entry to the newest, and index_ is empty. When false,
  // index_ holds every entry, and the ring is ordered again once the entry counted
  // `disorder_at_` (by remembered_total_) is the oldest or gone.
  bool ordered_ = true;
  std::uint64_t remembered_total_ = 0;
  std::uint64_t disorder_at_ = 0;
  dedup_window_counters own_counters_;
  dedup_window_counters* counters_;
};

}  // namespace sluice
