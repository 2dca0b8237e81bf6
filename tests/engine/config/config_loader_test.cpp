// load_config: values land in the right fields; every key's bounds are enforced with a
// message naming the key and the bound; unknown keys and tables, wrong TOML types and
// syntax errors are reported as one line; relations between keys are checked.
#include "engine/config/config_loader.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

#include "engine/config/config_schema.hpp"
#include "engine/config/units.hpp"

namespace sluice {
namespace {

config_result load(const std::string& text) { return load_config(text, "sluice.toml"); }

std::string error_of(const std::string& text) {
  const config_result r = load(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.error;
}

TEST(config_loader, empty_text_gives_the_defaults) {
  const config_result r = load("");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config, server_config{});
  const config_result tables_only = load("[server]\n[sessions]\n[admission]\n");
  ASSERT_TRUE(tables_only.ok()) << tables_only.error;
  EXPECT_EQ(tables_only.config, server_config{});
}

TEST(config_loader, every_key_lands_in_its_field) {
  const config_result r = load(R"(
[server]
listen_address = "::"
port = 0
threads = 8
pin_threads = true
listen_backlog = 128
data_dir = "/var/lib/sluice"
max_connections = 2_000_000
max_frame = "64KiB"
output_queue_max = "1GiB"
ring_entries = 4096
recv_buffer_size = "512B"
recv_buffer_count = 16
inbox_capacity = 64
expiry_work_max = 1

[sessions]
max_per_shard = 16_777_216
when_full = "evict_lru_detached"
handshake_timeout = "5m"
idle_timeout = "1d"
ping_timeout = "1h"
resume_window = "7d"
tick = "100us"

[admission]
sources_max = 1
connections_per_source_max = 10_000_000
connect_rate_per_s = 0.25
connect_burst = 1
misuse_rate_per_s = 1000000
misuse_burst = 1_000_000
penalty = "0s"

[topics]
max_topics = 1
max_subscriptions = 67_108_864
session_subscriptions = 65_536
max_payload = "65318B"
history_events = 16_777_216
history_bytes = "64GiB"
history_age = "1s"
publish_rate_per_s = 0.5
publish_burst = 1
dedup_entries = 65_536
dedup_ttl = "1d"
replay_page = 1
slow_consumer = "disconnect"
)");
  ASSERT_TRUE(r.ok()) << r.error;
  const server_config& c = r.config;
  EXPECT_EQ(c.listen_address, "::");
  EXPECT_EQ(c.port, 0);
  EXPECT_EQ(c.threads, 8u);
  EXPECT_TRUE(c.pin_threads);
  EXPECT_EQ(c.listen_backlog, 128u);
  EXPECT_EQ(c.data_dir, "/var/lib/sluice");
  EXPECT_EQ(c.max_connections, 2'000'000u);
  EXPECT_EQ(c.max_frame, 64u << 10);
  EXPECT_EQ(c.output_queue_max, 1u << 30);
  EXPECT_EQ(c.ring_entries, 4096u);
  EXPECT_EQ(c.recv_buffer_size, 512u);
  EXPECT_EQ(c.recv_buffer_count, 16u);
  EXPECT_EQ(c.inbox_capacity, 64u);
  EXPECT_EQ(c.expiry_work_max, 1u);
  EXPECT_EQ(c.sessions.sessions_max, 16'777'216u);
  EXPECT_EQ(c.sessions.when_full, full_policy::evict_lru_detached);
  EXPECT_EQ(c.sessions.handshake_timeout_ns, 300 * ns_per_s);
  EXPECT_EQ(c.sessions.idle_timeout_ns, 86'400 * ns_per_s);
  EXPECT_EQ(c.sessions.ping_timeout_ns, 3'600 * ns_per_s);
  EXPECT_EQ(c.sessions.resume_window_ns, 7 * 86'400 * ns_per_s);
  EXPECT_EQ(c.sessions.wheel.tick_ns, 100 * ns_per_us);
  EXPECT_EQ(c.sources.sources_max, 1u);
  EXPECT_EQ(c.sources.connections_per_source_max, 10'000'000u);
  EXPECT_EQ(c.sources.connect_rate_per_s, 0.25);
  EXPECT_EQ(c.sources.connect_burst, 1u);
  EXPECT_EQ(c.sources.misuse_rate_per_s, 1e6);
  EXPECT_EQ(c.sources.misuse_burst, 1'000'000u);
  EXPECT_EQ(c.sources.penalty_ns, 0u);
  EXPECT_EQ(c.topics.topics_max, 1u);
  EXPECT_EQ(c.topics.subscriptions_max, 67'108'864u);
  EXPECT_EQ(c.topics.session_subscriptions_max, 65'536u);
  EXPECT_EQ(c.topics.payload_max, (64u << 10) - 218);  // the largest an EVENT of max_frame 64KiB holds
  EXPECT_EQ(c.topics.history.events_max, 16'777'216u);
  EXPECT_EQ(c.topics.history.bytes_max, 64ull << 30);
  EXPECT_EQ(c.topics.history.age_max, ns_per_s);
  EXPECT_EQ(c.topics.publish_rate_per_s, 0.5);
  EXPECT_EQ(c.topics.publish_burst, 1u);
  EXPECT_EQ(c.topics.dedup_entries, 65'536u);
  EXPECT_EQ(c.topics.dedup_ttl_ns, 86'400 * ns_per_s);
  EXPECT_EQ(c.topics.replay_page_events, 1u);
  EXPECT_EQ(c.topics.slow_consumer, slow_consumer_policy::disconnect);
}

TEST(config_loader, a_payload_that_cannot_fit_in_an_event_frame_is_refused) {
  EXPECT_EQ(error_of("[server]\nmax_frame = \"64KiB\"\n[topics]\nmax_payload = \"65319B\"\n"),
            "sluice.toml: topics.max_payload: \"65319B\" does not fit in an EVENT frame of max_frame \"64KiB\" "
            "(at most max_frame - 218B)");
  EXPECT_EQ(error_of("[server]\nmax_frame = \"8KiB\"\n"),
            "sluice.toml: topics.max_payload: \"64KiB\" does not fit in an EVENT frame of max_frame \"8KiB\" "
            "(at most max_frame - 218B)");
}

TEST(config_loader, dotted_keys_are_the_same_as_tables) {
  const config_result r = load("server.port = 9000\nsessions.tick = \"2ms\"\n");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.port, 9000);
  EXPECT_EQ(r.config.sessions.wheel.tick_ns, 2 * ns_per_ms);
}

TEST(config_loader, the_error_names_source_table_key_value_and_bound) {
  EXPECT_EQ(error_of("[sessions]\nidle_timeout = \"1000000000d\"\n"),
            "sluice.toml: sessions.idle_timeout: \"1000000000d\" is out of range (at most 1d)");
  EXPECT_EQ(error_of("[sessions]\nidle_timeout = \"99999999999999999999999d\"\n"),
            "sluice.toml: sessions.idle_timeout: \"99999999999999999999999d\" is out of range (at most 1d)");
  EXPECT_EQ(load_config("[server]\nport = 70000\n", "/etc/sluice/sluice.toml").error,
            "/etc/sluice/sluice.toml: server.port: 70000 is out of range (at most 65535)");
}

// Each key just outside its documented bounds, with the exact message.
TEST(config_loader, every_key_out_of_bounds_is_named_with_its_bound) {
  const std::pair<const char*, const char*> cases[] = {
      {"[server]\nport = 65536", "server.port: 65536 is out of range (at most 65535)"},
      {"[server]\nport = -1", "server.port: -1 is out of range (at least 0)"},
      {"[server]\nthreads = 257", "server.threads: 257 is out of range (at most 256)"},
      {"[server]\nthreads = -1", "server.threads: -1 is out of range (at least 0)"},
      {"[server]\nlisten_backlog = 0", "server.listen_backlog: 0 is out of range (at least 1)"},
      {"[server]\nlisten_backlog = 65536", "server.listen_backlog: 65536 is out of range (at most 65535)"},
      {"[server]\nmax_connections = 0", "server.max_connections: 0 is out of range (at least 1)"},
      {"[server]\nmax_connections = 10_000_001", "server.max_connections: 10000001 is out of range (at most 10000000)"},
      {"[server]\nmax_frame = \"4145B\"", "server.max_frame: \"4145B\" is out of range (at least 4146B)"},
      {"[server]\nmax_frame = \"65MiB\"", "server.max_frame: \"65MiB\" is out of range (at most 64MiB)"},
      {"[server]\noutput_queue_max = \"4209B\"", "server.output_queue_max: \"4209B\" is out of range (at least 4210B)"},
      {"[server]\noutput_queue_max = \"1025MiB\"",
       "server.output_queue_max: \"1025MiB\" is out of range (at most 1GiB)"},
      {"[server]\nring_entries = 32", "server.ring_entries: 32 is out of range (at least 64)"},
      {"[server]\nring_entries = 65536", "server.ring_entries: 65536 is out of range (at most 32768)"},
      {"[server]\nring_entries = 1000", "server.ring_entries: 1000 is not a power of two (64, 128, ... 32768)"},
      {"[server]\nrecv_buffer_size = \"511B\"", "server.recv_buffer_size: \"511B\" is out of range (at least 512B)"},
      {"[server]\nrecv_buffer_size = \"1025KiB\"",
       "server.recv_buffer_size: \"1025KiB\" is out of range (at most 1MiB)"},
      {"[server]\nrecv_buffer_count = 8", "server.recv_buffer_count: 8 is out of range (at least 16)"},
      {"[server]\nrecv_buffer_count = 65536", "server.recv_buffer_count: 65536 is out of range (at most 32768)"},
      {"[server]\nrecv_buffer_count = 100", "server.recv_buffer_count: 100 is not a power of two (16, 32, ... 32768)"},
      {"[server]\ninbox_capacity = 63", "server.inbox_capacity: 63 is out of range (at least 64)"},
      {"[server]\ninbox_capacity = 16_777_217", "server.inbox_capacity: 16777217 is out of range (at most 16777216)"},
      {"[server]\nexpiry_work_max = 0", "server.expiry_work_max: 0 is out of range (at least 1)"},
      {"[server]\nexpiry_work_max = 1_000_001", "server.expiry_work_max: 1000001 is out of range (at most 1000000)"},
      {"[server]\nlisten_address = \"localhost\"",
       "server.listen_address: \"localhost\" is not an IP address (an IPv4 or IPv6 literal, e.g. \"0.0.0.0\" or "
       "\"::\"; host names are not resolved)"},
      {"[server]\ndata_dir = \"\"", "server.data_dir: \"\" is empty (a directory path, e.g. \"/var/lib/sluice\")"},
      {"[sessions]\nmax_per_shard = 0", "sessions.max_per_shard: 0 is out of range (at least 1)"},
      {"[sessions]\nmax_per_shard = 16_777_217", "sessions.max_per_shard: 16777217 is out of range (at most 16777216)"},
      {"[sessions]\nwhen_full = \"drop\"",
       "sessions.when_full: \"drop\" is not a choice here (\"refuse\" or \"evict_lru_detached\")"},
      {"[sessions]\nhandshake_timeout = \"99ms\"",
       "sessions.handshake_timeout: \"99ms\" is out of range (at least 100ms)"},
      {"[sessions]\nhandshake_timeout = \"301s\"", "sessions.handshake_timeout: \"301s\" is out of range (at most 5m)"},
      {"[sessions]\nidle_timeout = \"99ms\"", "sessions.idle_timeout: \"99ms\" is out of range (at least 100ms)"},
      {"[sessions]\nidle_timeout = \"25h\"", "sessions.idle_timeout: \"25h\" is out of range (at most 1d)"},
      {"[sessions]\nping_timeout = \"99ms\"", "sessions.ping_timeout: \"99ms\" is out of range (at least 100ms)"},
      {"[sessions]\nping_timeout = \"61m\"", "sessions.ping_timeout: \"61m\" is out of range (at most 1h)"},
      {"[sessions]\nresume_window = \"169h\"", "sessions.resume_window: \"169h\" is out of range (at most 7d)"},
      {"[sessions]\ntick = \"99us\"", "sessions.tick: \"99us\" is out of range (at least 100us)"},
      {"[sessions]\ntick = \"1001ms\"", "sessions.tick: \"1001ms\" is out of range (at most 1s)"},
      {"[admission]\nsources_max = 0", "admission.sources_max: 0 is out of range (at least 1)"},
      {"[admission]\nsources_max = 16_777_217", "admission.sources_max: 16777217 is out of range (at most 16777216)"},
      {"[admission]\nconnections_per_source_max = 0",
       "admission.connections_per_source_max: 0 is out of range (at least 1)"},
      {"[admission]\nconnections_per_source_max = 10_000_001",
       "admission.connections_per_source_max: 10000001 is out of range (at most 10000000)"},
      {"[admission]\nconnect_rate_per_s = 0.0", "admission.connect_rate_per_s: 0.0 is out of range (more than 0)"},
      {"[admission]\nconnect_rate_per_s = -1.5", "admission.connect_rate_per_s: -1.5 is out of range (more than 0)"},
      {"[admission]\nconnect_rate_per_s = 1000001",
       "admission.connect_rate_per_s: 1000001.0 is out of range (at most 1000000.0)"},
      {"[admission]\nconnect_rate_per_s = nan", "admission.connect_rate_per_s: nan is out of range (more than 0)"},
      {"[admission]\nconnect_rate_per_s = inf",
       "admission.connect_rate_per_s: inf is out of range (at most 1000000.0)"},
      {"[admission]\nconnect_burst = 0", "admission.connect_burst: 0 is out of range (at least 1)"},
      {"[admission]\nconnect_burst = 1_000_001", "admission.connect_burst: 1000001 is out of range (at most 1000000)"},
      {"[admission]\nmisuse_rate_per_s = 0", "admission.misuse_rate_per_s: 0.0 is out of range (more than 0)"},
      {"[admission]\nmisuse_burst = 0", "admission.misuse_burst: 0 is out of range (at least 1)"},
      {"[admission]\nmisuse_burst = 1_000_001", "admission.misuse_burst: 1000001 is out of range (at most 1000000)"},
      {"[admission]\npenalty = \"1441m\"", "admission.penalty: \"1441m\" is out of range (at most 1d)"},
  };
  for (const auto& [text, message] : cases) {
    EXPECT_EQ(error_of(std::string(text) + "\n"), "sluice.toml: " + std::string(message));
  }
}

// The same over the schema, so a key added later is covered: its bounds are accepted
// and stored exactly, and one step past them names the key.
TEST(config_loader, schema_bounds_are_inclusive_and_enforced) {
  for (const config::key_spec& key : config::config_keys()) {
    const auto* number = std::get_if<config::number_key>(&key.value);
    if (number == nullptr) continue;
    const auto write = [&](std::uint64_t v) {
      std::string value = std::to_string(v);
      if (number->form == config::number_form::size) value = "\"" + value + "B\"";
      if (number->form == config::number_form::duration) value = "\"" + value + "ns\"";
      // A wide tick would make the timeouts' relation to it fail instead.
      const std::string tick = key.name == "tick" ? "" : "tick = \"100us\"\n";
      return "[" + std::string(key.table) + "]\n" + std::string(key.name) + " = " + value + "\n" +
             (key.table == "sessions" ? tick : "") + (key.name == "max_frame" ? "output_queue_max = \"1GiB\"\n" : "") +
             (key.name == "output_queue_max" ? "max_frame = \"4146B\"\n" : "") +
             // A small max_frame leaves room for a small payload only; the largest payload
             // needs the largest frame.
             (key.table == "server" ? "[topics]\nmax_payload = \"0B\"\n" : "") +
             (key.name == "max_payload" ? "[server]\nmax_frame = \"64MiB\"\noutput_queue_max = \"1GiB\"\n" : "");
    };
    const std::string named = "sluice.toml: " + std::string(key.table) + "." + std::string(key.name) + ": ";
    for (const std::uint64_t ok : {number->min, number->max}) {
      const config_result r = load(write(ok));
      ASSERT_TRUE(r.ok()) << write(ok) << r.error;
      EXPECT_EQ(number->get(r.config), ok) << key.name;
    }
    EXPECT_EQ(error_of(write(number->max + 1)).find(named), 0u) << key.name;
    EXPECT_NE(error_of(write(number->max + 1)).find("out of range (at most"), std::string::npos) << key.name;
    if (number->min > 0) {
      EXPECT_EQ(error_of(write(number->min - 1)).find(named), 0u) << key.name;
      EXPECT_NE(error_of(write(number->min - 1)).find("out of range (at least"), std::string::npos) << key.name;
    }
  }
}

TEST(config_loader, unknown_keys_are_named_with_a_suggestion) {
  EXPECT_EQ(error_of("[server]\nprot = 7400\n"), "sluice.toml: server.prot: unknown key (did you mean port?)");
  EXPECT_EQ(error_of("[sessions]\nidle_timout = \"30s\"\n"),
            "sluice.toml: sessions.idle_timout: unknown key (did you mean idle_timeout?)");
  EXPECT_EQ(error_of("[server]\ntick = \"1ms\"\n"), "sluice.toml: server.tick: unknown key (it belongs in [sessions])");
  EXPECT_EQ(error_of("[admission]\nfrobnicate = 1\n"),
            "sluice.toml: admission.frobnicate: unknown key (keys in [admission]: sources_max, "
            "connections_per_source_max, connect_rate_per_s, connect_burst, misuse_rate_per_s, misuse_burst, "
            "penalty)");
  EXPECT_EQ(error_of("port = 7400\n"), "sluice.toml: port: unknown key (it belongs in [server])");
  EXPECT_EQ(error_of("verbose = true\n"),
            "sluice.toml: verbose: unknown key (keys belong in a table: [server], [sessions] or [admission])");
  EXPECT_EQ(error_of("[server.tls]\ncert = \"x\"\n").find("sluice.toml: server.tls: unknown key"), 0u);
  EXPECT_EQ(error_of("[server]\n\"a b\\n\" = 1\n").find("sluice.toml: server.\"a b\\n\": unknown key"), 0u);
  // A long key is cut in the message, like any echoed value.
  EXPECT_EQ(error_of("[server]\n" + std::string(100, 'k') + " = 1\n")
                .find("sluice.toml: server.\"" + std::string(64, 'k') + "\"...: unknown key (keys in [server]: "),
            0u);
}

TEST(config_loader, unknown_tables_are_named) {
  EXPECT_EQ(error_of("[servr]\nport = 1\n"), "sluice.toml: servr: unknown table (did you mean [server]?)");
  EXPECT_EQ(error_of("[metrics]\n"), "sluice.toml: metrics: unknown table (tables: [server], [sessions], [admission], [topics])");
  EXPECT_EQ(error_of("server = 1\n"),
            "sluice.toml: server: expected a table, got an integer (write [server] with its keys below it)");
  EXPECT_EQ(error_of("[[server]]\nport = 1\n").find("sluice.toml: server: expected a table, got an array"), 0u);
}

TEST(config_loader, wrong_toml_types_are_named_with_an_example) {
  EXPECT_EQ(error_of("[server]\nport = \"7400\"\n"),
            "sluice.toml: server.port: expected an integer, got a string (e.g. port = 7400)");
  EXPECT_EQ(error_of("[server]\nthreads = 1.0\n"),
            "sluice.toml: server.threads: expected an integer, got a float (e.g. threads = 0)");
  EXPECT_EQ(error_of("[sessions]\nidle_timeout = 30\n"),
            "sluice.toml: sessions.idle_timeout: expected a duration string, got an integer (write the unit, in "
            "quotes: idle_timeout = \"30s\")");
  EXPECT_EQ(error_of("[server]\nmax_frame = 1048576\n"),
            "sluice.toml: server.max_frame: expected a size string, got an integer (write the unit, in quotes: "
            "max_frame = \"1MiB\")");
  EXPECT_EQ(error_of("[server]\npin_threads = \"yes\"\n"),
            "sluice.toml: server.pin_threads: expected true or false, got a string (e.g. pin_threads = false)");
  EXPECT_EQ(error_of("[admission]\nconnect_rate_per_s = \"50\"\n"),
            "sluice.toml: admission.connect_rate_per_s: expected a number, got a string (e.g. connect_rate_per_s = "
            "50.0)");
  EXPECT_EQ(error_of("[sessions]\nwhen_full = 1\n"),
            "sluice.toml: sessions.when_full: expected a string, got an integer (e.g. when_full = \"refuse\")");
  EXPECT_EQ(error_of("[server]\nlisten_address = [\"::\"]\n"),
            "sluice.toml: server.listen_address: expected a string, got an array (e.g. listen_address = "
            "\"127.0.0.1\")");
  EXPECT_EQ(error_of("[server]\nport = { a = 1 }\n").find("sluice.toml: server.port: expected an integer, got a table"),
            0u);
  EXPECT_EQ(error_of("[sessions]\ntick = 1979-05-27\n")
                .find("sluice.toml: sessions.tick: expected a duration string, "
                      "got a date"),
            0u);
}

TEST(config_loader, malformed_units_are_explained) {
  EXPECT_EQ(error_of("[server]\nmax_frame = \"-1MiB\"\n"),
            "sluice.toml: server.max_frame: \"-1MiB\" is not a size (write a non-negative integer and a unit, e.g. "
            "\"1MiB\"; units: B, KiB, MiB, GiB, TiB)");
  EXPECT_EQ(error_of("[server]\nmax_frame = \"1MB\"\n"),
            "sluice.toml: server.max_frame: \"1MB\" has an unknown unit (sizes use binary units: 1MiB)");
  EXPECT_EQ(error_of("[sessions]\nidle_timeout = \"30\"\n"),
            "sluice.toml: sessions.idle_timeout: \"30\" has no unit (write e.g. \"30s\"; units: ns, us, ms, s, m, h, "
            "d)");
  EXPECT_EQ(error_of("[sessions]\nidle_timeout = \"-5s\"\n")
                .find("sluice.toml: sessions.idle_timeout: \"-5s\" is not "
                      "a duration"),
            0u);
  EXPECT_EQ(error_of("[server]\nmax_frame = \"99999999999999999999TiB\"\n"),
            "sluice.toml: server.max_frame: \"99999999999999999999TiB\" is out of range (at most 64MiB)");
}

TEST(config_loader, syntax_errors_give_line_and_column) {
  const std::string error = error_of("[server]\nport = 7400\nthreads = = 2\n");
  EXPECT_EQ(error.find("sluice.toml:3:"), 0u) << error;
  EXPECT_GT(error.size(), std::string("sluice.toml:3:1: ").size()) << error;
  EXPECT_EQ(error_of("[server]\nport = 1\nport = 2\n").find("sluice.toml:3:"), 0u);
  EXPECT_EQ(error_of("[server\n").find("sluice.toml:1:"), 0u);
  EXPECT_EQ(error_of("[server]\nport = 99999999999999999999\n").find("sluice.toml:2:"), 0u);
  // Control characters the parser quotes back do not reach the terminal raw.
  EXPECT_EQ(error_of("[server]\nport = \x1b[31m\n").find('\x1b'), std::string::npos);
}

TEST(config_loader, the_first_error_in_the_file_is_reported) {
  // [server] sorts before [sessions]: a report in table order would pick port.
  EXPECT_EQ(error_of("[sessions]\ntick = \"1h\"\n[server]\nport = -1\n"),
            "sluice.toml: sessions.tick: \"1h\" is out of range (at most 1s)");
  EXPECT_EQ(error_of("[server]\nthreads = 999\nport = -1\n"),
            "sluice.toml: server.threads: 999 is out of range (at most 256)");
}

TEST(config_loader, output_queue_must_hold_a_maximum_frame) {
  EXPECT_EQ(error_of("[server]\nmax_frame = \"64MiB\"\n"),
            "sluice.toml: server.output_queue_max: \"4MiB\" is too small for max_frame \"64MiB\" (at least max_frame "
            "+ 64B = \"67108928B\")");
  EXPECT_EQ(error_of("[server]\noutput_queue_max = \"1MiB\"\n").find("sluice.toml: server.output_queue_max: "), 0u);
  EXPECT_TRUE(load("[server]\noutput_queue_max = \"1048640B\"\n").ok());
  EXPECT_FALSE(load("[server]\noutput_queue_max = \"1048639B\"\n").ok());
}

TEST(config_loader, timeouts_must_be_at_least_one_tick) {
  EXPECT_TRUE(load("[sessions]\ntick = \"1s\"\n").ok());
  EXPECT_EQ(error_of("[sessions]\ntick = \"1s\"\nping_timeout = \"500ms\"\n"),
            "sluice.toml: sessions.ping_timeout: \"500ms\" is shorter than sessions.tick \"1s\" (at least one tick)");
  EXPECT_EQ(error_of("[sessions]\ntick = \"1s\"\nhandshake_timeout = \"999ms\"\n").find("sessions.handshake_timeout"),
            13u);
  EXPECT_EQ(error_of("[sessions]\ntick = \"1s\"\nidle_timeout = \"100ms\"\n").find("sessions.idle_timeout"), 13u);
  EXPECT_TRUE(load("[sessions]\ntick = \"1s\"\nresume_window = \"0s\"\n").ok());  // 0: no resumption
  EXPECT_EQ(error_of("[sessions]\ntick = \"1s\"\nresume_window = \"500ms\"\n"),
            "sluice.toml: sessions.resume_window: \"500ms\" is shorter than sessions.tick \"1s\" (0, or at least one "
            "tick)");
}

TEST(config_loader, addresses_and_paths_are_checked) {
  for (const char* ok : {"0.0.0.0", "127.0.0.1", "::", "::1", "fe80::1", "::ffff:10.0.0.1"}) {
    const config_result r = load("[server]\nlisten_address = \"" + std::string(ok) + "\"\n");
    ASSERT_TRUE(r.ok()) << ok << ": " << r.error;
    EXPECT_EQ(r.config.listen_address, ok);
  }
  for (const char* bad : {"", "localhost", "1.2.3.256", "1.2.3", "::1%eth0", " 127.0.0.1", "127.0.0.1\\u0000x"}) {
    EXPECT_EQ(error_of("[server]\nlisten_address = \"" + std::string(bad) + "\"\n").find("server.listen_address: "),
              13u)
        << bad;
  }
  EXPECT_EQ(error_of("[server]\nlisten_address = \"[::1]\"\n"),
            "sluice.toml: server.listen_address: \"[::1]\" is not an IP address (write IPv6 without brackets, e.g. "
            "\"::1\")");
  EXPECT_EQ(error_of("[server]\ndata_dir = \"a\\u0000b\"\n"),
            "sluice.toml: server.data_dir: \"a\\x00b\" has a NUL byte (a path cannot)");
  EXPECT_TRUE(load("[server]\ndata_dir = \"" + std::string(4095, 'd') + "\"\n").ok());
  EXPECT_NE(
      error_of("[server]\ndata_dir = \"" + std::string(4096, 'd') + "\"\n").find("(at most 4095 bytes: PATH_MAX)"),
      std::string::npos);
}

TEST(config_loader, rates_accept_integers_and_floats) {
  const config_result r = load("[admission]\nconnect_rate_per_s = 5\nmisuse_rate_per_s = 1e-3\n");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.sources.connect_rate_per_s, 5.0);
  EXPECT_EQ(r.config.sources.misuse_rate_per_s, 1e-3);
}

// Inputs that reach an assertion or __builtin_unreachable inside toml++ 3.3 come back as
// errors (under the sanitizers, reaching either would abort the test).
TEST(config_loader, inputs_that_break_toml_plus_plus_are_errors) {
  const std::pair<std::string, std::string> cases[] = {
      {"[server]\nport = 1\xc3\xa9\n", "sluice.toml:2:9: non-ASCII character outside a string or comment"},
      {"[\xc3\xa9]\n", "sluice.toml:1:2: non-ASCII character outside a string or comment"},
      {"a = \xe3\x80\x81\n", "sluice.toml:1:5: non-ASCII character outside a string or comment"},
      {"[server]\ndata_dir = \"\"\"\\\n  \xc3\xa9\"\"\"\n",
       "sluice.toml:3:3: non-ASCII character right after a line-ending backslash in a multi-line string"},
      {"data_dir = \"\"\"\\\xc3\xa9\"\"\"\n",
       "sluice.toml:1:16: non-ASCII character after a backslash in a multi-line string"},
      {"data_dir = \"\"\"\\  \xc3\xa9\"\"\"\n",
       "sluice.toml:1:18: non-ASCII character after a backslash in a multi-line string"},
      {"[~]\n", "sluice.toml:1:"},
      {"[[[1]]]\n", "sluice.toml:1:"},
      {"[ \x01]\n", "sluice.toml:1:"},
  };
  for (const auto& [text, message] : cases) EXPECT_EQ(error_of(text).find(message), 0u) << error_of(text);
}

TEST(config_loader, non_ascii_in_strings_and_comments_is_fine) {
  const std::string text =
      "\xef\xbb\xbf# caf\xc3\xa9 \xe3\x80\x81\n"
      "[server] # \xc3\xa9\n"
      "data_dir = \"/srv/\xc3\xa9\\\"\xc3\xa9\"\n"
      "listen_address = '::' # '\xc3\xa9\n";
  const config_result r = load(text);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config.data_dir, "/srv/\xc3\xa9\"\xc3\xa9");
  EXPECT_EQ(r.config.listen_address, "::");
  for (const char* value : {"\"\"\"\xc3\xa9\\\n  x\"\"\"", "'''\xc3\xa9 ''\xc3\xa9'''", "\"\"\"a\"\"\xc3\xa9\"\"\"\"",
                            "\"\"\"\\\"\xc3\xa9\"\"\"", "'\xc3\xa9\\'"}) {
    const config_result ml = load("[server]\ndata_dir = " + std::string(value) + "\n");
    EXPECT_TRUE(ml.ok()) << value << ": " << ml.error;
  }
}

TEST(config_loader, an_error_is_never_empty_and_success_has_none) {
  for (const std::string& text : {std::string("\xff"), std::string(1, '\0'), std::string("["), std::string("a="),
                                  std::string("=1"), std::string("[server]\nport=1\n[server]\n")}) {
    const config_result r = load(text);
    EXPECT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error.find("sluice.toml:"), 0u) << r.error;
  }
}

}  // namespace
}  // namespace sluice
