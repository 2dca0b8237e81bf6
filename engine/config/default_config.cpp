// default_config_toml: engine/config/default.toml, embedded by CMake at build time into
// a generated header (see CMakeLists.txt), so the documented file is the one shipped.
#include "engine/config/config_loader.hpp"
#include "engine/config/default_config_text.hpp"

namespace sluice {

std::string_view default_config_toml() noexcept { return config::default_config_text; }

}  // namespace sluice
