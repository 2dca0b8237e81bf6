#include "engine/timing_wheel.hpp"

#include <type_traits>

namespace sluice {
namespace {

static_assert(std::is_standard_layout_v<timer_node>, "a timer_link* must convert back to its timer_node");
static_assert(sizeof(timer_node) == 32);

using wheel = timing_wheel;

constexpr unsigned shift_of(unsigned level) noexcept { return level * wheel::slot_bits; }
constexpr std::uint64_t slot_mask = wheel::slots_per_level - 1;

// Bits of `tick` that select its slot at `level`.
constexpr unsigned group_of(std::uint64_t tick, unsigned level) noexcept {
  return static_cast<unsigned>((tick >> shift_of(level)) & slot_mask);
}

// The level of the highest slot-bit group in which `a` and `b` differ (0 if equal).
constexpr unsigned level_of_difference(std::uint64_t a, std::uint64_t b) noexcept {
  const std::uint64_t diff = a ^ b;
  return diff == 0 ? 0 : static_cast<unsigned>(63 - std::countl_zero(diff)) / wheel::slot_bits;
}

// `tick` with every group below `level` cleared and the group at `level` set to `index`.
constexpr std::uint64_t slot_start(std::uint64_t tick, unsigned level, unsigned index) noexcept {
  const unsigned above = shift_of(level) + wheel::slot_bits;
  const std::uint64_t high = above >= 64 ? 0 : (tick >> above) << above;
  return high | (std::uint64_t{index} << shift_of(level));
}

constexpr unsigned slot_of(unsigned level, unsigned index) noexcept { return level * wheel::slots_per_level + index; }

static_assert(level_of_difference(0, UINT64_MAX) == wheel::level_count - 1);

}  // namespace

timing_wheel::timing_wheel(timing_wheel_config config) : config_(config), per_tick_(config.tick_ns) {
  SLUICE_ASSERT(config_.tick_ns > 0);
  static_assert(slot_count * lane_count <= UINT16_MAX + 1, "head_ is 16 bits");
  for (timer_link& head : heads_) head.prev = head.next = &head;
}

timing_wheel::~timing_wheel() {
  // Disarm what is still armed so the owners' nodes can be destroyed after us.
  for (timer_link& head : heads_) {
    for (timer_link* link = head.next; link != &head;) {
      timer_link* next = link->next;
      link->prev = link->next = nullptr;
      link = next;
    }
    head.prev = head.next = nullptr;
  }
}

// Inlined into schedule, cancel and the walk: it is most of their work.
[[gnu::always_inline]] inline void timing_wheel::file(timer_node& node) noexcept {
  SLUICE_DASSERT(node.deadline_tick_ >= cursor_tick_);
  const unsigned level = level_of_difference(node.deadline_tick_, cursor_tick_);
  const unsigned index = group_of(node.deadline_tick_, level);
  const unsigned slot = slot_of(level, index);
  const unsigned lane = file_lane_++ % lane_count;
  const unsigned head_index = slot * lane_count + lane;
  timer_link& head = heads_[head_index];
  node.head_ = static_cast<std::uint16_t>(head_index);
  node.link_.prev = head.prev;
  node.link_.next = &head;
  head.prev->next = &node.link_;
  head.prev = &node.link_;
  if (lanes_occupied_[slot] == 0) mark_occupied(slot);
  lanes_occupied_[slot] |= static_cast<std::uint8_t>(1u << lane);
}

inline void timing_wheel::mark_occupied(unsigned slot) noexcept {
  const unsigned level = slot / slots_per_level;
  occupied_[slot / 64] |= std::uint64_t{1} << (slot % 64);
  occupied_summary_[level] |= std::uint64_t{1} << (slot % slots_per_level / 64);
}

inline void timing_wheel::mark_empty(unsigned slot) noexcept {
  std::uint64_t& word = occupied_[slot / 64];
  word &= ~(std::uint64_t{1} << (slot % 64));
  if (word == 0) occupied_summary_[slot / slots_per_level] &= ~(std::uint64_t{1} << (slot % slots_per_level / 64));
}

inline void timing_wheel::lane_emptied(unsigned slot, unsigned lane) noexcept {
  lanes_occupied_[slot] &= static_cast<std::uint8_t>(~(1u << lane));
  if (lanes_occupied_[slot] == 0) mark_empty(slot);
}

[[gnu::always_inline]] inline void timing_wheel::unlink(timer_node& node) noexcept {
  SLUICE_ASSERT(node.scheduled());
  timer_link& head = heads_[node.head_];
  // A lane's front node has no valid prev: its predecessor is the head. Nodes are only
  // appended, so a front node stays front until it leaves, and popping it need not
  // store into the node behind it (a store that would miss the cache and stall the
  // walk; see the header).
  const bool front = head.next == &node.link_;
  timer_link* prev = front ? &head : node.link_.prev;
  timer_link* next = node.link_.next;
  prev->next = next;
  if (!front || next == &head) next->prev = prev;
  if (head.next == &head) lane_emptied(node.head_ / lane_count, node.head_ % lane_count);
}

// Takes the front node of the next non-empty lane after the last one popped, and
// prefetches the node behind it, which that lane's next pop will need.
[[gnu::always_inline]] inline timer_node* timing_wheel::pop_front(unsigned slot) noexcept {
  const unsigned lanes = lanes_occupied_[slot];
  SLUICE_ASSERT(lanes != 0);
  const unsigned start = pop_lane_ % lane_count;
  const unsigned rotated = ((lanes >> start) | (lanes << (lane_count - start))) & ((1u << lane_count) - 1);
  const unsigned lane = (start + static_cast<unsigned>(std::countr_zero(rotated))) % lane_count;
  pop_lane_ = lane + 1;
  timer_link& head = heads_[slot * lane_count + lane];
  timer_node* node = node_of(head.next);
  timer_link* next = node->link_.next;
  __builtin_prefetch(next);
  // unlink() for a front node, whose prev is stale (see unlink).
  head.next = next;
  if (next == &head) {
    head.prev = &head;
    lane_emptied(slot, lane);
  }
  return node;
}

void timing_wheel::schedule(timer_node& node, time_ns deadline_ns) noexcept {
  if (node.scheduled()) {
    unlink(node);
  } else {
    ++scheduled_count_;
  }
  const std::uint64_t deadline_tick = tick_ceil(deadline_ns);
  // A deadline at or before the cursor is due now: file it at the cursor's tick.
  node.deadline_tick_ = deadline_tick < cursor_tick_ ? cursor_tick_ : deadline_tick;
  file(node);
}

void timing_wheel::cancel(timer_node& node) noexcept {
  if (!node.scheduled()) return;
  unlink(node);
  node.link_.prev = node.link_.next = nullptr;
  SLUICE_ASSERT(scheduled_count_ > 0);
  --scheduled_count_;
}

timer_node* timing_wheel::next_due(std::uint32_t& work, std::uint32_t work_max) noexcept {
  while (cursor_tick_ <= target_tick_) {
    if (cascade_pending_) {
      // Reaching the start of a slot at level h (h = highest group that changed on
      // entering this tick) refiles that slot's timers at lower levels. Lower levels
      // are empty at such a boundary, so this single cascade per tick suffices.
      const unsigned level = cursor_tick_ == 0 ? 0 : level_of_difference(cursor_tick_, cursor_tick_ - 1);
      if (level > 0) {
        const unsigned slot = slot_of(level, group_of(cursor_tick_, level));
        while (!slot_empty(slot)) {
          if (work == work_max) return nullptr;
          file(*pop_front(slot));
          ++cascaded_total_;
          ++work;
        }
      }
      cascade_pending_ = false;
    }
    if (work == work_max) return nullptr;
    const unsigned slot0 = group_of(cursor_tick_, 0);
    if (!slot_empty(slot0)) {
      timer_node* node = pop_front(slot0);
      SLUICE_DASSERT(node->deadline_tick_ == cursor_tick_);
      node->link_.prev = node->link_.next = nullptr;
      --scheduled_count_;
      ++fired_total_;
      if (target_tick_ - cursor_tick_ > 1) ++fired_late_total_;
      return node;
    }
    // This tick is done: jump to the next tick with work, or just past the target.
    const std::uint64_t next = next_event_tick();
    if (next > target_tick_) {
      SLUICE_DASSERT(target_tick_ <= tick_max);  // so the cursor below stays a real tick
      cursor_tick_ = target_tick_ + 1;
      cascade_pending_ = true;
      break;
    }
    cursor_tick_ = next;
    cascade_pending_ = true;
  }
  return nullptr;
}

// The first tick after cursor_tick_ at which a slot fires or cascades, or UINT64_MAX.
// A lower level's next event always precedes a higher level's: it lies inside the
// block of ticks the higher level's current slot spans.
std::uint64_t timing_wheel::next_event_tick() const noexcept {
  for (unsigned level = 0; level < level_count; ++level) {
    const unsigned current = group_of(cursor_tick_, level);
    const unsigned word = current / 64;
    const unsigned bit = current % 64;
    const std::uint64_t* words = &occupied_[level * words_per_level];
    const std::uint64_t later = bit == 63 ? 0 : words[word] & (~std::uint64_t{0} << (bit + 1));
    if (later != 0) return slot_start(cursor_tick_, level, word * 64 + static_cast<unsigned>(std::countr_zero(later)));
    const std::uint64_t later_words =
        word + 1 >= words_per_level ? 0 : occupied_summary_[level] & (~std::uint64_t{0} << (word + 1));
    if (later_words != 0) {
      const auto w = static_cast<unsigned>(std::countr_zero(later_words));
      return slot_start(cursor_tick_, level, w * 64 + static_cast<unsigned>(std::countr_zero(words[w])));
    }
  }
  return UINT64_MAX;
}

bool timing_wheel::has_due_work() const noexcept {
  if (cursor_tick_ > target_tick_) return false;
  if (cascade_pending_ && cursor_tick_ != 0) {
    const unsigned level = level_of_difference(cursor_tick_, cursor_tick_ - 1);
    if (level > 0 && !slot_empty(slot_of(level, group_of(cursor_tick_, level)))) return true;
  }
  if (!slot_empty(group_of(cursor_tick_, 0))) return true;
  return next_event_tick() <= target_tick_;
}

}  // namespace sluice
