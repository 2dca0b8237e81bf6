// find_unsafe_toml: valid TOML, non-ASCII text in every kind of string and comment
// included, passes untouched; each input shape that reaches undefined behaviour or an
// assertion inside toml++ 3.3 is refused at the right line and column.
#include "engine/config/toml_guard.hpp"

#include <gtest/gtest.h>

#include <string>

#include "engine/config/config_loader.hpp"

namespace sluice::config {
namespace {

// U+00E9 and U+3001: both reach __builtin_unreachable in toml++ 3.3's whitespace test.
#define E_ACUTE "\xc3\xa9"
#define IDEOGRAPHIC_COMMA "\xe3\x80\x81"

TEST(toml_guard, valid_toml_with_non_ascii_text_passes) {
  const char* documents[] = {
      "\xef\xbb\xbf# " E_ACUTE "\na = \"" E_ACUTE "\"\n",
      "a=\"" E_ACUTE "\"\nb='" E_ACUTE "'\n",
      "a = \"\"\"\n" E_ACUTE "\\\n   x" E_ACUTE "\"\"\"\n",
      "a = '''" E_ACUTE "\n''" E_ACUTE "'''\n",
      "a = \"\"\"x\"\"" E_ACUTE "\"\"\"\"\nb = 1\n",
      "a = \"\\\"" E_ACUTE "\\\\\"\n",
      "a = [\"" E_ACUTE "\", '" E_ACUTE "', [\"" E_ACUTE "\"], {k = \"" E_ACUTE "\"}]\n",
      "a = [\n  1, # " E_ACUTE "\n  \"" E_ACUTE "\",\n]\n",
      "a = {b = \"" E_ACUTE "\", \"" E_ACUTE "\" = 1, c.\"" E_ACUTE "\" = 2}\n",
      "\"" E_ACUTE "\".b = 1\n\"" E_ACUTE "\" = 2\n",
      "[\"" E_ACUTE "\"]\n[[ \"" IDEOGRAPHIC_COMMA "\" ]]\n[a . \"" E_ACUTE "\"]\n",
      "d = 1979-05-27 07:32:00 # " E_ACUTE "\ne = true # \"" E_ACUTE "\n",
      "a = 1 # \"" E_ACUTE "\"\n[t] # [~]\n",
      "a = [{b = [1, {}], c = {}}, []]\n",
      "d = [1979-05-27 07:32:00Z, 1979-05-27, 1979-05-27 07:32]\nt = 07:32:00 # 1979-05-27 0\n",
      "d = 1979-05-27T07:32:00\ne = 1979-05-27t07:32:00Z\nf = \"1979-05-27tm\"\n",
  };
  for (const char* document : documents) {
    const auto problem = find_unsafe_toml(document);
    EXPECT_FALSE(problem.has_value()) << document << "\n" << (problem ? problem->what : "");
  }
}

struct refusal_case {
  const char* text;
  std::uint32_t line;
  std::uint32_t column;
};

TEST(toml_guard, inputs_toml_plus_plus_mishandles_are_refused_where_they_go_wrong) {
  const refusal_case cases[] = {
      {"a = 1" E_ACUTE "\n", 1, 6},                                  // read as the end of a value
      {"a" E_ACUTE " = 1\n", 1, 2},                                  // after a bare key
      {"\"a\"" E_ACUTE " = 1\n", 1, 4},                              // after a quoted key
      {"a = \"x\"" E_ACUTE "\n", 1, 8},                              // after a string value
      {"[" E_ACUTE "]\n", 1, 2},                                     // a table name
      {"a = 1_m\"\\0.p::1\xc9\x91oimd\"\n", 1, 16},                  // a bare value reads on past a quote
      {"a = true\"" E_ACUTE "\"\n", 1, 10},                          // so does a boolean
      {"d = 1979-05-27 07\"" E_ACUTE "\"\n", 1, 19},                 // and a date's time part after its space
      {"a = [ # c\n 1\"" E_ACUTE "\"]\n", 2, 4},                     // a comment keeps the array's value to come
      {"a = [1,\n2=\"" E_ACUTE "\"]\n", 2, 4},                       // '=' does not end a bare value
      {"a = \"\"\"\\" E_ACUTE "\"\"\"\n", 1, 9},                     // an escape's character
      {"a = \"\"\"\\ \t" E_ACUTE "\"\"\"\n", 1, 11},                 // after a backslash's blanks
      {"a = \"\"\"x\\\n\n  \t" IDEOGRAPHIC_COMMA "\"\"\"\n", 3, 4},  // after a line-ending backslash
      {"[~]\n", 1, 2},                                               // a header that is not a key
      {"[[[1]]]\n", 1, 3},
      {"[ \x01]\n", 1, 3},
      {"[\n", 1, 2},
      {"a = [}]\n", 1, 6},  // an array's value that is a '}'
      {"a = [1, # c\n }]\n", 2, 2},
      {"a = [[1], [}]]\n", 1, 12},
      {"d = 1979-05-27 0\t[-7:32:00]\n", 1, 17},  // a date, a space, one digit, a terminator
      {"d = [1979-05-27 0]\n", 1, 18},
      {"\t1ci=1979-d5-27 0\x0b-7:32:00]%", 1, 18},  // a control character (found by config_load)
      {"d = 1979-05-27tm\n", 1, 16},                // a date's 'T' with no time after it
      {"d = 1979-05-27T\n", 1, 16},
      {"\t1ci=1979-05-27tm=[-3:32:00ayltm=% e[frse nsver", 1, 17},  // found by config_load
      {"a = \"x\x7fy\"\n", 1, 7},                                   // DEL, even inside a string
      {"# \x1b[31m\na = 1\n", 1, 3},                                // and in a comment
  };
  for (const refusal_case& c : cases) {
    const auto problem = find_unsafe_toml(c.text);
    ASSERT_TRUE(problem.has_value()) << c.text;
    EXPECT_EQ(problem->line, c.line) << c.text << ": " << problem->what;
    EXPECT_EQ(problem->column, c.column) << c.text << ": " << problem->what;
    // And through the loader, as a positioned error rather than a crash.
    const config_result r = load_config(c.text, "sluice.toml");
    EXPECT_EQ(r.error.find("sluice.toml:" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": "), 0u)
        << r.error;
  }
}

}  // namespace
}  // namespace sluice::config
