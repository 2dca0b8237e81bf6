// The harness's JSON result and what reads it back (the comparison report, the plots):
// the fields written are the fields read, and the readers cope with what is absent.
#include "tools/load/result_json.hpp"

#include <gtest/gtest.h>

namespace sluice::load {
namespace {

TEST(ResultJson, PubsubFieldsReadBack) {
  run_options o;
  o.label = "row \"one\"";
  o.subscribers = 7;
  pubsub_result r;
  r.measured_s = 2;
  r.delivered = 1000;
  r.published = 150;
  r.receive_buffers_exhausted = 4;
  for (std::uint64_t v = 1; v <= 1000; ++v) r.latency.record(v * 1000);  // 1..1000 us
  r.interval_s = 0.5;
  r.timeline.resize(3);
  r.timeline[0].record(5000);
  r.timeline[2].record(9000);
  const std::string json = pubsub_json(o, r, {.client_s = 1.25, .server_s = 2.5});

  EXPECT_EQ(json_string_field(json, "label"), "row \"one\"");
  EXPECT_EQ(json_string_field(json, "workload"), "fanout");
  EXPECT_EQ(json_number_field(json, "deliveries_per_s"), 500);
  EXPECT_EQ(json_number_field(json, "subscribers"), 7);
  EXPECT_EQ(json_number_field(json, "client_cpu_s"), 1.25);
  EXPECT_EQ(json_number_field(json, "server_cpu_s"), 2.5);
  EXPECT_EQ(json_number_field(json, "receive_buffers_exhausted"), 4);
  EXPECT_NEAR(json_number_field(json, "p99").value_or(0), 990, 990 * 0.04);
  EXPECT_FALSE(json_number_field(json, "no_such_field").has_value());

  // Only intervals with samples are drawn: the empty middle one is left out.
  const auto timeline = json_rows_field(json, "timeline");
  ASSERT_EQ(timeline.size(), 2u);
  EXPECT_EQ(timeline[0], (std::vector<double>{0.5, 5.0, 5.0, 5.0}));
  EXPECT_DOUBLE_EQ(timeline[1][0], 1.5);

  // The spectrum ascends in both quantile and latency, stops where 1,000 samples stop
  // saying anything (99.9%), and ends with the maximum at quantile 1.
  const auto spectrum = json_rows_field(json, "percentiles");
  ASSERT_GE(spectrum.size(), 10u);
  for (std::size_t i = 1; i < spectrum.size(); ++i) {
    EXPECT_GT(spectrum[i][0], spectrum[i - 1][0]);
    EXPECT_GE(spectrum[i][1], spectrum[i - 1][1]);
  }
  EXPECT_LE(spectrum[spectrum.size() - 2][0], 0.999 + 1e-9);
  EXPECT_EQ(spectrum.back(), (std::vector<double>{1, 1000}));
}

TEST(ResultJson, StormFailuresAreListedByReason) {
  run_options o;
  o.storm = 10;
  storm_result r;
  r.attempted = 10;
  r.connected = 7;
  r.failed["refused: capacity"] = 2;
  r.failed["timed out"] = 1;
  r.elapsed_s = 0.5;
  const std::string json = storm_json(o, r, {});
  EXPECT_EQ(json_number_field(json, "errors"), 3);
  EXPECT_EQ(json_number_field(json, "refused: capacity"), 2);
  EXPECT_EQ(json_number_field(json, "connects_per_s"), 14);
  EXPECT_FALSE(json_number_field(json, "server_cpu_s").has_value());  // no pid given
  EXPECT_TRUE(json_rows_field(json, "percentiles").empty());          // nothing connected in time
}

TEST(ResultJson, ReadersCopeWithMissingAndMalformedValues) {
  EXPECT_FALSE(json_string_field(R"({"a":1})", "a").has_value());
  EXPECT_FALSE(json_string_field(R"({"a":"unterminated)", "a").has_value());
  EXPECT_FALSE(json_number_field(R"({"a":"x"})", "a").has_value());
  EXPECT_TRUE(json_rows_field(R"({"a":5})", "a").empty());
  EXPECT_TRUE(json_rows_field(R"({"a":[[1,2)", "a").empty());
  EXPECT_EQ(json_rows_field(R"({"a":[[1,2],[3]]})", "a"), (std::vector<std::vector<double>>{{1, 2}, {3}}));
}

}  // namespace
}  // namespace sluice::load
