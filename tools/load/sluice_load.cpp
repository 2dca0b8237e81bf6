// sluice-load: the load harness. Runs one workload against sluice, Redis or NATS over
// loopback TCP, checks every delivery while it measures, and prints one JSON line.
//
//   sluice-load --target sluice|redis|nats --port N [--host 127.0.0.1] [--sources N] [--threads K]
//     publish/subscribe:  [--subscribers S] [--publishers P] [--topics K] | [--pairs N]
//                         [--payload B] [--window W] | [--rate R]  [--seconds T] [--warmup-ms M]
//                         [--latency-to arrival|read]
//     connect storm:      --storm C [--in-flight K] [--jitter-ms J]
//     reconnect storm:    --reconnect-storm C [--topics K] [--rate R] [--backoff-ms B] [--seconds T]
//     either:             [--server-pid PID] [--label L] [--plot-prefix PATH]
//
// Workloads are described in pubsub_run.hpp, connect_storm.hpp and reconnect_storm.hpp;
// docs/load.md is the user's guide. Exit code 0 when there were no errors, 1 otherwise, 2 on bad arguments.
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>

#include "tools/load/connect_storm.hpp"
#include "tools/load/cpu_usage.hpp"
#include "tools/load/pubsub_run.hpp"
#include "tools/load/reconnect_storm.hpp"
#include "tools/load/result_json.hpp"
#include "tools/load/route.hpp"
#include "tools/load/svg_chart.hpp"

namespace {

using namespace sluice::load;

// Thousands of connections need as many descriptors: take the hard limit, and return
// the limit the run has.
rlim_t raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return RLIM_INFINITY;  // unknown: let the run say
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &limit);
    (void)::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

// The connections a run holds open at once (within the CLI's bounds, far below INT_MAX).
int connections_of(const run_options& o) {
  if (o.storm > 0) return o.storm;
  if (o.reconnect_storm > 0) return o.reconnect_storm + o.topics;
  return o.pairs > 0 ? 2 * o.pairs : o.subscribers + o.publishers;
}

// The descriptors a run holds at once: its connections, plus the harness's own (standard
// streams, a ring or epoll and a doorbell per thread, /proc reads) with room to spare.
std::uint64_t descriptors_needed(const run_options& o) {
  return static_cast<std::uint64_t>(connections_of(o)) + 64 + 4 * static_cast<std::uint64_t>(o.threads);
}

