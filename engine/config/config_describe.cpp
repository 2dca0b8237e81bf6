// describe_config: the effective config as TOML, one [table] per section in schema order,
// values in the same forms the loader reads, so the text loads back to the same config.
#include "engine/config/config_loader.hpp"
#include "engine/config/config_schema.hpp"

namespace sluice {

std::string describe_config(const server_config& config) {
  std::string out;
  std::string_view table;
  for (const config::key_spec& key : config::config_keys()) {
    if (key.table != table) {
      if (!out.empty()) out += '\n';
      table = key.table;
      out += "[" + std::string(table) + "]\n";
    }
    out += std::string(key.name) + " = " + config::render_value(key, config) + "\n";
  }
  return out;
}

// The loader already knows every bound and relation; a config that describes itself
// into text it refuses is invalid for the same reason.
std::string check_config(const server_config& config) {
  return load_config(describe_config(config), "configuration").error;
}

}  // namespace sluice
