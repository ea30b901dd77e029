// Config parsing, units, validation errors and --set overrides (sim/config.h, sim/sweep.h).
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/config.h"
#include "sim/sweep.h"
#include "tests/sim/config_test_util.h"
#include "tests/sim/temp_dir.h"

using namespace ipsim;
using ipsim::test::error_of;
using ipsim::test::kMinimal;
using ipsim::test::replace;
using ipsim::test::TempDir;

namespace {

// Checks that the message names file:line, the key path and the expectation.
void check_error(const std::string& msg, const std::string& file_line, const std::string& key,
                 const std::string& expected) {
  INFO("message: " << msg);
  // Messages start with the path as given (absolute here), then ":line: ".
  CHECK(msg.find(file_line) < msg.find(' '));  // in the location prefix
  CHECK(msg.find(key) != std::string::npos);
  CHECK(msg.find(expected) != std::string::npos);
}

}  // namespace

TEST_CASE("parse_quantity accepts SI numbers and unit strings") {
  struct Row {
    const char* text;
    Unit unit;
    double value;
  };
  const Row rows[] = {
      {"100uF", Unit::Farad, 100e-6},
      {"470 uF", Unit::Farad, 470e-6},
      {"1mF", Unit::Farad, 1e-3},
      {"1e-4F", Unit::Farad, 1e-4},
      {"22nF", Unit::Farad, 22e-9},
      {"100\xC2\xB5"
       "F",
       Unit::Farad, 100e-6},
      {"2.8V", Unit::Volt, 2.8},
      {"2.8", Unit::Volt, 2.8},
      {"1800mV", Unit::Volt, 1.8},
      {"16MHz", Unit::Hertz, 16e6},
      {"8e6Hz", Unit::Hertz, 8e6},
      {"1kOhm", Unit::Ohm, 1e3},
      {"10 MOhm", Unit::Ohm, 10e6},
      {"4.7kohm", Unit::Ohm, 4.7e3},
      {"10s", Unit::Second, 10.0},
      {"5min", Unit::Second, 300.0},
      {"2h", Unit::Second, 7200.0},
      {"250ms", Unit::Second, 0.25},
      {"1.5mW", Unit::Watt, 1.5e-3},
      {"500uA", Unit::Ampere, 500e-6},
      {"2nJ", Unit::Joule, 2e-9},
      {"-3", Unit::Volt, -3.0},
  };
  for (const auto& r : rows) {
    CAPTURE(r.text);
    const auto v = parse_quantity(r.text, r.unit);
    REQUIRE(v);
    CHECK(*v == Approx(r.value).epsilon(1e-12));
  }
  CHECK(std::isinf(*parse_quantity("inf", Unit::Ohm)));
  // Exactly the double a plain number would give, so 100uF and 1e-4 are the same run.
  CHECK(*parse_quantity("100uF", Unit::Farad) == 1e-4);
  CHECK(*parse_quantity("470uF", Unit::Farad) == 470e-6);
  CHECK(*parse_quantity("1mF", Unit::Farad) == 1e-3);
  for (const char* bad : {"100uV", "100u", "abc", "", "1 0uF", "100uFF", "5min", "1xF"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_quantity(bad, Unit::Farad));
  }
  CHECK_FALSE(parse_quantity("5m", Unit::Second));  // minutes are "min"
  CHECK_FALSE(parse_quantity("2.8V", Unit::None));
  // Where the unit matters a bare number is refused; 0 and inf mean the same in any unit.
  for (const Unit u : {Unit::Farad, Unit::Ohm, Unit::Second, Unit::Hertz, Unit::Watt}) {
    CHECK_FALSE(parse_quantity("100", u));
    CHECK_FALSE(parse_quantity("1e-4", u));
    CHECK(*parse_quantity("0", u) == 0);
    CHECK(std::isinf(*parse_quantity("inf", u)));
  }
  CHECK(*parse_quantity("3.3", Unit::Volt) == 3.3);
  // Decimal only: no octal, no hex, no nan.
  CHECK(*parse_quantity("010", Unit::None) == 10);
  CHECK(*parse_quantity("010uF", Unit::Farad) == Approx(10e-6));
  for (const char* bad : {"0x10", "0x10F", "nan", "nanF", "1e", "."}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_quantity(bad, Unit::Farad));
  }
  CHECK_FALSE(parse_quantity("1eF", Unit::Farad));  // "1" and an unknown prefix "e"
  // Linear time: a 250,000-character value is rejected at once (it took 73 s).
  CHECK_FALSE(parse_quantity(std::string(250000, '1') + "x", Unit::Farad));
}

