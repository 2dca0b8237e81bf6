#include "engine/topics/topic_history.hpp"

#include <algorithm>
#include <bit>

namespace sluice {

namespace {

constexpr std::uint32_t initial_ring = 16;            // a quiet topic costs 128 bytes of ring, not events_max * 8
constexpr std::uint64_t drop_prefetch_distance = 16;  // appends; see append()

// Ring sizes are powers of two, so a sequence's slot is a mask, not a division (three
// per append; a 64-bit division is tens of cycles).
std::size_t ring_max(std::uint32_t events_max) { return std::bit_ceil(std::size_t{events_max}); }

}  // namespace

topic_history::topic_history(const topic_history_limits& limits, topic_history_counters* shared,
                             std::uint64_t first_seq)
    : limits_(limits),
      ring_(std::min<std::size_t>(initial_ring, ring_max(limits.events_max))),
      next_seq_(first_seq),
      counters_(shared ? shared : &own_counters_) {
  SLUICE_ASSERT(limits_.events_max > 0);
  SLUICE_ASSERT(first_seq >= 1);
}

const event_ref& topic_history::at(std::uint64_t seq) const noexcept {
  SLUICE_DASSERT(seq >= first_seq() && seq < next_seq_);
  return ring_[(seq - 1) & (ring_.size() - 1)];
}

// Doubles the ring (up to events_max rounded up to a power of two), placing each held
// event by its sequence.
void topic_history::grow() {
  const std::size_t capacity = ring_.size() * 2;
  SLUICE_ASSERT(capacity <= ring_max(limits_.events_max));
  std::vector<event_ref> bigger(capacity);
  for (std::uint64_t seq = first_seq(); seq < next_seq_; ++seq) {
    bigger[(seq - 1) & (capacity - 1)] = std::move(ring_[(seq - 1) & (ring_.size() - 1)]);
  }
  ring_.swap(bigger);
}

void topic_history::drop_oldest(counter& reason) {
  SLUICE_DASSERT(count_ > 0);
  event_ref& oldest = ring_[(first_seq() - 1) & (ring_.size() - 1)];
  bytes_ -= oldest->frame().size();
  oldest.reset();
  --count_;
  reason.add();
}

void topic_history::append(event_ref event) {
  SLUICE_ASSERT(event && event->seq() == next_seq_);
  const std::uint64_t size = event->frame().size();
  if (count_ == limits_.events_max) drop_oldest(counters_->evicted_count_total);
  while (count_ > 0 && bytes_ + size > limits_.bytes_max) drop_oldest(counters_->evicted_bytes_total);
  if (count_ == ring_.size()) grow();
  ring_[(next_seq_ - 1) & (ring_.size() - 1)] = std::move(event);
  ++next_seq_;
  ++count_;
  bytes_ += size;
  counters_->appended_total.add();
  // A full history drops its oldest events on the next appends. They were written long
  // ago and are cache misses by then: dropping them was 12-15% of a reactor's time under
  // 50 pipelining publishers (perf). Appends come in bursts (a publisher's window at a
  // time, a few ns apart), so fetching only the next one to go starts too late: the
  // fetch runs drop_prefetch_distance appends ahead, for the first three lines of the
  // event: the header that dropping it reads, and what a new event made in its freed
  // block writes first.
  if (count_ == limits_.events_max) {
    const std::uint64_t ahead = std::min<std::uint64_t>(drop_prefetch_distance, count_ - 1);
    const auto* record = reinterpret_cast<const char*>(&*at(first_seq() + ahead));
    __builtin_prefetch(record, 1);
    __builtin_prefetch(record + 64, 1);
    __builtin_prefetch(record + 128, 1);
  }
}

void topic_history::expire(time_ns now_ns) {
  while (count_ > 1) {
    const event_ref& oldest = at(first_seq());
    if (now_ns < oldest->published_ns() || now_ns - oldest->published_ns() <= limits_.age_max) break;
    drop_oldest(counters_->evicted_age_total);
  }
}

bool topic_history::evict_oldest() {
  if (count_ <= 1) return false;
  drop_oldest(counters_->evicted_budget_total);
  return true;
}

bool topic_history::idle(time_ns now_ns) const noexcept {
  if (count_ == 0) return true;
  const time_ns newest = at(next_seq_ - 1)->published_ns();
  return now_ns > newest && now_ns - newest > limits_.age_max;
}

topic_history::position topic_history::locate(std::uint64_t from) const noexcept {
  SLUICE_ASSERT(from >= 1);
  if (from > next_seq_) return {next_seq_, true};
  if (from < first_seq()) return {first_seq(), true};
  return {from, false};
}

}  // namespace sluice
