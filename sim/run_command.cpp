#include "sim/run_command.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include <boost/program_options.hpp>

#include "sim/cli_error.h"
#include "sim/df_plan.h"
#include "sim/experiment.h"
#include "sim/results.h"
#include "sim/sweep.h"

extern char** environ;

namespace ipsim {

namespace fs = std::filesystem;
namespace po = boost::program_options;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// ---- the simulator hook ---------------------------------------------------------------------

namespace {
SimulateFn& simulate_slot() {
  static SimulateFn fn;
  return fn;
}
std::string& worker_slot() {
  static std::string path;
  return path;
}
}  // namespace

void set_simulate_function(SimulateFn fn) {
  simulate_slot() = std::move(fn);
}
const SimulateFn& simulate_function() {
  return simulate_slot();
}
void set_worker_executable(const std::string& path) {
  worker_slot() = path;
}

namespace {

std::string worker_executable() {
  if (!worker_slot().empty()) return worker_slot();
  return fs::read_symlink("/proc/self/exe").string();
}

// ---- small helpers --------------------------------------------------------------------------

std::string duration_text(double s) {
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%dh%02dm", static_cast<int>(s) / 3600,
                  static_cast<int>(s) / 60 % 60);
  }
  return buf;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string run_file_stem(const RunSpec& s) {
  return std::to_string(s.index) + "-" + s.name;
}

// Last `max_lines` lines (at most 4 kB) of a log file.
std::string log_tail(const std::string& path, size_t max_lines = 20) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff start = size > 4096 ? size - 4096 : 0;
  in.seekg(start);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  size_t pos = text.size(), lines = 0;
  while (pos > 0 && lines < max_lines) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) {
      pos = 0;
      break;
    }
    ++lines;
  }
  return text.substr(pos == 0 ? 0 : pos + 1);
}

std::string exit_text(int status) {
  if (WIFSIGNALED(status))
    return "the worker was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  if (WIFEXITED(status))
    return "the worker exited with status " + std::to_string(WEXITSTATUS(status));
  return "the worker stopped abnormally";
}

// One ipsim run/sweep per output directory at a time; the lock dies with the process.
class DirLock {
 public:
  explicit DirLock(const fs::path& dir) {
    const fs::path path = dir / ".lock";
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0)
      throw std::runtime_error(path.string() + ": cannot open: " + std::strerror(errno));
    if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(m_fd);
      throw CliError("another ipsim run or sweep is using " + dir.string());
    }
  }
  ~DirLock() { ::close(m_fd); }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int m_fd = -1;
};

// Temporary files of writers that were killed mid-write.
void remove_stale_temp_files(const fs::path& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && is_temp_file_name(e.path().filename().string()))
      fs::remove(e.path(), ec);
}

std::vector<std::string> parse_or_throw(const std::string& command, po::options_description& opts,
                                        const po::positional_options_description& pos,
                                        const std::vector<std::string>& args,
                                        po::variables_map& vm) {
  try {
    po::store(po::command_line_parser(args).options(opts).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw CliError(command + ": " + e.what());
  }
  return {};
}

// ---- the experiment directory ---------------------------------------------------------------

struct Layout {
  fs::path out, runs, logs, specs;
  explicit Layout(const std::string& dir)
      : out(fs::absolute(dir).lexically_normal()),
        runs(out / "runs"),
        logs(out / "logs"),
        specs(out / "runs" / "specs.json") {}
  fs::path result(const RunSpec& s) const { return runs / (run_file_stem(s) + ".json"); }
  fs::path log(const RunSpec& s) const { return logs / (run_file_stem(s) + ".log"); }
};

std::vector<RunSpec> prepare_specs(const Experiment& ex, const Layout& lay) {
  std::vector<RunSpec> specs = ex.runs;
  for (auto& s : specs) s.artifact_dir = (lay.runs / run_file_stem(s)).string();
  json j = {{"config", ex.echo()}, {"runs", json::array()}};
  for (const auto& s : specs) j["runs"].push_back(run_spec_to_json(s));
  write_file_atomic(lay.specs.string(), j.dump(1) + "\n");
  return specs;
}

// A finished result for this spec, if one exists: parses, same spec, not an error.
std::optional<json> finished_result(const Layout& lay, const RunSpec& s) {
  auto r = read_run_file(lay.result(s).string());
  if (!r || r->value("spec_digest", "") != spec_digest(s) || r->value("status", "") == "error")
    return std::nullopt;
  return r;
}

struct Specs {
  json config;
  std::vector<RunSpec> runs;
};

Specs read_specs(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw CliError(path.string() + ": not found (not an ipsim run/sweep directory?)");
  try {
    json j = json::parse(in);
    Specs s;
    s.config = j.value("config", json());
    for (const auto& r : j.at("runs")) s.runs.push_back(run_spec_from_json(r));
    return s;
  } catch (const json::exception& e) {
    throw std::runtime_error(path.string() + ": not a valid specs file: " + e.what());
  }
}

// ---- workers --------------------------------------------------------------------------------

pid_t spawn_worker(const Layout& lay, const RunSpec& s) {
  const std::string exe = worker_executable();
  const std::string index = std::to_string(s.index);
  const std::string specs = lay.specs.string(), out = lay.result(s).string(),
                    log = lay.log(s).string();
  std::vector<std::string> argv_s = {exe, "run-one", specs, "--index", index, "--out", out};
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  // The worker's stdout and stderr go to its log; stdout of ipsim belongs to the table.
  posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 2, 1);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start worker " + exe + ": " + std::strerror(rc));
  return pid;
}

