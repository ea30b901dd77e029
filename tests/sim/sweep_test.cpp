// Sweep expansion: cross product, order, names, RunSpec JSON round trip (sim/sweep.h).
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "sim/sweep.h"
#include "tests/sim/temp_dir.h"

using namespace ipsim;
using ipsim::test::TempDir;

namespace {

const std::string kBase =
    "name: grid\n"
    "platform:\n"
    "  capacitor:\n"
    "    capacitance: 100uF\n"
    "source:\n"
    "  type: trace\n"
    "  file: rf1.csv\n"
    "workload:\n"
    "  network: mnist\n"
    "  strategy: hawaii\n";

}  // namespace

TEST_CASE("sweep expands to the cross product in file order, first axis slowest") {
  TempDir dir;
  dir.write("rf1.csv", "time_s,power_W\n0,1e-3\n");
  dir.write("sub/rf2.csv", "time_s,power_W\n0,2e-3\n");
  const std::string path =
      dir.write("grid.yaml", kBase +
                                 "sweep:\n"
                                 "  workload.network: [mnist, har]\n"
                                 "  workload.strategy: [sonic, hawaii, depth-first]\n"
                                 "  source.file: [rf1.csv, sub/rf2.csv]\n"
                                 "  platform.capacitor.capacitance: [100uF, 1mF]\n");
  const Experiment ex = load_experiment(path);
  REQUIRE(ex.runs.size() == 2 * 3 * 2 * 2);
  REQUIRE(ex.axes.size() == 4);
  CHECK(ex.axes[3].labels == std::vector<std::string>{"100uF", "1mF"});
  CHECK(ex.axes[2].labels == std::vector<std::string>{"rf1", "rf2"});

  CHECK(ex.runs[0].name == "mnist-sonic-rf1-100uF");
  CHECK(ex.runs[1].name == "mnist-sonic-rf1-1mF");
  CHECK(ex.runs[2].name == "mnist-sonic-rf2-100uF");
  CHECK(ex.runs[4].name == "mnist-hawaii-rf1-100uF");
  CHECK(ex.runs[23].name == "har-depth-first-rf2-1mF");
  std::set<std::string> names;
  for (size_t i = 0; i < ex.runs.size(); ++i) {
    CHECK(ex.runs[i].index == static_cast<int>(i));
    names.insert(ex.runs[i].name);
  }
  CHECK(names.size() == ex.runs.size());

  const RunSpec& r = ex.runs[23];
  CHECK(r.config.workload.network == "har");
  CHECK(r.config.workload.strategy == Strategy::DepthFirst);
  CHECK(r.config.source.file == (dir.path() / "sub/rf2.csv").string());
  CHECK(r.config.platform.capacitor.capacitance_f == Approx(1e-3));
  REQUIRE(r.params.size() == 4);
  CHECK(r.params[0] == std::make_pair(std::string("workload.network"), std::string("har")));
  CHECK(r.params[3].second == "1mF");

  const auto echo = ex.echo();
  CHECK(echo["runs"] == 24);
  CHECK(echo["sweep"]["workload.strategy"][2] == "depth-first");
}

TEST_CASE("a config without sweep is one run named after the config") {
  TempDir dir;
  dir.write("rf1.csv", "time_s,power_W\n0,1e-3\n");
  const Experiment ex = load_experiment(dir.write("g.yaml", kBase));
  REQUIRE(ex.runs.size() == 1);
  CHECK(ex.runs[0].name == "grid");
  CHECK(ex.runs[0].params.empty());
}

