#include "tools/load/protocols.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

#include "engine/protocol/decoder.hpp"
#include "engine/protocol/encoder.hpp"
#include "net/client.hpp"

namespace sluice::load {
namespace {

using clock_type = std::chrono::steady_clock;

// A connected TCP socket of our own (the client object closes its copy).
int connect_raw(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout, std::string& error) {
  client c;
  error = c.connect(host, port, timeout);
  if (!error.empty()) return -1;
  return ::dup(c.fd());
}

bool send_all(int fd, std::string_view bytes, std::string& error) {
  for (int waits = 0; !bytes.empty();) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (++waits > 50) {  // 5 s
        error = "the server took nothing for 5 s";
        return false;
      }
      pollfd p{fd, POLLOUT, 0};
      (void)::poll(&p, 1, 100);
      continue;
    }
    if (n <= 0) {
      error = std::string("send: ") + std::strerror(errno);
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Reads into `in` until `done(in)` or the deadline; false (with `error`) otherwise.
template <class done_fn>
bool read_until(int fd, std::string& in, clock_type::time_point deadline, done_fn&& done, std::string& error) {
  char buffer[4096];
  while (!done(in)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
    if (left <= 0) {
      error = "no confirmation from the server in time";
      return false;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0) {
      error = "the server closed the connection";
      return false;
    }
    if (n > 0) in.append(buffer, static_cast<std::size_t>(n));
  }
  return true;
}

// ---- sluice: native frames (docs/protocol.md)

class sluice_protocol final : public protocol {
 public:
  std::string_view name() const override { return "sluice"; }

  int open(const std::string& host, std::uint16_t port, bool subscriber, std::string_view topic,
           std::chrono::milliseconds timeout, std::string& error) const override {
    client c;
    error = c.connect(host, port, timeout);
    if (!error.empty()) return -1;
    const hello_result h = c.hello(timeout);
    if (!h.ok) {
      error = "HELLO: " + h.message;
      return -1;
    }
    if (subscriber) {
      if (!c.send_frame(proto::subscribe_frame{.request_id = 1, .topic = topic})) {
        error = "SUBSCRIBE could not be sent";
        return -1;
      }
      const read_result r = c.read_frame(timeout);
      const auto* ack = std::get_if<proto::ack_frame>(&r.value);
      if (r.status != read_status::frame || ack == nullptr || ack->status != proto::error_code::none) {
        error = "SUBSCRIBE was not acknowledged";
        return -1;
      }
    }
    return ::dup(c.fd());
  }

  void encode_publish(std::string& out, std::string_view topic, std::string_view payload) const override {
    const proto::frame f =
        proto::publish_frame{.ack = false, .request_id = next_request_++, .topic = topic, .payload = payload};
    const std::size_t at = out.size();
    out.resize(at + proto::encoded_size(f));
    proto::encode_frame(f, std::as_writable_bytes(std::span<char>(out).subspan(at)));
  }

  std::size_t parse(std::string_view in, delivery_sink& sink, std::string& reply, std::string& error) const override {
    std::size_t used = 0;
    for (;;) {
      const proto::decode_result r =
          proto::decode_frame(std::as_bytes(std::span<const char>(in.data() + used, in.size() - used)), 1u << 24);
      if (r.status == proto::decode_status::need_more) return used;
      if (r.status == proto::decode_status::error) {
        error = "malformed frame from the server";
        return used;
      }
      used += r.size;
      if (const auto* e = std::get_if<proto::event_frame>(&r.value)) {
        if (e->gap) {
          error = "the server reported a gap (GAP event)";
          return used;
        }
        sink.on_delivery(e->topic, e->payload);
      } else if (const auto* ping = std::get_if<proto::ping_frame>(&r.value)) {
        const proto::frame pong = proto::pong_frame{.nonce = ping->nonce, .payload = ping->payload};
        const std::size_t at = reply.size();
        reply.resize(at + proto::encoded_size(pong));
        proto::encode_frame(pong, std::as_writable_bytes(std::span<char>(reply).subspan(at)));
      } else if (const auto* ack = std::get_if<proto::ack_frame>(&r.value)) {
        if (ack->status != proto::error_code::none) {
          error = "a request was refused: " + std::string(proto::error_code_name(ack->status));
          return used;
        }
      } else if (std::holds_alternative<proto::error_frame>(r.value) ||
                 std::holds_alternative<proto::goaway_frame>(r.value) ||
                 std::holds_alternative<proto::close_frame>(r.value)) {
        error = "the server sent ERROR, GOAWAY or CLOSE";
        return used;
      }
    }
  }

 private:
  mutable std::uint64_t next_request_ = 1;  // one protocol object per harness thread
};

// ---- Redis: RESP2 pub/sub

// Parses one RESP value at `at`: sets `end` past it; false when incomplete. Only the
// shapes pub/sub uses: arrays of bulk strings and integers, simple strings, errors.
struct resp_value {
  char type = 0;
  std::string_view text;  // bulk or simple string
};

bool parse_line(std::string_view in, std::size_t at, std::string_view& line, std::size_t& end) {
  const std::size_t crlf = in.find("\r\n", at);
  if (crlf == std::string_view::npos) return false;
  line = in.substr(at, crlf - at);
  end = crlf + 2;
  return true;
}

bool to_int(std::string_view s, long long& v) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

class redis_protocol final : public protocol {
 public:
  std::string_view name() const override { return "redis"; }

  int open(const std::string& host, std::uint16_t port, bool subscriber, std::string_view topic,
           std::chrono::milliseconds timeout, std::string& error) const override {
    const int fd = connect_raw(host, port, timeout, error);
    if (fd < 0 || !subscriber) return fd;
    std::string command;
    append_command(command, "SUBSCRIBE", topic, {});
    std::string in;
    const bool ok = send_all(fd, command, error) &&
                    read_until(
                        fd, in, clock_type::now() + timeout,
                        [](const std::string& s) { return s.find(":1\r\n") != std::string::npos; }, error);
    if (!ok) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

  void encode_publish(std::string& out, std::string_view topic, std::string_view payload) const override {
    append_command(out, "PUBLISH", topic, payload);
  }

  std::size_t parse(std::string_view in, delivery_sink& sink, std::string&, std::string& error) const override {
    std::size_t used = 0;
    while (used < in.size()) {
      std::string_view line;
      std::size_t end = 0;
      if (!parse_line(in, used, line, end)) return used;
      if (line.empty()) {
        error = "malformed RESP";
        return used;
      }
      if (line[0] == ':' || line[0] == '+') {  // a PUBLISH's receiver count, or OK
        used = end;
        continue;
      }
      if (line[0] == '-') {
        error = "Redis error: " + std::string(line.substr(1));
        return used;
      }
      long long items = 0;
      if (line[0] != '*' || !to_int(line.substr(1), items) || items != 3) {
        error = "unexpected RESP from the server";
        return used;
      }
      std::string_view parts[3];
      std::size_t at = end;
      for (int i = 0; i < 3; ++i) {
        if (!parse_line(in, at, line, end)) return used;
        long long size = 0;
        if (line.empty() || line[0] != '$' || !to_int(line.substr(1), size) || size < 0) {
          if (i == 2 && !line.empty() && line[0] == ':') {  // (un)subscribe confirmation
            parts[i] = line;
            at = end;
            continue;
          }
          error = "unexpected RESP from the server";
          return used;
        }
        if (in.size() < end + static_cast<std::size_t>(size) + 2) return used;
        parts[i] = in.substr(end, static_cast<std::size_t>(size));
        at = end + static_cast<std::size_t>(size) + 2;
      }
      used = at;
      if (parts[0] == "message") sink.on_delivery(parts[1], parts[2]);
    }
    return used;
  }

 private:
  static void append_bulk(std::string& out, std::string_view s) {
    out += '$';
    out += std::to_string(s.size());
    out += "\r\n";
    out += s;
    out += "\r\n";
  }
  static void append_command(std::string& out, std::string_view verb, std::string_view a, std::string_view b) {
    const bool two = verb == "PUBLISH";
    out += two ? "*3\r\n" : "*2\r\n";
    append_bulk(out, verb);
    append_bulk(out, a);
    if (two) append_bulk(out, b);
  }
};

// ---- NATS: the client protocol (CONNECT, SUB, PUB, MSG, PING/PONG)

class nats_protocol final : public protocol {
 public:
  std::string_view name() const override { return "nats"; }

  int open(const std::string& host, std::uint16_t port, bool subscriber, std::string_view topic,
           std::chrono::milliseconds timeout, std::string& error) const override {
    const int fd = connect_raw(host, port, timeout, error);
    if (fd < 0) return -1;
    const auto deadline = clock_type::now() + timeout;
    std::string in;
    std::string out = "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n";
    if (subscriber) out += "SUB " + std::string(topic) + " 1\r\n";
    out += "PING\r\n";  // its PONG says everything before it was processed
    const bool ok =
        read_until(
            fd, in, deadline, [](const std::string& s) { return s.find("\r\n") != std::string::npos; }, error) &&
        in.starts_with("INFO ") && send_all(fd, out, error) &&
        read_until(
            fd, in, deadline, [](const std::string& s) { return s.find("PONG\r\n") != std::string::npos; }, error);
    if (!ok) {
      if (error.empty()) error = "not a NATS server";
      ::close(fd);
      return -1;
    }
    return fd;
  }

  void encode_publish(std::string& out, std::string_view topic, std::string_view payload) const override {
    out += "PUB ";
    out += topic;
    out += ' ';
    out += std::to_string(payload.size());
    out += "\r\n";
    out += payload;
    out += "\r\n";
  }

  std::size_t parse(std::string_view in, delivery_sink& sink, std::string& reply, std::string& error) const override {
    std::size_t used = 0;
    while (used < in.size()) {
      std::string_view line;
      std::size_t end = 0;
      if (!parse_line(in, used, line, end)) return used;
      if (line.starts_with("MSG ")) {
        // MSG <subject> <sid> [reply-to] <#bytes>
        const std::size_t subject_end = line.find(' ', 4);
        const std::size_t size_at = line.rfind(' ');
        long long size = 0;
        if (subject_end == std::string_view::npos || !to_int(line.substr(size_at + 1), size) || size < 0) {
          error = "malformed MSG";
          return used;
        }
        if (in.size() < end + static_cast<std::size_t>(size) + 2) return used;
        sink.on_delivery(line.substr(4, subject_end - 4), in.substr(end, static_cast<std::size_t>(size)));
        used = end + static_cast<std::size_t>(size) + 2;
      } else if (line == "PING") {
        reply += "PONG\r\n";
        used = end;
      } else if (line.starts_with("-ERR")) {
        error = "NATS error: " + std::string(line);
        return used;
      } else {  // PONG, +OK, INFO
        used = end;
      }
    }
    return used;
  }
};

}  // namespace

std::unique_ptr<protocol> make_protocol(target_kind kind) {
  switch (kind) {
    case target_kind::sluice:
      return std::make_unique<sluice_protocol>();
    case target_kind::redis:
      return std::make_unique<redis_protocol>();
    case target_kind::nats:
      return std::make_unique<nats_protocol>();
  }
  return nullptr;
}

}  // namespace sluice::load
