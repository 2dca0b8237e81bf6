#include "tools/load/pubsub_run.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <latch>
#include <memory>
#include <thread>

#include "engine/assert.hpp"
#include "tools/load/client_ring.hpp"
#include "tools/load/doorbell.hpp"
#include "tools/load/load_payload.hpp"
#include "tools/load/stitched_parse.hpp"
#include "tools/load/window_receipts.hpp"

namespace sluice::load {
namespace {

using clock_type = std::chrono::steady_clock;

constexpr std::uint64_t not_final = UINT64_MAX;
constexpr std::size_t timeline_max = 200;
// Per client thread: 16 MiB of receive buffers. A 1 KiB fan-out to 100 subscribers
// with a window of 256 has about 26 MB in flight, so they can run out; a receive that
// finds none waits for the next poll (see client_ring).
constexpr std::uint32_t receive_buffers = 512;
constexpr std::uint32_t receive_buffer_size = 32 * 1024;
// A publisher stops adding messages while this much waits to be sent on its connection.
constexpr std::size_t send_high_water = 4 << 20;
static_assert(send_high_water < client_ring::send_queue_max);

std::string topic_name(int i) { return "load." + std::to_string(i); }

// What every thread reads: the plan, the phase times, each publisher's final count, and
// what lets threads tell a publisher's thread that its window has room.
struct shared_run {
  const run_options& o;
  int topics = 1;
  int publishers = 1;
  int subscribers = 1;
  clock_type::time_point start, measure_from, publish_until, drain_until;
  std::chrono::nanoseconds interval{};
  // Publisher p's last sequence once it has stopped, not_final before.
  std::unique_ptr<std::atomic<std::uint64_t>[]> published_final;
  // Closed loop, by publisher: messages every subscriber has (they left the window), and
  // the count of threads whose subscribers have each message in the window.
  std::unique_ptr<std::atomic<std::uint64_t>[]> left_window;
  std::vector<shared_receipts> receipts;
  std::unique_ptr<doorbell[]> doorbells;  // by thread
  std::atomic<bool> abort{false};

  explicit shared_run(const run_options& options) : o(options) {
    topics = o.pairs > 0 ? o.pairs : o.topics;
    publishers = o.pairs > 0 ? o.pairs : o.publishers;
    subscribers = o.pairs > 0 ? o.pairs : o.subscribers;
    published_final = std::make_unique<std::atomic<std::uint64_t>[]>(static_cast<std::size_t>(publishers));
    left_window = std::make_unique<std::atomic<std::uint64_t>[]>(static_cast<std::size_t>(publishers));
    for (int p = 0; p < publishers; ++p) {
      published_final[static_cast<std::size_t>(p)].store(not_final);
      left_window[static_cast<std::size_t>(p)].store(0);
    }
    doorbells = std::make_unique<doorbell[]>(static_cast<std::size_t>(o.threads));
    if (o.rate > 0) return;  // open loop: no window
    // Subscriber i lives on thread i % threads: count the threads each topic reaches.
    std::vector<std::vector<bool>> reached(static_cast<std::size_t>(topics));
    for (int i = 0; i < subscribers; ++i) {
      std::vector<bool>& threads = reached[static_cast<std::size_t>(topic_of_subscriber(i))];
      threads.resize(static_cast<std::size_t>(o.threads), false);
      threads[static_cast<std::size_t>(thread_of_subscriber(i))] = true;
    }
    receipts.reserve(static_cast<std::size_t>(publishers));
    for (int p = 0; p < publishers; ++p) {
      const std::vector<bool>& threads = reached[static_cast<std::size_t>(topic_of_publisher(p))];
      const auto reach = static_cast<std::uint32_t>(std::count(threads.begin(), threads.end(), true));
      receipts.emplace_back(static_cast<std::uint32_t>(o.window), std::max<std::uint32_t>(reach, 1));
    }
  }
  [[nodiscard]] int topic_of_publisher(int p) const { return p % topics; }
  [[nodiscard]] int topic_of_subscriber(int i) const { return i % topics; }
  [[nodiscard]] int thread_of_topic(int t) const { return t % o.threads; }
  [[nodiscard]] int thread_of_subscriber(int i) const { return i % o.threads; }
};

struct publisher_state {
  int fd = -1;
  std::uint32_t id = 0;
  std::string topic;
  std::uint64_t published = 0;  // sequences 1..published sent
  std::string in;
  bool unparsable = false;  // its input broke off in an error: the rest is not read
};

struct subscriber_state {
  int fd = -1;
  int topic_index = 0;
  std::string topic;
  std::vector<std::uint64_t> next;  // by publisher: the sequence expected next
  std::string in;
  bool unparsable = false;  // its input broke off in an error: the rest is not read
};

// One client thread: its share of the connections, its own io_uring and protocol object.
class worker final : public delivery_sink {
 public:
  worker(shared_run& run, int index) : run_(run), index_(index), proto_(make_protocol(run.o.target)) {
    payload_.assign(std::max(run.o.payload, payload_header::size), 'x');
    straddle_max_ = payload_.size() + 1024;
  }
  // Sessions end for good, so a server that keeps detached sessions for a resume does
  // not carry this run's subscribers into the next.
  ~worker() {
    for (const auto& s : subs_) close_connection(*proto_, s.fd);
    for (const auto& p : pubs_) close_connection(*proto_, p.fd);
  }
  worker(const worker&) = delete;
  worker& operator=(const worker&) = delete;

