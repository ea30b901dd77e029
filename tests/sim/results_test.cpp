// Result files: atomic writes, run objects, results.csv, the comparison table (sim/results.h).
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "sim/results.h"
#include "sim/sweep.h"
#include "tests/sim/temp_dir.h"

using namespace ipsim;
using ipsim::test::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t files_in(const fs::path& dir) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) (void)e, ++n;
  return n;
}

bool any_temp_file(const fs::path& dir) {
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (is_temp_file_name(e.path().filename().string())) return true;
  return false;
}

// Two specs from a strategy x capacitance sweep.
Experiment small_experiment(const TempDir& dir) {
  return load_experiment(dir.write("exp.yaml",
                                   "name: exp\n"
                                   "platform:\n"
                                   "  capacitor:\n"
                                   "    capacitance: 100uF\n"
                                   "workload:\n"
                                   "  network: mnist\n"
                                   "  strategy: hawaii\n"
                                   "sweep:\n"
                                   "  workload.strategy: [hawaii, depth-first]\n"
                                   "  platform.capacitor.capacitance: [100uF, 1mF]\n"));
}

json measured(double time_s, double write_bytes, bool correct = true) {
  return {{"status", "completed"},
          {"inferences",
           {{{"prediction", 1},
             {"expected", 1},
             {"correct", correct},
             {"start_s", 0.0},
             {"end_s", time_s}}}},
          {"total_time_s", time_s},
          {"on_time_s", time_s / 4},
          {"off_time_s", time_s * 3 / 4},
          {"power_failures", 12},
          {"cycles", 123456},
          {"instructions", 100000},
          {"nvm",
           {{"write_bytes", write_bytes},
            {"read_bytes", 1000},
            {"writes", 10},
            {"reads", 20},
            {"by_symbol", json::object()}}},
          {"energy_J",
           {{"harvested", 1e-3},
            {"consumed", 8e-4},
            {"stored_delta", 2e-4},
            {"leaked", 0.0},
            {"clamped", 0.0}}},
          {"host", {{"seconds", 0.5}, {"mips", 3.2}}}};
}

}  // namespace

TEST_CASE("write_file_atomic replaces the target and leaves no temporary file") {
  TempDir dir;
  const fs::path target = dir.path() / "results.json";
  write_file_atomic(target.string(), "old");
  CHECK(read(target) == "old");
  write_file_atomic(target.string(), "new content");
  CHECK(read(target) == "new content");
  CHECK(files_in(dir.path()) == 1);
  CHECK_FALSE(any_temp_file(dir.path()));
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
}

TEST_CASE("a failed atomic write keeps the old target and cleans up") {
  TempDir dir;
  SECTION("rename fails: the target is a non-empty directory") {
    const fs::path target = dir.path() / "busy";
    fs::create_directories(target);
    std::ofstream(target / "keep") << "old";
    CHECK_THROWS_WITH(write_file_atomic(target.string(), "new"),
                      Catch::Contains("busy: cannot rename"));
    CHECK(fs::is_directory(target));
    CHECK(read(target / "keep") == "old");
    CHECK(files_in(dir.path()) == 1);
    CHECK_FALSE(any_temp_file(dir.path()));
  }
  SECTION("the directory does not exist") {
    CHECK_THROWS_WITH(write_file_atomic((dir.path() / "no/such/file.json").string(), "x"),
                      Catch::Contains("file.json: cannot create"));
    CHECK(files_in(dir.path()) == 0);
  }
  CHECK(is_temp_file_name(".results.json.tmp.123.0"));
  CHECK_FALSE(is_temp_file_name("results.json"));
}

TEST_CASE("complete_run_json adds the fields the experiment layer knows") {
  TempDir dir;
  const Experiment ex = small_experiment(dir);
  const RunSpec& spec = ex.runs.at(3);
  const json run = complete_run_json(spec, measured(1.0, 100));
  CHECK(run["index"] == 3);
  CHECK(run["name"] == "depth-first-1mF");
  CHECK(run["network"] == "mnist");
  CHECK(run["strategy"] == "depth-first");
  CHECK(run["trace"] == "continuous");
  CHECK(run["capacitor_uF"].get<double>() == Approx(1000.0));
  CHECK(run["seed"] == 1);
  CHECK(run["params"]["platform.capacitor.capacitance"] == "1mF");
  CHECK(run["spec_digest"] == spec_digest(spec));
  CHECK(run["total_time_s"] == 1.0);
  // The simulator's own value wins.
  json mine = measured(1.0, 100);
  mine["trace"] = "custom";
  CHECK(complete_run_json(spec, mine)["trace"] == "custom");
  // No status: an error, never a silent success.
  CHECK(complete_run_json(spec, json::object())["status"] == "error");

  const json err = error_run_json(spec, "boom\nsecond line");
  CHECK(err["status"] == "error");
  CHECK(err["error"] == "boom\nsecond line");
  CHECK(err["inferences"].empty());
  CHECK(err["total_time_s"].is_null());
  CHECK(err["name"] == "depth-first-1mF");
  CHECK(spec_digest(ex.runs[0]) != spec_digest(ex.runs[1]));
}