TEST_CASE("format_quantity picks the SI prefix") {
  CHECK(format_quantity(100e-6, Unit::Farad) == "100uF");
  CHECK(format_quantity(1e-4, Unit::Farad) == "100uF");
  CHECK(format_quantity(1e-3, Unit::Farad) == "1mF");
  CHECK(format_quantity(2.8, Unit::Volt) == "2.8V");
  CHECK(format_quantity(16e6, Unit::Hertz) == "16MHz");
  CHECK(format_quantity(300.0, Unit::Second) == "5min");
  CHECK(format_quantity(0.25, Unit::Second) == "250ms");
}

TEST_CASE("a full example config parses into typed structs") {
  TempDir dir;
  dir.write("traces/rf.csv", "# comment\ntime_s,rf_power_W\n0,1e-3\n1,2e-3\n");
  const std::string path = dir.write("exp/full.yaml",
                                     "name: full\n"
                                     "seed: 7\n"
                                     "time_limit: 5min\n"
                                     "baseline: sonic\n"
                                     "outputs:\n"
                                     "  waves_vcd: true\n"
                                     "  timeline_csv: yes\n"
                                     "  timeline_decimation: 10ms\n"
                                     "platform:\n"
                                     "  mclk: 8MHz\n"
                                     "  capacitor:\n"
                                     "    capacitance: 470 uF\n"
                                     "    initial_voltage: 1.5V\n"
                                     "    leakage_resistance: 10MOhm\n"
                                     "    max_voltage: 3.3\n"
                                     "  supervisor:\n"
                                     "    v_on: 3.0V\n"
                                     "    v_off: 1.9V\n"
                                     "  energy_model:\n"
                                     "    cycle_energy_j: 0.25nJ\n"
                                     "    reset_charge_c: 1e-8\n"
                                     "source:\n"
                                     "  type: trace\n"
                                     "  file: ../traces/rf.csv\n"
                                     "  loop: true\n"
                                     "  harvester:\n"
                                     "    model: rf\n"
                                     "    efficiency_curve: [[-10, 0.1], [0, 0.5], [10, 0.4]]\n"
                                     "workload:\n"
                                     "  network: kws\n"
                                     "  strategy: depth-first\n"
                                     "  inferences: 4\n"
                                     "  inputs: [3, 1, 4]\n"
                                     "slurm:\n"
                                     "  time: \"01:30:00\"\n"
                                     "  mem: 4G\n"
                                     "  array_limit: 10\n"
                                     "  partition: short\n");
  const Experiment ex = load_experiment(path);
  REQUIRE(ex.runs.size() == 1);
  const Config& c = ex.runs[0].config;
  CHECK(ex.runs[0].name == "full");
  CHECK(c.name == "full");
  CHECK(c.seed == 7);
  CHECK(c.time_limit_s == 300.0);
  CHECK(c.baseline == Strategy::Sonic);
  CHECK(c.outputs.waves_vcd);
  CHECK(c.outputs.timeline_csv);
  CHECK(c.outputs.timeline_decimation_s == Approx(0.01));
  CHECK(c.platform.mclk_hz == 8e6);
  CHECK(c.platform.capacitor.capacitance_f == Approx(470e-6));
  CHECK(c.platform.capacitor.v_initial == 1.5);
  CHECK(c.platform.capacitor.leakage_r_ohm == 10e6);
  CHECK(c.platform.capacitor.v_max == 3.3);
  CHECK(c.platform.supervisor.v_on == 3.0);
  CHECK(c.platform.supervisor.v_off == 1.9);
  CHECK(c.platform.energy_model.at("cycle_energy_j") == Approx(0.25e-9));
  CHECK(c.platform.energy_model.at("reset_charge_c") == 1e-8);
  CHECK(c.platform.energy_model.size() == 2);
  CHECK(c.source.type == SourceType::Trace);
  CHECK(c.source.file == (dir.path() / "traces/rf.csv").string());
  CHECK(c.source.loop);
  CHECK(c.source.harvester.model == HarvesterModel::Rf);
  REQUIRE(c.source.harvester.efficiency_curve.size() == 3);
  CHECK(c.source.harvester.efficiency_curve[1] == std::make_pair(0.0, 0.5));
  CHECK(c.workload.network == "kws");
  CHECK(c.workload.firmware.empty());
  CHECK(c.workload.strategy == Strategy::DepthFirst);
  CHECK(c.workload.inferences == 4);
  CHECK(c.workload.inputs == std::vector<int>{3, 1, 4});
  CHECK(c.slurm.time == "01:30:00");
  CHECK(c.slurm.mem == "4G");
  CHECK(c.slurm.array_limit == 10);
  CHECK(c.slurm.partition == "short");
  CHECK(ex.slurm.partition == "short");
  CHECK(ex.baseline == Strategy::Sonic);
}

