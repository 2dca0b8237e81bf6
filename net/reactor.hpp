// One reactor: a thread with its own io_uring ring, listener, provided buffers,
// connections, session shard and source limiter. Nothing here is touched by another
// thread except the inbox (lock-free) and the counters (atomics, single writer).
//
// A connection's life:
//   accepted by any reactor -> moved to the reactor owning its source address, which
//   runs source admission and the handshake -> after HELLO, moved to the reactor owning
//   the session -> attached: all its frames are handled there -> closing: output is
//   flushed, the write side shut, input drained until EOF or the linger time, then the
//   fd is closed and the slot freed.
//
// Bounds: connections per reactor (slots), bytes buffered per connection in each
// direction (max_frame + receive buffer in, output_queue_max out), inbox messages.
#pragma once

#include <liburing.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/config/server_config.hpp"
#include "engine/dedup_window.hpp"
#include "engine/gcra.hpp"
#include "engine/protocol/frame.hpp"
#include "engine/ring_queue.hpp"
#include "engine/session_shard.hpp"
#include "engine/slab.hpp"
#include "engine/source_limiter.hpp"
#include "engine/timing_wheel.hpp"
#include "engine/topics/event_ref_batch.hpp"
#include "engine/topics/subscription_table.hpp"
#include "engine/topics/topic_owner.hpp"
#include "net/buffer_ring.hpp"
#include "net/mailbox.hpp"
#include "net/output_queue.hpp"
#include "net/reactor_counters.hpp"
#include "net/reactor_message.hpp"

namespace sluice {

class reactor;

// What all reactors share, owned by the server: read-only after start, plus atomics.
struct reactor_group {
  server_config config;
  std::vector<std::unique_ptr<reactor>> reactors;
  std::atomic<std::uint32_t> connections{0};  // live connections in the whole server
  std::atomic<bool> stopping{false};
  std::uint64_t source_seed = 0;  // secret: which reactor owns a source address
};

class reactor {
 public:
  reactor(std::uint32_t index, reactor_group& group, int listen_fd);
  ~reactor();
  reactor(const reactor&) = delete;
  reactor& operator=(const reactor&) = delete;

  // The thread body. Reports set-up through `ready` (empty string: running), then
  // loops until the group stops.
  void run(std::atomic<int>& ready_count, std::string& setup_error);

  // After every reactor thread has stopped: closes the fds of connections still in the
  // inbox (a reactor that stopped later may have posted them).
  void discard_inbox();

  [[nodiscard]] mailbox<reactor_message>& inbox() noexcept { return inbox_; }
  [[nodiscard]] const reactor_counters& counters() const noexcept { return counters_; }
  [[nodiscard]] const session_shard_counters& session_counters() const noexcept { return sessions_.counters(); }
  [[nodiscard]] const source_limiter_counters& source_counters() const noexcept { return sources_.counters(); }
  [[nodiscard]] const topic_owner_counters& topic_counters() const noexcept { return topics_.counters(); }
  [[nodiscard]] const dedup_window_counters& dedup_counters() const noexcept { return dedup_counters_; }
  [[nodiscard]] const subscription_table_counters& subscription_counters() const noexcept {
    return subscriptions_.counters();
  }
  [[nodiscard]] std::uint32_t index() const noexcept { return index_; }
  [[nodiscard]] const std::string& ring_mode() const noexcept { return ring_mode_; }

 private:
  enum class phase : std::uint8_t { handshaking, handing_off, attached, closing };

  struct conn_timer {
    timer_node node;  // first member: the wheel hands back &node
    std::uint32_t slot = 0;
  };

  struct pending_hello {
    std::uint32_t owner = 0;
    bool resume = false;
    session_id id;
    session_id resume_token;
    std::uint64_t last_seq = 0;
  };

  struct connection {
    conn_timer timer;  // handshake deadline, then linger deadline
    int fd = -1;
    std::uint32_t generation = 0;
    phase state = phase::handshaking;
    source_address source;
    std::uint32_t source_reactor = 0;
    bool holds_source = false;  // an admission slot at source_reactor is ours to release
    bool recv_armed = false;
    bool send_in_flight = false;
    bool in_dirty_list = false;
    bool write_shut = false;
    bool handoff_overflow = false;  // input past the bound arrived while handing off
    bool input_paused = false;      // output is backed up: not reading until it drains
    bool peer_finished = false;     // EOF arrived while paused: close once input is handled
    bool wants_replay = false;      // a subscription fell behind for lack of output room
    session_ref session;
    pending_hello hello;
    std::vector<std::byte> in;  // the unparsed tail of the input
    output_queue out;           // frames queued, not yet handed to the kernel
    output_queue sending;       // handed to the kernel, not yet all sent
    std::vector<iovec> iov;     // the sendmsg in flight describes `sending` with these
    msghdr message{};
  };

