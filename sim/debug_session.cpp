#include "sim/debug_session.h"

#include <cctype>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "sim/cli_error.h"
#include "sim/debug_observers.h"
#include "sim/gdb_server.h"
#include "sim/platform.h"

namespace ipsim {

namespace po = boost::program_options;

void DebugOptions::add_to(po::options_description& opts) {
  opts.add_options()("stop-at", po::value(&stop_at)->composing(),
                     "stop before executing the instruction at SYMBOL or ADDR (repeatable)")(
      "continue", po::value(&continue_count),
      "continue past the first N breakpoint stops (stop at the N+1-th)")(
      "trace", po::value(&trace_path), "write an instruction trace to FILE")(
      "trace-limit", po::value(&trace_limit), "at most N instructions in the trace (1000000)")(
      "profile", po::value(&profile_path),
      "per-function profile: CSV to FILE, gprof-like table beside it (.csv -> .txt)")(
      "gdb", po::value(&gdb_port), "wait for GDB on 127.0.0.1:PORT (0: any free port)")(
      "gdb-no-power-stops", po::bool_switch(&gdb_no_power_stops),
      "GDB: do not stop at brown-outs and reboots")(
      "no-blocks", po::bool_switch(&no_blocks),
      "execute instruction by instruction (slower; results are the same as with block runs)");
}

std::string profile_table_path(const std::string& csv_path) {
  const std::string ext = ".csv";
  if (csv_path.size() > ext.size() &&
      csv_path.compare(csv_path.size() - ext.size(), ext.size(), ext) == 0)
    return csv_path.substr(0, csv_path.size() - ext.size()) + ".txt";
  return csv_path + ".txt";
}

uint32_t resolve_code_address(const std::string& spec, const ElfImage& image) {
  if (const auto sym = image.find(spec)) return sym->addr;
  if (!spec.empty() && std::isdigit(static_cast<unsigned char>(spec[0]))) {
    try {
      size_t used = 0;
      const unsigned long long v = std::stoull(spec, &used, 0);
      if (used == spec.size() && v <= 0xFFFFF) return static_cast<uint32_t>(v);
    } catch (const std::exception&) {
    }
    throw CliError("--stop-at " + spec + ": expected a symbol or an address 0-0xFFFFF");
  }
  throw CliError("--stop-at " + spec + ": no such symbol in " + image.path());
}

DebugSession::DebugSession(const DebugOptions& options, const ElfImage& image)
    : m_options(options), m_image(image), m_continues_left(options.continue_count) {
  for (size_t i = 1; i < m_options.stop_at.size(); ++i) {
    if (!m_breakpoints) m_breakpoints = std::make_unique<BreakpointSet>();
    m_breakpoints->add(resolve_code_address(m_options.stop_at[i], image));
  }
}

DebugSession::~DebugSession() = default;

void DebugSession::prepare(PlatformConfig& config) {
  if (!m_options.stop_at.empty())
    config.stop_at = resolve_code_address(m_options.stop_at[0], m_image);
}

void DebugSession::attach(Platform& platform) {
  if (m_options.no_blocks) platform.core().set_block_runs(false);
  if (m_breakpoints) platform.add_observer(m_breakpoints.get());
  if (!m_options.trace_path.empty()) {
    m_trace = std::make_unique<InstructionTrace>(platform.core(), m_options.trace_path,
                                                 m_options.trace_limit);
    platform.add_observer(m_trace.get());
  }
  if (!m_options.profile_path.empty()) {
    m_profiler = std::make_unique<Profiler>(platform, m_image);
    platform.add_observer(m_profiler.get());
    platform.after_slice_hook = [this] { m_profiler->after_slice(); };
  }
  if (m_options.gdb_port >= 0) {
    m_gdb =
        std::make_unique<GdbServer>(platform, m_options.gdb_port, !m_options.gdb_no_power_stops);
    platform.add_observer(m_gdb.get());
  }
  if (m_trace || m_profiler || m_gdb)
    platform.on_power_event = [this](const char* what) {
      if (m_trace) m_trace->event(what);
      if (m_profiler) m_profiler->event(what);
      if (m_gdb) m_gdb->event(what);
    };
  platform.cpu().on_stop = [this](StopReason reason) {
    if (m_gdb && m_gdb->on_stop(reason)) return true;
    if (reason == StopReason::kFault) return false;
    if (m_gdb) return false;  // GDB detached at a stop, or killed the run
    ++m_breakpoint_stops;
    if (m_continues_left == 0) return false;
    --m_continues_left;
    return true;
  };
  if (m_gdb) m_gdb->wait_for_client();
}

void DebugSession::finish(Platform& platform) {
  if (m_gdb) m_gdb->finished(platform.stop_reason(), platform.exit_code());
  if (m_trace) m_trace->finish();
  if (m_profiler) {
    m_profiler->finish();
    m_profiler->write_csv(m_options.profile_path);
    const std::string table = m_profiler->flat_table(1000000);
    const std::string txt = profile_table_path(m_options.profile_path);
    std::ofstream(txt + ".tmp") << table;
    if (std::rename((txt + ".tmp").c_str(), txt.c_str()) != 0)
      throw std::runtime_error("--profile: cannot write " + txt);
  }
}

}  // namespace ipsim
