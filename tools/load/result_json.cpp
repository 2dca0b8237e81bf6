#include "tools/load/result_json.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sluice::load {
namespace {

// Error texts may quote what a server said: keep them printable and unbroken.
std::string escaped(std::string_view text) {
  std::string out;
  for (const char ch : text) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (static_cast<unsigned char>(ch) < 0x20) continue;
    out += ch;
  }
  return out;
}

std::string fixed(double v, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

std::string us(std::uint64_t ns) { return fixed(static_cast<double>(ns) / 1e3, 1); }

std::string quantiles_json(const latency_histogram& h) {
  return "{\"p50\":" + us(h.quantile(0.5)) + ",\"p90\":" + us(h.quantile(0.9)) + ",\"p99\":" + us(h.quantile(0.99)) +
         ",\"p999\":" + us(h.quantile(0.999)) + ",\"max\":" + us(h.max()) + "}";
}

std::string spectrum_json(const latency_histogram& h) {
  if (h.count() == 0) return "[]";
  std::string out = "[";
  for (const double q : spectrum_quantiles()) {
    // A quantile finer than one sample in the data says nothing more than max.
    if (q > 0 && static_cast<double>(h.count()) * (1 - q) < 1) break;
    if (out.size() > 1) out += ',';
    out += "[" + fixed(q, 6) + "," + us(q == 0 ? h.quantile(1e-9) : h.quantile(q)) + "]";
  }
  out += std::string(out.size() > 1 ? "," : "") + "[1," + us(h.max()) + "]";
  return out + "]";
}

std::string common_json(const run_options& o, std::string_view workload) {
  return "{\"label\":\"" + escaped(o.label) + "\",\"target\":\"" + std::string(target_name(o.target)) +
         "\",\"workload\":\"" + std::string(workload) + "\",\"threads\":" + std::to_string(o.threads) +
         ",\"sources\":" + std::to_string(o.to.sources);
}

std::string cpu_json(const cpu_figures& cpu) {
  return ",\"client_cpu_s\":" + fixed(cpu.client_s, 3) +
         (cpu.server_s >= 0 ? ",\"server_cpu_s\":" + fixed(cpu.server_s, 3) : std::string());
}

// Where the value of "key" starts, or npos.
std::size_t value_at(std::string_view json, std::string_view key) {
  const std::string quoted = "\"" + std::string(key) + "\":";
  const std::size_t at = json.find(quoted);
  return at == std::string_view::npos ? at : at + quoted.size();
}

}  // namespace

std::vector<double> spectrum_quantiles() {
  std::vector<double> q{0, 0.25, 0.5};
  for (int k = 2; k <= 20; ++k) q.push_back(1 - std::pow(10.0, -k / 4.0));  // 0.684.. 0.99999
  return q;
}

std::string pubsub_json(const run_options& o, const pubsub_result& r, const cpu_figures& cpu) {
  const bool open_loop = o.rate > 0;
  std::string out = common_json(o, o.pairs > 0 ? "pairs" : "fanout");
  out += ",\"subscribers\":" + std::to_string(o.pairs > 0 ? o.pairs : o.subscribers) +
         ",\"topics\":" + std::to_string(r.topics) +
         ",\"publishers\":" + std::to_string(o.pairs > 0 ? o.pairs : o.publishers) +
         ",\"payload\":" + std::to_string(o.payload) + ",\"loop\":\"" + (open_loop ? "open" : "closed") + "\"" +
         (open_loop ? ",\"rate_per_publisher\":" + fixed(o.rate, 0) : ",\"window\":" + std::to_string(o.window)) +
         ",\"connections\":" + std::to_string(r.connections) + ",\"seconds\":" + fixed(r.measured_s, 3) +
         ",\"published\":" + std::to_string(r.published) + ",\"delivered\":" + std::to_string(r.delivered) +
         ",\"deliveries_per_s\":" + fixed(r.measured_s > 0 ? static_cast<double>(r.delivered) / r.measured_s : 0, 0) +
         ",\"latency_us\":" + quantiles_json(r.latency) + cpu_json(cpu) + ",\"errors\":" + std::to_string(r.errors) +
         ",\"first_error\":\"" + escaped(r.connect_error.empty() ? r.first_error : r.connect_error) + "\"" +
         ",\"receive_buffers_exhausted\":" + std::to_string(r.receive_buffers_exhausted) + ",\"latency_to\":\"" +
         (o.latency_to_arrival ? "arrival" : "read") + "\"" +
         ",\"arrival_times_missing\":" + std::to_string(r.arrival_times_missing);
  out += ",\"percentiles\":" + spectrum_json(r.latency);
  out += ",\"timeline\":[";
  for (std::size_t i = 0; i < r.timeline.size(); ++i) {
    const latency_histogram& h = r.timeline[i];
    if (h.count() == 0) continue;
    if (out.back() != '[') out += ',';
    out += "[" + fixed(static_cast<double>(i + 1) * r.interval_s, 2) + "," + us(h.quantile(0.5)) + "," +
           us(h.quantile(0.99)) + "," + us(h.max()) + "]";
  }
  return out + "]}";
}

