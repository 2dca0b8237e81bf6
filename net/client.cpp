#include "net/client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include "engine/protocol/decoder.hpp"
#include "engine/protocol/encoder.hpp"

namespace sluice {
namespace {

using clock_type = std::chrono::steady_clock;

int remaining_ms(clock_type::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

}  // namespace

client::client(std::uint32_t max_frame) : max_frame_(max_frame) {}

client::~client() { disconnect(); }

client::client(client&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      max_frame_(other.max_frame_),
      in_(std::move(other.in_)),
      consumed_(other.consumed_) {}

client& client::operator=(client&& other) noexcept {
  if (this != &other) {
    disconnect();
    fd_ = std::exchange(other.fd_, -1);
    max_frame_ = other.max_frame_;
    in_ = std::move(other.in_);
    consumed_ = other.consumed_;
  }
  return *this;
}

std::string client::connect(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  disconnect();
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) return "not an IPv4 address: " + host;
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return std::string("socket: ") + std::strerror(errno);
  const int on = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 && errno != EINPROGRESS) {
    const std::string error = std::string("connect: ") + std::strerror(errno);
    disconnect();
    return error;
  }
  pollfd p{fd_, POLLOUT, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) {
    disconnect();
    return "connect: timed out";
  }
  int error = 0;
  socklen_t length = sizeof error;
  ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) {
    disconnect();
    return std::string("connect: ") + std::strerror(error);
  }
  return {};
}

void client::adopt(int fd) {
  disconnect();
  fd_ = fd;
}

void client::disconnect() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  in_.clear();
  consumed_ = 0;
}

bool client::send_bytes(std::span<const std::byte> bytes) {
  std::size_t done = 0;
  const auto deadline = clock_type::now() + 5s;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, remaining_ms(deadline)) != 1) return false;
      continue;
    }
    return false;
  }
  return true;
}

bool client::send_frame(const proto::frame& frame) {
  std::vector<std::byte> bytes(proto::encoded_size(frame));
  proto::encode_frame(frame, bytes);
  return send_bytes(bytes);
}

read_result client::read_frame(std::chrono::milliseconds timeout) {
  if (consumed_ > 0) {
    in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(consumed_));
    consumed_ = 0;
  }
  const auto deadline = clock_type::now() + timeout;
  for (;;) {
    const proto::decode_result r = proto::decode_frame(in_, max_frame_);
    if (r.status == proto::decode_status::complete) {
      consumed_ = r.size;
      return {read_status::frame, r.value, proto::error_code::none};
    }
    if (r.status == proto::decode_status::error) return {read_status::malformed, {}, r.error};
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, remaining_ms(deadline));
    if (ready == 0) return {read_status::timeout, {}, proto::error_code::none};
    if (ready < 0 && errno != EINTR) return {read_status::failed, {}, proto::error_code::none};
    std::byte chunk[16 * 1024];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n == 0) return {read_status::closed, {}, proto::error_code::none};
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return {read_status::failed, {}, proto::error_code::none};
    }
    in_.insert(in_.end(), chunk, chunk + n);
  }
}

hello_result client::hello(std::chrono::milliseconds timeout) {
  if (!send_frame(proto::hello_frame{})) return {false, {}, proto::error_code::none, "send failed"};
  return await_welcome(timeout);
}

hello_result client::resume(const session_credentials& credentials, std::chrono::milliseconds timeout) {
  proto::hello_frame hello;
  hello.resume = true;
  hello.id = credentials.id;
  hello.resume_token = credentials.resume_token;
  hello.last_seq = credentials.last_seq;
  if (!send_frame(hello)) return {false, {}, proto::error_code::none, "send failed"};
  return await_welcome(timeout);
}

hello_result client::await_welcome(std::chrono::milliseconds timeout) {
  const read_result r = read_frame(timeout);
  hello_result result;
  if (r.status != read_status::frame) {
    result.message =
        r.status == read_status::timeout ? "no answer to HELLO in time" : "connection ended before WELCOME";
    return result;
  }
  if (const auto* welcome = std::get_if<proto::welcome_frame>(&r.value)) {
    result.ok = true;
    result.welcome = *welcome;
    return result;
  }
  if (const auto* error = std::get_if<proto::error_frame>(&r.value)) {
    result.error = error->code;
    result.message = "server refused: " + std::string(proto::error_code_name(error->code));
    return result;
  }
  result.message = "unexpected answer to HELLO";
  return result;
}

bool client::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  std::byte chunk[4096];
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, remaining_ms(deadline)) != 1) return false;
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n == 0) return true;
    if (n < 0 && errno != EAGAIN && errno != EINTR) return errno == ECONNRESET;
  }
}

std::chrono::milliseconds backoff_delay(const backoff_policy& policy, std::uint32_t attempt, std::mt19937_64& rng) {
  const std::uint32_t shift = attempt > 30 ? 30 : attempt;
  const long long grown = policy.base.count() << shift;
  const long long cap = grown > policy.max.count() || grown < policy.base.count() ? policy.max.count() : grown;
  std::uniform_int_distribution<long long> draw(0, cap);
  return std::chrono::milliseconds(draw(rng));
}

hello_result reconnect(client& c, const std::string& host, std::uint16_t port, const session_credentials& credentials,
                       const backoff_policy& policy, std::uint32_t attempts) {
  std::mt19937_64 rng(std::random_device{}());
  hello_result last;
  last.message = "no attempt made";
  for (std::uint32_t attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(backoff_delay(policy, attempt - 1, rng));
    if (std::string error = c.connect(host, port, 2s); !error.empty()) {
      last.message = std::move(error);
      continue;
    }
    last = credentials.id == session_id{} ? c.hello() : c.resume(credentials);
    if (last.ok) return last;
  }
  return last;
}

}  // namespace sluice
