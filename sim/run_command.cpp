#include "sim/run_command.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <boost/program_options.hpp>

#include "sim/cli_error.h"
#include "sim/debug_session.h"
#include "sim/df_plan.h"
#include "sim/digest.h"
#include "sim/experiment.h"
#include "sim/progress.h"
#include "sim/results.h"
#include "sim/simulate_run.h"
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

// One ipsim run/sweep per output directory at a time. The lock file is removed on exit; a
// process that locked a file another one just removed retries on the new file.
class DirLock {
 public:
  explicit DirLock(const fs::path& dir) : m_path(dir / ".lock") {
    for (;;) {
      m_fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (m_fd < 0)
        throw std::runtime_error(m_path.string() + ": cannot open: " + std::strerror(errno));
      if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(m_fd);
        throw CliError("another ipsim run or sweep is using " + dir.string());
      }
      struct stat held {
      }, named{};
      if (::fstat(m_fd, &held) == 0 && ::stat(m_path.c_str(), &named) == 0 &&
          held.st_ino == named.st_ino && held.st_dev == named.st_dev)
        return;
      ::close(m_fd);  // the holder removed it between our open and flock
    }
  }
  ~DirLock() {
    ::unlink(m_path.c_str());  // while still locked, so nobody locks a removed file unawares
    ::close(m_fd);
  }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  fs::path m_path;
  int m_fd = -1;
};

// Temporary files of writers that were killed mid-write and their progress files, here and
// one level down (the runs' artifact directories).
void remove_stale_temp_files(const fs::path& dir, bool recurse = false) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() &&
        (is_temp_file_name(e.path().filename().string()) || e.path().extension() == ".progress" ||
         e.path().string().find(".progress.tmp.") != std::string::npos))
      fs::remove(e.path(), ec);
    else if (recurse && e.is_directory())
      remove_stale_temp_files(e.path());
  }
}

// The output directory: created if needed; a path that cannot be used is a CliError (exit 2).
// Control characters are refused: a newline in it would break the emitted job scripts.
void prepare_out_dir(const fs::path& out) {
  for (const char c : out.string())
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
      throw CliError("--out: the path contains a control character (newline, tab, ...): " +
                     json(out.string()).dump());
  std::error_code ec;
  fs::create_directories(out / "runs", ec);
  if (!ec) fs::create_directories(out / "logs", ec);
  if (ec)
    throw CliError("--out " + out.string() + ": cannot create the directory: " + ec.message());
  if (::access(out.c_str(), W_OK) != 0)
    throw CliError("--out " + out.string() + ": not writable: " + std::strerror(errno));
}

// SIGINT/SIGTERM to a sweep: stop starting runs, stop the workers, keep what finished.
volatile sig_atomic_t g_stop_signal = 0;
extern "C" void on_stop_signal(int sig) {
  g_stop_signal = sig;
}

// Environment variable that tells a run-one it was started by a sweep in this process, so
// that it dies with it (PR_SET_PDEATHSIG) instead of running on beside a restarted sweep.
constexpr const char* kParentEnv = "IPSIM_SWEEP_PARENT";

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
  fs::path out, runs, logs, specs, old_runs, old_logs;
  explicit Layout(const std::string& dir)
      : out(fs::absolute(dir).lexically_normal()),
        runs(out / "runs"),
        logs(out / "logs"),
        specs(out / "runs" / "specs.json"),
        old_runs(out / "superseded" / "runs"),
        old_logs(out / "superseded" / "logs") {}
  fs::path result(const RunSpec& s) const { return runs / (run_file_stem(s) + ".json"); }
  fs::path log(const RunSpec& s) const { return logs / (run_file_stem(s) + ".log"); }
};

std::vector<RunSpec> prepare_specs(const Experiment& ex, const Layout& lay) {
  std::vector<RunSpec> specs = ex.runs;
  for (auto& s : specs) s.artifact_dir = (lay.runs / run_file_stem(s)).string();
  write_specs_file(lay.specs.string(), ex.echo(), specs);  // and specs.index
  return specs;
}

// ---- run identity ---------------------------------------------------------------------------
// A run is identified by its resolved spec (spec_digest), not by its index or file name:
// adding a value to a sweep axis shifts indices, and the results of unchanged runs must follow
// their spec. Files of runs no longer in the experiment move to DIR/superseded/, from where a
// later sweep that asks for them again takes them back.