  bool add_subscriber(int i, std::string& error) {
    subscriber_state s;
    s.topic_index = run_.topic_of_subscriber(i);
    s.topic = topic_name(s.topic_index);
    s.next.assign(static_cast<std::size_t>(run_.publishers), 1);
    s.fd =
        open_connection(*proto_, run_.o.to, static_cast<std::size_t>(i), true, s.topic, std::chrono::seconds(5), error);
    if (s.fd < 0) return false;
    subs_.push_back(std::move(s));
    return true;
  }

  bool add_publisher(int p, std::string& error) {
    publisher_state pub;
    pub.id = static_cast<std::uint32_t>(p);
    pub.topic = topic_name(run_.topic_of_publisher(p));
    pub.fd = open_connection(*proto_, run_.o.to, static_cast<std::size_t>(run_.subscribers + p), false, pub.topic,
                             std::chrono::seconds(5), error);
    if (pub.fd < 0) return false;
    pubs_.push_back(std::move(pub));
    return true;
  }

  [[nodiscard]] std::size_t connections() const { return subs_.size() + pubs_.size(); }

  // On the thread that will run(), before the run's clock starts: setting up the ring
  // and its buffers takes milliseconds (and seconds under a sanitizer on a loaded
  // machine, which once ate a whole 1 s run).
  void prepare() {
    ring_ = std::make_unique<client_ring>();
    if (std::string e = ring_->open(receive_buffers, receive_buffer_size); !e.empty()) {
      ring_.reset();
      return error(std::move(e));
    }
    if (run_.o.latency_to_arrival) ring_->receive_arrival_times();
    for (std::size_t i = 0; i < connections(); ++i) ring_->watch(static_cast<std::uint32_t>(i), fd_at(i));
    if (run_.o.threads > 1) ring_->watch_doorbell(run_.doorbells[static_cast<std::size_t>(index_)]);
    // This thread's share of each closed-loop publisher's window.
    if (open_loop()) return;
    std::vector<std::uint32_t> audience(static_cast<std::size_t>(run_.topics), 0);  // by topic
    for (const subscriber_state& sub : subs_) ++audience[static_cast<std::size_t>(sub.topic_index)];
    receipts_.resize(static_cast<std::size_t>(run_.publishers));
    for (int p = 0; p < run_.publishers; ++p) {
      const std::uint32_t here = audience[static_cast<std::size_t>(run_.topic_of_publisher(p))];
      if (here > 0)
        receipts_[static_cast<std::size_t>(p)] = thread_receipts(static_cast<std::uint32_t>(run_.o.window), here);
    }
  }

