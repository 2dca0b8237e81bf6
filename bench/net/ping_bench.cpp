// Ping throughput and latency over real loopback TCP: sluiced (PING -> PONG through the
// whole protocol and session path) against a raw io_uring echo loop (the ceiling: the
// same io_uring machinery with no protocol). Both run in this process, one server at a
// time, driven by one client thread over N connections with D PINGs in flight on each.
//
//   ping_bench [--connections N] [--depth D] [--seconds S] [--server-threads T]
//
// Each PING carries its send time as its nonce; latency is measured per round trip.
// Pin it for steadier numbers: taskset -c 0,1 (the server thread and the client thread).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/net/bench_server_config.hpp"
#include "bench/net/echo_server.hpp"
#include "engine/protocol/decoder.hpp"
#include "engine/protocol/encoder.hpp"
#include "net/client.hpp"
#include "net/log.hpp"
#include "net/server.hpp"

namespace {

using namespace sluice;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t payload_bytes = 32;
constexpr std::size_t samples_max = 20'000'000;  // bounds the latency record (160 MB)

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count());
}

struct options {
  int connections = 16;
  int depth = 1;
  double seconds = 3;
  std::uint32_t server_threads = 1;
};

struct result {
  double per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
  double p999_us = 0;
};

struct bench_connection {
  int fd = -1;
  std::vector<std::byte> in;
};

// Drives `conns` until `seconds` pass: refills every connection to `depth` PINGs in flight.
result drive(std::vector<bench_connection>& conns, const options& o) {
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  for (std::size_t i = 0; i < conns.size(); ++i) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = i;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, conns[i].fd, &event);
  }
  const std::string payload(payload_bytes, 'p');
  const std::size_t frame_size = proto::encoded_size(proto::ping_frame{0, payload});
  std::vector<std::byte> out(frame_size * static_cast<std::size_t>(o.depth));
  auto send_pings = [&](bench_connection& c, int count) {
    std::size_t at = 0;
    for (int i = 0; i < count; ++i) {
      at += proto::encode_frame(proto::ping_frame{now_ns(), payload}, std::span<std::byte>(out).subspan(at));
    }
    [[maybe_unused]] const ssize_t sent = ::send(c.fd, out.data(), at, MSG_NOSIGNAL);
  };
  for (bench_connection& c : conns) send_pings(c, o.depth);

  std::vector<std::uint32_t> latencies_ns;
  latencies_ns.reserve(std::min<std::size_t>(samples_max, 4'000'000));
  std::uint64_t completed = 0;
  const auto warmup_end = clock_type::now() + std::chrono::milliseconds(300);
  const auto end = warmup_end + std::chrono::duration<double>(o.seconds);
  bool measuring = false;
  clock_type::time_point measure_start;
  std::vector<epoll_event> events(256);
  std::byte chunk[64 * 1024];
  while (clock_type::now() < end) {
    if (!measuring && clock_type::now() >= warmup_end) {
      measuring = true;
      measure_start = clock_type::now();
      completed = 0;
      latencies_ns.clear();
    }
    const int n = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 100);
    for (int e = 0; e < n; ++e) {
      bench_connection& c = conns[events[static_cast<std::size_t>(e)].data.u64];
      const ssize_t got = ::recv(c.fd, chunk, sizeof chunk, 0);
      if (got <= 0) continue;
      c.in.insert(c.in.end(), chunk, chunk + got);
      std::size_t used = 0;
      int answered = 0;
      const std::uint64_t t = now_ns();
      for (;;) {
        const proto::decode_result r = proto::decode_frame(std::span<const std::byte>(c.in).subspan(used), 1u << 20);
        if (r.status != proto::decode_status::complete) break;
        used += r.size;
        std::uint64_t sent_at = 0;
        if (const auto* pong = std::get_if<proto::pong_frame>(&r.value)) sent_at = pong->nonce;
        if (const auto* ping = std::get_if<proto::ping_frame>(&r.value)) sent_at = ping->nonce;  // the echo's copy
        if (sent_at == 0) continue;
        ++answered;
        ++completed;
        if (latencies_ns.size() < samples_max)
          latencies_ns.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(t - sent_at, UINT32_MAX)));
      }
      c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(used));
      if (answered > 0) send_pings(c, answered);
    }
  }
  const double elapsed = std::chrono::duration<double>(clock_type::now() - measure_start).count();
  ::close(epoll);
  result r;
  r.per_second = static_cast<double>(completed) / elapsed;
  if (!latencies_ns.empty()) {
    std::sort(latencies_ns.begin(), latencies_ns.end());
    auto at = [&](double q) {
      return latencies_ns[static_cast<std::size_t>(q * static_cast<double>(latencies_ns.size() - 1))] / 1000.0;
    };
    r.p50_us = at(0.50);
    r.p99_us = at(0.99);
    r.p999_us = at(0.999);
  }
  return r;
}

