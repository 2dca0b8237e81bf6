// The topic side of a reactor (docs/protocol.md, Topics): requests from its sessions,
// the topics it owns, and delivery to its subscribers. Every step between reactors is a
// message (reactor_message.hpp); a reactor never touches another's tables.
//
// Delivery: the owner appends each event to its history and hands it, in one batch per
// loop iteration, to every reactor with subscribers. There each subscription queues the
// event if it is the next sequence it expects and its connection has room; otherwise it
// is "behind" and is served from the history a page at a time, as its output drains.
#include <algorithm>

#include "engine/protocol/encoder.hpp"
#include "engine/protocol/event_view.hpp"
#include "engine/shard_router.hpp"
#include "net/reactor.hpp"

namespace sluice {
namespace {

// What a session's dedup window remembers for a request id, besides an assigned sequence
// (sequences start at 1 and never come near these).
constexpr std::uint64_t publish_refused = UINT64_MAX;  // a repeat is a new attempt
// The owner has not answered; plus the number of repeats waiting for that answer.
constexpr std::uint64_t publish_in_flight = UINT64_MAX - 256;
constexpr std::uint64_t repeats_waiting_max = publish_refused - publish_in_flight - 1;

constexpr bool in_flight(std::uint64_t remembered) noexcept {
  return remembered >= publish_in_flight && remembered < publish_refused;
}

constexpr std::size_t local_work_max = 65'536;  // local messages handled per iteration
// Queue slots kept once a queue is empty again: a steady pipelined load stays within
// them (local work is published every 256 messages), a burst's extra is given back.
constexpr std::size_t local_slots_keep = 4096;
constexpr std::size_t backlog_slots_keep = 256;
constexpr std::size_t spare_batch_max = 4096;  // events' room kept in the spare batch (32 KiB)

const std::size_t ack_bytes = proto::encoded_size(proto::ack_frame{});

proto::ack_frame refused_ack(std::uint64_t request_id, proto::error_code status, proto::frame_type type) {
  return proto::ack_frame{.request_id = request_id, .status = status, .request_type = type};
}

}  // namespace

std::uint32_t reactor::owner_of_topic(std::string_view topic) const noexcept {
  if (group_.reactors.size() == 1) return 0;  // no hash per publish for the only choice
  return shard_of_topic(topic, static_cast<std::uint32_t>(group_.reactors.size()));
}

void reactor::send_ack(connection& c, const proto::ack_frame& ack) {
  if (ack.status != proto::error_code::none) {
    counters_.refusals_sent_total[static_cast<std::size_t>(ack.status)].add();
  }
  queue_frame(c, ack);
}

// Nothing between reactors is dropped. Requests from sessions (SUBSCRIBE, PUBLISH) are
// admitted only while the way to their owner has room (request_room); everything they
// cause later (answers, event batches, replay pages, unsubscribes) is always sent, and
// its amount is bounded by what was admitted: one answer per request, one page in
// flight per subscription, and per target one batch per iteration, merged into the
// backlog's last batch while the target's inbox is full. An owner refuses publishes to
// topics with subscribers on a congested target (its backlog at inbox_capacity messages
// or events), so batches stop growing too.
void reactor::send_elsewhere(std::uint32_t target, reactor_message&& message) {
  SLUICE_DASSERT(target != index_);
  ring_queue<reactor_message>& waiting = backlog_[target];
  if (waiting.empty() && post_to(target, std::move(message))) return;
  counters_.topic_backlog_total.add();
  auto* batch = std::get_if<event_batch>(&message);
  if (batch != nullptr) backlog_events_[target] += batch->events.size();
  auto* last = waiting.empty() ? nullptr : std::get_if<event_batch>(&waiting.back());
  if (batch != nullptr && last != nullptr) {
    last->events.insert(last->events.end(), std::make_move_iterator(batch->events.begin()),
                        std::make_move_iterator(batch->events.end()));
    return;
  }
  waiting.push_back(std::move(message));
}

bool reactor::request_room(std::uint32_t target) const noexcept {
  const std::size_t queued = target == index_ ? local_.size() + local_taken_.size() : backlog_[target].size();
  return queued < config_.inbox_capacity;
}

// Once per loop iteration: local messages, this iteration's event batches, and retries
// of posts that found a full inbox.
void reactor::run_topic_work() {
  std::size_t done = 0;
  // Handled where they lie, in a queue nothing is pushed to meanwhile (what they send
  // this reactor goes to local_, behind them): no move out of the queue per message.
  const auto run_local = [&] {
    while (done < local_work_max) {
      if (local_taken_.empty()) {
        if (local_.empty()) break;
        std::swap(local_taken_, local_);
      }
      on_topic_message(std::move(local_taken_.front()));
      local_taken_.pop_front();
      ++done;
    }
  };
  run_local();
  for (std::uint32_t target = 0; target < batches_.size(); ++target) {
    if (batches_[target].empty()) continue;
    event_batch batch;
    batch.events.swap(batches_[target]);
    batches_[target].swap(spare_batch_);  // empty, with the capacity of a batch handled here
    send_to(target, std::move(batch));
  }
  run_local();  // this reactor's own subscribers get their batch in this iteration too
  for (std::uint32_t target = 0; target < backlog_.size(); ++target) {
    ring_queue<reactor_message>& waiting = backlog_[target];
    while (!waiting.empty()) {
      const auto* batch = std::get_if<event_batch>(&waiting.front());
      const std::size_t events = batch != nullptr ? batch->events.size() : 0;
      if (!post_to(target, std::move(waiting.front()))) break;
      waiting.pop_front();
      backlog_events_[target] -= events;
    }
    waiting.release_if_larger(backlog_slots_keep);
  }
  local_.release_if_larger(local_slots_keep);
  local_taken_.release_if_larger(local_slots_keep);
  downstream_full_ = false;
  for (std::uint32_t target = 0; target < backlog_.size(); ++target) downstream_full_ |= congested(target);
  topics_.expire(woke_ns_, 64);
}

void reactor::on_topic_message(reactor_message&& message) {
  std::visit(
      [this](auto&& m) {
        using type = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<type, topic_subscribe> || std::is_same_v<type, topic_subscribed> ||
                      std::is_same_v<type, topic_unsubscribe> || std::is_same_v<type, topic_publish> ||
                      std::is_same_v<type, topic_published> || std::is_same_v<type, event_batch> ||
                      std::is_same_v<type, replay_request> || std::is_same_v<type, replay_page>) {
          handle(std::move(m));
        }
      },
      std::move(message));
}

