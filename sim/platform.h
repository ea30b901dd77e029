#pragma once
// Platform: the SystemC top of one run (design.md §1). It instantiates the MCU models, maps
// them on the bus, wires interrupts and resets, loads the firmware image, and runs until the
// firmware exits, faults, hits a breakpoint or a limit.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <systemc>

#include "models/bus.h"
#include "models/clock_system.h"
#include "models/debug_port.h"
#include "models/dma.h"
#include "models/elf_image.h"
#include "models/eusci_spi.h"
#include "models/fram.h"
#include "models/frctl.h"
#include "models/gpio.h"
#include "models/irq.h"
#include "models/lea.h"
#include "models/mpy32.h"
#include "models/msp430_cpu.h"
#include "models/spi_fram.h"
#include "models/sram.h"
#include "models/sync.h"
#include "models/system_regs.h"
#include "models/timer_a.h"
#include "models/wdt.h"
#include "sim/power_controller.h"

namespace ipsim {

class ObserverChain;

// Where persistent state can live (docs/config.md platform.nvm).
struct NvmPlatformConfig {
  enum class Kind { kInternal, kSpiFram };
  Kind kind = Kind::kInternal;
  // spi-fram: a CY15B104Q on eUSCI_A3, chip select P6.3 (the Stateful-CNN / iNAS wiring);
  // the SPI clock firmware should use (written to the ELF symbol spi_fram_brw as UCBRW).
  double spi_clock_hz = 4e6;
  unsigned spi_prescaler = 4;  // SMCLK / spi_clock_hz: written to spi_fram_brw if it exists
  // Hypothetical on-chip NVM (what-if; no real part): CPU wait states added to every FRAM
  // array read (cache miss) and write, and energy added per array read (CPU miss, DMA or LEA
  // read) and per write access of any initiator.
  unsigned extra_read_wait_states = 0, extra_write_wait_states = 0;
  double extra_read_energy_j = 0, extra_write_energy_j = 0;
};

struct PlatformConfig {
  uint64_t seed = 1;                 // SRAM power-up pattern and any other randomness
  uint64_t quantum_cycles = 100000;  // longest CPU slice between SystemC synchronisations
  uint64_t max_cycles = 0;           // 0: no limit
  std::optional<uint32_t> stop_at;   // breakpoint address
  PowerConfig power;                 // continuous unless configured
  NvmPlatformConfig nvm;
};

class Platform {
 public:
  Platform(const PlatformConfig& config, const ElfImage& image);
  ~Platform();

  // Runs the simulation to the end (sc_start). Call once per process (SystemC elaborates once).
  void run();

  // Why the run ended: "exit", "breakpoint", "max-cycles", "fault", "sleep".
  const std::string& stop_reason() const { return m_cpu.finish_reason(); }
  int exit_code() const { return m_exit_code; }
  std::string fault_message();

  Msp430Core& core() { return m_cpu.core(); }
  Fram& fram() { return m_fram; }
  Lea& lea() { return m_lea; }
  Dma& dma() { return m_dma; }
  Sram& sram() { return m_sram; }
  SpiFram* spi_fram() { return m_spi_fram.get(); }  // null unless platform.nvm is spi-fram
  DebugPort& debug_port() { return m_debug; }
  const ElfImage& image() const { return m_image; }
  double sim_time_s() const { return sc_core::sc_time_stamp().to_seconds(); }
  double sleep_time_s() const { return m_cpu.sleep_time().to_seconds(); }  // CPU in an LPM
  uint64_t resets() const { return m_resets; }  // PUC/POR/BOR requested by peripherals
  uint64_t boots() const { return m_boots; }    // power-on resets, the first one included
  PowerController& power() { return *m_power; }
  Msp430Cpu& cpu() { return m_cpu; }

  // Debugging, tracing, profiling (sim/debug_observers.h, sim/gdb_server.h); unused, they cost
  // nothing. Observers see every instruction in the order added (not owned).
  void add_observer(CoreObserver* observer);
  // Power and reset events as they happen: "brown-out" (power lost), "reboot" (power back,
  // BOR), "reset" (a PUC/POR requested by a peripheral).
  std::function<void(const char* event)> on_power_event;
  // After every CPU slice and sleep, once the power model has booked it.
  std::function<void()> after_slice_hook;
  // Node-level actions for a debugger: a BOR now, as if the supply had been cycled with no
  // off time (FRAM kept, SRAM and registers lost).
  void reset_node();

  // Writes an ELF symbol's bytes into the image before the run (a deployment parameter, like
  // flashing); not NVM traffic. Throws if the symbol is missing, too small or not in FRAM.
  void write_symbol(const std::string& name, const std::vector<uint8_t>& bytes);
  // Reads memory the way a debugger does (no side effects, no counting). Throws for vacant.
  std::vector<uint8_t> read_memory(uint32_t addr, uint32_t len);
  // Writes SRAM or FRAM the way a debugger does (not NVM traffic). Throws for anything else.
  void write_memory(uint32_t addr, const std::vector<uint8_t>& bytes);

 private:
  void request_reset(const ResetCause& cause);
  void apply_pending_reset();
  void load_image();
  // Batched peripherals go back to one event per item: the CPU may run (models/sync.h).
  void refine();
  void bind(Peripheral& p);
  void lose_power();
  void restore_power();

  PlatformConfig m_config;
  const ElfImage& m_image;
  IrqLines m_irq;
  Bus m_bus;
  Sram m_sram;
  Fram m_fram;
  ClockSystem m_clock;
  Msp430Cpu m_cpu;
  Frctl m_frctl;
  Wdt m_wdt;
  Sfr m_sfr;
  Pmm m_pmm;
  Sys m_sys;
  Gpio m_gpio;
  DebugPort m_debug;
  CpuHooks m_cpu_hooks;
  Mpy32 m_mpy;
  Dma m_dma;
  Lea m_lea;
  TimerA m_ta0, m_ta1, m_ta2, m_ta3;
  EusciSpi m_ucb0, m_uca3;
  std::unique_ptr<SpiFram> m_spi_fram;
  std::vector<Peripheral*> m_peripherals;
  std::optional<ResetCause> m_pending_reset;
  std::unique_ptr<PowerController> m_power;
  std::unique_ptr<ObserverChain> m_observers;
  uint64_t m_resets = 0;
  uint64_t m_boots = 0;
  int m_exit_code = 0;
};

}  // namespace ipsim
