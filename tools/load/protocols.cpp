#include "tools/load/protocols.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

#include "engine/protocol/decoder.hpp"
#include "engine/protocol/encoder.hpp"

namespace sluice::load {
namespace {

using clock_type = std::chrono::steady_clock;

bool send_all(int fd, std::string_view bytes, clock_type::time_point deadline, std::string& error) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      if (clock_type::now() >= deadline) {
        error = "the server took nothing in time";
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

int remaining_ms(clock_type::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// What parse() returns when `in` ends in a message not yet complete: `used`, and an error
// once that message has outgrown any a server may send.
std::size_t incomplete(std::string_view in, std::size_t used, std::string& error) {
  if (in.size() - used > max_message_bytes) error = "a message of more than 16 MiB from the server";
  return used;
}

// ---- sluice: native frames (docs/protocol.md)

class sluice_protocol final : public protocol {
 public:
  void encode_opening(std::string& out, bool subscriber, std::string_view topic) const override {
    append(out, proto::hello_frame{});
    if (subscriber) append(out, proto::subscribe_frame{.request_id = next_request_++, .topic = topic});
  }

  opening_status parse_opening(std::string_view in, bool subscriber, std::size_t& used,
                               std::string& error) const override {
    used = 0;
    bool welcomed = false;
    for (;;) {
      const proto::decode_result r = proto::decode_frame(
          std::as_bytes(std::span<const char>(in.data() + used, in.size() - used)), max_message_bytes);
      if (r.status == proto::decode_status::need_more) return opening_status::pending;
      if (r.status == proto::decode_status::error) {
        error = "malformed frame from the server";
        return opening_status::failed;
      }
      used += r.size;
      if (std::holds_alternative<proto::welcome_frame>(r.value)) {
        welcomed = true;
        if (!subscriber) return opening_status::done;
      } else if (const auto* ack = std::get_if<proto::ack_frame>(&r.value); ack != nullptr && welcomed) {
        if (ack->status == proto::error_code::none) return opening_status::done;
        error = "SUBSCRIBE refused: " + std::string(proto::error_code_name(ack->status));
        return opening_status::failed;
      } else if (const auto* e = std::get_if<proto::error_frame>(&r.value)) {
        error = "refused: " + std::string(proto::error_code_name(e->code));
        return opening_status::failed;
      } else if (const auto* g = std::get_if<proto::goaway_frame>(&r.value)) {
        error = "the server is going away: " + std::string(proto::error_code_name(g->code));
        return opening_status::failed;
      } else {
        error = "unexpected " + std::string(proto::frame_type_name(proto::type_of(r.value))) + " in the opening";
        return opening_status::failed;
      }
    }
  }

  void encode_goodbye(std::string& out) const override { append(out, proto::close_frame{}); }

  void encode_publish(std::string& out, std::string_view topic, std::string_view payload) const override {
    append(out, proto::publish_frame{.ack = false, .request_id = next_request_++, .topic = topic, .payload = payload});
  }

  std::size_t parse(std::string_view in, delivery_sink& sink, std::string& reply, std::string& error) const override {
    std::size_t used = 0;
    for (;;) {
      const proto::decode_result r = proto::decode_frame(
          std::as_bytes(std::span<const char>(in.data() + used, in.size() - used)), max_message_bytes);
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
        append(reply, proto::pong_frame{.nonce = ping->nonce, .payload = ping->payload});
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
  static void append(std::string& out, const proto::frame& f) {
    const std::size_t at = out.size();
    out.resize(at + proto::encoded_size(f));
    proto::encode_frame(f, std::as_writable_bytes(std::span<char>(out).subspan(at)));
  }

  mutable std::uint64_t next_request_ = 1;
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
  // A subscriber's SUBSCRIBE is confirmed by a count of 1; a publisher's PING by PONG.
  void encode_opening(std::string& out, bool subscriber, std::string_view topic) const override {
    if (subscriber) {
      append_command(out, "SUBSCRIBE", topic, {});
    } else {
      out += "*1\r\n$4\r\nPING\r\n";
    }
  }

  opening_status parse_opening(std::string_view in, bool, std::size_t& used, std::string& error) const override {
    if (in.starts_with("-")) {
      error = "Redis error: " + std::string(in.substr(1, in.find('\r') - 1));
      return opening_status::failed;
    }
    for (const std::string_view end : {std::string_view(":1\r\n"), std::string_view("+PONG\r\n")}) {
      if (const std::size_t at = in.find(end); at != std::string_view::npos) {
        used = at + end.size();
        return opening_status::done;
      }
    }
    if (in.size() > max_opening_bytes) {
      error = "no answer to SUBSCRIBE or PING in 64 KiB";
      return opening_status::failed;
    }
    return opening_status::pending;
  }

  void encode_publish(std::string& out, std::string_view topic, std::string_view payload) const override {
    append_command(out, "PUBLISH", topic, payload);
  }

  void encode_goodbye(std::string&) const override {}  // a closed connection ends everything

  std::size_t parse(std::string_view in, delivery_sink& sink, std::string&, std::string& error) const override {
    std::size_t used = 0;
    while (used < in.size()) {
      std::string_view line;
      std::size_t end = 0;
      if (!parse_line(in, used, line, end)) return incomplete(in, used, error);
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
        if (!parse_line(in, at, line, end)) return incomplete(in, used, error);
        long long size = 0;
        if (line.empty() || line[0] != '$' || !to_int(line.substr(1), size) || size < 0 ||
            static_cast<std::size_t>(size) > max_message_bytes) {
          if (i == 2 && !line.empty() && line[0] == ':') {  // (un)subscribe confirmation
            parts[i] = line;
            at = end;
            continue;
          }
          error = "unexpected RESP from the server";
          return used;
        }
        if (in.size() < end + static_cast<std::size_t>(size) + 2) return incomplete(in, used, error);
        if (in.substr(end + static_cast<std::size_t>(size), 2) != "\r\n") {
          error = "malformed RESP";
          return used;
        }
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

// "MSG <subject> <sid> [reply-to] <#bytes>".
bool parse_msg_line(std::string_view line, std::string_view& subject, std::size_t& size) {
  std::array<std::string_view, 5> fields;
  std::size_t count = 0;
  for (std::size_t at = 0; at < line.size();) {
    const std::size_t start = line.find_first_not_of(' ', at);
    if (start == std::string_view::npos) break;
    const std::size_t stop = std::min(line.find(' ', start), line.size());
    if (count == fields.size()) return false;
    fields[count++] = line.substr(start, stop - start);
    at = stop;
  }
  long long bytes = 0;
  if (count < 4 || !to_int(fields[count - 1], bytes) || bytes < 0 ||
      static_cast<unsigned long long>(bytes) > max_message_bytes) {
    return false;
  }
  subject = fields[1];
  size = static_cast<std::size_t>(bytes);
  return true;
}

class nats_protocol final : public protocol {
 public:
  // Sent without waiting for INFO (the server reads it after sending INFO); the PONG
  // answering the PING says everything before it was processed.
  void encode_opening(std::string& out, bool subscriber, std::string_view topic) const override {
    out += "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n";
    if (subscriber) {
      out += "SUB ";
      out += topic;
      out += " 1\r\n";
    }
    out += "PING\r\n";
  }

  // INFO, then the answers up to the PONG. A MSG before the PONG (the server routed an
  // event between the SUB and the PING) shows the subscription in place: the opening
  // ends in front of it, so that it counts as a delivery.
  opening_status parse_opening(std::string_view in, bool, std::size_t& used, std::string& error) const override {
    constexpr std::string_view info = "INFO ";
    if (!in.starts_with(info.substr(0, std::min(in.size(), info.size())))) {
      error = "not a NATS server";
      return opening_status::failed;
    }
    std::size_t at = 0;
    std::string_view line;
    std::size_t end = 0;
    while (parse_line(in, at, line, end)) {
      if (line.starts_with("-ERR")) {
        error = "NATS error: " + std::string(line);
        return opening_status::failed;
      }
      if (line == "PONG" || (at > 0 && line.starts_with("MSG "))) {
        used = line == "PONG" ? end : at;
        return opening_status::done;
      }
      at = end;  // INFO, +OK; a PING (sent only after minutes of quiet) is not owed yet
    }
    if (in.size() > max_opening_bytes) {
      error = "no PONG after CONNECT in 64 KiB";
      return opening_status::failed;
    }
    return opening_status::pending;
  }

  void encode_goodbye(std::string&) const override {}  // a closed connection ends everything

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
      if (!parse_line(in, used, line, end)) return incomplete(in, used, error);
      if (line.starts_with("MSG ")) {
        std::string_view subject;
        std::size_t size = 0;
        if (!parse_msg_line(line, subject, size)) {
          error = "malformed MSG";
          return used;
        }
        if (in.size() < end + size + 2) return incomplete(in, used, error);
        if (in.substr(end + size, 2) != "\r\n") {
          error = "malformed MSG: its payload does not end in CRLF";
          return used;
        }
        sink.on_delivery(subject, in.substr(end, size));
        used = end + size + 2;
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

int start_connect(const route& to, std::size_t connection, std::string& error) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(to.port);
  if (::inet_pton(AF_INET, to.host.c_str(), &address.sin_addr) != 1) {
    error = "not an IPv4 address: " + to.host;
    return -1;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  const auto fail = [&](const char* what) {
    error = std::string(what) + ": " + std::strerror(errno);
    ::close(fd);
    return -1;
  };
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  if (const std::uint32_t source = source_address(to, connection); source != 0) {
    // The port is left to connect(), which may give it to several sources at once.
    if (::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on) != 0)
      return fail("IP_BIND_ADDRESS_NO_PORT");
    sockaddr_in from{};
    from.sin_family = AF_INET;
    from.sin_addr.s_addr = htonl(source);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) return fail("bind");
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 && errno != EINPROGRESS) {
    return fail("connect");
  }
  return fd;
}

std::string connect_error(int fd) {
  int so_error = 0;
  socklen_t length = sizeof so_error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &length) != 0) so_error = errno;
  return so_error == 0 ? std::string() : std::string("connect: ") + std::strerror(so_error);
}

int connect_socket(const route& to, std::size_t connection, std::chrono::milliseconds timeout, std::string& error) {
  const int fd = start_connect(to, connection, error);
  if (fd < 0) return -1;
  pollfd p{fd, POLLOUT, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) {
    error = "connect: timed out";
  } else {
    error = connect_error(fd);
  }
  if (error.empty()) return fd;
  ::close(fd);
  return -1;
}

void close_connection(const protocol& proto, int fd) {
  std::string goodbye;
  proto.encode_goodbye(goodbye);
  if (!goodbye.empty()) (void)::send(fd, goodbye.data(), goodbye.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::close(fd);
}

int open_connection(const protocol& proto, const route& to, std::size_t connection, bool subscriber,
                    std::string_view topic, std::chrono::milliseconds timeout, std::string& error) {
  const auto deadline = clock_type::now() + timeout;
  const int fd = connect_socket(to, connection, timeout, error);
  if (fd < 0) return -1;
  const auto fail = [&](std::string what) {
    if (error.empty()) error = std::move(what);
    ::close(fd);
    return -1;
  };
  std::string opening;
  proto.encode_opening(opening, subscriber, topic);
  if (!send_all(fd, opening, deadline, error)) return fail({});
  std::string in;
  char buffer[4096];
  for (;;) {
    std::size_t used = 0;
    const opening_status status = proto.parse_opening(in, subscriber, used, error);
    if (status == opening_status::failed) return fail({});
    if (status == opening_status::done) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) != 1) return fail("no answer from the server in time");
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n == 0) return fail("the server closed the connection");
    if (n < 0 && errno != EAGAIN && errno != EINTR) return fail(std::string("recv: ") + std::strerror(errno));
    if (n > 0) in.append(buffer, static_cast<std::size_t>(n));
  }
  return fd;
}

std::string_view target_name(target_kind kind) {
  switch (kind) {
    case target_kind::sluice:
      return "sluice";
    case target_kind::redis:
      return "redis";
    case target_kind::nats:
      return "nats";
  }
  return "?";
}

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
