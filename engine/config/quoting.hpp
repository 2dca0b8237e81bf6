// Quoting text for the two places config text is shown: error messages, where a value
// from the file is echoed back, and describe_config, which writes TOML strings.
// Thread: any; no shared state.
#pragma once

#include <string>
#include <string_view>

namespace sluice::config {

// A value echoed in an error message: in double quotes, with quotes, backslashes and
// every byte outside printable ASCII escaped (\n, \xNN), so a hostile or binary value
// cannot garble the terminal. Long values are cut after 64 bytes, marked by "...".
[[nodiscard]] std::string quote_for_message(std::string_view text);

// `text` with control characters escaped (\n, \x1b), for a message from the TOML parser
// that may quote what it saw.
[[nodiscard]] std::string escape_controls(std::string_view text);

// A TOML basic string ("...") holding `text` exactly; `text` should be UTF-8, as TOML
// cannot hold anything else.
[[nodiscard]] std::string toml_string(std::string_view text);

// A key as TOML writes it: bare when it is only letters, digits, '_' and '-' (and not
// long); otherwise quoted, and cut, as quote_for_message does.
[[nodiscard]] std::string key_for_message(std::string_view key);

}  // namespace sluice::config
