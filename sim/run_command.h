#pragma once
// `ipsim run`, `ipsim sweep`, `ipsim merge` and the hidden `ipsim run-one` worker
// (docs/config.md, "Running experiments"). Usage mistakes throw CliError; a bad config throws
// ConfigError (sim/config.h). Return value: the process exit code.
//
// run/sweep simulate every run in a worker process `<this executable> run-one SPECS.json
// --index I --out DIR/runs/<I>-<name>.json` (SystemC elaborates once per process), at most
// --jobs at a time; a worker that crashes or exits without a result file yields a run with
// status "error" and the tail of its stderr (kept in DIR/logs/<I>-<name>.log).
#include <string>
#include <vector>

namespace ipsim {

// ipsim run [CONFIG] [--out DIR] [--set key=value]... [--jobs N]
// Exit 0 when no run has status error, else 1.
int run_command(const std::vector<std::string>& args);
// ipsim sweep CONFIG [--out DIR] [--set key=value]... [--jobs N]
//                    [--emit slurm|commands [--only-missing]]
// Like run, but resumable: a run is kept when a result for the same resolved spec exists (at
// any index), its status is not error and its firmware and trace still have the recorded
// SHA-256. Files of runs no longer in the experiment move to DIR/superseded/.
int sweep_command(const std::vector<std::string>& args);
// ipsim merge DIR: DIR/runs/*.json -> DIR/results.json, results.csv. Exit 0 when every run has
// a result and none has status error, else 1.
int merge_command(const std::vector<std::string>& args);
// ipsim run-one SPEC.json [--index I] [--out RESULT.json]: simulates one run with the
// registered SimulateFn (sim/experiment.h) and writes its result atomically. SPEC.json is a
// RunSpec or a specs file {"runs": [...]} (then --index, default $SLURM_ARRAY_TASK_ID); the
// default output is <SPEC dir>/<index>-<name>.json. Exit 1 if the simulation threw (the result
// file then has status error).
int run_one_command(const std::vector<std::string>& args);

// The executable spawned as worker; default /proc/self/exe (tests point it elsewhere).
void set_worker_executable(const std::string& path);

}  // namespace ipsim
