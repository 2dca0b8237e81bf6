#include "net/reactor.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "engine/hash.hpp"
#include "engine/protocol/encoder.hpp"
#include "engine/shard_router.hpp"
#include "net/csprng.hpp"
#include "net/listener.hpp"
#include "net/log.hpp"
#include "net/uring.hpp"

namespace sluice {
namespace {

constexpr std::size_t inbox_drain_max = 1024;         // per loop iteration: timers and io get their turn
constexpr std::size_t local_slice = 256;              // local topic messages that are published before reading on
constexpr time_ns linger_ns = 2 * ns_per_s;           // after our last byte, how long we read until the peer's EOF
constexpr time_ns close_deadline_ns = 10 * ns_per_s;  // a close never takes longer, even if the peer stops reading
constexpr time_ns accept_pause_ns = 10 * ns_per_ms;   // after a failed accept (EMFILE, ENOMEM) before re-arming
constexpr std::size_t idle_buffer_keep = 64 * 1024;   // output buffer capacity kept between bursts
constexpr std::size_t iov_max = 1024;                 // IOV_MAX on Linux: segments per sendmsg

time_ns monotonic_ns() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<time_ns>(ts.tv_sec) * ns_per_s + static_cast<time_ns>(ts.tv_nsec);
}

session_shard_config shard_config(const server_config& config, std::uint64_t seed) {
  session_shard_config c = config.sessions;
  c.hash_seed = seed;
  c.wheel.origin_ns = monotonic_ns();
  return c;
}

source_limiter_config limiter_config(const server_config& config, std::uint64_t seed) {
  source_limiter_config c = config.sources;
  c.hash_seed = seed;
  return c;
}

proto::error_code code_of(refusal why) noexcept {
  switch (why) {
    case refusal::rate:
      return proto::error_code::rate_limited;
    case refusal::penalty:
      return proto::error_code::penalized;
    case refusal::concurrency:
      return proto::error_code::too_many_connections;
    default:
      return proto::error_code::capacity;
  }
}

}  // namespace

reactor::reactor(std::uint32_t index, reactor_group& group, int listen_fd)
    : index_(index),
      group_(group),
      config_(group.config),
      listen_fd_(listen_fd),
      inbox_(group.config.inbox_capacity),
      conns_(std::min<std::uint32_t>(group.config.max_connections, slot_limit - 1)),
      conn_wheel_({.tick_ns = group.config.sessions.wheel.tick_ns, .origin_ns = monotonic_ns()}),
      sessions_(shard_config(group.config, random_u64())),
      links_(group.config.sessions.sessions_max),
      sources_(limiter_config(group.config, random_u64())),
      topics_(group.config.topics, random_u64()),
      subscriptions_(group.config.topics.subscriptions_max, group.config.topics.session_subscriptions_max,
                     group.config.sessions.sessions_max, random_u64()),
      publish_rate_(gcra_params::from_rate(group.config.topics.publish_rate_per_s, group.config.topics.publish_burst)),
      dedup_config_{.entries_max = group.config.topics.dedup_entries,
                    .ttl_ns = group.config.topics.dedup_ttl_ns,
                    .hash_seed = random_u64()} {
  origin_ns_ = monotonic_ns();
  for (std::uint32_t slot = 0; slot < conns_.capacity(); ++slot) conns_[slot].timer.slot = slot;
}

