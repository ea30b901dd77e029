#pragma once
// Msp430Cpu: the SystemC module around Msp430Core (style.md "The CPU": ISS plus a thin module
// owning the thread). Loosely timed (design.md §2): the core runs in slices of up to
// `quantum_cycles` MCLK cycles, never past the next pending SystemC activity (a timer or WDT
// event, a DMA or LEA completion), then the module advances SystemC time once through a
// tlm_quantumkeeper. SRAM and FRAM are reached by DMI; peripherals through b_transport with
// the core's local time offset as delay, or by a direct call with the same time (map_direct).
#include <cstdint>
#include <exception>
#include <functional>
#include <string>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>
#include <systemc>
#include <tlm>

#include "models/clocks.h"
#include "models/cpu/msp430_core.h"
#include "models/irq.h"
#include "models/mem_map.h"

namespace ipsim {

class Fram;
class Peripheral;

class Msp430Cpu : public sc_core::sc_module, public CoreBus {
 public:
  tlm_utils::simple_initiator_socket<Msp430Cpu> bus;

  SC_HAS_PROCESS(Msp430Cpu);
  Msp430Cpu(const sc_core::sc_module_name& name, const Clocks& clocks, IrqLines& irq,
            uint64_t quantum_cycles);

  Msp430Core& core() { return m_core; }
  // SRAM and FRAM pages are mapped by DMI through the bus at the start of simulation, when
  // the bus's sockets are bound; fram provides the cache model and the NVM counters.
  void use_fram(Fram& fram) { m_fram = &fram; }
  // The CPU reaches p's registers by a direct call, as Peripheral::b_transport would (same
  // offset, value and access time), without the TLM round trip: only for a peripheral whose
  // b_transport is Peripheral's own (DMA and Timer_A add work to theirs).
  // registers_only: its register accesses write no memory themselves (what a DMA transfer they
  // trigger writes is reported by the memories, see Sram/Fram::on_write).
  void map_direct(Peripheral& p, bool registers_only);

  // Hooks for the platform (power model, resets, stop conditions). All run in the CPU thread.
  // at_start: once, before the first instruction (power-on reset of the platform).
  std::function<void()> at_start = [] {};
  // before_slice: state changes that schedule peripheral events (a reset restarts the WDT)
  // come before the slice length is chosen from the next pending event.
  std::function<void()> before_slice = [] {};
  // budget: given a proposed slice length in cycles, returns the allowed length (>= 1, or 0 to
  // end the slice without running, e.g. power is off). idle: the core will run no instruction
  // and no cycle in this slice (it sleeps, no interrupt line is up, no DMA halt is pending), so
  // only a 0 matters.
  std::function<uint64_t(uint64_t proposed, bool idle)> limit_slice = [](uint64_t p, bool) {
    return p;
  };
  // A limit may be a lower bound, given when the exact one costs work that a slice ending
  // earlier (a sync request, sleep) never needs: when the slice reaches it (or a DMA halt
  // exceeds it), extend_slice gives the exact limit (>= the bound; 0: the limit was exact),
  // and the slice goes on to it as if it had been given at once.
  std::function<uint64_t()> extend_slice = [] { return uint64_t{0}; };
  // After every slice: cycles run, time the slice took. May call wait() (e.g. power off).
  std::function<void(uint64_t cycles, const sc_core::sc_time& duration)> after_slice =
      [](uint64_t, const sc_core::sc_time&) {};
  // Longest time the CPU may sleep before it must look again (e.g. the capacitor would reach
  // v_off); the thread wakes then even with no peripheral activity.
  std::function<sc_core::sc_time(const sc_core::sc_time& proposed)> limit_sleep =
      [](const sc_core::sc_time& p) { return p; };
  // Sleep windows (sleep_window_min > 0): a sleep is one stretch of at most the window, which
  // starts at sleep_window_min and doubles, up to sleep_window_max, while the CPU sleeps through
  // whole windows; peripheral events inside it do not end it, so the stretches the power
  // model books do not depend on how finely peripherals schedule their events. The window
  // ends early when the CPU has work: an interrupt line, the end of the run, or wake_pending().
  // A wake-up or a reboot starts again from sleep_window_min.
  sc_core::sc_time sleep_window_min, sleep_window_max;
  std::function<bool()> wake_pending = [] { return false; };
  // Time spent asleep (CPUOFF) between two slices.
  std::function<void(const sc_core::sc_time& duration)> after_sleep = [](const sc_core::sc_time&) {
  };
  // A debugger's say when the core stops at a breakpoint, a CoreObserver stop or a fault:
  // true resumes the run (time has not advanced meanwhile), false ends it. Empty: it ends.
  std::function<bool(StopReason)> on_stop;
  // Ends the simulation after the current slice (sc_stop()) with this reason.
  void finish(const std::string& reason);
  bool finished() const { return !m_finish_reason.empty(); }
  // CPUOFF set and no interrupt line up: the core runs nothing until a peripheral acts.
  bool asleep() const { return (m_core.sr() & 0x0010) && !m_irq.any(); }
  // An exception thrown inside the CPU thread is caught there (the coroutine's own stack) and
  // rethrown by this, after sc_start() has returned, on the main stack. SystemC's stack
  // switches are invisible to AddressSanitizer, which loses track of an exception that
  // unwinds out of a coroutine.
  void rethrow_thread_error() const {
    if (m_thread_error) std::rethrow_exception(m_thread_error);
  }
  const std::string& finish_reason() const { return m_finish_reason; }

  const sc_core::sc_time& sleep_time() const { return m_sleep_time; }
  // Power is gone: the rest of a DMA halt the CPU still owes is not served after the reboot.
  void drop_halt() { m_slice_start_cycles = m_core.cycles(); }

  // CoreBus
  BusStatus slow_read(uint32_t addr, unsigned size, uint16_t& value, uint64_t now) override;
  BusStatus slow_write(uint32_t addr, unsigned size, uint16_t value, uint64_t now) override;
  bool registers_only(uint32_t addr) const override {
    return addr < kPeriphEnd && m_direct[addr / 2].registers_only;
  }

 private:
  void thread();
  void run_slices();
  std::exception_ptr m_thread_error;
  void start_of_simulation() override;
  sc_core::sc_time local_offset(uint64_t now_cycles) const;
  BusStatus transport(tlm::tlm_command cmd, uint32_t addr, unsigned size, uint16_t& value,
                      uint64_t now);
  StopReason run_core(uint64_t target_cycles);
  void sleep_in_window();
  sc_core::sc_time m_window;  // the next sleep window's length

  Msp430Core m_core;
  Fram* m_fram = nullptr;
  const Clocks& m_clocks;
  IrqLines& m_irq;
  uint64_t m_quantum_cycles;
  tlm_utils::tlm_quantumkeeper m_qk;
  uint64_t m_slice_start_cycles = 0;
  sc_core::sc_time m_period;
  // sc_time_stamp() while m_core.run() runs (the CPU thread never waits inside it).
  sc_core::sc_time m_run_now;
  bool m_in_run = false;
  sc_core::sc_time m_sleep_time;
  std::string m_finish_reason;
  tlm::tlm_generic_payload m_trans;
  struct Direct {
    Peripheral* p = nullptr;  // nullptr: through the bus
    bool registers_only = false;
  };
  Direct m_direct[kPeriphEnd / 2];  // by address / 2
};

}  // namespace ipsim
