// The embedded default.toml: byte for byte the file in the source tree, loads to
// server_config{}, sets every key in schema order with a comment above each, and every
// key is documented in docs/config.md. Together these keep the defaults in code, in the
// shipped file and in the docs from drifting apart.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/config/config_loader.hpp"
#include "engine/config/config_schema.hpp"

namespace sluice {
namespace {

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    lines.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

TEST(default_config, embedded_text_is_the_source_file) {
  EXPECT_EQ(default_config_toml(), read_source_file("engine/config/default.toml"));
}

TEST(default_config, loads_to_the_struct_defaults) {
  const config_result r = load_config(default_config_toml(), "default.toml");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.config, server_config{});
}

TEST(default_config, sets_every_key_in_order_each_with_a_comment) {
  std::vector<std::string> keys_in_file;
  std::string table;
  std::string previous;
  for (const std::string& line : lines_of(default_config_toml())) {
    if (line.size() > 2 && line.front() == '[' && line.back() == ']') {
      table = line.substr(1, line.size() - 2);
    } else if (const std::size_t eq = line.find(" = ");
               !line.empty() && line.front() != '#' && eq != std::string::npos) {
      keys_in_file.push_back(table + "." + line.substr(0, eq));
      EXPECT_EQ(previous.rfind("# ", 0), 0u) << "no comment above " << line;
    }
    previous = line;
  }
  std::vector<std::string> keys_in_schema;
  for (const config::key_spec& key : config::config_keys()) {
    keys_in_schema.push_back(std::string(key.table) + "." + std::string(key.name));
  }
  EXPECT_EQ(keys_in_file, keys_in_schema);
}

TEST(default_config, every_key_is_documented) {
  const std::string docs = read_source_file("docs/config.md");
  for (const config::key_spec& key : config::config_keys()) {
    EXPECT_NE(docs.find("| `" + std::string(key.name) + "` |"), std::string::npos) << key.table << "." << key.name;
  }
  for (const std::string_view table : config::config_tables()) {
    EXPECT_NE(docs.find("## [" + std::string(table) + "]"), std::string::npos) << table;
  }
}

}  // namespace
}  // namespace sluice