reactor::~reactor() {
  if (ring_) io_uring_queue_exit(ring_.get());
  for (std::uint32_t slot = 0; slot < conns_.capacity(); ++slot) {
    if (conns_[slot].fd >= 0) ::close(conns_[slot].fd);
  }
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void reactor::run(std::atomic<int>& ready_count, std::string& setup_error) {
  event_block_cache event_blocks;  // this thread's freed events, recycled for its publishes
  const event_block_cache::scope event_blocks_scope(event_blocks);
  auto report_ready = [&ready_count] {
    ready_count.fetch_add(1, std::memory_order_release);
    ready_count.notify_all();
  };
  ring_ = std::make_unique<io_uring>();
  const uring_setup_result setup = setup_uring(*ring_, config_.ring_entries);
  if (setup.error != 0) {
    ring_.reset();
    setup_error = std::string("io_uring set-up failed: ") + std::strerror(-setup.error);
    return report_ready();
  }
  ring_mode_ = setup.mode;
  if (const int error = buffers_.setup(*ring_, config_.recv_buffer_count, config_.recv_buffer_size); error != 0) {
    setup_error = std::string("provided buffer ring set-up failed: ") + std::strerror(-error);
    io_uring_queue_exit(ring_.get());
    ring_.reset();
    return report_ready();
  }
  tokens_.resize(group_.reactors.size());
  batches_.resize(group_.reactors.size());
  backlog_.resize(group_.reactors.size());
  backlog_events_.resize(group_.reactors.size());
  arm_accept();
  arm_wake();
  report_ready();

  const time_ns tick = config_.sessions.wheel.tick_ns;  // the longest sleep: timers are due at most a tick later
  __kernel_timespec wait{.tv_sec = static_cast<long long>(tick / ns_per_s),
                         .tv_nsec = static_cast<long long>(tick % ns_per_s)};
  while (!group_.stopping.load(std::memory_order_acquire)) {
    flush_sends();
    io_uring_cqe* first = nullptr;
    const int waited = io_uring_submit_and_wait_timeout(ring_.get(), &first, 1, &wait, nullptr);
    woke_ns_ = now();
    if (waited < 0 && waited != -ETIME && waited != -EINTR && waited != -EBUSY) {
      log_line(log_level::error,
               "reactor " + std::to_string(index_) + ": io_uring wait failed: " + std::strerror(-waited));
    }
    unsigned head = 0;
    unsigned seen = 0;
    io_uring_cqe* cqe = nullptr;
    io_uring_for_each_cqe(ring_.get(), head, cqe) {
      handle_completion(*cqe);
      ++seen;
      // A large input batch is published in slices: an event is filed and delivered
      // while it is still in cache, not after thousands of others were made. (50
      // pipelining publishers with 256 in flight: the owner's first touch of each event
      // was a cache miss and 10% of the reactor's time, measured with perf.)
      if (local_.size() >= local_slice) run_topic_work();
    }
    io_uring_cq_advance(ring_.get(), seen);

    for (const std::uint32_t slot : rearm_) {
      connection& c = conns_[slot];
      if (c.fd >= 0 && !c.recv_armed && c.state != phase::handing_off && !c.input_paused) arm_recv(c);
    }
    rearm_.clear();
    if (!accept_armed_ && now() >= accept_resume_ns_) arm_accept();
    inbox_.drain(inbox_drain_max, [&](reactor_message&& m) { on_message(std::move(m)); });
    retry_source_releases();
    run_topic_work();

    const time_ns t = now();
    conn_wheel_.advance(t, config_.expiry_work_max,
                        [&](timer_node& node) { on_conn_timer(conns_[reinterpret_cast<conn_timer&>(node).slot]); });
    sessions_.advance(t, config_.expiry_work_max, [&](const session_event& e) { on_session_event(e); });
    released_.flush();
  }
  released_.flush();  // into this thread's block cache while it is installed

  // Stopping: every fd this reactor holds is closed; the ring's teardown cancels what
  // is in flight. (Draining with GOAWAY comes with the lifecycle work.)
  for (std::uint32_t slot = 0; slot < conns_.capacity(); ++slot) {
    connection& c = conns_[slot];
    if (c.fd < 0) continue;
    ::close(c.fd);
    c.fd = -1;
  }
  discard_inbox();
  io_uring_queue_exit(ring_.get());
  ring_.reset();
}

void reactor::discard_inbox() {
  // Connections still travelling to this reactor are closed, or their fds would leak.
  while (inbox_.drain(inbox_drain_max, [](reactor_message&& m) {
    if (const auto* a = std::get_if<adopt_connection>(&m)) ::close(a->fd);
    if (const auto* s = std::get_if<adopt_session>(&m)) ::close(s->fd);
  }) > 0) {
  }
}

time_ns reactor::now() const noexcept { return monotonic_ns(); }

io_uring_sqe* reactor::next_sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
  for (int attempt = 0; sqe == nullptr; ++attempt) {
    // The submission queue is full: hand it to the kernel and take a fresh entry. A
    // kernel that keeps refusing submissions leaves the reactor unable to do anything.
    const int submitted = io_uring_submit(ring_.get());
    SLUICE_ASSERT(submitted >= 0 || attempt < 1000);
    sqe = io_uring_get_sqe(ring_.get());
  }
  return sqe;
}