std::size_t reactor::output_reserved(const connection& c) const noexcept {
  const std::size_t owed = c.session.valid() ? links_[c.session.slot].answers_owed : 0;
  return output_held(c) + owed * ack_bytes;
}

// Input paused for answers that were owed may resume once they are in: when they queue
// frames the send completion decides (on_send); this covers answers that queue none.
void reactor::answer_arrived(session_ref session) {
  session_link& link = links_[session.slot];
  SLUICE_DASSERT(link.answers_owed > 0);
  if (link.answers_owed > 0) --link.answers_owed;
  connection* c = conn_of(session);
  if (c != nullptr && c->input_paused && !c->send_in_flight && c->out.empty() &&
      output_reserved(*c) <= pause_threshold() / 2) {
    resume_input(*c);
  }
}

// ---- requests from this reactor's sessions

void reactor::on_subscribe(connection& c, const proto::subscribe_frame& f) {
  constexpr proto::frame_type type = proto::frame_type::subscribe;
  if (f.request_id == 0) return send_ack(c, refused_ack(0, proto::error_code::bad_request_id, type));
  if (const proto::error_code bad = proto::check_topic(f.topic); bad != proto::error_code::none) {
    return send_ack(c, refused_ack(f.request_id, bad, type));
  }
  const std::uint32_t owner = owner_of_topic(f.topic);
  if (!request_room(owner)) return refuse_congested(c, f.request_id, type);
  std::uint32_t index = subscriptions_.find(c.session, f.topic);
  // Until the owner has taken the topic, a second SUBSCRIBE could only race the first
  // (whose refusal removes the subscription both would answer for).
  if (index != subscription_table::npos && subscriptions_[index].adding) {
    return send_ack(c, refused_ack(f.request_id, proto::error_code::request_pending, type));
  }
  const bool added = index == subscription_table::npos;
  if (added) {
    const subscription_table::add_result r = subscriptions_.add(c.session, f.topic, owner);
    if (r.status != proto::error_code::none) return send_ack(c, refused_ack(f.request_id, r.status, type));
    index = r.index;
  }
  subscription& s = subscriptions_[index];
  s.state = subscription_state::waiting;  // until the owner says where delivery starts
  s.adding = added;
  topic_subscribe m;
  m.topic.assign(f.topic);
  m.from_reactor = index_;
  m.subscription = index;
  m.generation = s.generation;
  m.added = added;
  m.from_seq = f.has_from_seq ? std::max<std::uint64_t>(f.from_seq, 1) : 0;
  m.request_id = f.request_id;
  send_to(owner, std::move(m));
}

