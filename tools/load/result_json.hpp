// sluice-load's result as one line of JSON, and the few fields read back from such lines
// (by the comparison report and the plots). The format is ours, flat and stable:
//   {"target":"sluice","workload":"fanout",..., "deliveries_per_s":..,
//    "latency_us":{"p50":..,...}, "percentiles":[[q,us],...], "timeline":[[s,p50,p99,max],...], ...}
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tools/load/connect_storm.hpp"
#include "tools/load/pubsub_run.hpp"
#include "tools/load/reconnect_storm.hpp"
#include "tools/load/run_options.hpp"

namespace sluice::load {

struct cpu_figures {
  double client_s = 0;
  double server_s = -1;  // < 0: no server pid given, or unreadable
};

[[nodiscard]] std::string pubsub_json(const run_options& o, const pubsub_result& r, const cpu_figures& cpu);
[[nodiscard]] std::string storm_json(const run_options& o, const storm_result& r, const cpu_figures& cpu);
[[nodiscard]] std::string reconnect_json(const run_options& o, const reconnect_result& r, const cpu_figures& cpu);

// Reading back: a number or string field anywhere in the line, or an array of arrays of
// numbers ("percentiles", "timeline").
[[nodiscard]] std::optional<double> json_number_field(std::string_view json, std::string_view key);
[[nodiscard]] std::optional<std::string> json_string_field(std::string_view json, std::string_view key);
[[nodiscard]] std::vector<std::vector<double>> json_rows_field(std::string_view json, std::string_view key);

// The quantiles a percentile spectrum is drawn at: 0, 0.5, 0.75, 0.9, ... up to 99.999%.
[[nodiscard]] std::vector<double> spectrum_quantiles();

}  // namespace sluice::load
