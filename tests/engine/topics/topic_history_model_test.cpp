// topic_history against a std::deque reference over random appends (random sizes),
// expiries, locates and paged reads, checking every bound after every step.
#include <gtest/gtest.h>

#include <deque>
#include <random>

#include "engine/topics/topic_history.hpp"
#include "tests/support/seed.hpp"

namespace sluice {
namespace {

struct reference_event {
  std::uint64_t seq;
  std::uint64_t size;
  time_ns at;
};

TEST(TopicHistoryModel, MatchesADequeReference) {
  std::mt19937_64 rng(test::test_seed("TopicHistoryModel"));
  const std::uint64_t steps = test::model_steps(300'000);
  const topic_history_limits limits{.events_max = 64, .bytes_max = 4096, .age_max = 1000};
  topic_history h(limits);
  std::deque<reference_event> ref;
  std::uint64_t next = 1;
  std::uint64_t bytes = 0;
  time_ns now = 0;
  for (std::uint64_t step = 0; step < steps; ++step) {
    now += rng() % 20;
    switch (rng() % 8) {
      case 0:
      case 1:
      case 2:
      case 3: {
        const std::uint64_t size = rng() % 8 == 0 ? rng() % 6000 : rng() % 200;
        h.append(event_ref::create(h.next_seq(), now, static_cast<std::uint32_t>(size)));
        if (ref.size() == limits.events_max) {
          bytes -= ref.front().size;
          ref.pop_front();
        }
        while (!ref.empty() && bytes + size > limits.bytes_max) {
          bytes -= ref.front().size;
          ref.pop_front();
        }
        ref.push_back({next++, size, now});
        bytes += size;
        break;
      }
      case 4:
        h.expire(now);
        while (ref.size() > 1 && now - ref.front().at > limits.age_max) {
          bytes -= ref.front().size;
          ref.pop_front();
        }
        break;
      case 5: {
        const std::uint64_t from = 1 + rng() % (next + 10);
        const topic_history::position p = h.locate(from);
        const std::uint64_t first = ref.empty() ? next : ref.front().seq;
        ASSERT_EQ(p.start, from > next ? next : std::max(from, first)) << "step " << step;
        ASSERT_EQ(p.truncated, from < first || from > next) << "step " << step;  // past next: a restarted topic
        break;
      }
      default: {
        const std::uint64_t from = 1 + rng() % (next + 10);
        const std::uint32_t max = 1 + static_cast<std::uint32_t>(rng() % 20);
        std::vector<std::uint64_t> got;
        const std::uint64_t after = h.read(from, max, [&](const event_ref& e) { got.push_back(e->seq()); });
        std::vector<std::uint64_t> want;
        for (const reference_event& e : ref) {
          if (e.seq >= from && want.size() < max) want.push_back(e.seq);
        }
        ASSERT_EQ(got, want) << "step " << step;
        ASSERT_EQ(after,
                  want.empty() ? std::min(std::max(from, ref.empty() ? next : ref.front().seq), next) : want.back() + 1)
            << "step " << step;
        break;
      }
    }
    ASSERT_EQ(h.next_seq(), next);
    ASSERT_EQ(h.size(), ref.size());
    ASSERT_EQ(h.bytes(), bytes);
    ASSERT_EQ(h.first_seq(), ref.empty() ? next : ref.front().seq);
    ASSERT_LE(h.size(), limits.events_max);
    ASSERT_TRUE(h.bytes() <= limits.bytes_max || h.size() == 1) << "step " << step;
  }
}

}  // namespace
}  // namespace sluice
