// Hostile and careless config input (issues 14 and 15): each case is an error that names the
// file, the line and the key, or a documented bound, never a silently different run.
#include <sys/stat.h>

#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "energy/trace.h"
#include "sim/config.h"
#include "sim/sweep.h"
#include "tests/sim/config_test_util.h"
#include "tests/sim/temp_dir.h"

using namespace ipsim;
using ipsim::test::error_of;
using ipsim::test::replace;
using ipsim::test::TempDir;

namespace {

const std::string& kBase = ipsim::test::kMinimal;

Config config_of(const TempDir& dir, const std::string& yaml) {
  return load_experiment(dir.write("cfg.yaml", yaml), {}).runs.at(0).config;
}

}  // namespace

TEST_CASE("strict input: a unit-less quantity where the unit matters is an error") {
  TempDir dir;
  const std::string msg = error_of(dir, replace(kBase, "100uF", "100"));
  CHECK_THAT(msg, Catch::Contains("cfg.yaml:4:"));
  CHECK_THAT(msg, Catch::Contains("platform.capacitor.capacitance"));
  CHECK_THAT(msg, Catch::Contains("without a unit"));
  CHECK_THAT(msg, Catch::Contains("100uF, 1mF or 470nF"));
  CHECK_THAT(error_of(dir, kBase + "time_limit: 50\n"), Catch::Contains("time_limit"));
  CHECK_THAT(error_of(dir, replace(kBase, "1mW", "0.001")), Catch::Contains("source.power"));
  CHECK_THAT(error_of(dir, kBase, {"platform.mclk=8e6"}), Catch::Contains("without a unit"));
  // Voltages keep their plain SI form.
  CHECK(error_of(dir, replace(kBase, "source:\n", "  supervisor:\n    v_on: 3.0\nsource:\n")) ==
        "");
}

TEST_CASE("strict input: a duplicate key names both lines") {
  TempDir dir;
  const std::string nested =
      error_of(dir, replace(kBase, "  power: 1mW\n", "  power: 1mW\n  power: 2mW\n"));
  CHECK_THAT(nested, Catch::Contains("cfg.yaml:8: duplicate key 'power'"));
  CHECK_THAT(nested, Catch::Contains("line 7"));
  const std::string top = error_of(dir, kBase + "workload:\n  network: har\n");
  CHECK_THAT(top, Catch::Contains("cfg.yaml:11: duplicate key 'workload'"));
  CHECK_THAT(top, Catch::Contains("line 8"));
  CHECK_THAT(error_of(dir, kBase, {"sweep={seed: [1], seed: [2]}"}),
             Catch::Contains("duplicate key 'seed'"));
}

TEST_CASE("strict input: a second YAML document, non-UTF-8 bytes and trailing garbage") {
  TempDir dir;
  CHECK_THAT(error_of(dir, kBase + "---\nseed: 5\n"), Catch::Contains("cfg.yaml:12:"));
  CHECK_THAT(error_of(dir, kBase + "---\nseed: 5\n"), Catch::Contains("one YAML document"));
  const std::string bad_utf8 = error_of(dir, replace(kBase, "name: t", "name: t\xff"));
  CHECK_THAT(bad_utf8, Catch::Contains("cfg.yaml:1:"));
  CHECK_THAT(bad_utf8, Catch::Contains("not UTF-8"));
  CHECK_THAT(error_of(dir, kBase, {"sweep.seed=[1, 2]x"}),
             Catch::Contains("unexpected text after the value"));
  CHECK_THAT(error_of(dir, kBase, {"name=a\xc3"}), Catch::Contains("not UTF-8"));
}

TEST_CASE("strict input: a FIFO as config is refused instead of blocking") {
  TempDir dir;
  const std::string fifo = (dir.path() / "cfg.yaml").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(load_experiment(fifo, {}), Catch::Contains("not a regular file"));
}

TEST_CASE("strict input: numbers are decimal") {
  TempDir dir;
  CHECK(config_of(dir, kBase + "seed: 010\n").seed == 10);
  CHECK_THAT(error_of(dir, kBase + "seed: 0x10\n"), Catch::Contains("expected an integer"));
  CHECK_THAT(error_of(dir, replace(kBase, "100uF", "0x10")),
             Catch::Contains("platform.capacitor.capacitance"));
  CHECK_THAT(error_of(dir, replace(kBase, "100uF", "nanF")),
             Catch::Contains("platform.capacitor.capacitance"));
}

