// The protocol side of a reactor: bytes to frames, frames to session transitions, and
// session timer events to frames. See docs/protocol.md for the rules enforced here.
#include <unistd.h>

#include <cstring>

#include "engine/protocol/decoder.hpp"
#include "engine/protocol/encoder.hpp"
#include "engine/shard_router.hpp"
#include "net/csprng.hpp"
#include "net/reactor.hpp"

namespace sluice {
namespace {

// Resume tokens are compared without an early exit, so timing does not reveal how many
// leading bytes of a guess were right.
bool same_token(const session_id& a, const session_id& b) noexcept { return ((a.hi ^ b.hi) | (a.lo ^ b.lo)) == 0; }

std::uint32_t to_ms(time_ns ns) noexcept {
  const time_ns ms = ns / ns_per_ms;
  return ms > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(ms);
}

}  // namespace

void reactor::on_bytes(connection& c, std::span<const std::byte> data) {
  if (c.state == phase::closing) return;  // draining until EOF: input is ignored
  // Unparsed input is at most one partial frame (< max_frame; the decoder refuses a
  // larger length as soon as it sees it) plus one receive buffer, except in the two
  // waits below, which have their own bound.
  if (c.state == phase::handing_off || c.input_paused || !c.in.empty()) {
    c.in.insert(c.in.end(), data.begin(), data.end());
    if (c.state == phase::handing_off) {
      // Bytes after HELLO wait here only until the receive's cancellation completes;
      // a client that floods past one frame in that window is refused, not buffered.
      if (c.in.size() > config_.max_frame) {
        c.in.clear();
        c.handoff_overflow = true;
      }
      return;
    }
    if (c.input_paused) {
      // Bytes the kernel had already received when reading was paused; the receive is
      // being cancelled. They came through the receive ring, so they are bounded by what
      // it holds; past that (which the kernel should never deliver) the client is cut.
      if (c.in.size() >
          std::size_t{config_.max_frame} + std::size_t{config_.recv_buffer_count} * config_.recv_buffer_size) {
        report_misuse(c);
        begin_close(c, proto::error_code::slow_consumer, "too much input while output is full");
      }
      return;
    }
    const std::size_t used = parse_frames(c, c.in);
    if (reading(c)) c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(used));
    return;
  }
  // The common case: whole frames straight out of the provided buffer, no copy.
  const std::size_t used = parse_frames(c, data);
  if (reading(c) && used < data.size()) c.in.assign(data.begin() + static_cast<std::ptrdiff_t>(used), data.end());
}

// Handles every complete frame at the front of `data`; returns the bytes consumed.
std::size_t reactor::parse_frames(connection& c, std::span<const std::byte> data) {
  std::size_t used = 0;
  while (used < data.size()) {
    const bool answers_coming = !c.out.empty() || (c.session.valid() && links_[c.session.slot].answers_owed > 0);
    if (answers_coming && output_reserved(c) >= pause_threshold()) {
      // Answers are piling up faster than the client takes them: stop reading until
      // the output drains (on_send resumes). Below the threshold the largest answer
      // (a PONG as big as max_frame) still fits, so a client is never cut for its own
      // requests: slow_consumer is for output the server pushes.
      pause_input(c);
      return used;
    }
    const proto::decode_result r = proto::decode_frame(data.subspan(used), config_.max_frame);
    if (r.status == proto::decode_status::need_more) break;
    if (r.status == proto::decode_status::error) {
      report_misuse(c);
      begin_close(c, r.error, r.reason);
      return used;
    }
    used += r.size;
    counters_.frames_in_total.add();
    on_frame(c, r.value);
    if (c.state == phase::handing_off) {
      // Frames after HELLO belong to the session's owner: they travel with the fd.
      std::vector<std::byte> rest(data.begin() + static_cast<std::ptrdiff_t>(used), data.end());
      c.in.swap(rest);
      return data.size();
    }
    if (c.state == phase::closing) return used;
  }
  return used;
}