struct EngineOptions {
  std::string out_dir;
  int jobs = 1;
  bool resume = false;
  std::string command;  // "run" or "sweep", for messages
};

// Runs every spec not yet finished, writes results.json/csv, prints the table. Exit code.
int execute(const Experiment& ex, const EngineOptions& opt) {
  const Layout lay(opt.out_dir);
  fs::create_directories(lay.runs);
  fs::create_directories(lay.logs);
  DirLock lock(lay.out);
  remove_stale_temp_files(lay.runs);
  remove_stale_temp_files(lay.out);
  const std::vector<RunSpec> specs = prepare_specs(ex, lay);
  const size_t total = specs.size();

  std::vector<std::optional<json>> results(total);
  std::vector<size_t> todo;
  for (size_t i = 0; i < total; ++i) {
    if (opt.resume)
      if (auto r = finished_result(lay, specs[i])) {
        results[i] = std::move(*r);
        continue;
      }
    todo.push_back(i);
  }
  const size_t jobs = std::max<size_t>(1, std::min<size_t>(opt.jobs, todo.size()));
  std::cerr << "ipsim " << opt.command << ": " << ex.name << ": " << total << " run"
            << (total == 1 ? "" : "s");
  if (total != todo.size()) std::cerr << ", " << total - todo.size() << " already done";
  std::cerr << ", " << todo.size() << " to run with " << jobs << " worker" << (jobs == 1 ? "" : "s")
            << "; results in " << lay.out.string() << "\n";

  const auto t_start = Clock::now();
  size_t done = total - todo.size(), finished_now = 0, next = 0;
  struct Running {
    size_t i;
    Clock::time_point t0;
  };
  std::map<pid_t, Running> running;
  while (next < todo.size() || !running.empty()) {
    while (running.size() < jobs && next < todo.size()) {
      const size_t i = todo[next++];
      std::error_code ec;
      fs::remove(lay.result(specs[i]), ec);  // a stale or failed result must not stand in
      running[spawn_worker(lay, specs[i])] = Running{i, Clock::now()};
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const size_t i = it->second.i;
    const double run_s = seconds_since(it->second.t0);
    running.erase(it);
    const RunSpec& s = specs[i];
    auto r = read_run_file(lay.result(s).string());
    if (!r || r->value("spec_digest", "") != spec_digest(s)) {
      std::string msg = exit_text(status) + " without writing a result";
      if (const std::string tail = log_tail(lay.log(s).string()); !tail.empty())
        msg += "; its stderr ended with:\n" + tail;
      r = error_run_json(s, msg);
      write_file_atomic(lay.result(s).string(), r->dump(2) + "\n");
    }
    ++done;
    ++finished_now;
    const std::string st = r->value("status", "error");
    std::ostringstream line;
    line << "[" << done << "/" << total << "] " << run_file_stem(s) << "  " << st << "  "
         << duration_text(run_s);
    if (st == "error") {
      std::string e = r->value("error", "");
      line << "  (" << e.substr(0, e.find('\n')) << ")";
    }
    const size_t left = total - done;
    if (left > 0) {
      const double rate = finished_now / std::max(1e-9, seconds_since(t_start));
      line << "  | " << left << " left, ETA " << duration_text(left / rate);
    }
    std::cerr << line.str() << "\n";
    results[i] = std::move(*r);
  }

  std::vector<json> runs;
  bool any_error = false;
  for (auto& r : results) {
    any_error |= r->value("status", "") == "error";
    runs.push_back(std::move(*r));
  }
  write_results(lay.out.string(), runs, ex.echo());
  std::cout << comparison_table(runs, to_string(ex.baseline)) << std::flush;
  std::cerr << "ipsim " << opt.command << ": " << total << " runs in "
            << duration_text(seconds_since(t_start)) << "; wrote "
            << (lay.out / "results.json").string() << " and results.csv\n";
  return any_error ? 1 : 0;
}

std::string default_out_dir(const Experiment& ex) {
  return (fs::path("results") / sanitize_name(ex.name)).string();
}

// "0-3,5,7-9" from sorted indices.
std::string array_ranges(const std::vector<int>& idx) {
  std::string out;
  for (size_t i = 0; i < idx.size();) {
    size_t j = i;
    while (j + 1 < idx.size() && idx[j + 1] == idx[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + std::to_string(idx[i]) +
           (j > i ? "-" + std::to_string(idx[j]) : "");
    i = j + 1;
  }
  return out;
}

// An #SBATCH option value: sbatch splits directives at whitespace unless the value is in
// double quotes (a DIR with a space gave "Invalid directive found in batch script").
std::string sbatch_value(const std::string& v) {
  if (v.find_first_of(" \t'") == std::string::npos) return v;
  if (v.find('"') != std::string::npos)
    throw CliError("sweep: --emit slurm: the path '" + v +
                   "' contains both a space and a double quote, which #SBATCH cannot express");
  return '"' + v + '"';
}

int emit(const Experiment& ex, const std::string& out_dir, const std::string& kind,
         bool only_missing) {
  if (kind != "slurm" && kind != "commands")
    throw CliError("sweep: --emit expects slurm or commands, got '" + kind + "'");
  const Layout lay(out_dir);
  fs::create_directories(lay.runs);
  fs::create_directories(lay.logs);  // Slurm does not create the --output directory
  DirLock lock(lay.out);
  remove_stale_temp_files(lay.runs);
  const std::vector<RunSpec> specs = prepare_specs(ex, lay);
  std::vector<int> indices;
  for (const auto& s : specs)
    if (!only_missing || !finished_result(lay, s)) indices.push_back(s.index);
  if (indices.empty()) {
    std::cerr << "ipsim sweep: all " << specs.size() << " runs have results; nothing to emit. "
              << "Run `ipsim merge " << lay.out.string() << "`.\n";
    return 0;
  }
  const std::string exe = worker_executable();
  if (kind == "slurm") {
    const SlurmSpec& sl = ex.slurm;
    std::ostringstream os;
    os << "#!/bin/bash\n"
       << "# Generated by ipsim sweep --emit slurm: one array task per run (" << indices.size()
       << " of " << specs.size() << ").\n"
       << "# Submit with: sbatch " << shell_quote((lay.out / "sweep.sbatch").string()) << "\n"
       << "# Then collect: " << shell_quote(exe) << " merge " << shell_quote(lay.out.string())
       << "\n"
       << "#SBATCH --job-name=ipsim-" << sanitize_name(ex.name) << "\n"
       << "#SBATCH --array=" << array_ranges(indices)
       << (sl.array_limit > 0 ? "%" + std::to_string(sl.array_limit) : "") << "\n"
       << "#SBATCH --time=" << sl.time << "\n"
       << "#SBATCH --mem=" << sl.mem << "\n"
       << "#SBATCH --ntasks=1\n"
       << "#SBATCH --cpus-per-task=1\n"
       << "#SBATCH --output=" << sbatch_value((lay.logs / "%A_%a.out").string()) << "\n";
    if (!sl.partition.empty()) os << "#SBATCH --partition=" << sl.partition << "\n";
    os << "set -euo pipefail\n"
       << "exec " << shell_quote(exe) << " run-one " << shell_quote(lay.specs.string())
       << " --index \"${SLURM_ARRAY_TASK_ID:?run this script with sbatch (a job array)}\"\n";
    const fs::path path = lay.out / "sweep.sbatch";
    write_file_atomic(path.string(), os.str());
    fs::permissions(path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add);
    std::cerr << "ipsim sweep: wrote " << path.string() << " (" << indices.size()
              << " array tasks); submit with `sbatch " << path.string() << "`\n";
  } else {
    std::ostringstream os;
    for (int i : indices) {
      const RunSpec& s = specs[static_cast<size_t>(i)];
      os << shell_quote(exe) << " run-one " << shell_quote(lay.specs.string()) << " --index " << i
         << " --out " << shell_quote(lay.result(s).string()) << " 2> "
         << shell_quote(lay.log(s).string()) << "\n";
    }
    const fs::path path = lay.out / "commands.txt";
    write_file_atomic(path.string(), os.str());
    std::cerr << "ipsim sweep: wrote " << path.string() << " (" << indices.size()
              << " commands); e.g. `parallel -j 8 < " << path.string() << "`\n";
  }
  return 0;
}

std::string find_default_config() {
  const fs::path rel = fs::path("configs") / "quickstart.yaml";
  if (fs::exists(rel)) return rel.string();
  const fs::path in_root = fs::path(project_root()) / rel;
  if (fs::exists(in_root)) return in_root.string();
  return rel.string();  // the load error names it
}

}  // namespace

// ---- commands -------------------------------------------------------------------------------

int run_command(const std::vector<std::string>& args) {
  po::options_description opts("ipsim run [CONFIG] [options]");
  std::string config, out;
  std::vector<std::string> sets;
  int jobs = 1;
  opts.add_options()("help,h", "show this help")(
      "out", po::value(&out), "output directory (default results/<config name>/)")(
      "set", po::value(&sets)->composing(), "override a config key: key=value (YAML value)")(
      "jobs,j", po::value(&jobs), "worker processes at once (default 1)");
  po::options_description all;
  all.add(opts).add_options()("config", po::value(&config));
  po::positional_options_description pos;
  pos.add("config", 1);
  po::variables_map vm;
  parse_or_throw("run", all, pos, args, vm);
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  if (jobs < 1) throw CliError("run: --jobs expects a number >= 1");
  if (config.empty()) config = find_default_config();
  const Experiment ex = load_experiment(config, sets);
  check_depth_first_plans(ex);
  return execute(ex, {out.empty() ? default_out_dir(ex) : out, jobs, false, "run"});
}

int sweep_command(const std::vector<std::string>& args) {
  po::options_description opts("ipsim sweep CONFIG [options]");
  std::string config, out, emit_kind;
  std::vector<std::string> sets;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool only_missing = false;
  opts.add_options()("help,h", "show this help")(
      "out", po::value(&out), "output directory (default results/<config name>/)")(
      "set", po::value(&sets)->composing(), "override a config key: key=value (YAML value)")(
      "jobs,j", po::value(&jobs), "worker processes at once (default: number of CPUs)")(
      "emit", po::value(&emit_kind),
      "write a job script instead of running: slurm (DIR/sweep.sbatch) or commands "
      "(DIR/commands.txt)")("only-missing", po::bool_switch(&only_missing),
                            "with --emit: only runs without a result");
  po::options_description all;
  all.add(opts).add_options()("config", po::value(&config));
  po::positional_options_description pos;
  pos.add("config", 1);
  po::variables_map vm;
  parse_or_throw("sweep", all, pos, args, vm);
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  if (config.empty()) throw CliError("sweep: expected a CONFIG file");
  if (jobs < 1) throw CliError("sweep: --jobs expects a number >= 1");
  if (only_missing && emit_kind.empty()) throw CliError("sweep: --only-missing needs --emit");
  const Experiment ex = load_experiment(config, sets);
  check_depth_first_plans(ex);
  const std::string dir = out.empty() ? default_out_dir(ex) : out;
  if (!emit_kind.empty()) return emit(ex, dir, emit_kind, only_missing);
  return execute(ex, {dir, jobs, true, "sweep"});
}

int merge_command(const std::vector<std::string>& args) {
  po::options_description opts("ipsim merge DIR");
  std::string dir;
  opts.add_options()("help,h", "show this help");
  po::options_description all;
  all.add(opts).add_options()("dir", po::value(&dir));
  po::positional_options_description pos;
  pos.add("dir", 1);
  po::variables_map vm;
  parse_or_throw("merge", all, pos, args, vm);
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  if (dir.empty()) throw CliError("merge: expected a sweep directory DIR");
  const Layout lay(dir);
  const Specs specs = read_specs(lay.specs);
  std::vector<json> runs;
  std::vector<std::string> missing, failed;
  for (const auto& s : specs.runs) {
    auto r = read_run_file(lay.result(s).string());
    if (!r || r->value("spec_digest", "") != spec_digest(s)) {
      missing.push_back(run_file_stem(s));
      continue;
    }
    if (r->value("status", "") == "error") {
      const std::string e = r->value("error", "");
      failed.push_back(run_file_stem(s) + ": " + e.substr(0, e.find('\n')));
    }
    runs.push_back(std::move(*r));
  }
  write_results(lay.out.string(), runs, specs.config);
  std::cout << comparison_table(runs, specs.config.value("baseline", "hawaii")) << std::flush;
  std::cerr << "ipsim merge: " << runs.size() << " of " << specs.runs.size()
            << " runs have results (" << failed.size() << " failed); wrote "
            << (lay.out / "results.json").string() << " and results.csv\n";
  if (!missing.empty()) {
    std::cerr << "missing (" << missing.size() << "):\n";
    for (const auto& m : missing) std::cerr << "  " << m << "\n";
  }
  if (!failed.empty()) {
    std::cerr << "failed (" << failed.size() << "):\n";
    for (const auto& f : failed) std::cerr << "  " << f << "\n";
  }
  return missing.empty() && failed.empty() ? 0 : 1;
}

int run_one_command(const std::vector<std::string>& args) {
  po::options_description opts("ipsim run-one SPEC.json [options]");
  std::string spec_path, out;
  int index = -1;
  opts.add_options()("help,h", "show this help")(
      "index", po::value(&index), "run index in a specs file (default $SLURM_ARRAY_TASK_ID)")(
      "out", po::value(&out), "result file (default <SPEC dir>/<index>-<name>.json)");
  po::options_description all;
  all.add(opts).add_options()("spec", po::value(&spec_path));
  po::positional_options_description pos;
  pos.add("spec", 1);
  po::variables_map vm;
  parse_or_throw("run-one", all, pos, args, vm);
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  if (spec_path.empty()) throw CliError("run-one: expected a SPEC.json file");
  std::ifstream in(spec_path);
  if (!in) throw CliError("run-one: " + spec_path + ": cannot read");
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw CliError("run-one: " + spec_path + ": not JSON: " + e.what());
  }
  RunSpec spec;
  try {
    if (j.contains("runs")) {
      if (index < 0)
        if (const char* env = std::getenv("SLURM_ARRAY_TASK_ID"); env && *env)
          index = std::atoi(env);
      if (index < 0) throw CliError("run-one: " + spec_path + " holds many runs; pass --index");
      bool found = false;
      for (const auto& r : j.at("runs"))
        if (r.at("index").get<int>() == index) {
          spec = run_spec_from_json(r);
          found = true;
          break;
        }
      if (!found)
        throw CliError("run-one: " + spec_path + " has no run with index " + std::to_string(index));
    } else {
      spec = run_spec_from_json(j);
    }
  } catch (const json::exception& e) {
    throw CliError("run-one: " + spec_path + ": not a valid run spec: " + e.what());
  }
  if (out.empty())
    out = (fs::absolute(spec_path).parent_path() / (run_file_stem(spec) + ".json")).string();
  if (!simulate_function()) throw std::logic_error("run-one: no simulator registered");

  const auto t0 = Clock::now();
  json result;
  int rc = 0;
  try {
    result = complete_run_json(spec, simulate_function()(spec).json);
  } catch (const std::exception& e) {
    std::cerr << "ipsim run-one: " << run_file_stem(spec) << ": " << e.what() << "\n";
    result = error_run_json(spec, e.what());
    rc = 1;
  }
  if (!result.contains("host") || !result["host"].is_object()) result["host"] = json::object();
  if (!result["host"].contains("seconds")) result["host"]["seconds"] = seconds_since(t0);
  write_file_atomic(out, result.dump(2) + "\n");
  return rc;
}

}  // namespace ipsim
