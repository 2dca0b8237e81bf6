// sluice-load: the load harness. Runs one pub/sub workload against sluice, Redis or
// NATS over loopback TCP and checks every delivery while it measures.
//
//   sluice-load --target sluice|redis|nats --port N [--host 127.0.0.1]
//               [--subscribers S] [--publishers P] | [--pairs N]
//               [--payload B] [--window W] [--seconds T] [--warmup-ms M]
//
// Fan-out (default): P publishers and S subscribers on one topic. Pairs: N publishers,
// each with its own topic and one subscriber. Closed loop: each publisher keeps at most
// W messages in flight; a message completes when its topic's first subscriber (the
// pacer) receives it. Every payload carries (publisher, sequence, send time); a delivery
// counts only when it is complete, of the right size, on the right topic and the next
// sequence from its publisher; anything else is an error, and so is a message still
// missing at the end. Prints one JSON object; exit 0 when there were no errors.
//
// Bounds: every phase stops by itself (warm-up, --seconds, a drain of at most 2 s);
// connections <= 10,000; buffers per connection grow with what one read brings.
//
// This first version drives all connections from one thread with epoll. Still to come
// (issue 5): several threads, storms, open-loop rates, resume checks, plots.
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tools/load/latency_histogram.hpp"
#include "tools/load/protocols.hpp"

namespace {

using namespace sluice::load;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t header_size = 20;  // publisher u32, sequence u64, send time u64

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch()).count());
}

double cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct options {
  target_kind target = target_kind::sluice;
  std::string host = "127.0.0.1";
  std::uint16_t port = 7400;
  int subscribers = 10;
  int publishers = 1;
  int pairs = 0;
  std::size_t payload = 64;
  int window = 16;
  double seconds = 3;
  int warmup_ms = 300;
};

struct publisher_state {
  int fd = -1;
  std::string topic;
  std::uint64_t published = 0;  // sequences 1..published sent
  std::uint64_t completed = 0;  // received by the pacer
  std::string in;
};

struct subscriber_state {
  int fd = -1;
  std::string topic;
  bool pacer = false;
  std::vector<std::uint64_t> next;  // by publisher: the sequence expected next
  std::string in;
};

struct run_totals {
  std::uint64_t delivered = 0;  // checked deliveries while measuring
  std::uint64_t errors = 0;
  std::string first_error;
  latency_histogram latency;
};

class harness final : public delivery_sink {
 public:
  harness(const options& o, const protocol& p) : o_(o), proto_(p) {}

  bool connect_all(std::string& error) {
    const int topics = o_.pairs > 0 ? o_.pairs : 1;
    const int pubs = o_.pairs > 0 ? o_.pairs : o_.publishers;
    const int subs = o_.pairs > 0 ? o_.pairs : o_.subscribers;
    for (int i = 0; i < subs; ++i) {
      subscriber_state s;
      s.topic = topic_name(i % topics);
      s.pacer = i < topics;
      s.next.assign(static_cast<std::size_t>(pubs), 1);
      s.fd = proto_.open(o_.host, o_.port, true, s.topic, std::chrono::seconds(5), error);
      if (s.fd < 0) return false;
      subs_.push_back(std::move(s));
    }
    for (int i = 0; i < pubs; ++i) {
      publisher_state p;
      p.topic = topic_name(i % topics);
      p.fd = proto_.open(o_.host, o_.port, false, p.topic, std::chrono::seconds(5), error);
      if (p.fd < 0) return false;
      pubs_.push_back(std::move(p));
    }
    return true;
  }

