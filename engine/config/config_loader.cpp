// load_config: toml++ parses, then each key is found in the schema, type-checked,
// bounds-checked and stored. This is the only file that includes toml++.
#include "engine/config/config_loader.hpp"

// toml++ is compiled into this file alone, header-only and without exceptions, so a
// parse failure is a value and nothing can escape. Its float parsing goes through
// std::from_chars, which rounds exactly, so describe_config's shortest float text reads
// back to the same double. Text reaches it only after find_unsafe_toml (toml_guard.hpp)
// has ruled out the inputs toml++ 3.3 mishandles.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#define TOML_ENABLE_FORMATTERS 0
#define TOML_FLOAT_CHARCONV 1
#include <toml++/toml.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "engine/config/config_schema.hpp"
#include "engine/config/key_suggestions.hpp"
#include "engine/config/quoting.hpp"
#include "engine/config/toml_guard.hpp"
#include "engine/config/units.hpp"

namespace sluice {
namespace {

using config::choice_key;
using config::flag_key;
using config::key_spec;
using config::number_form;
using config::number_key;
using config::rate_key;
using config::text_key;

// Keeps the error nearest the top of the file: the one a reader meets first.
class first_error {
 public:
  void offer(const toml::source_position& at, std::string text) {
    if (!text_.empty() && !(at.line < at_.line || (at.line == at_.line && at.column < at_.column))) return;
    at_ = at;
    text_ = std::move(text);
  }
  [[nodiscard]] bool empty() const noexcept { return text_.empty(); }
  [[nodiscard]] const std::string& text() const noexcept { return text_; }