TEST_CASE("defaults are written in the structs") {
  TempDir dir;
  const std::string path = dir.write("minimal.yaml", replace(kMinimal, "name: t\n", ""));
  const Config c = load_experiment(path).runs.at(0).config;
  CHECK(c.name == "minimal");  // the file stem
  CHECK(c.seed == 1);
  CHECK(c.time_limit_s == 3600.0);
  CHECK(c.baseline == Strategy::Hawaii);
  CHECK_FALSE(c.outputs.waves_vcd);
  CHECK(c.platform.mclk_hz == 16e6);
  CHECK(c.platform.capacitor.v_initial == 0.0);
  CHECK(std::isinf(c.platform.capacitor.leakage_r_ohm));
  CHECK(c.platform.capacitor.v_max == 3.6);
  CHECK(c.platform.supervisor.v_on == 2.8);
  CHECK(c.platform.supervisor.v_off == 2.4);
  CHECK(c.source.power_w == Approx(1e-3));
  CHECK_FALSE(c.source.current_a);
  CHECK(c.workload.inferences == 1);
  CHECK(c.workload.inputs == std::vector<int>{0});
  CHECK(c.slurm.time == "04:00:00");
}

TEST_CASE("every source type validates its own keys") {
  TempDir dir;
  dir.write("p.csv", "time_s,power_W\n0,1\n");
  auto cfg = [&](const std::string& source) {
    return replace(kMinimal, "  type: constant\n  power: 1mW\n", source);
  };
  SECTION("square-wave") {
    const std::string p = dir.write(
        "a.yaml", cfg("  type: square-wave\n  power: 2mW\n  t_on: 10ms\n  t_off: 90ms\n"));
    const Config c = load_experiment(p).runs.at(0).config;
    CHECK(c.source.type == SourceType::SquareWave);
    CHECK(c.source.t_on_s == Approx(0.01));
    CHECK(c.source.t_off_s == Approx(0.09));
  }
  SECTION("failure-injection") {
    const std::string p = dir.write(
        "a.yaml", cfg("  type: failure-injection\n  mean_on_cycles: 5000\n  off_time: 1ms\n"));
    const Config c = load_experiment(p).runs.at(0).config;
    CHECK(c.source.mean_on_cycles == 5000);
    CHECK(c.source.off_time_s == Approx(1e-3));
  }
  SECTION("constant current") {
    const Config c =
        load_experiment(dir.write("a.yaml", cfg("  type: constant\n  current: 500uA\n")))
            .runs.at(0)
            .config;
    CHECK(*c.source.current_a == Approx(500e-6));
    CHECK_FALSE(c.source.power_w);
  }
  SECTION("continuous takes no keys") {
    check_error(error_of(dir, cfg("  type: continuous\n  power: 1mW\n")),
                "cfg.yaml:7:", "source.power", "is not used by source.type continuous");
  }
  SECTION("trace with solar harvester, relative to the config directory") {
    dir.write("s.csv", "time_s,illuminance_lux\n0,100\n");
    const Config c =
        load_experiment(dir.write("a.yaml", cfg("  type: trace\n  file: s.csv\n  harvester:\n    "
                                                "model: solar\n    area_m2: 1e-3\n")))
            .runs.at(0)
            .config;
    CHECK(c.source.harvester.model == HarvesterModel::Solar);
    CHECK(c.source.harvester.area_m2 == 1e-3);
  }
  SECTION("a harvester key of another model") {
    check_error(
        error_of(
            dir,
            cfg("  type: trace\n  file: p.csv\n  harvester:\n    model: power\n    area_m2: 1\n")),
        "cfg.yaml:10:", "source.harvester.area_m2", "belongs to harvester model solar");
  }
  SECTION("a trace without the column the harvester needs") {
    check_error(error_of(dir, cfg("  type: trace\n  file: p.csv\n  harvester:\n    model: rf\n")),
                "cfg.yaml:7:", "source.file", "rf_power_W");
  }
}

