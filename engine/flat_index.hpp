// A fixed-capacity open-addressing index from a 64-bit key hash to a 32-bit slot index.
//
// The engine's tables (sessions by id, sources by address, dedup entries by message
// id) keep their records in a slab and use this to find them. Keys are not stored
// here: an entry holds the low 32 bits of the key's hash and the record's slot, and a
// caller-supplied predicate confirms the key against the record. Entries are 8 bytes,
// so a probe touches one cache line in the common case.
//
// Bounds: capacity is a power of two fixed at construction, at least twice the record
// count the caller allows, so the load factor stays <= 0.5 and linear probes stay short.
// Erase uses backward-shift deletion (no tombstones), so a long-lived table under churn
// does not degrade. No operation allocates after construction.
// Thread: owned by one thread.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#include "engine/assert.hpp"

namespace sluice {

class flat_index {
 public:
  static constexpr std::uint32_t npos = UINT32_MAX;

  // Sized for up to `records_max` records at a load factor of at most 0.5.
  explicit flat_index(std::uint32_t records_max)
      : entries_(table_size(records_max)),
        mask_(static_cast<std::uint32_t>(entries_.size() - 1)),
        records_max_(records_max) {}

  // Returns the slot of the record whose key matches, or npos.
  template <class matches_fn>
  [[nodiscard]] std::uint32_t find(std::uint64_t hash, matches_fn&& matches) const {
    const auto fragment = static_cast<std::uint32_t>(hash);
    for (std::uint32_t i = fragment & mask_;; i = (i + 1) & mask_) {
      const entry& e = entries_[i];
      if (e.slot == npos) return npos;
      if (e.fragment == fragment && matches(e.slot)) return e.slot;
    }
  }

  // The caller has checked the key is absent and the record count is below bound.
  void insert(std::uint64_t hash, std::uint32_t slot) {
    SLUICE_ASSERT(slot != npos);
    SLUICE_ASSERT(size_ < records_max_);
    const auto fragment = static_cast<std::uint32_t>(hash);
    std::uint32_t i = fragment & mask_;
    while (entries_[i].slot != npos) i = (i + 1) & mask_;
    entries_[i] = entry{fragment, slot};
    ++size_;
  }

  // Removes the entry for `slot` (inserted with `hash`); it must be present.
  void erase(std::uint64_t hash, std::uint32_t slot) {
    const auto fragment = static_cast<std::uint32_t>(hash);
    std::uint32_t hole = fragment & mask_;
    while (entries_[hole].slot != slot) {
      SLUICE_ASSERT(entries_[hole].slot != npos);  // erase of an absent entry
      hole = (hole + 1) & mask_;
    }
    // Backward shift: pull later entries of the cluster into the hole when their home
    // bucket does not lie cyclically in (hole, next], so every entry stays reachable
    // from its home without tombstones.
    for (std::uint32_t next = (hole + 1) & mask_; entries_[next].slot != npos; next = (next + 1) & mask_) {
      const std::uint32_t home = entries_[next].fragment & mask_;
      const bool stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
      if (stays) continue;
      entries_[hole] = entries_[next];
      hole = next;
    }
    entries_[hole] = entry{};
    --size_;
  }

  // Removes every entry; O(capacity).
  void clear() noexcept {
    std::fill(entries_.begin(), entries_.end(), entry{});
    size_ = 0;
  }

  [[nodiscard]] std::uint32_t size() const noexcept { return size_; }
  [[nodiscard]] std::uint32_t records_max() const noexcept { return records_max_; }
  [[nodiscard]] std::size_t memory_bytes() const noexcept { return entries_.size() * sizeof(entry); }

 private:
  static std::size_t table_size(std::uint32_t records_max) {
    SLUICE_ASSERT(records_max <= (std::uint32_t{1} << 31));  // the table must fit 32-bit positions
    const std::uint64_t wanted = std::uint64_t{records_max} * 2;
    return std::bit_ceil(wanted < 8 ? std::uint64_t{8} : wanted);
  }

  struct entry {
    std::uint32_t fragment = 0;
    std::uint32_t slot = npos;
  };
  static_assert(sizeof(entry) == 8);

  std::vector<entry> entries_;
  std::uint32_t mask_;
  std::uint32_t records_max_;
  std::uint32_t size_ = 0;
};

}  // namespace sluice
