// The sessions one reactor owns: a table keyed by 128-bit id, a fixed slab of session
// records, each session's single deadline in the shard's timing wheel, and an
// intrusive LRU list of detached sessions.
//
// State machine (every transition goes through set_state, which keeps the gauges):
//
//   open -> handshaking --activate--> active --detach--> detached --resume--> active
//           |                         |  idle: ping_due, then idle_timeout -> detached
//           +-- handshake_timeout     +-- close (any state)   detached --> expired | evicted
//
// Expiry is owner-checked: touch() is one field write, the timer fires at the deadline
// it was armed for, and the owner recomputes the real deadline and re-arms if activity
// moved it. A touched session is never expired; an untouched one always is, on time.
//
// Admission comes first: open() checks for a duplicate id and for room before it takes
// a slot or inserts anything, so the session count never exceeds sessions_max, even
// briefly. When full, the policy either refuses or evicts the least recently detached
// session.
//
// Thread: owned by one reactor thread; only counters() may be read elsewhere.
// Bounds: sessions_max records, fixed at construction; no allocation after it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "engine/counter.hpp"
#include "engine/flat_index.hpp"
#include "engine/refusal.hpp"
#include "engine/session_id.hpp"
#include "engine/slab.hpp"
#include "engine/slot_list.hpp"
#include "engine/time.hpp"
#include "engine/timing_wheel.hpp"

namespace sluice {

enum class session_state : std::uint8_t { handshaking, active, detached };
inline constexpr std::size_t session_state_count = 3;

enum class full_policy : std::uint8_t {
  refuse,              // a new session is refused with refusal::capacity
  evict_lru_detached,  // the least recently detached session makes room; refuse if none
};

struct session_shard_config {
  std::uint32_t sessions_max = 65'536;
  full_policy when_full = full_policy::refuse;
  time_ns handshake_timeout_ns = 10 * ns_per_s;  // HELLO to activation
  time_ns idle_timeout_ns = 30 * ns_per_s;       // silence before the server pings
  time_ns ping_timeout_ns = 10 * ns_per_s;       // silence after a ping before the connection is dropped
  time_ns resume_window_ns = 120 * ns_per_s;     // how long a detached session waits for a resume
  timing_wheel_config wheel{};
  std::uint64_t hash_seed = 0;  // net/ passes a per-process secret from the OS CSPRNG
};

// A handle to a session: a slab slot plus the slot's generation, so a handle kept past
// the session's end is detected instead of reaching its successor.
struct session_ref {
  std::uint32_t slot = UINT32_MAX;
  std::uint64_t generation = 0;  // 64-bit: a slot reused 1M times a second wraps in 500k years
  [[nodiscard]] bool valid() const noexcept { return slot != UINT32_MAX; }
  friend constexpr bool operator==(const session_ref&, const session_ref&) = default;
};

class session {
 public:
  session() = default;
  [[nodiscard]] const session_id& id() const noexcept { return id_; }
  [[nodiscard]] session_state state() const noexcept { return state_; }
  [[nodiscard]] time_ns last_activity_ns() const noexcept { return last_activity_ns_; }
  [[nodiscard]] bool ping_outstanding() const noexcept { return ping_outstanding_; }