TEST_CASE("validation errors name file, line, key path and expectation") {
  TempDir dir;
  SECTION("unknown key at top level") {
    check_error(error_of(dir, kMinimal + "colour: red\n"), "cfg.yaml:11:", "colour",
                "unknown key 'colour'; expected one of: name, seed");
  }
  SECTION("unknown nested key, with a suggestion") {
    check_error(error_of(dir, replace(kMinimal, "    capacitance: 100uF\n",
                                      "    capacitance: 100uF\n    capacitanse: 1\n")),
                "cfg.yaml:5:", "platform.capacitor.capacitanse", "did you mean 'capacitance'?");
  }
  SECTION("wrong type: text for an integer") {
    check_error(error_of(dir, kMinimal + "seed: abc\n"), "cfg.yaml:11:", "seed",
                "expected an integer, got 'abc'");
  }
  SECTION("wrong type: list for a number") {
    check_error(error_of(dir, replace(kMinimal, "capacitance: 100uF", "capacitance: [1, 2]")),
                "cfg.yaml:4:", "platform.capacitor.capacitance", "expected a capacitance in F");
  }
  SECTION("wrong type: scalar for a section") {
    check_error(error_of(dir, kMinimal + "outputs: yes\n"), "cfg.yaml:11:", "outputs",
                "expected a mapping of keys");
  }
  SECTION("wrong type: bool") {
    check_error(error_of(dir, kMinimal + "outputs:\n  waves_vcd: maybe\n"),
                "cfg.yaml:12:", "outputs.waves_vcd", "expected true or false, got 'maybe'");
  }
  SECTION("negative capacitance") {
    check_error(error_of(dir, replace(kMinimal, "100uF", "-100uF")),
                "cfg.yaml:4:", "platform.capacitor.capacitance", "expected a capacitance > 0");
  }
  SECTION("missing required key") {
    check_error(
        error_of(dir, replace(kMinimal, "    capacitance: 100uF\n", "    max_voltage: 3.3\n")),
        "cfg.yaml:4:", "platform.capacitor.capacitance", "required key is missing");
  }
  SECTION("v_off >= v_on") {
    check_error(error_of(dir, replace(kMinimal, "source:\n",
                                      "  supervisor:\n    v_on: 2.5V\n    v_off: 2.5V\nsource:\n")),
                "cfg.yaml:7:", "platform.supervisor.v_off", "expected a voltage below v_on (2.5V)");
  }
  SECTION("v_on above the capacitor's maximum") {
    check_error(
        error_of(dir, replace(kMinimal, "source:\n", "  supervisor:\n    v_on: 4V\nsource:\n")),
        "cfg.yaml:6:", "platform.supervisor.v_on", "max_voltage");
  }
  SECTION("bad unit string") {
    check_error(error_of(dir, replace(kMinimal, "100uF", "100uV")),
                "cfg.yaml:4:", "platform.capacitor.capacitance",
                "expected a capacitance in F (e.g. 100uF, 1mF or 470nF), got '100uV'");
  }
  SECTION("unknown strategy") {
    check_error(error_of(dir, replace(kMinimal, "strategy: hawaii", "strategy: hawai")),
                "cfg.yaml:10:", "workload.strategy",
                "expected one of continuous, layerwise-checkpoint, sonic, hawaii, depth-first; got "
                "'hawai'");
  }
  SECTION("unknown kernel") {
    check_error(error_of(dir, kMinimal + "  kernel: lea-fft\n"), "cfg.yaml:11:", "workload.kernel",
                "expected one of cpu, lea-mac, lea-fir; got 'lea-fft'");
  }
  SECTION("a kernel the strategy does not run on") {
    check_error(error_of(dir, replace(kMinimal, "strategy: hawaii", "strategy: sonic") +
                                  "  kernel: lea-fir\n"),
                "cfg.yaml:11:", "workload.kernel", "a kernel sonic runs on (cpu)");
    check_error(error_of(dir, kMinimal + "  kernel: cpu\n"), "cfg.yaml:11:", "workload.kernel",
                "a kernel hawaii runs on (lea-mac, lea-fir)");
  }
  SECTION("a kernel the network does not run on") {
    const std::string m8 = replace(kMinimal, "network: mnist", "network: mnist8");
    check_error(error_of(dir, m8 + "  kernel: lea-fir\n"), "cfg.yaml:11:", "workload.kernel",
                "network mnist8 runs on kernels cpu, lea-mac only (its 'same' convolutions pad "
                "with zeros; lea-fir pads them for every strategy but hawaii, "
                "docs/kernels.md); got 'lea-fir'");
    for (const char* padded : {"continuous", "depth-first"})
      CHECK(error_of(dir, replace(m8, "strategy: hawaii", std::string("strategy: ") + padded) +
                              "  kernel: lea-fir\n")
                .empty());
    CHECK(error_of(dir, m8).empty());  // hawaii on lea-mac
    CHECK(error_of(dir, replace(m8, "strategy: hawaii", "strategy: depth-first")).empty());
  }
  SECTION("unknown network") {
    check_error(error_of(dir, replace(kMinimal, "network: mnist", "network: cifar")),
                "cfg.yaml:9:", "workload.network", "expected one of mnist, har, kws");
  }
  SECTION("unknown energy-model coefficient") {
    check_error(error_of(dir, replace(kMinimal, "source:\n",
                                      "  energy_model:\n    warp_drive_a: 1\nsource:\n")),
                "cfg.yaml:6:", "platform.energy_model.warp_drive_a", "lpm3_current_a");
  }
  SECTION("missing file for a trace") {
    check_error(error_of(dir, replace(kMinimal, "  type: constant\n  power: 1mW\n",
                                      "  type: trace\n  file: traces/nope.csv\n")),
                "cfg.yaml:7:", "source.file", "no such file 'traces/nope.csv' (looked for");
  }
  SECTION("missing firmware file") {
    check_error(error_of(dir, replace(kMinimal, "  network: mnist\n", "  firmware: nope.elf\n")),
                "cfg.yaml:9:", "workload.firmware", "no such file 'nope.elf'");
  }
  SECTION("inferences < 1") {
    check_error(error_of(dir, kMinimal + "  inferences: 0\n"),
                "cfg.yaml:11:", "workload.inferences", "expected an integer from 1 to 32");
  }
  SECTION("bad sweep key") {
    check_error(error_of(dir, kMinimal + "sweep:\n  workload.strat: [sonic]\n"),
                "cfg.yaml:12:", "workload.strat", "unknown key 'strat'");
    check_error(error_of(dir, kMinimal + "sweep:\n  name: [a, b]\n"), "cfg.yaml:12:", "sweep.name",
                "cannot be swept");
  }
  SECTION("sweep of a key the source type does not use") {
    check_error(error_of(dir, kMinimal + "sweep:\n  source.file: [a.csv]\n"),
                "cfg.yaml:12:", "source.file", "is not used by source.type constant");
  }
  SECTION("invalid value inside a sweep list reports its own line") {
    check_error(error_of(dir, kMinimal + "sweep:\n"
                                         "  platform.capacitor.capacitance:\n"
                                         "    - 100uF\n"
                                         "    - -1uF\n"),
                "cfg.yaml:14:", "platform.capacitor.capacitance",
                "expected a capacitance > 0 (e.g. 100uF), got '-1uF' (sweep value 2 of 2)");
    check_error(error_of(dir, kMinimal + "sweep:\n  workload.strategy: [sonic,\n    hawai]\n"),
                "cfg.yaml:13:", "workload.strategy", "got 'hawai' (sweep value 2 of 2)");
  }
  SECTION("empty sweep list") {
    check_error(error_of(dir, kMinimal + "sweep:\n  seed: []\n"), "cfg.yaml:12:", "sweep.seed",
                "non-empty list");
  }
  SECTION("invalid YAML") {
    check_error(error_of(dir, kMinimal + "seed: [1, 2\n"), "cfg.yaml:12:", "", "invalid YAML");
  }
}

