#pragma once
// The interface between the experiment layer (config, sweep, run/sweep/merge commands) and the
// simulator of one run.
//
// Each run is simulated in its own worker process (SystemC elaborates once per process):
// `ipsim run` and `ipsim sweep` spawn `ipsim run-one SPECS.json --index I --out RESULT.json`,
// which calls the registered SimulateFn and writes the result file atomically. A RunSpec
// therefore travels as JSON (run_spec_to_json / run_spec_from_json).
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config.h"

namespace ipsim {

struct RunSpec {
  int index = 0;     // position in the expanded sweep, 0-based; orders every output
  std::string name;  // unique, filesystem-safe, built from the swept values
  Config config;     // fully resolved and validated; file paths are absolute
  // Swept keys and this run's value label, in sweep order (e.g. {"workload.strategy", "sonic"}).
  std::vector<std::pair<std::string, std::string>> params;
  // Where the run may write its own files (timeline.csv, waves.vcd) when config.outputs asks
  // for them; absolute; the simulator creates it if needed.
  std::string artifact_dir;
};

nlohmann::json run_spec_to_json(const RunSpec& spec);
RunSpec run_spec_from_json(const nlohmann::json& j);

// One run object of results.json (design.md §7): name, network, strategy, trace, capacitor_uF,
// status (completed | no-progress | time-limit | trace-ended | error; docs/config.md "Run
// status"), message (why a run did not complete), inferences [{prediction, expected,
// correct, start_s, end_s}], total_time_s, on_time_s, off_time_s, power_failures, cycles,
// instructions, nvm {write_bytes, read_bytes, writes, reads, by_symbol}, energy_J {harvested,
// consumed, stored_delta, leaked, clamped}, host {seconds, mips}. The simulator fills the
// measurements; the experiment layer adds index, name, network, strategy, trace, capacitor_uF,
// seed, params, provenance and host.seconds when they are missing. A run that cannot be simulated
// throws (any std::exception): the run is recorded with status "error" and the message.
struct RunResult {
  nlohmann::json json = nlohmann::json::object();
};

using SimulateFn = std::function<RunResult(const RunSpec&)>;

// The simulator registers itself before dispatching commands (sim/main.cpp).
void set_simulate_function(SimulateFn fn);
const SimulateFn& simulate_function();

}  // namespace ipsim
