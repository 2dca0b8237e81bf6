// sluice-compare-report: turns the JSON lines of a comparison run (bench/compare.sh:
// every row of the matrix, against every target, several times) into a markdown table
// of medians with their ranges, the verdicts on the targets of issue 5, and plots.
//
//   sluice-compare-report RESULTS.jsonl --plots DIR --plot-link PREFIX > table.md
//
// Rows keep the order in which they first appear. A cell is the median over the
// repetitions with (min-max); the plots draw the median run of each target.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tools/load/result_json.hpp"
#include "tools/load/svg_chart.hpp"

namespace {

using namespace sluice::load;

const std::vector<std::string> targets{"sluice", "redis", "nats"};

struct run_line {
  std::string json;
  double rate = 0;  // deliveries/s, or connects/s for a storm
  double p99_us = 0;
  double errors = 0;
};

struct row {
  std::string label;
  bool storm = false;
  bool open_loop = false;
  std::map<std::string, std::vector<run_line>> runs;  // by target
};

std::string si(double v) {
  char buffer[32];
  if (v >= 1e6) {
    std::snprintf(buffer, sizeof buffer, "%.2fM", v / 1e6);
  } else if (v >= 1e3) {
    std::snprintf(buffer, sizeof buffer, "%.1fk", v / 1e3);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.0f", v);
  }
  return buffer;
}

std::string micros(double us) {
  char buffer[32];
  if (us >= 1000) {
    std::snprintf(buffer, sizeof buffer, "%.1f ms", us / 1000);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.0f us", us);
  }
  return buffer;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

template <class field_fn>
std::vector<double> values(const std::vector<run_line>& runs, field_fn&& field) {
  std::vector<double> v;
  for (const run_line& r : runs) v.push_back(field(r));
  return v;
}

template <class format_fn>
std::string cell(const std::vector<double>& v, format_fn&& format) {
  if (v.empty()) return "-";
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  if (v.size() == 1) return format(v[0]);
  return format(median(v)) + " (" + format(*lo) + "-" + format(*hi) + ")";
}

// The run whose rate is the median one, for the plots.
const run_line* median_run(const std::vector<run_line>& runs) {
  if (runs.empty()) return nullptr;
  std::vector<const run_line*> sorted;
  for (const run_line& r : runs) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](const run_line* a, const run_line* b) { return a->rate < b->rate; });
  return sorted[sorted.size() / 2];
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  std::string input;
  std::string plots_dir;
  std::string plot_link;
  CLI::App app{"sluice-compare-report: a markdown table and plots from a comparison's JSON lines"};
  app.add_option("results", input, "JSON lines written by sluice-load runs")->required()->check(CLI::ExistingFile);
  app.add_option("--plots", plots_dir, "directory to write the SVG plots into");
  app.add_option("--plot-link", plot_link, "how the markdown refers to that directory");
  CLI11_PARSE(app, argc, argv);

  std::vector<row> rows;
  std::vector<row> reconnects;  // reported apart: what counts there is loss, not rate
  // Pub/sub runs whose latencies end at the read instead of the kernel's arrival time,
  // and the chunks timed at the read for want of one: either makes the p99s the
  // harness's as much as the server's.
  int latency_at_read = 0;
  double arrival_times_missing = 0;
  std::ifstream in(input);
  for (std::string line; std::getline(in, line);) {
    const auto label = json_string_field(line, "label");
    const auto target = json_string_field(line, "target");
    if (!label || !target || label->empty()) continue;
    if (json_string_field(line, "workload") == "reconnect") {
      auto it = std::find_if(reconnects.begin(), reconnects.end(), [&](const row& r) { return r.label == *label; });
      if (it == reconnects.end()) it = reconnects.insert(reconnects.end(), row{*label, true, false, {}});
      it->runs[*target].push_back(
          {line, 0, json_number_field(line, "p99").value_or(0), json_number_field(line, "errors").value_or(1)});
      continue;
    }
    auto it = std::find_if(rows.begin(), rows.end(), [&](const row& r) { return r.label == *label; });
    if (it == rows.end()) {
      rows.push_back(
          {*label, json_string_field(line, "workload") == "storm", json_string_field(line, "loop") == "open", {}});
      it = rows.end() - 1;
    }
    if (!it->storm) {
      if (json_string_field(line, "latency_to") != "arrival") ++latency_at_read;
      arrival_times_missing += json_number_field(line, "arrival_times_missing").value_or(0);
    }
    run_line r;
    r.json = line;
    r.rate = json_number_field(line, it->storm ? "connects_per_s" : "deliveries_per_s").value_or(0);
    r.p99_us = json_number_field(line, "p99").value_or(0);
    r.errors = json_number_field(line, "errors").value_or(1);
    it->runs[*target].push_back(std::move(r));
  }
  if (rows.empty() && reconnects.empty()) {
    std::fprintf(stderr, "sluice-compare-report: no labelled runs in %s\n", input.c_str());
    return 1;
  }