void reactor::arm_accept() {
  if (group_.stopping.load(std::memory_order_relaxed)) return;
  io_uring_sqe* sqe = next_sqe();
  io_uring_prep_multishot_accept(sqe, listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  io_uring_sqe_set_data64(sqe, encode_tag(op_kind::accept, 0, 0));
  accept_armed_ = true;
}

void reactor::arm_wake() {
  io_uring_sqe* sqe = next_sqe();
  io_uring_prep_read(sqe, inbox_.wake_fd(), &wake_value_, sizeof wake_value_, 0);
  io_uring_sqe_set_data64(sqe, encode_tag(op_kind::wake, 0, 0));
}

void reactor::arm_recv(connection& c) {
  SLUICE_DASSERT(!c.recv_armed && c.fd >= 0);
  io_uring_sqe* sqe = next_sqe();
  io_uring_prep_recv_multishot(sqe, c.fd, nullptr, 0, 0);
  sqe->flags |= IOSQE_BUFFER_SELECT;
  sqe->buf_group = buffer_ring::group_id;
  io_uring_sqe_set_data64(sqe, encode_tag(op_kind::recv, slot_of(c), c.generation));
  c.recv_armed = true;
}

void reactor::cancel_recv(connection& c) {
  if (!c.recv_armed) return;
  io_uring_sqe* sqe = next_sqe();
  io_uring_prep_cancel64(sqe, encode_tag(op_kind::recv, slot_of(c), c.generation), 0);
  io_uring_sqe_set_data64(sqe, encode_tag(op_kind::cancel, 0, 0));
}

reactor::connection* reactor::live(std::uint32_t slot, std::uint32_t generation) noexcept {
  if (slot >= conns_.capacity()) return nullptr;
  connection& c = conns_[slot];
  if (c.fd < 0 || c.generation != generation) return nullptr;
  return &c;
}

void reactor::handle_completion(const io_uring_cqe& cqe) {
  const op_tag tag = decode_tag(cqe.user_data);
  const bool more = (cqe.flags & IORING_CQE_F_MORE) != 0;
  switch (tag.kind) {
    case op_kind::accept:
      on_accept(cqe.res, more);
      return;
    case op_kind::wake:
      inbox_.note_woken();
      arm_wake();
      return;
    case op_kind::recv: {
      connection* c = live(tag.slot, tag.generation);
      if (c != nullptr) {
        on_recv(*c, cqe);
      } else if ((cqe.flags & IORING_CQE_F_BUFFER) != 0) {
        buffers_.give_back(static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT));
      }
      return;
    }
    case op_kind::send:
      if (connection* c = live(tag.slot, tag.generation)) on_send(*c, cqe.res);
      return;
    case op_kind::cancel:
    case op_kind::close_listener:
      return;
  }
}

