#include "engine/source_limiter.hpp"

#include "engine/hash.hpp"

namespace sluice {

source_limiter::source_limiter(const source_limiter_config& config)
    : config_(config),
      connect_params_(gcra_params::from_rate(config.connect_rate_per_s, config.connect_burst)),
      misuse_params_(gcra_params::from_rate(config.misuse_rate_per_s, config.misuse_burst)),
      entries_(config.sources_max),
      index_(config.sources_max) {
  SLUICE_ASSERT(config_.sources_max > 0 && config_.connections_per_source_max > 0);
}

std::uint32_t source_limiter::find(const source_address& source) const {
  return index_.find(hash_bytes(source.bytes.data(), source.bytes.size(), config_.hash_seed),
                     [&](std::uint32_t slot) { return entries_[slot].address == source; });
}

// Returns the source's slot, tracking it if new (evicting the least recently seen idle
// source when full), or npos when the table is full of sources with live connections.
std::uint32_t source_limiter::find_or_track(const source_address& source) {
  std::uint32_t slot = find(source);
  if (slot != flat_index::npos) {
    if (entries_[slot].connections == 0) {  // seen again: most recent on the idle list
      idle_lru_.unlink(entries_, slot);
      idle_lru_.push_back(entries_, slot);
    }
    return slot;
  }
  if (entries_.in_use() == config_.sources_max) {
    if (idle_lru_.empty()) return flat_index::npos;
    const std::uint32_t victim = idle_lru_.front();
    idle_lru_.unlink(entries_, victim);
    const source_address& gone = entries_[victim].address;
    index_.erase(hash_bytes(gone.bytes.data(), gone.bytes.size(), config_.hash_seed), victim);
    entries_.release(victim);
    counters_.sources_evicted_total.add();
    counters_.sources.sub();
  }
  slot = entries_.acquire();
  SLUICE_ASSERT(slot != slab<entry>::npos);
  entry& e = entries_[slot];
  e = entry{};
  e.address = source;
  index_.insert(hash_bytes(source.bytes.data(), source.bytes.size(), config_.hash_seed), slot);
  idle_lru_.push_back(entries_, slot);
  counters_.sources.add();
  return slot;
}

refusal source_limiter::refuse(refusal why) {
  counters_.refused_total[static_cast<std::size_t>(why)].add();
  return why;
}

void source_limiter::strike(entry& e, time_ns now_ns) {
  if (gcra_try_take(e.misuse, misuse_params_, now_ns)) return;
  e.penalty_until_ns = add_saturating(now_ns, config_.penalty_ns);
  e.misuse = gcra_state{};  // the penalty is the sentence; misuse counts afresh after it
  counters_.penalties_total.add();
}

refusal source_limiter::admit(const source_address& source, time_ns now_ns) {
  const std::uint32_t slot = find_or_track(source);
  if (slot == flat_index::npos) return refuse(refusal::source_table_full);
  entry& e = entries_[slot];
  if (e.penalty_until_ns > now_ns) return refuse(refusal::penalty);
  if (e.connections >= config_.connections_per_source_max) {
    strike(e, now_ns);
    return refuse(refusal::concurrency);
  }
  if (!gcra_try_take(e.connects, connect_params_, now_ns)) {
    strike(e, now_ns);
    return refuse(refusal::rate);
  }
  if (e.connections == 0) idle_lru_.unlink(entries_, slot);  // pinned while it has connections
  ++e.connections;
  counters_.connections.add();
  counters_.admitted_total.add();
  return refusal::none;
}

void source_limiter::release(const source_address& source) {
  const std::uint32_t slot = find(source);
  SLUICE_ASSERT(slot != flat_index::npos);  // only admitted sources are released
  entry& e = entries_[slot];
  SLUICE_ASSERT(e.connections > 0);
  --e.connections;
  counters_.connections.sub();
  if (e.connections == 0) idle_lru_.push_back(entries_, slot);
}

void source_limiter::report_misuse(const source_address& source, time_ns now_ns) {
  counters_.misuse_total.add();
  const std::uint32_t slot = find_or_track(source);
  if (slot != flat_index::npos) strike(entries_[slot], now_ns);
}

bool source_limiter::penalized(const source_address& source, time_ns now_ns) const {
  const std::uint32_t slot = find(source);
  return slot != flat_index::npos && entries_[slot].penalty_until_ns > now_ns;
}

std::uint32_t source_limiter::connections_of(const source_address& source) const {
  const std::uint32_t slot = find(source);
  return slot == flat_index::npos ? 0 : entries_[slot].connections;
}

}  // namespace sluice
