// Helpers shared by the config tests (config_test.cpp, strict_input_test.cpp).
#pragma once

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/config.h"
#include "sim/sweep.h"
#include "tests/sim/temp_dir.h"

namespace ipsim::test {

// A minimal valid config; tests append or replace lines.
inline const std::string kMinimal =
    "name: t\n"                 // 1
    "platform:\n"               // 2
    "  capacitor:\n"            // 3
    "    capacitance: 100uF\n"  // 4
    "source:\n"                 // 5
    "  type: constant\n"        // 6
    "  power: 1mW\n"            // 7
    "workload:\n"               // 8
    "  network: mnist\n"        // 9
    "  strategy: hawaii\n";     // 10

// The ConfigError message for a config text (written to cfg.yaml), "" if it loads.
inline std::string error_of(const TempDir& dir, const std::string& yaml,
                            const std::vector<std::string>& sets = {}) {
  const std::string path = dir.write("cfg.yaml", yaml);
  try {
    load_experiment(path, sets);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// text with its first `from` replaced by `to` (which must be there).
inline std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  REQUIRE(pos != std::string::npos);
  return text.replace(pos, from.size(), to);
}

}  // namespace ipsim::test
