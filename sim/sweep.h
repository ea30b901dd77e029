#pragma once
// Sweep expansion: a config's `sweep:` map (dotted key -> list of values) plus `--set`
// overrides become the list of runs, the cross product of the axes in file order (the first
// axis varies slowest), each run validated on its own and named from its swept values.
#include <optional>
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

// One `exclude:` entry, flattened: dotted key -> value, all of which a run must match to be
// dropped. A mapping value (a section axis such as `workload`) becomes one key per sub-key.
struct SweepExclusion {
  struct Key {
    std::string path;  // dotted, e.g. workload.strategy
    Located value;     // the excluded value (a scalar or a list)
    Located at;        // where the key was written
  };
  std::vector<Key> keys;
  Located at;          // the entry, for messages
  size_t matched = 0;  // runs of the cross product it matches
};

struct Experiment {
  std::string file;               // the config file as given
  std::string name;               // config `name` (of run 0)
  std::vector<std::string> sets;  // the --set arguments, as given
  std::vector<SweepAxis> axes;
  std::vector<SweepExclusion> exclusions;
  std::vector<RunSpec> runs;  // index order (contiguous after exclusion)
  size_t excluded = 0;        // runs of the cross product dropped by `exclude`
  Strategy baseline = Strategy::Hawaii;
  SlurmSpec slurm;

  // {file, name, set, sweep {key: [labels]}, exclude [{key: value}], excluded, baseline,
  // runs}: echoed into results.json.
  nlohmann::json echo() const;
};

// Runs beyond this are refused (a typo in a sweep should not queue a million runs).
inline constexpr size_t kMaxRuns = 100000;

// Loads CONFIG, applies `--set key=value` arguments, expands the sweep and drops the runs that
// match an `exclude` entry (before they are validated, so an entry can drop a combination that
// is refused). Throws ConfigError (file, line, key path, expectation) for any invalid run, an
// exclude key that the sweep does not vary, and a file's entry that matches no run (unless a
// --set narrowed the keys it names).
Experiment load_experiment(const std::string& path, const std::vector<std::string>& sets = {});
Experiment expand_experiment(const ConfigDocument& doc, const std::vector<std::string>& sets = {});

// ---- the specs file -------------------------------------------------------------------------
// DIR/runs/specs.json is {"config": echo, "runs": [...]} with each run's spec on a line of its
// own, and DIR/runs/specs.index (beside it, specs_index_path) holds the byte range of the echo
// and of every run in fixed-width records, so that a worker (run-one) seeks to its own run and
// parses only that: its time and memory do not grow with the sweep. specs.json stays plain
// JSON for any other reader. A specs file without an index, or whose index does not match it
// (another size, a record that is not the run asked for), is parsed whole.
struct SpecsFile {
  nlohmann::json config;  // the experiment echo
  std::vector<RunSpec> runs;
};
std::string specs_index_path(const std::string& specs_path);
// Writes specs.json and its index atomically (each file; the index is checked on reading).
void write_specs_file(const std::string& path, const nlohmann::json& echo,
                      const std::vector<RunSpec>& runs);
// The run with `index`, nullopt if the file has none. Throws std::runtime_error for a file
// that cannot be read and nlohmann::json::exception for one that is not a specs file.
std::optional<RunSpec> read_spec_at(const std::string& path, int index);
// Every run (through the index, one run parsed at a time, when there is one).
SpecsFile read_specs_file(const std::string& path);

// [A-Za-z0-9._+-] kept, anything else becomes '_'; never starts with '.'; at most 120 chars.
std::string sanitize_name(const std::string& text);

// The label of one sweep value: quantities with their unit ("100uF", "2.8V"), files by stem
// ("mementos_1"), enum strings as written, other numbers prefixed by the key ("seed3").
std::string value_label(const std::string& key, const YAML::Node& value);

}  // namespace ipsim