TEST_CASE("set overrides (--set key=value) apply before validation") {
  TempDir dir;
  const std::string path = dir.write("cfg.yaml", kMinimal);
  SECTION("scalar") {
    CHECK(load_experiment(path, {"workload.inferences=3"}).runs.at(0).config.workload.inferences ==
          3);
    CHECK(load_experiment(path, {"seed=42"}).runs.at(0).config.seed == 42);
  }
  SECTION("nested, with units") {
    const Config c = load_experiment(path, {"platform.capacitor.capacitance=470uF",
                                            "platform.supervisor.v_on=3V"})
                         .runs.at(0)
                         .config;
    CHECK(c.platform.capacitor.capacitance_f == Approx(470e-6));
    CHECK(c.platform.supervisor.v_on == 3.0);
  }
  SECTION("a key absent from the file") {
    CHECK(load_experiment(path, {"outputs.waves_vcd=true"}).runs.at(0).config.outputs.waves_vcd);
  }
  SECTION("list") {
    CHECK(load_experiment(path, {"workload.inputs=[1, 2]"}).runs.at(0).config.workload.inputs ==
          std::vector<int>{1, 2});
  }
  SECTION("a sweep axis") {
    const Experiment ex = load_experiment(path, {"sweep.workload.strategy=[sonic,hawaii]"});
    REQUIRE(ex.runs.size() == 2);
    CHECK(ex.runs[0].config.workload.strategy == Strategy::Sonic);
    CHECK(ex.runs[1].name == "hawaii");
  }
  SECTION("a swept key set on the command line is pinned") {
    dir.write("cfg.yaml",
              kMinimal + "sweep:\n  workload.strategy: [sonic, hawaii]\n  seed: [1, 2]\n");
    const Experiment ex = load_experiment(path, {"workload.strategy=depth-first"});
    REQUIRE(ex.runs.size() == 2);
    CHECK(ex.runs[1].config.workload.strategy == Strategy::DepthFirst);
    CHECK(ex.runs[1].name == "seed2");
    CHECK(load_experiment(path, {"sweep=null"}).runs.size() == 1);
  }
  SECTION("unknown key names --set") {
    try {
      load_experiment(path, {"platform.capacitor.colour=red"});
      FAIL("no error");
    } catch (const ConfigError& e) {
      const std::string msg = e.what();
      INFO(msg);
      CHECK(msg.rfind("--set platform.capacitor.colour=red: platform.capacitor.colour: unknown key "
                      "'colour'",
                      0) == 0);
    }
    try {
      load_experiment(path, {"seed.x=1"});
      FAIL("no error");
    } catch (const ConfigError& e) {
      CHECK(std::string(e.what()).rfind("--set seed.x=1: seed.x: unknown key", 0) == 0);
    }
  }
  SECTION("invalid value names --set") {
    try {
      load_experiment(path, {"workload.inferences=0"});
      FAIL("no error");
    } catch (const ConfigError& e) {
      CHECK(
          std::string(e.what()) ==
          "--set workload.inferences=0: workload.inferences: expected an integer from 1 to 32 (the "
          "inference firmware's limit), got '0'");
    }
  }
  SECTION("malformed --set") {
    CHECK_THROWS_WITH(load_experiment(path, {"seed"}), Catch::Contains("expected key=value"));
  }
  SECTION("a relative --set path resolves against the working directory") {
    dir.write("fw.elf", "not really an ELF");
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir.path());
    const Config c = load_experiment(path, {"workload.firmware=fw.elf"}).runs.at(0).config;
    std::filesystem::current_path(cwd);
    CHECK(c.workload.firmware == (dir.path() / "fw.elf").string());
    CHECK(c.workload.network == "mnist");
  }
}

