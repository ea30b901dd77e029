// Progress files and the sweep's cost model (sim/progress.h).
#include <filesystem>

#include <catch2/catch.hpp>

#include "sim/progress.h"
#include "sim/sweep.h"
#include "tests/sim/temp_dir.h"

using namespace ipsim;
using ipsim::test::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("a progress file round-trips and is removed with its writer") {
  TempDir dir;
  const std::string path = (dir.path() / "0-run.progress").string();
  {
    ProgressWriter w(path, std::chrono::milliseconds(0));
    w.update({12.5, 1, 3, 42});
    const auto p = read_progress_file(path);
    REQUIRE(p);
    CHECK(p->sim_s == 12.5);
    CHECK(p->inferences == 1);
    CHECK(p->inferences_total == 3);
    CHECK(p->power_failures == 42);
    CHECK(progress_text(*p) == "12.5 s simulated, 1/3 inferences, 42 power failures");
    // Throttled: a second update within the period does not write.
    ProgressWriter slow(path, std::chrono::hours(1));
    slow.update({1, 0, 1, 0});
    slow.update({2, 0, 1, 0});
    CHECK(read_progress_file(path)->sim_s == 1);
  }
  CHECK_FALSE(fs::exists(path));
  CHECK_FALSE(read_progress_file(path));
}

TEST_CASE("the cost model expects what runs of the same kind took") {
  TempDir dir;
  const Experiment ex = load_experiment(dir.write("e.yaml",
                                                  "name: e\n"
                                                  "platform:\n"
                                                  "  capacitor:\n"
                                                  "    capacitance: 100uF\n"
                                                  "workload:\n"
                                                  "  network: mnist\n"
                                                  "  strategy: hawaii\n"
                                                  "sweep:\n"
                                                  "  workload.network: [mnist, har]\n"
                                                  "  workload.strategy: [hawaii, sonic]\n"));
  // runs: mnist-hawaii, mnist-sonic, har-hawaii, har-sonic
  CostModel costs;
  CHECK_FALSE(costs.expected(ex.runs[0]));
  costs.add({{"network", "mnist"}, {"strategy", "hawaii"}, {"host", {{"seconds", 10.0}}}});
  costs.add({{"network", "mnist"}, {"strategy", "hawaii"}, {"host", {{"seconds", 20.0}}}});
  costs.add({{"network", "har"}, {"strategy", "hawaii"}, {"host", {{"seconds", 2.0}}}});
  costs.add({{"network", "har"}, {"strategy", "sonic"}, {"host", nullptr}});  // an error run
  CHECK(*costs.expected(ex.runs[0]) == Approx(15.0));  // same network and strategy
  CHECK(*costs.expected(ex.runs[1]) == Approx(15.0));  // same network
  CHECK(*costs.expected(ex.runs[2]) == Approx(2.0));
  CHECK(*costs.expected(ex.runs[3]) == Approx(2.0));
}
