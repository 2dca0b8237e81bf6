// A thundering herd: 5,000 connections opened at once, each sending HELLO as soon as
// it connects. Every one must be welcomed: no refusals, resets or timeouts.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "tests/net/support/test_server.hpp"

namespace sluice::test {
namespace {

constexpr int herd_size = 5000;

struct herd_connection {
  int fd = -1;
  bool hello_sent = false;
  std::vector<std::byte> in;
  bool done = false;
};

TEST(Herd, FiveThousandConnectionsAtOnceAllCompleteHello) {
  // Both ends of every connection live in this process: 2 fds each, plus the server's.
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  const rlim_t wanted = 2 * herd_size + 1024;
  ASSERT_GE(limit.rlim_max, wanted) << "the hard RLIMIT_NOFILE is too low for this test";
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = wanted;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
  }

  server_config config = test_config(2);
  config.max_connections = herd_size + 100;
  config.sessions.sessions_max = herd_size;  // per reactor: the hash decides where each lands
  config.sources.connections_per_source_max = herd_size + 100;
  config.sources.connect_burst = herd_size + 100;
  config.recv_buffer_count = 1024;
  config.inbox_capacity = 16384;
  running_server server(config);

  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server.port());
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
  ASSERT_GE(epoll, 0);
  std::vector<herd_connection> herd(herd_size);
  for (int i = 0; i < herd_size; ++i) {
    herd_connection& h = herd[static_cast<std::size_t>(i)];
    h.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    ASSERT_GE(h.fd, 0);
    const int result = ::connect(h.fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ASSERT_TRUE(result == 0 || errno == EINPROGRESS) << std::strerror(errno);
    epoll_event event{};
    event.events = EPOLLOUT | EPOLLIN;
    event.data.u32 = static_cast<std::uint32_t>(i);
    ASSERT_EQ(::epoll_ctl(epoll, EPOLL_CTL_ADD, h.fd, &event), 0);
  }

  std::vector<std::byte> hello(proto::encoded_size(proto::hello_frame{}));
  proto::encode_frame(proto::hello_frame{}, hello);
  int welcomed = 0;
  int failed = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  std::vector<epoll_event> events(512);
  while (welcomed + failed < herd_size && std::chrono::steady_clock::now() < deadline) {
    const int n = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()), 1000);
    for (int e = 0; e < n; ++e) {
      herd_connection& h = herd[events[static_cast<std::size_t>(e)].data.u32];
      if (h.done) continue;
      if ((events[static_cast<std::size_t>(e)].events & (EPOLLERR | EPOLLHUP)) != 0) {
        h.done = true;
        ++failed;
        continue;
      }
      if (!h.hello_sent && (events[static_cast<std::size_t>(e)].events & EPOLLOUT) != 0) {
        ASSERT_EQ(::send(h.fd, hello.data(), hello.size(), MSG_NOSIGNAL), static_cast<ssize_t>(hello.size()));
        h.hello_sent = true;
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.u32 = events[static_cast<std::size_t>(e)].data.u32;
        ::epoll_ctl(epoll, EPOLL_CTL_MOD, h.fd, &event);
      }
      if ((events[static_cast<std::size_t>(e)].events & EPOLLIN) != 0) {
        std::byte chunk[256];
        const ssize_t got = ::recv(h.fd, chunk, sizeof chunk, 0);
        if (got <= 0) {
          if (got < 0 && errno == EAGAIN) continue;
          h.done = true;
          ++failed;
          continue;
        }
        h.in.insert(h.in.end(), chunk, chunk + got);
        const proto::decode_result r = proto::decode_frame(h.in, proto::max_frame_default);
        if (r.status == proto::decode_status::need_more) continue;
        h.done = true;
        if (r.status == proto::decode_status::complete && std::holds_alternative<proto::welcome_frame>(r.value)) {
          ++welcomed;
        } else {
          ++failed;
        }
      }
    }
  }
  ::close(epoll);
  EXPECT_EQ(welcomed, herd_size);
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(server.stats().sessions_active, herd_size);
  for (herd_connection& h : herd) ::close(h.fd);
  EXPECT_TRUE(eventually([&] { return server.stats().connections == 0; }, 30s));
}

}  // namespace
}  // namespace sluice::test
