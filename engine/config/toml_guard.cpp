// The scan: a small lexer that knows where strings and comments start and end, and where
// toml++ reads a bare value past a quote.
#include "engine/config/toml_guard.hpp"

#include <cstddef>
#include <cstdint>
#include <utility>

namespace sluice::config {
namespace {

bool is_ascii(char c) { return static_cast<unsigned char>(c) < 0x80; }

// Where the scan is, outside strings and comments. What matters is whether a quote
// opens a string: toml++ reads a bare value (a number, boolean or date) up to a value
// terminator before it judges it, so in `a = 1"é"` the quote is part of the value and
// toml++ classifies é.
enum class mode : std::uint8_t {
  neutral,      // keys, table headers, after a string: a quote opens a string
  value_start,  // after '=', or '[' and ',' in an array: a quote opens a string, other text starts a bare value
  bare_value,   // runs to a value terminator; a quote is plain text
  after_value,  // after a bare value and a blank: valid TOML has no quote here (a date's
                // time part may follow, and toml++ reads it as more of the value)
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// YYYY-MM-DD by shape, as toml++ recognises a date before it reads a time after it.
bool is_date_shape(std::string_view s) {
  return s.size() == 10 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && s[4] == '-' &&
         is_digit(s[5]) && is_digit(s[6]) && s[7] == '-' && is_digit(s[8]) && is_digit(s[9]);
}
bool is_newline(char c) { return c == '\n' || c == '\r'; }
bool is_bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}
bool ends_bare_value(char c) { return is_blank(c) || is_newline(c) || c == ']' || c == '}' || c == ',' || c == '#'; }

class scanner {
 public:
  explicit scanner(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xef\xbb\xbf") pos_ = 3;  // a UTF-8 BOM, which toml++ skips
  }

  std::optional<toml_guard_error> scan() {
    while (!done()) {
      const char c = peek();
      if (!is_ascii(c)) {
        return error(
            "non-ASCII character outside a string or comment (TOML allows them only in quoted strings and "
            "comments)");
      }
      if (c == '#' && mode_ != mode::bare_value) {
        skip_comment();  // the mode holds: a comment inside an array leaves the next value to come
        continue;
      }
      std::optional<toml_guard_error> problem;
      switch (mode_) {
        case mode::neutral:
          problem = in_neutral(c);
          break;
        case mode::value_start:
          problem = in_value_start(c);
          break;
        case mode::bare_value:
          problem = in_bare_value(c);
          break;
        case mode::after_value:
          in_after_value(c);
          break;
      }
      if (problem) return problem;
    }
    return std::nullopt;
  }

 private:
  [[nodiscard]] bool done() const { return pos_ >= text_.size(); }
  [[nodiscard]] char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  void advance(std::size_t n) {
    for (; n > 0 && !done(); --n) {
      const char c = text_[pos_++];
      if (c == '\n') {
        ++line_;
        column_ = 1;
      } else if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) {
        ++column_;  // UTF-8 continuation bytes do not start a code point
      }
    }
  }

  [[nodiscard]] toml_guard_error error(std::string what) const { return {line_, column_, std::move(what)}; }

  void skip_comment() {
    while (!done() && peek() != '\n') advance(1);
  }

  // "..." or '...': ends at its quote or, as a syntax error toml++ stops at, a newline.
  void skip_single_line(char quote) {
    while (!done() && peek() != quote && peek() != '\n') advance(quote == '"' && peek() == '\\' ? 2 : 1);
    if (!done() && peek() == quote) advance(1);
  }

  // At a run of quotes inside a multi-line string: true, past the closing delimiter, if
  // the run closes it. Up to two quotes before the closing three belong to the string.
  bool close_multi_line(char quote) {
    std::size_t run = 0;
    while (peek(run) == quote) ++run;
    if (run < 3) {
      advance(run);
      return false;
    }
    advance(run < 5 ? run : 5);
    return true;
  }

  std::optional<toml_guard_error> skip_multi_line_basic() {
    while (!done()) {
      const char c = peek();
      if (c == '"') {
        if (close_multi_line('"')) return std::nullopt;
      } else if (c == '\\') {
        advance(1);
        if (auto e = after_backslash()) return e;
      } else {
        advance(1);
      }
    }
    return std::nullopt;
  }

