// Loading sluiced's configuration: TOML text in, a checked server_config or one error
// out. Nothing is thrown; sluiced prints the error and exits (`--verify-config FILE`
// prints it and exits 2). The caller reads the file; this layer does no I/O.
//
// Errors read "<source>: <table>.<key>: <what is wrong> (<bound or hint>)", e.g.
//   sluice.toml: sessions.idle_timeout: "2d" is out of range (at most 1d)
// and TOML syntax errors "<source>:<line>:<column>: <what toml++ saw>". When a file has
// several errors, the one reported is the first in the file; relations between keys
// (output_queue_max against max_frame, timeouts against the tick) are checked last.
// Thread: any; no shared state.
#pragma once

#include <string>
#include <string_view>

#include "engine/config/server_config.hpp"

namespace sluice {

struct config_result {
  server_config config;  // meaningful when ok()
  std::string error;     // empty exactly when ok()

  [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

// Starts from server_config{} and applies every key in `toml_text`. `source_name`
// (usually the file's path) prefixes every error.
[[nodiscard]] config_result load_config(std::string_view toml_text, std::string_view source_name);

// The config as TOML with units ("30s", "1MiB"), one table per section, for the startup
// log. load_config(describe_config(c)) gives c back for every config load_config can
// produce, apart from the runtime-filled fields (hash seeds, wheel origin).
[[nodiscard]] std::string describe_config(const server_config& config);

// For a server_config built in code rather than loaded: the error load_config would
// report for it (every key's bounds and the relations between keys), or "" when valid.
[[nodiscard]] std::string check_config(const server_config& config);

// engine/config/default.toml as embedded at build time: every key at its default, each
// with a one-line comment. Loading it gives server_config{}.
[[nodiscard]] std::string_view default_config_toml() noexcept;

}  // namespace sluice
