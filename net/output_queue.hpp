// What is queued for one connection, in order: frames encoded here (answers, control
// frames) and events. The reactor hands the whole queue to the kernel in one sendmsg,
// as an iovec per segment, once per loop iteration, however many events are pending.
//
// An event is shared with the other subscribers (an event_ref, not a copy), except a
// small one (up to copy_max bytes) that few connections of this reactor receive
// (audience up to copy_audience_max): that one is copied in with its neighbours, so a
// run of such events is one segment. Why: for a few small events the kernel's cost per
// iovec segment outweighs the copy (50 pipelining pairs, 64 B: the kernel's copy-in was
// 26% of a reactor's time, and copying doubled the pairs' throughput). For a wide
// fan-out the copies are many and each subscriber's buffer is new memory, while one
// shared event stays in cache for every send (1 -> 100, window 256: copying cost a
// third of the throughput). Measured with sluice-load, docs/benchmarks.md.
//
// Thread: the connection's reactor. Bound: the caller checks footprint() against its
// limit before appending (see reactor::queue_frame and the event delivery).
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "engine/topics/event_record.hpp"
#include "engine/topics/event_ref_batch.hpp"

namespace sluice {

// An allocator whose value-less construct leaves bytes uninitialised: the queue's byte
// buffer grows by resize() and every new byte is written right after, so zero-filling
// it first would write everything twice.
template <class T>
struct uninitialized_allocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = uninitialized_allocator<U>;
  };
  uninitialized_allocator() = default;
  template <class U>
  explicit uninitialized_allocator(const uninitialized_allocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... A>
  void construct(U* p, A&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<A>(args)...);
  }
};

class output_queue {
 public:
  static constexpr std::size_t copy_max = 512;         // events up to this size may be copied in
  static constexpr std::size_t copy_audience_max = 4;  // ... when at most this many connections get them

  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }
  [[nodiscard]] bool empty() const noexcept { return bytes_ == 0; }
  // What the queue holds against its connection's bound: the unsent bytes plus a
  // segment record per pending segment, so a queue of tiny events is charged for its
  // bookkeeping too.
  [[nodiscard]] std::size_t footprint() const noexcept {
    return bytes_ + (segments_.size() - front_) * sizeof(segment);
  }

  // Room for `size` bytes of a frame encoded in place; adjacent frames share a segment.
  [[nodiscard]] std::span<std::byte> append_bytes(std::size_t size);
  // Whether an event frame of `frame_size` bytes sent to `audience` connections of this
  // reactor is copied in (see above) rather than shared.
  [[nodiscard]] static bool copies(std::size_t frame_size, std::size_t audience) noexcept {
    return frame_size <= copy_max && audience <= copy_audience_max;
  }
  // Queues the event, copied in or shared as copies() says.
  void append_event(const event_ref& event, std::size_t audience);
  // Queues a shared event whose reference the caller has counted (event_ref_fanout).
  void append_shared(event_ref event);

  // Describes the unsent bytes, at most `max` segments' worth, as iovecs (replacing
  // `iov`'s contents). They point into this queue: do not append while they are in use.
  void fill_iovecs(std::vector<iovec>& iov, std::size_t max) const;
  // Drops `size` sent bytes from the front; the references to events sent whole go to
  // `released`.
  void consume(std::size_t size, event_release_batch& released) noexcept;

  void clear() noexcept;
  // Empties the queue and gives back buffer capacity above `keep` bytes.
  void reset(std::size_t keep);
  void swap(output_queue& other) noexcept;

 private:
  struct segment {
    event_ref event;           // when empty: bytes_of_frames_[offset, offset + size)
    std::uint32_t offset = 0;  // into the event's frame, or into bytes_of_frames_
    std::uint32_t size = 0;
  };

  std::vector<std::byte, uninitialized_allocator<std::byte>> bytes_of_frames_;
  std::vector<segment> segments_;
  std::size_t front_ = 0;  // segments before it are sent
  std::size_t bytes_ = 0;  // unsent
};

}  // namespace sluice