TEST_CASE("results.csv has one row per run with the flattened scalar fields") {
  TempDir dir;
  const Experiment ex = small_experiment(dir);
  std::vector<json> runs = {complete_run_json(ex.runs[1], measured(2.0, 4620)),
                            complete_run_json(ex.runs[0], measured(1.5, 3000, false)),
                            error_run_json(ex.runs[2], "worker crashed, \"badly\"\ntrace")};
  const std::string csv = results_csv(runs);
  std::istringstream in(csv);
  std::string header, row0, row1, row2, extra;
  std::getline(in, header);
  std::getline(in, row0);
  std::getline(in, row1);
  std::getline(in, row2);
  CHECK_FALSE(std::getline(in, extra));
  CHECK(header ==
        "index,name,network,strategy,kernel,trace,capacitor_uF,seed,status,inferences,correct,"
        "total_time_s,on_time_s,off_time_s,power_failures,cycles,instructions,nvm.write_bytes,"
        "nvm.read_bytes,nvm.writes,nvm.reads,energy_J.harvested,energy_J.consumed,"
        "energy_J.stored_delta,energy_J.leaked,energy_J.clamped,host.seconds,host.mips,error,"
        "platform.capacitor.capacitance,workload.strategy");
  // Sorted by index.
  CHECK(row0 ==
        "0,hawaii-100uF,mnist,hawaii,lea-fir,continuous,100.0,1,completed,1,0,1.5,0.375,1.125,12,"
        "123456,"
        "100000,3000.0,1000,10,20,0.001,0.0008,0.0002,0.0,0.0,0.5,3.2,,100uF,hawaii");
  CHECK(row1.rfind("1,hawaii-1mF,mnist,hawaii,lea-fir,continuous,1000.0,1,completed,1,1,2.0,", 0) ==
        0);
  CHECK(
      row2 ==
      "2,depth-first-100uF,mnist,depth-first,lea-fir,continuous,100.0,1,error,0,0,,,,,,,,,,,,,,,,,,"
      "\"worker crashed, \"\"badly\"\"\",100uF,depth-first");
}

TEST_CASE("results.json and results.csv are written together, runs by index") {
  TempDir dir;
  const Experiment ex = small_experiment(dir);
  const fs::path out = dir.path() / "out";
  write_results(out.string(),
                {complete_run_json(ex.runs[2], measured(1, 1)),
                 complete_run_json(ex.runs[0], measured(1, 1))},
                ex.echo());
  const json j = json::parse(read(out / "results.json"));
  REQUIRE(j["runs"].size() == 2);
  CHECK(j["runs"][0]["index"] == 0);
  CHECK(j["runs"][1]["index"] == 2);
  CHECK(j["config"]["name"] == "exp");
  CHECK(fs::exists(out / "results.csv"));
  CHECK(files_in(out) == 2);
}

TEST_CASE("the comparison table shows speedup and NVM reduction over the baseline") {
  TempDir dir;
  const Experiment ex = small_experiment(dir);
  // runs: 0 hawaii-100uF, 1 hawaii-1mF, 2 depth-first-100uF, 3 depth-first-1mF
  std::vector<json> runs = {complete_run_json(ex.runs[0], measured(4.0, 4620)),
                            complete_run_json(ex.runs[2], measured(2.0, 2000)),
                            complete_run_json(ex.runs[3], measured(1.0, 100)),
                            error_run_json(ex.runs[1], "it broke")};
  const std::string table = comparison_table(runs, "hawaii");
  INFO(table);
  std::istringstream in(table);
  std::string header, hawaii, hawaii_1mf, df, df_1mf;
  std::getline(in, header);
  std::getline(in, hawaii);
  std::getline(in, hawaii_1mf);
  std::getline(in, df);
  std::getline(in, df_1mf);
  CHECK(header.find("speedup") != std::string::npos);
  CHECK(header.find("vs hawaii") != std::string::npos);
  CHECK(hawaii.find("1.00x") != std::string::npos);
  CHECK(hawaii.find("1.00x less") != std::string::npos);
  CHECK(df.rfind("depth-first-100uF", 0) == 0);
  CHECK(df.find("2.00x") != std::string::npos);
  CHECK(df.find("2.31x less") != std::string::npos);
  CHECK(df.find("2.0 kB") != std::string::npos);
  CHECK(df.find("yes") != std::string::npos);
  // Its baseline (hawaii, 1mF) failed: no comparison.
  CHECK(df_1mf.find("n/a") != std::string::npos);
  CHECK(hawaii_1mf.find("error") != std::string::npos);
  CHECK(table.find("errors:\n  hawaii-1mF: it broke") != std::string::npos);
}

TEST_CASE("the comparison table shows each run's kernel and warns when kernels differ") {
  TempDir dir;
  const Experiment ex =
      load_experiment(dir.write("k.yaml",
                                "name: k\nplatform:\n  capacitor:\n    capacitance: "
                                "100uF\nworkload:\n  network: mnist\n  strategy: sonic\nsweep:\n"
                                "  workload.strategy: [sonic, continuous]\n"));
  std::vector<json> runs = {complete_run_json(ex.runs[0], measured(4.0, 1000)),
                            complete_run_json(ex.runs[1], measured(2.0, 1000))};
  CHECK(runs[0]["kernel"] == "cpu");
  CHECK(runs[1]["kernel"] == "lea-fir");
  const std::string table = comparison_table(runs, "sonic");
  INFO(table);
  CHECK(table.find("kernel") < table.find('\n'));
  CHECK(table.find("lea-fir") != std::string::npos);
  CHECK(table.find("warning: these runs are compared with a baseline on another kernel") !=
        std::string::npos);
  CHECK(table.find("continuous (lea-fir) vs sonic (cpu)") != std::string::npos);
  // Same kernel everywhere: no warning.
  const std::string same = comparison_table({runs[0]}, "sonic");
  CHECK(same.find("warning") == std::string::npos);
}
