#include "engine/dedup_window.hpp"

#include "engine/assert.hpp"
#include "engine/hash.hpp"

namespace sluice {

dedup_window::dedup_window(const dedup_window_config& config, dedup_window_counters* shared)
    : config_(config),
      ring_(config.entries_max),
      index_(config.entries_max),
      counters_(shared != nullptr ? shared : &own_counters_) {
  SLUICE_ASSERT(config_.entries_max > 0);
}

std::uint64_t dedup_window::hash(std::uint64_t message_id) const noexcept {
  return hash_u64(message_id, config_.hash_seed);
}

std::uint32_t dedup_window::locate(std::uint64_t message_id) const {
  return index_.find(hash(message_id), [&](std::uint32_t pos) { return ring_[pos].message_id == message_id; });
}

void dedup_window::drop_oldest() {
  SLUICE_ASSERT(count_ > 0);
  index_.erase(ring_[head_].hash, head_);
  head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
  --count_;
}

// Insertion times are non-decreasing along the ring, so expired entries are a prefix.
void dedup_window::drop_expired(time_ns now_ns) {
  while (count_ > 0 && add_saturating(ring_[head_].inserted_ns, config_.ttl_ns) <= now_ns) {
    drop_oldest();
    counters_->expired_total.add();
  }
}

std::uint64_t* dedup_window::find(std::uint64_t message_id, time_ns now_ns) {
  drop_expired(now_ns);
  if (message_id > highest_) return nullptr;  // never remembered
  const std::uint32_t pos = locate(message_id);
  return pos == flat_index::npos ? nullptr : &ring_[pos].value;
}

dedup_result dedup_window::observe(std::uint64_t message_id, std::uint64_t value, time_ns now_ns) {
  if (const std::uint64_t* seen = find(message_id, now_ns)) {
    counters_->duplicates_total.add();
    return dedup_result{dedup_verdict::duplicate, *seen};
  }
  remember(message_id, value, now_ns);
  return dedup_result{dedup_verdict::fresh, value};
}

void dedup_window::remember(std::uint64_t message_id, std::uint64_t value, time_ns now_ns) {
  SLUICE_DASSERT(message_id > highest_ || locate(message_id) == flat_index::npos);
  if (count_ == ring_.size()) {
    drop_oldest();
    counters_->evicted_full_total.add();
  }
  // A clock reading older than the newest entry is treated as that entry's time, so
  // the ring stays ordered and expiry stays a prefix.
  const std::uint32_t newest = count_ == 0 ? head_ : static_cast<std::uint32_t>((head_ + count_ - 1) % ring_.size());
  const time_ns inserted_ns = count_ > 0 && ring_[newest].inserted_ns > now_ns ? ring_[newest].inserted_ns : now_ns;
  const auto pos = static_cast<std::uint32_t>((head_ + count_) % ring_.size());
  const std::uint64_t h = hash(message_id);
  ring_[pos] = entry{message_id, value, inserted_ns, h};
  index_.insert(h, pos);
  ++count_;
  if (message_id > highest_) highest_ = message_id;
}

std::size_t dedup_window::memory_bytes() const noexcept { return ring_.size() * sizeof(entry) + index_.memory_bytes(); }

}  // namespace sluice
