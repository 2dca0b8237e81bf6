// The wire protocols sluice-load speaks, so that one workload runs unchanged against
// sluice (native frames), Redis (RESP pub/sub) and NATS (its text protocol).
//
// Each protocol opens a connection (blocking, with a deadline) as a publisher or as a
// subscriber of one topic, confirming the subscription before returning; encodes a
// publish; and parses what a server sends into deliveries (topic, payload) plus any
// reply the protocol owes the server (a NATS PONG).
//
// Thread: a protocol object is stateless; any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::load {

enum class target_kind { sluice, redis, nats };

class delivery_sink {
 public:
  virtual void on_delivery(std::string_view topic, std::string_view payload) = 0;

 protected:
  ~delivery_sink() = default;
};

class protocol {
 public:
  virtual ~protocol() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;
  // Connects to host:port and, for a subscriber, subscribes to `topic` and waits for the
  // server's confirmation. Returns the connected socket, or -1 with `error` set.
  [[nodiscard]] virtual int open(const std::string& host, std::uint16_t port, bool subscriber, std::string_view topic,
                                 std::chrono::milliseconds timeout, std::string& error) const = 0;
  virtual void encode_publish(std::string& out, std::string_view topic, std::string_view payload) const = 0;
  // Consumes the complete messages at the front of `in`; returns the bytes consumed.
  // Sets `error` on input that is not the protocol; appends owed replies to `reply`.
  [[nodiscard]] virtual std::size_t parse(std::string_view in, delivery_sink& sink, std::string& reply,
                                          std::string& error) const = 0;
};

[[nodiscard]] std::unique_ptr<protocol> make_protocol(target_kind kind);

}  // namespace sluice::load
