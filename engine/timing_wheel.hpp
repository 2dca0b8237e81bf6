// A hierarchical timing wheel: O(1) schedule, cancel and reschedule; expiry work
// bounded per call.
//
// Layout. Time is counted in ticks (default 1 ms) from an origin. There are 8 levels
// of 512 slots; level L holds timers whose deadline first differs from the wheel's
// cursor in bits [9L, 9L+9) of the tick number. 8 * 9 = 72 >= 64 bits, so every
// 64-bit deadline has a place and there is no overflow list. A timer is filed in the
// slot given by its own deadline bits at its level; when the cursor reaches that
// slot's start the slot is cascaded (each timer refiled at a lower level), and level
// 0 slots fire. Why 9 bits: at scale every cascade move is a cache miss on the node,
// and with 512-tick level-0 slots a timeout of a few minutes (at 1 ms) usually cascades once,
// where 6-bit levels moved a one-minute timer twice (measured: expiry 25% faster).
// Per level an occupancy bitmap (8 words and a summary word) lets the cursor jump
// straight over empty time, so an idle wheel costs nothing per tick.
//
// Nodes are intrusive (the owner embeds a timer_node), so scheduling never allocates.
// A slot is 8 lanes, each a circular doubly linked list with a sentinel; unlinking
// needs no search. Why lanes: with 1M timers every node is a cache miss when a slot
// is walked, and one list is a chain of dependent misses (measured: 55% of expiry
// time). Timers are spread round-robin over the lanes and the walk takes one node
// from each lane in turn, prefetching each lane's next node, so about 8 misses are in
// flight instead of one.
//
// Budget. advance() does at most `work_max` units of work, where a unit is one timer
// fired or one timer moved by a cascade. What is left stays due and is done by the
// next call: no timer is lost and none fires before its deadline. Timers fire in
// deadline order (ticks ascending); within a tick, in no particular order.
//
// Re-entrancy: the expiry callback may schedule or cancel any timer, including the
// one that fired. A timer scheduled at or before the current tick fires within the
// same call if budget remains.
//
// Thread: owned by one thread (a shard's reactor). Memory: 8 * 512 * 8 sentinels of 16
// bytes (512 KiB), of which only the slots near the cursor are touched.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

#include "engine/assert.hpp"
#include "engine/divider.hpp"
#include "engine/time.hpp"

namespace sluice {

// The links of a wheel list: a node's first member, and each lane's sentinel.
struct timer_link {
  timer_link* prev = nullptr;  // stale while the node is its lane's front (see unlink)
  timer_link* next = nullptr;  // nullptr exactly when a node is not scheduled
};

struct timer_node {
  timer_node() = default;
  timer_node(const timer_node&) = delete;
  timer_node& operator=(const timer_node&) = delete;
  ~timer_node() { SLUICE_ASSERT(!scheduled()); }

  [[nodiscard]] bool scheduled() const noexcept { return link_.next != nullptr; }
  // The tick at which this timer fires; valid while scheduled.
  [[nodiscard]] std::uint64_t deadline_tick() const noexcept { return deadline_tick_; }

 private:
  friend class timing_wheel;
  timer_link link_;  // first member: a list's timer_link* converts back to its node
  std::uint64_t deadline_tick_ = 0;
  std::uint16_t head_ = 0;  // index of its lane's sentinel: slot * lane_count + lane
};

struct timing_wheel_config {
  time_ns tick_ns = ns_per_ms;  // resolution; 1 ms suits network timeouts of seconds
  time_ns origin_ns = 0;        // clock reading that maps to tick 0
};

class timing_wheel {
 public:
  static constexpr unsigned slot_bits = 9;
  static constexpr unsigned slots_per_level = 1u << slot_bits;
  static constexpr unsigned level_count = (64 + slot_bits - 1) / slot_bits;
  static constexpr unsigned slot_count = level_count * slots_per_level;
  static constexpr unsigned words_per_level = slots_per_level / 64;
  static constexpr unsigned lane_count = 8;  // misses in flight when a slot is walked

  struct advance_result {
    std::uint32_t fired = 0;  // callbacks invoked
    std::uint32_t work = 0;   // timers fired plus timers cascaded
    bool backlog = false;     // due work remains because the budget ran out
  };

  explicit timing_wheel(timing_wheel_config config = {});
  ~timing_wheel();
  timing_wheel(const timing_wheel&) = delete;
  timing_wheel& operator=(const timing_wheel&) = delete;

  // Arms `node` to fire at the first tick boundary at or after `deadline_ns`, so it
  // never fires early. Reschedules if already armed. A deadline already passed fires
  // on the next advance.
  void schedule(timer_node& node, time_ns deadline_ns) noexcept;

  // Disarms `node`; a no-op when it is not armed.
  void cancel(timer_node& node) noexcept;