  void run() {
    if (!ring_) return;  // prepare() failed and said why
    const std::size_t intervals = std::min<std::size_t>(
        timeline_max, static_cast<std::size_t>((run_.publish_until - run_.measure_from) / run_.interval) + 1);
    timeline_.resize(intervals);
    if (!open_loop()) {
      for (std::size_t p = 0; p < pubs_.size(); ++p) publish_window(p);
    }
    for (;;) {
      now_ = clock_type::now();
      if (publishing_ && now_ >= run_.publish_until) stop_publishing();
      if (run_.abort.load(std::memory_order_relaxed)) break;
      if (!publishing_ && (all_delivered() || now_ >= run_.drain_until)) break;
      note_interval();
      std::chrono::nanoseconds wait = std::chrono::milliseconds(50);
      if (publishing_ && open_loop()) {
        const clock_type::time_point due = publish_due();
        wait = std::clamp<std::chrono::nanoseconds>(due - clock_type::now(), std::chrono::nanoseconds(0), wait);
      }
      realtime_offset_ns_ = realtime_minus_steady_ns();
      ring_->poll(
          wait, [this](std::uint32_t index, std::string_view bytes) { on_bytes(index, bytes); },
          [this](std::uint32_t, int result) {
            error(result == 0 ? "the server closed a connection"
                              : std::string("a connection failed: ") + std::strerror(-result));
          });
      if (ring_->take_doorbell()) on_doorbell();
    }
    if (publishing_) stop_publishing();
    receive_buffers_exhausted_ = ring_->exhausted_total();
    ring_.reset();  // before the connections close (see ~worker)
    // After an error anywhere the run stopped early: what is in flight is not missing.
    if (run_.abort.load(std::memory_order_relaxed)) return;
    for (const subscriber_state& s : subs_) {
      for (int p = 0; p < run_.publishers; ++p) {
        if (run_.topic_of_publisher(p) != s.topic_index) continue;
        const std::uint64_t last = run_.published_final[static_cast<std::size_t>(p)].load(std::memory_order_acquire);
        if (last != not_final && s.next[static_cast<std::size_t>(p)] <= last) {
          error("missing: " + std::to_string(last - s.next[static_cast<std::size_t>(p)] + 1) +
                " messages never arrived");
        }
      }
    }
  }

  void collect(pubsub_result& r) const {
    r.delivered += delivered_;
    r.receive_buffers_exhausted += receive_buffers_exhausted_;
    r.arrival_times_missing += arrival_times_missing_;
    r.errors += errors_;
    if (r.first_error.empty()) r.first_error = first_error_;
    r.latency.merge(latency_);
    if (r.timeline.size() < timeline_.size()) r.timeline.resize(timeline_.size());
    for (std::size_t i = 0; i < timeline_.size(); ++i) r.timeline[i].merge(timeline_[i]);
    for (const publisher_state& p : pubs_) r.published += p.published;
  }

  // Read by the progress display.
  std::atomic<std::uint64_t> delivered_live{0};
  std::atomic<std::uint64_t> errors_live{0};
  std::atomic<std::uint64_t> recent_p99_live{0};

  void on_delivery(std::string_view topic, std::string_view payload) override {
    subscriber_state& s = subs_[current_];
    if (topic != s.topic) return error("a delivery on topic " + std::string(topic) + " to a subscriber of " + s.topic);
    if (payload.size() != payload_.size()) return error("a delivery of the wrong size");
    const auto [pub, seq, sent] = payload_header::read_from(payload);
    if (pub >= static_cast<std::uint32_t>(run_.publishers) ||
        run_.topic_of_publisher(static_cast<int>(pub)) != s.topic_index) {
      return error("a delivery from an unknown publisher");
    }
    std::uint64_t& next = s.next[pub];
    if (seq != next) {
      return error(seq > next ? "a gap: sequence " + std::to_string(seq) + " after " + std::to_string(next - 1)
                              : "a duplicate or reorder: sequence " + std::to_string(seq));
    }
    ++next;
    if (measuring_) {
      const std::uint64_t latency = received_ns_ > sent ? received_ns_ - sent : 0;
      ++delivered_;
      latency_.record(latency);
      timeline_[interval_index_].record(latency);
    }
    if (!open_loop() && receipts_[pub].receive(seq) && run_.receipts[pub].receive(seq)) window_opened(pub);
  }

 private:
  [[nodiscard]] bool open_loop() const { return run_.o.rate > 0; }
  [[nodiscard]] int fd_at(std::size_t i) const { return i < subs_.size() ? subs_[i].fd : pubs_[i - subs_.size()].fd; }

