#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "energy/trace.h"

using ipsim::energy::Trace;
using ipsim::energy::TraceCursor;
using ipsim::energy::TraceError;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("ipsim_energy_test_" + name);
  std::ofstream(path) << text;
  return path.string();
}

// Loads `text` from a file and returns the error message (fails if it loads).
std::string load_error(const std::string& name, const std::string& text) {
  const std::string path = write_temp(name, text);
  try {
    Trace::load(path);
  } catch (const TraceError& e) {
    std::remove(path.c_str());
    return e.what();
  }
  std::remove(path.c_str());
  FAIL("trace loaded but should not have: " << name);
  return {};
}

}  // namespace

TEST_CASE("Trace parses the canonical format with zero-order hold", "[trace]") {
  const Trace t =
      Trace::parse("# comment\n#another\ntime_s,power_W\n10,1\n11,2\n13,0.5\n", "x.csv");
  REQUIRE(t.size() == 3);
  REQUIRE(t.column_names().size() == 1);
  const auto p = t.column_index("power_W");
  CHECK(t.time_s(0) == 0.0);     // time measured from the first sample
  CHECK(t.duration_s() == 5.0);  // last sample holds one more interval (2 s)
  CHECK(t.value_at(p, 0.0) == 1.0);
  CHECK(t.value_at(p, 0.999) == 1.0);
  CHECK(t.value_at(p, 1.0) == 2.0);
  CHECK(t.value_at(p, 4.9) == 0.5);
  CHECK(t.interval_end_s(2) == 5.0);

  TraceCursor once(t, false);
  double end = 0;
  CHECK(once.sample_at(1.5, &end) == 1);
  CHECK(end == 3.0);
  CHECK(once.ended(5.0));
  TraceCursor loop(t, true);
  CHECK_FALSE(loop.ended(5.0));
  CHECK(loop.sample_at(5.5, &end) == 0);
  CHECK(end == Approx(6.0));
  CHECK(loop.sample_at(12.0, &end) == 1);
  CHECK(end == Approx(13.0));
}

TEST_CASE("Trace errors name the file and the line", "[trace]") {
  SECTION("missing file") {
    try {
      Trace::load("/nonexistent/ipsim/trace.csv");
      FAIL("no error");
    } catch (const TraceError& e) {
      CHECK_THAT(e.what(), Catch::Contains("/nonexistent/ipsim/trace.csv:0:"));
    }
  }
  SECTION("bad header") {
    const auto m = load_error("hdr.csv", "# c\npower_W,time_s\n0,1\n1,1\n");
    CHECK_THAT(m, Catch::Contains("hdr.csv:2:") && Catch::Contains("bad header"));
  }
  SECTION("unknown column") {
    const auto m = load_error("unk.csv", "time_s,power_mW\n0,1\n1,1\n");
    CHECK_THAT(m, Catch::Contains("unk.csv:1:") && Catch::Contains("power_mW"));
  }
  SECTION("wrong column count") {
    const auto m = load_error("cols.csv", "time_s,power_W\n0,1\n1,1,2\n");
    CHECK_THAT(m, Catch::Contains("cols.csv:3:") && Catch::Contains("column count"));
    const auto m2 = load_error("cols2.csv", "time_s,isc_A,voc_V\n0,1,2\n1,1\n");
    CHECK_THAT(m2, Catch::Contains("cols2.csv:3:") && Catch::Contains("column count"));
  }
  SECTION("unparsable number") {
    const auto m = load_error("num.csv", "time_s,power_W\n0,1\n1,abc\n");
    CHECK_THAT(m, Catch::Contains("num.csv:3:") && Catch::Contains("unparsable"));
    const auto m2 = load_error("num2.csv", "time_s,power_W\n0,1\n1,1.5x\n");
    CHECK_THAT(m2, Catch::Contains("num2.csv:3:"));
  }
  SECTION("non-monotonic time") {
    const auto m = load_error("mono.csv", "#c\ntime_s,power_W\n0,1\n1,1\n2,1\n1.5,1\n");
    CHECK_THAT(m, Catch::Contains("mono.csv:6:") && Catch::Contains("time not strictly"));
    const auto m2 = load_error("dup.csv", "time_s,power_W\n0,1\n0,1\n");
    CHECK_THAT(m2, Catch::Contains("dup.csv:3:"));
  }
  SECTION("NaN and inf") {
    const auto m = load_error("nan.csv", "time_s,power_W\n0,1\n1,nan\n");
    CHECK_THAT(m, Catch::Contains("nan.csv:3:") && Catch::Contains("non-finite"));
    const auto m2 = load_error("inf.csv", "time_s,power_W\n0,1\ninf,1\n");
    CHECK_THAT(m2, Catch::Contains("inf.csv:3:"));
  }
  SECTION("negative power or irradiance") {
    const auto m = load_error("neg.csv", "time_s,power_W\n0,1\n1,-1e-6\n");
    CHECK_THAT(m, Catch::Contains("neg.csv:3:") && Catch::Contains("negative"));
    const auto m2 = load_error("negg.csv", "time_s,irradiance_W_per_m2\n0,-0.1\n1,1\n");
    CHECK_THAT(m2, Catch::Contains("negg.csv:2:"));
  }
  SECTION("too few samples") {
    const auto m = load_error("one.csv", "time_s,power_W\n0,1\n");
    CHECK_THAT(m, Catch::Contains("one.csv:"));
  }
}