  // After a backslash in a multi-line basic string, where toml++ classifies the next
  // character, and after a line-ending backslash the first one past the whitespace.
  std::optional<toml_guard_error> after_backslash() {
    if (!done() && !is_ascii(peek())) {
      return error("non-ASCII character after a backslash in a multi-line string (not a valid escape)");
    }
    if (peek() != ' ' && peek() != '\t' && peek() != '\n' && peek() != '\r') {
      advance(1);  // an escape such as \" or \\: its character is not a delimiter
      return std::nullopt;
    }
    while (peek() == ' ' || peek() == '\t') advance(1);
    if (!done() && !is_ascii(peek())) {
      return error("non-ASCII character after a backslash in a multi-line string (not a valid escape)");
    }
    while (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r') advance(1);
    if (!done() && !is_ascii(peek())) {
      return error(
          "non-ASCII character right after a line-ending backslash in a multi-line string (not supported: write it "
          "as \\uXXXX)");
    }
    return std::nullopt;
  }

  std::optional<toml_guard_error> skip_multi_line_literal() {
    while (!done()) {
      if (peek() == '\'') {
        if (close_multi_line('\'')) return std::nullopt;
      } else {
        advance(1);
      }
    }
    return std::nullopt;
  }

  std::optional<toml_guard_error> in_neutral(char c) {
    if (c == '"' || c == '\'') return skip_string(c);
    if (c == '[') return table_header();
    advance(1);
    if (c == '=') mode_ = mode::value_start;
    after_punctuation(c);
    return std::nullopt;
  }

  std::optional<toml_guard_error> in_value_start(char c) {
    if (c == '"' || c == '\'') return skip_string(c);
    // toml++ 3.3's array parser hands '}' to parse_value, whose precondition it breaks.
    if (c == '}' && !containers_.empty() && containers_.back() == '[') {
      return error("expected a value or ']' in an array, saw '}'");
    }
    if (is_blank(c) || is_newline(c) || c == '=') {
      advance(1);
    } else if (c == '[' || c == '{' || c == ']' || c == '}' || c == ',') {
      advance(1);
      mode_ = mode::neutral;
      if (c == '[' || c == '{') containers_.push_back(c);
      if (c == '[') mode_ = mode::value_start;
      after_punctuation(c);
    } else {
      mode_ = mode::bare_value;
      value_begin_ = pos_;
    }
    return std::nullopt;
  }

  std::optional<toml_guard_error> in_bare_value(char c) {
    // A value, one space and one digit is where toml++ 3.3 reads on for a date's time
    // ("1979-05-27 07:32:00"); a terminator right after that digit breaks the
    // precondition of its scan.
    if (c == ' ' && peek(1) >= '0' && peek(1) <= '9' && ends_bare_value(peek(2))) {
      advance(2);
      return error(
          "unexpected character after a value (a time after a date needs hours and minutes, e.g. "
          "1979-05-27 07:32:00)");
    }
    // A date and 'T' (or 't') is where toml++ 3.3 reads a time, asserting (not checking)
    // that a digit comes next.
    if ((c == 'T' || c == 't') && is_date_shape(text_.substr(value_begin_, pos_ - value_begin_)) &&
        !is_digit(peek(1))) {
      advance(1);
      return error("a time after a date's 'T' needs hours and minutes, e.g. 1979-05-27T07:32:00");
    }
    if (!ends_bare_value(c)) {
      advance(1);
    } else if (is_blank(c)) {
      advance(1);
      mode_ = mode::after_value;
    } else {
      mode_ = mode::neutral;  // the terminator is read there: ',' starts the next value
    }
    return std::nullopt;
  }

  void in_after_value(char c) {
    advance(1);
    if (is_newline(c) || c == '.' || c == ']' || c == '}' || c == '{') mode_ = mode::neutral;
    if (c == '=' || c == '[') mode_ = mode::value_start;
    after_punctuation(c);
  }

  // What ',' and closing brackets mean depends on the container they are in: after ',' an
  // array's next value starts, but an inline table's next key. Unbalanced brackets are a
  // syntax error toml++ stops at; the scan then only needs to stay conservative.
  void after_punctuation(char c) {
    const char innermost = containers_.empty() ? '\0' : containers_.back();
    if (c == ',') mode_ = innermost == '{' ? mode::neutral : mode::value_start;
    if ((c == ']' && innermost == '[') || (c == '}' && innermost == '{')) containers_.pop_back();
  }

  // In neutral mode '[' opens a table header, where toml++ 3.3 requires a key to start
  // (after blanks and an optional second '['): anything else breaks parse_key's
  // precondition, an assertion in debug builds and an assumption in release ones.
  std::optional<toml_guard_error> table_header() {
    advance(1);
    while (is_blank(peek())) advance(1);
    if (peek() == '[') {
      advance(1);
      while (is_blank(peek())) advance(1);
    }
    const char c = peek();
    if (!done() && is_ascii(c) && !is_bare_key_char(c) && c != '"' && c != '\'' && c != ']') {
      return error("expected a table name after '[' (letters, digits, '_', '-', or a quoted name)");
    }
    mode_ = mode::value_start;  // a bare name then reads like a bare value, up to ']'
    return std::nullopt;
  }

  std::optional<toml_guard_error> skip_string(char quote) {
    mode_ = mode::neutral;
    if (text_.substr(pos_, 3) == std::string(3, quote)) {
      advance(3);
      return quote == '"' ? skip_multi_line_basic() : skip_multi_line_literal();
    }
    advance(1);
    skip_single_line(quote);
    return std::nullopt;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t value_begin_ = 0;  // where the current bare value starts
  mode mode_ = mode::neutral;
  std::string containers_;  // open arrays '[' and inline tables '{', innermost last
  std::uint32_t line_ = 1;
  std::uint32_t column_ = 1;
};

}  // namespace

// TOML 1.0 allows no control character but tab and line endings anywhere, in strings
// and comments included (they must be escaped there); toml++ 3.3 trips an assertion on
// some of them inside a date's time part (found by the config_load fuzzer), so they are
// refused up front, where they stand.
namespace {

std::optional<toml_guard_error> find_control_character(std::string_view text) {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7f) {
      return toml_guard_error{line, column,
                              "control character (TOML allows only tab and line endings; escape it in "
                              "a string)"};
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((byte & 0xc0) != 0x80) {
      ++column;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<toml_guard_error> find_unsafe_toml(std::string_view text) {
  if (auto control = find_control_character(text)) return control;
  return scanner(text).scan();
}

}  // namespace sluice::config
