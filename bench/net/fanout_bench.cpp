// Topic fan-out over real loopback TCP against an in-process sluice server: P
// publishers each keep W PUBLISH requests (with ACK) in flight on their topic; S
// subscribers receive every event. Reports deliveries per second, delivery latency
// (publish call to EVENT arrival), and the server's CPU seconds per million deliveries.
//
//   fanout_bench [--subscribers S] [--publishers P] [--pairs N] [--payload B] [--window W]
//                [--seconds T] [--server-threads R]
//
// Default: 1 publisher -> 100 subscribers on one topic. --pairs N: N publishers, each
// with its own topic and one subscriber. One client thread drives everything (epoll), so
// on a 2-core machine the server and the client each have a core: pin with taskset -c 0,1.
// Every subscriber's sequences are checked; gaps or reorders are reported as errors.
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "bench/net/bench_server_config.hpp"
#include "engine/protocol/decoder.hpp"
#include "engine/protocol/encoder.hpp"
#include "net/client.hpp"
#include "net/log.hpp"
#include "net/server.hpp"

namespace {

using namespace sluice;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t samples_max = 20'000'000;  // bounds the latency record (80 MB)

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count());
}

double cpu_seconds(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct options {
  int subscribers = 100;
  int publishers = 1;
  int pairs = 0;  // > 0: pairs mode
  std::size_t payload = 64;
  int window = 16;
  double seconds = 3;
  std::uint32_t server_threads = 1;
};

struct endpoint {
  int fd = -1;
  bool publisher = false;
  std::string topic;
  int in_flight = 0;               // publisher: PUBLISH requests not yet acked
  std::uint64_t next_request = 1;  // publisher
  std::uint64_t next_seq = 0;      // subscriber: the sequence expected next (0: not yet known)
  std::vector<std::byte> in;
};

struct totals {
  std::uint64_t delivered = 0;
  std::uint64_t errors = 0;  // gaps, reorders, refusals, closes
  std::vector<std::uint32_t> latencies_ns;
};

endpoint open_endpoint(std::uint16_t port, bool publisher, const std::string& topic) {
  client c;
  if (const std::string error = c.connect("127.0.0.1", port, std::chrono::seconds(2)); !error.empty()) {
    std::fprintf(stderr, "connect: %s\n", error.c_str());
    std::exit(1);
  }
  if (!c.hello().ok) {
    std::fprintf(stderr, "HELLO failed\n");
    std::exit(1);
  }
  if (!publisher) {
    if (!c.send_frame(proto::subscribe_frame{.request_id = 1, .topic = topic})) std::exit(1);
    const read_result r = c.read_frame(std::chrono::seconds(5));
    const auto* ack = std::get_if<proto::ack_frame>(&r.value);
    if (r.status != read_status::frame || ack == nullptr || ack->status != proto::error_code::none) {
      std::fprintf(stderr, "SUBSCRIBE failed\n");
      std::exit(1);
    }
  }
  endpoint e;
  e.fd = ::dup(c.fd());
  e.publisher = publisher;
  e.topic = topic;
  return e;
}

void publish_more(endpoint& p, const options& o, std::vector<std::byte>& out, std::string& payload) {
  std::size_t at = 0;
  while (p.in_flight < o.window) {
    const std::uint64_t t = now_ns();
    std::memcpy(payload.data(), &t, sizeof t);  // the send time travels in the payload
    const proto::frame f =
        proto::publish_frame{.ack = true, .request_id = p.next_request++, .topic = p.topic, .payload = payload};
    const std::size_t size = proto::encoded_size(f);
    if (out.size() < at + size) out.resize(at + size);
    at += proto::encode_frame(f, std::span<std::byte>(out).subspan(at));
    ++p.in_flight;
  }
  if (at > 0 && ::send(p.fd, out.data(), at, MSG_NOSIGNAL) != static_cast<ssize_t>(at)) std::exit(1);
}

void on_frame(endpoint& e, const proto::frame& f, std::uint64_t t, bool measuring, totals& sum) {
  if (const auto* ack = std::get_if<proto::ack_frame>(&f)) {
    if (ack->status != proto::error_code::none) ++sum.errors;
    --e.in_flight;
    return;
  }
  const auto* event = std::get_if<proto::event_frame>(&f);
  if (event == nullptr) return;
  if (event->gap || (e.next_seq != 0 && event->seq != e.next_seq)) ++sum.errors;
  e.next_seq = event->seq + 1;
  if (!measuring) return;
  ++sum.delivered;
  std::uint64_t sent_at = 0;
  std::memcpy(&sent_at, event->payload.data(), sizeof sent_at);
  if (sum.latencies_ns.size() < samples_max) {
    sum.latencies_ns.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(t - sent_at, UINT32_MAX)));
  }
}