// A storm with more connections per source address than connect() fills before it
// searches (route.hpp) would time the kernel's search as much as the server. A reconnect
// storm needs about two ports per subscriber: a dropped connection's port can stay held
// (TIME_WAIT) while its reconnect takes another.
void warn_of_crowded_ports(const run_options& o) {
  if (o.storm == 0 && o.reconnect_storm == 0) return;  // pub/sub runs: at most 11,000 connections
  const int connections = connections_of(o) + o.reconnect_storm;
  const int per_source = (connections + o.to.sources - 1) / o.to.sources;
  const std::optional<port_range> ports = local_port_range();
  if (!ports || per_source <= ports->filled_before_search()) return;
  const int filled = ports->filled_before_search();
  std::string advice;
  if (loopback_host(o.to.host)) {
    advice = "; --sources " + std::to_string(std::min(max_sources, (connections + filled - 1) / filled)) +
             " spreads them enough";
  }
  std::fprintf(stderr,
               "sluice-load: warning: %d connections from each source address is more than the %d local ports "
               "connect() fills before it searches for a free one (net.ipv4.ip_local_port_range %d-%d), so every "
               "further connect pays that search%s\n",
               per_source, filled, ports->low, ports->high, advice.c_str());
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

// The run's own plots: the distribution as a percentile spectrum (latency, or connect or
// reconnect time for storms) and, for pub/sub, latency over time (p50, p99, max per interval).
bool write_plots(const std::string& prefix, const std::string& json, const std::string& title) {
  const std::string workload = json_string_field(json, "workload").value_or("");
  const bool pubsub = workload == "fanout" || workload == "pairs";
  const std::string what = workload == "storm"       ? "connect time"
                           : workload == "reconnect" ? "reconnect time"
                                                     : "latency";
  chart_series spectrum{title, {}};
  for (const std::vector<double>& row : json_rows_field(json, "percentiles")) {
    if (row.size() == 2 && row[0] < 1) spectrum.points.emplace_back(row[0], row[1]);
  }
  bool ok =
      write_file(prefix + "-distribution.svg",
                 svg_chart({title + ": " + what + " distribution", "percentile", what + " (us)", true}, {spectrum}));
  if (pubsub) {
    chart_series p50{"p50", {}}, p99{"p99", {}}, max{"max", {}};
    for (const std::vector<double>& row : json_rows_field(json, "timeline")) {
      if (row.size() != 4) continue;
      p50.points.emplace_back(row[0], row[1]);
      p99.points.emplace_back(row[0], row[2]);
      max.points.emplace_back(row[0], row[3]);
    }
    ok = write_file(prefix + "-over-time.svg",
                    svg_chart({title + ": latency over time", "seconds", "latency (us)", false}, {p50, p99, max})) &&
         ok;
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  run_options o;
  std::string target = "sluice";
  CLI::App app{"sluice-load: a workload against sluice, Redis or NATS, checked as it runs"};
  app.add_option("--target", target, "sluice, redis or nats")->check(CLI::IsMember({"sluice", "redis", "nats", "ws"}));
  app.add_option("--host", o.to.host, "server address (loopback by default)");
  app.add_option("--port", o.to.port, "server port")->required();
  app.add_option("--sources", o.to.sources,
                 "spread the connections over this many loopback source addresses, 127.0.0.1 and up (each has "
                 "its own ~28k local ports; see docs/load.md)");
  app.add_option("--threads", o.threads, "client threads")->check(CLI::Range(1, 64));
  app.add_option("--subscribers", o.subscribers, "fan-out: subscribers of the one topic")->check(CLI::Range(1, 10000));
  app.add_option("--publishers", o.publishers, "fan-out: publishers to it")->check(CLI::Range(1, 1000));
  app.add_option("--pairs", o.pairs, "pairs: publisher/subscriber pairs, a topic each")->check(CLI::Range(0, 5000));
  app.add_option("--payload", o.payload, "payload bytes (at least 20: publisher, sequence, send time)")
      ->check(CLI::Range(std::size_t{20}, std::size_t{60000}));
  app.add_option("--window", o.window, "closed loop: messages in flight per publisher")->check(CLI::Range(1, 65536));
  app.add_option("--rate", o.rate, "open loop: messages per second per publisher (latency from the intended time)")
      ->check(CLI::Range(0.0, 10'000'000.0));
  std::string latency_to = "arrival";
  app.add_option("--latency-to", latency_to,
                 "arrival: a latency ends when the delivery reached the socket (kernel time); read: when "
                 "the harness read it")
      ->check(CLI::IsMember({"arrival", "read"}));
  app.add_option("--seconds", o.seconds, "measured seconds")->check(CLI::Range(0.1, 600.0));
  app.add_option("--warmup-ms", o.warmup_ms, "unmeasured warm-up")->check(CLI::Range(0, 60000));
  app.add_option("--storm", o.storm, "connect storm: connections to open")->check(CLI::Range(0, 100000));
  app.add_option("--in-flight", o.in_flight, "storm: at most this many opening at once (0: all at once)")
      ->check(CLI::Range(0, 100000));
  app.add_option("--jitter-ms", o.jitter_ms, "storm: start each connection at a random moment within this span")
      ->check(CLI::Range(0, 600000));
  app.add_option("--reconnect-storm", o.reconnect_storm,
                 "reconnect storm: subscribers, all dropped at once and reconnected (resumed on sluice)")
      ->check(CLI::Range(0, 20000));
  app.add_option("--topics", o.topics,
                 "fan-out: topics the subscribers and publishers are spread over (i mod K); reconnect storm: "
                 "topics, one publisher each")
      ->check(CLI::Range(1, 1000));
  app.add_option("--backoff-ms", o.backoff_ms, "reconnect storm: first backoff span; doubles per failed attempt")
      ->check(CLI::Range(0, 10000));
  app.add_option("--server-pid", o.server_pid, "report this process's CPU over the measured time")
      ->check(CLI::Range(1, 1 << 30));
  app.add_option("--label", o.label, "a name for the run, copied into its JSON");
  app.add_option("--plot-prefix", o.plot_prefix,
                 "write the run's plots to PATH-distribution.svg and (pub/sub) PATH-over-time.svg");
  CLI11_PARSE(app, argc, argv);
  if (target == "ws") {
    std::fprintf(stderr, "sluice-load: --target ws: sluice over WebSocket is not available yet\n");
    return 2;
  }
  if (const std::string e = route_error(o.to); !e.empty()) {
    std::fprintf(stderr, "sluice-load: %s\n", e.c_str());
    return 2;
  }
  const bool fan_out = o.storm == 0 && o.reconnect_storm == 0 && o.pairs == 0;
  if (o.pairs > 0 && o.topics != 1) {
    std::fprintf(stderr, "sluice-load: --topics does not apply to --pairs (each pair has a topic of its own)\n");
    return 2;
  }
  if (fan_out && (o.topics > o.subscribers || o.topics > o.publishers)) {
    std::fprintf(stderr,
                 "sluice-load: a fan-out's --topics is at most its --subscribers and its --publishers (each topic "
                 "needs both)\n");
    return 2;
  }
  if (o.rate > 0 && o.rate < min_rate) {
    std::fprintf(stderr, "sluice-load: --rate is at least %g per second (or 0, for a closed loop)\n", min_rate);
    return 2;
  }
  if (o.pairs == 0 && o.rate <= 0 && std::int64_t{o.publishers} * o.window > window_counters_max) {
    std::fprintf(stderr, "sluice-load: --publishers x --window is at most %lld in a closed-loop fan-out\n",
                 static_cast<long long>(window_counters_max));
    return 2;
  }
  o.target = target == "redis" ? target_kind::redis : target == "nats" ? target_kind::nats : target_kind::sluice;
  o.latency_to_arrival = latency_to == "arrival";
  // Refused up front, rather than a storm of "Too many open files" failures.
  if (const rlim_t limit = raise_descriptor_limit(); limit != RLIM_INFINITY && limit < descriptors_needed(o)) {
    std::fprintf(stderr,
                 "sluice-load: this run needs about %llu file descriptors (its connections and the harness's own), "
                 "but the process may have %llu (ulimit -n, raised to the hard limit, ulimit -Hn)\n",
                 static_cast<unsigned long long>(descriptors_needed(o)), static_cast<unsigned long long>(limit));
    return 2;
  }
  warn_of_crowded_ports(o);

  cpu_figures cpu;
  double client_at = 0;
  double server_at = 0;
  const auto on_measure = [&](bool begin) {
    const double client = process_cpu_seconds(0);
    const double server = o.server_pid > 0 ? process_cpu_seconds(o.server_pid) : -1;
    if (begin) {
      client_at = client;
      server_at = server;
      return;
    }
    cpu.client_s = client - client_at;
    cpu.server_s = server >= 0 && server_at >= 0 ? server - server_at : -1;
  };
  const bool tty = ::isatty(2) != 0;
  bool progress_shown = false;  // a progress line to end before anything else is printed
  const auto show_progress = [&](const std::string& line) {
    if (!tty) return;
    std::fprintf(stderr, "\r%s: %s   ", target.c_str(), line.c_str());
    progress_shown = true;
  };
  const auto end_progress = [&] {
    if (progress_shown) std::fprintf(stderr, "\n");
    progress_shown = false;
  };

  std::string json;
  bool clean = false;
  if (o.reconnect_storm > 0) {
    if (o.rate <= 0) o.rate = 200;
    on_measure(true);
    const reconnect_result r = run_reconnect_storm(o, [&](const reconnect_progress& p) {
      show_progress(std::to_string(p.reconnected) + " of " + std::to_string(o.reconnect_storm) + " reconnected, " +
                    std::to_string(p.delivered) + " delivered, " + std::to_string(p.errors) + " errors");
    });
    on_measure(false);
    end_progress();
    if (!r.setup_error.empty()) std::fprintf(stderr, "sluice-load: %s: %s\n", target.c_str(), r.setup_error.c_str());
    json = reconnect_json(o, r, cpu);
    clean = r.setup_error.empty() && r.errors == 0 && r.failed.empty() &&
            r.reconnected == static_cast<std::uint64_t>(o.reconnect_storm);
  } else if (o.storm > 0) {
    const storm_result r = run_storm(o, on_measure, [&](const storm_progress& p) {
      char rate[32];
      std::snprintf(rate, sizeof rate, "%.0f", static_cast<double>(p.connected) / std::max(p.elapsed_s, 1e-3));
      show_progress(std::to_string(p.connected) + " of " + std::to_string(o.storm) + " connected (" + rate + "/s), " +
                    std::to_string(p.failed) + " failed");
    });
    end_progress();
    json = storm_json(o, r, cpu);
    // Every connection is to stay open until the storm ends (the server holds them all).
    if (r.peak_open < r.connected) {
      std::fprintf(stderr, "sluice-load: %s: %llu of %llu connections were closed before the storm ended\n",
                   target.c_str(), static_cast<unsigned long long>(r.connected - r.peak_open),
                   static_cast<unsigned long long>(r.connected));
    }
    clean = r.failures() == 0 && r.connected == static_cast<std::uint64_t>(o.storm) && r.peak_open == r.connected;
  } else {
    const auto on_progress = [&](const pubsub_progress& p) {
      char p99[32];
      std::snprintf(p99, sizeof p99, "%.1f", static_cast<double>(p.recent_p99_ns) / 1e3);
      show_progress(std::to_string(p.delivered) + " delivered, p99 " + p99 + " us, " + std::to_string(p.errors) +
                    " errors");
    };
    const pubsub_result r = run_pubsub(o, on_measure, on_progress);
    end_progress();
    if (!r.connect_error.empty())
      std::fprintf(stderr, "sluice-load: %s: %s\n", target.c_str(), r.connect_error.c_str());
    json = pubsub_json(o, r, cpu);
    clean = r.connect_error.empty() && r.errors == 0;
  }
  std::printf("%s\n", json.c_str());
  if (!o.plot_prefix.empty() && !write_plots(o.plot_prefix, json, o.label.empty() ? target : o.label)) {
    std::fprintf(stderr, "sluice-load: could not write the plots at %s\n", o.plot_prefix.c_str());
    return 1;
  }
  return clean ? 0 : 1;
}
