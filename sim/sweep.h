#pragma once
// Sweep expansion: a config's `sweep:` map (dotted key -> list of values) plus `--set`
// overrides become the list of runs, the cross product of the axes in file order (the first
// axis varies slowest), each run validated on its own and named from its swept values.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/config.h"
#include "sim/experiment.h"

namespace ipsim {

struct SweepAxis {
  std::string key;                  // dotted path, e.g. "platform.capacitor.capacitance"
  std::vector<Located> values;      // one YAML node per value, with its own line
  std::vector<std::string> labels;  // filesystem-safe label per value ("100uF", "sonic")
  Located key_at;                   // where the key was written
};

struct Experiment {
  std::string file;               // the config file as given
  std::string name;               // config `name` (of run 0)
  std::vector<std::string> sets;  // the --set arguments, as given
  std::vector<SweepAxis> axes;
  std::vector<RunSpec> runs;  // index order
  Strategy baseline = Strategy::Hawaii;
  SlurmSpec slurm;

  // {file, name, set, sweep {key: [labels]}, baseline, runs}: echoed into results.json.
  nlohmann::json echo() const;
};

// Runs beyond this are refused (a typo in a sweep should not queue a million runs).
inline constexpr size_t kMaxRuns = 100000;

// Loads CONFIG, applies `--set key=value` arguments and expands the sweep. Throws ConfigError
// (file, line, key path, expectation) for any invalid run.
Experiment load_experiment(const std::string& path, const std::vector<std::string>& sets = {});
Experiment expand_experiment(const ConfigDocument& doc, const std::vector<std::string>& sets = {});

// [A-Za-z0-9._+-] kept, anything else becomes '_'; never starts with '.'; at most 120 chars.
std::string sanitize_name(const std::string& text);

// The label of one sweep value: quantities with their unit ("100uF", "2.8V"), files by stem
// ("mementos_1"), enum strings as written, other numbers prefixed by the key ("seed3").
std::string value_label(const std::string& key, const YAML::Node& value);

}  // namespace ipsim
