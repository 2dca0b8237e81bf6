// The plots' chart: every series is drawn and named, text is escaped, and nothing
// breaks on an empty chart or a single point.
#include "tools/load/svg_chart.hpp"

#include <gtest/gtest.h>

namespace sluice::load {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(SvgChart, DrawsAndNamesEverySeries) {
  const std::string svg =
      svg_chart({"fan-out <64 B> & more", "seconds", "latency (us)", false},
                {{"sluice", {{0.1, 100}, {0.2, 120}, {0.3, 5000}}}, {"redis", {{0.1, 80}, {0.3, 90}}}});
  EXPECT_TRUE(svg.starts_with("<svg"));
  EXPECT_TRUE(svg.ends_with("</svg>\n"));
  EXPECT_EQ(count(svg, "<path d=\"M"), 2u);
  EXPECT_EQ(count(svg, " L"), 3u);  // 3 + 2 points: 2 + 1 segments
  EXPECT_NE(svg.find(">sluice</text>"), std::string::npos);
  EXPECT_NE(svg.find(">redis</text>"), std::string::npos);
  EXPECT_NE(svg.find("fan-out &lt;64 B&gt; &amp; more"), std::string::npos);
  // A log axis over 80..5000 us has decade lines 10, 100, 1000, 10000.
  EXPECT_NE(svg.find(">10000</text>"), std::string::npos);
  EXPECT_NE(svg.find(">10</text>"), std::string::npos);
}

TEST(SvgChart, NinesAxisAndDegenerateInput) {
  const std::string spectrum =
      svg_chart({"t", "percentile", "us", true}, {{"a", {{0, 10}, {0.5, 20}, {0.99, 40}, {0.999, 90}}}});
  EXPECT_NE(spectrum.find(">99.9%</text>"), std::string::npos);
  EXPECT_NE(spectrum.find(">50%</text>"), std::string::npos);
  const std::string empty = svg_chart({"t", "x", "y", false}, {});
  EXPECT_EQ(count(empty, "<path"), 0u);
  const std::string single = svg_chart({"t", "x", "y", false}, {{
                                                                    "one",
                                                                    {{1, 5}},
                                                                },
                                                                {"zero", {{1, 0}}}});
  EXPECT_EQ(count(single, "<path d=\"M"), 1u);  // a non-positive value is not drawable on a log axis
}

}  // namespace
}  // namespace sluice::load
