// References to events counted in batches. A fan-out hands one event to every
// subscriber's output queue, and each queue drops its reference when the bytes are
// sent: one locked update of the event's count each way per delivery. With 100
// subscribers on one reactor those updates were a quarter of its time (64 B events,
// window 256, perf: the `lock add` in deliver and the `lock sub` in the queue's consume).
// event_ref_fanout takes the references of one delivery round in one update, and
// event_release_batch sums a reactor's drops per event until its loop iteration ends.
//
// Thread: both are used on one thread; the references they make and drop are ordinary
// event_refs, shareable as always.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "engine/assert.hpp"
#include "engine/topics/event_record.hpp"

namespace sluice {

// Hands out up to `most` references to one event for two locked updates: reserving
// them all, and giving back those not taken. The caller's own reference outlives it, so
// the give-back never frees the event.
class event_ref_fanout {
 public:
  event_ref_fanout(const event_ref& event, std::uint32_t most) noexcept : record_(event.record_), left_(most) {
    SLUICE_ASSERT(record_ != nullptr);
    if (left_ > 0) event_ref::add(record_, left_);
  }
  ~event_ref_fanout() {
    if (left_ > 0) event_ref::drop(record_, left_);
  }
  event_ref_fanout(const event_ref_fanout&) = delete;
  event_ref_fanout& operator=(const event_ref_fanout&) = delete;

  [[nodiscard]] event_ref take() noexcept {
    SLUICE_ASSERT(left_ > 0);
    --left_;
    return event_ref(record_);
  }

 private:
  event_record* record_;
  std::uint32_t left_;
};

// Takes references to drop and drops them at flush(), one locked update per event
// rather than per reference. Bound: `slots` events at a time, by address; an event
// whose slot another holds drops that one's references first. The events stay alive
// until then: at most `slots` past their last use, for one loop iteration.
class event_release_batch {
 public:
  static constexpr std::size_t slots = 1024;

  event_release_batch() = default;
  event_release_batch(const event_release_batch&) = delete;
  event_release_batch& operator=(const event_release_batch&) = delete;
  ~event_release_batch() { flush(); }

  // Empties `ref`; its reference is dropped by the next flush() at the latest.
  void release(event_ref& ref) noexcept {
    event_record* record = std::exchange(ref.record_, nullptr);
    if (record == nullptr) return;
    const std::size_t at = slot_of(record);
    pending& p = pending_[at];
    if (p.record == record) {
      ++p.count;
      return;
    }
    if (p.record != nullptr) {
      event_ref::drop(p.record, p.count);
    } else {
      used_[used_count_++] = static_cast<std::uint16_t>(at);
    }
    p = {record, 1};
  }

  void flush() noexcept {
    for (std::size_t i = 0; i < used_count_; ++i) {
      pending& p = pending_[used_[i]];
      event_ref::drop(p.record, p.count);
      p = {};
    }
    used_count_ = 0;
  }

  [[nodiscard]] std::size_t events_pending() const noexcept { return used_count_; }

 private:
  struct pending {
    event_record* record = nullptr;
    std::uint32_t count = 0;
  };
  static_assert(slots <= UINT16_MAX + 1);

  static std::size_t slot_of(const event_record* record) noexcept {
    // The low bits of a block's address say little; a multiplicative hash spreads the rest.
    const auto bits = reinterpret_cast<std::uintptr_t>(record) >> 6;
    return static_cast<std::size_t>((bits * 0x9e3779b97f4a7c15ULL) >> 54);  // top 10 bits
  }
  static_assert(slots == 1024, "slot_of() takes the top 10 bits");

  std::array<pending, slots> pending_{};
  std::array<std::uint16_t, slots> used_{};  // indices of pending_ in use
  std::size_t used_count_ = 0;
};

}  // namespace sluice
