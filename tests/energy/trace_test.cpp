#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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

// sample_at remembers its last answer and a search hint; neither may change an answer. A
// cursor asked a random sequence of times (repeats, jumps back, loop boundaries) must give
// what a fresh cursor gives for each time.
TEST_CASE("TraceCursor answers depend on the time alone", "[trace]") {
  const Trace t = Trace::parse("time_s,power_W\n0,1\n0.5,2\n0.75,3\n2,4\n", "x.csv");
  std::uint64_t lcg = 99;
  auto rnd = [&]() {
    lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(lcg >> 11) / 9007199254740992.0;
  };
  for (const bool loop : {false, true}) {
    TraceCursor used(t, loop);
    double last = 0;
    for (int n = 0; n < 20000; ++n) {
      const double r = rnd();
      double x;
      if (r < 0.3)
        x = last;  // the same time again
      else if (r < 0.5)
        x = t.interval_end_s(static_cast<std::size_t>(rnd() * 4)) +
            (loop ? t.duration_s() * static_cast<int>(rnd() * 3) : 0);
      else
        x = rnd() * (loop ? 12.0 : t.duration_s());
      if (used.ended(x)) continue;
      last = x;
      double e1 = 0, e2 = 0;
      const TraceCursor fresh(t, loop);
      REQUIRE(used.sample_at(x, &e1) == fresh.sample_at(x, &e2));
      REQUIRE(e1 == e2);
    }
  }
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

namespace {

// played() as specified (trace.h), sample by sample into new vectors: the reference for the
// in-place rearrangement. Returns {times, values of column 0, duration}.
struct Played {
  std::vector<double> t, v;
  double duration = 0;
};
Played reference_played(const Trace& tr, double offset, double scale, bool wrap) {
  Played out;
  auto push = [&](double t, std::size_t i) {
    out.t.push_back(t * scale);
    out.v.push_back(tr.value(0, i));
  };
  const std::size_t first = tr.index_at(offset);
  push(0.0, first);
  for (std::size_t i = first + 1; i < tr.size(); ++i) push(tr.time_s(i) - offset, i);
  double duration = tr.duration_s() - offset;
  if (wrap) {
    for (std::size_t i = 0; i <= first; ++i)
      if (tr.time_s(i) < offset) push(duration + tr.time_s(i), i);
    duration = tr.duration_s();
  }
  out.duration = duration * scale;
  return out;
}

}  // namespace

TEST_CASE("played() in place gives exactly the specified samples", "[trace]") {
  // Irregular intervals and values, so that every sample is told apart.
  std::string text = "time_s,power_W\n";
  double t = 3.25;
  for (int i = 0; i < 200; ++i) {
    text += std::to_string(t) + "," + std::to_string(0.001 * (i % 17) + 1e-6 * i) + "\n";
    t += 0.01 + 0.003 * (i % 5);
  }
  const Trace tr = Trace::parse(text, "irregular.csv");
  for (double offset : {0.0, 0.0005, 0.01, 0.3333, 1.0, tr.time_s(150), tr.duration_s() * 0.999})
    for (double scale : {1.0, 0.37, 60.0})
      for (bool wrap : {false, true}) {
        INFO("offset " << offset << " scale " << scale << " wrap " << wrap);
        const Played ref = reference_played(tr, offset, scale, wrap);
        Trace copy = tr;
        const Trace s = std::move(copy).played(offset, scale, wrap);
        REQUIRE(s.size() == ref.t.size());
        CHECK(s.duration_s() == ref.duration);  // bit-identical, not approximately
        bool same = true;
        for (std::size_t i = 0; i < s.size(); ++i)
          same = same && s.time_s(i) == ref.t[i] && s.value(0, i) == ref.v[i];
        CHECK(same);
        const Trace c = tr.played(offset, scale, wrap);  // the copying form
        CHECK(c.size() == s.size());
        CHECK(c.column(0) == s.column(0));
      }
}

TEST_CASE("load() streams the file and gives what parse() gives the whole text", "[trace]") {
  // Over 1 MiB, so that lines straddle load()'s blocks; CRLF, a comment, blank lines, spaces,
  // and no newline after the last row.
  std::string text = "# a comment\r\n\r\ntime_s, power_W ,rf_power_W\r\n";
  for (int i = 0; i < 60000; ++i)
    text += std::to_string(i * 1e-4) + (i % 3 ? "," : " , ") + std::to_string(1e-3 * (i % 7)) +
            "," + std::to_string(2e-3 * (i % 11)) + (i % 1000 == 0 ? "\r\n\n" : "\r\n");
  text += "6.5,0.25,0.5";
  REQUIRE(text.size() > (1u << 20) + 1000);
  const std::string path = write_temp("stream.csv", text);
  const Trace loaded = Trace::load(path);
  std::remove(path.c_str());
  const Trace parsed = Trace::parse(text, path);
  REQUIRE(loaded.size() == 60001);
  CHECK(loaded.size() == parsed.size());
  CHECK(loaded.duration_s() == parsed.duration_s());
  CHECK(loaded.column(0) == parsed.column(0));
  CHECK(loaded.column(1) == parsed.column(1));
  CHECK(loaded.value(1, 60000) == 0.5);
  bool same_times = true;
  for (std::size_t i = 0; i < loaded.size(); ++i)
    same_times &= loaded.time_s(i) == parsed.time_s(i);
  CHECK(same_times);
  // The line numbers of errors past the first block are those of the file.
  std::string bad = text.substr(0, text.size() - 12) + "6.5,-1,0.5\n";
  const std::size_t bad_line =
      static_cast<std::size_t>(std::count(bad.begin(), bad.end(), '\n'));  // the last line
  CHECK_THAT(load_error("stream_bad.csv", bad),
             Catch::Contains(":" + std::to_string(bad_line) + ": negative value"));
}