 private:
  toml::source_position at_{};
  std::string text_;
};

std::string_view type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// "expected an integer, got a string (e.g. port = 7400)", the example at the default.
std::string wrong_type(const key_spec& key, const toml::node& node) {
  std::string_view expected = "a string";
  std::string_view hint = "e.g. ";
  if (const auto* n = std::get_if<number_key>(&key.value)) {
    if (n->form == number_form::count) {
      expected = "an integer";
    } else {
      expected = n->form == number_form::size ? "a size string" : "a duration string";
      hint = "write the unit, in quotes: ";
    }
  } else if (std::holds_alternative<rate_key>(key.value)) {
    expected = "a number";
  } else if (std::holds_alternative<flag_key>(key.value)) {
    expected = "true or false";
  }
  return "expected " + std::string(expected) + ", got " + std::string(type_name(node.type())) + " (" +
         std::string(hint) + std::string(key.name) + " = " + config::render_value(key, server_config{}) + ")";
}

std::string formatted(number_form form, std::uint64_t value) {
  switch (form) {
    case number_form::size:
      return format_size(value);
    case number_form::duration:
      return format_duration(value);
    case number_form::count:
      break;
  }
  return std::to_string(value);
}

std::string apply_number(const key_spec& key, const number_key& spec, const toml::node& node, server_config& config) {
  if (spec.form == number_form::count) {
    const auto* integer = node.as_integer();
    if (integer == nullptr) return wrong_type(key, node);
    const std::int64_t n = integer->get();
    if (n < 0 || static_cast<std::uint64_t>(n) < spec.min) {
      return std::to_string(n) + " is out of range (at least " + std::to_string(spec.min) + ")";
    }
    if (static_cast<std::uint64_t>(n) > spec.max) {
      return std::to_string(n) + " is out of range (at most " + std::to_string(spec.max) + ")";
    }
    if (spec.power_of_two && !std::has_single_bit(static_cast<std::uint64_t>(n))) {
      return std::to_string(n) + " is not a power of two (" + std::to_string(spec.min) + ", " +
             std::to_string(spec.min * 2) + ", ... " + std::to_string(spec.max) + ")";
    }
    spec.set(config, static_cast<std::uint64_t>(n));
    return {};
  }
  const auto* string = node.as_string();
  if (string == nullptr) return wrong_type(key, node);
  const std::string& text = string->get();
  const unit_result<std::uint64_t> parsed = spec.form == number_form::size ? parse_size(text) : parse_duration(text);
  if (parsed.failure == unit_failure::malformed) return parsed.error;
  if (parsed.failure == unit_failure::out_of_range || parsed.value > spec.max) {
    return config::quote_for_message(text) + " is out of range (at most " + formatted(spec.form, spec.max) + ")";
  }
  if (parsed.value < spec.min) {
    return config::quote_for_message(text) + " is out of range (at least " + formatted(spec.form, spec.min) + ")";
  }
  spec.set(config, parsed.value);
  return {};
}

std::string apply_rate(const key_spec& key, const rate_key& spec, const toml::node& node, server_config& config) {
  double rate = 0;
  if (const auto* f = node.as_floating_point()) {
    rate = f->get();
  } else if (const auto* i = node.as_integer()) {
    rate = static_cast<double>(i->get());
  } else {
    return wrong_type(key, node);
  }
  if (std::isnan(rate) || rate <= 0) return config::format_rate(rate) + " is out of range (more than 0)";
  if (rate > spec.max)
    return config::format_rate(rate) + " is out of range (at most " + config::format_rate(spec.max) + ")";
  spec.set(config, rate);
  return {};
}

std::string apply_choice(const key_spec& key, const choice_key& spec, const toml::node& node, server_config& config) {
  const auto* string = node.as_string();
  if (string == nullptr) return wrong_type(key, node);
  const auto found = std::find(spec.names.begin(), spec.names.end(), string->get());
  if (found != spec.names.end()) {
    spec.set(config, static_cast<std::size_t>(found - spec.names.begin()));
    return {};
  }
  std::string choices;
  for (const std::string_view name : spec.names) choices += (choices.empty() ? "" : " or ") + config::toml_string(name);
  return config::quote_for_message(string->get()) + " is not a choice here (" + choices + ")";
}

// Applies one key's value to `config`; returns what is wrong with it, or nothing.
std::string apply(const key_spec& key, const toml::node& node, server_config& config) {
  if (const auto* n = std::get_if<number_key>(&key.value)) return apply_number(key, *n, node, config);
  if (const auto* r = std::get_if<rate_key>(&key.value)) return apply_rate(key, *r, node, config);
  if (const auto* c = std::get_if<choice_key>(&key.value)) return apply_choice(key, *c, node, config);
  if (const auto* f = std::get_if<flag_key>(&key.value)) {
    const auto* boolean = node.as_boolean();
    if (boolean == nullptr) return wrong_type(key, node);
    f->set(config, boolean->get());
    return {};
  }
  const auto& t = std::get<text_key>(key.value);
  const auto* string = node.as_string();
  if (string == nullptr) return wrong_type(key, node);
  if (std::string what = t.check(string->get()); !what.empty()) return what;
  t.set(config, string->get());
  return {};
}

bool is_table_name(std::string_view name) {
  const auto tables = config::config_tables();
  return std::find(tables.begin(), tables.end(), name) != tables.end();
}

void load_table(std::string_view table_name, const toml::table& table, server_config& config, first_error& errors) {
  for (auto&& [key, node] : table) {
    const std::string_view name = key.str();
    const key_spec* spec = config::find_key(table_name, name);
    std::string what = spec != nullptr ? apply(*spec, node, config) : config::unknown_key(table_name, name);
    if (!what.empty()) {
      errors.offer(key.source().begin,
                   std::string(table_name) + "." + config::key_for_message(name) + ": " + std::move(what));
    }
  }
}

}  // namespace

config_result load_config(std::string_view toml_text, std::string_view source_name) {
  config_result result;
  const std::string source(source_name);
  if (const std::optional<config::toml_guard_error> unsafe = config::find_unsafe_toml(toml_text)) {
    result.error =
        source + ":" + std::to_string(unsafe->line) + ":" + std::to_string(unsafe->column) + ": " + unsafe->what;
    return result;
  }
  toml::parse_result parsed = toml::parse(toml_text, source_name);
  if (!parsed) {
    const toml::parse_error& e = parsed.error();
    result.error = source + ":" + std::to_string(e.source().begin.line) + ":" +
                   std::to_string(e.source().begin.column) + ": " + config::escape_controls(e.description());
    return result;
  }
  first_error errors;
  for (auto&& [key, node] : parsed.table()) {
    const std::string_view name = key.str();
    const std::string shown = config::key_for_message(name);
    if (!is_table_name(name)) {
      errors.offer(key.source().begin,
                   shown + ": " + (node.is_table() ? config::unknown_table(name) : config::unknown_key({}, name)));
    } else if (const toml::table* table = node.as_table()) {
      load_table(name, *table, result.config, errors);
    } else {
      errors.offer(key.source().begin, shown + ": expected a table, got " + std::string(type_name(node.type())) +
                                           " (write [" + std::string(name) + "] with its keys below it)");
    }
  }
  if (!errors.empty()) {
    result.error = source + ": " + errors.text();
  } else if (const std::optional<config::relation_error> relation = config::check_relations(result.config)) {
    result.error =
        source + ": " + std::string(relation->table) + "." + std::string(relation->name) + ": " + relation->what;
  }
  return result;
}

}  // namespace sluice