TEST_CASE("strict input: the workload fits the firmware and the network's test set") {
  TempDir dir;
  CHECK_THAT(error_of(dir, kBase + "  inferences: 33\n"), Catch::Contains("from 1 to 32"));
  std::string long_list = "  inputs: [0";
  for (int i = 1; i < 33; ++i) long_list += ", 1";
  CHECK_THAT(error_of(dir, kBase + long_list + "]\n"), Catch::Contains("at most 32"));
  const std::string past = error_of(dir, kBase + "  inputs: [0, 20]\n");
  CHECK_THAT(past, Catch::Contains("cfg.yaml:11:"));
  CHECK_THAT(past, Catch::Contains("workload.inputs[1]"));
  CHECK_THAT(past, Catch::Contains("mnist has 20 test inputs"));
  CHECK_THAT(error_of(dir, kBase + "  inputs: 30000\n"), Catch::Contains("from 0 to 19"));
  // A scalar is checked like a list item, not truncated to 16 bits.
  CHECK_THAT(error_of(dir, kBase + "  inputs: 65536\n"), Catch::Contains("workload.inputs"));
  CHECK(config_of(dir, kBase + "  inputs: 19\n").workload.inputs == std::vector<int>{19});
}

TEST_CASE("strict input: values the firmware or the integrator cannot honour are refused") {
  TempDir dir;
  const auto platform_line = [&](const std::string& line) {
    return error_of(dir, replace(kBase, "  capacitor:\n", line + "\n  capacitor:\n"));
  };
  CHECK_THAT(platform_line("  mclk: 12MHz"), Catch::Contains("1MHz, 8MHz or 16MHz"));
  CHECK_THAT(platform_line("  mclk: 4MHz"), Catch::Contains("1MHz, 8MHz or 16MHz"));
  CHECK(platform_line("  mclk: 8MHz") == "");
  CHECK_THAT(error_of(dir, replace(kBase, "100uF", "1e-15F")), Catch::Contains("reset charge"));
  CHECK_THAT(error_of(dir, replace(kBase, "100uF", "10nF")), Catch::Contains("reset charge"));
  const std::string square = "  type: square-wave\n  power: 1mW\n  t_on: 1ns\n  t_off: 1ms\n";
  CHECK_THAT(error_of(dir, replace(kBase, "  type: constant\n  power: 1mW\n", square)),
             Catch::Contains("a time >= 1us"));
  const std::string always_on = "  type: square-wave\n  power: 1mW\n  t_on: 1ms\n  t_off: 0\n";
  CHECK(config_of(dir, replace(kBase, "  type: constant\n  power: 1mW\n", always_on))
            .source.t_off_s == 0);
  const std::string injection =
      "  type: failure-injection\n  mean_on_cycles: 1e20\n  off_time: 1ms\n";
  CHECK_THAT(error_of(dir, replace(kBase, "  type: constant\n  power: 1mW\n", injection)),
             Catch::Contains("from 1 to 1e18"));
  CHECK_THAT(error_of(dir, kBase + "slurm:\n  array_limit: 4294967296\n"),
             Catch::Contains("0 to 2147483647"));
}

TEST_CASE("strict input: a 250,000-character value is rejected at once") {
  TempDir dir;
  const auto t0 = std::chrono::steady_clock::now();
  const std::string msg = error_of(dir, replace(kBase, "100uF", std::string(250000, '7') + "q"));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK_THAT(msg, Catch::Contains("platform.capacitor.capacitance"));
  CHECK(msg.size() < 1000);  // the value is shortened in the message
  CHECK(s < 5.0);            // it took 73 s when parse_quantity was quadratic
}

TEST_CASE("strict input: trace samples closer than 1 us are refused, naming the line") {
  CHECK_THROWS_WITH(energy::Trace::parse("time_s,power_W\n0,1\n1e-15,1\n2e-15,1\n", "t.csv"),
                    Catch::Contains("t.csv:3: samples closer than 1 us"));
  CHECK(energy::Trace::parse("time_s,power_W\n0,1\n1e-6,1\n", "t.csv").size() == 2);
  // 1e308 W made the capacitor integrator fail inside the run.
  CHECK_THROWS_WITH(energy::Trace::parse("time_s,power_W\n0,1\n1,1e308\n", "t.csv"),
                    Catch::Contains("t.csv:3: value above 1e6"));
}
