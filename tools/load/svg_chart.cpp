#include "tools/load/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sluice::load {
namespace {

constexpr double width = 720;
constexpr double height = 400;
constexpr double left = 70;
constexpr double right = 150;  // room for the legend
constexpr double top = 40;
constexpr double bottom = 50;
constexpr const char* colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

std::string escaped(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    switch (ch) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  return buffer;
}

// A tick label for a power of ten: 0.1, 1, 10, 1000, 1e+06.
std::string decade_label(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

}  // namespace

std::string svg_chart(const chart_spec& spec, const std::vector<chart_series>& series) {
  const auto x_of = [&](double x) { return spec.x_nines ? -std::log10(std::max(1e-12, 1 - x)) : x; };
  double x_min = 1e300, x_max = -1e300, y_min = 1e300, y_max = -1e300;
  for (const chart_series& s : series) {
    for (const auto& [x, y] : s.points) {
      if (y <= 0) continue;
      x_min = std::min(x_min, x_of(x));
      x_max = std::max(x_max, x_of(x));
      y_min = std::min(y_min, y);
      y_max = std::max(y_max, y);
    }
  }
  if (x_min > x_max) x_min = 0, x_max = 1, y_min = 1, y_max = 10;
  if (x_max == x_min) x_max = x_min + 1;
  const double decade_low = std::floor(std::log10(y_min));
  double decade_high = std::ceil(std::log10(y_max));
  if (decade_high <= decade_low) decade_high = decade_low + 1;
  const double plot_w = width - left - right;
  const double plot_h = height - top - bottom;
  const auto px = [&](double x) { return left + (x_of(x) - x_min) / (x_max - x_min) * plot_w; };
  const auto py = [&](double y) {
    return top + plot_h - (std::log10(y) - decade_low) / (decade_high - decade_low) * plot_h;
  };

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(width) + "\" height=\"" +
                    number(height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += "<text x=\"" + number(width / 2) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" +
         escaped(spec.title) + "</text>\n";
  // y grid: one line per decade.
  for (double d = decade_low; d <= decade_high; ++d) {
    const double y = top + plot_h - (d - decade_low) / (decade_high - decade_low) * plot_h;
    svg += "<line x1=\"" + number(left) + "\" x2=\"" + number(left + plot_w) + "\" y1=\"" + number(y) + "\" y2=\"" +
           number(y) + "\" stroke=\"#ddd\"/>\n";
    svg += "<text x=\"" + number(left - 6) + "\" y=\"" + number(y + 4) + "\" text-anchor=\"end\">" +
           decade_label(std::pow(10, d)) + "</text>\n";
  }
  // x ticks: nines at whole numbers (50% too), else five even steps.
  std::vector<std::pair<double, std::string>> x_ticks;
  if (spec.x_nines) {
    x_ticks.emplace_back(0.5, "50%");
    for (int n = 1; n <= static_cast<int>(std::ceil(x_max)); ++n) {
      const double q = 1 - std::pow(10, -n);
      char label[32];
      std::snprintf(label, sizeof label, "%.*f%%", n >= 2 ? n - 2 : 0, q * 100);
      x_ticks.emplace_back(q, label);
    }
  } else {
    for (int i = 0; i <= 5; ++i) {
      const double x = x_min + (x_max - x_min) * i / 5;
      char label[32];
      std::snprintf(label, sizeof label, "%g", std::round(x * 10) / 10);
      x_ticks.emplace_back(x, label);
    }
  }
  for (const auto& [x, label] : x_ticks) {
    if (x_of(x) < x_min - 1e-9 || x_of(x) > x_max + 1e-9) continue;
    svg += "<line x1=\"" + number(px(x)) + "\" x2=\"" + number(px(x)) + "\" y1=\"" + number(top) + "\" y2=\"" +
           number(top + plot_h) + "\" stroke=\"#eee\"/>\n";
    svg += "<text x=\"" + number(px(x)) + "\" y=\"" + number(top + plot_h + 16) + "\" text-anchor=\"middle\">" +
           escaped(label) + "</text>\n";
  }
  svg += "<rect x=\"" + number(left) + "\" y=\"" + number(top) + "\" width=\"" + number(plot_w) + "\" height=\"" +
         number(plot_h) + "\" fill=\"none\" stroke=\"#444\"/>\n";
  svg += "<text x=\"" + number(left + plot_w / 2) + "\" y=\"" + number(height - 12) + "\" text-anchor=\"middle\">" +
         escaped(spec.x_label) + "</text>\n";
  svg += "<text transform=\"translate(16 " + number(top + plot_h / 2) + ") rotate(-90)\" text-anchor=\"middle\">" +
         escaped(spec.y_label) + "</text>\n";
  for (std::size_t i = 0; i < series.size(); ++i) {
    const char* colour = colours[i % std::size(colours)];
    std::string path;
    for (const auto& [x, y] : series[i].points) {
      if (y <= 0) continue;
      path += (path.empty() ? "M" : " L") + number(px(x)) + " " + number(py(y));
    }
    if (!path.empty()) {
      svg += "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"1.8\"/>\n";
    }
    const double ly = top + 14 + static_cast<double>(i) * 18;
    svg += "<line x1=\"" + number(left + plot_w + 12) + "\" x2=\"" + number(left + plot_w + 32) + "\" y1=\"" +
           number(ly - 4) + "\" y2=\"" + number(ly - 4) + "\" stroke=\"" + colour + "\" stroke-width=\"2\"/>\n";
    svg += "<text x=\"" + number(left + plot_w + 38) + "\" y=\"" + number(ly) + "\">" + escaped(series[i].name) +
           "</text>\n";
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace sluice::load