  // Moves time forward to `now_ns` (time never moves back; an older reading is
  // ignored) and fires due timers, doing at most `work_max` units of work.
  // `on_expire(timer_node&)` is called with the node already disarmed.
  template <class on_expire_fn>
  advance_result advance(time_ns now_ns, std::uint32_t work_max, on_expire_fn&& on_expire) {
    SLUICE_ASSERT(work_max > 0);
    SLUICE_ASSERT(now_ns >= config_.origin_ns);  // before the origin every time is tick 0
    const std::uint64_t now_tick = tick_floor(now_ns);
    if (now_tick > target_tick_) target_tick_ = now_tick;
    advance_result result;
    while (timer_node* due = next_due(result.work, work_max)) {
      ++result.work;
      ++result.fired;
      on_expire(*due);
    }
    result.backlog = result.work == work_max && has_due_work();
    return result;
  }

  [[nodiscard]] bool has_due_work() const noexcept;
  // The last usable tick: UINT64_MAX itself means "no event" inside the wheel.
  static constexpr std::uint64_t tick_max = UINT64_MAX - 1;

  [[nodiscard]] std::uint64_t tick_floor(time_ns t) const noexcept {
    if (t <= config_.origin_ns) return 0;
    const std::uint64_t ticks = per_tick_.divide(t - config_.origin_ns);
    return ticks > tick_max ? tick_max : ticks;
  }
  [[nodiscard]] std::uint64_t tick_ceil(time_ns t) const noexcept {
    if (t <= config_.origin_ns) return 0;
    // ceil(x / d) = (x - 1) / d + 1 for x > 0: one division, no remainder check.
    const std::uint64_t ticks = per_tick_.divide(t - config_.origin_ns - 1) + 1;
    return ticks > tick_max ? tick_max : ticks;
  }
  [[nodiscard]] time_ns tick_ns() const noexcept { return config_.tick_ns; }
  [[nodiscard]] std::uint64_t scheduled_count() const noexcept { return scheduled_count_; }
  [[nodiscard]] std::uint64_t fired_total() const noexcept { return fired_total_; }
  // Timers that fired more than one tick after their deadline (held back by budget,
  // or advance() called late by its owner).
  [[nodiscard]] std::uint64_t fired_late_total() const noexcept { return fired_late_total_; }
  [[nodiscard]] std::uint64_t cascaded_total() const noexcept { return cascaded_total_; }

 private:
  // Cascades what is due (counting each move in `work`) and returns the next disarmed
  // node to fire, or nullptr when nothing is due or `work` reached `work_max`.
  [[nodiscard]] timer_node* next_due(std::uint32_t& work, std::uint32_t work_max) noexcept;
  void file(timer_node& node) noexcept;    // link into the slot its deadline selects
  void unlink(timer_node& node) noexcept;  // remove from its slot, keeps it armed
  [[nodiscard]] timer_node* pop_front(unsigned slot) noexcept;
  [[nodiscard]] std::uint64_t next_event_tick() const noexcept;
  void mark_occupied(unsigned slot) noexcept;
  void mark_empty(unsigned slot) noexcept;
  void lane_emptied(unsigned slot, unsigned lane) noexcept;  // its last timer left
  [[nodiscard]] bool slot_empty(unsigned slot) const noexcept { return lanes_occupied_[slot] == 0; }
  [[nodiscard]] static timer_node* node_of(timer_link* link) noexcept { return reinterpret_cast<timer_node*>(link); }

  timing_wheel_config config_;
  divider per_tick_;  // ns -> ticks without a div instruction
  // Ticks below cursor_tick_ are done. cascade_pending_ says whether the cascade that
  // the cursor's tick boundary calls for is still to do.
  std::uint64_t cursor_tick_ = 0;
  std::uint64_t target_tick_ = 0;  // the latest tick advance() was asked to reach
  bool cascade_pending_ = true;
  // Occupancy: a bit per non-empty slot, 8 words per level, and per level a summary
  // word (bit w: the level's word w is non-zero).
  static_assert(words_per_level <= 64, "one summary word covers a level");
  std::array<std::uint64_t, level_count * words_per_level> occupied_{};
  std::array<std::uint64_t, level_count> occupied_summary_{};
  std::array<std::uint8_t, slot_count> lanes_occupied_{};  // bit l: lane l non-empty
  std::array<timer_link, slot_count * lane_count> heads_;  // slot * lane_count + lane
  unsigned file_lane_ = 0;                                 // round-robin lane for the next filed timer
  unsigned pop_lane_ = 0;                                  // round-robin lane for the next popped timer
  std::uint64_t scheduled_count_ = 0;
  std::uint64_t fired_total_ = 0;
  std::uint64_t fired_late_total_ = 0;
  std::uint64_t cascaded_total_ = 0;
};

}  // namespace sluice