TEST_CASE("sweep names stay unique and filesystem-safe") {
  TempDir dir;
  dir.write("rf1.csv", "time_s,power_W\n0,1e-3\n");
  dir.write("a/rf1.csv", "time_s,power_W\n0,1e-3\n");
  const Experiment ex =
      load_experiment(dir.write("g.yaml", kBase + "sweep:\n"
                                                  "  source.file: [rf1.csv, a/rf1.csv]\n"
                                                  "  seed: [1, 2]\n"
                                                  "  platform.supervisor.v_on: [2.8, 3.0V]\n"));
  REQUIRE(ex.runs.size() == 8);
  CHECK(ex.runs[0].name == "rf1-seed1-2.8V");
  CHECK(ex.runs[7].name == "rf1_2-seed2-3V");
  std::set<std::string> names;
  for (const auto& r : ex.runs) names.insert(r.name);
  CHECK(names.size() == 8);
  CHECK(sanitize_name("a b/c:d") == "a_b_c_d");
  CHECK(sanitize_name(".hidden") == "_hidden");
  CHECK(sanitize_name("") == "run");
  CHECK(value_label("workload.inputs", YAML::Load("[1, 2]")) == "inputs1_2");
  CHECK(value_label("outputs.waves_vcd", YAML::Load("true")) == "waves_vcdtrue");
  CHECK(value_label("workload", YAML::Load("{strategy: sonic, kernel: cpu}")) == "sonic_cpu");
}

