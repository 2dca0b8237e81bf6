// An intrusive doubly linked list of slab slots, in insertion order: the LRU lists of
// detached sessions and of idle sources. Links are 32-bit slots stored in the records
// themselves (named by member pointers), so linking never allocates and costs no
// more than two record writes. Thread: that of the slab's owner.
#pragma once

#include <cstdint>

#include "engine/assert.hpp"
#include "engine/slab.hpp"

namespace sluice {

template <class T, std::uint32_t T::*prev, std::uint32_t T::*next>
class slot_list {
 public:
  static constexpr std::uint32_t npos = UINT32_MAX;

  [[nodiscard]] bool empty() const noexcept { return head_ == npos; }
  [[nodiscard]] std::uint32_t front() const noexcept { return head_; }
  [[nodiscard]] std::uint32_t size() const noexcept { return size_; }

  void push_back(slab<T>& records, std::uint32_t slot) noexcept {
    T& record = records[slot];
    SLUICE_DASSERT(record.*prev == npos && record.*next == npos && head_ != slot);
    record.*prev = tail_;
    record.*next = npos;
    if (tail_ != npos) {
      records[tail_].*next = slot;
    } else {
      head_ = slot;
    }
    tail_ = slot;
    ++size_;
  }

  void unlink(slab<T>& records, std::uint32_t slot) noexcept {
    T& record = records[slot];
    if (record.*prev != npos) {
      records[record.*prev].*next = record.*next;
    } else {
      SLUICE_ASSERT(head_ == slot);
      head_ = record.*next;
    }
    if (record.*next != npos) {
      records[record.*next].*prev = record.*prev;
    } else {
      SLUICE_ASSERT(tail_ == slot);
      tail_ = record.*prev;
    }
    record.*prev = record.*next = npos;
    SLUICE_ASSERT(size_ > 0);
    --size_;
  }

 private:
  std::uint32_t head_ = npos;
  std::uint32_t tail_ = npos;
  std::uint32_t size_ = 0;
};

}  // namespace sluice
