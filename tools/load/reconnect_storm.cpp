#include "tools/load/reconnect_storm.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "engine/protocol/decoder.hpp"
#include "engine/protocol/encoder.hpp"
#include "net/client.hpp"
#include "tools/load/load_payload.hpp"
#include "tools/load/pending_output.hpp"
#include "tools/load/progress_ticker.hpp"

namespace sluice::load {
namespace {

using clock_type = std::chrono::steady_clock;

constexpr int attempts_max = 10;
constexpr auto backoff_cap = std::chrono::seconds(2);
constexpr auto storm_cap = std::chrono::seconds(30);
constexpr auto drain_max = std::chrono::seconds(2);
// A publisher adds no messages while this much waits to be sent on its connection (they
// stay due, as in the pub/sub workloads); a server that takes nothing for send_stall_max
// is an error.
constexpr std::size_t publisher_waiting_max = std::size_t{4} << 20;
constexpr auto send_stall_max = std::chrono::seconds(5);

enum class stage : std::uint8_t { live, waiting, connecting, opening, failed };

struct subscriber {
  int fd = -1;
  stage at = stage::live;
  int topic = 0;                 // of all topics: names it
  std::size_t pub = 0;           // its topic's publisher, in this part
  session_credentials session;   // sluice: what resumes it
  std::uint64_t last_seq = 0;    // sluice: the last event sequence received
  std::uint64_t cursor = 1;      // sluice: the sequence the stream owes next since the last ACK
  std::uint64_t asked_from = 0;  // sluice: FROM_SEQ of the reopening
  std::uint64_t next_payload = 1;
  bool confirmed = true;            // the (re)opening's subscription is answered
  bool first_after_reopen = false;  // Redis, NATS: the next delivery may skip what was lost
  std::size_t place = 0;            // its number in the storm, which picks its source address
  int attempts = 0;
  clock_type::time_point retry_at{};
  clock_type::time_point back_at = clock_type::time_point::max();
  std::string in;
  pending_output out;  // answers owed to the server (PONGs) the socket had no room for
};

struct publisher {
  int fd = -1;
  std::uint32_t id = 0;
  std::string topic;
  std::uint64_t published = 0;
  std::string in;      // what the server sent: answers owed (a NATS PING) or errors
  pending_output out;  // publishes and answers the socket had no room for yet
};

// One thread's part of the storm: topics t, t + K, t + 2K, ... of K parts, with their
// publishers and subscribers, so a topic's stream is checked on one thread.
class reconnect_storm final : public delivery_sink {
 public:
  reconnect_storm(const run_options& o, int part, int parts, std::atomic<bool>& abort)
      : o_(o),
        proto_(make_protocol(o.target)),
        rng_(0x5eed + static_cast<std::uint64_t>(part)),
        part_(part),
        parts_(parts),
        abort_(abort) {
    payload_.assign(std::max(o.payload, payload_header::size), 'x');
  }
  ~reconnect_storm() {
    for (const subscriber& s : subs_) {
      if (s.fd >= 0) close_connection(*proto_, s.fd);
    }
    for (const publisher& p : pubs_) close_connection(*proto_, p.fd);
    if (epoll_ >= 0) ::close(epoll_);
  }
  reconnect_storm(const reconnect_storm&) = delete;
  reconnect_storm& operator=(const reconnect_storm&) = delete;

  // Opens this part's connections; false (with setup_error) when one could not be.
  bool set_up() {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_ < 0) return setup_failed(std::string("epoll_create1: ") + std::strerror(errno));
    const int topics = std::max(1, o_.topics);
    for (int t = part_; t < topics; t += parts_) {
      publisher p;
      p.id = static_cast<std::uint32_t>(t);
      p.topic = topic_name(t);
      p.fd = open_connection(*proto_, o_.to, static_cast<std::size_t>(o_.reconnect_storm + t), false, p.topic,
                             std::chrono::seconds(5), r_.setup_error);
      if (p.fd < 0) return false;
      pubs_.push_back(std::move(p));
    }
    for (int i = 0; i < o_.reconnect_storm; ++i) {
      if (i % topics % parts_ != part_) continue;
      subscriber s;
      s.topic = i % topics;
      s.pub = static_cast<std::size_t>(s.topic / parts_);
      s.place = static_cast<std::size_t>(i);  // kept across reconnects, and so is its source address
      if (!(sluice_target() ? open_session(s) : open_plain(s))) return false;
      subs_.push_back(std::move(s));
    }
    r_.connections = subs_.size();
    watched_.assign(subs_.size() + pubs_.size(), 0);
    for (std::size_t i = 0; i < subs_.size() + pubs_.size(); ++i) {
      const int fd = i < subs_.size() ? subs_[i].fd : pubs_[i - subs_.size()].fd;
      if (!watch(i, fd, EPOLLIN, EPOLL_CTL_ADD)) return setup_failed(std::string("epoll_ctl: ") + std::strerror(errno));
    }
    return true;
  }

