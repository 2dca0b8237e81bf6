// The server object: opens the listeners, starts one reactor thread per shard, and
// joins every thread it started. Nothing outlives stop().
//
// Thread: start(), stop() and the destructor from one controlling thread; stats() from
// any thread while running.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/config/server_config.hpp"
#include "net/reactor.hpp"

namespace sluice {

// Counters summed over reactors at the moment of the call.
struct server_stats {
  std::int64_t sessions_handshaking = 0;
  std::int64_t sessions_active = 0;
  std::int64_t sessions_detached = 0;
  std::uint64_t sessions_opened_total = 0;
  std::uint64_t sessions_resumed_total = 0;
  std::uint64_t sessions_expired_total = 0;
  std::uint64_t sessions_closed_total = 0;
  std::uint64_t pings_total = 0;
  std::uint64_t idle_timeouts_total = 0;
  std::uint32_t connections = 0;
  std::uint64_t accepted_total = 0;
  std::uint64_t handoffs_total = 0;  // connections adopted from another reactor (counted before their WELCOME)
  std::uint64_t takeovers_total = 0;
  std::uint64_t resume_rejected_total = 0;
  std::uint64_t frames_in_total = 0;
  std::uint64_t frames_out_total = 0;
  std::uint64_t sends_total = 0;
  std::uint64_t inbox_full_total = 0;
  std::uint64_t slow_consumer_total = 0;
  std::uint64_t input_paused_total = 0;
  std::array<std::uint64_t, proto::error_code_count> errors_sent_total{};
  // Topics
  std::int64_t topics = 0;
  std::int64_t subscriptions = 0;
  std::uint64_t published_total = 0;
  std::uint64_t publish_duplicates_total = 0;
  std::uint64_t dedup_evicted_full_total = 0;  // request ids forgotten early: a window was full
  std::uint64_t dedup_expired_total = 0;       // request ids forgotten after dedup_ttl
  std::uint64_t events_delivered_total = 0;
  std::uint64_t subscribers_fell_behind_total = 0;
  std::uint64_t gap_markers_total = 0;
  std::uint64_t replay_pages_total = 0;
  std::uint64_t topic_requests_congested_total = 0;
  std::uint64_t topic_backlog_total = 0;
  std::int64_t history_bytes = 0;
  std::uint64_t history_evicted_count_total = 0;  // by reason: history_events, history_bytes,
  std::uint64_t history_evicted_bytes_total = 0;  // history_age, history_shard_bytes
  std::uint64_t history_evicted_age_total = 0;
  std::uint64_t history_evicted_budget_total = 0;
  std::uint64_t topics_forgotten_total = 0;
  std::array<std::uint64_t, proto::error_code_count> refusals_sent_total{};  // ACK statuses, by code
};

class server {
 public:
  explicit server(server_config config);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Opens the listeners and starts the reactors; returns an error message (empty when
  // running). On error nothing is left running.
  [[nodiscard]] std::string start();
  // Stops and joins every reactor thread. Idempotent.
  void stop();

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::uint32_t reactor_count() const noexcept { return static_cast<std::uint32_t>(threads_.size()); }
  [[nodiscard]] const server_config& config() const noexcept { return group_.config; }
  [[nodiscard]] server_stats stats() const;
  [[nodiscard]] const reactor& reactor_at(std::uint32_t i) const { return *group_.reactors.at(i); }

 private:
  reactor_group group_;
  std::vector<std::thread> threads_;
  std::atomic<int> ready_{0};              // reactors done with set-up
  std::vector<std::string> start_errors_;  // per reactor, written before it counts itself ready
  std::uint16_t port_ = 0;
  bool running_ = false;
};

// Reactors to start for `config.threads` (0: one per online CPU).
[[nodiscard]] std::uint32_t reactor_count_for(const server_config& config);

}  // namespace sluice
