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
  if (const auto it = topics_.find(topic); it != topics_.end()) return it->second.get();
  if (order_.size() >= config_.topics_max) {
    counters_.refused_topics_total.add();
    return nullptr;
  }
  auto created = std::make_unique<owned_topic>(std::string(topic), config_.history);
  owned_topic* t = created.get();
  topics_.emplace(std::string_view(t->name), std::move(created));
  order_.push_back(t);
  counters_.topics.add();
  return t;
}

topic_owner::subscribe_outcome topic_owner::subscribe(std::string_view topic, std::uint32_t shard, bool added,
                                                      std::uint64_t from) {
  owned_topic* t = find_or_create(topic);
  if (t == nullptr) return {.status = proto::error_code::too_many_topics};
  if (added) {
    auto it = std::find_if(t->shards.begin(), t->shards.end(), [&](const shard_interest& s) { return s.shard == shard; });
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
  t->history.append(event);
  counters_.published_total.add();
  return {.seq = seq, .event = std::move(event), .shards = t->shards};
}

void topic_owner::expire(time_ns now_ns, std::uint32_t budget) {
  for (std::uint32_t done = 0; done < budget && done < order_.size(); ++done) {
    if (expire_cursor_ >= order_.size()) expire_cursor_ = 0;
    order_[expire_cursor_++]->history.expire(now_ns);
  }
}

}  // namespace sluice
