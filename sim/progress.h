#pragma once
// Progress of long runs, for people watching a terminal.
//
// A worker (`ipsim run-one`) writes the progress of its run to a small file beside its result
// (RunSpec::artifact_dir + ".progress"), at most once per second of host time, from the
// firmware's markers; the parent shows it on one status line, only when stderr is a terminal,
// so logs stay clean. The sweep's ETA weighs the runs still to do by the host time that
// finished runs of the same network and strategy took.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "sim/experiment.h"

namespace ipsim {

struct RunProgress {
  double sim_s = 0;
  unsigned inferences = 0;  // finished
  unsigned inferences_total = 0;
  unsigned long long power_failures = 0;
};

// "45.2 s simulated, 1/3 inferences, 57 power failures".
std::string progress_text(const RunProgress& p);

// Where the worker of `spec` reports progress ("" when the spec has no artifact directory).
std::string progress_file(const RunSpec& spec);
// Written through a temporary name, no fsync: a progress file is disposable.
void write_progress_file(const std::string& path, const RunProgress& p);
std::optional<RunProgress> read_progress_file(const std::string& path);

// Writes the progress file at most once per `period` of host time.
class ProgressWriter {
 public:
  ProgressWriter(std::string path, std::chrono::milliseconds period = std::chrono::seconds(1))
      : m_path(std::move(path)), m_period(period) {}
  void update(const RunProgress& p);  // cheap unless the period has passed
  ~ProgressWriter();                  // removes the file

 private:
  std::string m_path;
  std::chrono::milliseconds m_period;
  std::chrono::steady_clock::time_point m_last{};
  // The first update always writes: steady_clock's epoch may be the host's boot, so a
  // freshly booted host would otherwise throttle it away.
  bool m_written = false;
};

// Expected host seconds of a run, learned from the runs that finished.
class CostModel {
 public:
  // A finished run object (network, strategy, host.seconds); ignored without host.seconds.
  void add(const nlohmann::json& run);
  // Mean host time of finished runs with the same network and strategy, else the same
  // network, else all; nullopt before any run finished.
  std::optional<double> expected(const RunSpec& spec) const;

 private:
  struct Mean {
    double sum = 0;
    int n = 0;
  };
  std::map<std::pair<std::string, std::string>, Mean> m_by_kind;
  std::map<std::string, Mean> m_by_network;
  Mean m_all;
};

}  // namespace ipsim
