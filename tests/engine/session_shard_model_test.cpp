// The session shard against a std::unordered_map reference over millions of random
// open/activate/touch/detach/resume/close/advance steps with a virtual clock. After every
// step the shard's gauges must equal the reference's counts by state; every event must
// be one the reference says is due; after an advance without backlog no session may be
// overdue. Prints its seed; SLUICE_SEED replays a run.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <unordered_map>
#include <vector>

#include "engine/session_shard.hpp"
#include "tests/support/seed.hpp"

namespace sluice::test {
namespace {

struct id_hash {
  std::size_t operator()(const session_id& id) const { return id.hi ^ (id.lo * 0x9e3779b97f4a7c15ull); }
};

struct reference_session {
  session_state state = session_state::handshaking;
  time_ns since = 0;
  time_ns last_activity = 0;
  bool ping = false;
  time_ns ping_sent = 0;
  std::uint64_t detach_order = 0;
  session_ref handle;
};

class reference_shard {
 public:
  explicit reference_shard(const session_shard_config& config) : config_(config) {}

  // What the session expects next, and when: the model's statement of the state machine.
  struct due_t {
    session_event_kind kind;
    time_ns at;
  };
  [[nodiscard]] due_t due(const reference_session& s) const {
    switch (s.state) {
      case session_state::handshaking:
        return {session_event_kind::handshake_timeout, s.since + config_.handshake_timeout_ns};
      case session_state::detached:
        return {session_event_kind::expired, s.since + config_.resume_window_ns};
      case session_state::active:
        if (!s.ping) return {session_event_kind::ping_due, s.last_activity + config_.idle_timeout_ns};
        if (s.last_activity >= s.ping_sent) {
          return {session_event_kind::ping_due,
                  std::max(s.ping_sent + config_.ping_timeout_ns, s.last_activity + config_.idle_timeout_ns)};
        }
        return {session_event_kind::idle_timeout, s.ping_sent + config_.ping_timeout_ns};
    }
    return {};
  }

  std::unordered_map<session_id, reference_session, id_hash> sessions;
  std::uint64_t detach_counter = 0;

