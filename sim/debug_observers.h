#pragma once
// Instruction observers for `ipsim exec` and `ipsim run`: several breakpoints, an instruction
// trace, and a per-function profile. Each is a CoreObserver (models/cpu/msp430_core.h); the
// core only calls them when one is installed, so a run without them keeps its speed.
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "models/cpu/msp430_core.h"
#include "models/elf_image.h"

namespace ipsim {

class Platform;

// Several observers behind the core's single observer slot, called in the order added.
class ObserverChain : public CoreObserver {
 public:
  void add(CoreObserver* o) { m_list.push_back(o); }
  // The one observer if there is only one (saves a call), else the chain.
  CoreObserver* single() { return m_list.size() == 1 ? m_list[0] : this; }
  bool before_insn(uint32_t pc, bool first) override;
  void after_insn(uint32_t pc, uint64_t start_cycle, bool is_call) override;
  void on_interrupt(unsigned vector, uint32_t from_pc) override;
  bool on_watch(uint32_t addr, unsigned size, bool write) override;

 private:
  std::vector<CoreObserver*> m_list;
};

// Stops before any of a set of addresses (the instruction the run resumes on is let through).
class BreakpointSet : public CoreObserver {
 public:
  void add(uint32_t addr) { m_addrs.insert(addr & 0xFFFFE); }
  bool before_insn(uint32_t pc, bool first) override { return !first && m_addrs.count(pc); }
  void after_insn(uint32_t, uint64_t, bool) override {}
  void on_interrupt(unsigned, uint32_t) override {}
  bool on_watch(uint32_t, unsigned, bool) override { return false; }

 private:
  std::set<uint32_t> m_addrs;
};

// --trace FILE: one line per instruction (cycle before it, PC, disassembly, registers it
// changed), plus interrupt, brown-out, reboot and reset lines; at most `limit` instruction
// lines, then one line saying the trace was cut. Written to FILE.tmp, renamed by finish().
class InstructionTrace : public CoreObserver {
 public:
  InstructionTrace(Msp430Core& core, std::string path, uint64_t limit);
  ~InstructionTrace() override;
  bool before_insn(uint32_t pc, bool first) override;
  void after_insn(uint32_t pc, uint64_t start_cycle, bool is_call) override;
  void on_interrupt(unsigned vector, uint32_t from_pc) override;
  bool on_watch(uint32_t, unsigned, bool) override { return false; }
  void event(const char* what);  // a Platform::on_power_event
  void finish();                 // flush and rename into place
  uint64_t lines() const { return m_lines; }

 private:
  bool full();
  Msp430Core& m_core;
  std::string m_path;
  uint64_t m_limit;
  FILE* m_file = nullptr;
  uint64_t m_lines = 0;
  bool m_cut = false;
  uint32_t m_before[16] = {};
};

// --profile: per ELF function cycles, instructions, energy, FRAM data bytes read and written
// (all initiators), LEA busy cycles and calls; exclusive, plus inclusive cycles through a
// shadow call stack (CALL/CALLA and interrupt entries push a frame; a frame pops when SP rises
// above it, which covers RET, RETA, RETI and stack resets). Cycles lost to re-execution (since
// the last new progress marker before a power failure, as PowerController::wasted_cycles) are
// counted apart per function. Approximations, stated: energy is booked by the power model per
// CPU slice and is split over the functions that ran in that slice by their cycles (a sleep
// goes to the function that slept); LEA cycles and DMA transfers that ran between two slices
// go to the function current at the slice's end or the next instruction.
class Profiler : public CoreObserver {
 public:
  Profiler(Platform& platform, const ElfImage& image);
  bool before_insn(uint32_t, bool) override { return false; }
  void after_insn(uint32_t pc, uint64_t start_cycle, bool is_call) override {
    after_run(pc, 1, start_cycle, is_call);
  }
  void on_interrupt(unsigned vector, uint32_t from_pc) override;
  bool on_watch(uint32_t, unsigned, bool) override { return false; }
  // Runs lie in one function and grow the stack only at their end, so booking a run at once
  // gives what booking its instructions one by one would.
  bool takes_runs() const override { return true; }
  std::vector<uint32_t> run_breaks() const override;
  void after_run(uint32_t first_pc, unsigned n, uint64_t start_cycle, bool is_call) override;
  void after_slice();            // Platform::after_slice_hook
  void event(const char* what);  // Platform::on_power_event
  void finish();                 // books what is left after the last instruction

  struct Row {
    std::string name;
    uint32_t addr = 0;
    uint64_t cycles = 0, instructions = 0, inclusive_cycles = 0, calls = 0;
    uint64_t fram_read_bytes = 0, fram_write_bytes = 0, lea_cycles = 0, reexec_cycles = 0;
    double energy_j = 0;
  };
  // Functions that ran, most exclusive cycles first; "<no symbol>" gathers code outside any
  // function symbol.
  std::vector<Row> rows() const;
  Row totals() const;
  std::string flat_table(size_t max_rows) const;  // gprof-like
  // CSV with a header line, written atomically (FILE.tmp, rename).
  void write_csv(const std::string& path) const;

 private:
  struct Frame {
    unsigned func;
    uint32_t sp;
    uint64_t entry_cycles;
  };
  unsigned function_at(uint32_t pc);
  void book_cycles(unsigned func);
  void push(unsigned func, uint64_t now);
  void pop_returned(uint32_t sp, uint64_t now);

  Platform& m_platform;
  std::vector<Row> m_rows;  // one per function symbol, plus the last for "<no symbol>"
  std::vector<std::pair<uint32_t, uint32_t>> m_ranges;  // [begin, end) per row
  unsigned m_last_func = 0;
  uint64_t m_last_cycles = 0;
  uint64_t m_last_read = 0, m_last_write = 0, m_last_lea = 0;
  double m_last_energy = 0;
  unsigned m_current = 0;  // function of the last instruction
  std::vector<Frame> m_stack;
  std::vector<unsigned> m_active;  // frames per function (recursion counts once)
  std::vector<uint64_t> m_slice_cycles;
  std::vector<unsigned> m_slice_touched;
  std::vector<uint64_t> m_since_progress;  // cycles per function since the progress point
  std::vector<unsigned> m_progress_touched;
  uint64_t m_progress_seen = 0;
  bool m_started = false;
};

}  // namespace ipsim