int run(const options& o, std::uint16_t port, server& s) {
  std::vector<endpoint> ends;
  const int publishers = o.pairs > 0 ? o.pairs : o.publishers;
  for (int i = 0; i < (o.pairs > 0 ? o.pairs : o.subscribers); ++i) {
    ends.push_back(open_endpoint(port, false, o.pairs > 0 ? "pair/" + std::to_string(i) : "fanout"));
  }
  for (int i = 0; i < publishers; ++i) {
    ends.push_back(open_endpoint(port, true, o.pairs > 0 ? "pair/" + std::to_string(i) : "fanout"));
  }
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  for (std::size_t i = 0; i < ends.size(); ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, ends[i].fd, &ev);
  }
  std::string payload(std::max<std::size_t>(o.payload, 8), 'x');
  std::vector<std::byte> out;
  for (endpoint& e : ends) {
    if (e.publisher) publish_more(e, o, out, payload);
  }

  totals sum;
  sum.latencies_ns.reserve(4'000'000);
  const auto warmup_end = clock_type::now() + std::chrono::milliseconds(300);
  const auto end = warmup_end + std::chrono::duration<double>(o.seconds);
  bool measuring = false;
  clock_type::time_point started;
  double process_cpu_at_start = 0;
  double client_cpu_at_start = 0;
  std::vector<epoll_event> events(512);
  std::vector<std::byte> chunk(256 * 1024);
  while (clock_type::now() < end) {
    if (!measuring && clock_type::now() >= warmup_end) {
      measuring = true;
      started = clock_type::now();
      process_cpu_at_start = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
      client_cpu_at_start = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
    }
    const int n = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 100);
    for (int i = 0; i < n; ++i) {
      endpoint& e = ends[events[static_cast<std::size_t>(i)].data.u64];
      const ssize_t got = ::recv(e.fd, chunk.data(), chunk.size(), MSG_DONTWAIT);
      // Read per receive: a publish made while handling an earlier descriptor of this
      // batch may already be in this one.
      const std::uint64_t t = now_ns();
      if (got == 0) {
        ++sum.errors;
        ::epoll_ctl(epoll, EPOLL_CTL_DEL, e.fd, nullptr);
        continue;
      }
      if (got < 0) continue;
      e.in.insert(e.in.end(), chunk.begin(), chunk.begin() + got);
      std::size_t used = 0;
      for (;;) {
        const proto::decode_result r = proto::decode_frame(std::span<const std::byte>(e.in).subspan(used), 1u << 20);
        if (r.status != proto::decode_status::complete) break;
        used += r.size;
        on_frame(e, r.value, t, measuring, sum);
      }
      e.in.erase(e.in.begin(), e.in.begin() + static_cast<std::ptrdiff_t>(used));
      if (e.publisher) publish_more(e, o, out, payload);
    }
  }
  const double elapsed = std::chrono::duration<double>(clock_type::now() - started).count();
  const double client_cpu = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - client_cpu_at_start;
  const double server_cpu = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - process_cpu_at_start - client_cpu;
  ::close(epoll);
  for (endpoint& e : ends) ::close(e.fd);

  std::sort(sum.latencies_ns.begin(), sum.latencies_ns.end());
  auto at = [&](double q) {
    if (sum.latencies_ns.empty()) return 0.0;
    return sum.latencies_ns[static_cast<std::size_t>(q * static_cast<double>(sum.latencies_ns.size() - 1))] / 1000.0;
  };
  const double per_second = static_cast<double>(sum.delivered) / elapsed;
  const std::string shape = o.pairs > 0 ? std::to_string(o.pairs) + " pairs"
                                        : std::to_string(publishers) + "->" + std::to_string(o.subscribers);
  std::printf(
      "%-10s payload=%-5zu window=%-4d %11.0f deliveries/s  p50 %8.1f us  p99 %8.1f us  p99.9 %8.1f us  "
      "server %.2f cpu-s/M  client %.2f cpu-s/M  errors %llu\n",
      shape.c_str(), o.payload, o.window, per_second, at(0.50), at(0.99), at(0.999),
      sum.delivered > 0 ? server_cpu / static_cast<double>(sum.delivered) * 1e6 : 0.0,
      sum.delivered > 0 ? client_cpu / static_cast<double>(sum.delivered) * 1e6 : 0.0,
      static_cast<unsigned long long>(sum.errors));
  (void)s;
  return sum.errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--subscribers")
      o.subscribers = std::atoi(value);
    else if (flag == "--publishers")
      o.publishers = std::atoi(value);
    else if (flag == "--pairs")
      o.pairs = std::atoi(value);
    else if (flag == "--payload")
      o.payload = static_cast<std::size_t>(std::atol(value));
    else if (flag == "--window")
      o.window = std::atoi(value);
    else if (flag == "--seconds")
      o.seconds = std::atof(value);
    else if (flag == "--server-threads")
      o.server_threads = static_cast<std::uint32_t>(std::atoi(value));
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (o.subscribers < 1 || o.subscribers > 5'000 || o.publishers < 1 || o.publishers > 1'000 || o.pairs < 0 ||
      o.pairs > 1'000 || o.payload > 60'000 || o.window < 1 || o.window > 4'096 || o.seconds <= 0 || o.seconds > 600 ||
      o.server_threads < 1 || o.server_threads > 64) {
    std::fprintf(stderr,
                 "out of range: subscribers 1..5000, publishers 1..1000, pairs 0..1000, payload <= 60000, "
                 "window 1..4096, seconds (0, 600], server-threads 1..64\n");
    return 2;
  }
  set_log_fd(-1);
  server_config config = bench_server_config(o.server_threads);
  config.topics.publish_rate_per_s = 1e7;
  config.topics.publish_burst = 1'000'000;
  config.topics.dedup_entries = 4'096;  // the largest window, 4x over
  server s(config);
  if (const std::string error = s.start(); !error.empty()) {
    std::fprintf(stderr, "sluice: %s\n", error.c_str());
    return 1;
  }
  const int status = run(o, s.port(), s);
  s.stop();
  return status;
}