void reactor::on_accept(int result, bool more) {
  if (!more) accept_armed_ = false;  // re-armed at the end of this loop iteration
  if (result < 0) {
    counters_.accept_errors_total.add();
    // Out of fds or memory: re-arming at once would fail at once and spin the loop.
    if (!more) accept_resume_ns_ = now() + accept_pause_ns;
    return;
  }
  const int fd = result;
  counters_.accepted_total.add();
  SLUICE_DASSERT(has_nodelay(fd));  // inherited from the listener (open_listener)
  // The server-wide cap comes first, before any slot, buffer or message is spent.
  if (group_.connections.fetch_add(1, std::memory_order_acq_rel) >= config_.max_connections) {
    refuse_unadmitted(fd, proto::error_code::capacity, "server connection limit reached");
    return;
  }
  source_address source;
  if (!peer_address(fd, source)) {  // the peer is already gone
    group_.connections.fetch_sub(1, std::memory_order_acq_rel);
    ::close(fd);
    return;
  }
  const std::uint32_t owner = owner_of_source(source);
  if (owner == index_) {
    admit(fd, source);
    return;
  }
  if (!post_to(owner, adopt_connection{fd, source})) refuse_unadmitted(fd, proto::error_code::capacity, "server busy");
}

std::uint32_t reactor::owner_of_source(const source_address& source) const noexcept {
  return reduce_to_range(hash_bytes(source.bytes.data(), source.bytes.size(), group_.source_seed),
                         static_cast<std::uint32_t>(group_.reactors.size()));
}

bool reactor::post_to(std::uint32_t target, reactor_message&& message) {
  reactor& to = *group_.reactors[target];
  if (!tokens_[target]) tokens_[target].emplace(to.inbox().make_token());
  if (to.inbox().post(*tokens_[target], std::move(message))) return true;
  counters_.inbox_full_total.add();
  return false;
}

// Source admission runs on the reactor that owns the source, so its counts are exact.
void reactor::admit(int fd, const source_address& source) {
  if (group_.stopping.load(std::memory_order_relaxed)) {
    return refuse_unadmitted(fd, proto::error_code::shutting_down, "shutting down");
  }
  const refusal why = sources_.admit(source, now());
  if (why != refusal::none) return refuse_unadmitted(fd, code_of(why), refusal_name(why));
  const std::uint32_t slot = conns_.acquire();
  if (slot == decltype(conns_)::npos) {
    sources_.release(source);
    return refuse_unadmitted(fd, proto::error_code::capacity, "reactor connection slots full");
  }
  connection& c = conns_[slot];
  c.fd = fd;
  c.generation = static_cast<std::uint32_t>(conns_.generation(slot));
  c.state = phase::handshaking;
  c.source = source;
  c.source_reactor = index_;
  c.holds_source = true;
  counters_.connections.add();
  conn_wheel_.schedule(c.timer.node, now() + config_.sessions.handshake_timeout_ns);
  arm_recv(c);
}

