// What to tell someone who wrote a key or table the schema does not have: a close
// match ("did you mean port?"), the table the key belongs in, or the names there are.
// Thread: any; no shared state.
#pragma once

#include <string>
#include <string_view>

namespace sluice::config {

// "unknown table (did you mean [server]?)" or "unknown table (tables: [server], ...)".
[[nodiscard]] std::string unknown_table(std::string_view name);

// For `name` in [table] (or at the top level when `table` is empty): "unknown key (did
// you mean port?)", "unknown key (it belongs in [sessions])", or the table's keys.
[[nodiscard]] std::string unknown_key(std::string_view table, std::string_view name);

}  // namespace sluice::config
