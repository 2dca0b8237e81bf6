#include "tools/load/connect_storm.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "tools/load/client_ring.hpp"
#include "tools/load/progress_ticker.hpp"

namespace sluice::load {
namespace {

using clock_type = std::chrono::steady_clock;

constexpr auto open_timeout = std::chrono::seconds(10);
constexpr auto storm_cap = std::chrono::seconds(30);  // beyond the jitter span
constexpr int start_batch = 64;
// Receive buffers of a worker's ring: the openings' answers are a few hundred bytes. A
// connection that finds none waits in its socket for the next poll.
constexpr std::uint32_t receive_buffers = 256;
constexpr std::uint32_t receive_buffer_size = 4096;

// `opening`: connect() started and the opening queued behind it; the ring sends it once
// the connection is up (a send on a connecting socket waits for it) and reports a
// refused or failed connect as the end of the connection's receive.
enum class stage : std::uint8_t { waiting, opening, open, failed };

struct storm_connection {
  int fd = -1;
  stage at = stage::waiting;
  clock_type::time_point start_at{};  // when to call connect()
  clock_type::time_point started{};
  std::string in;
  bool unparsable = false;  // open, and its input broke off in an error
};

// One thread's share: its own ring, protocol object and connections. A connection costs
// the harness socket() and connect() and a share of one ring submission for its opening
// and its answer; with epoll it was also three epoll_ctl, getsockopt, send and recv, and
// the storm against sluice was the harness's limit (docs/load.md, "Storms through the
// ring").
class storm_worker {
 public:
  // This worker's connections are numbers first .. first + count - 1 of the storm.
  storm_worker(const run_options& o, int first, int count, int in_flight_max)
      : o_(o),
        proto_(make_protocol(o.target)),
        first_(static_cast<std::size_t>(first)),
        in_flight_max_(in_flight_max),
        connections_(static_cast<std::size_t>(count)) {}

  ~storm_worker() {
    for (const storm_connection& c : connections_) {
      if (c.at == stage::open) {
        close_connection(*proto_, c.fd);  // ends the session for good
      } else if (c.fd >= 0) {
        ::close(c.fd);
      }
    }
  }
  storm_worker(const storm_worker&) = delete;
  storm_worker& operator=(const storm_worker&) = delete;

  void plan(clock_type::time_point start, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> jitter(0, std::max(0, o_.jitter_ms * 1000));
    for (storm_connection& c : connections_) c.start_at = start + std::chrono::microseconds(jitter(rng));
    std::sort(connections_.begin(), connections_.end(),
              [](const storm_connection& a, const storm_connection& b) { return a.start_at < b.start_at; });
  }

  void run(clock_type::time_point give_up_at) {
    if (const std::string error = ring_.open(receive_buffers, receive_buffer_size); !error.empty()) {
      for (std::size_t i = 0; i < connections_.size(); ++i) fail(i, error);
      return publish_live();
    }
    ring_.drain_before_wait(receive_buffers);
    std::size_t next = 0;
    std::size_t resolved = 0;
    const auto on_data = [&](std::uint32_t i, std::string_view bytes) {
      if (answered(i, bytes)) ++resolved;
    };
    const auto on_end = [&](std::uint32_t i, int result) {
      if (ended(i, result)) ++resolved;
    };
    while (resolved < connections_.size()) {
      publish_live();
      const auto now = clock_type::now();
      if (now >= give_up_at) break;
      // A few at a time, so that answers are read while the rest start: otherwise
      // every connect time would include starting all the others.
      for (int started = 0; started < start_batch && next < connections_.size() && connections_[next].start_at <= now &&
                            (in_flight_max_ == 0 || in_flight_ < in_flight_max_);
           ++started) {
        if (!start(next)) ++resolved;
        ++next;
      }
      resolved += expire_overdue(now, next);
      auto wait = std::chrono::nanoseconds(std::chrono::milliseconds(10));
      if (next < connections_.size() && (in_flight_max_ == 0 || in_flight_ < in_flight_max_)) {
        wait =
            std::clamp<std::chrono::nanoseconds>(connections_[next].start_at - now, std::chrono::nanoseconds(0), wait);
      }
      ring_.poll(wait, on_data, on_end);
    }
    for (std::size_t i = 0; i < connections_.size(); ++i) {
      if (connections_[i].at == stage::waiting || connections_[i].at == stage::opening) {
        fail(i, "the storm ended first");
      }
    }
    publish_live();
  }

  void collect(storm_result& r) const {
    r.attempted += connections_.size();
    r.connected += connected_;
    r.connect_time.merge(connect_time_);
    for (const auto& [reason, count] : failed_) r.failed[reason] += count;
    for (const storm_connection& c : connections_) {
      if (c.at == stage::open && still_open(c.fd)) ++r.peak_open;
    }
  }

 private:
  void publish_live() {
    connected_live.store(connected_, std::memory_order_relaxed);
    failed_live.store(failed_count_, std::memory_order_relaxed);
  }

  // A connection the server has not closed: nothing to read, or data but no EOF.
  static bool still_open(int fd) {
    char byte = 0;
    const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
  }

  bool start(std::size_t i) {
    storm_connection& c = connections_[i];
    c.started = clock_type::now();
    std::string error;
    c.fd = start_connect(o_.to, first_ + i, error);
    if (c.fd < 0) {
      fail(i, error);
      return false;
    }
    c.at = stage::opening;
    ++in_flight_;
    const auto index = static_cast<std::uint32_t>(i);
    ring_.watch(index, c.fd);
    std::string opening;
    proto_->encode_opening(opening, false, "storm");
    // A few hundred bytes on a fresh connection: far below the ring's send bound.
    const bool queued = ring_.send(index, opening);
    SLUICE_ASSERT(queued);
    return true;
  }

