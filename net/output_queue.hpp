// What is queued for one connection, in order: frames encoded here (answers, control
// frames) and events shared with every other subscriber (an event_ref, not a copy).
// The reactor hands the whole queue to the kernel in one sendmsg, as an iovec per
// segment, once per loop iteration, however many events are pending.
//
// Thread: the connection's reactor. Bound: the caller checks footprint() against its
// limit before appending (see reactor::queue_frame and the event delivery).
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/topics/event_record.hpp"

namespace sluice {

class output_queue {
 public:
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
  void append_event(event_ref event);

  // Describes the unsent bytes, at most `max` segments' worth, as iovecs (replacing
  // `iov`'s contents). They point into this queue: do not append while they are in use.
  void fill_iovecs(std::vector<iovec>& iov, std::size_t max) const;
  // Drops `size` sent bytes from the front.
  void consume(std::size_t size) noexcept;

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

  std::vector<std::byte> bytes_of_frames_;
  std::vector<segment> segments_;
  std::size_t front_ = 0;  // segments before it are sent
  std::size_t bytes_ = 0;  // unsent
};

}  // namespace sluice