 private:
  friend class session_shard;
  timer_node timer_;  // first member: the wheel hands back &timer_, which is the session's address
  session_id id_;
  time_ns state_since_ns_ = 0;    // entry into the current state
  time_ns last_activity_ns_ = 0;  // written by touch()
  time_ns ping_sent_ns_ = 0;
  std::uint32_t lru_prev_ = UINT32_MAX;  // detached LRU links (slab slots)
  std::uint32_t lru_next_ = UINT32_MAX;
  session_state state_ = session_state::handshaking;
  bool ping_outstanding_ = false;
};

enum class session_error : std::uint8_t {
  ok = 0,
  not_found,    // stale or invalid handle: the session ended
  wrong_state,  // the transition is not allowed from the session's current state
};

struct open_result {
  refusal refused = refusal::none;
  session_ref ref;
  std::optional<session_id> evicted;  // the detached session evicted to make room
};

enum class session_event_kind : std::uint8_t {
  ping_due,           // active and silent for idle_timeout: send PING (session stays active)
  idle_timeout,       // no traffic within ping_timeout of the PING: close the connection; session is now detached
  handshake_timeout,  // not activated in time: close the connection; session removed
  expired,            // detached for the whole resume window: session removed
};

struct session_event {
  session_event_kind kind;
  session_id id;
  session_ref ref;  // stale for kinds that removed the session
};

struct session_shard_counters {
  std::array<gauge, session_state_count> sessions;  // by state; derived from transitions only
  counter opened_total;
  counter activated_total;
  counter detached_total;
  counter resumed_total;
  counter closed_total;
  counter pings_total;
  counter handshake_timeouts_total;
  counter idle_timeouts_total;
  counter expired_total;
  counter evicted_total;
  std::array<counter, refusal_count> refused_total;  // by refusal code
};

class session_shard {
 public:
  explicit session_shard(const session_shard_config& config);
  session_shard(const session_shard&) = delete;
  session_shard& operator=(const session_shard&) = delete;

  // A new session in handshaking state, or a refusal (duplicate_id, capacity). Nothing is
  // allocated or inserted before the checks pass.
  [[nodiscard]] open_result open(const session_id& id, time_ns now_ns);

  [[nodiscard]] session_ref find(const session_id& id) const;
  [[nodiscard]] const session* get(session_ref ref) const;

  [[nodiscard]] session_error activate(session_ref ref, time_ns now_ns);  // handshaking -> active
  [[nodiscard]] session_error detach(session_ref ref, time_ns now_ns);    // active -> detached
  [[nodiscard]] session_error resume(session_ref ref, time_ns now_ns);    // detached -> active
  [[nodiscard]] session_error close(session_ref ref);                     // any -> removed

  // Records activity: one field write. The idle timer sees it when it next fires. A
  // stale handle (the session ended meanwhile) is reported, not trusted.
  [[nodiscard]] session_error touch(session_ref ref, time_ns now_ns) noexcept {
    session* s = lookup(ref);
    if (s == nullptr) return session_error::not_found;
    s->last_activity_ns_ = now_ns;
    return session_error::ok;
  }

  // Fires due session timers, at most `work_max` units of wheel work, and reports each
  // resulting event to `on_event(const session_event&)`. As in the wheel, a clock reading
  // older than one already seen counts as the newer one; otherwise a timer due between
  // the two would be re-armed at its own tick, again and again.
  template <class on_event_fn>
  timing_wheel::advance_result advance(time_ns now_ns, std::uint32_t work_max, on_event_fn&& on_event) {
    if (now_ns > latest_now_ns_) latest_now_ns_ = now_ns;
    return wheel_.advance(latest_now_ns_, work_max, [&](timer_node& node) {
      if (const std::optional<session_event> event = on_timer(node, latest_now_ns_)) on_event(*event);
    });
  }

  [[nodiscard]] std::uint32_t size() const noexcept { return sessions_.in_use(); }
  [[nodiscard]] std::uint32_t sessions_max() const noexcept { return config_.sessions_max; }
  [[nodiscard]] const session_shard_counters& counters() const noexcept { return counters_; }
  [[nodiscard]] const timing_wheel& wheel() const noexcept { return wheel_; }
  [[nodiscard]] std::size_t memory_bytes() const noexcept;

 private:
  [[nodiscard]] session* lookup(session_ref ref) noexcept;
  [[nodiscard]] session_ref ref_of(const session& s) const noexcept;
  [[nodiscard]] std::optional<session_event> on_timer(timer_node& node, time_ns now_ns);
  void set_state(session& s, session_state next, time_ns now_ns) noexcept;
  session_event remove(session& s, session_event_kind kind) noexcept;

  session_shard_config config_;
  slab<session> sessions_;  // declared before wheel_: the wheel disarms nodes living here
  flat_index index_;
  timing_wheel wheel_;
  slot_list<session, &session::lru_prev_, &session::lru_next_> detached_lru_;  // front: least recently detached
  time_ns latest_now_ns_ = 0;
  session_shard_counters counters_;
};

}  // namespace sluice
