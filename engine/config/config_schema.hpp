// The configuration keys: for each, its table, its name, how it is written in TOML, its
// bounds, and where it lives in server_config. The loader, describe_config and the tests
// all walk this one list, so a key cannot be loadable but not described, or described
// but not bounded. Bounds and the reason for each are documented in docs/config.md.
// Thread: any; the list is immutable.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "engine/config/server_config.hpp"

namespace sluice::config {

// How an unsigned key is written: a TOML integer, or a string with a size or duration unit.
enum class number_form : std::uint8_t { count, size, duration };

struct number_key {
  number_form form;
  std::uint64_t min;  // inclusive, in the key's base unit: 1, bytes or nanoseconds
  std::uint64_t max;  // inclusive
  bool power_of_two;
  std::uint64_t (*get)(const server_config&);
  void (*set)(server_config&, std::uint64_t);
};

// A TOML float (or integer), more than zero and finite.
struct rate_key {
  double max;  // inclusive
  double (*get)(const server_config&);
  void (*set)(server_config&, double);
};

struct flag_key {
  bool (*get)(const server_config&);
  void (*set)(server_config&, bool);
};

// A TOML string checked by `check`, which says what is wrong with it, or nothing.
struct text_key {
  std::string (*check)(std::string_view value);
  const std::string& (*get)(const server_config&);
  void (*set)(server_config&, std::string_view);
};

// A TOML string naming one of an enum's values; names[i] is the enum value i.
struct choice_key {
  std::span<const std::string_view> names;
  std::size_t (*get)(const server_config&);
  void (*set)(server_config&, std::size_t);
};

struct key_spec {
  std::string_view table;
  std::string_view name;
  std::variant<number_key, rate_key, flag_key, text_key, choice_key> value;
};

// In the order describe_config writes them, table by table.
[[nodiscard]] std::span<const key_spec> config_keys() noexcept;
[[nodiscard]] std::span<const std::string_view> config_tables() noexcept;
[[nodiscard]] const key_spec* find_key(std::string_view table, std::string_view name) noexcept;

// The key's value in `config` as a TOML value: 7400, "30s", "1MiB", 50.0, true, "refuse".
[[nodiscard]] std::string render_value(const key_spec& key, const server_config& config);

// A rate as a TOML float that parses back to the same double: 50.0, 0.25, 1e-07.
[[nodiscard]] std::string format_rate(double rate);

// A bound that involves two keys, checked once every key has its final value; the key
// named is the one to change.
struct relation_error {
  std::string_view table;
  std::string_view name;
  std::string what;  // "<what is wrong> (<bound>)"
};
[[nodiscard]] std::optional<relation_error> check_relations(const server_config& config);

// The extra room output_queue_max must have beyond max_frame: a PONG echoing a
// maximum-size PING must fit behind a small control frame.
inline constexpr std::uint64_t output_queue_headroom = 64;

}  // namespace sluice::config
