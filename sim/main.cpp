// ipsim: command-line entry point. Subcommands: exec (run any MSP430 ELF).
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <systemc>

#include "models/elf_image.h"
#include "sim/cli_error.h"
#include "sim/exec_command.h"

namespace {

void usage(std::ostream& os) {
  os << "usage: ipsim <command> [args]\n"
        "commands:\n"
        "  exec FIRMWARE.elf [--stop-at SYMBOL] [--max-cycles N] [--dump ADDR:LEN|SYMBOL]...\n"
        "       [--power continuous] [--seed N] [--json]   run an MSP430 ELF\n";
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    usage(args.empty() ? std::cerr : std::cout);
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "exec") return ipsim::exec_command(args);
    std::cerr << "ipsim: unknown command '" << command << "'\n";
    usage(std::cerr);
    return 2;
  } catch (const ipsim::CliError& e) {
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
