// A randomized model check of the timing wheel against a std::multimap of deadlines.
// Shared by the model test (millions of seeded steps) and the fuzz target (steps
// decoded from fuzzer input).
//
// Properties checked at every fire and after every advance:
//  - a fired timer was armed in the model (cancelled timers never fire; none fires twice);
//  - never early: its deadline tick <= the tick of the advance's clock reading;
//  - on time: when the previous advance left no backlog, it was not already due then,
//    i.e. it fires in the first advance whose clock reaches its tick;
//  - deadline order: fired deadline ticks never decrease;
//  - complete: after an advance without backlog, nothing due is left in the model;
//  - the wheel's armed count equals the model's.
#pragma once

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
  };

  timing_wheel_model(std::uint32_t timer_count, time_ns tick_ns)
      : wheel_({.tick_ns = tick_ns, .origin_ns = 0}), timers_(timer_count), in_model_(timer_count, model_.end()) {
    for (std::uint32_t i = 0; i < timer_count; ++i) timers_[i].index = i;
  }

  ~timing_wheel_model() {
    for (auto& t : timers_) wheel_.cancel(t.node);
  }

  // Applies one step; returns an empty string, or a description of the first violation.
  std::string apply(const op& o) {
    switch (o.kind) {
      case op::schedule: {
        // Delays of at least one tick keep deadlines after the cursor, where the
        // model's deadline tick (the ceiling) is exactly where the wheel files it.
        const time_ns delay = o.amount_ns < wheel_.tick_ns() ? wheel_.tick_ns() : o.amount_ns;
        const time_ns deadline_ns = now_ns_ + delay;
        auto& t = timers_[o.timer];
        if (in_model_[o.timer] != model_.end()) model_.erase(in_model_[o.timer]);
        in_model_[o.timer] = model_.emplace(wheel_.tick_ceil(deadline_ns), o.timer);
        wheel_.schedule(t.node, deadline_ns);
        break;
      }
      case op::cancel: {
        if (in_model_[o.timer] != model_.end()) {
          model_.erase(in_model_[o.timer]);
          in_model_[o.timer] = model_.end();
        }
        wheel_.cancel(timers_[o.timer].node);
        break;
      }
      case op::advance: {
        const std::uint64_t previous_tick = wheel_.tick_floor(now_ns_);
        now_ns_ += o.amount_ns;
        const std::uint64_t now_tick = wheel_.tick_floor(now_ns_);
        std::string error;
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
          if (!backlog_ && deadline <= previous_tick)
            error = "timer fired late without backlog: deadline tick " + std::to_string(deadline);
          if (deadline < last_fired_tick_) error = "timers fired out of deadline order";
          last_fired_tick_ = deadline;
          model_.erase(in_model_[index]);
          in_model_[index] = model_.end();
          ++fired_;
        });
        if (!error.empty()) return error;
        backlog_ = result.backlog;
        if (!backlog_ && !model_.empty() && model_.begin()->first <= now_tick) {
          return "advance without backlog left a due timer: deadline tick " + std::to_string(model_.begin()->first);
        }
        break;
      }
    }
    if (wheel_.scheduled_count() != model_.size()) {
      return "armed count " + std::to_string(wheel_.scheduled_count()) + " != model " + std::to_string(model_.size());
    }
    return {};
  }

  [[nodiscard]] std::uint64_t fired() const { return fired_; }
  [[nodiscard]] std::size_t armed() const { return model_.size(); }
  [[nodiscard]] const timing_wheel& wheel() const { return wheel_; }

 private:
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
  std::uint64_t fired_ = 0;
  bool backlog_ = false;
};

}  // namespace sluice::test
