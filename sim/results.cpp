#include "sim/results.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "sim/digest.h"
#include "sim/version.h"

namespace ipsim {

namespace fs = std::filesystem;
using nlohmann::json;

// ---- atomic files ---------------------------------------------------------------------------

bool is_temp_file_name(const std::string& filename) {
  return !filename.empty() && filename[0] == '.' && filename.find(".tmp.") != std::string::npos;
}

void write_file_atomic(const std::string& path, const std::string& content) {
  static std::atomic<unsigned> counter{0};
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const fs::path tmp = dir / ("." + target.filename().string() + ".tmp." +
                              std::to_string(::getpid()) + "." + std::to_string(counter++));
  auto fail = [&](const char* what) {
    const std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw std::runtime_error(path + ": cannot " + what + ": " + err);
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(path + ": cannot create: " + std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      fail("write");
    }
    done += static_cast<size_t>(n);
  }
  // fsync before rename: after a crash the new name never points at missing data.
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("sync");
  }
  if (::close(fd) != 0) fail("close");
  if (::rename(tmp.c_str(), target.c_str()) != 0) fail("rename");
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);  // make the rename itself durable
    ::close(dfd);
  }
}

std::string json_text(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

// ---- run objects ----------------------------------------------------------------------------

std::string spec_digest(const RunSpec& spec) {
  // A run is what it simulates: its resolved config. Index, name and value labels only say
  // where it sits in a sweep; the experiment's name, the output place and the scheduler's
  // limits do not change the result.
  json c = to_json_value(spec.config);
  c.erase("name");
  c.erase("slurm");
  return sha256_hex(json_text(c));
}

json run_inputs(const RunSpec& spec, const json& run) {
  json inputs = json::object();
  auto add = [&](const char* role, const std::string& path) {
    if (path.empty()) return;
    json entry = {{"file", path}, {"sha256", nullptr}};
    try {
      entry["sha256"] = sha256_file(path);
    } catch (const std::runtime_error&) {
      // Unreadable now: recorded as unknown, so a resumed sweep runs it again.
    }
    inputs[role] = std::move(entry);
  };
  std::string firmware = spec.config.workload.firmware;
  if (auto it = run.find("firmware"); it != run.end() && it->is_string())
    firmware = it->get<std::string>();
  add("firmware", firmware);
  if (spec.config.source.type == SourceType::Trace) add("trace", spec.config.source.file);
  return inputs;
}

bool inputs_unchanged(const json& run, FileDigestCache& cache) {
  const auto prov = run.find("provenance");
  if (prov == run.end() || !prov->is_object() || !prov->contains("inputs")) return false;
  for (const auto& [role, entry] : (*prov)["inputs"].items()) {
    if (!entry.is_object() || !entry.value("sha256", json()).is_string()) return false;
    const std::string file = entry.value("file", "");
    if (file.empty() || cache.digest(file) != entry["sha256"].get<std::string>()) return false;
  }
  return true;
}

json ipsim_identity() {
  return {{"version", ipsim_version()}, {"commit", ipsim_git_commit()}};
}

namespace {

std::string trace_label(const Config& c) {
  if (c.source.type == SourceType::Trace && !c.source.file.empty())
    return fs::path(c.source.file).stem().string();
  return to_string(c.source.type);
}

}  // namespace

json complete_run_json(const RunSpec& spec, json run) {
  if (!run.is_object()) run = json::object();
  const Config& c = spec.config;
  run["index"] = spec.index;
  run["name"] = spec.name;
  auto fill = [&](const char* key, json value) {
    if (!run.contains(key) || run[key].is_null()) run[key] = std::move(value);
  };
  fill("network", c.workload.network);
  fill("strategy", to_string(c.workload.strategy));
  fill("kernel", to_string(c.workload.kernel));
  fill("trace", trace_label(c));
  // Rounded to pF so that 1e-4 F reads 100, not 100.00000000000001.
  fill("capacitor_uF", std::round(c.platform.capacitor.capacitance_f * 1e12) / 1e6);
  fill("seed", c.seed);
  json params = json::object();
  for (const auto& [k, v] : spec.params) params[k] = v;
  fill("params", params);
  if (!run.contains("status") || !run["status"].is_string()) {
    run["status"] = "error";
    fill("error", "the simulator returned no status");
  }
  run["spec_digest"] = spec_digest(spec);
  if (!run.contains("provenance") || !run["provenance"].is_object())
    run["provenance"] = {{"ipsim", ipsim_identity()},
                         {"inputs", run_inputs(spec, run)},
                         {"config", to_json_value(spec.config)}};
  return run;
}

json error_run_json(const RunSpec& spec, const std::string& message) {
  json run = {{"status", "error"},           {"error", message},
              {"inferences", json::array()}, {"total_time_s", nullptr},
              {"on_time_s", nullptr},        {"off_time_s", nullptr},
              {"power_failures", nullptr},   {"cycles", nullptr},
              {"instructions", nullptr},     {"nvm", nullptr},
              {"energy_J", nullptr},         {"host", nullptr}};
  return complete_run_json(spec, std::move(run));
}

std::optional<json> read_run_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  try {
    json j = json::parse(in);
    if (j.is_object() && j.contains("status") && j["status"].is_string()) return j;
  } catch (const json::exception&) {
  }
  return std::nullopt;
}