void reactor::on_frame(connection& c, const proto::frame& frame) {
  if (c.state == phase::handshaking) {
    if (const auto* hello = std::get_if<proto::hello_frame>(&frame)) return on_hello(c, *hello);
    report_misuse(c);
    return begin_close(c, proto::error_code::unexpected_frame, "the first frame must be HELLO");
  }
  SLUICE_DASSERT(c.state == phase::attached);
  // The wake-up time, not a clock read per frame: activity is tracked to the tick.
  (void)sessions_.touch(c.session, woke_ns_);
  if (const auto* ping = std::get_if<proto::ping_frame>(&frame)) {
    queue_frame(c, proto::pong_frame{ping->nonce, ping->payload});
  } else if (std::holds_alternative<proto::pong_frame>(frame)) {
    // The touch above is all a PONG is for.
  } else if (std::holds_alternative<proto::close_frame>(frame)) {
    const session_ref ref = c.session;  // the session ends for good
    drop_session_topics(ref.slot);
    links_[ref.slot].conn_slot = UINT32_MAX;
    c.session = {};
    (void)sessions_.close(ref);
    queue_frame(c, proto::close_frame{proto::error_code::none, {}});
    begin_close(c, proto::error_code::none, {});
  } else if (std::holds_alternative<proto::error_frame>(frame)) {
    counters_.client_errors_total.add();
    begin_close(c, proto::error_code::none, {});
  } else if (std::holds_alternative<proto::hello_frame>(frame)) {
    report_misuse(c);
    begin_close(c, proto::error_code::unexpected_frame, "HELLO was already received");
  } else if (const auto* publish = std::get_if<proto::publish_frame>(&frame)) {
    on_publish(c, *publish);
  } else if (const auto* subscribe = std::get_if<proto::subscribe_frame>(&frame)) {
    on_subscribe(c, *subscribe);
  } else if (const auto* unsubscribe = std::get_if<proto::unsubscribe_frame>(&frame)) {
    on_unsubscribe(c, *unsubscribe);
  } else {
    report_misuse(c);
    begin_close(c, proto::error_code::unexpected_frame, "frame type is server-to-client only");
  }
}

void reactor::pause_input(connection& c) {
  if (c.input_paused) return;
  c.input_paused = true;
  counters_.input_paused_total.add();
  cancel_recv(c);
}

void reactor::resume_input(connection& c) {
  SLUICE_DASSERT(c.input_paused);
  c.input_paused = false;
  if (!reading(c)) return;
  // What arrived while paused is handled first, in order; it may pause reading again.
  const std::size_t used = parse_frames(c, c.in);
  if (reading(c)) c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(used));
  if (!reading(c) || c.input_paused) return;
  if (c.peer_finished) return begin_close(c, proto::error_code::none, {});
  if (!c.recv_armed) arm_recv(c);
}

void reactor::report_misuse(connection& c) {
  if (c.source_reactor == index_) {
    sources_.report_misuse(c.source, now());
  } else {
    (void)post_to(c.source_reactor, source_misuse{c.source});  // best effort: a full inbox is counted
  }
}

void reactor::on_hello(connection& c, const proto::hello_frame& hello) {
  conn_wheel_.cancel(c.timer.node);
  pending_hello h;
  h.resume = hello.resume;
  h.last_seq = hello.last_seq;
  if (hello.resume) {
    h.id = hello.id;
    h.resume_token = hello.resume_token;
  } else {
    h.id = random_id128();
  }
  const auto reactor_count = static_cast<std::uint32_t>(group_.reactors.size());
  h.owner = shard_of(h.id, reactor_count);
  if (h.owner == index_) {
    c.state = phase::attached;
    attach_session(c, h);
    return;
  }
  // Another reactor owns the session: stop reading here; once the receive has ended,
  // the fd and whatever arrived after HELLO move there.
  // on_recv finishes the hand-off once the receive's last completion is in (possibly
  // this very completion, when the receive had already ended): never from here, which
  // runs inside the parse of this connection's input.
  c.hello = h;
  c.state = phase::handing_off;
  cancel_recv(c);
}