  // Every subscriber of its topic has publisher `id`'s oldest message in the window.
  void window_opened(std::uint32_t id) {
    run_.left_window[id].fetch_add(1, std::memory_order_release);
    const int owner = run_.thread_of_topic(run_.topic_of_publisher(static_cast<int>(id)));
    if (owner == index_) {
      with_room_.push_back(publisher_slot(id));
    } else {
      run_.doorbells[static_cast<std::size_t>(owner)].ring();
    }
  }

  // Another thread's subscribers took messages out of some publisher's window here.
  void on_doorbell() {
    run_.doorbells[static_cast<std::size_t>(index_)].answer();
    if (const int e = ring_->doorbell_error(); e != 0) {
      return error(std::string("waiting for other client threads failed: ") + std::strerror(-e));
    }
    for (std::size_t slot = 0; slot < pubs_.size(); ++slot) publish_window(slot);
  }

  // Publishers on this thread, in the order they were added.
  [[nodiscard]] std::size_t publisher_slot(std::uint32_t id) const {
    // Publisher ids on a thread ascend; the thread holds ids with t % threads == index.
    const auto it = std::lower_bound(pubs_.begin(), pubs_.end(), id,
                                     [](const publisher_state& p, std::uint32_t v) { return p.id < v; });
    SLUICE_ASSERT(it != pubs_.end() && it->id == id);
    return static_cast<std::size_t>(it - pubs_.begin());
  }

  void error(std::string what) {
    if (errors_++ == 0) first_error_ = std::move(what);
    errors_live.store(errors_, std::memory_order_relaxed);
    run_.abort.store(true, std::memory_order_relaxed);
  }

  void stop_publishing() {
    publishing_ = false;
    for (const publisher_state& p : pubs_) {
      run_.published_final[p.id].store(p.published, std::memory_order_release);
    }
  }

  // Keeps measuring_ and the timeline index current; publishes the live figures.
  void note_interval() {
    measuring_ = now_ >= run_.measure_from && now_ < run_.publish_until;
    delivered_live.store(delivered_, std::memory_order_relaxed);
    if (!measuring_) return;
    const auto index = static_cast<std::size_t>((now_ - run_.measure_from) / run_.interval);
    const std::size_t bounded = std::min(index, timeline_.size() - 1);
    if (bounded != interval_index_) {
      recent_p99_live.store(timeline_[interval_index_].quantile(0.99), std::memory_order_relaxed);
      interval_index_ = bounded;
    }
  }

  [[nodiscard]] bool all_delivered() const {
    for (const subscriber_state& s : subs_) {
      for (int p = 0; p < run_.publishers; ++p) {
        if (run_.topic_of_publisher(p) != s.topic_index) continue;
        const std::uint64_t last = run_.published_final[static_cast<std::size_t>(p)].load(std::memory_order_acquire);
        if (last == not_final || s.next[static_cast<std::size_t>(p)] <= last) return false;
      }
    }
    return true;
  }

  void encode_one(publisher_state& p, std::uint64_t sent_ns) {
    payload_header{p.id, ++p.published, sent_ns}.write_to(payload_);
    proto_->encode_publish(out_, p.topic, payload_);
  }

  // Closed loop: tops publisher `slot` up to its window.
  void publish_window(std::size_t slot) {
    publisher_state& p = pubs_[slot];
    out_.clear();
    const std::uint64_t t = ns_of(clock_type::now());
    const std::uint64_t left = run_.left_window[p.id].load(std::memory_order_acquire);
    while (publishing_ && p.published - left < static_cast<std::uint64_t>(run_.o.window) &&
           waiting_to_send(slot) < send_high_water) {
      encode_one(p, t);
    }
    if (!out_.empty()) send(publisher_index(slot), out_);
  }

  // Open loop: sends what is due by now, stamped with when it was due; returns when the
  // next message falls due.
  clock_type::time_point publish_due() {
    const open_loop_schedule schedule{run_.start, run_.o.rate};
    clock_type::time_point next_due = clock_type::time_point::max();
    const clock_type::time_point now = clock_type::now();
    for (std::size_t slot = 0; slot < pubs_.size(); ++slot) {
      publisher_state& p = pubs_[slot];
      out_.clear();
      // A server that does not keep up holds messages back here, still stamped with
      // when they were due, so the wait shows in their latency.
      for (std::uint64_t n = 0;
           n < schedule.batch_max && schedule.due(p.published + 1) <= now && waiting_to_send(slot) < send_high_water;
           ++n) {
        encode_one(p, ns_of(schedule.due(p.published + 1)));
      }
      send(publisher_index(slot), out_);
      next_due = std::min(next_due, schedule.due(p.published + 1));
    }
    return next_due;
  }

