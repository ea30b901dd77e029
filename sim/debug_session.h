#pragma once
// The debugging options of `ipsim exec` (--stop-at, --continue, --trace, --trace-limit,
// --profile, --gdb, --gdb-no-power-stops, --no-blocks; `ipsim run` fills in its --gdb,
// --gdb-no-power-stops and per-run profiles), and the session that installs them on a
// Platform before its run and finishes them after it. With none of them given nothing is
// installed and the core keeps its fast loop.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace ipsim {

class BreakpointSet;
class ElfImage;
class GdbServer;
class InstructionTrace;
class Platform;
class Profiler;
struct PlatformConfig;

struct DebugOptions {
  std::vector<std::string> stop_at;  // symbols or addresses
  uint64_t continue_count = 0;       // breakpoint stops to continue past
  std::string trace_path;
  uint64_t trace_limit = 1000000;
  std::string profile_path;  // CSV; the flat table beside it (profile_table_path)
  int gdb_port = -1;         // -1: no GDB server
  bool gdb_no_power_stops = false;
  bool no_blocks = false;  // exec only: instruction by instruction, the block path's reference

  void add_to(boost::program_options::options_description& opts);
  bool any() const {
    return !stop_at.empty() || !trace_path.empty() || !profile_path.empty() || gdb_port >= 0 ||
           no_blocks;
  }
};

// Where the flat profile table goes: X.csv -> X.txt, anything else -> PATH.txt.
std::string profile_table_path(const std::string& csv_path);

// Resolves a --stop-at argument: a symbol of image, else a number (decimal or 0x hex).
uint32_t resolve_code_address(const std::string& spec, const ElfImage& image);

class DebugSession {
 public:
  // The first --stop-at goes to the core's own breakpoint (fast loop); the rest, and
  // everything else, become observers. Call prepare() before constructing the Platform.
  DebugSession(const DebugOptions& options, const ElfImage& image);
  ~DebugSession();
  void prepare(PlatformConfig& config);
  // Installs the observers and hooks on platform; with --gdb, waits for the client.
  void attach(Platform& platform);
  // After Platform::run(): finishes the trace, the profile (written to its files) and GDB.
  void finish(Platform& platform);
  uint64_t breakpoint_stops() const { return m_breakpoint_stops; }
  const Profiler* profiler() const { return m_profiler.get(); }

 private:
  DebugOptions m_options;
  const ElfImage& m_image;
  std::unique_ptr<BreakpointSet> m_breakpoints;
  std::unique_ptr<InstructionTrace> m_trace;
  std::unique_ptr<Profiler> m_profiler;
  std::unique_ptr<GdbServer> m_gdb;
  uint64_t m_breakpoint_stops = 0;
  uint64_t m_continues_left = 0;
};

}  // namespace ipsim
