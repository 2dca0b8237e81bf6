#include "engine/session_shard.hpp"

#include <type_traits>

#include "engine/hash.hpp"

namespace sluice {

static_assert(std::is_standard_layout_v<session>, "the wheel's node must be pointer-interconvertible with its session");

session_shard::session_shard(const session_shard_config& config)
    : config_(config), sessions_(config.sessions_max), index_(config.sessions_max), wheel_(config.wheel) {
  SLUICE_ASSERT(config_.sessions_max > 0);
}

open_result session_shard::open(const session_id& id, time_ns now_ns) {
  open_result result;
  if (find(id).valid()) {
    result.refused = refusal::duplicate_id;
  } else if (sessions_.in_use() == config_.sessions_max) {
    if (config_.when_full == full_policy::evict_lru_detached && !detached_lru_.empty()) {
      session& victim = sessions_[detached_lru_.front()];
      result.evicted = victim.id_;
      counters_.evicted_total.add();
      (void)remove(victim, session_event_kind::expired);
    } else {
      result.refused = refusal::capacity;
    }
  }
  if (result.refused != refusal::none) {
    counters_.refused_total[static_cast<std::size_t>(result.refused)].add();
    return result;
  }

  const std::uint32_t slot = sessions_.acquire();
  SLUICE_ASSERT(slot != slab<session>::npos);  // room was checked above
  session& s = sessions_[slot];
  SLUICE_DASSERT(!s.timer_.scheduled());
  s.id_ = id;
  s.state_ = session_state::handshaking;
  s.state_since_ns_ = now_ns;
  s.last_activity_ns_ = now_ns;
  s.ping_outstanding_ = false;
  s.lru_prev_ = s.lru_next_ = UINT32_MAX;
  index_.insert(hash_session_id(id, config_.hash_seed), slot);
  counters_.sessions[static_cast<std::size_t>(session_state::handshaking)].add();
  counters_.opened_total.add();
  wheel_.schedule(s.timer_, add_saturating(now_ns, config_.handshake_timeout_ns));
  result.ref = ref_of(s);
  return result;
}

session_ref session_shard::find(const session_id& id) const {
  const std::uint32_t slot = index_.find(hash_session_id(id, config_.hash_seed),
                                         [&](std::uint32_t candidate) { return sessions_[candidate].id_ == id; });
  if (slot == flat_index::npos) return {};
  return session_ref{slot, sessions_.generation(slot)};
}

const session* session_shard::get(session_ref ref) const { return const_cast<session_shard*>(this)->lookup(ref); }

session* session_shard::lookup(session_ref ref) noexcept {
  if (!ref.valid() || ref.slot >= sessions_.capacity() || sessions_.generation(ref.slot) != ref.generation)
    return nullptr;
  session& s = sessions_[ref.slot];
  // A live session always has its timer armed; a free slot never does. This also
  // rejects a forged handle naming a never-used slot at generation 0.
  return s.timer_.scheduled() ? &s : nullptr;
}

session_ref session_shard::ref_of(const session& s) const noexcept {
  const std::uint32_t slot = sessions_.index_of(s);
  return session_ref{slot, sessions_.generation(slot)};
}

session_error session_shard::activate(session_ref ref, time_ns now_ns) {
  session* s = lookup(ref);
  if (s == nullptr) return session_error::not_found;
  if (s->state_ != session_state::handshaking) return session_error::wrong_state;
  set_state(*s, session_state::active, now_ns);
  counters_.activated_total.add();
  return session_error::ok;
}

session_error session_shard::detach(session_ref ref, time_ns now_ns) {
  session* s = lookup(ref);
  if (s == nullptr) return session_error::not_found;
  if (s->state_ != session_state::active) return session_error::wrong_state;
  set_state(*s, session_state::detached, now_ns);
  counters_.detached_total.add();
  return session_error::ok;
}

session_error session_shard::resume(session_ref ref, time_ns now_ns) {
  session* s = lookup(ref);
  if (s == nullptr) return session_error::not_found;
  if (s->state_ != session_state::detached) return session_error::wrong_state;
  set_state(*s, session_state::active, now_ns);
  counters_.resumed_total.add();
  return session_error::ok;
}

session_error session_shard::close(session_ref ref) {
  session* s = lookup(ref);
  if (s == nullptr) return session_error::not_found;
  counters_.closed_total.add();
  (void)remove(*s, session_event_kind::expired);
  return session_error::ok;
}

// The only place a live session changes state: gauges move with it, and the session's
// one timer is re-armed for the new state's deadline.
void session_shard::set_state(session& s, session_state next, time_ns now_ns) noexcept {
  SLUICE_DASSERT(s.state_ != next);
  if (s.state_ == session_state::detached) detached_lru_.unlink(sessions_, sessions_.index_of(s));
  counters_.sessions[static_cast<std::size_t>(s.state_)].sub();
  counters_.sessions[static_cast<std::size_t>(next)].add();
  s.state_ = next;
  s.state_since_ns_ = now_ns;
  s.ping_outstanding_ = false;
  switch (next) {
    case session_state::handshaking:
      SLUICE_ASSERT(false);  // only open() enters handshaking
      break;
    case session_state::active:
      s.last_activity_ns_ = now_ns;
      wheel_.schedule(s.timer_, add_saturating(now_ns, config_.idle_timeout_ns));
      break;
    case session_state::detached:
      detached_lru_.push_back(sessions_, sessions_.index_of(s));
      wheel_.schedule(s.timer_, add_saturating(now_ns, config_.resume_window_ns));
      break;
  }
}

session_event session_shard::remove(session& s, session_event_kind kind) noexcept {
  const session_event event{kind, s.id_, ref_of(s)};
  if (s.state_ == session_state::detached) detached_lru_.unlink(sessions_, sessions_.index_of(s));
  wheel_.cancel(s.timer_);
  counters_.sessions[static_cast<std::size_t>(s.state_)].sub();
  const std::uint32_t slot = event.ref.slot;
  index_.erase(hash_session_id(s.id_, config_.hash_seed), slot);
  sessions_.release(slot);
  return event;
}

std::optional<session_event> session_shard::on_timer(timer_node& node, time_ns now_ns) {
  session& s = *reinterpret_cast<session*>(&node);
  SLUICE_DASSERT(&s.timer_ == &node);
  // Re-arm when the real deadline moved past now; otherwise act on it.
  const auto due_or_rearm = [&](time_ns deadline_ns) {
    if (deadline_ns <= now_ns) return true;
    wheel_.schedule(s.timer_, deadline_ns);
    return false;
  };
  switch (s.state_) {
    case session_state::handshaking:
      if (!due_or_rearm(add_saturating(s.state_since_ns_, config_.handshake_timeout_ns))) return std::nullopt;
      counters_.handshake_timeouts_total.add();
      return remove(s, session_event_kind::handshake_timeout);

    case session_state::active:
      if (s.ping_outstanding_) {
        if (s.last_activity_ns_ >= s.ping_sent_ns_) {
          s.ping_outstanding_ = false;  // any traffic after the ping answers it
        } else {
          if (!due_or_rearm(add_saturating(s.ping_sent_ns_, config_.ping_timeout_ns))) return std::nullopt;
          counters_.idle_timeouts_total.add();
          set_state(s, session_state::detached, now_ns);
          counters_.detached_total.add();
          return session_event{session_event_kind::idle_timeout, s.id_, ref_of(s)};
        }
      }
      if (!due_or_rearm(add_saturating(s.last_activity_ns_, config_.idle_timeout_ns))) return std::nullopt;
      s.ping_outstanding_ = true;
      s.ping_sent_ns_ = now_ns;
      wheel_.schedule(s.timer_, add_saturating(now_ns, config_.ping_timeout_ns));
      counters_.pings_total.add();
      return session_event{session_event_kind::ping_due, s.id_, ref_of(s)};

    case session_state::detached:
      if (!due_or_rearm(add_saturating(s.state_since_ns_, config_.resume_window_ns))) return std::nullopt;
      counters_.expired_total.add();
      return remove(s, session_event_kind::expired);
  }
  return std::nullopt;
}

std::size_t session_shard::memory_bytes() const noexcept {
  return std::size_t{sessions_.capacity()} * (sizeof(session) + 2 * sizeof(std::uint32_t)) + index_.memory_bytes() +
         sizeof(timing_wheel);
}

}  // namespace sluice
