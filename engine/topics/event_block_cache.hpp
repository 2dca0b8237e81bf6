// Recycles the memory of freed events on the thread that freed them.
//
// Why: a full topic history frees its oldest event on every append, and the publisher
// allocates a new one for the next publish. Through the general allocator the new
// block is one freed long before, cold to read (its free-list link) and to write.
// Handed back here, the block just evicted (its header prefetched by the history) is
// the next one given out, still in cache. (50 pipelining pairs on one reactor: 37%
// more deliveries per second with the cache, median of 8 alternating runs.)
//
// Blocks are sized in classes of `granule` bytes up to `block_max`, so any block of a
// class fits any event of it; larger events bypass the cache. The cache holds at most
// `cached_bytes_max`; beyond that a freed block goes back to the allocator (counted).
//
// Thread: a cache serves only the thread that installed it (scope below), for as long
// as the scope lives; elsewhere, and after, events use the allocator directly. A block
// may come from any thread's allocation: the allocator frees across threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#include "engine/assert.hpp"

namespace sluice {

class event_block_cache {
 public:
  static constexpr std::size_t granule = 64;
  static constexpr std::size_t block_max = 2048;  // fan-out of 1 KiB events included
  static constexpr std::size_t class_count = block_max / granule;
  static constexpr std::size_t cached_bytes_max = 512 * 1024;

  event_block_cache() = default;
  event_block_cache(const event_block_cache&) = delete;
  event_block_cache& operator=(const event_block_cache&) = delete;
  ~event_block_cache() {
    SLUICE_ASSERT(installed_ != this);
    for (free_block*& head : heads_) {
      while (head != nullptr) ::operator delete(std::exchange(head, head->next));
    }
  }

  // Makes `cache` the calling thread's cache until the scope ends.
  class scope {
   public:
    explicit scope(event_block_cache& cache) noexcept {
      SLUICE_ASSERT(installed_ == nullptr);
      installed_ = &cache;
    }
    ~scope() { installed_ = nullptr; }
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;
  };

  // The bytes to allocate for a block of at least `bytes`: the class size when cached.
  [[nodiscard]] static constexpr std::size_t block_size(std::size_t bytes) noexcept {
    return bytes <= block_max ? (bytes + granule - 1) / granule * granule : bytes;
  }

  // A block of block_size(bytes), recycled by this thread's cache when it has one,
  // else from the allocator.
  [[nodiscard]] static void* allocate(std::size_t bytes) {
    event_block_cache* cache = installed_;
    if (cache != nullptr && bytes <= block_max) {
      if (void* block = cache->take(class_of(bytes))) return block;
    }
    return ::operator new(block_size(bytes));
  }

  // Frees a block that allocate(bytes) gave.
  static void free(void* block, std::size_t bytes) noexcept {
    event_block_cache* cache = installed_;
    if (cache != nullptr && bytes <= block_max && cache->keep(block, class_of(bytes))) return;
    ::operator delete(block);
  }

  [[nodiscard]] std::size_t cached_bytes() const noexcept { return cached_bytes_; }
  [[nodiscard]] std::uint64_t recycled_total() const noexcept { return recycled_total_; }
  // Freed blocks that found the cache full and went back to the allocator.
  [[nodiscard]] std::uint64_t overflow_total() const noexcept { return overflow_total_; }

 private:
  struct free_block {
    free_block* next;
  };
  static_assert(granule >= sizeof(free_block));

  [[nodiscard]] static constexpr std::size_t class_of(std::size_t bytes) noexcept {
    return bytes == 0 ? 0 : (bytes - 1) / granule;
  }
  [[nodiscard]] static constexpr std::size_t class_bytes(std::size_t c) noexcept { return (c + 1) * granule; }

  void* take(std::size_t c) noexcept {
    free_block* block = heads_[c];
    if (block == nullptr) return nullptr;
    heads_[c] = block->next;
    cached_bytes_ -= class_bytes(c);
    ++recycled_total_;
    return block;
  }

  bool keep(void* memory, std::size_t c) noexcept {
    if (cached_bytes_ + class_bytes(c) > cached_bytes_max) {
      ++overflow_total_;
      return false;
    }
    heads_[c] = new (memory) free_block{heads_[c]};
    cached_bytes_ += class_bytes(c);
    return true;
  }

  static constinit inline thread_local event_block_cache* installed_ = nullptr;

  std::array<free_block*, class_count> heads_{};  // LIFO per class: the last freed is the warmest
  std::size_t cached_bytes_ = 0;
  std::uint64_t recycled_total_ = 0;
  std::uint64_t overflow_total_ = 0;
};

}  // namespace sluice