void reactor::complete_handoff(connection& c) {
  SLUICE_ASSERT(c.state == phase::handing_off && !c.recv_armed && !c.send_in_flight);
  if (c.handoff_overflow) {
    c.handoff_overflow = false;
    c.state = phase::attached;  // so begin_close takes the normal path
    arm_recv(c);                // and lingers: the client must see the ERROR, not a reset
    report_misuse(c);
    return begin_close(c, proto::error_code::slow_consumer, "too much input before WELCOME");
  }
  adopt_session message;
  message.fd = c.fd;
  message.source = c.source;
  message.source_reactor = c.source_reactor;
  message.resume = c.hello.resume;
  message.id = c.hello.id;
  message.resume_token = c.hello.resume_token;
  message.last_seq = c.hello.last_seq;
  message.pending = std::move(c.in);
  c.in = {};
  if (!post_to(c.hello.owner, std::move(message))) {
    c.state = phase::attached;  // so begin_close takes the normal path
    arm_recv(c);
    return begin_close(c, proto::error_code::capacity, "server busy");
  }
  counters_.handoffs_out_total.add();
  // The fd and the source slot now belong to the message; the slot is free again.
  c.fd = -1;
  c.holds_source = false;
  c.out.clear();
  conns_.release(slot_of(c));
  counters_.connections.sub();
}

void reactor::adopt(adopt_session&& message) {
  counters_.handoffs_in_total.add();
  const std::uint32_t slot = conns_.acquire();
  if (slot == decltype(conns_)::npos) {
    release_source_at(message.source_reactor, message.source);
    return refuse_unadmitted(message.fd, proto::error_code::capacity, "reactor connection slots full");
  }
  connection& c = conns_[slot];
  c.fd = message.fd;
  c.generation = static_cast<std::uint32_t>(conns_.generation(slot));
  c.state = phase::attached;
  c.source = message.source;
  c.source_reactor = message.source_reactor;
  c.holds_source = true;
  counters_.connections.add();
  pending_hello h;
  h.owner = index_;
  h.resume = message.resume;
  h.id = message.id;
  h.resume_token = message.resume_token;
  h.last_seq = message.last_seq;
  attach_session(c, h);
  arm_recv(c);  // also when refused: reading until EOF lets the client see the ERROR
  if (!message.pending.empty()) on_bytes(c, message.pending);
}

