// The key list. Each bound's reason is in docs/config.md; a static_assert checks that
// every upper bound fits the field it is stored in.
#include "engine/config/config_schema.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>

#include "engine/config/quoting.hpp"
#include "engine/config/units.hpp"
#include "engine/protocol/frame.hpp"

namespace sluice::config {
namespace {

constexpr std::uint64_t kib = 1u << 10;
constexpr std::uint64_t mib = 1u << 20;
constexpr std::uint64_t gib = 1u << 30;
constexpr time_ns ns_per_min = 60 * ns_per_s;
constexpr time_ns ns_per_h = 60 * ns_per_min;
constexpr time_ns ns_per_d = 24 * ns_per_h;
constexpr std::size_t path_bytes_max = 4095;  // PATH_MAX less its terminating NUL

// The field a chain of member pointers leads to: field<&a, &b>(c) is c.*a.*b.
template <auto... path, class config_type>
constexpr auto& field(config_type& c) noexcept {
  return (c.*....*path);
}

template <auto... path>
using field_type = std::remove_cvref_t<decltype(field<path...>(std::declval<server_config&>()))>;

template <number_form form, std::uint64_t min, std::uint64_t max, bool power_of_two, auto... path>
constexpr number_key number() {
  static_assert(min <= max && max <= std::numeric_limits<field_type<path...>>::max(), "bounds must fit the field");
  return {form,
          min,
          max,
          power_of_two,
          [](const server_config& c) -> std::uint64_t { return field<path...>(c); },
          [](server_config& c, std::uint64_t v) { field<path...>(c) = static_cast<field_type<path...>>(v); }};
}

template <std::uint64_t min, std::uint64_t max, auto... path>
constexpr number_key count() {
  return number<number_form::count, min, max, false, path...>();
}

template <std::uint64_t min, std::uint64_t max, auto... path>
constexpr number_key power_of_two_count() {
  static_assert(std::has_single_bit(min) && std::has_single_bit(max));
  return number<number_form::count, min, max, true, path...>();
}

template <std::uint64_t min, std::uint64_t max, auto... path>
constexpr number_key size() {
  return number<number_form::size, min, max, false, path...>();
}

template <time_ns min, time_ns max, auto... path>
constexpr number_key duration() {
  static_assert(max <= duration_max_ns, "parse_duration cannot reach the bound");
  return number<number_form::duration, min, max, false, path...>();
}

template <auto... path>
constexpr rate_key rate(double max) {
  return {max, [](const server_config& c) -> double { return field<path...>(c); },
          [](server_config& c, double v) { field<path...>(c) = v; }};
}

template <auto... path>
constexpr flag_key flag() {
  return {[](const server_config& c) -> bool { return field<path...>(c); },
          [](server_config& c, bool v) { field<path...>(c) = v; }};
}

template <auto... path>
constexpr text_key text(std::string (*check)(std::string_view)) {
  return {check, [](const server_config& c) -> const std::string& { return field<path...>(c); },
          [](server_config& c, std::string_view v) { field<path...>(c) = std::string(v); }};
}

template <auto... path>
constexpr choice_key choice(std::span<const std::string_view> names) {
  return {names, [](const server_config& c) -> std::size_t { return static_cast<std::size_t>(field<path...>(c)); },
          [](server_config& c, std::size_t i) { field<path...>(c) = static_cast<field_type<path...>>(i); }};
}

std::string check_listen_address(std::string_view value) {
  constexpr std::string_view hint =
      " (an IPv4 or IPv6 literal, e.g. \"0.0.0.0\" or \"::\"; host names are not resolved)";
  if (value.size() <= INET6_ADDRSTRLEN && value.find('\0') == std::string_view::npos) {
    const std::string terminated(value);
    in_addr v4{};
    in6_addr v6{};
    if (inet_pton(AF_INET, terminated.c_str(), &v4) == 1 || inet_pton(AF_INET6, terminated.c_str(), &v6) == 1) {
      return {};
    }
  }
  if (value.size() > 2 && value.front() == '[' && value.back() == ']') {
    return quote_for_message(value) + " is not an IP address (write IPv6 without brackets, e.g. \"::1\")";
  }
  return quote_for_message(value) + " is not an IP address" + std::string(hint);
}

std::string check_data_dir(std::string_view value) {
  if (value.empty()) return "\"\" is empty (a directory path, e.g. \"/var/lib/sluice\")";
  if (value.find('\0') != std::string_view::npos) return quote_for_message(value) + " has a NUL byte (a path cannot)";
  if (value.size() > path_bytes_max) {
    return quote_for_message(value) + " is too long (at most " + std::to_string(path_bytes_max) + " bytes: PATH_MAX)";
  }
  return {};
}

constexpr std::array<std::string_view, 4> table_names{"server", "sessions", "admission", "topics"};
constexpr std::array<std::string_view, 2> full_policy_names{"refuse", "evict_lru_detached"};
static_assert(static_cast<std::size_t>(full_policy::refuse) == 0 &&
              static_cast<std::size_t>(full_policy::evict_lru_detached) == 1);

using server = server_config;
using shard = session_shard_config;
using limiter = source_limiter_config;
using wheel = timing_wheel_config;
using topics = topics_config;
using history = topic_history_limits;

constexpr std::array<std::string_view, 2> slow_consumer_names{"drop_oldest", "disconnect"};
static_assert(static_cast<std::size_t>(slow_consumer_policy::drop_oldest) == 0 &&
              static_cast<std::size_t>(slow_consumer_policy::disconnect) == 1);

const std::array<key_spec, 42> keys{{
    {"server", "listen_address", text<&server::listen_address>(check_listen_address)},
    {"server", "port", count<0, 65'535, &server::port>()},
    {"server", "threads", count<0, 256, &server::threads>()},
    {"server", "pin_threads", flag<&server::pin_threads>()},
    {"server", "listen_backlog", count<1, 65'535, &server::listen_backlog>()},
    {"server", "data_dir", text<&server::data_dir>(check_data_dir)},
    {"server", "max_connections", count<1, 10'000'000, &server::max_connections>()},
    {"server", "max_frame", size<proto::max_frame_min, 64 * mib, &server::max_frame>()},
    {"server", "output_queue_max",
     size<proto::max_frame_min + output_queue_headroom, gib, &server::output_queue_max>()},
    {"server", "ring_entries", power_of_two_count<64, 32'768, &server::ring_entries>()},
    {"server", "recv_buffer_size", size<512, mib, &server::recv_buffer_size>()},
    {"server", "recv_buffer_count", power_of_two_count<16, 32'768, &server::recv_buffer_count>()},
    {"server", "inbox_capacity", count<64, 16 * mib, &server::inbox_capacity>()},
    {"server", "expiry_work_max", count<1, 1'000'000, &server::expiry_work_max>()},

    {"sessions", "max_per_shard", count<1, 16 * mib, &server::sessions, &shard::sessions_max>()},
    {"sessions", "when_full", choice<&server::sessions, &shard::when_full>(full_policy_names)},
    {"sessions", "handshake_timeout",
     duration<100 * ns_per_ms, 5 * ns_per_min, &server::sessions, &shard::handshake_timeout_ns>()},
    {"sessions", "idle_timeout", duration<100 * ns_per_ms, ns_per_d, &server::sessions, &shard::idle_timeout_ns>()},
    {"sessions", "ping_timeout", duration<100 * ns_per_ms, ns_per_h, &server::sessions, &shard::ping_timeout_ns>()},
    {"sessions", "resume_window", duration<0, 7 * ns_per_d, &server::sessions, &shard::resume_window_ns>()},
    {"sessions", "tick", duration<100 * ns_per_us, ns_per_s, &server::sessions, &shard::wheel, &wheel::tick_ns>()},

    {"admission", "sources_max", count<1, 16 * mib, &server::sources, &limiter::sources_max>()},
    {"admission", "connections_per_source_max",
     count<1, 10'000'000, &server::sources, &limiter::connections_per_source_max>()},
    {"admission", "connect_rate_per_s", rate<&server::sources, &limiter::connect_rate_per_s>(1e6)},
    {"admission", "connect_burst", count<1, 1'000'000, &server::sources, &limiter::connect_burst>()},
    {"admission", "misuse_rate_per_s", rate<&server::sources, &limiter::misuse_rate_per_s>(1e6)},
    {"admission", "misuse_burst", count<1, 1'000'000, &server::sources, &limiter::misuse_burst>()},
    {"admission", "penalty", duration<0, ns_per_d, &server::sources, &limiter::penalty_ns>()},
    {"topics", "max_topics", count<1, 16 * mib, &server::topics, &topics::topics_max>()},
    {"topics", "max_subscriptions", count<1, 64 * mib, &server::topics, &topics::subscriptions_max>()},
    {"topics", "session_subscriptions", count<1, 65'536, &server::topics, &topics::session_subscriptions_max>()},
    {"topics", "max_payload", size<0, 64 * mib - 18 - proto::topic_max, &server::topics, &topics::payload_max>()},
    {"topics", "history_events", count<1, 1u << 24, &server::topics, &topics::history, &history::events_max>()},
    {"topics", "history_bytes", size<4096, 64 * gib, &server::topics, &topics::history, &history::bytes_max>()},
    {"topics", "history_age", duration<ns_per_s, 7 * ns_per_d, &server::topics, &topics::history, &history::age_max>()},
    {"topics", "history_shard_bytes", size<64 * kib, 1024 * gib, &server::topics, &topics::history_shard_bytes_max>()},
    {"topics", "publish_rate_per_s", rate<&server::topics, &topics::publish_rate_per_s>(1e7)},
    {"topics", "publish_burst", count<1, 1'000'000, &server::topics, &topics::publish_burst>()},
    {"topics", "dedup_entries", count<1, 65'536, &server::topics, &topics::dedup_entries>()},
    {"topics", "dedup_ttl", duration<ns_per_s, ns_per_d, &server::topics, &topics::dedup_ttl_ns>()},
    {"topics", "replay_page", count<1, 65'536, &server::topics, &topics::replay_page_events>()},
    {"topics", "slow_consumer", choice<&server::topics, &topics::slow_consumer>(slow_consumer_names)},
}};

std::string quoted_duration(time_ns value) { return "\"" + format_duration(value) + "\""; }

}  // namespace

std::span<const key_spec> config_keys() noexcept { return keys; }

std::span<const std::string_view> config_tables() noexcept { return table_names; }

const key_spec* find_key(std::string_view table, std::string_view name) noexcept {
  for (const key_spec& key : keys) {
    if (key.table == table && key.name == name) return &key;
  }
  return nullptr;
}

std::string format_rate(double rate) {
  // Whole numbers in plain notation ("1000000.0" rather than "1e+06"); below 2^53 they
  // are exact, so the text parses back to the same double.
  if (rate == std::floor(rate) && std::fabs(rate) < 9.0e15) {
    return std::to_string(static_cast<std::int64_t>(rate)) + ".0";
  }
  std::array<char, 64> buffer{};
  const std::to_chars_result r = std::to_chars(buffer.data(), buffer.data() + buffer.size(), rate);
  std::string text(buffer.data(), r.ptr);
  // TOML spells the specials inf and nan, as to_chars does; anything else needs a '.' or
  // an exponent to be a float.
  if (text.find_first_of(".ein") == std::string::npos) text += ".0";
  return text;
}

std::string render_value(const key_spec& key, const server_config& config) {
  if (const auto* n = std::get_if<number_key>(&key.value)) {
    const std::uint64_t v = n->get(config);
    switch (n->form) {
      case number_form::count:
        return std::to_string(v);
      case number_form::size:
        return toml_string(format_size(v));
      case number_form::duration:
        return toml_string(format_duration(v));
    }
  }
  if (const auto* r = std::get_if<rate_key>(&key.value)) return format_rate(r->get(config));
  if (const auto* f = std::get_if<flag_key>(&key.value)) return f->get(config) ? "true" : "false";
  if (const auto* t = std::get_if<text_key>(&key.value)) return toml_string(t->get(config));
  if (const auto* c = std::get_if<choice_key>(&key.value)) {
    const std::size_t i = c->get(config);
    return toml_string(i < c->names.size() ? c->names[i] : std::string_view{"(invalid)"});
  }
  return {};
}

std::optional<relation_error> check_relations(const server_config& config) {
  const std::uint64_t queue_min = std::uint64_t{config.max_frame} + output_queue_headroom;
  if (config.output_queue_max < queue_min) {
    return relation_error{"server", "output_queue_max",
                          "\"" + format_size(config.output_queue_max) + "\" is too small for max_frame \"" +
                              format_size(config.max_frame) + "\" (at least max_frame + " +
                              format_size(output_queue_headroom) + " = \"" + format_size(queue_min) + "\")"};
  }
  // An EVENT frame carries the payload after 18 bytes of fields and the topic name.
  const std::uint64_t event_max = std::uint64_t{config.topics.payload_max} + 18 + proto::topic_max;
  if (event_max > config.max_frame) {
    return relation_error{"topics", "max_payload",
                          "\"" + format_size(config.topics.payload_max) +
                              "\" does not fit in an EVENT frame of max_frame \"" + format_size(config.max_frame) +
                              "\" (at most max_frame - " + format_size(18 + proto::topic_max) + ")"};
  }
  // A timeout shorter than the wheel's tick cannot be honoured: it fires a tick late.
  const session_shard_config& s = config.sessions;
  const time_ns tick = s.wheel.tick_ns;
  const std::array<std::pair<std::string_view, time_ns>, 3> timeouts{{
      {"handshake_timeout", s.handshake_timeout_ns},
      {"idle_timeout", s.idle_timeout_ns},
      {"ping_timeout", s.ping_timeout_ns},
  }};
  for (const auto& [name, timeout] : timeouts) {
    if (timeout < tick) {
      return relation_error{"sessions", name,
                            quoted_duration(timeout) + " is shorter than sessions.tick " + quoted_duration(tick) +
                                " (at least one tick)"};
    }
  }
  if (s.resume_window_ns != 0 && s.resume_window_ns < tick) {
    return relation_error{"sessions", "resume_window",
                          quoted_duration(s.resume_window_ns) + " is shorter than sessions.tick " +
                              quoted_duration(tick) + " (0, or at least one tick)"};
  }
  return std::nullopt;
}

}  // namespace sluice::config