struct KnownResult {
  fs::path path;  // DIR/runs/<stem>.json or DIR/superseded/runs/<stem>.json
  json run;
};

std::vector<KnownResult> scan_results(const Layout& lay) {
  std::vector<KnownResult> known;
  for (const fs::path& dir : {lay.runs, lay.old_runs}) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec))
      if (e.is_regular_file() && e.path().extension() == ".json" && e.path() != lay.specs &&
          !is_temp_file_name(e.path().filename().string()))
        files.push_back(e.path());
    std::sort(files.begin(), files.end());  // deterministic choice among equal specs
    for (const auto& f : files)
      if (auto r = read_run_file(f.string())) known.push_back({f, std::move(*r)});
  }
  return known;
}

// The result as this spec's: index, name and value labels are the current ones.
json relabel(json run, const RunSpec& s) {
  run["index"] = s.index;
  run["name"] = s.name;
  json params = json::object();
  for (const auto& [k, v] : s.params) params[k] = v;
  run["params"] = params;
  return run;
}

// The known result that stands for spec s: same spec digest, inputs unchanged, and (when
// `finished_only`) not an error. One at s's own path wins; -1 if none. *stale is set when a
// result with the same spec exists but its firmware or trace changed since.
int find_result(const std::vector<KnownResult>& known, const std::vector<bool>& taken,
                const fs::path& own_path, const RunSpec& s, bool finished_only,
                FileDigestCache& cache, bool* stale = nullptr) {
  const std::string digest = spec_digest(s);
  int best = -1;
  for (size_t k = 0; k < known.size(); ++k) {
    const json& r = known[k].run;
    if (taken[k] || r.value("spec_digest", "") != digest) continue;
    if (finished_only && r.value("status", "") == "error") continue;
    if (!inputs_unchanged(r, cache)) {
      if (stale) *stale = true;
      continue;
    }
    if (known[k].path == own_path) return static_cast<int>(k);
    if (best < 0) best = static_cast<int>(k);
  }
  return best;
}

void move_path(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (!fs::exists(from, ec)) return;
  fs::create_directories(to.parent_path());
  fs::remove_all(to, ec);
  fs::rename(from, to);
}

// Reuses finished results whose spec is still in the experiment (moving them, their log and
// their artifact directory to the run's current name) when `reuse`, and moves every other
// run file that is not at a current run's path to DIR/superseded/. Returns the reused result
// per spec.
std::vector<std::optional<json>> reconcile(const Layout& lay, const std::vector<RunSpec>& specs,
                                           bool reuse, FileDigestCache& cache) {
  std::vector<KnownResult> known = scan_results(lay);
  std::vector<bool> taken(known.size(), false);
  std::vector<std::optional<json>> found(specs.size());
  struct Move {
    fs::path from_json, from_log, from_dir;
    size_t spec;
  };
  std::vector<Move> moves;
  std::set<std::string> stems;
  for (const auto& s : specs) stems.insert(run_file_stem(s));
  for (size_t i = 0; i < specs.size() && reuse; ++i) {
    const fs::path own = lay.result(specs[i]);
    const int k = find_result(known, taken, own, specs[i], true, cache);
    if (k < 0) continue;
    taken[static_cast<size_t>(k)] = true;
    found[i] = relabel(known[static_cast<size_t>(k)].run, specs[i]);
    const fs::path& from = known[static_cast<size_t>(k)].path;
    if (from != own || *found[i] != known[static_cast<size_t>(k)].run) {
      const bool old = from.parent_path() == lay.old_runs;
      moves.push_back({from, (old ? lay.old_logs : lay.logs) / (from.stem().string() + ".log"),
                       from.parent_path() / from.stem(), i});
    }
  }
  // Two phases, so that runs trading names (a shifted axis) do not overwrite each other.
  std::set<fs::path> targets;
  for (size_t m = 0; m < moves.size(); ++m) {
    const std::string tmp = ".move." + std::to_string(m);
    move_path(moves[m].from_log, lay.logs / (tmp + ".log"));
    move_path(moves[m].from_dir, lay.runs / tmp);
  }
  for (size_t m = 0; m < moves.size(); ++m) {
    const RunSpec& s = specs[moves[m].spec];
    const std::string tmp = ".move." + std::to_string(m);
    write_file_atomic(lay.result(s).string(), found[moves[m].spec]->dump(2) + "\n");
    targets.insert(lay.result(s));
    move_path(lay.logs / (tmp + ".log"), lay.log(s));
    move_path(lay.runs / tmp, lay.runs / run_file_stem(s));
  }
  for (const auto& mv : moves)
    if (!targets.count(mv.from_json)) fs::remove(mv.from_json);
  // What remains under a name no current run has is superseded.
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(lay.runs, ec)) {
    const fs::path p = e.path();
    if (p == lay.specs || is_temp_file_name(p.filename().string())) continue;
    const bool run_file = e.is_regular_file() && p.extension() == ".json";
    const std::string stem = run_file ? p.stem().string() : p.filename().string();
    if ((run_file || e.is_directory()) && !stems.count(stem))
      move_path(p, lay.old_runs / p.filename());
  }
  for (const auto& e : fs::directory_iterator(lay.logs, ec))
    if (e.is_regular_file() && e.path().extension() == ".log" &&
        !stems.count(e.path().stem().string()))
      move_path(e.path(), lay.old_logs / e.path().filename());
  return found;
}

