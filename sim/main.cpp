// ipsim: command-line entry point.
#include <iostream>
#include <string>
#include <vector>

#include <systemc>

#include "models/elf_image.h"
#include "sim/cli_error.h"
#include "sim/config.h"
#include "sim/df_plan.h"
#include "sim/exec_command.h"
#include "sim/experiment.h"
#include "sim/run_command.h"
#include "sim/simulate_run.h"
#include "sim/version.h"

namespace {

void usage(std::ostream& os) {
  os << "usage: ipsim <command> [args]   (ipsim --version: version and git commit)\n"
        "commands:\n"
        "  run [CONFIG] [--out DIR] [--set key=value]... [--jobs N] [--profile] [--gdb PORT]\n"
        "        run every run of CONFIG (default configs/quickstart.yaml), print a comparison\n"
        "        table, write DIR/results.json and results.csv\n"
        "  sweep CONFIG [--jobs N] [--out DIR] [--set key=value]...\n"
        "        [--emit slurm|commands [--only-missing]]   the same in parallel worker\n"
        "        processes (default: one per CPU), resumable\n"
        "  plan CONFIG [--set key=value]... [--json]   print each run's depth-first slice plan\n"
        "        (groups, tiles, SRAM, FRAM writes, halo, energy per charge); exit 2 if one is\n"
        "        infeasible, naming the smallest capacitor that works\n"
        "  merge DIR   collect DIR/runs/*.json into results.json and results.csv\n"
        "  exec FIRMWARE.elf [--stop-at SYMBOL|ADDR]... [--continue N] [--max-cycles N]\n"
        "       [--dump ADDR:LEN|SYMBOL]... [--power continuous|CONFIG] [--seed N] [--json]\n"
        "       [--trace FILE [--trace-limit N]] [--profile FILE] [--gdb PORT]\n"
        "       run any MSP430 ELF (docs/debugging.md)\n"
        "  run-one SPECS.json [--index I] [--out RESULT.json]   simulate one run of a sweep\n"
        "        (the worker run and sweep start; Slurm array tasks call it)\n";
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    usage(args.empty() ? std::cerr : std::cout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "-V") {
    std::cout << "ipsim " << ipsim::ipsim_version() << " (git " << ipsim::ipsim_git_commit()
              << ")\n";
    return 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  ipsim::set_simulate_function(ipsim::simulate_run);
  try {
    if (command == "exec") return ipsim::exec_command(args);
    if (command == "run") return ipsim::run_command(args);
    if (command == "sweep") return ipsim::sweep_command(args);
    if (command == "plan") return ipsim::plan_command(args);
    if (command == "merge") return ipsim::merge_command(args);
    if (command == "run-one") return ipsim::run_one_command(args);
    std::cerr << "ipsim: unknown command '" << command << "'\n";
    usage(std::cerr);
    return 2;
  } catch (const ipsim::CliError& e) {
    std::cerr << "ipsim: " << e.what() << "\n";
    return 2;
  } catch (const ipsim::ConfigError& e) {
    std::cerr << "ipsim: " << e.what() << "\n";
    return 2;
  } catch (const ipsim::ElfError& e) {
    std::cerr << "ipsim: bad ELF: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ipsim: error: " << e.what() << "\n";
    return 1;
  }
}