// Binds `c` to its session on this reactor: resumes it when the id and token match,
// otherwise opens a new one. Answers WELCOME, or ERROR capacity.
void reactor::attach_session(connection& c, const pending_hello& hello) {
  const time_ns t = now();
  if (hello.resume) {
    const session_ref ref = sessions_.find(hello.id);
    if (ref.valid() && same_token(links_[ref.slot].resume_token, hello.resume_token)) {
      const session* s = sessions_.get(ref);
      if (s->state() == session_state::active) {
        // The client reconnected before the server noticed the old connection die.
        if (connection* old = conn_of(ref)) {
          old->session = {};
          queue_frame(*old, proto::close_frame{proto::error_code::session_taken_over, "resumed on another connection"});
          begin_close(*old, proto::error_code::none, {});
        }
        counters_.takeovers_total.add();
        (void)sessions_.detach(ref, t);
      }
      const session_error resumed = sessions_.resume(ref, t);
      SLUICE_ASSERT(resumed == session_error::ok);
      links_[ref.slot].conn_slot = slot_of(c);
      links_[ref.slot].conn_generation = c.generation;
      c.session = ref;
      send_welcome(c, true, hello.id, links_[ref.slot].resume_token);
      // Subscriptions that missed events while it was away catch up from the history
      // (a SUBSCRIBE with FROM_SEQ right behind the HELLO moves them first).
      c.wants_replay = true;
      serve_behind(c);
      return;
    }
    counters_.resume_rejected_total.add();
  }
  // A new session. Its id must be owned here; a failed resume draws one that is.
  const auto reactor_count = static_cast<std::uint32_t>(group_.reactors.size());
  session_id id = hello.id;
  if (hello.resume) {
    do id = random_id128();
    while (shard_of(id, reactor_count) != index_);
  }
  open_result opened = sessions_.open(id, t);
  while (opened.refused == refusal::duplicate_id) {  // a 2^-128 event, but never trusted to be impossible
    do id = random_id128();
    while (shard_of(id, reactor_count) != index_);
    opened = sessions_.open(id, t);
  }
  if (opened.refused != refusal::none) {
    return begin_close(c, proto::error_code::capacity, "session table full");
  }
  // A slot is reused only once its session ended, whose topic state was dropped then,
  // except after an eviction (the slab hands the victim's slot straight back).
  drop_session_topics(opened.ref.slot);
  const session_error activated = sessions_.activate(opened.ref, t);
  SLUICE_ASSERT(activated == session_error::ok);
  session_link& link = links_[opened.ref.slot];
  link.conn_slot = slot_of(c);
  link.conn_generation = c.generation;
  link.resume_token = random_id128();
  c.session = opened.ref;
  send_welcome(c, false, id, link.resume_token);
}

void reactor::send_welcome(connection& c, bool resumed, const session_id& id, const session_id& resume_token) {
  proto::welcome_frame welcome;
  welcome.resumed = resumed;
  welcome.id = id;
  welcome.resume_token = resume_token;
  welcome.last_seq = 0;
  welcome.idle_timeout_ms = to_ms(config_.sessions.idle_timeout_ns);
  welcome.resume_window_ms = to_ms(config_.sessions.resume_window_ns);
  welcome.max_frame = config_.max_frame;
  queue_frame(c, welcome);
}

reactor::connection* reactor::conn_of(session_ref ref) noexcept {
  const session_link& link = links_[ref.slot];
  if (link.conn_slot == UINT32_MAX) return nullptr;
  connection* c = live(link.conn_slot, link.conn_generation);
  return c != nullptr && c->session == ref ? c : nullptr;
}

void reactor::on_session_event(const session_event& event) {
  switch (event.kind) {
    case session_event_kind::ping_due:
      if (connection* c = conn_of(event.ref)) queue_frame(*c, proto::ping_frame{next_ping_nonce_++, {}});
      return;
    case session_event_kind::idle_timeout:  // the shard has detached the session already
    case session_event_kind::handshake_timeout:
      if (connection* c = conn_of(event.ref)) {
        links_[event.ref.slot].conn_slot = UINT32_MAX;
        c->session = {};
        begin_close(*c,
                    event.kind == session_event_kind::idle_timeout ? proto::error_code::idle_timeout
                                                                   : proto::error_code::handshake_timeout,
                    "no traffic in time");
      }
      return;
    case session_event_kind::expired:
      drop_session_topics(event.ref.slot);
      links_[event.ref.slot] = {};
      return;
  }
}

// Appends a frame to the connection's output. The output is bounded: a client that
// does not read is dropped (slow_consumer) rather than buffered without limit.
void reactor::queue_frame(connection& c, const proto::frame& frame) {
  if (c.write_shut) return;
  const std::size_t size = proto::encoded_size(frame);
  if (output_held(c) + size > config_.output_queue_max) {
    counters_.slow_consumer_total.add();
    c.out.clear();
    if (c.state != phase::closing) begin_close(c, proto::error_code::slow_consumer, "output queue full");
    return;
  }
  proto::encode_frame(frame, c.out.append_bytes(size));
  counters_.frames_out_total.add();
  mark_dirty(c);
}

}  // namespace sluice
