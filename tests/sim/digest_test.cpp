// Content digests and run provenance (sim/digest.h, sim/results.h).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "sim/digest.h"
#include "sim/results.h"
#include "sim/sweep.h"
#include "sim/version.h"
#include "tests/sim/temp_dir.h"

using namespace ipsim;
using ipsim::test::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("SHA-256 matches the FIPS 180-2 test vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  TempDir dir;
  // One million 'a' (FIPS 180-2 appendix B.3), longer than one read buffer.
  const std::string path = dir.write("a.bin", std::string(1000000, 'a'));
  CHECK(sha256_file(path) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK_THROWS_WITH(sha256_file((dir.path() / "none").string()), Catch::Contains("none"));
}

TEST_CASE("the digest cache sees a file rewritten at the same path") {
  TempDir dir;
  const std::string path = dir.write("fw.elf", "one");
  FileDigestCache cache;
  CHECK(cache.digest(path) == sha256_hex("one"));
  std::this_thread::sleep_for(std::chrono::milliseconds(10));  // a new mtime
  std::ofstream(path) << "two!";
  CHECK(cache.digest(path) == sha256_hex("two!"));
  CHECK(cache.digest((dir.path() / "missing").string()).empty());
}

namespace {

Experiment trace_experiment(const TempDir& dir, const std::string& extra_sweep = "") {
  dir.write("t.csv", "time_s,power_W\n0,0.001\n1,0.002\n");
  return load_experiment(dir.write("exp.yaml",
                                   "name: exp\n"
                                   "platform:\n"
                                   "  capacitor:\n"
                                   "    capacitance: 100uF\n"
                                   "source:\n"
                                   "  type: trace\n"
                                   "  file: t.csv\n"
                                   "workload:\n"
                                   "  network: mnist\n"
                                   "  strategy: hawaii\n"
                                   "sweep:\n"
                                   "  platform.capacitor.capacitance: [100uF, 1mF" +
                                       extra_sweep + "]\n"));
}

}  // namespace

TEST_CASE("a run's identity is its resolved spec, not its index or name") {
  TempDir dir;
  const Experiment two = trace_experiment(dir);
  const Experiment three = trace_experiment(dir, ", 10uF");
  REQUIRE(three.runs.size() == 3);
  // The same values keep their digest when the axis grows ...
  CHECK(spec_digest(two.runs[0]) == spec_digest(three.runs[0]));
  CHECK(spec_digest(two.runs[1]) == spec_digest(three.runs[1]));
  // ... an index or a name alone does not change it, a value does.
  RunSpec moved = two.runs[0];
  moved.index = 7;
  moved.name = "other";
  moved.config.name = "renamed";
  CHECK(spec_digest(moved) == spec_digest(two.runs[0]));
  CHECK(spec_digest(three.runs[2]) != spec_digest(two.runs[0]));
  RunSpec seeded = two.runs[0];
  seeded.config.seed = 2;
  CHECK(spec_digest(seeded) != spec_digest(two.runs[0]));
  CHECK(spec_digest(two.runs[0]).size() == 64);
}

TEST_CASE("every run records ipsim's version, its inputs' digests and its resolved config") {
  TempDir dir;
  const Experiment ex = trace_experiment(dir);
  const std::string elf = dir.write("fw.elf", "firmware bytes");
  json measured = {{"status", "completed"}, {"firmware", elf}};
  const json run = complete_run_json(ex.runs[1], measured);
  const json& prov = run.at("provenance");
  CHECK(prov["ipsim"]["version"] == ipsim_version());
  CHECK(prov["ipsim"]["commit"] == ipsim_git_commit());
  CHECK(std::string(ipsim_version()).find('.') != std::string::npos);
  CHECK(prov["inputs"]["firmware"]["file"] == elf);
  CHECK(prov["inputs"]["firmware"]["sha256"] == sha256_hex("firmware bytes"));
  CHECK(prov["inputs"]["trace"]["file"] == ex.runs[1].config.source.file);
  CHECK(prov["inputs"]["trace"]["sha256"] == sha256_file(ex.runs[1].config.source.file));
  CHECK(prov["config"] == to_json_value(ex.runs[1].config));
  CHECK(prov["config"]["platform"]["capacitor"]["capacitance_f"].get<double>() ==
        Approx(1e-3));

  FileDigestCache cache;
  CHECK(inputs_unchanged(run, cache));
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::ofstream(elf) << "rebuilt firmware";
  CHECK_FALSE(inputs_unchanged(run, cache));
  json old = run;
  old.erase("provenance");  // a result from before provenance: not trusted for resume
  CHECK_FALSE(inputs_unchanged(old, cache));

  const json all = results_json({run}, json::object());
  CHECK(all["ipsim"]["version"] == ipsim_version());
}
