// Fuzzes load_config and the unit parsers with arbitrary bytes. None may crash; an
// error is one line without raw control characters, prefixed by the source name;
// whatever loads comes back equal through describe_config -> load_config; whatever a
// unit parser accepts formats and parses back to the same value.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/config/config_loader.hpp"
#include "engine/config/units.hpp"

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "config_load: %s\n%.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void check_message(std::string_view message, std::string_view prefix) {
  if (message.substr(0, prefix.size()) != prefix) fail("error without its source prefix", message);
  for (const char c : message) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) fail("raw control character in an error", message);
  }
}

void check_units(std::string_view text) {
  const sluice::duration_result d = sluice::parse_duration(text);
  if (d.ok()) {
    if (d.value > sluice::duration_max_ns) fail("duration past INT64_MAX ns accepted", text);
    if (sluice::parse_duration(sluice::format_duration(d.value)).value != d.value) fail("duration round trip", text);
  } else {
    check_message(d.error, "\"");
  }
  const sluice::size_result s = sluice::parse_size(text);
  if (s.ok()) {
    if (sluice::parse_size(sluice::format_size(s.value)).value != s.value) fail("size round trip", text);
  } else {
    check_message(s.error, "\"");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (size <= 64) check_units(text);  // unit strings are short; longer input is spent on the loader

  const sluice::config_result loaded = sluice::load_config(text, "fuzz.toml");
  if (!loaded.ok()) {
    check_message(loaded.error, "fuzz.toml");
    return 0;
  }
  const std::string described = sluice::describe_config(loaded.config);
  const sluice::config_result again = sluice::load_config(described, "described");
  if (!again.ok()) fail(again.error.c_str(), described);
  if (!(again.config == loaded.config)) fail("describe -> load changed the config", described);
  return 0;
}