  [[nodiscard]] std::uint32_t publisher_index(std::size_t slot) const {
    return static_cast<std::uint32_t>(subs_.size() + slot);
  }

  // Bytes of publisher `slot` not yet taken by the kernel, with those being encoded.
  [[nodiscard]] std::size_t waiting_to_send(std::size_t slot) const {
    return ring_->queued_bytes(publisher_index(slot)) + out_.size();
  }

  void send(std::uint32_t index, std::string_view bytes) {
    if (!ring_->send(index, bytes)) {
      error("more than " + std::to_string(client_ring::send_queue_max >> 20) +
            " MiB waiting to be sent on one connection");
    }
  }

  // Bytes received on connection `index`: parsed in place, and what ends in a partial
  // message is kept for the next bytes (stitched_parse.hpp).
  void on_bytes(std::size_t index, std::string_view bytes) {
    const bool is_sub = index < subs_.size();
    std::string& in = is_sub ? subs_[index].in : pubs_[index - subs_.size()].in;
    bool& unparsable = is_sub ? subs_[index].unparsable : pubs_[index - subs_.size()].unparsable;
    if (unparsable) return;  // counted once, when it broke off
    received_ns_ = received_at();
    current_ = is_sub ? index : 0;
    reply_.clear();
    std::string parse_error;
    delivery_sink& sink = is_sub ? static_cast<delivery_sink&>(*this) : discard_;
    const bool parsed = parse_stitched(in, bytes, straddle_max_, [&](std::string_view input) {
      const std::size_t used = proto_->parse(input, sink, reply_, parse_error);
      return parse_step{used, !parse_error.empty()};
    });
    if (!parsed) {
      unparsable = true;
      in = std::string();
      error(parse_error);
    }
    send(static_cast<std::uint32_t>(index), reply_);
    for (const std::size_t slot : with_room_) publish_window(slot);
    with_room_.clear();
  }

  // CLOCK_REALTIME minus the steady clock, to place the kernel's arrival times (realtime)
  // on the steady clock the payloads carry. Taken before each poll, so a step of the
  // wall clock skews at most the one poll's latencies.
  static std::int64_t realtime_minus_steady_ns() {
    timespec real{};
    ::clock_gettime(CLOCK_REALTIME, &real);
    const auto steady = static_cast<std::int64_t>(ns_of(clock_type::now()));
    return std::int64_t{real.tv_sec} * 1'000'000'000 + real.tv_nsec - steady;
  }

  // When the chunk being parsed arrived: the kernel's time if the ring has it (never
  // later than now), else now.
  std::uint64_t received_at() {
    const std::uint64_t now = ns_of(clock_type::now());
    if (!run_.o.latency_to_arrival) return now;
    const std::uint64_t arrival = ring_->arrival_realtime_ns();
    if (arrival == 0) {
      if (measuring_) ++arrival_times_missing_;
      return now;
    }
    const std::int64_t at = static_cast<std::int64_t>(arrival) - realtime_offset_ns_;
    return at > 0 ? std::min(now, static_cast<std::uint64_t>(at)) : now;
  }

