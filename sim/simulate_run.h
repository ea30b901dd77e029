#pragma once
// Simulates one experiment run (sim/experiment.h): builds the platform and its power supply
// from the run's config, "flashes" the inference firmware with the workload, runs it, and
// turns counters, markers and the firmware's results into one results.json run object
// (design.md §7). Inference outputs are checked against the host golden model bit for bit.
#include <memory>
#include <string>

#include "sim/debug_session.h"
#include "sim/experiment.h"
#include "sim/platform.h"
#include "sim/waveforms.h"

namespace ipsim {

RunResult simulate_run(const RunSpec& spec);

// Debugging options for the runs this process simulates (`ipsim run --gdb`, which runs its
// single run in-process). outputs.profile adds a profile in the run's artifact directory.
void set_run_debug_options(const DebugOptions& options);

// Writes DIR/timeline.csv and/or DIR/waves.vcd for `outputs` (nullptr when neither is asked
// for): observes the platform's power samples and markers. Call close() on it after the run.
std::unique_ptr<Waveforms> attach_waveforms(Platform& platform, const OutputsConfig& outputs,
                                            const std::string& dir);

// Power supply of a run from its config (also used by `ipsim exec --power CONFIG`).
PowerConfig power_config_from(const Config& config);
// platform.nvm of a run config, for the Platform.
NvmPlatformConfig nvm_platform_from(const Config& config);

// The firmware a run executes: workload.firmware, or
// <firmware dir>/infer_<network>_<strategy>_<kernel>.elf ('-' written '_'; with platform.nvm.kind
// spi-fram, ..._<kernel>_spi.elf, the image with its persistent state in the external FRAM)
// where the firmware dir is $IPSIM_FIRMWARE_DIR or the `firmware` folder beside the ipsim
// executable.
std::string firmware_path_for(const Config& config);

// Loads every distinct firmware ELF and trace the runs need, once, before any run starts:
// a missing or broken file is a ConfigError (exit 2) naming it, with file:line for a trace
// row, instead of an error inside each run.
void check_run_inputs(const std::vector<RunSpec>& runs);

}  // namespace ipsim
