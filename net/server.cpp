#include "net/server.hpp"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include "engine/config/config_loader.hpp"
#include "net/csprng.hpp"
#include "net/listener.hpp"
#include "net/log.hpp"
#include "net/uring.hpp"

namespace sluice {

std::uint32_t reactor_count_for(const server_config& config) {
  if (config.threads != 0) return config.threads;
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? static_cast<std::uint32_t>(online) : 1;
}

server::server(server_config config) { group_.config = std::move(config); }

server::~server() { stop(); }

std::string server::start() {
  SLUICE_ASSERT(!running_);
  if (std::string invalid = check_config(group_.config); !invalid.empty()) return invalid;
  if (std::string missing = missing_kernel_features(); !missing.empty()) return missing;
  const std::uint32_t count = reactor_count_for(group_.config);
  group_.source_seed = random_u64();
  group_.stopping.store(false);

  // Listeners first, on the calling thread: the first one fixes the port (the kernel's
  // choice when 0 was asked) and the others join its SO_REUSEPORT group.
  std::uint16_t port = group_.config.port;
  if (std::string taken = port_in_use(group_.config.listen_address, port); !taken.empty()) {
    return "cannot listen on " + group_.config.listen_address + ":" + std::to_string(port) + ": " + taken;
  }
  std::vector<int> listeners;
  for (std::uint32_t i = 0; i < count; ++i) {
    const listen_result l =
        open_listener(group_.config.listen_address, port, static_cast<int>(group_.config.listen_backlog));
    if (l.fd < 0) {
      for (const int fd : listeners) ::close(fd);
      return "cannot listen on " + group_.config.listen_address + ":" + std::to_string(port) + ": " + l.error;
    }
    listeners.push_back(l.fd);
    port = l.port;
  }
  port_ = port;
  group_.reactors.clear();
  for (std::uint32_t i = 0; i < count; ++i)
    group_.reactors.push_back(std::make_unique<reactor>(i, group_, listeners[i]));

  // Members, not locals: a reactor may still be inside notify_all() on them after the
  // wait below has returned.
  ready_.store(0);
  start_errors_.assign(count, {});
  for (std::uint32_t i = 0; i < count; ++i) {
    threads_.emplace_back([this, i] { group_.reactors[i]->run(ready_, start_errors_[i]); });
    if (group_.config.pin_threads) {
      cpu_set_t cpus;
      CPU_ZERO(&cpus);
      CPU_SET(i % CPU_SETSIZE, &cpus);
      if (::pthread_setaffinity_np(threads_.back().native_handle(), sizeof cpus, &cpus) != 0) {
        log_line(log_level::warn, "reactor " + std::to_string(i) + ": cannot pin to CPU " + std::to_string(i));
      }
    }
  }
  for (int seen = ready_.load(); seen < static_cast<int>(count); seen = ready_.load()) ready_.wait(seen);
  running_ = true;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (!start_errors_[i].empty()) {
      const std::string error = "reactor " + std::to_string(i) + ": " + start_errors_[i];
      stop();
      return error;
    }
  }
  log_line(log_level::info, "listening on " + group_.config.listen_address + ":" + std::to_string(port_) + " with " +
                                std::to_string(count) + " reactors, io_uring mode " + group_.reactors[0]->ring_mode());
  return {};
}

void server::stop() {
  if (!running_) return;
  group_.stopping.store(true, std::memory_order_release);
  for (auto& r : group_.reactors) r->inbox().wake();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  for (auto& r : group_.reactors) r->discard_inbox();
  running_ = false;
  // Reactors are kept until the server goes: their counters stay readable after stop.
}

server_stats server::stats() const {
  server_stats s;
  for (const auto& r : group_.reactors) {
    const session_shard_counters& sc = r->session_counters();
    s.sessions_handshaking += sc.sessions[static_cast<std::size_t>(session_state::handshaking)].load();
    s.sessions_active += sc.sessions[static_cast<std::size_t>(session_state::active)].load();
    s.sessions_detached += sc.sessions[static_cast<std::size_t>(session_state::detached)].load();
    s.sessions_opened_total += sc.opened_total.load();
    s.sessions_resumed_total += sc.resumed_total.load();
    s.sessions_expired_total += sc.expired_total.load();
    s.sessions_closed_total += sc.closed_total.load();
    s.pings_total += sc.pings_total.load();
    s.idle_timeouts_total += sc.idle_timeouts_total.load();
    const reactor_counters& rc = r->counters();
    s.accepted_total += rc.accepted_total.load();
    s.handoffs_total += rc.handoffs_in_total.load();  // counted before the WELCOME goes out
    s.takeovers_total += rc.takeovers_total.load();
    s.resume_rejected_total += rc.resume_rejected_total.load();
    s.frames_in_total += rc.frames_in_total.load();
    s.frames_out_total += rc.frames_out_total.load();
    s.sends_total += rc.sends_total.load();
    s.inbox_full_total += rc.inbox_full_total.load();
    s.slow_consumer_total += rc.slow_consumer_total.load();
    s.input_paused_total += rc.input_paused_total.load();
    for (std::size_t i = 0; i < proto::error_code_count; ++i) {
      s.errors_sent_total[i] += rc.errors_sent_total[i].load();
      s.refusals_sent_total[i] += rc.refusals_sent_total[i].load();
    }
    const topic_owner_counters& tc = r->topic_counters();
    s.topics += tc.topics.load();
    s.history_bytes += tc.history_bytes.load();
    s.history_evicted_count_total += tc.history.evicted_count_total.load();
    s.history_evicted_bytes_total += tc.history.evicted_bytes_total.load();
    s.history_evicted_age_total += tc.history.evicted_age_total.load();
    s.history_evicted_budget_total += tc.history.evicted_budget_total.load();
    s.topics_forgotten_total += tc.forgotten_topics_total.load();
    s.subscriptions += r->subscription_counters().subscriptions.load();
    s.published_total += rc.published_total.load();
    s.publish_duplicates_total += rc.publish_duplicates_total.load();
    s.dedup_evicted_full_total += r->dedup_counters().evicted_full_total.load();
    s.dedup_expired_total += r->dedup_counters().expired_total.load();
    s.events_delivered_total += rc.events_delivered_total.load();
    s.subscribers_fell_behind_total += rc.subscribers_fell_behind_total.load();
    s.gap_markers_total += rc.gap_markers_total.load();
    s.replay_pages_total += rc.replay_pages_total.load();
    s.topic_requests_congested_total += rc.topic_requests_congested_total.load();
    s.topic_backlog_total += rc.topic_backlog_total.load();
  }
  s.connections = group_.connections.load(std::memory_order_relaxed);
  return s;
}

}  // namespace sluice
