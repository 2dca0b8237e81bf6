// One client thread's sockets on one io_uring: a multishot receive per socket into
// provided buffers, and queued sends, so the harness pays no system call per read or
// per write; everything queued goes to the kernel with the next poll. With recv() and
// send() per socket the harness made a call per socket per round of deliveries, and on
// a virtualised host each call's entry and exit cost as much as the work (docs/load.md,
// "What the harness costs").
//
// Receive bounds: `buffer_count` buffers of `buffer_size` bytes, fixed at open(). When
// all are in use the kernel ends a socket's receive with -ENOBUFS; the data stays in
// the socket, the receive is re-armed after the buffers in hand are given back, and
// exhausted_total() counts it.
//
// Sends: what send() queues during a poll's callbacks goes out with the next poll, one
// send per socket for all of it, as the server batches its output: a publisher whose
// window opens a message at a time while the poll's receipts are handled sends them
// together instead of the first alone and the rest after it.
//
// Send bounds: per socket one send in flight, and at most send_queue_max bytes not yet
// taken by the kernel (the rest of the one in flight and what waits behind it); send()
// refuses what would go beyond. Callers that produce without limit (an
// open-loop publisher) hold back while queued_bytes() is high.
//
// Arrival times (receive_arrival_times()): each socket is set to SO_TIMESTAMPNS and
// received with a multishot recvmsg, and arrival_realtime_ns() gives, during on_data,
// the kernel's time (CLOCK_REALTIME) for when the chunk's last segment reached the
// socket. A latency measured to it leaves out how long the chunk then waited for this
// thread, so a harness that is busy does not add its own delay to the server's.
//
// Doorbell: another thread can end a wait early by ringing the doorbell (doorbell.hpp)
// whose eventfd the ring reads; the poll that sees it sets take_doorbell().
//
// Thread: open(), watch(), send() and poll() on the thread that does the IO (the ring
// is created for a single issuer).
#pragma once

#include <liburing.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/assert.hpp"
#include "net/buffer_ring.hpp"
#include "tools/load/doorbell.hpp"

namespace sluice::load {

class client_ring {
 public:
  static constexpr std::size_t send_queue_max = 64 << 20;

  client_ring() = default;
  client_ring(const client_ring&) = delete;
  client_ring& operator=(const client_ring&) = delete;
  ~client_ring();

  // Returns an empty string, or what failed.
  [[nodiscard]] std::string open(std::uint32_t buffer_count, std::uint32_t buffer_size);

  // With DEFER_TASKRUN the kernel runs at most max(20, wait_nr) ready completions (a
  // receive whose data came) per io_uring_enter, so a wait for one hands over at most
  // 20. From this call on, each poll first takes up to `completions` without waiting,
  // one system call more when none are ready. For a connect storm, whose answers
  // otherwise queue behind the next connects (at once, 5,000: connect p50 10-29 ms
  // against 42-60 ms); the fan-outs measured no better with it (docs/load.md).
  void drain_before_wait(unsigned completions) noexcept { drain_max_ = completions; }

  // Before watch(): receive with the kernel's arrival time of each chunk (see above).
  void receive_arrival_times() noexcept {
    SLUICE_ASSERT(fds_.empty());
    arrival_times_ = true;
    recvmsg_shape_.msg_controllen = CMSG_SPACE(sizeof(timespec));
  }
  // During on_data: when the chunk's last segment reached the socket, in CLOCK_REALTIME
  // nanoseconds; 0 when not known (receive_arrival_times() not called, or the kernel
  // gave no time).
  [[nodiscard]] std::uint64_t arrival_realtime_ns() const noexcept { return arrival_realtime_ns_; }

  // Starts receiving on `fd`, reported as `index`.
  void watch(std::uint32_t index, int fd);

  // Reads the doorbell's eventfd for as long as the ring is open; `bell` outlives the ring.
  void watch_doorbell(doorbell& bell);
  // True once per poll that saw the doorbell's eventfd read complete.
  [[nodiscard]] bool take_doorbell() noexcept { return std::exchange(doorbell_rang_, false); }
  // The read of the doorbell's eventfd failed (a negative errno) and is not re-armed; 0 if not.
  [[nodiscard]] int doorbell_error() const noexcept { return doorbell_error_; }

  // Queues `bytes` for socket `index` (watched), after everything queued before.
  // Returns false, queuing nothing, when more than send_queue_max bytes would wait.
  [[nodiscard]] bool send(std::uint32_t index, std::string_view bytes);
  // Bytes queued for `index` and not yet taken by the kernel.
  [[nodiscard]] std::size_t queued_bytes(std::uint32_t index) const noexcept {
    const outgoing& o = out_[index];
    return o.queued.size() + (o.sending.size() - o.sent);
  }

