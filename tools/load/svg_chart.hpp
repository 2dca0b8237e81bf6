// A small SVG line chart for sluice-load's plots: several named series on one pair of
// axes, the y axis logarithmic (latencies span decades), the x axis linear or in
// "nines" (percentile spectrum: 0.9 -> 1, 0.99 -> 2, ...).
//
// Bounds: the caller's points are drawn as given; nothing is kept between calls.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sluice::load {

struct chart_series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y), y > 0
};

struct chart_spec {
  std::string title;
  std::string x_label;
  std::string y_label;
  bool x_nines = false;  // x is a quantile q in [0, 1), drawn at -log10(1 - q)
};

[[nodiscard]] std::string svg_chart(const chart_spec& spec, const std::vector<chart_series>& series);

}  // namespace sluice::load
