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
  if (ordered_) return search_ordered(message_id);
  return index_.find(hash(message_id), [&](std::uint32_t pos) { return ring_[pos].message_id == message_id; });
}

std::uint32_t dedup_window::search_ordered(std::uint64_t message_id) const noexcept {
  std::uint32_t low = 0;  // by age: the first entry whose id is not below message_id
  std::uint32_t high = count_;
  while (low < high) {
    const std::uint32_t middle = low + (high - low) / 2;
    if (ring_[position_of(middle)].message_id < message_id) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  if (low == count_) return npos;
  const std::uint32_t pos = position_of(low);
  return ring_[pos].message_id == message_id ? pos : npos;
}

void dedup_window::build_index() {
  SLUICE_DASSERT(ordered_ && index_.size() == 0);
  for (std::uint32_t age = 0; age < count_; ++age) {
    entry& e = ring_[position_of(age)];
    e.hash = hash(e.message_id);
    index_.insert(e.hash, position_of(age));
  }
  ordered_ = false;
}

void dedup_window::drop_oldest() {
  SLUICE_ASSERT(count_ > 0);
  if (!ordered_) index_.erase(ring_[head_].hash, head_);
  head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
  --count_;
  // The oldest entry now is the one remembered (remembered_total_ - count_)-th: once
  // the last entry that came out of order is the oldest or gone, the ids ascend again.
  if (!ordered_ && remembered_total_ - count_ >= disorder_at_) {
    index_.clear();
    ordered_ = true;
  }
}

// Insertion times are non-decreasing along the ring, so expired entries are a prefix.
void dedup_window::drop_expired(time_ns now_ns) {
  while (count_ > 0 && add_saturating(ring_[head_].inserted_ns, config_.ttl_ns) <= now_ns) {
    drop_oldest();
    counters_->expired_total.add();
  }
}

std::uint32_t dedup_window::find_position(std::uint64_t message_id, time_ns now_ns) {
  drop_expired(now_ns);
  if (message_id > highest_) return npos;  // never remembered
  return locate(message_id);
}

std::uint64_t* dedup_window::find(std::uint64_t message_id, time_ns now_ns) {
  const std::uint32_t pos = find_position(message_id, now_ns);
  return pos == npos ? nullptr : &ring_[pos].value;
}

dedup_result dedup_window::observe(std::uint64_t message_id, std::uint64_t value, time_ns now_ns) {
  if (const std::uint64_t* seen = find(message_id, now_ns)) {
    counters_->duplicates_total.add();
    return dedup_result{dedup_verdict::duplicate, *seen};
  }
  remember(message_id, value, now_ns);
  return dedup_result{dedup_verdict::fresh, value};
}

std::uint32_t dedup_window::remember(std::uint64_t message_id, std::uint64_t value, time_ns now_ns) {
  SLUICE_DASSERT(message_id > highest_ || locate(message_id) == npos);
  if (count_ == ring_.size()) {
    drop_oldest();
    counters_->evicted_full_total.add();
  }
  // A clock reading older than the newest entry is treated as that entry's time, so
  // the ring stays ordered and expiry stays a prefix.
  time_ns inserted_ns = now_ns;
  if (count_ > 0) {
    const entry& newest = ring_[position_of(count_ - 1)];
    if (newest.inserted_ns > inserted_ns) inserted_ns = newest.inserted_ns;
    if (message_id < newest.message_id) {
      disorder_at_ = remembered_total_;
      if (ordered_) build_index();
    }
  }
  const std::uint32_t pos = position_of(count_);
  entry& e = ring_[pos];
  e = entry{message_id, value, inserted_ns, 0};
  if (!ordered_) {
    e.hash = hash(message_id);
    index_.insert(e.hash, pos);
  }
  ++count_;
  ++remembered_total_;
  if (message_id > highest_) highest_ = message_id;
  return pos;
}

std::uint64_t* dedup_window::value_at(std::uint32_t position, std::uint64_t message_id) noexcept {
  if (position >= ring_.size()) return nullptr;
  const std::uint32_t age =
      position >= head_ ? position - head_ : position + static_cast<std::uint32_t>(ring_.size()) - head_;
  if (age >= count_ || ring_[position].message_id != message_id) return nullptr;
  return &ring_[position].value;
}

std::size_t dedup_window::memory_bytes() const noexcept { return ring_.size() * sizeof(entry) + index_.memory_bytes(); }

}  // namespace sluice
