// describe_config writes what load_config reads: the defaults and a config with every
// key changed come back equal, and equality itself notices a change to any key.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <variant>

#include "engine/config/config_loader.hpp"
#include "engine/config/config_schema.hpp"

namespace sluice {
namespace {

server_config reloaded(const server_config& c) {
  const std::string text = describe_config(c);
  const config_result r = load_config(text, "described");
  EXPECT_TRUE(r.ok()) << r.error << "\n" << text;
  return r.config;
}

// Every configurable field away from its default, at awkward values.
server_config everything_changed() {
  server_config c;
  c.listen_address = "fe80::1:2";
  c.port = 65'535;
  c.threads = 3;
  c.pin_threads = true;
  c.listen_backlog = 1;
  c.data_dir =
      "/srv/sl\xc3\xbc"
      "ice \"data\"\\\t";  // UTF-8, a quote, a backslash, a tab
  c.max_connections = 9'999'999;
  c.max_frame = 1'000'000;
  c.output_queue_max = (1u << 30) - 1;
  c.ring_entries = 64;
  c.recv_buffer_size = 1536;
  c.recv_buffer_count = 32'768;
  c.inbox_capacity = 1'000'003;
  c.expiry_work_max = 777;
  c.sessions.sessions_max = 12'345;
  c.sessions.when_full = full_policy::evict_lru_detached;
  c.sessions.handshake_timeout_ns = 1'500 * ns_per_ms;
  c.sessions.idle_timeout_ns = 100 * ns_per_ms + 1;
  c.sessions.ping_timeout_ns = 3'599 * ns_per_s;
  c.sessions.resume_window_ns = 0;
  c.sessions.wheel.tick_ns = 100 * ns_per_us;
  c.sources.sources_max = 16'777'216;
  c.sources.connections_per_source_max = 1;
  c.sources.connect_rate_per_s = 1.0 / 3.0;
  c.sources.connect_burst = 1'000'000;
  c.sources.misuse_rate_per_s = 123'456.789;
  c.sources.misuse_burst = 1;
  c.sources.penalty_ns = 86'400 * ns_per_s;
  c.topics.topics_max = 3;
  c.topics.subscriptions_max = 7;
  c.topics.session_subscriptions_max = 5;
  c.topics.payload_max = 999'000;
  c.topics.history.events_max = 1;
  c.topics.history.bytes_max = 4097;
  c.topics.history.age_max = 61 * ns_per_s;
  c.topics.history_shard_bytes_max = 65'537;
  c.topics.publish_rate_per_s = 2.5;
  c.topics.publish_burst = 9;
  c.topics.dedup_entries = 65'536;
  c.topics.dedup_ttl_ns = 1'001 * ns_per_ms;
  c.topics.replay_page_events = 65'536;
  c.topics.slow_consumer = slow_consumer_policy::disconnect;
  return c;
}

TEST(config_round_trip, defaults_come_back_equal) { EXPECT_EQ(reloaded(server_config{}), server_config{}); }

TEST(config_round_trip, a_config_with_every_key_changed_comes_back_equal) {
  const server_config c = everything_changed();
  EXPECT_EQ(reloaded(c), c);
}

TEST(config_round_trip, awkward_rates_come_back_exactly) {
  for (const double rate : {0.1, 1e-7, 5e-324, 1.0 / 3.0, 2.5, 999'999.999'999, 1e6, 4.9e-5, 123'456.789}) {
    server_config c;
    c.sources.connect_rate_per_s = rate;
    EXPECT_EQ(reloaded(c).sources.connect_rate_per_s, rate) << describe_config(c);
  }
}

TEST(config_round_trip, describe_writes_units_and_tables) {
  const std::string text = describe_config(server_config{});
  for (const char* line : {"[server]\n", "\n\n[sessions]\n", "\n\n[admission]\n", "\nport = 7400\n",
                           "\nmax_frame = \"1MiB\"\n", "\nrecv_buffer_size = \"32KiB\"\n", "\nresume_window = \"2m\"\n",
                           "\ntick = \"1ms\"\n", "\nwhen_full = \"refuse\"\n", "\nconnect_rate_per_s = 50.0\n",
                           "\npenalty = \"1m\"\n", "\npin_threads = false\n", "\nlisten_address = \"127.0.0.1\"\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\nin:\n" << text;
  }
  EXPECT_EQ(text.find("[server]\n"), 0u);
  EXPECT_NE(describe_config(everything_changed()).find("data_dir = \"/srv/sl\xc3\xbcice \\\"data\\\"\\\\\\t\"\n"),
            std::string::npos);
}

// operator== must see every key, or the round trip above proves nothing about it.
TEST(config_round_trip, equality_notices_a_change_to_any_key) {
  const server_config changed = everything_changed();
  for (const config::key_spec& key : config::config_keys()) {
    server_config c;
    std::visit([&](const auto& spec) { spec.set(c, spec.get(changed)); }, key.value);
    EXPECT_NE(c, server_config{}) << key.table << "." << key.name;
    EXPECT_EQ(reloaded(c), c) << key.table << "." << key.name;
  }
  server_config seeded;
  seeded.sessions.hash_seed = 1;
  EXPECT_NE(seeded, server_config{});
  seeded = server_config{};
  seeded.sources.hash_seed = 1;
  EXPECT_NE(seeded, server_config{});
  seeded = server_config{};
  seeded.sessions.wheel.origin_ns = 1;
  EXPECT_NE(seeded, server_config{});
}

}  // namespace
}  // namespace sluice