  std::printf(
      "| workload | sluice | Redis | NATS | sluice / best other | p99 sluice | p99 Redis | p99 NATS | errors |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  double log_ratio_sum = 0;
  int ratio_rows = 0;
  std::vector<std::string> behind, p99_worse, without_sluice;
  double total_errors = 0;
  for (const row& r : rows) {
    const auto rate_of = [&](const std::string& t) {
      const auto it = r.runs.find(t);
      return it == r.runs.end() ? std::vector<double>{} : values(it->second, [](const run_line& x) { return x.rate; });
    };
    const auto p99_of = [&](const std::string& t) {
      const auto it = r.runs.find(t);
      return it == r.runs.end() ? std::vector<double>{}
                                : values(it->second, [](const run_line& x) { return x.p99_us; });
    };
    double errors = 0;
    for (const auto& [t, runs] : r.runs) {
      for (const run_line& x : runs) errors += x.errors;
    }
    total_errors += errors;
    const double ours = median(rate_of("sluice"));
    const double best_other = std::max(median(rate_of("redis")), median(rate_of("nats")));
    const double ratio = best_other > 0 ? ours / best_other : 0;
    // An open-loop row runs at a fixed rate, so its throughput says nothing: latency does.
    // A row sluice has no rate on (it failed, or did not run) is behind, not left out.
    if (!r.open_loop && best_other > 0) {
      if (ratio > 0) {
        log_ratio_sum += std::log(ratio);
        ++ratio_rows;
      } else {
        without_sluice.push_back(r.label);
      }
      if (ratio <= 1) behind.push_back(r.label);
    }
    double best_other_p99 = 0;
    for (const char* t : {"redis", "nats"}) {
      const std::vector<double> p99 = p99_of(t);
      if (!p99.empty() && (best_other_p99 == 0 || median(p99) < best_other_p99)) best_other_p99 = median(p99);
    }
    if (!r.storm && best_other_p99 > 0 && median(p99_of("sluice")) > best_other_p99) p99_worse.push_back(r.label);
    const auto rate_cell = [&](const std::string& t) {
      return cell(rate_of(t), [&](double v) { return si(v) + (r.storm ? "/s" : ""); });
    };
    const auto p99_cell = [&](const std::string& t) { return cell(p99_of(t), micros); };
    char ratio_text[32];
    std::snprintf(ratio_text, sizeof ratio_text, r.open_loop ? "(paced)" : "%.2fx", ratio);
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s | %.0f |\n", r.label.c_str(), rate_cell("sluice").c_str(),
                rate_cell("redis").c_str(), rate_cell("nats").c_str(), ratio_text, p99_cell("sluice").c_str(),
                p99_cell("redis").c_str(), p99_cell("nats").c_str(), errors);

    if (plots_dir.empty()) continue;
    std::vector<chart_series> distribution, over_time;
    for (const std::string& t : targets) {
      const auto it = r.runs.find(t);
      if (it == r.runs.end()) continue;
      const run_line* m = median_run(it->second);
      chart_series d{t, {}}, o{t + " p99", {}};
      for (const std::vector<double>& p : json_rows_field(m->json, "percentiles")) {
        if (p.size() == 2 && p[0] < 1) d.points.emplace_back(p[0], p[1]);
      }
      for (const std::vector<double>& p : json_rows_field(m->json, "timeline")) {
        if (p.size() == 4) o.points.emplace_back(p[0], p[2]);
      }
      distribution.push_back(std::move(d));
      over_time.push_back(std::move(o));
    }
    const std::string what = r.storm ? "connect time" : "latency";
    write_file(plots_dir + "/" + r.label + "-distribution.svg",
               svg_chart({r.label + ": " + what + " distribution (median run)", "percentile", what + " (us)", true},
                         distribution));
    if (!r.storm) {
      write_file(plots_dir + "/" + r.label + "-over-time.svg",
                 svg_chart({r.label + ": p99 latency over time (median run)", "seconds", "p99 latency (us)", false},
                           over_time));
    }
  }

