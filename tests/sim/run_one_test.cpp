// In-process parts of the commands with a stub simulator: run-one writes results, merge
// collects them (sim/run_command.h). Process-level behaviour: sweep_resume.py.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "sim/cli_error.h"
#include "sim/experiment.h"
#include "sim/results.h"
#include "sim/run_command.h"
#include "sim/sweep.h"
#include "tests/sim/temp_dir.h"

using namespace ipsim;
using ipsim::test::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

RunResult stub_simulate(const RunSpec& spec) {
  if (spec.config.seed == 3) throw std::runtime_error("stub: seed 3 is cursed");
  RunResult r;
  r.json = {{"status", "completed"},
            {"total_time_s", 1.0 * spec.config.seed},
            {"inferences", {{{"prediction", 2}, {"expected", 2}, {"correct", true}}}},
            {"nvm", {{"write_bytes", 100}}}};
  return r;
}

// Writes DIR/runs/specs.json for a 4-run seed sweep: as `ipsim sweep --emit` does (with
// specs.index), or as one plain JSON document (an older ipsim, or a hand-made file).
fs::path write_specs(const TempDir& dir, bool indexed = true) {
  const Experiment ex = load_experiment(dir.write("cfg.yaml",
                                                  "name: stub\n"
                                                  "platform:\n"
                                                  "  capacitor:\n"
                                                  "    capacitance: 100uF\n"
                                                  "workload:\n"
                                                  "  network: har\n"
                                                  "  strategy: sonic\n"
                                                  "sweep:\n"
                                                  "  seed: [1, 2, 3, 4]\n"));
  const fs::path specs = dir.path() / "out" / "runs" / "specs.json";
  fs::create_directories(specs.parent_path());
  if (indexed) {
    write_specs_file(specs.string(), ex.echo(), ex.runs);
    REQUIRE(fs::exists(specs_index_path(specs.string())));
    return specs;
  }
  json j = {{"config", ex.echo()}, {"runs", json::array()}};
  for (const auto& s : ex.runs) j["runs"].push_back(run_spec_to_json(s));
  std::ofstream(specs) << j.dump();
  return specs;
}

}  // namespace

TEST_CASE("run-one simulates one run of a specs file and writes its result") {
  TempDir dir;
  set_simulate_function(stub_simulate);
  const bool indexed = GENERATE(true, false);
  const fs::path specs = write_specs(dir, indexed);
  REQUIRE(run_one_command({specs.string(), "--index", "1"}) == 0);
  const auto r = read_run_file((specs.parent_path() / "1-seed2.json").string());
  REQUIRE(r);
  CHECK((*r)["status"] == "completed");
  CHECK((*r)["name"] == "seed2");
  CHECK((*r)["network"] == "har");
  CHECK((*r)["strategy"] == "sonic");
  CHECK((*r)["total_time_s"] == 2.0);
  CHECK((*r)["host"]["seconds"].is_number());

  SECTION("an exception becomes an error result and exit code 1") {
    const fs::path out = dir.path() / "three.json";
    CHECK(run_one_command({specs.string(), "--index", "2", "--out", out.string()}) == 1);
    const auto e = read_run_file(out.string());
    REQUIRE(e);
    CHECK((*e)["status"] == "error");
    CHECK((*e)["error"] == "stub: seed 3 is cursed");
  }
  SECTION("the index comes from SLURM_ARRAY_TASK_ID") {
    ::setenv("SLURM_ARRAY_TASK_ID", "3", 1);
    CHECK(run_one_command({specs.string()}) == 0);
    ::unsetenv("SLURM_ARRAY_TASK_ID");
    CHECK(fs::exists(specs.parent_path() / "3-seed4.json"));
  }
  SECTION("usage errors") {
    CHECK_THROWS_AS(run_one_command({specs.string()}), CliError);
    CHECK_THROWS_WITH(run_one_command({specs.string(), "--index", "9"}),
                      Catch::Contains("no run with index 9"));
    CHECK_THROWS_AS(run_one_command({(dir.path() / "nope.json").string()}), CliError);
  }
}

TEST_CASE("merge reports missing and failed runs through its exit code") {
  TempDir dir;
  set_simulate_function(stub_simulate);
  const bool indexed = GENERATE(true, false);
  const fs::path specs = write_specs(dir, indexed);
  const std::string out = (dir.path() / "out").string();
  REQUIRE(run_one_command({specs.string(), "--index", "0"}) == 0);
  CHECK(merge_command({out}) == 1);  // 3 missing
  CHECK(json::parse(std::ifstream(fs::path(out) / "results.json"))["runs"].size() == 1);
  REQUIRE(run_one_command({specs.string(), "--index", "1"}) == 0);
  REQUIRE(run_one_command({specs.string(), "--index", "2"}) == 1);
  REQUIRE(run_one_command({specs.string(), "--index", "3"}) == 0);
  CHECK(merge_command({out}) == 1);  // seed 3 failed
  set_simulate_function([](const RunSpec& s) {
    RunResult r;
    r.json = {{"status", "time-limit"}, {"total_time_s", 1.0 * s.config.seed}};
    return r;
  });
  REQUIRE(run_one_command({specs.string(), "--index", "2"}) == 0);
  CHECK(merge_command({out}) == 0);
  const json results = json::parse(std::ifstream(fs::path(out) / "results.json"));
  REQUIRE(results["runs"].size() == 4);
  CHECK(results["runs"][2]["status"] == "time-limit");
  CHECK(results["config"]["name"] == "stub");
  CHECK_THROWS_AS(merge_command({(dir.path() / "elsewhere").string()}), CliError);
}