void reactor::refuse_congested(connection& c, std::uint64_t request_id, proto::frame_type type) {
  counters_.topic_requests_congested_total.add();
  send_ack(c, refused_ack(request_id, proto::error_code::capacity, type));
}

void reactor::on_unsubscribe(connection& c, const proto::unsubscribe_frame& f) {
  constexpr proto::frame_type type = proto::frame_type::unsubscribe;
  if (f.request_id == 0) return send_ack(c, refused_ack(0, proto::error_code::bad_request_id, type));
  if (const proto::error_code bad = proto::check_topic(f.topic); bad != proto::error_code::none) {
    return send_ack(c, refused_ack(f.request_id, bad, type));
  }
  const std::uint32_t index = subscriptions_.find(c.session, f.topic);
  if (index == subscription_table::npos) {
    return send_ack(c, refused_ack(f.request_id, proto::error_code::not_subscribed, type));
  }
  const std::uint32_t owner = subscriptions_.owner_of(subscriptions_[index]);
  subscriptions_.remove(index);
  send_to(owner, topic_unsubscribe{std::string(f.topic), index_});
  send_ack(c, proto::ack_frame{.request_id = f.request_id, .request_type = type});
}

void reactor::on_publish(connection& c, const proto::publish_frame& f) {
  constexpr proto::frame_type type = proto::frame_type::publish;
  if (f.request_id == 0) return send_ack(c, refused_ack(0, proto::error_code::bad_request_id, type));
  if (const proto::error_code bad = proto::check_topic(f.topic); bad != proto::error_code::none) {
    return send_ack(c, refused_ack(f.request_id, bad, type));
  }
  if (f.payload.size() > config_.topics.payload_max) {
    return send_ack(c, refused_ack(f.request_id, proto::error_code::payload_too_large, type));
  }
  session_link& link = links_[c.session.slot];
  if (!link.published) link.published = std::make_unique<dedup_window>(dedup_config_, &dedup_counters_);
  std::uint32_t remembered_at = link.published->find_position(f.request_id, woke_ns_);
  std::uint64_t* seen = remembered_at == dedup_window::npos ? nullptr : &link.published->value(remembered_at);
  if (seen != nullptr && *seen != publish_refused) {
    counters_.publish_duplicates_total.add();
    if (in_flight(*seen)) {
      // Answered when the owner's answer arrives; past the bound, refused (retry later).
      if (*seen - publish_in_flight == repeats_waiting_max) {
        return send_ack(c, refused_ack(f.request_id, proto::error_code::request_pending, type));
      }
      ++*seen;
      return;
    }
    return send_ack(
        c, proto::ack_frame{.duplicate = true, .request_id = f.request_id, .seq = *seen, .request_type = type});
  }
  const std::uint32_t owner = owner_of_topic(f.topic);
  if (!request_room(owner)) return refuse_congested(c, f.request_id, type);
  if (!gcra_try_take(link.publish_rate, publish_rate_, woke_ns_)) {
    return send_ack(c, refused_ack(f.request_id, proto::error_code::publish_rate_limited, type));
  }
  if (seen != nullptr) {
    *seen = publish_in_flight;  // a refused publish tried again
  } else {
    remembered_at = link.published->remember(f.request_id, publish_in_flight, woke_ns_);
  }
  const proto::frame event_frame = proto::event_frame{.seq = 0, .topic = f.topic, .payload = f.payload};
  event_ref event = event_ref::create(0, woke_ns_, static_cast<std::uint32_t>(proto::encoded_size(event_frame)));
  proto::encode_frame(event_frame, event.writable_frame());
  topic_publish m;
  m.event = std::move(event);
  m.from_reactor = index_;
  m.session = c.session;
  m.request_id = f.request_id;
  m.remembered_at = remembered_at;
  m.ack = f.ack;
  send_to(owner, std::move(m));
  ++link.answers_owed;  // an ACK, or a refusal, which is sent whatever the flag
}