namespace {

// Lines 11-16: a sweep of 2 x 3 x 2 = 12 runs.
const std::string kExcludeBase = kBase +
                                 "sweep:\n"                                           // 11
                                 "  workload.network: [mnist, mnist8]\n"              // 12
                                 "  workload:\n"                                      // 13
                                 "    - {strategy: hawaii, kernel: lea-fir}\n"        // 14
                                 "    - {strategy: hawaii, kernel: lea-mac}\n"        // 15
                                 "    - {strategy: sonic, kernel: cpu}\n"             // 16
                                 "  platform.capacitor.capacitance: [100uF, 1mF]\n";  // 17

std::string error_of(const std::string& path, const std::vector<std::string>& sets = {}) {
  try {
    load_experiment(path, sets);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("exclude drops the runs that match an entry, before they are validated") {
  TempDir dir;
  dir.write("rf1.csv", "time_s,power_W\n0,1e-3\n");
  // Without the entry the sweep is refused: mnist8 has no hawaii lea-fir (no padding).
  const std::string refused = dir.write("r.yaml", kExcludeBase);
  CHECK_THAT(error_of(refused), Catch::Contains("workload.kernel"));

  const std::string path =
      dir.write("x.yaml", kExcludeBase +
                              "exclude:\n"                                           // 18
                              "  # a section axis matches on the listed sub-keys\n"  // 19
                              "  - {workload.network: mnist8, workload: {strategy: hawaii, "
                              "kernel: lea-fir}}\n"  // 20
                              "  - {workload.strategy: sonic, platform.capacitor.capacitance: "
                              "1000uF}\n");  // 21
  const Experiment ex = load_experiment(path);
  // 12 - 2 (mnist8 hawaii lea-fir, both capacitors) - 2 (sonic at 1 mF, both networks)
  REQUIRE(ex.runs.size() == 8);
  CHECK(ex.excluded == 4);
  REQUIRE(ex.exclusions.size() == 2);
  CHECK(ex.exclusions[0].matched == 2);
  CHECK(ex.exclusions[1].matched == 2);
  std::vector<std::string> names;
  for (size_t i = 0; i < ex.runs.size(); ++i) {
    CHECK(ex.runs[i].index == static_cast<int>(i));  // contiguous
    names.push_back(ex.runs[i].name);
  }
  CHECK(names == std::vector<std::string>{"mnist-hawaii_lea-fir-100uF", "mnist-hawaii_lea-fir-1mF",
                                          "mnist-hawaii_lea-mac-100uF", "mnist-hawaii_lea-mac-1mF",
                                          "mnist-sonic_cpu-100uF", "mnist8-hawaii_lea-mac-100uF",
                                          "mnist8-hawaii_lea-mac-1mF", "mnist8-sonic_cpu-100uF"});
  // Every kept run is the same run as without the exclusions (names, specs).
  const Experiment all = load_experiment(path, {"exclude=null", "workload.network=mnist"});
  REQUIRE(all.runs.size() == 6);
  CHECK(run_spec_to_json(all.runs[4]).at("config") == run_spec_to_json(ex.runs[4]).at("config"));
  const auto echo = ex.echo();
  CHECK(echo["excluded"] == 4);
  CHECK(echo["exclude"][0]["workload.strategy"] == "hawaii");
  CHECK(echo["exclude"][1]["platform.capacitor.capacitance"] == "1000uF");
}

TEST_CASE(
    "an exclude entry that matches no run, or names a key the sweep does not vary, is refused") {
  TempDir dir;
  dir.write("rf1.csv", "time_s,power_W\n0,1e-3\n");
  const std::string fix =
      "  - {workload.network: mnist8, workload: {strategy: hawaii, kernel: lea-fir}}\n";
  // A value that no axis has (a typo in a sub-key of the section axis too).
  CHECK(error_of(dir.write(
            "a.yaml", kExcludeBase + "exclude:\n" + fix + "  - {workload.strategy: sonik}\n")) ==
        (dir.path() / "a.yaml").string() +
            ":20: exclude: expected an entry that matches a run of the sweep, got one that "
            "matches none ({workload.strategy: \"sonik\"}) (exclude entry 2 of 2)");
  CHECK_THAT(error_of(dir.write("b.yaml", kExcludeBase + "exclude:\n" + fix +
                                              "  - {workload: {strategi: sonic}}\n")),
             Catch::Contains("b.yaml:20: exclude: expected an entry that matches a run"));
  // A key that is not swept: its line, the key, the axes.
  CHECK(error_of(dir.write("c.yaml", kExcludeBase + "exclude:\n" + fix +
                                         "  - workload.network: mnist\n"
                                         "    seed: 1\n")) ==
        (dir.path() / "c.yaml").string() +
            ":21: exclude.seed: expected a key that the sweep varies (workload.network, workload, "
            "platform.capacitor.capacitance), got 'seed'");
  CHECK_THAT(error_of(dir.write("d.yaml", kExcludeBase + "exclude:\n  - sonic\n")),
             Catch::Contains("d.yaml:19: exclude[1]: expected a mapping of dotted key: value"));
  CHECK_THAT(error_of(dir.write("e.yaml", kExcludeBase + "exclude: {workload.strategy: sonic}\n")),
             Catch::Contains("e.yaml:18: exclude: expected a list of {key: value} entries"));
  CHECK_THAT(error_of(dir.write("f.yaml", kExcludeBase + "exclude:\n" + fix + "  - {}\n")),
             Catch::Contains("f.yaml:20: exclude[2]: expected a mapping of dotted key: value"));
  CHECK_THAT(error_of(dir.write(
                 "g.yaml", kExcludeBase + "exclude:\n" + fix +
                               "  - {workload.strategy: sonic, workload: {strategy: sonic}}\n")),
             Catch::Contains("g.yaml:20: exclude.workload.strategy: expected each key once"));
  // Excluding everything leaves nothing to run.
  CHECK_THAT(error_of(dir.write("h.yaml", kExcludeBase + "exclude:\n" + fix +
                                              "  - {platform.capacitor.capacitance: 100uF}\n"
                                              "  - {workload.network: mnist}\n"
                                              "  - {workload.network: mnist8}\n")),
             Catch::Contains("h.yaml:19: exclude: expected a sweep with runs left, got every run "
                             "excluded (by " +
                             (dir.path() / "h.yaml").string() + ":19, " +
                             (dir.path() / "h.yaml").string() + ":20, " +
                             (dir.path() / "h.yaml").string() + ":21, " +
                             (dir.path() / "h.yaml").string() + ":22)"));
}

TEST_CASE("exclude with --set: a pinned or re-swept key is matched as set, and may match nothing") {
  TempDir dir;
  const std::string fix =
      "  - {workload.network: mnist8, workload: {strategy: hawaii, kernel: lea-fir}}\n";
  dir.write("rf1.csv", "time_s,power_W\n0,1e-3\n");
  const std::string path = dir.write(
      "x.yaml",
      kExcludeBase +
          "exclude:\n"
          "  - {workload.network: mnist8, workload: {strategy: hawaii, kernel: lea-fir}}\n"
          "  - {workload.strategy: sonic, platform.capacitor.capacitance: 1mF}\n");
  // Pinned to mnist: the first entry matches nothing, which is no error; the second still applies.
  Experiment ex = load_experiment(path, {"workload.network=mnist"});
  CHECK(ex.runs.size() == 5);
  CHECK(ex.exclusions[0].matched == 0);
  // Pinned to mnist8: the pinned value counts as the run's value.
  ex = load_experiment(path, {"workload.network=mnist8"});
  CHECK(ex.runs.size() == 3);
  CHECK(ex.runs[0].name == "hawaii_lea-mac-100uF");
  // A re-swept capacitor axis without 1mF: the second entry no longer applies.
  ex = load_experiment(path, {"sweep.platform.capacitor.capacitance=[100uF]"});
  CHECK(ex.runs.size() == 5);
  CHECK(ex.runs[0].name == "mnist-hawaii_lea-fir-100uF");
  // A pinned section value is matched on its sub-keys.
  ex = load_experiment(path, {"workload={strategy: hawaii, kernel: lea-fir}"});
  CHECK(ex.runs.size() == 2);
  CHECK(ex.runs[1].name == "mnist-1mF");
  // --set exclude replaces the list, and its entries must match.
  ex = load_experiment(path, {"workload.network=mnist", "exclude=[{workload.kernel: lea-mac}]"});
  CHECK(ex.runs.size() == 4);
  CHECK_THAT(
      error_of(path, {"exclude=[{workload.kernel: lea-mak}]", "workload.network=mnist"}),
      Catch::Contains("--set exclude=[{workload.kernel: lea-mak}]: exclude: expected an entry "
                      "that matches a run"));
  CHECK_THAT(error_of(path, {"exclude=[{seed: 3}]"}),
             Catch::Contains(
                 "--set exclude=[{seed: 3}]: exclude.seed: expected a key that the sweep varies"));
  // A file entry that matches nothing is still an error when --set touches none of its keys.
  CHECK_THAT(error_of(dir.write("y.yaml", kExcludeBase + "exclude:\n" + fix +
                                              "  - {workload.network: mnist9}\n"),
                      {"sweep.platform.capacitor.capacitance=[100uF]"}),
             Catch::Contains("y.yaml:20: exclude: expected an entry that matches a run"));
  // exclude cannot be swept.
  CHECK_THAT(error_of(path, {"sweep.exclude=[1]"}), Catch::Contains("'exclude' cannot be swept"));
}

TEST_CASE("a RunSpec round-trips through JSON") {
  TempDir dir;
  dir.write("rf1.csv", "time_s,power_W\n0,1e-3\n");
  const Experiment ex2 =
      load_experiment(dir.write("h.yaml", kBase), {"sweep.seed=[3, 4]", "source.harvester.scale=2",
                                                   "platform.energy_model.lpm3_current_a=1uA"});
  RunSpec spec = ex2.runs.at(1);
  spec.artifact_dir = "/tmp/x";
  const nlohmann::json j = run_spec_to_json(spec);
  const RunSpec back = run_spec_from_json(nlohmann::json::parse(j.dump()));
  CHECK(run_spec_to_json(back) == j);
  CHECK(back.config.seed == 4);
  CHECK(std::isinf(back.config.platform.capacitor.leakage_r_ohm));
  CHECK(back.config.source.harvester.scale == 2.0);
  CHECK(back.config.platform.energy_model.at("lpm3_current_a") == Approx(1e-6));
  CHECK(back.params == spec.params);
  CHECK(back.artifact_dir == "/tmp/x");
}

TEST_CASE("expansion refuses more than kMaxRuns runs") {
  TempDir dir;
  dir.write("rf1.csv", "time_s,power_W\n0,1e-3\n");
  std::string list = "[";
  for (int i = 0; i < 400; ++i) list += (i ? "," : "") + std::to_string(i);
  list += "]";
  CHECK_THROWS_WITH(load_experiment(dir.write("g.yaml", kBase + "sweep:\n  seed: " + list +
                                                            "\n  workload.inputs: " + list + "\n")),
                    Catch::Contains("more than 100000 runs"));
}

TEST_CASE("a worker reads its run through specs.index, and the whole file without one") {
  TempDir dir;
  dir.write("rf1.csv", "time_s,power_W\n0,1e-3\n");
  const Experiment ex =
      load_experiment(dir.write("s.yaml", kBase), {"sweep.seed=[1, 2, 3, 4, 5, 6, 7, 8]"});
  const std::string path = (dir.path() / "specs.json").string();
  write_specs_file(path, ex.echo(), ex.runs);
  const std::string index = specs_index_path(path);
  REQUIRE(index == (dir.path() / "specs.index").string());
  auto text = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  auto put = [](const std::string& p, const std::string& t) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << t;
  };
  const std::string specs = text(path);
  // Still one JSON document for other readers, with the runs in index order.
  const nlohmann::json whole = nlohmann::json::parse(specs);
  REQUIRE(whole["runs"].size() == 8);
  CHECK(whole["config"] == ex.echo());

  for (int i : {0, 5, 7}) {
    const auto s = read_spec_at(path, i);
    REQUIRE(s);
    CHECK(run_spec_to_json(*s) == run_spec_to_json(ex.runs[static_cast<size_t>(i)]));
  }
  CHECK_FALSE(read_spec_at(path, 8));
  CHECK_FALSE(read_spec_at(path, -1));
  const SpecsFile all = read_specs_file(path);
  CHECK(all.config == ex.echo());
  REQUIRE(all.runs.size() == 8);
  CHECK(all.runs[3].config.seed == 4);

  SECTION("only the run asked for is parsed") {
    // Run 2's line made unparsable (same length): the indexed read of run 5 does not see it.
    const std::string line2 = run_spec_to_json(ex.runs[2]).dump();
    const size_t at = specs.find(line2);
    REQUIRE(at != std::string::npos);
    std::string broken = specs;
    broken.replace(at, line2.size(), std::string(line2.size(), '#'));
    put(path, broken);
    const auto s = read_spec_at(path, 5);
    REQUIRE(s);
    CHECK(s->config.seed == 6);
    // Without the index the whole file is parsed, and it is no longer JSON.
    std::filesystem::remove(index);
    CHECK_THROWS_AS(read_spec_at(path, 5), nlohmann::json::exception);
  }
  SECTION("an index that does not describe the file is not used") {
    // Another sweep's specs under the old index (different size): parsed whole, still right.
    const Experiment other =
        load_experiment(dir.write("t.yaml", kBase),
                        {"sweep.seed=[10, 20, 30, 40, 50, 60, 70, 80]", "workload.strategy=sonic"});
    const std::string saved_index = text(index);
    write_specs_file(path, other.echo(), other.runs);
    put(index, saved_index);
    const auto s = read_spec_at(path, 6);
    REQUIRE(s);
    CHECK(s->config.seed == 70);
    CHECK(read_specs_file(path).runs.at(7).config.seed == 80);
    // A record that points at another run is refused too (run 1's record names run 0).
    write_specs_file(path, ex.echo(), ex.runs);
    std::string idx = text(index);
    const size_t header = idx.find('\n') + 1, record = idx.find('\n', header) + 1 - header;
    idx.replace(header + 2 * record, record, idx.substr(header + 1 * record, record));
    put(index, idx);
    const auto t = read_spec_at(path, 1);
    REQUIRE(t);
    CHECK(t->config.seed == 2);
    CHECK(read_specs_file(path).runs.at(1).config.seed == 2);
  }
}
