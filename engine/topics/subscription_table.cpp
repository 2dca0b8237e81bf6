#include "engine/topics/subscription_table.hpp"

#include <algorithm>

#include "engine/hash.hpp"

namespace sluice {
namespace {

void erase_value(std::vector<std::uint32_t>& values, std::uint32_t value) noexcept {
  const auto it = std::find(values.begin(), values.end(), value);
  SLUICE_DASSERT(it != values.end());
  *it = values.back();
  values.pop_back();
}

}  // namespace

std::size_t subscription_table::name_hash::operator()(std::string_view name) const noexcept {
  return static_cast<std::size_t>(hash_string(name, seed));
}

subscription_table::subscription_table(std::uint32_t subscriptions_max, std::uint32_t session_subscriptions_max,
                                       std::uint32_t sessions_max, std::uint64_t hash_seed)
    : subscriptions_max_(subscriptions_max),
      session_subscriptions_max_(session_subscriptions_max),
      by_session_(sessions_max),
      topic_index_(16, name_hash{hash_seed}) {
  SLUICE_ASSERT(subscriptions_max > 0 && session_subscriptions_max > 0);
}

std::uint32_t subscription_table::find(session_ref session, std::string_view topic) const noexcept {
  for (const std::uint32_t index : by_session_[session.slot]) {
    if (topics_[subs_[index].topic].name == topic) return index;
  }
  return npos;
}

std::span<const std::uint32_t> subscription_table::of_topic(std::string_view topic) const noexcept {
  const auto it = topic_index_.find(topic);
  if (it == topic_index_.end()) return {};
  return topics_[it->second].subscriptions;
}

subscription_table::add_result subscription_table::add(session_ref session, std::string_view topic,
                                                       std::uint32_t owner) {
  SLUICE_ASSERT(session.valid() && session.slot < by_session_.size());
  std::vector<std::uint32_t>& mine = by_session_[session.slot];
  if (size_ >= subscriptions_max_ || mine.size() >= session_subscriptions_max_) {
    counters_.refused_total.add();
    return {npos, proto::error_code::too_many_subscriptions};
  }
  std::uint32_t topic_slot = 0;
  if (const auto it = topic_index_.find(topic); it != topic_index_.end()) {
    topic_slot = it->second;
  } else {
    if (free_topics_.empty()) {
      topic_slot = static_cast<std::uint32_t>(topics_.size());
      topics_.emplace_back();
    } else {
      topic_slot = free_topics_.back();
      free_topics_.pop_back();
    }
    local_topic& t = topics_[topic_slot];
    t.name.assign(topic);
    t.owner = owner;
    topic_index_.emplace(std::string_view(t.name), topic_slot);
  }
  std::uint32_t index = 0;
  if (free_subs_.empty()) {
    index = static_cast<std::uint32_t>(subs_.size());
    subs_.emplace_back();
  } else {
    index = free_subs_.back();
    free_subs_.pop_back();
  }
  subscription& s = subs_[index];
  const std::uint32_t generation = s.generation + 1;
  s = subscription{};
  s.session = session;
  s.topic = topic_slot;
  s.generation = generation;
  topics_[topic_slot].subscriptions.push_back(index);
  mine.push_back(index);
  ++size_;
  counters_.subscriptions.add();
  return {index, proto::error_code::none};
}

void subscription_table::remove(std::uint32_t index) {
  subscription& s = subs_[index];
  SLUICE_ASSERT(s.topic != UINT32_MAX);
  local_topic& t = topics_[s.topic];
  erase_value(t.subscriptions, index);
  if (t.subscriptions.empty()) {
    topic_index_.erase(std::string_view(t.name));
    t.name.clear();
    t.name.shrink_to_fit();
    std::vector<std::uint32_t>().swap(t.subscriptions);
    free_topics_.push_back(s.topic);
  }
  erase_value(by_session_[s.session.slot], index);
  s.topic = UINT32_MAX;
  s.session = {};
  free_subs_.push_back(index);
  --size_;
  counters_.subscriptions.sub();
}

}  // namespace sluice