SpecsFile read_specs(const fs::path& path) {
  if (!fs::exists(path))
    throw CliError(path.string() + ": not found (not an ipsim run/sweep directory?)");
  try {
    return read_specs_file(path.string());
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

struct Running {
  size_t i;  // spec index
  Clock::time_point t0;
};

// One line on a terminal, redrawn in place, with the progress of runs that take a while.
class StatusLine {
 public:
  explicit StatusLine(bool enabled) : m_enabled(enabled) {}
  bool enabled() const { return m_enabled; }

  void show(const std::vector<RunSpec>& specs, const std::map<pid_t, Running>& running) {
    if (seconds_since(m_last) < 0.5) return;
    m_last = Clock::now();
    std::string text;
    for (const auto& [pid, run] : running) {
      if (seconds_since(run.t0) < 2.0) continue;  // short runs need no progress
      const RunSpec& s = specs[run.i];
      const auto p = read_progress_file(progress_file(s));
      text += (text.empty() ? "  " : " | ") + run_file_stem(s) + ": " +
              (p ? progress_text(*p) : "starting") + ", " + duration_text(seconds_since(run.t0));
    }
    if (text.empty()) return clear();
    struct winsize ws {};
    size_t width = 100;
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10) width = ws.ws_col;
    if (text.size() >= width) text = text.substr(0, width - 4) + "...";
    std::cerr << "\r" << text << "\033[K" << std::flush;
    m_shown = true;
  }
  void clear() {
    if (m_shown) std::cerr << "\r\033[K" << std::flush;
    m_shown = false;
  }
  ~StatusLine() { clear(); }

 private:
  bool m_enabled;
  bool m_shown = false;
  Clock::time_point m_last{};
};

struct EngineOptions {
  std::string out_dir;
  int jobs = 1;
  bool resume = false;
  std::string command;        // "run" or "sweep", for messages
  bool accelerators = false;  // table columns for LEA and DMA counters
};

// Runs every spec not yet finished, writes results.json/csv, prints the table. Exit code.
int execute(const Experiment& ex, const EngineOptions& opt) {
  const Layout lay(opt.out_dir);
  prepare_out_dir(lay.out);
  DirLock lock(lay.out);
  remove_stale_temp_files(lay.runs, true);
  remove_stale_temp_files(lay.out);
  ::setenv(kParentEnv, std::to_string(::getpid()).c_str(), 1);
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;  // no SA_RESTART: waitpid returns EINTR
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  const std::vector<RunSpec> specs = prepare_specs(ex, lay);
  const size_t total = specs.size();

  FileDigestCache digests;
  std::vector<std::optional<json>> results = reconcile(lay, specs, opt.resume, digests);
  std::vector<size_t> todo;
  for (size_t i = 0; i < total; ++i)
    if (!results[i]) todo.push_back(i);
  const size_t jobs = std::max<size_t>(1, std::min<size_t>(opt.jobs, todo.size()));
  std::cerr << "ipsim " << opt.command << ": " << ex.name << ": " << total << " run"
            << (total == 1 ? "" : "s");
  if (total != todo.size()) std::cerr << ", " << total - todo.size() << " already done";
  std::cerr << ", " << todo.size() << " to run with " << jobs << " worker" << (jobs == 1 ? "" : "s")
            << "; results in " << lay.out.string() << "\n";

  const auto t_start = Clock::now();
  size_t done = total - todo.size(), finished_now = 0, next = 0;
  std::map<pid_t, Running> running;
  CostModel costs;
  for (const auto& r : results)
    if (r) costs.add(*r);
  StatusLine status_line(::isatty(STDERR_FILENO) == 1);
  while (next < todo.size() || !running.empty()) {
    if (g_stop_signal) {
      next = todo.size();  // start nothing more; the workers stop, finished results stay
      for (const auto& [pid, run] : running) ::kill(pid, SIGTERM);
      for (auto it = running.begin(); it != running.end();) {
        if (::waitpid(it->first, nullptr, 0) >= 0 || errno != EINTR) it = running.erase(it);
      }
      break;
    }
    while (running.size() < jobs && next < todo.size()) {
      const size_t i = todo[next++];
      std::error_code ec;
      fs::remove(lay.result(specs[i]), ec);  // a stale or failed result must not stand in
      running[spawn_worker(lay, specs[i])] = Running{i, Clock::now()};
    }
    int status = 0;
    pid_t pid;
    if (status_line.enabled()) {
      // On a terminal: poll, and show what the running workers report.
      pid = ::waitpid(-1, &status, WNOHANG);
      if (pid == 0) {
        status_line.show(specs, running);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      status_line.clear();
    } else {
      pid = ::waitpid(-1, &status, 0);
    }
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
    std::error_code ec;
    fs::remove(progress_file(s), ec);  // a killed worker leaves it behind
    auto r = read_run_file(lay.result(s).string());
    if (!r || r->value("spec_digest", "") != spec_digest(s)) {
      std::string msg = exit_text(status) + " without writing a result";
      if (const std::string tail = log_tail(lay.log(s).string()); !tail.empty())
        msg += "; its stderr ended with:\n" + tail;
      r = error_run_json(s, msg);
      try {
        write_file_atomic(lay.result(s).string(), json_text(*r, 2) + "\n");
      } catch (const std::exception& e) {  // a full disk: say so, go on with the others
        (*r)["error"] = msg + "; its error result could not be written either: " + e.what();
      }
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
    costs.add(*r);
    const size_t left = total - done;
    if (left > 0) {
      // Weighted by what runs of the same network and strategy cost; by count until known.
      double eta = 0;
      bool known = true;
      auto add = [&](size_t spec, double elapsed) {
        if (auto e = costs.expected(specs[spec]))
          eta += std::max(0.0, *e - elapsed);
        else
          known = false;
      };
      for (size_t k = next; k < todo.size(); ++k) add(todo[k], 0);
      for (const auto& [p, run] : running) add(run.i, seconds_since(run.t0));
      const double rate = finished_now / std::max(1e-9, seconds_since(t_start));
      line << "  | " << left << " left, ETA "
           << duration_text(known ? eta / static_cast<double>(jobs) : left / rate);
    }
    std::cerr << line.str() << "\n";
    results[i] = std::move(*r);
  }

  std::vector<json> runs;
  bool any_error = false;
  for (auto& r : results) {
    if (!r) continue;  // interrupted before it finished
    any_error |= r->value("status", "") == "error";
    runs.push_back(std::move(*r));
  }
  try {
    write_results(lay.out.string(), runs, ex.echo());
  } catch (const std::exception& e) {
    std::cerr << "ipsim " << opt.command << ": " << runs.size() << " of " << total
              << " runs finished, but results.json and results.csv could not be written: "
              << e.what() << "\n";
    return 1;
  }
  if (g_stop_signal) {
    std::cerr << "ipsim " << opt.command << ": stopped by signal " << g_stop_signal << " ("
              << strsignal(g_stop_signal) << "); " << runs.size() << " of " << total
              << " runs finished and are kept in " << (lay.out / "results.json").string()
              << "; `ipsim sweep` with the same config and --out resumes\n";
    return 128 + g_stop_signal;
  }
  std::cout << comparison_table(runs, to_string(ex.baseline), opt.accelerators) << std::flush;
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
  prepare_out_dir(lay.out);  // also logs/: Slurm does not create the --output directory
  DirLock lock(lay.out);
  remove_stale_temp_files(lay.runs);
  const std::vector<RunSpec> specs = prepare_specs(ex, lay);
  FileDigestCache digests;
  const auto finished = reconcile(lay, specs, true, digests);
  std::vector<int> indices;
  for (size_t i = 0; i < specs.size(); ++i)
    if (!only_missing || !finished[i]) indices.push_back(specs[i].index);
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

// `ipsim run --gdb`: the single run in this process (workers have no terminal and a log for
// stderr), then the same result files as execute().
int execute_here(const Experiment& ex, const std::string& out_dir, const DebugOptions& debug) {
  if (ex.runs.size() != 1)
    throw CliError("run --gdb: " + ex.name + " has " + std::to_string(ex.runs.size()) +
                   " runs; --gdb debugs a single run (narrow the sweep with --set)");
  const Layout lay(out_dir);
  fs::create_directories(lay.runs);
  DirLock lock(lay.out);
  const std::vector<RunSpec> specs = prepare_specs(ex, lay);
  set_run_debug_options(debug);
  const auto t0 = Clock::now();
  json result;
  try {
    result = complete_run_json(specs[0], simulate_function()(specs[0]).json);
  } catch (const std::exception& e) {
    std::cerr << "ipsim run: " << run_file_stem(specs[0]) << ": " << e.what() << "\n";
    result = error_run_json(specs[0], e.what());
  }
  if (!result.contains("host") || !result["host"].is_object()) result["host"] = json::object();
  if (!result["host"].contains("seconds")) result["host"]["seconds"] = seconds_since(t0);
  write_file_atomic(lay.result(specs[0]).string(), result.dump(2) + "\n");
  const bool error = result.value("status", "") == "error";
  std::vector<json> runs{result};
  write_results(lay.out.string(), runs, ex.echo());
  std::cout << comparison_table(runs, to_string(ex.baseline)) << std::flush;
  return error ? 1 : 0;
}

int run_command(const std::vector<std::string>& args) {
  po::options_description opts("ipsim run [CONFIG] [options]");
  std::string config, out;
  std::vector<std::string> sets;
  int jobs = 1;
  bool profile = false;
  DebugOptions debug;
  bool accelerators = false;
  opts.add_options()("help,h", "show this help")(
      "out", po::value(&out), "output directory (default results/<config name>/)")(
      "set", po::value(&sets)->composing(), "override a config key: key=value (YAML value)")(
      "jobs,j", po::value(&jobs), "worker processes at once (default 1)")(
      "profile", po::bool_switch(&profile),
      "per-function profile of every run: DIR/runs/<run>/profile.csv and profile.txt")(
      "gdb", po::value(&debug.gdb_port),
      "debug the (single) run in GDB on 127.0.0.1:PORT (0: any free port)")(
      "gdb-no-power-stops", po::bool_switch(&debug.gdb_no_power_stops),
      "GDB: do not stop at brown-outs and reboots")(
      "accelerators", po::bool_switch(&accelerators),
      "comparison table: add LEA commands, LEA busy cycles and DMA words moved");
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
  if (profile) sets.push_back("outputs.profile=true");
  const Experiment ex = load_experiment(config, sets);
  check_run_inputs(ex.runs);
  check_depth_first_plans(ex);
  if (debug.gdb_port >= 0) return execute_here(ex, out.empty() ? default_out_dir(ex) : out, debug);
  return execute(ex, {out.empty() ? default_out_dir(ex) : out, jobs, false, "run", accelerators});
}

int sweep_command(const std::vector<std::string>& args) {
  po::options_description opts("ipsim sweep CONFIG [options]");
  std::string config, out, emit_kind;
  std::vector<std::string> sets;
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  bool only_missing = false, profile = false, accelerators = false;
  opts.add_options()("help,h", "show this help")(
      "out", po::value(&out), "output directory (default results/<config name>/)")(
      "set", po::value(&sets)->composing(), "override a config key: key=value (YAML value)")(
      "jobs,j", po::value(&jobs), "worker processes at once (default: number of CPUs)")(
      "emit", po::value(&emit_kind),
      "write a job script instead of running: slurm (DIR/sweep.sbatch) or commands "
      "(DIR/commands.txt)")("only-missing", po::bool_switch(&only_missing),
                            "with --emit: only runs without a result")(
      "profile", po::bool_switch(&profile),
      "per-function profile of every run: DIR/runs/<run>/profile.csv and profile.txt")(
      "accelerators", po::bool_switch(&accelerators),
      "comparison table: add LEA commands, LEA busy cycles and DMA words moved");
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
  if (profile) sets.push_back("outputs.profile=true");
  const Experiment ex = load_experiment(config, sets);
  check_run_inputs(ex.runs);
  check_depth_first_plans(ex);
  const std::string dir = out.empty() ? default_out_dir(ex) : out;
  if (!emit_kind.empty()) return emit(ex, dir, emit_kind, only_missing);
  return execute(ex, {dir, jobs, true, "sweep", accelerators});
}

int merge_command(const std::vector<std::string>& args) {
  po::options_description opts("ipsim merge DIR");
  std::string dir;
  bool accelerators = false;
  opts.add_options()("help,h", "show this help")(
      "accelerators", po::bool_switch(&accelerators),
      "comparison table: add LEA commands, LEA busy cycles and DMA words moved");
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
  if (!fs::is_directory(lay.out))
    throw CliError("merge: " + lay.out.string() + ": no such directory");
  DirLock lock(lay.out);  // not while a sweep is writing into it
  const SpecsFile specs = read_specs(lay.specs);
  std::vector<json> runs;
  std::vector<std::string> missing, failed;
  // Results are found by spec, wherever they are (a run of an earlier sweep shape counts).
  const std::vector<KnownResult> known = scan_results(lay);
  std::vector<bool> taken(known.size(), false);
  FileDigestCache digests;
  for (const auto& s : specs.runs) {
    bool stale = false;
    const int k = find_result(known, taken, lay.result(s), s, false, digests, &stale);
    if (k < 0) {
      missing.push_back(run_file_stem(s) +
                        (stale ? " (stale: its firmware or trace changed since it ran)" : ""));
      continue;
    }
    taken[static_cast<size_t>(k)] = true;
    json r = relabel(known[static_cast<size_t>(k)].run, s);
    if (r.value("status", "") == "error") {
      const std::string e = r.value("error", "");
      failed.push_back(run_file_stem(s) + ": " + e.substr(0, e.find('\n')));
    }
    runs.push_back(std::move(r));
  }
  write_results(lay.out.string(), runs, specs.config);
  std::cout << comparison_table(runs, specs.config.value("baseline", "hawaii"), accelerators)
            << std::flush;
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
  if (const char* parent = std::getenv(kParentEnv); parent && *parent) {
    // Started by a sweep: die with it. If it is already gone, do not start at all.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (std::to_string(::getppid()) != parent) return 1;
  }
  if (!std::ifstream(spec_path)) throw CliError("run-one: " + spec_path + ": cannot read");
  if (index < 0)
    if (const char* env = std::getenv("SLURM_ARRAY_TASK_ID"); env && *env) index = std::atoi(env);
  RunSpec spec;
  try {
    if (index >= 0) {
      // A specs file: through its index only this run is read (a single RunSpec is itself).
      auto found = read_spec_at(spec_path, index);
      if (!found)
        throw CliError("run-one: " + spec_path + " has no run with index " + std::to_string(index));
      spec = std::move(*found);
    } else {
      std::ifstream in(spec_path);
      const json j = json::parse(in);
      if (j.contains("runs"))
        throw CliError("run-one: " + spec_path + " holds many runs; pass --index");
      spec = run_spec_from_json(j);
    }
  } catch (const CliError&) {
    throw;
  } catch (const json::parse_error& e) {
    throw CliError("run-one: " + spec_path + ": not JSON: " + e.what());
  } catch (const json::exception& e) {
    throw CliError("run-one: " + spec_path + ": not a valid run spec: " + e.what());
  } catch (const std::runtime_error& e) {  // unreadable
    throw CliError("run-one: " + std::string(e.what()));
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
  write_file_atomic(out, json_text(result, 2) + "\n");
  return rc;
}

}  // namespace ipsim