  struct session_link {
    std::uint32_t conn_slot = UINT32_MAX;
    std::uint32_t conn_generation = 0;
    session_id resume_token;
    gcra_state publish_rate;
    std::unique_ptr<dedup_window> published;  // made at the session's first PUBLISH
    // PUBLISH requests forwarded to owners and not answered yet: each answer is one ACK
    // (DUPLICATE answers to repeats, at most 255 per request id, are not reserved).
    std::uint32_t answers_owed = 0;
  };

  // ---- io (reactor.cpp)
  [[nodiscard]] io_uring_sqe* next_sqe();
  [[nodiscard]] time_ns now() const noexcept;
  void arm_accept();
  void arm_wake();
  void arm_recv(connection& c);
  void cancel_recv(connection& c);
  void handle_completion(const io_uring_cqe& cqe);
  void on_accept(int result, bool more);
  void on_recv(connection& c, const io_uring_cqe& cqe);
  void on_send(connection& c, int result);
  void flush_sends();
  void submit_send(connection& c);
  void mark_dirty(connection& c);  // has output for the next flush_sends()
  void on_message(reactor_message&& message);
  void admit(int fd, const source_address& source);
  void adopt(adopt_session&& message);
  void refuse_unadmitted(int fd, proto::error_code code, std::string_view reason);
  void release_source_of(connection& c);
  void release_source_at(std::uint32_t target, const source_address& source);
  void retry_source_releases();
  void begin_close(connection& c, proto::error_code code, std::string_view reason);
  void shut_write_and_linger(connection& c);
  void maybe_finish(connection& c);
  void on_conn_timer(connection& c);
  [[nodiscard]] connection* live(std::uint32_t slot, std::uint32_t generation) noexcept;
  [[nodiscard]] std::uint32_t slot_of(const connection& c) const noexcept { return conns_.index_of(c); }
  [[nodiscard]] std::uint32_t owner_of_source(const source_address& source) const noexcept;
  bool post_to(std::uint32_t target, reactor_message&& message);

  // ---- frames and sessions (reactor_frames.cpp)
  void on_bytes(connection& c, std::span<const std::byte> data);
  [[nodiscard]] static bool reading(const connection& c) noexcept {
    return c.state == phase::handshaking || c.state == phase::attached;
  }
  void report_misuse(connection& c);
  void pause_input(connection& c);
  // Output bytes at which a connection's input is paused: room for one more answer of
  // max_frame plus a control frame is always left (config: output_queue_max >= max_frame + 64).
  [[nodiscard]] std::size_t pause_threshold() const noexcept {
    return std::size_t{config_.output_queue_max} - config_.max_frame - 64;
  }
  void resume_input(connection& c);
  [[nodiscard]] std::size_t parse_frames(connection& c, std::span<const std::byte> data);
  void on_frame(connection& c, const proto::frame& frame);
  void on_hello(connection& c, const proto::hello_frame& hello);
  void complete_handoff(connection& c);
  void attach_session(connection& c, const pending_hello& hello);
  void on_session_event(const session_event& event);
  void queue_frame(connection& c, const proto::frame& frame);
  void send_welcome(connection& c, bool resumed, const session_id& id, const session_id& resume_token);
  [[nodiscard]] connection* conn_of(session_ref ref) noexcept;