// A refusal before the connection has a slot: one best-effort write of the ERROR frame
// (a fresh socket's send buffer is empty, so it does not block), then close. The fd
// counted in the server-wide total, which it leaves here.
void reactor::refuse_unadmitted(int fd, proto::error_code code, std::string_view reason) {
  group_.connections.fetch_sub(1, std::memory_order_acq_rel);
  counters_.errors_sent_total[static_cast<std::size_t>(code)].add();
  std::array<std::byte, proto::header_size + 2 + proto::reason_max> frame_bytes;
  const proto::frame frame = proto::error_frame{code, reason};
  const std::size_t size = proto::encode_frame(frame, frame_bytes);
  [[maybe_unused]] const ssize_t written = ::send(fd, frame_bytes.data(), size, MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
}

void reactor::on_recv(connection& c, const io_uring_cqe& cqe) {
  const bool more = (cqe.flags & IORING_CQE_F_MORE) != 0;
  if (!more) c.recv_armed = false;
  bool ended = false;  // the peer sends no more
  if (cqe.res > 0) {
    SLUICE_ASSERT((cqe.flags & IORING_CQE_F_BUFFER) != 0);
    const auto id = static_cast<std::uint16_t>(cqe.flags >> IORING_CQE_BUFFER_SHIFT);
    counters_.bytes_in_total.add(static_cast<std::uint64_t>(cqe.res));
    on_bytes(c, buffers_.view(id, static_cast<std::size_t>(cqe.res)));
    buffers_.give_back(id);
  } else if (cqe.res == -ENOBUFS) {
    counters_.recv_nobufs_total.add();
  } else if (cqe.res == -ECANCELED) {
    // Cancelled for a hand-off, a pause or the end of a linger: nothing arrived.
  } else {
    ended = true;
  }
  if (ended && c.input_paused && c.state == phase::attached) {
    c.peer_finished = true;  // the input already read is still answered when reading resumes
  } else if (ended && c.state != phase::closing && c.state != phase::handing_off) {
    // EOF or a socket error. What is queued still goes out (a CLOSE reply after the
    // client's half-close); a dead socket fails the send instead.
    begin_close(c, proto::error_code::none, {});
  }
  // A receive that ended for any other reason is re-armed, unless the connection is
  // moving to another reactor, reading is paused, or a cancellation ended a linger.
  const bool wanted = c.state == phase::closing ? cqe.res != -ECANCELED : reading(c) && !c.input_paused;
  if (!ended && !c.recv_armed && wanted) rearm_.push_back(slot_of(c));
  if (c.state == phase::handing_off && !c.recv_armed) complete_handoff(c);
  if (c.state == phase::closing) maybe_finish(c);
}

void reactor::flush_sends() {
  for (const std::uint32_t slot : dirty_) {
    connection& c = conns_[slot];
    c.in_dirty_list = false;
    if (c.fd < 0 || c.send_in_flight || c.out.empty() || c.write_shut) continue;
    c.out.swap(c.sending);
    submit_send(c);
  }
  dirty_.clear();
}

// One sendmsg for everything in `sending` (up to IOV_MAX segments; the rest follows as
// soon as it completes).
void reactor::submit_send(connection& c) {
  SLUICE_DASSERT(!c.send_in_flight && !c.sending.empty());
  c.sending.fill_iovecs(c.iov, iov_max);
  c.message = msghdr{};
  c.message.msg_iov = c.iov.data();
  c.message.msg_iovlen = c.iov.size();
  io_uring_sqe* sqe = next_sqe();
  io_uring_prep_sendmsg(sqe, c.fd, &c.message, MSG_NOSIGNAL);
  io_uring_sqe_set_data64(sqe, encode_tag(op_kind::send, slot_of(c), c.generation));
  c.send_in_flight = true;
  counters_.sends_total.add();
}

void reactor::on_send(connection& c, int result) {
  c.send_in_flight = false;
  if (result < 0) {
    c.out.clear();
    c.sending.clear();
    c.write_shut = true;
    if (c.state != phase::closing) begin_close(c, proto::error_code::none, {});
    maybe_finish(c);
    return;
  }
  counters_.bytes_out_total.add(static_cast<std::uint64_t>(result));
  c.sending.consume(static_cast<std::size_t>(result), released_);
  // A short send (or more segments than one sendmsg takes): the rest goes now, before
  // anything newer.
  if (!c.sending.empty()) return submit_send(c);
  c.sending.reset(idle_buffer_keep);
  if (output_reserved(c) <= pause_threshold() / 2) {
    if (c.input_paused) resume_input(c);
    if (c.wants_replay && c.fd >= 0) serve_behind(c);
  }
  if (!c.out.empty()) return mark_dirty(c);
  if (c.state == phase::closing) shut_write_and_linger(c);  // the last frames are out
}

void reactor::mark_dirty(connection& c) {
  if (c.in_dirty_list) return;
  c.in_dirty_list = true;
  dirty_.push_back(slot_of(c));
}

void reactor::on_message(reactor_message&& message) {
  if (auto* m = std::get_if<adopt_connection>(&message)) {
    admit(m->fd, m->source);
  } else if (auto* s = std::get_if<adopt_session>(&message)) {
    adopt(std::move(*s));
  } else if (auto* r = std::get_if<release_source>(&message)) {
    for (std::uint32_t i = 0; i < r->count; ++i) sources_.release(r->source);
  } else if (auto* misuse = std::get_if<source_misuse>(&message)) {
    sources_.report_misuse(misuse->source, now());
  } else {
    on_topic_message(std::move(message));
  }
}

void reactor::release_source_of(connection& c) {
  if (!c.holds_source) return;
  c.holds_source = false;
  release_source_at(c.source_reactor, c.source);
}

void reactor::release_source_at(std::uint32_t target, const source_address& source) {
  if (target == index_) return sources_.release(source);
  if (post_to(target, release_source{source, 1})) return;
  // Never dropped: the source's count would stay too high for good. Releases for the
  // same source coalesce into one entry with a count, so the list holds at most one
  // entry per (reactor, source) pair, however many connections end meanwhile.
  for (pending_release& p : releases_to_retry_) {
    if (p.target == target && p.source == source) {
      ++p.count;
      return;
    }
  }
  releases_to_retry_.push_back({target, source, 1});
}

void reactor::retry_source_releases() {
  std::erase_if(releases_to_retry_, [&](const pending_release& p) {
    return post_to(p.target, release_source{p.source, p.count});
  });
}

// Ends a connection: the session (if any) is detached and stays resumable, the source
// slot is released, an ERROR goes out when `code` says so, and the socket is closed
// once the output is flushed and the peer has had time to read it.
void reactor::begin_close(connection& c, proto::error_code code, std::string_view reason) {
  if (c.state == phase::closing) return;
  if (c.session.valid()) {
    links_[c.session.slot].conn_slot = UINT32_MAX;
    (void)sessions_.detach(c.session, now());  // wrong_state when the shard already detached it
    c.session = {};
  }
  release_source_of(c);
  // The flush and the linger below are bounded: a peer that neither reads nor closes is
  // cut at this deadline (see on_conn_timer), so a slot can never be held for good.
  conn_wheel_.schedule(c.timer.node, now() + close_deadline_ns);
  c.state = phase::closing;
  if (code != proto::error_code::none) {
    counters_.errors_sent_total[static_cast<std::size_t>(code)].add();
    queue_frame(c, proto::error_frame{code, reason});
  }
  if (c.out.empty() && !c.send_in_flight) shut_write_and_linger(c);
}

void reactor::shut_write_and_linger(connection& c) {
  if (!c.write_shut) {
    ::shutdown(c.fd, SHUT_WR);
    c.write_shut = true;
  }
  // Reading on until the peer's EOF lets it receive everything we sent: closing with
  // unread input would make the kernel reset the connection and drop our last frames.
  if (c.recv_armed) {
    conn_wheel_.schedule(c.timer.node, now() + linger_ns);
  } else {
    maybe_finish(c);
  }
}

void reactor::maybe_finish(connection& c) {
  if (c.state != phase::closing || c.recv_armed || c.send_in_flight || !c.write_shut) return;
  conn_wheel_.cancel(c.timer.node);
  ::close(c.fd);
  c.fd = -1;
  c.in.clear();
  c.out.reset(idle_buffer_keep);
  c.sending.reset(idle_buffer_keep);
  if (c.in.capacity() > idle_buffer_keep) std::vector<std::byte>().swap(c.in);
  c.write_shut = false;
  c.input_paused = false;
  c.peer_finished = false;
  c.wants_replay = false;
  c.handoff_overflow = false;
  c.session = {};
  conns_.release(slot_of(c));
  counters_.connections.sub();
  counters_.connections_closed_total.add();
  group_.connections.fetch_sub(1, std::memory_order_acq_rel);
}

void reactor::on_conn_timer(connection& c) {
  if (c.fd < 0) return;
  if (c.state == phase::handshaking) {
    begin_close(c, proto::error_code::handshake_timeout, "no HELLO in time");
  } else if (c.state == phase::closing) {
    // Linger or close deadline over. Shutting both directions fails a send the peer
    // never drained and ends the receive; their completions finish the close.
    ::shutdown(c.fd, SHUT_RDWR);
    c.out.clear();
    if (!c.send_in_flight) c.write_shut = true;
    cancel_recv(c);
    maybe_finish(c);
  }
}

}  // namespace sluice