  // What a part that could not be set up reports.
  [[nodiscard]] reconnect_result result() { return std::move(r_); }

  // Every part is given the same start, so the drop is at once across threads. An
  // error stops every part (abort_); a part stopped by another's error reports no
  // missing events, since it did not wait for them.
  reconnect_result run(clock_type::time_point start) {
    start_ = start;
    const auto drop_at = start_ + std::chrono::milliseconds(std::max(o_.warmup_ms, 200));
    bool dropped = false;
    bool storm_over = false;
    auto steady_until = clock_type::time_point::max();
    auto drain_until = clock_type::time_point::max();
    std::vector<epoll_event> events(512);
    std::vector<char> chunk(256 * 1024);
    for (;;) {
      reconnected_live.store(r_.reconnected, std::memory_order_relaxed);
      delivered_live.store(r_.delivered, std::memory_order_relaxed);
      errors_live.store(r_.errors, std::memory_order_relaxed);
      const auto now = clock_type::now();
      if (!dropped && now >= drop_at) {
        drop_all(now);
        dropped = true;
      }
      if (dropped && !storm_over && (unresolved() == 0 || now >= dropped_at_ + storm_cap)) {
        storm_over = true;
        r_.storm_s = std::chrono::duration<double>(now - dropped_at_).count();
        for (std::size_t i = 0; i < subs_.size(); ++i) {
          if (subs_[i].at != stage::live && subs_[i].at != stage::failed) give_up(i, "the storm phase ended first");
        }
        steady_until =
            now + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o_.seconds));
      }
      if (publishing_ && now >= steady_until) {
        publishing_ = false;
        drain_until = now + drain_max;
      }
      if (r_.errors > 0) abort_.store(true, std::memory_order_relaxed);
      if (abort_.load(std::memory_order_relaxed)) break;
      if (!publishing_ && (all_delivered() || now >= drain_until)) break;
      if (dropped && !storm_over) start_due(now);
      auto wait = std::chrono::nanoseconds(std::chrono::milliseconds(10));
      if (publishing_) wait = std::min(wait, std::chrono::nanoseconds(publish_due() - clock_type::now()));
      const timespec timeout{0, std::max<long>(0, static_cast<long>(wait.count()))};
      const int n = ::epoll_pwait2(epoll_, events.data(), static_cast<int>(events.size()), &timeout, nullptr);
      for (int i = 0; i < n; ++i) {
        const epoll_event& e = events[static_cast<std::size_t>(i)];
        on_ready(e.data.u64, e.events, chunk);
      }
      check_stalls();
    }
    for (const subscriber& s : subs_) {
      if (s.at != stage::live || r_.errors > 0 || abort_.load(std::memory_order_relaxed)) continue;
      const std::uint64_t last = pubs_[s.pub].published;
      if (s.next_payload <= last)
        error("missing: " + std::to_string(last - s.next_payload + 1) + " events never arrived");
    }
    return std::move(r_);
  }

  void on_delivery(std::string_view topic, std::string_view payload) override {
    subscriber& s = subs_[current_];
    const publisher& p = pubs_[s.pub];
    if (topic != p.topic) return error("a delivery on topic " + std::string(topic) + " to a subscriber of " + p.topic);
    if (payload.size() != payload_.size()) return error("a delivery of the wrong size");
    const auto [pub, seq, sent] = payload_header::read_from(payload);
    if (pub != p.id) return error("a delivery from an unknown publisher");
    if (seq != s.next_payload) {
      if (s.first_after_reopen && seq > s.next_payload) {
        r_.lost += seq - s.next_payload;  // no sessions: what was published while away is gone
      } else {
        return error(seq > s.next_payload
                         ? "a gap: sequence " + std::to_string(seq) + " after " + std::to_string(s.next_payload - 1)
                         : "a duplicate or reorder: sequence " + std::to_string(seq));
      }
    }
    s.first_after_reopen = false;
    s.next_payload = seq + 1;
    ++r_.delivered;
    if (sent >= ns_of(dropped_at_) && sent < ns_of(s.back_at)) ++r_.recovered;
  }

 private:
  [[nodiscard]] bool sluice_target() const { return o_.target == target_kind::sluice; }
  static std::string topic_name(int t) { return "reconnect." + std::to_string(t); }

  // sluice: a session of its own, subscribed, with what resumes it.
  bool open_session(subscriber& s) {
    std::string e;
    const int fd = connect_socket(o_.to, s.place, std::chrono::seconds(5), e);
    if (fd < 0) return setup_failed(e);
    client c;
    c.adopt(fd);
    const hello_result h = c.hello(std::chrono::seconds(5));
    if (!h.ok) return setup_failed("HELLO: " + h.message);
    s.session = h.credentials();
    const std::string topic = topic_name(s.topic);
    if (!c.send_frame(proto::subscribe_frame{.request_id = next_request_++, .topic = topic})) {
      return setup_failed("SUBSCRIBE could not be sent");
    }
    const read_result answer = c.read_frame(std::chrono::seconds(5));
    const auto* ack = std::get_if<proto::ack_frame>(&answer.value);
    if (answer.status != read_status::frame || ack == nullptr || ack->status != proto::error_code::none) {
      return setup_failed("SUBSCRIBE was not acknowledged");
    }
    s.last_seq = ack->seq - 1;  // the subscription starts at the ACK's sequence
    s.cursor = ack->seq;
    s.fd = ::dup(c.fd());
    return s.fd >= 0 || setup_failed("dup failed");
  }

  bool open_plain(subscriber& s) {
    s.fd = open_connection(*proto_, o_.to, s.place, true, topic_name(s.topic), std::chrono::seconds(5), r_.setup_error);
    return s.fd >= 0;
  }

  bool setup_failed(std::string what) {
    r_.setup_error = std::move(what);
    return false;
  }

  // False (errno set) when epoll would not take it.
  [[nodiscard]] bool watch(std::size_t index, int fd, std::uint32_t events, int op) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = index;
    if (::epoll_ctl(epoll_, op, fd, &ev) != 0) return false;
    watched_[index] = events;
    return true;
  }

  void error(std::string what) {
    if (r_.errors++ == 0) r_.first_error = std::move(what);
  }

  // Every subscriber connection goes at once; each comes back after its own jitter.
  void drop_all(clock_type::time_point now) {
    dropped_at_ = now;
    std::uniform_int_distribution<long long> first(0, std::max(0, o_.backoff_ms) * 1000LL);
    for (subscriber& s : subs_) {
      ::close(s.fd);
      s.fd = -1;
      s.at = stage::waiting;
      s.retry_at = now + std::chrono::microseconds(first(rng_));
      s.attempts = 0;
      s.confirmed = false;
      s.in.clear();
      s.out.clear();
    }
  }

  [[nodiscard]] std::size_t unresolved() const {
    return static_cast<std::size_t>(std::count_if(
        subs_.begin(), subs_.end(), [](const subscriber& s) { return s.at != stage::live && s.at != stage::failed; }));
  }

  void start_due(clock_type::time_point now) {
    for (std::size_t i = 0; i < subs_.size(); ++i) {
      subscriber& s = subs_[i];
      if (s.at != stage::waiting || s.retry_at > now) continue;
      std::string e;
      s.fd = start_connect(o_.to, s.place, e);
      if (s.fd < 0) {
        retry(i, e);
        continue;
      }
      s.at = stage::connecting;
      if (!watch(i, s.fd, EPOLLOUT, EPOLL_CTL_ADD)) retry(i, std::string("epoll_ctl: ") + std::strerror(errno));
    }
  }

  // A failed attempt: back off (jittered, doubling, capped), or give up after the last.
  void retry(std::size_t i, const std::string& reason) {
    subscriber& s = subs_[i];
    if (s.fd >= 0) ::close(s.fd);
    s.fd = -1;
    s.in.clear();
    s.out.clear();
    if (++s.attempts >= attempts_max)
      return give_up(i, "gave up after " + std::to_string(attempts_max) + " attempts: " + reason);
    const auto grown = std::chrono::milliseconds(std::max(1, o_.backoff_ms)) * (1LL << s.attempts);
    const auto cap = std::min<std::chrono::milliseconds>(grown, backoff_cap);
    std::uniform_int_distribution<long long> delay(0, cap.count() * 1000LL);
    s.retry_at = clock_type::now() + std::chrono::microseconds(delay(rng_));
    s.at = stage::waiting;
  }

  void give_up(std::size_t i, const std::string& reason) {
    subscriber& s = subs_[i];
    if (s.fd >= 0) ::close(s.fd);
    s.fd = -1;
    s.out.clear();
    s.at = stage::failed;
    ++r_.failed[reason];
  }

  void send_reopening(std::size_t i) {
    subscriber& s = subs_[i];
    std::string out;
    if (sluice_target()) {
      // Resume, and right behind it the subscription from the next sequence wanted.
      const std::string topic = topic_name(s.topic);
      s.asked_from = s.last_seq + 1;
      append(out,
             proto::hello_frame{
                 .resume = true, .id = s.session.id, .resume_token = s.session.resume_token, .last_seq = s.last_seq});
      append(out, proto::subscribe_frame{
                      .request_id = next_request_++, .has_from_seq = true, .from_seq = s.asked_from, .topic = topic});
    } else {
      proto_->encode_opening(out, true, topic_name(s.topic));
    }
    // A fresh socket's send buffer takes a few hundred bytes whole.
    if (::send(s.fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) {
      return retry(i, "send of the reopening failed");
    }
    s.at = stage::opening;
    if (!watch(i, s.fd, EPOLLIN, EPOLL_CTL_MOD)) retry(i, std::string("epoll_ctl: ") + std::strerror(errno));
  }

  void confirmed(subscriber& s) {
    s.confirmed = true;
    s.at = stage::live;
    s.back_at = clock_type::now();
    s.first_after_reopen = !sluice_target();
    ++r_.reconnected;
    r_.reconnect_time.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(s.back_at - dropped_at_).count()));
  }

  void on_ready(std::size_t index, std::uint32_t events, std::vector<char>& chunk) {
    const bool readable = (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0;
    if (index >= subs_.size()) {
      if (events & EPOLLOUT) flush(index);
      if (readable) feed_publisher(pubs_[index - subs_.size()], chunk);
      return;
    }
    subscriber& s = subs_[index];
    if (s.at == stage::connecting) {
      if (const std::string e = connect_error(s.fd); !e.empty()) return retry(index, e);
      return send_reopening(index);
    }
    if (s.at != stage::opening && s.at != stage::live) return;
    if (events & EPOLLOUT) flush(index);
    if (!readable) return;
    const ssize_t got = ::recv(s.fd, chunk.data(), chunk.size(), MSG_DONTWAIT);
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
      if (s.at == stage::opening) return retry(index, "closed by the server while reopening");
      return error("the server closed a subscriber's connection");
    }
    if (got < 0) return;
    s.in.append(chunk.data(), static_cast<std::size_t>(got));
    current_ = index;
    const std::size_t used = sluice_target() ? feed_sluice(s) : feed_plain(s);
    s.in.erase(0, used);
  }

  // A publisher's input is parsed like any other: it may owe the server an answer
  // (a NATS PING) or carry an error (a refused PUBLISH).
  void feed_publisher(publisher& p, std::vector<char>& chunk) {
    const ssize_t got = ::recv(p.fd, chunk.data(), chunk.size(), MSG_DONTWAIT);
    if (got == 0) return error("the server closed a publisher's connection");
    if (got < 0) return;
    p.in.append(chunk.data(), static_cast<std::size_t>(got));
    std::string reply;
    std::string e;
    discard_deliveries discard;
    p.in.erase(0, proto_->parse(p.in, discard, reply, e));
    if (!e.empty()) error(e);
    send(subs_.size() + static_cast<std::size_t>(&p - pubs_.data()), reply);
  }

  // sluice frames: WELCOME and the ACK of a reopening, events checked by sequence.
  std::size_t feed_sluice(subscriber& s) {
    std::size_t used = 0;
    std::string reply;
    while (r_.errors == 0) {
      const proto::decode_result d = proto::decode_frame(
          std::as_bytes(std::span<const char>(s.in.data() + used, s.in.size() - used)), max_message_bytes);
      if (d.status == proto::decode_status::need_more) break;
      if (d.status == proto::decode_status::error) {
        error("malformed frame from the server");
        break;
      }
      used += d.size;
      if (const auto* e = std::get_if<proto::event_frame>(&d.value)) {
        on_event(s, *e);
      } else if (const auto* w = std::get_if<proto::welcome_frame>(&d.value)) {
        if (!w->resumed) {
          error("a resume came back as a new session");
        } else {
          ++r_.resumed;
        }
      } else if (const auto* ack = std::get_if<proto::ack_frame>(&d.value)) {
        if (ack->status != proto::error_code::none) {
          error("a request was refused: " + std::string(proto::error_code_name(ack->status)));
        } else if (!s.confirmed) {
          if (ack->truncated) error("the history no longer held the missed events (TRUNCATED)");
          if (ack->seq != s.asked_from) {
            error("the resumed subscription starts at " + std::to_string(ack->seq) + ", not at " +
                  std::to_string(s.asked_from));
          }
          s.cursor = ack->seq;
          confirmed(s);
        }
      } else if (const auto* ping = std::get_if<proto::ping_frame>(&d.value)) {
        append(reply, proto::pong_frame{.nonce = ping->nonce, .payload = ping->payload});
      } else {
        error("the server sent ERROR, GOAWAY or CLOSE");
      }
    }
    send(current_, reply);
    return used;
  }

  // Before the ACK of a reopening's SUBSCRIBE, events belong to the old position (the
  // server's own replay, which may start past events that died with the connection):
  // only the very next one is taken. From the ACK on, the stream restarts at the ACK's
  // sequence and must be exact; what the client already took is skipped.
  void on_event(subscriber& s, const proto::event_frame& e) {
    if (e.gap) return error("the server reported lost events (GAP)");
    if (!s.confirmed) {
      if (e.seq != s.last_seq + 1) {
        ++r_.replayed_twice;
        return;
      }
    } else {
      if (e.seq != s.cursor) {
        return error(e.seq < s.cursor
                         ? "event " + std::to_string(e.seq) + " delivered twice"
                         : "events " + std::to_string(s.cursor) + ".." + std::to_string(e.seq - 1) + " were skipped");
      }
      ++s.cursor;
      if (e.seq <= s.last_seq) {
        ++r_.replayed_twice;
        return;
      }
    }
    s.last_seq = e.seq;
    on_delivery(e.topic, e.payload);
  }

  // Redis, NATS: the opening's answer, then deliveries.
  std::size_t feed_plain(subscriber& s) {
    std::size_t used = 0;
    std::string e;
    if (!s.confirmed) {
      const opening_status status = proto_->parse_opening(s.in, true, used, e);
      if (status == opening_status::pending) return 0;
      if (status == opening_status::failed) {
        retry(current_, e);
        return 0;
      }
      confirmed(s);
    }
    std::string reply;
    used += proto_->parse(std::string_view(s.in).substr(used), *this, reply, e);
    if (!e.empty()) error(e);
    send(current_, reply);
    return used;
  }

  [[nodiscard]] bool all_delivered() const {
    return std::all_of(subs_.begin(), subs_.end(), [&](const subscriber& s) {
      return s.at != stage::live || s.next_payload > pubs_[s.pub].published;
    });
  }

  // Open loop from the start; returns when the next message falls due.
  clock_type::time_point publish_due() {
    const open_loop_schedule schedule{start_, std::max(1.0, o_.rate)};
    auto next_due = clock_type::time_point::max();
    const auto now = clock_type::now();
    for (std::size_t slot = 0; slot < pubs_.size(); ++slot) {
      publisher& p = pubs_[slot];
      // Held back: its messages stay due, and EPOLLOUT wakes the loop when room comes.
      if (p.out.waiting() >= publisher_waiting_max) continue;
      std::string out;
      for (std::uint64_t n = 0; n < schedule.batch_max && schedule.due(p.published + 1) <= now &&
                                p.out.waiting() + out.size() < publisher_waiting_max;
           ++n) {
        const std::uint64_t seq = ++p.published;
        payload_header{p.id, seq, ns_of(schedule.due(seq))}.write_to(payload_);
        proto_->encode_publish(out, p.topic, payload_);
      }
      send(subs_.size() + slot, out);
      next_due = std::min(next_due, schedule.due(p.published + 1));
    }
    return next_due;
  }

  // Connection `index` (subscribers, then publishers) and what waits to be sent on it.
  [[nodiscard]] int fd_of(std::size_t index) const {
    return index < subs_.size() ? subs_[index].fd : pubs_[index - subs_.size()].fd;
  }
  [[nodiscard]] pending_output& out_of(std::size_t index) {
    return index < subs_.size() ? subs_[index].out : pubs_[index - subs_.size()].out;
  }

  // Sends without waiting: what the socket has no room for waits, and epoll reports
  // when it has (EPOLLOUT, watched only while bytes wait).
  void send(std::size_t index, std::string_view bytes) {
    if (bytes.empty()) return;
    if (std::string e = out_of(index).send(fd_of(index), bytes); !e.empty()) return error(std::move(e));
    watch_output(index);
  }
  void flush(std::size_t index) {
    if (std::string e = out_of(index).flush(fd_of(index)); !e.empty()) return error(std::move(e));
    watch_output(index);
  }
  void watch_output(std::size_t index) {
    const std::uint32_t wanted = EPOLLIN | (out_of(index).waiting() > 0 ? EPOLLOUT : 0u);
    if (watched_[index] == wanted) return;
    if (!watch(index, fd_of(index), wanted, EPOLL_CTL_MOD)) error(std::string("epoll_ctl: ") + std::strerror(errno));
  }
  void check_stalls() {
    const auto now = clock_type::now();
    for (std::size_t i = 0; i < subs_.size() + pubs_.size(); ++i) {
      const pending_output& out = out_of(i);
      if (out.waiting() > 0 && now - out.stalled_since() > send_stall_max) {
        return error("the server took nothing for " + std::to_string(send_stall_max.count()) + " s");
      }
    }
  }

  static void append(std::string& out, const proto::frame& f) {
    const std::size_t at = out.size();
    out.resize(at + proto::encoded_size(f));
    proto::encode_frame(f, std::as_writable_bytes(std::span<char>(out).subspan(at)));
  }

 public:
  // Read by the progress display.
  std::atomic<std::uint64_t> reconnected_live{0};
  std::atomic<std::uint64_t> delivered_live{0};
  std::atomic<std::uint64_t> errors_live{0};

 private:
  const run_options& o_;
  std::unique_ptr<protocol> proto_;
  std::mt19937_64 rng_;
  int part_;
  int parts_;
  std::atomic<bool>& abort_;
  int epoll_ = -1;
  std::vector<subscriber> subs_;
  std::vector<publisher> pubs_;
  std::vector<std::uint32_t> watched_;  // by connection index: the epoll events asked for
  std::size_t current_ = 0;
  std::string payload_;
  std::uint64_t next_request_ = 1;
  bool publishing_ = true;
  clock_type::time_point start_{};
  clock_type::time_point dropped_at_ = clock_type::time_point::max();
  reconnect_result r_;
};

}  // namespace

