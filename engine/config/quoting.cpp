// Quoting for messages and for TOML output.
#include "engine/config/quoting.hpp"

#include <cstddef>

namespace sluice::config {
namespace {

constexpr std::size_t message_quote_max = 64;
constexpr char hex_digits[] = "0123456789abcdef";

// The short escape TOML and C share for a control character, or 0 if there is none.
char short_escape(char c) {
  switch (c) {
    case '\b':
      return 'b';
    case '\t':
      return 't';
    case '\n':
      return 'n';
    case '\f':
      return 'f';
    case '\r':
      return 'r';
    case '"':
      return '"';
    case '\\':
      return '\\';
    default:
      return 0;
  }
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

// Appends `text` with control characters escaped (the short form where TOML and C have
// one, else `hex_prefix` and two hex digits), and, when asked, quotes and backslashes
// and bytes outside ASCII too.
void append_escaped(std::string& out, std::string_view text, bool escape_quotes, bool escape_non_ascii,
                    std::string_view hex_prefix) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool escaped =
        is_control(byte) || (escape_quotes && (c == '"' || c == '\\')) || (escape_non_ascii && byte >= 0x80);
    if (!escaped) {
      out += c;
    } else if (const char e = short_escape(c); e != 0) {
      out += '\\';
      out += e;
    } else {
      out += hex_prefix;
      out += hex_digits[byte >> 4];
      out += hex_digits[byte & 0xf];
    }
  }
}

}  // namespace

std::string quote_for_message(std::string_view text) {
  const bool cut = text.size() > message_quote_max;
  if (cut) text = text.substr(0, message_quote_max);
  std::string out = "\"";
  append_escaped(out, text, true, true, "\\x");
  out += cut ? "\"..." : "\"";
  return out;
}

std::string escape_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text, false, false, "\\x");
  return out;
}

std::string toml_string(std::string_view text) {
  std::string out = "\"";
  append_escaped(out, text, true, false, "\\u00");  // UTF-8 passes through: TOML strings are UTF-8
  out += '"';
  return out;
}

std::string key_for_message(std::string_view key) {
  if (key.empty() || key.size() > message_quote_max) return quote_for_message(key);
  for (const char c : key) {
    const bool bare =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!bare) return quote_for_message(key);
  }
  return std::string(key);
}

}  // namespace sluice::config