std::string storm_json(const run_options& o, const storm_result& r, const cpu_figures& cpu) {
  std::string out = common_json(o, "storm");
  out += ",\"connections\":" + std::to_string(o.storm) + ",\"in_flight\":" + std::to_string(o.in_flight) +
         ",\"jitter_ms\":" + std::to_string(o.jitter_ms) + ",\"attempted\":" + std::to_string(r.attempted) +
         ",\"connected\":" + std::to_string(r.connected) + ",\"peak_open\":" + std::to_string(r.peak_open) +
         ",\"seconds\":" + fixed(r.elapsed_s, 3) +
         ",\"connects_per_s\":" + fixed(r.elapsed_s > 0 ? static_cast<double>(r.connected) / r.elapsed_s : 0, 0) +
         ",\"connect_us\":" + quantiles_json(r.connect_time) + cpu_json(cpu) +
         ",\"errors\":" + std::to_string(r.failures()) + ",\"failures\":{";
  bool first = true;
  for (const auto& [reason, count] : r.failed) {
    out += std::string(first ? "" : ",") + "\"" + escaped(reason) + "\":" + std::to_string(count);
    first = false;
  }
  out += "},\"first_error\":\"" + escaped(r.failed.empty() ? std::string() : r.failed.begin()->first) + "\"";
  return out + ",\"percentiles\":" + spectrum_json(r.connect_time) + "}";
}

std::string reconnect_json(const run_options& o, const reconnect_result& r, const cpu_figures& cpu) {
  std::uint64_t failures = 0;
  std::string failed = "{";
  for (const auto& [reason, count] : r.failed) {
    failed += std::string(failed.size() > 1 ? "," : "") + "\"" + escaped(reason) + "\":" + std::to_string(count);
    failures += count;
  }
  std::string out = common_json(o, "reconnect");
  out += ",\"threads_used\":" + std::to_string(r.threads_used) + ",\"connections\":" + std::to_string(r.connections) +
         ",\"topics\":" + std::to_string(o.topics) + ",\"rate_per_publisher\":" + fixed(o.rate, 0) +
         ",\"backoff_ms\":" + std::to_string(o.backoff_ms) + ",\"reconnected\":" + std::to_string(r.reconnected) +
         ",\"resumed\":" + std::to_string(r.resumed) + ",\"storm_seconds\":" + fixed(r.storm_s, 3) +
         ",\"reconnect_us\":" + quantiles_json(r.reconnect_time) + ",\"delivered\":" + std::to_string(r.delivered) +
         ",\"events_recovered\":" + std::to_string(r.recovered) +
         ",\"replayed_twice_skipped\":" + std::to_string(r.replayed_twice) +
         ",\"events_lost\":" + std::to_string(r.lost) + cpu_json(cpu) + ",\"failures\":" + failed + "}" +
         ",\"errors\":" + std::to_string(r.errors + failures) + ",\"first_error\":\"" +
         escaped(!r.setup_error.empty()   ? r.setup_error
                 : !r.first_error.empty() ? r.first_error
                 : r.failed.empty()       ? std::string()
                                          : r.failed.begin()->first) +
         "\"";
  return out + ",\"percentiles\":" + spectrum_json(r.reconnect_time) + "}";
}

std::optional<double> json_number_field(std::string_view json, std::string_view key) {
  const std::size_t at = value_at(json, key);
  if (at == std::string_view::npos) return std::nullopt;
  const std::string rest(json.substr(at, 40));
  char* end = nullptr;
  const double v = std::strtod(rest.c_str(), &end);
  if (end == rest.c_str()) return std::nullopt;
  return v;
}

std::optional<std::string> json_string_field(std::string_view json, std::string_view key) {
  const std::size_t at = value_at(json, key);
  if (at == std::string_view::npos || at >= json.size() || json[at] != '"') return std::nullopt;
  std::string out;
  for (std::size_t i = at + 1; i < json.size(); ++i) {
    if (json[i] == '\\' && i + 1 < json.size()) {
      out += json[++i];
    } else if (json[i] == '"') {
      return out;
    } else {
      out += json[i];
    }
  }
  return std::nullopt;
}

std::vector<std::vector<double>> json_rows_field(std::string_view json, std::string_view key) {
  std::vector<std::vector<double>> rows;
  std::size_t at = value_at(json, key);
  if (at == std::string_view::npos || at >= json.size() || json[at] != '[') return rows;
  ++at;
  while (at < json.size() && json[at] == '[') {
    const std::size_t close = json.find(']', at);
    if (close == std::string_view::npos) break;
    std::vector<double> row;
    const std::string inner(json.substr(at + 1, close - at - 1));
    const char* p = inner.c_str();
    for (char* end = nullptr;; p = end + (*end == ',' ? 1 : 0)) {
      const double v = std::strtod(p, &end);
      if (end == p) break;
      row.push_back(v);
    }
    rows.push_back(std::move(row));
    at = close + 1;
    if (at < json.size() && json[at] == ',') ++at;
  }
  return rows;
}

}  // namespace sluice::load