// ---- as a topic's owner

void reactor::handle(topic_subscribe&& m) {
  const topic_owner::subscribe_outcome out = topics_.subscribe(m.topic, m.from_reactor, m.added, m.from_seq);
  topic_subscribed answer;
  answer.subscription = m.subscription;
  answer.generation = m.generation;
  answer.request_id = m.request_id;
  answer.status = out.status;
  answer.start = out.start;
  answer.truncated = out.truncated;
  answer.next_seq = out.next_seq;
  send_to(m.from_reactor, std::move(answer));
}

void reactor::handle(topic_unsubscribe&& m) { topics_.unsubscribe(m.topic, m.from_reactor); }

void reactor::handle(topic_publish&& m) {
  const std::uint32_t from = m.from_reactor;
  if (downstream_full_) {
    // A shard with subscribers to this topic is not draining its inbox: accept no more
    // events for it (topics whose subscribers are elsewhere go on).
    for (const shard_interest& interest : topics_.interest(proto::event_topic_of(m.event->frame()))) {
      if (!congested(interest.shard)) continue;
      counters_.topic_requests_congested_total.add();
      return send_to(from,
                     topic_published{m.session, m.request_id, m.remembered_at, 0, proto::error_code::capacity, m.ack});
    }
  }
  topic_owner::publish_outcome out = topics_.publish(std::move(m.event), woke_ns_);
  // The last shard takes the owner's reference: one locked count update less per event.
  for (std::size_t k = 0; k < out.shards.size(); ++k) {
    std::vector<event_ref>& batch = batches_[out.shards[k].shard];
    if (k + 1 < out.shards.size()) {
      batch.push_back(out.event);
    } else {
      batch.push_back(std::move(out.event));
    }
  }
  if (out.status == proto::error_code::none) counters_.published_total.add();
  send_to(from, topic_published{m.session, m.request_id, m.remembered_at, out.seq, out.status, m.ack});
}

void reactor::handle(replay_request&& m) {
  counters_.replay_pages_total.add();
  replay_page page;
  page.subscription = m.subscription;
  page.generation = m.generation;
  page.events.reserve(std::min<std::uint32_t>(config_.topics.replay_page_events, 64));
  const topic_owner::page p = topics_.read(m.topic, m.from_seq, config_.topics.replay_page_events,
                                           [&](const event_ref& e) { page.events.push_back(e); });
  page.first_held = p.first_held;
  page.next_seq = p.next_seq;
  send_to(m.from_reactor, std::move(page));
}

// ---- as the reactor of publishers and subscribers

