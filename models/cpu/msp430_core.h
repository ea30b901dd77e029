#pragma once
// Msp430Core: the MSP430X (CPUX) instruction-set simulator, as a plain class.
// PUBLIC API CONTRACT (used by the platform, the power model and tests; keep it stable):
#include <cstdint>
#include <string>
#include <vector>

#include "models/cpu/core_bus.h"
#include "models/irq.h"

namespace ipsim {

class FramCache;
class NvmCounters;

enum class StopReason : uint8_t {
  kBudget,       // the cycle target given to run() was reached
  kSleep,        // CPUOFF set and no interrupt can wake the core: caller waits for an IRQ
  kBreakpoint,   // PC reached the breakpoint address (before executing it)
  kFault,        // illegal instruction or vacant access: see fault()
  kSyncRequest,  // request_stop() was called (a peripheral needs the present)
  kDebugStop     // the CoreObserver asked to stop (breakpoint, step, watchpoint)
};

// Sees every instruction, for debuggers, tracers and profilers. While one is set, run() takes
// a separate loop that calls it; with none set the fast loop is untouched (no per-instruction
// cost). All calls come from run() or step().
class CoreObserver {
 public:
  virtual ~CoreObserver() = default;
  // Before the instruction at pc; first: the first instruction of this run() (a debugger
  // resuming from a breakpoint lets it execute). true: stop before it (kDebugStop).
  virtual bool before_insn(uint32_t pc, bool first) = 0;
  // After it retired: start_cycle is the cycle count before it; is_call: CALL or CALLA.
  virtual void after_insn(uint32_t pc, uint64_t start_cycle, bool is_call) = 0;
  // An interrupt was accepted (vector index, facts §1.3) while the PC was from_pc.
  virtual void on_interrupt(unsigned vector, uint32_t from_pc) = 0;
  // A CPU data access to a watched page (set_page_watched). true: stop after the instruction.
  virtual bool on_watch(uint32_t addr, unsigned size, bool write) = 0;

  // An observer that only books what ran (a profiler) may see straight-line runs instead of
  // single instructions: after_run replaces before_insn and after_insn for them. Read when
  // the observer is set. A run then starts at each of run_breaks() it reaches (the bounds of
  // the observer's address ranges, so a run lies in one), and ends after any instruction
  // that may raise SP (so the stack only grows before a run's last instruction).
  virtual bool takes_runs() const { return false; }
  virtual std::vector<uint32_t> run_breaks() const { return {}; }
  // n instructions retired from first_pc on, the first at start_cycle; is_call: the last was
  // CALL or CALLA.
  virtual void after_run(uint32_t first_pc, unsigned n, uint64_t start_cycle, bool is_call) {
    (void)first_pc, (void)n, (void)start_cycle, (void)is_call;
  }
};

struct Fault {
  enum class Kind : uint8_t { kNone, kIllegalInstruction, kVacantAccess, kFetchFromPeripheral };
  Kind kind = Kind::kNone;
  uint32_t pc = 0;       // address of the faulting instruction
  uint32_t address = 0;  // faulting data address (or the opcode for an illegal instruction)
  uint64_t cycle = 0;    // core cycle count when it happened
  std::string message() const;
};

class Msp430Core {
 public:
  Msp430Core(CoreBus& bus, IrqLines& irq);
  ~Msp430Core();
  Msp430Core(const Msp430Core&) = delete;
  Msp430Core& operator=(const Msp430Core&) = delete;

  // Memory map: page p (256 B) of the 20-bit space. FRAM pages also need fram_hooks().
  void map_page(uint32_t page, uint8_t* host, MemKind kind);
  // FRAM cache and NVM counters used on FRAM pages; nwaits = FRCTL0.NWAITS.
  void set_fram(FramCache* cache, NvmCounters* counters);
  void set_nwaits(unsigned nwaits);
  // Hypothetical slower NVM (platform.nvm): wait states added to every FRAM array read (cache
  // miss) and write, on top of NWAITS.
  void set_extra_nvm_waits(unsigned read, unsigned write);

  // BOR/PUC: SR = 0, PC = word at 0xFFFE, registers otherwise undefined (kept as is).
  void reset();

  // Runs until cycles() >= target_cycles, or an earlier stop. An instruction is never cut in
  // half; run() may overshoot target_cycles by the last instruction's cycles.
  StopReason run(uint64_t target_cycles);

  void request_stop();  // ends the run after the current instruction
  void set_breakpoint(uint32_t addr) { m_breakpoint = addr; }  // 0xFFFFFFFF = none
  // Observer of every instruction (nullptr: none, the fast loop), or of every run when it
  // takes runs and block runs are on. Not owned.
  void set_observer(CoreObserver* observer);
  // CPU data accesses to a watched 256-byte page take the slow path and call
  // CoreObserver::on_watch (code on the page still runs). Pages that are not SRAM or FRAM
  // cannot be watched.
  void set_page_watched(uint32_t page, bool watched);
  void add_cycles(uint64_t n);  // CPU stalled (DMA block transfer)
  // Memory was written by someone else (a DMA transfer) while the core may be running: its
  // decoded code is checked against memory again before it runs on.
  void memory_may_change();
  // run() executes decoded straight-line runs as blocks (default) or instruction by
  // instruction; the results are identical (tests compare them), only the speed differs.
  void set_block_runs(bool on);

  uint32_t reg(unsigned n) const;
  void set_reg(unsigned n, uint32_t value);
  uint32_t pc() const { return reg(0); }
  uint16_t sr() const { return static_cast<uint16_t>(reg(2)); }
  uint64_t cycles() const;
  // Data reads and writes of SRAM (per byte or 16-bit word), for the energy model.
  uint64_t sram_accesses() const;
  uint64_t instructions() const;
  // A fault stops the run before the faulting instruction commits its results: PC stays at
  // Fault::pc, and the destination (register, memory, SR flags) of a load or store that hits
  // vacant memory is not written. Side effects that precede the faulting access within that
  // instruction (an @Rn+ increment, the SP decrement of PUSH/CALL, earlier words of PUSHM,
  // POPM or a repeated instruction, a peripheral read) are kept, and its cycles so far count.
  const Fault& fault() const;
  bool sleeping() const;  // CPUOFF set in SR

  // Executes exactly one instruction (or interrupt entry) regardless of targets; for tests.
  StopReason step();

  // Length in bytes and base cycle count (CPUX tables, zero wait states) of the instruction
  // at addr, plus its disassembly; for tests and tracing. Does not change state.
  struct InsnInfo {
    unsigned length = 0;
    unsigned cycles = 0;
    bool valid = false;
    std::string text;
  };
  InsnInfo inspect(uint32_t addr);

 private:
  struct Impl;
  StopReason run_observed(uint64_t target_cycles);
  void update_observer_runs();
  Impl* m_impl;
  CoreObserver* m_observer = nullptr;
  uint32_t m_breakpoint = 0xFFFFFFFF;
  // Set when run() stopped at the breakpoint: the next run() executes that instruction
  // instead of stopping again. A breakpoint at the reset entry still stops the first run().
  bool m_resume_at_breakpoint = false;
  bool m_stop_requested = false;
  bool m_block_runs = true;
};

}  // namespace ipsim
