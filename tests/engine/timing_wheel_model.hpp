// A randomized model check of the timing wheel against a std::multimap of deadlines.
// Shared by the model test (millions of seeded steps) and the fuzz target (steps
// decoded from fuzzer input).
//
// Properties checked at every fire and after every advance:
//  - a fired timer was armed in the model (cancelled timers never fire; none fires twice);
//  - never early: its deadline tick <= the tick of the advance's clock reading;
//  - on time: when the previous advance left no backlog, it was not already due then,
//    i.e. it fires in the first advance whose clock reaches its tick (a timer armed
//    since the previous advance with a deadline already past fires in the next one);
//  - deadline order: fired deadline ticks never decrease;
//  - complete: after an advance without backlog, nothing due is left in the model;
//  - a timer armed with a past deadline is filed no later than the next tick;
//  - all of this holds when the expiry callback re-arms or cancels timers;
//  - the wheel's armed count equals the model's.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/timing_wheel.hpp"

namespace sluice::test {

class timing_wheel_model {
 public:
  struct op {
    enum kind_t : std::uint8_t { schedule, cancel, advance } kind;
    std::uint32_t timer;     // index into the timer pool
    time_ns amount_ns;       // delay for schedule, clock step for advance
    std::uint32_t work_max;  // budget for advance
    bool past = false;       // schedule: the deadline is amount_ns before now, not after
    // advance: what the expiry callback does (0 nothing, 1 re-arm the fired timer,
    // 2 cancel another timer), varied per fire by a generator seeded with `seed`.
    std::uint8_t in_callback = 0;
    std::uint32_t seed = 0;
  };

  timing_wheel_model(std::uint32_t timer_count, time_ns tick_ns)
      : wheel_({.tick_ns = tick_ns, .origin_ns = 0}),
        timers_(timer_count),
        in_model_(timer_count, model_.end()),
        armed_tag_(timer_count, 0) {
    for (std::uint32_t i = 0; i < timer_count; ++i) timers_[i].index = i;
  }

  ~timing_wheel_model() {
    for (auto& t : timers_) wheel_.cancel(t.node);
  }

  // Applies one step; returns an empty string, or a description of the first violation.
  std::string apply(const op& o) {
    std::string error;
    switch (o.kind) {
      case op::schedule: {
        const time_ns deadline_ns = o.past ? now_ns_ - std::min(o.amount_ns, now_ns_) : now_ns_ + o.amount_ns;
        error = schedule_checked(o.timer, deadline_ns);
        break;
      }
      case op::cancel:
        cancel_checked(o.timer);
        break;
      case op::advance: {
        const std::uint64_t previous_tick = wheel_.tick_floor(now_ns_);
        const std::uint64_t started = advances_++;
        now_ns_ += o.amount_ns;
        const std::uint64_t now_tick = wheel_.tick_floor(now_ns_);
        std::uint64_t lcg = o.seed;
        const auto next_random = [&] {
          lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
          return static_cast<std::uint32_t>(lcg >> 33);
        };
        const auto result = wheel_.advance(now_ns_, o.work_max == 0 ? 1 : o.work_max, [&](timer_node& node) {
          const std::uint32_t index = reinterpret_cast<pooled_timer&>(node).index;
          if (!error.empty()) return;
          if (in_model_[index] == model_.end()) {
            error = "timer " + std::to_string(index) + " fired but is not armed";
            return;
          }
          const std::uint64_t deadline = in_model_[index]->first;
          if (deadline > now_tick)
            error = "timer fired early: deadline tick " + std::to_string(deadline) + " > now tick " +
                    std::to_string(now_tick);
          // Only a timer armed before the previous advance can be late: one armed since,
          // with a past deadline, is due now and fires here.
          if (!backlog_ && deadline <= previous_tick && armed_tag_[index] < started)
            error = "timer fired late without backlog: deadline tick " + std::to_string(deadline);
          if (deadline < last_fired_tick_) error = "timers fired out of deadline order";
          last_fired_tick_ = deadline;
          model_.erase(in_model_[index]);
          in_model_[index] = model_.end();
          ++fired_;
          // Re-entrant use: re-arm this timer (possibly in the past) or cancel another.
          if (o.in_callback == 1 && next_random() % 2 == 0) {
            const time_ns offset = next_random() % (3 * wheel_.tick_ns());
            const std::string e =
                schedule_checked(index, next_random() % 2 ? now_ns_ + offset : now_ns_ - std::min(offset, now_ns_));
            if (error.empty()) error = e;
          } else if (o.in_callback == 2) {
            cancel_checked(next_random() % static_cast<std::uint32_t>(timers_.size()));
          }
        });
        if (!error.empty()) return error;
        backlog_ = result.backlog;
        if (!backlog_ && !model_.empty() && model_.begin()->first <= now_tick) {
          return "advance without backlog left a due timer: deadline tick " + std::to_string(model_.begin()->first);
        }
        break;
      }
    }
    if (!error.empty()) return error;
    if (wheel_.scheduled_count() != model_.size()) {
      return "armed count " + std::to_string(wheel_.scheduled_count()) + " != model " + std::to_string(model_.size());
    }
    return {};
  }

  [[nodiscard]] std::uint64_t fired() const { return fired_; }
  [[nodiscard]] std::size_t armed() const { return model_.size(); }
  [[nodiscard]] const timing_wheel& wheel() const { return wheel_; }

 private:
  // Arms a timer and records where the wheel filed it. A deadline after every processed
  // tick is filed at its own tick (the ceiling); one at or before a processed tick is
  // due now, so it must be filed no later than the tick after the clock's.
  std::string schedule_checked(std::uint32_t index, time_ns deadline_ns) {
    if (in_model_[index] != model_.end()) model_.erase(in_model_[index]);
    wheel_.schedule(timers_[index].node, deadline_ns);
    const std::uint64_t filed = timers_[index].node.deadline_tick();
    const std::uint64_t own = wheel_.tick_ceil(deadline_ns);
    const std::uint64_t latest = std::max(own, wheel_.tick_floor(now_ns_) + 1);
    in_model_[index] = model_.emplace(filed, index);
    armed_tag_[index] = advances_;
    if (filed < own) return "timer filed before its deadline tick";
    if (filed > latest) return "past-due timer filed after the next tick";
    return {};
  }

  void cancel_checked(std::uint32_t index) {
    if (in_model_[index] != model_.end()) {
      model_.erase(in_model_[index]);
      in_model_[index] = model_.end();
    }
    wheel_.cancel(timers_[index].node);
  }

  struct pooled_timer {
    timer_node node;  // first member: the callback casts the node back
    std::uint32_t index = 0;
  };

  timing_wheel wheel_;
  std::vector<pooled_timer> timers_;
  std::multimap<std::uint64_t, std::uint32_t> model_;  // deadline tick -> timer
  std::vector<std::multimap<std::uint64_t, std::uint32_t>::iterator> in_model_;
  time_ns now_ns_ = 0;
  std::uint64_t last_fired_tick_ = 0;
  std::vector<std::uint64_t> armed_tag_;  // advances_ when each timer was last armed
  std::uint64_t advances_ = 0;
  std::uint64_t fired_ = 0;
  bool backlog_ = false;
};

}  // namespace sluice::test