TEST_CASE("workload.kernel defaults per strategy and survives the JSON echo") {
  TempDir dir;
  const std::string path = dir.write("k.yaml", kMinimal +
                                                   "sweep:\n  workload.strategy: [sonic, hawaii, "
                                                   "continuous, layerwise-checkpoint]\n");
  const Experiment ex = load_experiment(path);
  REQUIRE(ex.runs.size() == 4);
  CHECK(ex.runs[0].config.workload.kernel == Kernel::Cpu);  // sonic's published form
  for (size_t i = 1; i < 4; ++i) CHECK(ex.runs[i].config.workload.kernel == Kernel::LeaFir);
  const Experiment df = load_experiment(path, {"workload.strategy=depth-first"});
  CHECK(df.runs[0].config.workload.kernel == Kernel::LeaFir);
  const Experiment mac =
      load_experiment(path, {"workload.strategy=continuous", "workload.kernel=lea-mac"});
  CHECK(mac.runs[0].config.workload.kernel == Kernel::LeaMac);
  const Config back = config_from_json(to_json_value(mac.runs[0].config));
  CHECK(back.workload.kernel == Kernel::LeaMac);
  CHECK(std::string(to_string(Kernel::LeaMac)) == "lea-mac");
  CHECK(kernel_from_string("cpu") == Kernel::Cpu);
  CHECK(!kernel_from_string("fir"));
  // A network whose images exist for fewer kernels (mnist8: cpu, lea-mac) defaults to the
  // next kernel down from lea-fir that it and the strategy share.
  const std::string m8_path =
      dir.write("m8.yaml", replace(replace(kMinimal, "network: mnist", "network: mnist8"),
                                   "strategy: hawaii", "strategy: layerwise-checkpoint"));
  const Experiment m8 = load_experiment(m8_path);
  REQUIRE(m8.runs.size() == 1);
  CHECK(m8.runs[0].config.workload.kernel == Kernel::LeaMac);
}

