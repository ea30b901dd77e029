#pragma once
// Result files: one JSON object per run (design.md §7), merged into results.json and
// results.csv, plus the comparison table `ipsim run` prints. Every file is written atomically
// (temporary name in the same directory, fsync, rename), so a reader sees the old or the new
// content, never half of it.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/experiment.h"

namespace ipsim {

class FileDigestCache;  // sim/digest.h

// JSON text of j. Bytes that are not UTF-8 (firmware console, ELF symbol names) become
// U+FFFD instead of making the writer throw and the result disappear.
std::string json_text(const nlohmann::json& j, int indent = -1);

// Writes content to path atomically; throws std::runtime_error naming the path on failure and
// leaves no temporary file behind. Temporary names start with '.' and contain ".tmp.".
void write_file_atomic(const std::string& path, const std::string& content);
// True for names write_file_atomic uses for its temporary files.
bool is_temp_file_name(const std::string& filename);

// SHA-256 (hex) of a run's resolved config, without the experiment name and slurm limits: the
// run's identity. Stored in each result; a resumed sweep finds results by it, whatever index
// or file name they had.
std::string spec_digest(const RunSpec& spec);

// {"firmware": {file, sha256}, "trace": {file, sha256}}: the content of the files a run used.
// The firmware is the simulator's `firmware` field, else workload.firmware; a trace only for
// source.type trace. sha256 is null for a file that cannot be read.
nlohmann::json run_inputs(const RunSpec& spec, const nlohmann::json& run);
// True when the run has provenance and every input file still has the recorded content.
bool inputs_unchanged(const nlohmann::json& run, FileDigestCache& cache);
// {"version", "commit"} of this ipsim binary.
nlohmann::json ipsim_identity();

// The run's fields the experiment layer knows: index, name, network, strategy, trace (file
// stem or source type), capacitor_uF, seed, params, spec_digest, and provenance {ipsim
// {version, commit}, inputs (run_inputs), config (the resolved config)}; added when missing.
nlohmann::json complete_run_json(const RunSpec& spec, nlohmann::json run);
// A run that could not be simulated: status "error", the message, measurements null.
nlohmann::json error_run_json(const RunSpec& spec, const std::string& message);

// Parses a result file; nullopt if it is missing or not a JSON object with a status.
std::optional<nlohmann::json> read_run_file(const std::string& path);

// results.csv columns, in order. Nested fields are flattened with '.' (nvm.write_bytes).
extern const std::vector<std::string> kCsvColumns;
std::string results_csv(const std::vector<nlohmann::json>& runs);
// {"ipsim": {version, commit}, "config": echo, "runs": runs sorted by index}.
nlohmann::json results_json(const std::vector<nlohmann::json>& runs, const nlohmann::json& echo);
// Writes DIR/results.json and DIR/results.csv atomically.
void write_results(const std::string& dir, const std::vector<nlohmann::json>& runs,
                   const nlohmann::json& echo);

// The comparison table: one row per run with speedup and NVM-write reduction relative to the
// `baseline` strategy run whose other swept parameters are equal. With `accelerators`, three
// more columns: LEA commands, LEA busy cycles and DMA words moved (results.json lea, dma).
std::string comparison_table(const std::vector<nlohmann::json>& runs, const std::string& baseline,
                             bool accelerators = false);

}  // namespace ipsim