void reactor::handle(topic_published&& m) {
  if (sessions_.get(m.session) == nullptr) return;  // the session ended meanwhile
  session_link& link = links_[m.session.slot];
  answer_arrived(m.session);
  std::uint64_t repeats = 0;
  if (link.published) {
    std::uint64_t* seen = link.published->value_at(m.remembered_at, m.request_id);
    if (seen != nullptr && in_flight(*seen)) {
      repeats = *seen - publish_in_flight;
      *seen = m.status == proto::error_code::none ? m.seq : publish_refused;
    }
  }
  connection* c = conn_of(m.session);
  if (c == nullptr) return;  // a retry after resuming is answered from the dedup window
  constexpr proto::frame_type type = proto::frame_type::publish;
  if (m.status != proto::error_code::none) {
    for (std::uint64_t i = 0; i <= repeats; ++i) send_ack(*c, refused_ack(m.request_id, m.status, type));
    return;
  }
  if (m.ack) send_ack(*c, proto::ack_frame{.request_id = m.request_id, .seq = m.seq, .request_type = type});
  for (std::uint64_t i = 0; i < repeats; ++i) {
    send_ack(*c, proto::ack_frame{.duplicate = true, .request_id = m.request_id, .seq = m.seq, .request_type = type});
  }
}

void reactor::handle(topic_subscribed&& m) {
  if (!subscriptions_.current(m.subscription, m.generation)) return;  // unsubscribed meanwhile
  subscription& s = subscriptions_[m.subscription];
  s.adding = false;
  connection* c = conn_of(s.session);
  constexpr proto::frame_type type = proto::frame_type::subscribe;
  if (m.status != proto::error_code::none) {
    // Only a new subscription can be refused (a new topic past the owner's bound); the
    // owner did not count it, so it goes without an unsubscribe.
    subscriptions_.remove(m.subscription);
    if (c != nullptr) send_ack(*c, refused_ack(m.request_id, m.status, type));
    return;
  }
  s.next_seq = m.start;
  s.state = m.start < m.next_seq ? subscription_state::behind : subscription_state::live;
  if (c == nullptr) return;
  send_ack(
      *c, proto::ack_frame{.truncated = m.truncated, .request_id = m.request_id, .seq = m.start, .request_type = type});
  if (s.state == subscription_state::behind) request_replay(m.subscription);
}

void reactor::handle(event_batch&& m) {
  std::string_view topic;
  std::span<const std::uint32_t> subscribers;
  for (const event_ref& event : m.events) {
    const std::string_view this_topic = proto::event_topic_of(event->frame());
    if (this_topic != topic) {
      topic = this_topic;
      subscribers = subscriptions_.of_topic(topic);
    }
    const std::size_t audience = subscribers.size();
    if (output_queue::copies(event->frame().size(), audience)) {
      for (const std::uint32_t index : subscribers) deliver(index, event, audience, nullptr);
      continue;
    }
    event_ref_fanout shares(event, static_cast<std::uint32_t>(audience));
    for (const std::uint32_t index : subscribers) deliver(index, event, audience, &shares);
  }
  // Kept for the next iteration's batch, so that one is not grown again push by push.
  m.events.clear();
  if (m.events.capacity() <= spare_batch_max && m.events.capacity() > spare_batch_.capacity()) {
    spare_batch_.swap(m.events);
  }
}

void reactor::deliver(std::uint32_t index, const event_ref& event, std::size_t audience, event_ref_fanout* shares) {
  subscription& s = subscriptions_[index];
  // waiting: the owner's answer sets the position; behind: the history serves it.
  if (s.state != subscription_state::live || event->seq() < s.next_seq) return;
  connection* c = conn_of(s.session);
  if (c == nullptr) {  // detached: served from the history if it resumes
    s.state = subscription_state::behind;
    return;
  }
  if (event->seq() > s.next_seq) {  // not expected (batches are never dropped); the history repairs it
    s.state = subscription_state::behind;
    return request_replay(index);
  }
  const std::size_t size = event->frame().size();
  if (!room_for_event(*c, size)) {
    s.state = subscription_state::behind;
    if (config_.topics.slow_consumer == slow_consumer_policy::disconnect) {
      if (c->state != phase::attached) return;
      counters_.slow_consumer_total.add();
      queue_frame(*c, proto::goaway_frame{proto::error_code::slow_consumer, 0,
                                          "output full: resume, then SUBSCRIBE with FROM_SEQ"});
      return begin_close(*c, proto::error_code::none, {});
    }
    counters_.subscribers_fell_behind_total.add();
    c->wants_replay = true;  // served once its output drains
    return;
  }
  if (shares != nullptr) {
    c->out.append_shared(shares->take());
  } else {
    c->out.append_event(event, audience);
  }
  mark_dirty(*c);
  counters_.frames_out_total.add();
  counters_.events_delivered_total.add();
  ++s.next_seq;
}