  run_totals run() {
    const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
    for (std::size_t i = 0; i < subs_.size() + pubs_.size(); ++i) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = i;
      ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd_at(i), &ev);
    }
    payload_.assign(std::max(o_.payload, header_size), 'x');
    for (std::size_t p = 0; p < pubs_.size(); ++p) publish_more(p);

    const auto start = clock_type::now();
    const auto measure_from = start + std::chrono::milliseconds(o_.warmup_ms);
    const auto publish_until = measure_from + std::chrono::duration<double>(o_.seconds);
    const auto drain_until = publish_until + std::chrono::seconds(2);
    double cpu_at_start = 0;
    std::vector<epoll_event> events(256);
    std::vector<char> chunk(256 * 1024);
    auto last_progress = start;
    const bool tty = ::isatty(2) != 0;
    for (;;) {
      const auto now = clock_type::now();
      if (!measuring_ && now >= measure_from && now < publish_until) {
        measuring_ = true;
        measured_from_ = now;
        cpu_at_start = cpu_seconds();
      }
      if (publishing_ && now >= publish_until) {
        publishing_ = false;
        measuring_ = false;
        measured_until_ = now;
        cpu_ = cpu_seconds() - cpu_at_start;
      }
      if (!publishing_ && (all_delivered() || now >= drain_until || totals_.errors > 0)) break;
      if (tty && now - last_progress >= std::chrono::seconds(1)) {
        last_progress = now;
        std::fprintf(stderr, "\r%s: %llu delivered, p99 %.1f us, %llu errors   ", std::string(proto_.name()).c_str(),
                     static_cast<unsigned long long>(totals_.delivered),
                     static_cast<double>(totals_.latency.quantile(0.99)) / 1e3,
                     static_cast<unsigned long long>(totals_.errors));
      }
      const int n = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 50);
      for (int i = 0; i < n; ++i) read_from(events[static_cast<std::size_t>(i)].data.u64, chunk);
    }
    if (tty) std::fprintf(stderr, "\n");
    if (measured_until_ == clock_type::time_point{}) measured_until_ = clock_type::now();
    ::close(epoll);
    for (auto& s : subs_) ::close(s.fd);
    for (auto& p : pubs_) ::close(p.fd);
    // What never arrived is an error too.
    for (const subscriber_state& s : subs_) {
      for (std::size_t p = 0; p < pubs_.size(); ++p) {
        if (pubs_[p].topic == s.topic && s.next[p] <= pubs_[p].published) {
          error("missing: " + std::to_string(pubs_[p].published - s.next[p] + 1) + " messages never arrived");
        }
      }
    }
    return std::move(totals_);
  }

  [[nodiscard]] double measured_seconds() const {
    return std::chrono::duration<double>(measured_until_ - measured_from_).count();
  }
  [[nodiscard]] double cpu() const { return cpu_; }
  [[nodiscard]] std::size_t connections() const { return subs_.size() + pubs_.size(); }

  void on_delivery(std::string_view topic, std::string_view payload) override {
    subscriber_state& s = subs_[current_];
    if (topic != s.topic) return error("a delivery on topic " + std::string(topic) + " to a subscriber of " + s.topic);
    if (payload.size() != payload_.size()) return error("a delivery of the wrong size");
    std::uint32_t pub = 0;
    std::uint64_t seq = 0;
    std::uint64_t sent = 0;
    std::memcpy(&pub, payload.data(), 4);
    std::memcpy(&seq, payload.data() + 4, 8);
    std::memcpy(&sent, payload.data() + 12, 8);
    if (pub >= pubs_.size() || pubs_[pub].topic != s.topic) return error("a delivery from an unknown publisher");
    if (seq != s.next[pub]) {
      return error(seq > s.next[pub]
                       ? "a gap: sequence " + std::to_string(seq) + " after " + std::to_string(s.next[pub] - 1)
                       : "a duplicate or reorder: sequence " + std::to_string(seq));
    }
    ++s.next[pub];
    if (measuring_) {
      ++totals_.delivered;
      const std::uint64_t t = now_ns();
      totals_.latency.record(t > sent ? t - sent : 0);
    }
    if (s.pacer) {
      ++pubs_[pub].completed;
      paced_.push_back(pub);
    }
  }

 private:
  static std::string topic_name(int i) { return "load." + std::to_string(i); }

  int fd_at(std::size_t i) const { return i < subs_.size() ? subs_[i].fd : pubs_[i - subs_.size()].fd; }

  void error(std::string what) {
    if (totals_.errors++ == 0) totals_.first_error = std::move(what);
  }

  [[nodiscard]] bool all_delivered() const {
    for (const subscriber_state& s : subs_) {
      for (std::size_t p = 0; p < pubs_.size(); ++p) {
        if (pubs_[p].topic == s.topic && s.next[p] <= pubs_[p].published) return false;
      }
    }
    return true;
  }

  void publish_more(std::size_t p) {
    publisher_state& pub = pubs_[p];
    out_.clear();
    while (publishing_ && pub.published - pub.completed < static_cast<std::uint64_t>(o_.window)) {
      const auto id = static_cast<std::uint32_t>(p);
      const std::uint64_t seq = ++pub.published;
      const std::uint64_t t = now_ns();
      std::memcpy(payload_.data(), &id, 4);
      std::memcpy(payload_.data() + 4, &seq, 8);
      std::memcpy(payload_.data() + 12, &t, 8);
      proto_.encode_publish(out_, pub.topic, payload_);
    }
    send(pub.fd, out_);
  }

  // Blocks until sent; a server that takes nothing for 5 s is an error, not a hang.
  void send(int fd, std::string_view bytes) {
    auto stalled_since = clock_type::now();
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n > 0) {
        bytes.remove_prefix(static_cast<std::size_t>(n));
        stalled_since = clock_type::now();
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) {
        if (clock_type::now() - stalled_since > std::chrono::seconds(5))
          return error("the server took nothing for 5 s");
        pollfd p{fd, POLLOUT, 0};
        (void)::poll(&p, 1, 100);
        continue;
      }
      return error(std::string("send: ") + std::strerror(errno));
    }
  }

  void read_from(std::size_t index, std::vector<char>& chunk) {
    const bool is_sub = index < subs_.size();
    const int fd = fd_at(index);
    std::string& in = is_sub ? subs_[index].in : pubs_[index - subs_.size()].in;
    const ssize_t got = ::recv(fd, chunk.data(), chunk.size(), MSG_DONTWAIT);
    if (got == 0) return error("the server closed a connection");
    if (got < 0) return;
    in.append(chunk.data(), static_cast<std::size_t>(got));
    current_ = is_sub ? index : 0;
    std::string reply;
    std::string parse_error;
    const std::size_t used =
        is_sub ? proto_.parse(in, *this, reply, parse_error) : proto_.parse(in, discard_, reply, parse_error);
    in.erase(0, used);
    if (!parse_error.empty()) error(parse_error);
    if (!reply.empty()) send(fd, reply);
    for (const std::uint32_t p : paced_) publish_more(p);
    paced_.clear();
  }

  class discard_sink final : public delivery_sink {
   public:
    void on_delivery(std::string_view, std::string_view) override {}
  };

  const options& o_;
  const protocol& proto_;
  std::vector<subscriber_state> subs_;
  std::vector<publisher_state> pubs_;
  std::vector<std::uint32_t> paced_;  // publishers with a completion in this read
  std::size_t current_ = 0;           // the subscriber whose input is being parsed
  discard_sink discard_;
  std::string payload_;
  std::string out_;
  bool publishing_ = true;
  bool measuring_ = false;
  clock_type::time_point measured_from_{};
  clock_type::time_point measured_until_{};
  double cpu_ = 0;
  run_totals totals_;
};