  // Bytes from connection i; true when they resolved it (open or failed).
  bool answered(std::size_t i, std::string_view bytes) {
    storm_connection& c = connections_[i];
    if (c.at == stage::open) {
      keep_alive(i, bytes);
      return false;
    }
    if (c.at != stage::opening) return false;
    c.in.append(bytes);
    std::size_t used = 0;
    std::string error;
    const opening_status status = proto_->parse_opening(c.in, false, used, error);
    if (status == opening_status::failed) return fail(i, error);
    if (status == opening_status::pending) return false;
    connect_time_.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now() - c.started).count()));
    ++connected_;
    --in_flight_;
    c.at = stage::open;
    c.in.erase(0, used);
    keep_alive(i, {});
    return true;
  }

  // An open connection answers what its protocol owes the server (sluice's and NATS's
  // PINGs), so that it stays open however long the storm lasts. Its input is otherwise
  // dropped; input that does not parse is no longer read (a server that ends the
  // connection shows in still_open()).
  void keep_alive(std::size_t i, std::string_view bytes) {
    storm_connection& c = connections_[i];
    if (c.unparsable) return;
    c.in.append(bytes);
    std::string reply;
    std::string error;
    discard_deliveries discard;
    c.in.erase(0, proto_->parse(c.in, discard, reply, error));
    if (!error.empty()) {
      c.unparsable = true;
      c.in = std::string();
    }
    // A few bytes now and then: far below the ring's send bound.
    if (!reply.empty()) (void)ring_.send(static_cast<std::uint32_t>(i), reply);
  }

  // Connection i's receive ended (`result` 0: the peer closed; else a negative errno,
  // also of a refused connect) or its opening's send failed; true when that resolved it.
  // An open connection's end is left to still_open() at the end of the storm.
  bool ended(std::size_t i, int result) {
    if (connections_[i].at != stage::opening) return false;
    if (result == 0) return fail(i, "closed by the server");
    return fail(i, std::string("connection: ") + std::strerror(-result));
  }

  std::size_t expire_overdue(clock_type::time_point now, std::size_t started) {
    std::size_t expired = 0;
    for (std::size_t i = first_unresolved_; i < started; ++i) {
      storm_connection& c = connections_[i];
      if (c.at == stage::opening && now - c.started > open_timeout) {
        fail(i, "timed out");
        ++expired;
      }
    }
    while (first_unresolved_ < started &&
           (connections_[first_unresolved_].at == stage::open || connections_[first_unresolved_].at == stage::failed)) {
      ++first_unresolved_;
    }
    return expired;
  }

  bool fail(std::size_t i, const std::string& reason) {
    storm_connection& c = connections_[i];
    if (c.at == stage::opening) {
      --in_flight_;
      // The ring's receive holds the socket open past close(); this ends it now.
      ::shutdown(c.fd, SHUT_RDWR);
    }
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
    c.at = stage::failed;
    ++failed_[reason];
    ++failed_count_;
    return true;
  }

 public:
  // Read by the progress display.
  std::atomic<std::uint64_t> connected_live{0};
  std::atomic<std::uint64_t> failed_live{0};

 private:
  const run_options& o_;
  std::unique_ptr<protocol> proto_;
  std::size_t first_;
  int in_flight_max_;
  int in_flight_ = 0;
  std::vector<storm_connection> connections_;
  client_ring ring_;  // its teardown, after the destructor's closes, ends the receives that hold the sockets
  std::size_t first_unresolved_ = 0;
  std::uint64_t connected_ = 0;
  std::map<std::string, std::uint64_t> failed_;
  std::uint64_t failed_count_ = 0;
  latency_histogram connect_time_;
};

}  // namespace

storm_result run_storm(const run_options& o, const std::function<void(bool)>& on_measure,
                       const std::function<void(const storm_progress&)>& on_progress) {
  std::vector<std::unique_ptr<storm_worker>> workers;
  const auto start = clock_type::now();
  // No more threads than connections may be opening at once, so that the shares of the
  // bound add up to it.
  const int thread_count = o.in_flight == 0 ? o.threads : std::min(o.threads, o.in_flight);
  for (int t = 0, first = 0; t < thread_count; ++t) {
    const int count = o.storm / thread_count + (t < o.storm % thread_count ? 1 : 0);
    const int in_flight = o.in_flight == 0 ? 0 : o.in_flight / thread_count + (t < o.in_flight % thread_count ? 1 : 0);
    workers.push_back(std::make_unique<storm_worker>(o, first, count, in_flight));
    first += count;
    workers.back()->plan(start, 0x5eed0000u + static_cast<std::uint64_t>(t));
  }
  const auto give_up_at = start + std::chrono::milliseconds(o.jitter_ms) + storm_cap;
  on_measure(true);
  run_with_progress(
      static_cast<int>(workers.size()), [&](int t) { workers[static_cast<std::size_t>(t)]->run(give_up_at); },
      std::chrono::seconds(1),
      [&] {
        storm_progress p;
        for (const auto& w : workers) {
          p.connected += w->connected_live.load(std::memory_order_relaxed);
          p.failed += w->failed_live.load(std::memory_order_relaxed);
        }
        p.elapsed_s = std::chrono::duration<double>(clock_type::now() - start).count();
        on_progress(p);
      });
  on_measure(false);
  storm_result result;
  result.elapsed_s = std::chrono::duration<double>(clock_type::now() - start).count();
  for (const auto& w : workers) w->collect(result);
  return result;
}

}  // namespace sluice::load
