#include "models/msp430_cpu.h"

#include <algorithm>
#include <cmath>

#include "models/fram.h"
#include "models/initiator_ext.h"
#include "models/mem_map.h"
#include "models/peripheral.h"

namespace ipsim {

namespace {
sc_core::sc_time period_of(double hz) {
  return sc_core::sc_time(1.0 / hz, sc_core::SC_SEC);
}
}  // namespace

Msp430Cpu::Msp430Cpu(const sc_core::sc_module_name& name, const Clocks& clocks, IrqLines& irq,
                     uint64_t quantum_cycles)
    : sc_core::sc_module(name),
      bus("bus"),
      m_core(*this, irq),
      m_clocks(clocks),
      m_irq(irq),
      m_quantum_cycles(quantum_cycles) {
  m_trans.set_extension(new InitiatorExtension(Initiator::kCpu));
  m_period = period_of(m_clocks.mclk_hz());
  // A CSCTL write that changes MCLK ends the slice, so every slice has one period.
  const_cast<Clocks&>(m_clocks).on_change([this] { m_core.request_stop(); });
  SC_THREAD(thread);
}

void Msp430Cpu::start_of_simulation() {
  const auto map_range = [this](uint32_t begin, uint32_t end, MemKind kind) {
    tlm::tlm_generic_payload trans;
    tlm::tlm_dmi dmi;
    trans.set_address(begin);
    trans.set_command(tlm::TLM_READ_COMMAND);
    if (!bus->get_direct_mem_ptr(trans, dmi))
      throw std::logic_error("no DMI for memory at " + std::to_string(begin));
    for (uint32_t a = begin; a < end; a += 1u << kPageShift)
      m_core.map_page(a >> kPageShift, dmi.get_dmi_ptr() + (a - dmi.get_start_address()), kind);
  };
  map_range(kSramBegin, kSramEnd, MemKind::kRam);
  map_range(kInfoFramBegin, kInfoFramEnd, MemKind::kFram);
  map_range(kFramBegin, kFramEnd, MemKind::kFram);
  if (m_fram) m_core.set_fram(&m_fram->cache(), &m_fram->counters());
}

void Msp430Cpu::finish(const std::string& reason) {
  if (m_finish_reason.empty()) m_finish_reason = reason;
  m_core.request_stop();
}

sc_core::sc_time Msp430Cpu::local_offset(uint64_t now_cycles) const {
  return m_period * static_cast<double>(now_cycles - m_slice_start_cycles);
}

void Msp430Cpu::map_direct(Peripheral& p, bool registers_only) {
  for (uint32_t a = p.base(); a < p.base() + p.size() && a < kPeriphEnd; a += 2)
    m_direct[a / 2] = Direct{&p, registers_only};
}

BusStatus Msp430Cpu::transport(tlm::tlm_command cmd, uint32_t addr, unsigned size, uint16_t& value,
                               uint64_t now) {
  if (addr < kPeriphEnd && m_direct[addr / 2].p != nullptr) {
    Peripheral& p = *m_direct[addr / 2].p;
    // sc_time_stamp() + local_offset(now), as b_transport's, when asked for.
    const Peripheral::LazyTime at{m_in_run ? m_run_now : sc_core::sc_time_stamp(), m_period,
                                  now - m_slice_start_cycles};
    const uint16_t width_mask = size == 1 ? 0x00FF : 0xFFFF;  // the bytes a payload carries
    bool ok;
    if (cmd == tlm::TLM_READ_COMMAND) {
      uint16_t v = 0;
      ok = p.read_reg(addr - p.base(), size, v, at);
      value = v & width_mask;
    } else {
      ok = p.write_reg(addr - p.base(), size, value & width_mask, at);
    }
    return ok ? BusStatus::kOk : BusStatus::kVacant;
  }
  sc_core::sc_time delay = local_offset(now);
  m_trans.set_command(cmd);
  m_trans.set_address(addr);
  m_trans.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
  m_trans.set_data_length(size);
  m_trans.set_streaming_width(size);
  m_trans.set_byte_enable_ptr(nullptr);
  m_trans.set_dmi_allowed(false);
  m_trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  bus->b_transport(m_trans, delay);
  return m_trans.is_response_ok() ? BusStatus::kOk : BusStatus::kVacant;
}

BusStatus Msp430Cpu::slow_read(uint32_t addr, unsigned size, uint16_t& value, uint64_t now) {
  value = 0;
  return transport(tlm::TLM_READ_COMMAND, addr, size, value, now);
}

BusStatus Msp430Cpu::slow_write(uint32_t addr, unsigned size, uint16_t value, uint64_t now) {
  return transport(tlm::TLM_WRITE_COMMAND, addr, size, value, now);
}

StopReason Msp430Cpu::run_core(uint64_t target_cycles) {
  struct InRun {
    bool& flag;
    ~InRun() { flag = false; }
  } in_run{m_in_run};
  m_run_now = sc_core::sc_time_stamp();
  m_in_run = true;
  return m_core.run(target_cycles);
}

namespace {
// wait(SC_ZERO_TIME), unless no process, update or delta notification is due at this time:
// then the wait would resume this thread in the next delta having changed nothing.
void yield_delta() {
  if (sc_core::sc_pending_activity_at_current_time()) sc_core::wait(sc_core::SC_ZERO_TIME);
}
}  // namespace

void Msp430Cpu::sleep_in_window() {
  // One stretch for the power model, whatever peripherals do meanwhile: the window is the
  // power model's (limit_sleep of the window's length); it ends early only when the CPU has
  // work (an interrupt line, a reset, the end of the run).
  const sc_core::sc_time before = sc_core::sc_time_stamp();
  if (m_window < sleep_window_min) m_window = sleep_window_min;
  const sc_core::sc_time allowed = limit_sleep(m_window);
  const sc_core::sc_time end = before + allowed;
  bool woke = false;
  for (;;) {
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (now >= end) break;
    sc_core::sc_time step = end - now;
    if (sc_core::sc_pending_activity_at_future_time())
      step = std::min(step, sc_core::sc_time_to_pending_activity());
    sc_core::wait(step);
    yield_delta();  // let a woken peripheral run first
    if (!asleep() || finished() || wake_pending()) {
      woke = true;
      break;
    }
  }
  const sc_core::sc_time slept = sc_core::sc_time_stamp() - before;
  m_sleep_time += slept;
  after_sleep(slept);  // may cut power and reboot the node
  // Windows the CPU sleeps through grow, up to sleep_window_max; a wake-up or a reboot starts
  // again.
  if (woke || !asleep())
    m_window = sleep_window_min;
  else if (allowed == m_window)  // not cut short by the power model
    m_window = std::min(m_window * 2.0, sleep_window_max);
}

void Msp430Cpu::thread() {
  try {
    run_slices();
  } catch (...) {
    m_thread_error = std::current_exception();
    if (m_finish_reason.empty()) m_finish_reason = "error";
    sc_core::sc_stop();
  }
}

void Msp430Cpu::run_slices() {
  m_qk.set_global_quantum(sc_core::sc_time(1, sc_core::SC_MS));
  m_qk.reset();
  at_start();
  while (!finished()) {
    // Let peripherals due at this very time (a timer or WDT event that coincides with the end
    // of the last slice) run first, so their interrupt or reset is seen before the next slice:
    // they become runnable in the same evaluation phase as this thread, in no set order.
    yield_delta();
    before_slice();
    m_period = period_of(m_clocks.mclk_hz());
    // Never run past the next pending SystemC activity: a peripheral event must see the
    // CPU at the right time (design.md §2).
    uint64_t slice = m_quantum_cycles;
    if (sc_core::sc_pending_activity_at_future_time()) {
      const double horizon = sc_core::sc_time_to_pending_activity() / m_period;
      slice = std::min<uint64_t>(slice, std::max<uint64_t>(1, static_cast<uint64_t>(horizon)));
    }
    const bool idle = asleep() && m_core.cycles() == m_slice_start_cycles;
    slice = limit_slice(slice, idle);
    if (finished()) break;
    uint64_t used = 0;
    StopReason reason = StopReason::kBudget;
    if (slice > 0) {
      // m_slice_start_cycles is where the last slice ended: cycles added since (a DMA
      // transfer that halted the CPU) belong to this slice's time. A halt longer than the
      // slice takes the whole slice, so a power budget can end a slice inside the halt.
      uint64_t rest = 0;  // of the halt, for the next slices
      if (m_core.cycles() - m_slice_start_cycles > slice) slice = std::max(slice, extend_slice());
      if (m_core.cycles() - m_slice_start_cycles > slice) {
        used = slice;
        rest = m_core.cycles() - m_slice_start_cycles - slice;
      } else {
        reason = run_core(m_slice_start_cycles + slice);
        if (reason == StopReason::kBudget) {
          // Reached the limit: if it was a bound, go on to the exact one (run() resumes as if
          // it had not stopped).
          const uint64_t exact = extend_slice();
          if (exact > slice) {
            slice = exact;
            reason = run_core(m_slice_start_cycles + slice);
          }
        }
        used = m_core.cycles() - m_slice_start_cycles;
      }
      const sc_core::sc_time duration = m_period * static_cast<double>(used);
      if (duration > sc_core::SC_ZERO_TIME) {
        m_qk.inc(duration);
        m_qk.sync();
      } else {
        yield_delta();  // no time to sync
      }
      m_slice_start_cycles = m_core.cycles() - rest;
      after_slice(used, duration);
    }
    if (finished()) break;
    switch (reason) {
      case StopReason::kFault:
        if (!(on_stop && on_stop(reason))) finish("fault");
        break;
      case StopReason::kBreakpoint:
      case StopReason::kDebugStop:
        if (!(on_stop && on_stop(reason))) finish("breakpoint");
        break;
      case StopReason::kSleep: {
        // LPM: MCLK is off. Wait for the next peripheral activity (or until the power model
        // needs to look), then let the core look at its interrupt lines again.
        const bool future = sc_core::sc_pending_activity_at_future_time();
        const sc_core::sc_time horizon = future ? sc_core::sc_time_to_pending_activity()
                                                : sc_core::sc_max_time() - sc_core::sc_time_stamp();
        const bool windows = sleep_window_min > sc_core::SC_ZERO_TIME;
        const sc_core::sc_time allowed =
            windows && future ? sc_core::SC_ZERO_TIME : limit_sleep(horizon);
        if (!future && allowed == horizon && !sc_core::sc_pending_activity_at_current_time()) {
          finish("sleep");  // nothing can ever wake the CPU (e.g. LPM4 after exit)
          break;
        }
        if (windows) {
          sleep_in_window();
          break;
        }
        const sc_core::sc_time before = sc_core::sc_time_stamp();
        if (allowed > sc_core::SC_ZERO_TIME) sc_core::wait(allowed);
        yield_delta();  // let a woken peripheral run first
        const sc_core::sc_time slept = sc_core::sc_time_stamp() - before;
        m_sleep_time += slept;
        after_sleep(slept);
        break;
      }
      case StopReason::kBudget:
      case StopReason::kSyncRequest:
        break;
    }
  }
  sc_core::sc_stop();
}

}  // namespace ipsim