// ---- results.json / results.csv ------------------------------------------------------------

const std::vector<std::string> kCsvColumns = {"index",
                                              "name",
                                              "network",
                                              "strategy",
                                              "kernel",
                                              "trace",
                                              "capacitor_uF",
                                              "seed",
                                              "status",
                                              "inferences",
                                              "correct",
                                              "total_time_s",
                                              "on_time_s",
                                              "off_time_s",
                                              "power_failures",
                                              "cycles",
                                              "instructions",
                                              "nvm.write_bytes",
                                              "nvm.read_bytes",
                                              "nvm.writes",
                                              "nvm.reads",
                                              "energy_J.harvested",
                                              "energy_J.consumed",
                                              "energy_J.stored_delta",
                                              "energy_J.leaked",
                                              "energy_J.clamped",
                                              "host.seconds",
                                              "host.mips",
                                              "error"};

namespace {

std::vector<json> sorted_by_index(std::vector<json> runs) {
  std::stable_sort(runs.begin(), runs.end(), [](const json& a, const json& b) {
    return a.value("index", 0) < b.value("index", 0);
  });
  return runs;
}

const json* lookup(const json& run, const std::string& path) {
  const json* cur = &run;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? dot : dot - start);
    if (!cur->is_object() || !cur->contains(key)) return nullptr;
    cur = &(*cur)[key];
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

std::string csv_cell(const json* v) {
  if (!v || v->is_null()) return "";
  std::string s;
  if (v->is_string()) {
    s = v->get<std::string>();
  } else if (v->is_boolean()) {
    s = v->get<bool>() ? "true" : "false";
  } else {
    s = json_text(*v);
  }
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Inference counts: done, correct.
std::pair<size_t, size_t> inference_counts(const json& run) {
  size_t n = 0, ok = 0;
  if (auto it = run.find("inferences"); it != run.end() && it->is_array())
    for (const auto& inf : *it) {
      ++n;
      if (inf.is_object() && inf.value("correct", false)) ++ok;
    }
  return {n, ok};
}

}  // namespace

std::string results_csv(const std::vector<json>& runs_in) {
  const auto runs = sorted_by_index(runs_in);
  std::vector<std::string> param_keys;
  for (const auto& r : runs)
    if (auto p = r.find("params"); p != r.end() && p->is_object())
      for (const auto& [k, v] : p->items())
        if (std::find(param_keys.begin(), param_keys.end(), k) == param_keys.end())
          param_keys.push_back(k);
  std::ostringstream os;
  for (size_t i = 0; i < kCsvColumns.size(); ++i) os << (i ? "," : "") << kCsvColumns[i];
  for (const auto& k : param_keys) {
    const json kj(k);
    os << "," << csv_cell(&kj);
  }
  os << "\n";
  for (const auto& r : runs) {
    const auto [n, ok] = inference_counts(r);
    for (size_t i = 0; i < kCsvColumns.size(); ++i) {
      const std::string& col = kCsvColumns[i];
      if (i) os << ",";
      if (col == "inferences") {
        os << n;
      } else if (col == "correct") {
        os << ok;
      } else if (col == "error") {
        const json* e = lookup(r, col);
        if (e && e->is_string()) {
          // One line is enough for a spreadsheet; results.json keeps the whole message.
          std::string s = e->get<std::string>();
          s = s.substr(0, s.find('\n'));
          const json one(s);
          os << csv_cell(&one);
        }
      } else {
        os << csv_cell(lookup(r, col));
      }
    }
    for (const auto& k : param_keys) {
      const json* p = nullptr;
      if (auto it = r.find("params"); it != r.end() && it->is_object() && it->contains(k))
        p = &(*it)[k];
      os << "," << csv_cell(p);
    }
    os << "\n";
  }
  return os.str();
}

json results_json(const std::vector<json>& runs, const json& echo) {
  json out = json::object();
  out["ipsim"] = ipsim_identity();  // the binary that merged; each run records its own
  if (!echo.is_null()) out["config"] = echo;
  out["runs"] = sorted_by_index(runs);
  return out;
}

void write_results(const std::string& dir, const std::vector<json>& runs, const json& echo) {
  fs::create_directories(dir);
  write_file_atomic((fs::path(dir) / "results.json").string(),
                    json_text(results_json(runs, echo), 2) + "\n");
  write_file_atomic((fs::path(dir) / "results.csv").string(), results_csv(runs));
}

// ---- the comparison table -------------------------------------------------------------------

namespace {

std::optional<double> number_at(const json& run, const std::string& path) {
  const json* v = lookup(run, path);
  if (v && v->is_number()) return v->get<double>();
  return std::nullopt;
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string bytes_text(double b) {
  if (b < 1e3) return fmt("%.0f B", b);
  if (b < 1e6) return fmt("%.1f kB", b / 1e3);
  if (b < 1e9) return fmt("%.2f MB", b / 1e6);
  return fmt("%.2f GB", b / 1e9);
}

// Runs compare when everything but the strategy is equal.
std::string comparison_key(const json& run) {
  json key = {{"network", run.value("network", json())},
              {"trace", run.value("trace", json())},
              {"capacitor_uF", run.value("capacitor_uF", json())},
              {"seed", run.value("seed", json())}};
  if (auto p = run.find("params"); p != run.end() && p->is_object()) {
    json params = *p;
    params.erase("workload.strategy");
    key["params"] = params;
  }
  return json_text(key);
}

std::string str_or(const json& run, const char* key, const char* def = "-") {
  if (auto it = run.find(key); it != run.end()) {
    if (it->is_string()) return it->get<std::string>();
    if (!it->is_null()) return json_text(*it);
  }
  return def;
}

}  // namespace

std::string comparison_table(const std::vector<json>& runs_in, const std::string& baseline,
                             bool accelerators) {
  const auto runs = sorted_by_index(runs_in);
  std::map<std::string, const json*> base_of;
  for (const auto& r : runs)
    if (r.value("strategy", "") == baseline && r.value("status", "") == "completed")
      base_of.emplace(comparison_key(r), &r);

  std::vector<std::string> header = {
      "run",     "strategy",    "kernel",         "network",  "trace",   "cap uF", "time s",
      "speedup", "NVM written", "vs " + baseline, "failures", "correct", "status"};
  if (accelerators)  // before status, which stays last
    header.insert(header.end() - 1, {"LEA cmds", "LEA busy cyc", "DMA words"});
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> errors, mixed_kernels;
  for (const auto& r : runs) {
    const bool done = r.value("status", "") == "completed";
    const auto t = number_at(r, "total_time_s");
    const auto w = number_at(r, "nvm.write_bytes");
    const auto cap = number_at(r, "capacitor_uF");
    const auto pf = number_at(r, "power_failures");
    const json* base = nullptr;
    if (auto it = base_of.find(comparison_key(r)); it != base_of.end()) base = it->second;
    std::string speedup = "n/a", reduction = "n/a";
    if (done && base && t && *t > 0)
      if (auto bt = number_at(*base, "total_time_s")) speedup = fmt("%.2fx", *bt / *t);
    if (done && base && w)
      if (auto bw = number_at(*base, "nvm.write_bytes"); bw && *bw > 0 && *w > 0)
        reduction = *bw >= *w ? fmt("%.2fx less", *bw / *w) : fmt("%.2fx more", *w / *bw);
    const auto [n, ok] = inference_counts(r);
    if (base && base != &r && str_or(r, "kernel") != str_or(*base, "kernel"))
      mixed_kernels.push_back(str_or(r, "name") + " (" + str_or(r, "kernel") + ") vs " +
                              str_or(*base, "name") + " (" + str_or(*base, "kernel") + ")");
    rows.push_back({str_or(r, "name"), str_or(r, "strategy"), str_or(r, "kernel"),
                    str_or(r, "network"), str_or(r, "trace"), cap ? fmt("%g", *cap) : "-",
                    t ? fmt("%.4g", *t) : "-", speedup, w ? bytes_text(*w) : "-", reduction,
                    pf ? fmt("%.0f", *pf) : "-", n == 0 ? "-" : (ok == n ? "yes" : "no"),
                    str_or(r, "status")});
    if (accelerators) {
      auto count = [&](const char* key) {
        const auto v = number_at(r, key);
        return v ? fmt("%.0f", *v) : std::string("-");
      };
      rows.back().insert(rows.back().end() - 1,
                         {count("lea.commands"), count("lea.busy_cycles"), count("dma.words")});
    }
    if (!done) {  // why it did not complete: the error, or the simulator's message
      const std::string status = str_or(r, "status", "error");
      std::string why = str_or(r, status == "error" ? "error" : "message", "");
      why = why.substr(0, why.find('\n'));
      errors.push_back(str_or(r, "name") + ": " + status + (why.empty() ? "" : ": " + why));
    }
  }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  std::ostringstream os;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t c = 0; c < cells.size(); ++c) {
      // Text columns left-aligned, numbers right-aligned.
      const bool left = c <= 4 || c == cells.size() - 1;
      const std::string pad(width[c] - cells[c].size(), ' ');
      text += (c ? "  " : "") + (left ? cells[c] + pad : pad + cells[c]);
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    os << text << "\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
  if (!mixed_kernels.empty()) {
    os << "\nwarning: these runs are compared with a baseline on another kernel, so the "
          "ratios mix the strategy with the kernel (set workload.kernel, docs/kernels.md):\n";
    for (const auto& m : mixed_kernels) os << "  " << m << "\n";
  }
  if (!errors.empty()) {
    os << "\nnot completed:\n";
    for (const auto& e : errors) os << "  " << e << "\n";
  }
  return os.str();
}

}  // namespace ipsim
