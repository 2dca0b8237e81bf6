#include "net/output_queue.hpp"

#include <cstring>
#include <utility>

#include "engine/assert.hpp"

namespace sluice {

std::span<std::byte> output_queue::append_bytes(std::size_t size) {
  const std::size_t at = bytes_of_frames_.size();
  bytes_of_frames_.resize(at + size);
  if (!segments_.empty() && segments_.size() > front_ && !segments_.back().event &&
      segments_.back().offset + segments_.back().size == at) {
    segments_.back().size += static_cast<std::uint32_t>(size);
  } else {
    segments_.push_back({{}, static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(size)});
  }
  bytes_ += size;
  return std::span<std::byte>(bytes_of_frames_).subspan(at, size);
}

void output_queue::append_event(const event_ref& event, std::size_t audience) {
  const std::span<const std::byte> frame = event->frame();
  if (copies(frame.size(), audience)) {
    std::memcpy(append_bytes(frame.size()).data(), frame.data(), frame.size());
    return;
  }
  append_shared(event);
}

void output_queue::append_shared(event_ref event) {
  const auto size = static_cast<std::uint32_t>(event->frame().size());
  segments_.push_back({std::move(event), 0, size});
  bytes_ += size;
}

void output_queue::fill_iovecs(std::vector<iovec>& iov, std::size_t max) const {
  iov.clear();
  for (std::size_t i = front_; i < segments_.size() && iov.size() < max; ++i) {
    const segment& s = segments_[i];
    const std::byte* base = s.event ? s.event->frame().data() : bytes_of_frames_.data();
    iov.push_back({const_cast<std::byte*>(base + s.offset), s.size});  // iovec is not const-correct
  }
}

void output_queue::consume(std::size_t size, event_release_batch& released) noexcept {
  SLUICE_ASSERT(size <= bytes_);
  bytes_ -= size;
  while (size > 0) {
    segment& s = segments_[front_];
    if (size < s.size) {
      s.offset += static_cast<std::uint32_t>(size);
      s.size -= static_cast<std::uint32_t>(size);
      return;
    }
    size -= s.size;
    released.release(s.event);  // the last subscriber to send an event frees it
    ++front_;
  }
  if (bytes_ == 0) clear();
}

void output_queue::clear() noexcept {
  bytes_of_frames_.clear();
  segments_.clear();
  front_ = 0;
  bytes_ = 0;
}

void output_queue::reset(std::size_t keep) {
  clear();
  if (bytes_of_frames_.capacity() > keep) decltype(bytes_of_frames_)().swap(bytes_of_frames_);
  if (segments_.capacity() * sizeof(segment) > keep) std::vector<segment>().swap(segments_);
}

void output_queue::swap(output_queue& other) noexcept {
  bytes_of_frames_.swap(other.bytes_of_frames_);
  segments_.swap(other.segments_);
  std::swap(front_, other.front_);
  std::swap(bytes_, other.bytes_);
}

}  // namespace sluice
