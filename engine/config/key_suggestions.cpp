// Unknown-key and unknown-table messages, with a "did you mean" for a likely typo and
// the valid names otherwise.
#include "engine/config/key_suggestions.hpp"

#include <algorithm>
#include <span>
#include <vector>

#include "engine/config/config_schema.hpp"

namespace sluice::config {
namespace {

// Optimal string alignment distance (edits, counting a swap of neighbours as one), for
// "did you mean". Names are short; longer input gets no suggestion.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

constexpr std::size_t suggestion_input_max = 64;
constexpr std::size_t suggestion_distance_max = 2;

// The name among `names` closest to `typed`, if it is close enough to be a typo.
std::string_view closest(std::string_view typed, std::span<const std::string_view> names) {
  if (typed.size() > suggestion_input_max) return {};
  std::string_view best;
  std::size_t best_distance = suggestion_distance_max + 1;
  for (const std::string_view candidate : names) {
    const std::size_t distance = edit_distance(typed, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string_view table_of_key(std::string_view name) {
  for (const key_spec& key : config_keys()) {
    if (key.name == name) return key.table;
  }
  return {};
}

}  // namespace

std::string unknown_table(std::string_view name) {
  const auto tables = config_tables();
  if (const std::string_view near = closest(name, tables); !near.empty()) {
    return "unknown table (did you mean [" + std::string(near) + "]?)";
  }
  std::string list;
  for (const std::string_view t : tables) list += (list.empty() ? "[" : ", [") + std::string(t) + "]";
  return "unknown table (tables: " + list + ")";
}

std::string unknown_key(std::string_view table, std::string_view name) {
  if (const std::string_view home = table_of_key(name); !home.empty()) {
    return "unknown key (it belongs in [" + std::string(home) + "])";
  }
  std::vector<std::string_view> names;
  for (const key_spec& key : config_keys()) {
    if (key.table == table) names.push_back(key.name);
  }
  if (table.empty()) return "unknown key (keys belong in a table: [server], [sessions] or [admission])";
  if (const std::string_view near = closest(name, names); !near.empty()) {
    return "unknown key (did you mean " + std::string(near) + "?)";
  }
  std::string list;
  for (const std::string_view n : names) list += (list.empty() ? "" : ", ") + std::string(n);
  return "unknown key (keys in [" + std::string(table) + "]: " + list + ")";
}

}  // namespace sluice::config
