// A scan of TOML text for the inputs that reach undefined behaviour in toml++ 3.3 (the
// Debian 12 version), run before the text is handed to it.
//
// toml++ 3.3's is_non_ascii_horizontal_whitespace() reaches __builtin_unreachable for
// many non-ASCII code points (U+00A1..U+0499, U+2C8E..U+3087 less U+3000, U+FB26..U+FEFE),
// and the parser asks it about characters outside strings and comments (including those
// it reads as part of a bare value such as `1"é"`), and about the character after a
// backslash in a multi-line basic string. So `a = 1é` is undefined behaviour, not a
// syntax error. And a table header that does not start with a key (`[~]`, `[[[1]]]`)
// breaks a precondition of its parse_key (fixed upstream in toml++ PR #301), and two
// more shapes break parse_value's: an assertion in debug builds, an assumption
// (undefined behaviour) in clang release builds.
// This scan refuses:
//   - a control character other than tab and line endings, anywhere: TOML 1.0 allows
//     none (strings must escape them), and toml++ asserts on some inside a date;
//   - a non-ASCII character outside strings and comments, which TOML 1.0 does not allow
//     anywhere there, so nothing valid is refused;
//   - in a multi-line basic string ("""), a non-ASCII character right after a backslash
//     (an invalid escape anyway), or as the first character after a line-ending
//     backslash's whitespace (valid TOML, refused with a hint to write \uXXXX);
//   - a table header whose name does not start with a key character or a quote, a '}'
//     where an array expects a value (`[1, }`), and a value, a space, a digit and a
//     terminator (`1979-05-27 0,`): each breaks a parser precondition.
// It follows TOML 1.0's strings and comments, and the bare values toml++ reads past a
// quote. On text that is not valid TOML it may report its refusal where toml++ would
// have reported an earlier syntax error.
// Thread: any; no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::config {

struct toml_guard_error {
  std::uint32_t line;    // 1-based
  std::uint32_t column;  // 1-based, in code points, as toml++ counts
  std::string what;
};

[[nodiscard]] std::optional<toml_guard_error> find_unsafe_toml(std::string_view text);

}  // namespace sluice::config