  // Submits what is queued, waits at most `timeout` for completions, then hands over
  // everything received: on_data(index, bytes) per chunk (the bytes are valid only
  // during the call); on_end(index, result) when a socket's receive ends for good (the
  // peer closed: 0, or a negative errno; it is not re-armed) and when a send fails (a
  // negative errno; what was queued for the socket is dropped).
  template <class on_data_fn, class on_end_fn>
  void poll(std::chrono::nanoseconds timeout, on_data_fn&& on_data, on_end_fn&& on_end) {
    wait(timeout);
    unsigned head = 0;
    unsigned seen = 0;
    io_uring_cqe* cqe = nullptr;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      arrival_realtime_ns_ = 0;
      if (cqe->user_data == doorbell_tag) {
        on_doorbell(cqe->res);
        continue;
      }
      const auto index = static_cast<std::uint32_t>(cqe->user_data & ~send_tag);
      if (cqe->user_data & send_tag) {
        if (!on_sent(index, cqe->res)) on_end(index, cqe->res);
        continue;
      }
      int result = cqe->res;
      if (result > 0) {
        SLUICE_ASSERT(cqe->flags & IORING_CQE_F_BUFFER);
        const auto id = static_cast<std::uint16_t>(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
        const std::span<const std::byte> bytes = buffers_.view(id, static_cast<std::size_t>(result));
        const std::string_view data = arrival_times_ ? unwrap_recvmsg(bytes) : as_chars(bytes);
        if (data.empty()) {
          result = 0;  // a recvmsg's EOF: its header and no payload
        } else {
          on_data(index, data);
        }
        buffers_.give_back(id);
      }
      if (cqe->flags & IORING_CQE_F_MORE) continue;
      // The multishot receive ended: for want of buffers (or after data, which the
      // kernel may do at any time) it is armed again; at EOF or on an error it stays off.
      if (result > 0 || result == -ENOBUFS) {
        if (result == -ENOBUFS) ++exhausted_total_;
        rearm_.push_back(index);
      } else {
        on_end(index, result);
      }
    }
    io_uring_cq_advance(&ring_, seen);
    for (const std::uint32_t index : rearm_) arm_recv(index);
    rearm_.clear();
  }

  [[nodiscard]] std::uint64_t exhausted_total() const noexcept { return exhausted_total_; }

 private:
  static constexpr std::uint64_t send_tag = std::uint64_t{1} << 63;
  static constexpr std::uint64_t doorbell_tag = std::uint64_t{1} << 62;

  struct outgoing {
    std::string queued;   // waits for the send in flight
    std::string sending;  // in flight from `sent` on; stable until it completes
    std::size_t sent = 0;
    bool in_flight = false;
    bool dirty = false;  // in dirty_
  };

  static std::string_view as_chars(std::span<const std::byte> bytes) noexcept {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }
  // A recvmsg's buffer: its payload, and its arrival time into arrival_realtime_ns_.
  [[nodiscard]] std::string_view unwrap_recvmsg(std::span<const std::byte> bytes) noexcept;

  [[nodiscard]] io_uring_sqe* next_sqe();
  void arm_recv(std::uint32_t index);
  void submit_send(std::uint32_t index);
  // A send completed with `result`; false when it failed.
  [[nodiscard]] bool on_sent(std::uint32_t index, int result);
  void mark_dirty(std::uint32_t index);  // has queued bytes for the next flush_sends()
  void flush_sends();
  void wait(std::chrono::nanoseconds timeout);  // flushes, submits, waits
  void arm_doorbell();
  void on_doorbell(int result);

  io_uring ring_{};
  bool ring_open_ = false;
  buffer_ring buffers_;
  std::vector<int> fds_;  // by index; -1 for none
  // A deque: growing it for a new socket must not move a `sending` the kernel still
  // reads (a short string lives inside its element).
  std::deque<outgoing> out_;
  std::vector<std::uint32_t> rearm_;
  std::vector<std::uint32_t> dirty_;  // sockets with queued bytes and no send in flight
  std::uint64_t exhausted_total_ = 0;
  unsigned drain_max_ = 0;
  bool arrival_times_ = false;
  msghdr recvmsg_shape_{};  // what each recvmsg buffer holds before its payload
  std::uint64_t arrival_realtime_ns_ = 0;
  doorbell* doorbell_ = nullptr;
  bool doorbell_rang_ = false;
  int doorbell_error_ = 0;
};

}  // namespace sluice::load
