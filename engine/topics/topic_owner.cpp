#include "engine/topics/topic_owner.hpp"

#include <algorithm>

#include "engine/hash.hpp"
#include "engine/protocol/event_view.hpp"

namespace sluice {

std::size_t topic_owner::name_hash::operator()(std::string_view name) const noexcept {
  return static_cast<std::size_t>(hash_string(name, seed));
}

topic_owner::topic_owner(const topics_config& config, std::uint64_t hash_seed)
    : config_(config), topics_(16, name_hash{hash_seed}) {}

topic_owner::owned_topic* topic_owner::find_or_create(std::string_view topic) {
  if (last_found_ != nullptr && last_found_->name == topic) return last_found_;
  if (const auto it = topics_.find(topic); it != topics_.end()) return last_found_ = it->second.get();
  if (order_.size() >= config_.topics_max) {
    counters_.refused_topics_total.add();
    return nullptr;
  }
  auto created = std::make_unique<owned_topic>(std::string(topic), config_.history, counters_.history, restart_seq_);
  owned_topic* t = created.get();
  topics_.emplace(std::string_view(t->name), std::move(created));
  t->order_index = order_.size();
  order_.push_back(t);
  counters_.topics.add();
  return last_found_ = t;
}

topic_owner::subscribe_outcome topic_owner::subscribe(std::string_view topic, std::uint32_t shard, bool added,
                                                      std::uint64_t from) {
  owned_topic* t = find_or_create(topic);
  if (t == nullptr) return {.status = proto::error_code::too_many_topics};
  if (added) {
    auto it =
        std::find_if(t->shards.begin(), t->shards.end(), [&](const shard_interest& s) { return s.shard == shard; });
    if (it == t->shards.end()) {
      t->shards.push_back({shard, 1});
    } else {
      ++it->subscriptions;
    }
  }
  subscribe_outcome out;
  out.next_seq = t->history.next_seq();
  if (from == 0) {
    out.start = out.next_seq;
  } else {
    const topic_history::position p = t->history.locate(from);
    out.start = p.start;
    out.truncated = p.truncated;
  }
  return out;
}

void topic_owner::unsubscribe(std::string_view topic, std::uint32_t shard) noexcept {
  const auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  std::vector<shard_interest>& shards = it->second->shards;
  const auto s = std::find_if(shards.begin(), shards.end(), [&](const shard_interest& i) { return i.shard == shard; });
  if (s == shards.end()) return;
  SLUICE_DASSERT(s->subscriptions > 0);
  if (--s->subscriptions == 0) shards.erase(s);
}

topic_owner::publish_outcome topic_owner::publish(event_ref event, time_ns now_ns) {
  SLUICE_ASSERT(event);
  owned_topic* t = find_or_create(proto::event_topic_of(event->frame()));
  if (t == nullptr) return {.status = proto::error_code::too_many_topics};
  const std::uint64_t seq = t->history.next_seq();
  event.stamp(seq, now_ns);
  proto::stamp_event_seq(event.writable_frame(), seq);
  change_history(*t, true, [&](topic_history& h) { h.append(event); });
  enforce_shard_budget();
  counters_.published_total.add();
  return {.seq = seq, .event = std::move(event), .shards = t->shards};
}

void topic_owner::expire(time_ns now_ns, std::uint32_t budget) {
  const std::size_t visits = std::min<std::size_t>(budget, order_.size());
  for (std::size_t done = 0; done < visits && !order_.empty(); ++done) {
    if (expire_cursor_ >= order_.size()) expire_cursor_ = 0;
    owned_topic& t = *order_[expire_cursor_];
    change_history(t, false, [&](topic_history& h) { h.expire(now_ns); });
    if (t.shards.empty() && t.history.idle(now_ns)) {
      forget(t);  // the last topic takes its place in order_, to be visited next call
    } else {
      ++expire_cursor_;
    }
  }
}

template <class change_fn>
void topic_owner::change_history(owned_topic& t, bool published, change_fn&& change) {
  const std::uint64_t before = t.history.bytes();
  change(t.history);
  const std::uint64_t after = t.history.bytes();
  history_bytes_ = history_bytes_ - before + after;
  counters_.history_bytes.add(static_cast<std::int64_t>(after) - static_cast<std::int64_t>(before));
  if (t.history.size() <= 1) {
    lru_remove(t);  // only the newest event: nothing the budget may take
  } else if (published || !t.evictable) {
    lru_remove(t);
    lru_push_newest(t);
  }
}

void topic_owner::lru_remove(owned_topic& t) noexcept {
  if (!t.evictable) return;
  (t.older != nullptr ? t.older->newer : lru_oldest_) = t.newer;
  (t.newer != nullptr ? t.newer->older : lru_newest_) = t.older;
  t.older = t.newer = nullptr;
  t.evictable = false;
}

void topic_owner::lru_push_newest(owned_topic& t) noexcept {
  SLUICE_DASSERT(!t.evictable);
  t.older = lru_newest_;
  t.newer = nullptr;
  (lru_newest_ != nullptr ? lru_newest_->newer : lru_oldest_) = &t;
  lru_newest_ = &t;
  t.evictable = true;
}

// Each step drops one event or takes a topic off the list, so the loop is bounded by
// the events dropped.
void topic_owner::enforce_shard_budget() {
  while (history_bytes_ > config_.history_shard_bytes_max && lru_oldest_ != nullptr) {
    owned_topic& t = *lru_oldest_;
    const std::uint64_t before = t.history.bytes();
    const bool dropped = t.history.evict_oldest();
    history_bytes_ -= before - t.history.bytes();
    counters_.history_bytes.add(-static_cast<std::int64_t>(before - t.history.bytes()));
    if (!dropped || t.history.size() <= 1) lru_remove(t);
  }
}

void topic_owner::forget(owned_topic& t) {
  SLUICE_DASSERT(t.shards.empty());
  lru_remove(t);
  restart_seq_ = std::max(restart_seq_, t.history.next_seq());
  history_bytes_ -= t.history.bytes();
  counters_.history_bytes.add(-static_cast<std::int64_t>(t.history.bytes()));
  const std::size_t index = t.order_index;
  order_[index] = order_.back();
  order_[index]->order_index = index;
  order_.pop_back();
  if (last_found_ == &t) last_found_ = nullptr;
  topics_.erase(topics_.find(std::string_view(t.name)));  // frees t
  counters_.topics.add(-1);
  counters_.forgotten_topics_total.add();
}

}  // namespace sluice
