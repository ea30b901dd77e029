#pragma once
// `ipsim exec`: runs any MSP430 ELF and prints one JSON object (design.md §7).
#include <string>
#include <vector>

namespace ipsim {

int exec_command(const std::vector<std::string>& args);

}  // namespace ipsim
