// A fixed-capacity pool of T addressed by 32-bit slot, with a LIFO free list.
//
// Every T is constructed once, up front, so acquiring a slot never allocates and the
// records stay contiguous for cache-friendly access. A slot's generation counts its
// releases, so a stale (slot, generation) handle can be told from a live one.
// Thread: owned by one thread. Bound: `capacity` records, fixed at construction.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/assert.hpp"

namespace sluice {

template <class T>
class slab {
 public:
  static constexpr std::uint32_t npos = UINT32_MAX;

  explicit slab(std::uint32_t capacity) : items_(capacity), generations_(capacity, 0), free_(capacity) {
    SLUICE_ASSERT(capacity < npos);
    // Hand out low slots first so a lightly loaded slab touches little memory.
    for (std::uint32_t i = 0; i < capacity; ++i) free_[i] = capacity - 1 - i;
  }

  // Returns a free slot, or npos when all are in use.
  [[nodiscard]] std::uint32_t acquire() noexcept {
    if (free_.empty()) return npos;
    const std::uint32_t slot = free_.back();
    free_.pop_back();
    return slot;
  }

  void release(std::uint32_t slot) noexcept {
    SLUICE_ASSERT(slot < items_.size());
    SLUICE_DASSERT(free_.size() < items_.size());
    ++generations_[slot];
    free_.push_back(slot);  // capacity reserved at construction: never reallocates
  }

  [[nodiscard]] T& operator[](std::uint32_t slot) noexcept {
    SLUICE_ASSERT(slot < items_.size());
    return items_[slot];
  }
  [[nodiscard]] const T& operator[](std::uint32_t slot) const noexcept {
    SLUICE_ASSERT(slot < items_.size());
    return items_[slot];
  }

  [[nodiscard]] std::uint64_t generation(std::uint32_t slot) const noexcept { return generations_[slot]; }
  [[nodiscard]] std::uint32_t capacity() const noexcept { return static_cast<std::uint32_t>(items_.size()); }
  [[nodiscard]] std::uint32_t in_use() const noexcept {
    return static_cast<std::uint32_t>(items_.size() - free_.size());
  }
  [[nodiscard]] std::uint32_t index_of(const T& item) const noexcept {
    const auto offset = &item - items_.data();
    SLUICE_ASSERT(offset >= 0 && static_cast<std::size_t>(offset) < items_.size());
    return static_cast<std::uint32_t>(offset);
  }

 private:
  std::vector<T> items_;
  std::vector<std::uint64_t> generations_;
  std::vector<std::uint32_t> free_;
};

}  // namespace sluice