// For the JSON result: error texts may quote what a server said.
std::string json_escaped(std::string_view text) {
  std::string out;
  for (const char ch : text) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (static_cast<unsigned char>(ch) < 0x20) continue;
    out += ch;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  std::string target = "sluice";
  CLI::App app{"sluice-load: a pub/sub workload against sluice, Redis or NATS, checked as it runs"};
  app.add_option("--target", target, "sluice, redis or nats")->check(CLI::IsMember({"sluice", "redis", "nats"}));
  app.add_option("--host", o.host, "server address (loopback by default)");
  app.add_option("--port", o.port, "server port")->required();
  app.add_option("--subscribers", o.subscribers, "fan-out: subscribers of the one topic")->check(CLI::Range(1, 5000));
  app.add_option("--publishers", o.publishers, "fan-out: publishers to it")->check(CLI::Range(1, 1000));
  app.add_option("--pairs", o.pairs, "pairs: publisher/subscriber pairs, a topic each")->check(CLI::Range(0, 5000));
  app.add_option("--payload", o.payload, "payload bytes (at least 20: publisher, sequence, send time)")
      ->check(CLI::Range(std::size_t{20}, std::size_t{60000}));
  app.add_option("--window", o.window, "messages in flight per publisher")->check(CLI::Range(1, 65536));
  app.add_option("--seconds", o.seconds, "measured seconds")->check(CLI::Range(0.1, 600.0));
  app.add_option("--warmup-ms", o.warmup_ms, "unmeasured warm-up")->check(CLI::Range(0, 60000));
  CLI11_PARSE(app, argc, argv);
  o.target = target == "redis" ? target_kind::redis : target == "nats" ? target_kind::nats : target_kind::sluice;

  const std::unique_ptr<protocol> proto = make_protocol(o.target);
  harness h(o, *proto);
  std::string error;
  if (!h.connect_all(error)) {
    std::fprintf(stderr, "sluice-load: %s: %s\n", target.c_str(), error.c_str());
    return 1;
  }
  const run_totals t = h.run();
  const double seconds = h.measured_seconds();
  const auto us = [&](double q) { return static_cast<double>(t.latency.quantile(q)) / 1e3; };
  std::printf(
      "{\"target\":\"%s\",\"shape\":\"%s\",\"subscribers\":%d,\"publishers\":%d,\"pairs\":%d,\"payload\":%zu,"
      "\"window\":%d,\"connections\":%zu,\"seconds\":%.3f,\"delivered\":%llu,\"deliveries_per_s\":%.0f,"
      "\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f},"
      "\"client_cpu_s\":%.3f,\"errors\":%llu,\"first_error\":\"%s\"}\n",
      target.c_str(), o.pairs > 0 ? "pairs" : "fanout", o.subscribers, o.publishers, o.pairs, o.payload, o.window,
      h.connections(), seconds, static_cast<unsigned long long>(t.delivered),
      seconds > 0 ? static_cast<double>(t.delivered) / seconds : 0.0, us(0.5), us(0.9), us(0.99), us(0.999),
      static_cast<double>(t.latency.max()) / 1e3, h.cpu(), static_cast<unsigned long long>(t.errors),
      json_escaped(t.first_error).c_str());
  return t.errors == 0 ? 0 : 1;
}
