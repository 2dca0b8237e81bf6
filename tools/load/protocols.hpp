// The wire protocols sluice-load speaks, so that one workload runs unchanged against
// sluice (native frames), Redis (RESP pub/sub) and NATS (its text protocol).
//
// Each protocol has an opening (what a client sends once connected, as a publisher or as
// a subscriber of one topic) and recognises the server's answer that completes it; it
// encodes a publish; and it parses what a server sends into deliveries (topic, payload)
// plus any reply the protocol owes the server (a NATS PONG). The opening is split into
// steps so that a storm can run thousands of them at once without blocking;
// open_connection() runs one to the end.
//
// Thread: one protocol object per thread (sluice numbers its requests).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "tools/load/route.hpp"

namespace sluice::load {

enum class target_kind { sluice, redis, nats };

// The longest message a server may send the harness (a frame, a RESP string, a NATS
// payload or line): one that is longer, or that has not ended within this many bytes,
// is an error rather than a reason to buffer more.
inline constexpr std::size_t max_message_bytes = std::size_t{1} << 24;
// The longest answer to an opening (NATS's INFO is the longest, a few hundred bytes).
inline constexpr std::size_t max_opening_bytes = std::size_t{64} << 10;

enum class opening_status { pending, done, failed };

class delivery_sink {
 public:
  virtual void on_delivery(std::string_view topic, std::string_view payload) = 0;

 protected:
  ~delivery_sink() = default;
};

// Takes deliveries and drops them: for connections whose input only needs parsing
// (publishers: answers owed to the server, errors).
class discard_deliveries final : public delivery_sink {
 public:
  void on_delivery(std::string_view, std::string_view) override {}
};

class protocol {
 public:
  virtual ~protocol() = default;
  // What a client sends once connected: a session, and for a subscriber its subscription.
  virtual void encode_opening(std::string& out, bool subscriber, std::string_view topic) const = 0;
  // Whether `in` (everything received so far) holds the server's full answer to the
  // opening; `used` is then how much of `in` it took.
  [[nodiscard]] virtual opening_status parse_opening(std::string_view in, bool subscriber, std::size_t& used,
                                                     std::string& error) const = 0;
  virtual void encode_publish(std::string& out, std::string_view topic, std::string_view payload) const = 0;
  // What a client sends to end its session for good before it closes the connection
  // (sluice: CLOSE, so the server does not keep the session for a resume); may be empty.
  virtual void encode_goodbye(std::string& out) const = 0;
  // Consumes the complete messages at the front of `in`; returns the bytes consumed.
  // Sets `error` on input that is not the protocol; appends owed replies to `reply`.
  [[nodiscard]] virtual std::size_t parse(std::string_view in, delivery_sink& sink, std::string& reply,
                                          std::string& error) const = 0;
};

[[nodiscard]] std::unique_ptr<protocol> make_protocol(target_kind kind);
[[nodiscard]] std::string_view target_name(target_kind kind);

// Connects connection number `connection` of its workload (blocking, within `timeout`)
// and runs the opening to the end. Returns the connected non-blocking socket, or -1
// with `error` set.
[[nodiscard]] int open_connection(const protocol& proto, const route& to, std::size_t connection, bool subscriber,
                                  std::string_view topic, std::chrono::milliseconds timeout, std::string& error);

// Sends the protocol's goodbye (best effort, never blocking) and closes `fd`.
void close_connection(const protocol& proto, int fd);

// Starts a non-blocking connect for connection number `connection` of its workload
// (which picks its source address); -1 with `error` set when it cannot start.
[[nodiscard]] int start_connect(const route& to, std::size_t connection, std::string& error);
// start_connect, waited for (blocking, within `timeout`): the connected non-blocking
// socket, or -1 with `error` set.
[[nodiscard]] int connect_socket(const route& to, std::size_t connection, std::chrono::milliseconds timeout,
                                 std::string& error);
// Once a started connect's socket is writable: empty when it connected, else why not.
[[nodiscard]] std::string connect_error(int fd);

}  // namespace sluice::load