void reactor::request_replay(std::uint32_t index) {
  subscription& s = subscriptions_[index];
  if (s.replay_in_flight) return;
  replay_request m;
  m.topic.assign(subscriptions_.topic_of(s));
  m.from_reactor = index_;
  m.subscription = index;
  m.generation = s.generation;
  m.from_seq = s.next_seq;
  send_to(subscriptions_.owner_of(s), std::move(m));
  s.replay_in_flight = true;
}

void reactor::handle(replay_page&& m) {
  if (!subscriptions_.current(m.subscription, m.generation)) return;
  subscription& s = subscriptions_[m.subscription];
  s.replay_in_flight = false;
  if (s.state != subscription_state::behind) return;  // a newer SUBSCRIBE moved it: its answer decides
  connection* c = conn_of(s.session);
  if (c == nullptr) return;  // detached: served again when it resumes
  const std::string_view topic = subscriptions_.topic_of(s);
  for (const event_ref& event : m.events) {
    if (event->seq() < s.next_seq) continue;
    if (event->seq() > s.next_seq) {  // the history lost these before this subscriber got them
      queue_gap(*c, topic, s.next_seq, event->seq() - 1);
      s.next_seq = event->seq();
    }
    if (!room_for_event(*c, event->frame().size())) {
      c->wants_replay = true;
      return;
    }
    c->out.append_event(event, 1);  // a replay is this subscriber's alone
    mark_dirty(*c);
    counters_.frames_out_total.add();
    counters_.events_delivered_total.add();
    ++s.next_seq;
  }
  if (m.events.empty() && s.next_seq < m.first_held) {
    queue_gap(*c, topic, s.next_seq, m.first_held - 1);
    s.next_seq = m.first_held;
  }
  if (s.next_seq >= m.next_seq) {
    // Caught up: events from m.next_seq on come in batches the owner sends after this page.
    s.state = subscription_state::live;
    return;
  }
  if (output_held(*c) <= pause_threshold() / 2) {
    request_replay(m.subscription);
  } else {
    c->wants_replay = true;
  }
}

void reactor::queue_gap(connection& c, std::string_view topic, std::uint64_t first, std::uint64_t last) {
  SLUICE_DASSERT(first <= last);
  counters_.gap_markers_total.add();
  const auto payload = proto::gap_payload_of(last);
  queue_frame(
      c, proto::event_frame{.gap = true, .seq = first, .topic = topic, .payload = {payload.data(), payload.size()}});
}

// The connection's output has drained (or its session is back): subscriptions that
// fell behind ask for their next page.
void reactor::serve_behind(connection& c) {
  if (!c.wants_replay || !c.session.valid()) return;
  c.wants_replay = false;
  for (const std::uint32_t index : subscriptions_.of_session(c.session.slot)) {
    if (subscriptions_[index].state == subscription_state::behind) request_replay(index);
  }
}

// The session ended for good: its subscriptions go, and the owners stop counting them.
void reactor::drop_session_topics(std::uint32_t session_slot) {
  for (;;) {
    const std::span<const std::uint32_t> mine = subscriptions_.of_session(session_slot);
    if (mine.empty()) break;
    const std::uint32_t index = mine.back();
    const subscription& s = subscriptions_[index];
    const std::uint32_t owner = subscriptions_.owner_of(s);
    std::string topic(subscriptions_.topic_of(s));
    subscriptions_.remove(index);
    send_to(owner, topic_unsubscribe{std::move(topic), index_});
  }
  links_[session_slot].published.reset();
  links_[session_slot].publish_rate = {};
}

}  // namespace sluice