TEST_CASE("source.offset takes a time or a time of day, source.time_scale a number") {
  TempDir dir;
  dir.write("p.csv", "time_s,power_W\n0,1\n1,2\n");
  auto source = [&](const std::string& extra) {
    return replace(kMinimal, "  type: constant\n  power: 1mW\n",
                   "  type: trace\n  file: p.csv\n" + extra);
  };
  auto offset_of = [&](const std::string& value) {
    return load_experiment(dir.write("a.yaml", source("  offset: " + value + "\n")))
        .runs.at(0)
        .config.source.offset_s;
  };
  CHECK(offset_of("6h") == Approx(21600));
  CHECK(offset_of("90min") == Approx(5400));
  CHECK(offset_of("120s") == Approx(120));
  CHECK(offset_of("\"06:30\"") == Approx(6.5 * 3600));
  CHECK(offset_of("06:30:15") == Approx(6.5 * 3600 + 15));
  CHECK(offset_of("23:59:59.5") == Approx(86399.5));
  const Config c =
      load_experiment(dir.write("b.yaml", source("  time_scale: 0.5\n"))).runs.at(0).config;
  CHECK(c.source.time_scale == 0.5);
  CHECK(c.source.offset_s == 0);
  // Both survive the trip through a specs file.
  Config round = config_from_json(to_json_value(c));
  CHECK(round.source.time_scale == 0.5);

  check_error(error_of(dir, source("  offset: 25:00\n")), "cfg.yaml:8:", "source.offset",
              "a time of day HH:MM[:SS]");
  check_error(error_of(dir, source("  offset: 3V\n")), "cfg.yaml:8:", "source.offset",
              "expected a time (e.g. 6h)");
  check_error(error_of(dir, source("  offset: -1s\n")), "cfg.yaml:8:", "source.offset",
              "got '-1s'");
  check_error(error_of(dir, source("  time_scale: 0\n")), "cfg.yaml:8:", "source.time_scale",
              "a number > 0");
  check_error(error_of(dir, replace(kMinimal, "  power: 1mW\n", "  power: 1mW\n  offset: 1h\n")),
              "cfg.yaml:8:", "source.offset", "is not used by source.type constant");
}