  shared_run& run_;
  int index_;  // this thread's
  std::unique_ptr<protocol> proto_;
  std::unique_ptr<client_ring> ring_;  // while run() runs
  std::vector<subscriber_state> subs_;
  std::vector<publisher_state> pubs_;
  std::vector<thread_receipts> receipts_;  // closed loop, by publisher: this thread's subscribers' share
  std::vector<std::size_t> with_room_;     // publisher slots whose window lost a message in this read
  std::size_t current_ = 0;                // the subscriber whose input is being parsed
  discard_deliveries discard_;
  std::string payload_;
  // The longest delivery expected: the payload and any protocol's framing around it (a
  // longer one cut between two receive buffers costs a copy of the second buffer).
  std::size_t straddle_max_ = 0;
  std::string out_;
  std::string reply_;
  bool publishing_ = true;
  bool measuring_ = false;
  clock_type::time_point now_{};
  std::uint64_t received_ns_ = 0;
  std::int64_t realtime_offset_ns_ = 0;
  std::size_t interval_index_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t receive_buffers_exhausted_ = 0;
  std::uint64_t arrival_times_missing_ = 0;
  std::uint64_t errors_ = 0;
  std::string first_error_;
  latency_histogram latency_;
  std::vector<latency_histogram> timeline_;
};

}  // namespace

pubsub_result run_pubsub(const run_options& o, const std::function<void(bool)>& on_measure,
                         const std::function<void(const pubsub_progress&)>& on_progress) {
  shared_run run(o);
  std::vector<std::unique_ptr<worker>> workers;
  pubsub_result result;
  if (o.threads > 1) {  // one thread rings no one
    for (int t = 0; t < o.threads; ++t) {
      result.connect_error = run.doorbells[static_cast<std::size_t>(t)].open();
      if (!result.connect_error.empty()) return result;
    }
  }
  for (int t = 0; t < o.threads; ++t) workers.push_back(std::make_unique<worker>(run, t));
  // Subscribers first, so that nothing published is missed; every subscription is
  // confirmed before its connection counts as open.
  for (int i = 0; i < run.subscribers && result.connect_error.empty(); ++i) {
    if (!workers[static_cast<std::size_t>(run.thread_of_subscriber(i))]->add_subscriber(i, result.connect_error)) break;
  }
  for (int p = 0; p < run.publishers && result.connect_error.empty(); ++p) {
    const int thread = run.thread_of_topic(run.topic_of_publisher(p));
    if (!workers[static_cast<std::size_t>(thread)]->add_publisher(p, result.connect_error)) break;
  }
  for (const auto& w : workers) result.connections += w->connections();
  result.topics = run.topics;
  if (!result.connect_error.empty()) return result;

  // Each thread prepares its IO, then waits for the clock to start.
  std::latch prepared(static_cast<std::ptrdiff_t>(workers.size()));
  std::atomic<bool> started{false};
  std::vector<std::thread> threads;
  for (const auto& w : workers) {
    threads.emplace_back([&w, &prepared, &started] {
      w->prepare();
      prepared.count_down();
      started.wait(false, std::memory_order_acquire);
      w->run();
    });
  }
  prepared.wait();
  run.start = clock_type::now();
  run.measure_from = run.start + std::chrono::milliseconds(o.warmup_ms);
  const auto measured = std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.seconds));
  run.publish_until = run.measure_from + measured;
  run.drain_until = run.publish_until + std::chrono::seconds(2);
  run.interval = std::max<clock_type::duration>(std::chrono::milliseconds(100), measured / timeline_max);
  started.store(true, std::memory_order_release);
  started.notify_all();

  // The calling thread samples CPU at the phase edges and reports progress.
  const auto sum_progress = [&] {
    pubsub_progress p;
    for (const auto& w : workers) {
      p.delivered += w->delivered_live.load(std::memory_order_relaxed);
      p.errors += w->errors_live.load(std::memory_order_relaxed);
      p.recent_p99_ns = std::max(p.recent_p99_ns, w->recent_p99_live.load(std::memory_order_relaxed));
    }
    return p;
  };
  const auto wait_until = [&](clock_type::time_point until) {
    while (clock_type::now() < until && !run.abort.load(std::memory_order_relaxed)) {
      std::this_thread::sleep_for(std::min<clock_type::duration>(until - clock_type::now(), std::chrono::seconds(1)));
      on_progress(sum_progress());
    }
  };
  wait_until(run.measure_from);
  const auto measured_from = clock_type::now();
  on_measure(true);
  wait_until(run.publish_until);
  const auto measured_until = clock_type::now();
  on_measure(false);
  for (auto& t : threads) t.join();
  const auto measured_span = std::min(measured_until, run.publish_until) - std::max(measured_from, run.measure_from);
  result.measured_s = std::max(0.0, std::chrono::duration<double>(measured_span).count());
  result.interval_s = std::chrono::duration<double>(run.interval).count();
  for (const auto& w : workers) w->collect(result);
  return result;
}

}  // namespace sluice::load
