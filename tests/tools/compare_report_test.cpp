// The comparison report: medians and ranges per cell, the ratio to the better other
// server, the CPU of the harness beside the server's, the verdicts (with the runs whose
// latencies did not end at the arrival, and the rows sluice has no rate on), and the
// plots, from a hand-written results file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/net/support/process.hpp"

namespace sluice::test {
namespace {

std::string pubsub_line(const std::string& label, const std::string& target, double rate, double p99,
                        const std::string& loop = "closed", int errors = 0, double client_cpu = 1,
                        double server_cpu = 2, const std::string& latency_to = "arrival", int missing = 0) {
  return "{\"label\":\"" + label + "\",\"target\":\"" + target + "\",\"workload\":\"fanout\",\"loop\":\"" + loop +
         "\",\"latency_to\":\"" + latency_to + "\",\"arrival_times_missing\":" + std::to_string(missing) +
         "\",\"client_cpu_s\":" + std::to_string(client_cpu) + ",\"server_cpu_s\":" + std::to_string(server_cpu) +
         ",\"deliveries_per_s\":" + std::to_string(rate) + ",\"latency_us\":{\"p50\":1,\"p99\":" + std::to_string(p99) +
         "},\"errors\":" + std::to_string(errors) + ",\"percentiles\":[[0.5,1],[0.99," + std::to_string(p99) +
         "],[1,9]],\"timeline\":[[0.1,1,2,3]]}\n";
}

TEST(CompareReport, MediansRatiosAndVerdicts) {
  scratch_dir dir;
  std::string results;
  for (const double r : {300.0, 100.0, 200.0}) results += pubsub_line("wide", "sluice", r * 1000, 50);
  for (const double r : {50.0, 70.0, 60.0}) results += pubsub_line("wide", "redis", r * 1000, 40);
  results += pubsub_line("wide", "nats", 80'000, 30);
  results += pubsub_line("narrow", "sluice", 1000, 5);
  results += pubsub_line("narrow", "redis", 2000, 6, "closed", 3);
  results += pubsub_line("narrow", "nats", 500, 7, "closed", 0, 1, 2, "arrival", 4);
  results += pubsub_line("paced", "sluice", 999, 5, "open", 0, 2.5, 1.5);
  results += pubsub_line("paced", "redis", 1001, 9, "open", 0, 1, 2, "read");
  results += "not json, skipped\n";
  const std::string file = dir.file("results.jsonl", results);
  const std::string plots = dir.path() + "/plots";
  std::filesystem::create_directory(plots);

  const run_result r = run_program(SLUICE_COMPARE_REPORT_PATH, {file, "--plots", plots, "--plot-link", "p"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(
      r.output.find("| wide | 200.0k (100.0k-300.0k) | 60.0k (50.0k-70.0k) | 80.0k | 2.50x | 50 us (50 us-50 us)"),
      std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("| narrow | 1.0k | 2.0k | 500 | 0.50x |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("| paced | 999 | 1.0k | - | (paced) |"), std::string::npos) << r.output;
  // Geometric mean over the two closed-loop rows: sqrt(2.5 * 0.5).
  EXPECT_NE(r.output.find("2 throughput rows: 1.12x"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("not ahead of both: narrow\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("worse than the better of the two: wide\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("all runs: 3\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("| wide | 1.00 / 2.00 | 1.00 / 2.00 | 1.00 / 2.00 |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("| paced | 2.50 / 1.50 | 1.00 / 2.00 | - |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("more CPU than the server it drove: paced (sluice)\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("not at the kernel's arrival time: 1; chunks without an arrival time: 4\n"),
            std::string::npos)
      << r.output;
  EXPECT_TRUE(std::filesystem::exists(plots + "/wide-distribution.svg"));
  EXPECT_TRUE(std::filesystem::exists(plots + "/paced-over-time.svg"));
  EXPECT_NE(r.output.find("[distribution](p/wide-distribution.svg)"), std::string::npos) << r.output;
}

// A row sluice has no rate on (its runs failed to deliver anything) is behind, and said
// to be left out of the mean rather than quietly skipped.
TEST(CompareReport, ARowWithoutASluiceRateIsBehind) {
  scratch_dir dir;
  std::string results = pubsub_line("wide", "sluice", 300'000, 50) + pubsub_line("wide", "redis", 100'000, 60);
  results += pubsub_line("failed", "sluice", 0, 0, "closed", 5) + pubsub_line("failed", "redis", 100'000, 60);
  const run_result r = run_program(SLUICE_COMPARE_REPORT_PATH, {dir.file("results.jsonl", results)});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1 throughput rows: 3.00x"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("left out of that mean, for want of a sluice rate: failed\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("not ahead of both: failed\n"), std::string::npos) << r.output;
}

// Storms and reconnect storms have a CPU row too, and count in the verdict on it.
TEST(CompareReport, StormsShowTheirCpuBesideTheServers) {
  scratch_dir dir;
  const auto line = [](const std::string& label, const std::string& workload, const std::string& target,
                       double client_cpu, double server_cpu) {
    return "{\"label\":\"" + label + "\",\"target\":\"" + target + "\",\"workload\":\"" + workload +
           "\",\"connects_per_s\":1000,\"client_cpu_s\":" + std::to_string(client_cpu) +
           ",\"server_cpu_s\":" + std::to_string(server_cpu) + ",\"errors\":0}\n";
  };
  std::string results = line("storm", "storm", "sluice", 0.2, 0.1) + line("storm", "storm", "redis", 0.1, 0.4);
  results += line("again", "reconnect", "sluice", 3, 2) + line("again", "reconnect", "nats", 1, 2);
  const run_result r = run_program(SLUICE_COMPARE_REPORT_PATH, {dir.file("results.jsonl", results)});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("| storm | 0.20 / 0.10 | 0.10 / 0.40 | - |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("| again | 3.00 / 2.00 | - | 1.00 / 2.00 |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("more CPU than the server it drove: storm (sluice), again (sluice)\n"), std::string::npos)
      << r.output;
}

TEST(CompareReport, RefusesAFileWithoutRuns) {
  scratch_dir dir;
  const run_result r = run_program(SLUICE_COMPARE_REPORT_PATH, {dir.file("empty.jsonl", "\n")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no labelled runs"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace sluice::test