TEST_CASE("platform.nvm: kind, spi_clock and the hypothetical costs parse and validate") {
  TempDir dir;
  const std::string nvm_at_3 = "platform:\n  nvm:\n";
  auto with_nvm = [&](const std::string& lines) {
    return replace(kMinimal, "platform:\n", nvm_at_3 + lines);
  };
  SECTION("defaults: the FR5994's own FRAM, iNAS's 4 MHz SPI clock, no extra costs") {
    const Config c = load_experiment(dir.write("a.yaml", kMinimal), {}).runs.at(0).config;
    CHECK(c.platform.nvm.kind == NvmKind::Internal);
    CHECK(c.platform.nvm.spi_clock_hz == 4e6);
    CHECK(c.platform.nvm.extra_read_wait_states == 0);
    CHECK(c.platform.nvm.extra_write_energy_j == 0);
  }
  SECTION("every key, and the JSON round trip") {
    const Config c =
        load_experiment(dir.write("a.yaml", with_nvm("    kind: spi-fram\n    spi_clock: 8MHz\n"
                                                     "    extra_read_wait_states: 2\n"
                                                     "    extra_write_wait_states: 7\n"
                                                     "    extra_read_energy: 1.5nJ\n"
                                                     "    extra_write_energy: 3nJ\n")),
                        {})
            .runs.at(0)
            .config;
    CHECK(c.platform.nvm.kind == NvmKind::SpiFram);
    CHECK(c.platform.nvm.spi_clock_hz == 8e6);
    CHECK(c.platform.nvm.extra_read_wait_states == 2);
    CHECK(c.platform.nvm.extra_write_wait_states == 7);
    CHECK(c.platform.nvm.extra_read_energy_j == Approx(1.5e-9));
    const Config back = config_from_json(to_json_value(c));
    CHECK(back.platform.nvm.kind == NvmKind::SpiFram);
    CHECK(back.platform.nvm.spi_clock_hz == 8e6);
    CHECK(back.platform.nvm.extra_write_wait_states == 7);
    CHECK(back.platform.nvm.extra_write_energy_j == Approx(3e-9));
  }
  SECTION("--set reaches the section") {
    const Config c = load_experiment(dir.write("a.yaml", kMinimal), {"platform.nvm.kind=spi-fram"})
                         .runs.at(0)
                         .config;
    CHECK(c.platform.nvm.kind == NvmKind::SpiFram);
  }
  SECTION("errors name file, line, key and what was expected") {
    check_error(error_of(dir, with_nvm("    kind: flash\n")), "cfg.yaml:4:", "platform.nvm.kind",
                "expected one of internal, spi-fram; got 'flash'");
    // The SPI clock is checked where there is an SPI FRAM to clock.
    check_error(error_of(dir, with_nvm("    kind: spi-fram\n    spi_clock: 50MHz\n")),
                "cfg.yaml:5:", "platform.nvm.spi_clock",
                "a frequency <= 40MHz that divides platform.mclk");
    check_error(error_of(dir, with_nvm("    kind: spi-fram\n    spi_clock: 3MHz\n")),
                "cfg.yaml:5:", "platform.nvm.spi_clock", "by a whole number");
    check_error(error_of(dir, with_nvm("    extra_write_wait_states: -1\n")),
                "cfg.yaml:4:", "platform.nvm.extra_write_wait_states",
                "a whole number of wait states");
    check_error(error_of(dir, with_nvm("    extra_read_energy: 2V\n")),
                "cfg.yaml:4:", "platform.nvm.extra_read_energy", "J");
    check_error(error_of(dir, with_nvm("    spi_clok: 4MHz\n")),
                "cfg.yaml:4:", "platform.nvm.spi_clok", "did you mean 'spi_clock'?");
  }
}