 private:
  session_shard_config config_;
};

TEST(session_shard_model, random_steps_match_the_reference) {
  const std::uint64_t seed = test_seed("session_shard_model");
  std::mt19937_64 rng(seed);
  session_shard_config config;
  config.sessions_max = 1 + static_cast<std::uint32_t>(rng() % 256);
  config.when_full = rng() % 2 ? full_policy::refuse : full_policy::evict_lru_detached;
  config.handshake_timeout_ns = (1 + rng() % 50) * ns_per_ms;
  config.idle_timeout_ns = (1 + rng() % 200) * ns_per_ms;
  config.ping_timeout_ns = (1 + rng() % 100) * ns_per_ms;
  config.resume_window_ns = (1 + rng() % 300) * ns_per_ms;
  config.hash_seed = rng();
  session_shard shard(config);
  reference_shard ref(config);
  const timing_wheel& wheel = shard.wheel();

  // Ids come from a pool twice the capacity, so duplicates and re-opens happen.
  std::vector<session_id> pool(2 * std::size_t{config.sessions_max});
  for (auto& id : pool) id = session_id{rng(), rng()};
  std::vector<session_ref> stale;  // handles of ended sessions
  time_ns now = 0;

  const auto pick = [&]() -> std::optional<session_id> {
    const session_id& id = pool[rng() % pool.size()];
    if (ref.sessions.count(id) == 0) return std::nullopt;
    return id;
  };
  const auto forget = [&](const session_id& id) {
    stale.push_back(ref.sessions.at(id).handle);
    if (stale.size() > 64) stale.erase(stale.begin());
    ref.sessions.erase(id);
  };

  const std::uint64_t steps = model_steps(1'000'000);
  for (std::uint64_t step = 0; step < steps; ++step) {
    SCOPED_TRACE(testing::Message() << "step " << step << " seed " << seed);
    const unsigned dice = rng() % 100;
    if (dice < 20) {  // open
      const session_id& id = pool[rng() % pool.size()];
      const open_result r = shard.open(id, now);
      if (ref.sessions.count(id) != 0) {
        ASSERT_EQ(r.refused, refusal::duplicate_id);
      } else if (ref.sessions.size() == config.sessions_max) {
        std::optional<session_id> lru;
        std::uint64_t oldest = UINT64_MAX;
        for (const auto& [sid, s] : ref.sessions) {
          if (s.state == session_state::detached && s.detach_order < oldest) {
            oldest = s.detach_order;
            lru = sid;
          }
        }
        if (config.when_full == full_policy::evict_lru_detached && lru) {
          ASSERT_EQ(r.refused, refusal::none);
          ASSERT_TRUE(r.evicted.has_value());
          ASSERT_EQ(*r.evicted, *lru);
          forget(*lru);
        } else {
          ASSERT_EQ(r.refused, refusal::capacity);
          ASSERT_FALSE(r.evicted.has_value());
        }
      } else {
        ASSERT_EQ(r.refused, refusal::none);
        ASSERT_FALSE(r.evicted.has_value());
      }
      if (r.refused == refusal::none) {
        ref.sessions[id] = reference_session{session_state::handshaking, now, now, false, 0, 0, r.ref};
      }
    } else if (dice < 35) {  // activate
      if (auto id = pick()) {
        auto& s = ref.sessions.at(*id);
        const session_error e = shard.activate(s.handle, now);
        if (s.state == session_state::handshaking) {
          ASSERT_EQ(e, session_error::ok);
          s = reference_session{session_state::active, now, now, false, 0, 0, s.handle};
        } else {
          ASSERT_EQ(e, session_error::wrong_state);
        }
      }
    } else if (dice < 55) {  // touch
      if (auto id = pick()) {
        auto& s = ref.sessions.at(*id);
        ASSERT_EQ(shard.touch(s.handle, now), session_error::ok);
        s.last_activity = now;
      }
    } else if (dice < 62) {  // detach
      if (auto id = pick()) {
        auto& s = ref.sessions.at(*id);
        const session_error e = shard.detach(s.handle, now);
        if (s.state == session_state::active) {
          ASSERT_EQ(e, session_error::ok);
          s = reference_session{session_state::detached, now,     s.last_activity, false, 0,
                                ref.detach_counter++,    s.handle};
        } else {
          ASSERT_EQ(e, session_error::wrong_state);
        }
      }
    } else if (dice < 69) {  // resume, by id as a reconnecting client would
      if (auto id = pick()) {
        auto& s = ref.sessions.at(*id);
        ASSERT_EQ(shard.find(*id), s.handle);
        const session_error e = shard.resume(shard.find(*id), now);
        if (s.state == session_state::detached) {
          ASSERT_EQ(e, session_error::ok);
          s = reference_session{session_state::active, now, now, false, 0, 0, s.handle};
        } else {
          ASSERT_EQ(e, session_error::wrong_state);
        }
      }
    } else if (dice < 72) {  // close
      if (auto id = pick()) {
        ASSERT_EQ(shard.close(ref.sessions.at(*id).handle), session_error::ok);
        forget(*id);
      }
    } else if (dice < 73) {  // a stale handle is rejected by every operation
      if (!stale.empty()) {
        const session_ref old = stale[rng() % stale.size()];
        ASSERT_EQ(shard.get(old), nullptr);
        ASSERT_EQ(shard.activate(old, now), session_error::not_found);
        ASSERT_EQ(shard.touch(old, now), session_error::not_found);
        ASSERT_EQ(shard.close(old), session_error::not_found);
      }
    } else {  // advance
      now += rng() % 4 == 0 ? rng() % (50 * ns_per_ms) : rng() % (2 * ns_per_ms);
      const std::uint32_t budget = rng() % 4 == 0 ? 1 + static_cast<std::uint32_t>(rng() % 8) : UINT32_MAX;
      std::string error;
      const auto result = shard.advance(now, budget, [&](const session_event& e) {
        if (!error.empty()) return;
        const auto it = ref.sessions.find(e.id);
        if (it == ref.sessions.end()) {
          error = "event for a session the reference does not hold";
          return;
        }
        reference_session& s = it->second;
        const reference_shard::due_t expected = ref.due(s);
        if (e.kind != expected.kind)
          error = "event kind " + std::to_string(int(e.kind)) + ", expected " + std::to_string(int(expected.kind));
        if (expected.at > now) error = "event before its deadline";
        switch (e.kind) {
          case session_event_kind::ping_due:
            s.ping = true;
            s.ping_sent = now;
            break;
          case session_event_kind::idle_timeout:
            s = reference_session{session_state::detached, now,     s.last_activity, false, 0,
                                  ref.detach_counter++,    s.handle};
            break;
          case session_event_kind::handshake_timeout:
          case session_event_kind::expired:
            forget(e.id);
            break;
        }
      });
      ASSERT_EQ(error, "");
      if (!result.backlog) {
        const std::uint64_t now_tick = wheel.tick_floor(now);
        for (const auto& [id, s] : ref.sessions) {
          ASSERT_GT(wheel.tick_ceil(ref.due(s).at), now_tick) << "overdue session in state " << int(s.state);
        }
      }
    }
    // Gauges equal the real counts after every step.
    std::int64_t counts[session_state_count] = {};
    for (const auto& [id, s] : ref.sessions) ++counts[static_cast<std::size_t>(s.state)];
    for (std::size_t st = 0; st < session_state_count; ++st) {
      ASSERT_EQ(shard.counters().sessions[st].load(), counts[st]) << "gauge of state " << st;
    }
    ASSERT_EQ(shard.size(), ref.sessions.size());
    ASSERT_LE(shard.size(), config.sessions_max);
  }
  const auto& c = shard.counters();
  std::printf(
      "session_shard_model: %llu steps, opened %llu, pings %llu, idle timeouts %llu, expired %llu, evicted %llu\n",
      static_cast<unsigned long long>(steps), static_cast<unsigned long long>(c.opened_total.load()),
      static_cast<unsigned long long>(c.pings_total.load()),
      static_cast<unsigned long long>(c.idle_timeouts_total.load()),
      static_cast<unsigned long long>(c.expired_total.load()), static_cast<unsigned long long>(c.evicted_total.load()));
  EXPECT_GT(c.opened_total.load(), 0u);
}

}  // namespace
}  // namespace sluice::test