// Sample counts and durations as documented in traces/README.md.
TEST_CASE("Every shipped trace loads with its documented size", "[trace]") {
  struct Row {
    const char* file;
    std::size_t samples;
    double duration_s;
    const char* column;
  };
  const Row rows[] = {
      {"mementos_1.csv", 25274, 25.274, "power_W"},
      {"mementos_3.csv", 39460, 39.460, "power_W"},
      {"mementos_5.csv", 31118, 31.118, "power_W"},
      {"nrel_2023jan.csv", 44640, 2678400.0, "irradiance_W_per_m2"},
      {"shepherd_jogging.csv", 30834, 616.68, "a_A"},
      {"fused_lux_14oct21.csv", 239159, 23915.9, "illuminance_lux"},
  };
  std::size_t found = 0;
  for (const auto& entry : std::filesystem::directory_iterator(IPSIM_TRACES_DIR))
    if (entry.path().extension() == ".csv") ++found;
  CHECK(found == std::size(rows));  // a new trace needs a row here and in the README
  for (const Row& r : rows) {
    INFO(r.file);
    const Trace t = Trace::load(std::string(IPSIM_TRACES_DIR) + "/" + r.file);
    CHECK(t.size() == r.samples);
    CHECK(t.duration_s() == Approx(r.duration_s).epsilon(1e-9));
    CHECK(t.has_column(r.column));
  }
}

TEST_CASE("A trace is played from an offset and at a time scale", "[trace]") {
  // Samples at 0, 1, 3 (power 1, 2, 0.5); it lasts 5 s.
  const Trace t = Trace::parse("time_s,power_W\n10,1\n11,2\n13,0.5\n", "x.csv");
  const auto p = t.column_index("power_W");

  SECTION("offset inside a sample, no wrap: the trace ends at its own end") {
    const Trace s = t.played(2.0, 1.0, false);
    CHECK(s.duration_s() == 3.0);
    CHECK(s.value_at(p, 0.0) == 2.0);   // sample 1 holds at trace time 2
    CHECK(s.value_at(p, 0.99) == 2.0);  // until trace time 3
    CHECK(s.value_at(p, 1.0) == 0.5);
  }
  SECTION("wrap keeps the whole cycle, the beginning after the end") {
    const Trace s = t.played(2.0, 1.0, true);
    CHECK(s.duration_s() == 5.0);
    CHECK(s.value_at(p, 2.5) == 0.5);
    CHECK(s.value_at(p, 3.0) == 1.0);  // trace time 0 follows trace time 5
    CHECK(s.value_at(p, 4.0) == 2.0);  // trace time 1 .. 2 (the part before the offset)
    CHECK(s.value_at(p, 4.99) == 2.0);
    // The played trace, looped, equals the original trace shifted by the offset.
    TraceCursor played(s, true), original(t, true);
    for (double x = 0; x < 20; x += 0.25) {
      double e1 = 0, e2 = 0;
      INFO("time " << x);
      CHECK(s.value(p, played.sample_at(x, &e1)) == t.value(p, original.sample_at(x + 2, &e2)));
    }
  }
  SECTION("offset on a sample boundary, time scale 2 (half speed)") {
    const Trace s = t.played(1.0, 2.0, true);
    CHECK(s.duration_s() == 10.0);
    CHECK(s.value_at(p, 0.0) == 2.0);
    CHECK(s.value_at(p, 3.99) == 2.0);  // trace seconds 1..3 last 4 s
    CHECK(s.value_at(p, 4.0) == 0.5);
    CHECK(s.value_at(p, 8.0) == 1.0);  // wrapped: trace time 0 at (5 - 1) x 2
  }
  SECTION("time scale alone compresses a day into minutes") {
    const Trace s = t.played(0.0, 0.1, false);
    CHECK(s.duration_s() == Approx(0.5));
    CHECK(s.value_at(p, 0.15) == 2.0);
  }
  SECTION("bad offset or scale") {
    CHECK_THROWS_WITH(t.played(5.0, 1.0, false), Catch::Contains("x.csv:0: source.offset 5s"));
    CHECK_THROWS_WITH(t.played(-1.0, 1.0, false), Catch::Contains("not inside the trace"));
    CHECK_THROWS_WITH(t.played(0.0, 0.0, false), Catch::Contains("time_scale"));
  }
}