reconnect_result run_reconnect_storm(const run_options& o,
                                     const std::function<void(const reconnect_progress&)>& on_progress) {
  const int parts = std::clamp(o.threads, 1, std::max(1, o.topics));  // a part per topic at most
  std::atomic<bool> abort{false};
  std::vector<std::unique_ptr<reconnect_storm>> storms;
  for (int t = 0; t < parts; ++t) storms.push_back(std::make_unique<reconnect_storm>(o, t, parts, abort));
  for (const auto& storm : storms) {
    if (!storm->set_up()) return storm->result();
  }
  const auto start = clock_type::now();
  std::vector<reconnect_result> results(storms.size());
  run_with_progress(
      static_cast<int>(storms.size()),
      [&](int t) { results[static_cast<std::size_t>(t)] = storms[static_cast<std::size_t>(t)]->run(start); },
      std::chrono::seconds(1),
      [&] {
        reconnect_progress p;
        for (const auto& storm : storms) {
          p.reconnected += storm->reconnected_live.load(std::memory_order_relaxed);
          p.delivered += storm->delivered_live.load(std::memory_order_relaxed);
          p.errors += storm->errors_live.load(std::memory_order_relaxed);
        }
        on_progress(p);
      });
  reconnect_result all;
  all.threads_used = parts;
  for (reconnect_result& r : results) {
    all.connections += r.connections;
    all.reconnected += r.reconnected;
    all.resumed += r.resumed;
    for (const auto& [reason, count] : r.failed) all.failed[reason] += count;
    all.reconnect_time.merge(r.reconnect_time);
    all.delivered += r.delivered;
    all.recovered += r.recovered;
    all.replayed_twice += r.replayed_twice;
    all.lost += r.lost;
    if (all.first_error.empty()) all.first_error = std::move(r.first_error);
    all.errors += r.errors;
    all.storm_s = std::max(all.storm_s, r.storm_s);
  }
  return all;
}

}  // namespace sluice::load
