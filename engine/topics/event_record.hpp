// One published event, encoded once as the EVENT frame every subscriber receives, and
// shared by reference: the topic's history and every subscriber's output queue hold an
// event_ref to the same bytes, on any shard. Immutable once published.
//
// Thread: an event_ref may be copied, moved and dropped on any thread (the count is
// atomic); the bytes are written only by the publishing owner before the first copy
// leaves its thread (a queue hand-off publishes them).
// Memory: one block per event, header + frame bytes; freed with the last ref, through
// the freeing thread's event_block_cache when it has one.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <utility>

#include "engine/assert.hpp"
#include "engine/time.hpp"
#include "engine/topics/event_block_cache.hpp"

namespace sluice {

class event_record {
 public:
  event_record(const event_record&) = delete;
  event_record& operator=(const event_record&) = delete;

  [[nodiscard]] std::uint64_t seq() const noexcept { return seq_; }
  [[nodiscard]] time_ns published_ns() const noexcept { return published_ns_; }
  [[nodiscard]] std::span<const std::byte> frame() const noexcept { return {data(), size_}; }
  [[nodiscard]] std::uint32_t refs() const noexcept { return refs_.load(std::memory_order_acquire); }

 private:
  friend class event_ref;
  event_record(std::uint64_t seq, time_ns published_ns, std::uint32_t size) noexcept
      : seq_(seq), published_ns_(published_ns), size_(size) {}
  [[nodiscard]] std::byte* data() noexcept { return reinterpret_cast<std::byte*>(this + 1); }
  [[nodiscard]] const std::byte* data() const noexcept { return reinterpret_cast<const std::byte*>(this + 1); }

  std::atomic<std::uint32_t> refs_{1};
  std::uint64_t seq_;
  time_ns published_ns_;
  std::uint32_t size_;
};

// A counted reference to an event_record; empty when default-constructed or moved from.
class event_ref {
 public:
  event_ref() noexcept = default;
  event_ref(const event_ref& other) noexcept : record_(other.record_) {
    if (record_ != nullptr) record_->refs_.fetch_add(1, std::memory_order_relaxed);
  }
  event_ref(event_ref&& other) noexcept : record_(std::exchange(other.record_, nullptr)) {}
  event_ref& operator=(event_ref other) noexcept {
    std::swap(record_, other.record_);
    return *this;
  }
  ~event_ref() { reset(); }

  // A new event with room for a `frame_size`-byte frame, which the caller fills through
  // writable_frame() before sharing the ref.
  [[nodiscard]] static event_ref create(std::uint64_t seq, time_ns published_ns, std::uint32_t frame_size) {
    void* memory = event_block_cache::allocate(sizeof(event_record) + frame_size);
    event_ref ref;
    ref.record_ = new (memory) event_record(seq, published_ns, frame_size);
    return ref;
  }

  [[nodiscard]] std::span<std::byte> writable_frame() noexcept {
    SLUICE_ASSERT(record_ != nullptr);
    SLUICE_DASSERT(record_->refs() == 1);  // still private to its publisher
    return {record_->data(), record_->size_};
  }

  // Gives a still-private event its sequence and publication time: the topic's owner
  // does this to an event the publisher's shard encoded before the sequence was known.
  void stamp(std::uint64_t seq, time_ns published_ns) noexcept {
    SLUICE_ASSERT(record_ != nullptr);
    SLUICE_DASSERT(record_->refs() == 1);
    record_->seq_ = seq;
    record_->published_ns_ = published_ns;
  }

  void reset() noexcept {
    if (record_ == nullptr) return;
    drop(std::exchange(record_, nullptr), 1);
  }

  [[nodiscard]] explicit operator bool() const noexcept { return record_ != nullptr; }
  [[nodiscard]] const event_record& operator*() const noexcept { return *record_; }
  [[nodiscard]] const event_record* operator->() const noexcept { return record_; }

 private:
  friend class event_ref_fanout;
  friend class event_release_batch;

  explicit event_ref(event_record* counted) noexcept : record_(counted) {}  // adopts a counted reference

  static void add(event_record* record, std::uint32_t count) noexcept {
    record->refs_.fetch_add(count, std::memory_order_relaxed);
  }
  // Drops `count` references at once; the last frees the event.
  static void drop(event_record* record, std::uint32_t count) noexcept {
    // The last references skip the locked update: then there is no other holder to race,
    // nor anyone who could make a new reference. (Under 50 pipelining pairs the locked
    // count updates were 6% of a reactor's time, perf.) The acquire load orders the free
    // after the other holders' last reads, as the decrement's acquire did.
    if (record->refs_.load(std::memory_order_acquire) == count ||
        record->refs_.fetch_sub(count, std::memory_order_acq_rel) == count) {
      const std::size_t bytes = sizeof(event_record) + record->size_;
      record->~event_record();
      event_block_cache::free(record, bytes);
    }
  }

  event_record* record_ = nullptr;
};

}  // namespace sluice