  // ---- topics (reactor_topics.cpp)
  void on_subscribe(connection& c, const proto::subscribe_frame& f);
  void on_unsubscribe(connection& c, const proto::unsubscribe_frame& f);
  void on_publish(connection& c, const proto::publish_frame& f);
  void send_ack(connection& c, const proto::ack_frame& ack);
  void on_topic_message(reactor_message&& message);
  void handle(topic_subscribe&& m);
  void handle(topic_subscribed&& m);
  void handle(topic_unsubscribe&& m);
  void handle(topic_publish&& m);
  void handle(topic_published&& m);
  void handle(event_batch&& m);
  void handle(replay_request&& m);
  void handle(replay_page&& m);
  // `shares`: the event's references for the queues that share it; none when the queues
  // copy it in (output_queue::copies).
  void deliver(std::uint32_t index, const event_ref& event, std::size_t audience, event_ref_fanout* shares);
  void request_replay(std::uint32_t index);
  void serve_behind(connection& c);
  void queue_gap(connection& c, std::string_view topic, std::uint64_t first, std::uint64_t last);
  [[nodiscard]] bool room_for_event(const connection& c, std::size_t size) const noexcept {
    return c.state == phase::attached && output_held(c) + size <= pause_threshold();
  }
  // Output a connection holds against output_queue_max: queued, and handed to the
  // kernel but not yet sent.
  [[nodiscard]] static std::size_t output_held(const connection& c) noexcept {
    return c.out.footprint() + c.sending.footprint();
  }
  // What input pausing weighs: output held plus room for the ACKs owners still owe this
  // session (they arrive after the requests were read, so they must be counted then).
  [[nodiscard]] std::size_t output_reserved(const connection& c) const noexcept;
  void answer_arrived(session_ref session);
  void drop_session_topics(std::uint32_t session_slot);
  // Posts in order: to this reactor through the local queue, built in place there (no
  // variant moved on the way); elsewhere through the inbox, or, when that is full, a
  // per-target backlog retried each iteration. Never drops; requests check request_room
  // first (see reactor_topics.cpp).
  template <class Message>
  void send_to(std::uint32_t target, Message&& message) {
    if (target == index_) {
      local_.emplace_back(std::forward<Message>(message));
      return;
    }
    send_elsewhere(target, reactor_message(std::forward<Message>(message)));
  }
  void send_elsewhere(std::uint32_t target, reactor_message&& message);
  [[nodiscard]] bool request_room(std::uint32_t target) const noexcept;
  // The backlog to `target` holds inbox_capacity messages, or events: publishes whose
  // events would go there are refused until it drains.
  [[nodiscard]] bool congested(std::uint32_t target) const noexcept {
    return backlog_[target].size() >= config_.inbox_capacity || backlog_events_[target] >= config_.inbox_capacity;
  }
  void refuse_congested(connection& c, std::uint64_t request_id, proto::frame_type type);
  void run_topic_work();
  [[nodiscard]] std::uint32_t owner_of_topic(std::string_view topic) const noexcept;

  std::uint32_t index_;
  reactor_group& group_;
  const server_config& config_;
  int listen_fd_;
  mailbox<reactor_message> inbox_;
  std::vector<std::optional<mailbox<reactor_message>::producer_token>> tokens_;  // per target, made on this thread
  struct pending_release {
    std::uint32_t target = 0;
    source_address source;
    std::uint32_t count = 0;
  };
  std::vector<pending_release> releases_to_retry_;  // one entry per (reactor, source) at most

  time_ns origin_ns_ = 0;
  slab<connection> conns_;
  timing_wheel conn_wheel_;
  session_shard sessions_;
  std::vector<session_link> links_;  // by session slot
  source_limiter sources_;
  topic_owner topics_;                // the topics this reactor owns
  subscription_table subscriptions_;  // the subscriptions of this reactor's sessions
  gcra_params publish_rate_;
  dedup_window_config dedup_config_;
  dedup_window_counters dedup_counters_;              // every session's PUBLISH window counts here
  std::vector<std::vector<event_ref>> batches_;       // by target reactor: events published this iteration
  std::vector<event_ref> spare_batch_;                // empty; the room of a batch handled here, for the next
  event_release_batch released_;                      // events sent whole, dropped at the end of each loop iteration
  std::vector<ring_queue<reactor_message>> backlog_;  // by target reactor: posts its full inbox refused
  ring_queue<reactor_message> local_;                 // messages from this reactor to itself
  ring_queue<reactor_message> local_taken_;           // local_ taken whole by run_topic_work, handled in place
  std::vector<std::size_t> backlog_events_;           // by target reactor: events in the batches of backlog_
  bool downstream_full_ = false;                      // some target is congested: check before publishing
  reactor_counters counters_;

  std::vector<std::uint32_t> dirty_;  // connections with output to flush
  std::vector<std::uint32_t> rearm_;  // connections whose multishot receive ended early
  std::uint64_t wake_value_ = 0;      // the eventfd read's target
  std::uint64_t next_ping_nonce_ = 1;
  bool accept_armed_ = false;
  time_ns accept_resume_ns_ = 0;
  time_ns woke_ns_ = 0;  // when the loop last returned from waiting; stamps input activity  // after a failed accept,
                         // when to arm it again
  std::string ring_mode_;

  // Declared last: destroyed first, so the ring is gone before the buffers it used.
  buffer_ring buffers_;
  std::unique_ptr<io_uring> ring_;
};

}  // namespace sluice