std::vector<bench_connection> open_connections(std::uint16_t port, int count, bool hello) {
  std::vector<bench_connection> conns;
  for (int i = 0; i < count; ++i) {
    client c;
    if (const std::string error = c.connect("127.0.0.1", port, std::chrono::seconds(2)); !error.empty()) {
      std::fprintf(stderr, "connect: %s\n", error.c_str());
      std::exit(1);
    }
    if (hello && !c.hello().ok) {
      std::fprintf(stderr, "HELLO failed\n");
      std::exit(1);
    }
    bench_connection b;
    b.fd = ::dup(c.fd());
    conns.push_back(std::move(b));
  }
  return conns;
}

void print(const char* target, const options& o, const result& r, const result* ceiling) {
  std::printf("%-6s conns=%-4d depth=%-3d %12.0f pings/s  p50 %8.1f us  p99 %8.1f us  p99.9 %8.1f us", target,
              o.connections, o.depth, r.per_second, r.p50_us, r.p99_us, r.p999_us);
  if (ceiling != nullptr && ceiling->per_second > 0)
    std::printf("  (%.0f%% of echo)", 100.0 * r.per_second / ceiling->per_second);
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--connections")
      o.connections = std::atoi(argv[i + 1]);
    else if (flag == "--depth")
      o.depth = std::atoi(argv[i + 1]);
    else if (flag == "--seconds")
      o.seconds = std::atof(argv[i + 1]);
    else if (flag == "--server-threads")
      o.server_threads = static_cast<std::uint32_t>(std::atoi(argv[i + 1]));
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (o.connections < 1 || o.connections > 10'000 || o.depth < 1 || o.depth > 1024 || o.seconds <= 0 ||
      o.seconds > 600) {
    std::fprintf(stderr, "out of range: connections 1..10000, depth 1..1024, seconds (0, 600]\n");
    return 2;
  }
  set_log_fd(-1);

  result echo_result;
  {
    bench::echo_server echo;
    if (const std::string error = echo.start(); !error.empty()) {
      std::fprintf(stderr, "echo server: %s\n", error.c_str());
      return 1;
    }
    std::vector<bench_connection> conns = open_connections(echo.port(), o.connections, false);
    echo_result = drive(conns, o);
    for (bench_connection& c : conns) ::close(c.fd);
  }
  result sluice_result;
  {
    server s(bench_server_config(o.server_threads));
    if (const std::string error = s.start(); !error.empty()) {
      std::fprintf(stderr, "sluice: %s\n", error.c_str());
      return 1;
    }
    std::vector<bench_connection> conns = open_connections(s.port(), o.connections, true);
    sluice_result = drive(conns, o);
    for (bench_connection& c : conns) ::close(c.fd);
    s.stop();
  }
  print("echo", o, echo_result, nullptr);
  print("sluice", o, sluice_result, &echo_result);
  return 0;
}