  // The harness must not be what limits a row: its CPU beside the server's shows where
  // it was (docs/load.md, "What the harness costs").
  // Every row, storms included: on loopback the connecting side also runs the
  // listener's half of each handshake, which a storm shows.
  std::vector<std::string> harness_heavier;
  std::printf(
      "\nCPU seconds over each run's measured time, the harness / the server it drove (medians; a connect storm's "
      "time ends when its last connection is resolved):\n\n");
  std::printf("| workload | sluice | Redis | NATS |\n|---|---|---|---|\n");
  std::vector<const row*> every_row;
  for (const row& r : rows) every_row.push_back(&r);
  for (const row& r : reconnects) every_row.push_back(&r);
  for (const row* each : every_row) {
    const row& r = *each;
    std::printf("| %s |", r.label.c_str());
    for (const std::string& t : targets) {
      const auto it = r.runs.find(t);
      if (it == r.runs.end()) {
        std::printf(" - |");
        continue;
      }
      const auto cpu = [&](const char* key) {
        return median(
            values(it->second, [&](const run_line& x) { return json_number_field(x.json, key).value_or(0); }));
      };
      const double harness = cpu("client_cpu_s");
      const double server = cpu("server_cpu_s");
      std::printf(" %.2f / %.2f |", harness, server);
      if (harness > server) harness_heavier.push_back(r.label + " (" + t + ")");
    }
    std::printf("\n");
  }

  if (!reconnects.empty()) {
    std::printf(
        "\nReconnect storms: every subscriber is dropped at once and reconnects with backoff while publishing goes on. "
        "sluice resumes each session and asks for the events from the last one it received; Redis and NATS "
        "subscribe again.\n\n");
    std::printf(
        "| workload | server | reconnected | resumed | events recovered | events lost | reconnect p99 | errors |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
  }
  double sluice_lost = 0;
  for (const row& r : reconnects) {
    for (const std::string& t : targets) {
      const auto it = r.runs.find(t);
      if (it == r.runs.end()) continue;
      const auto field = [&](const char* key) {
        return values(it->second, [&](const run_line& x) { return json_number_field(x.json, key).value_or(0); });
      };
      const auto count = [](double v) { return si(v); };
      double errors = 0;
      for (const run_line& x : it->second) errors += x.errors;
      total_errors += errors;
      if (t == "sluice") {
        for (const double v : field("events_lost")) sluice_lost += v;
      }
      std::printf("| %s | %s | %s | %s | %s | %s | %s | %.0f |\n", r.label.c_str(), t.c_str(),
                  cell(field("reconnected"), count).c_str(), cell(field("resumed"), count).c_str(),
                  cell(field("events_recovered"), count).c_str(), cell(field("events_lost"), count).c_str(),
                  cell(values(it->second, [](const run_line& x) { return x.p99_us; }), micros).c_str(), errors);
    }
  }

  const double geomean = ratio_rows > 0 ? std::exp(log_ratio_sum / ratio_rows) : 0;
  std::printf("\nAgainst issue 5's targets (same run):\n\n");
  std::printf(
      "- geometric mean of sluice / the better of Redis and NATS over the %d throughput rows: %.2fx "
      "(target: at least 2x)\n",
      ratio_rows, geomean);
  const auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
    return s.empty() ? std::string("none") : s;
  };
  if (!without_sluice.empty()) {
    std::printf("- rows left out of that mean, for want of a sluice rate: %s\n", list(without_sluice).c_str());
  }
  std::printf("- rows where sluice is not ahead of both: %s\n", list(behind).c_str());
  std::printf("- pub/sub rows where sluice's p99 is worse than the better of the two: %s\n", list(p99_worse).c_str());
  std::printf("- rows where the harness used more CPU than the server it drove: %s\n", list(harness_heavier).c_str());
  std::printf(
      "- pub/sub runs whose latencies end at the read, not at the kernel's arrival time: %d; chunks without an "
      "arrival time: %.0f\n",
      latency_at_read, arrival_times_missing);
  if (!reconnects.empty()) std::printf("- events sluice lost across reconnect storms: %.0f\n", sluice_lost);
  std::printf("- errors and failed connections, all runs: %.0f\n", total_errors);
  if (!plots_dir.empty()) {
    std::printf("\nPlots (median run of each target):\n\n");
    for (const row& r : rows) {
      std::printf("- %s: [distribution](%s/%s-distribution.svg)", r.label.c_str(), plot_link.c_str(), r.label.c_str());
      if (!r.storm) std::printf(", [p99 over time](%s/%s-over-time.svg)", plot_link.c_str(), r.label.c_str());
      std::printf("\n");
    }
  }
  return 0;
}
