#include "sim/platform.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "sim/debug_observers.h"

namespace ipsim {

namespace {
// stdout belongs to results (--json); SystemC's own reports go to stderr, and its
// informational ones ("Simulation stopped by user") are dropped.
void report_to_stderr(const sc_core::sc_report& report, const sc_core::sc_actions& actions) {
  if (report.get_severity() == sc_core::SC_INFO) return;
  if (actions & sc_core::SC_DISPLAY)
    std::fprintf(stderr, "%s\n", sc_core::sc_report_compose_message(report).c_str());
  sc_core::sc_report_handler::default_handler(report, actions & ~sc_core::SC_DISPLAY);
}
}  // namespace

Platform::Platform(const PlatformConfig& config, const ElfImage& image)
    : m_config(config),
      m_image(image),
      m_bus("bus"),
      m_sram("sram"),
      m_fram("fram"),
      m_clock("cs"),
      m_cpu("cpu", m_clock, m_irq, config.quantum_cycles),
      m_frctl(
          "frctl", m_clock, [this](const ResetCause& c) { request_reset(c); },
          [this](unsigned nwaits) {
            m_cpu.core().set_nwaits(nwaits);
            m_fram.set_wait_states(&m_clock, nwaits);
          }),
      m_wdt("wdt", m_clock, m_irq, [this](const ResetCause& c) { request_reset(c); }),
      m_sfr("sfr"),
      m_pmm("pmm", [this](const ResetCause& c) { request_reset(c); }),
      m_sys("sys"),
      m_gpio("gpio"),
      m_debug("dbg"),
      m_mpy("mpy32", m_clock),
      m_dma("dma", m_clock, m_irq, m_cpu_hooks),
      m_lea("lea", m_sram.host(kLeaRamBegin), m_clock, m_irq, m_cpu_hooks),
      m_ta0("ta0", kTA0, m_clock, m_irq, [this](unsigned t) { m_dma.trigger(t); }),
      m_ta1("ta1", kTA1, m_clock, m_irq, [this](unsigned t) { m_dma.trigger(t); }),
      m_ta2("ta2", kTA2, m_clock, m_irq, [this](unsigned t) { m_dma.trigger(t); }),
      m_ta3("ta3", kTA3, m_clock, m_irq, [this](unsigned t) { m_dma.trigger(t); }),
      m_ucb0("eusci_b0", kEusciB0, m_clock, m_irq,
             [this](unsigned t, unsigned ch, const sc_core::sc_time& at) {
               m_dma.trigger(t, ch, at);
             }),
      m_uca3("eusci_a3", kEusciA3, m_clock, m_irq,
             [this](unsigned t, unsigned ch, const sc_core::sc_time& at) {
               m_dma.trigger(t, ch, at);
             }) {
  sc_core::sc_report_handler::set_handler(report_to_stderr);
  m_cpu_hooks.request_sync = [this] { m_cpu.core().request_stop(); };
  // A DMA transfer halts a running CPU; a sleeping one (CPUOFF) has nothing to halt.
  m_cpu_hooks.stall = [this](uint64_t cycles) {
    if (!(m_cpu.core().sr() & 0x0010)) m_cpu.core().add_cycles(cycles);
  };
  // Batched peripheral events (models/sync.h) while the CPU sleeps; IPSIM_FINE_EVENTS=1 keeps
  // one event per LEA output, timer tick and SPI character, and computes every slice limit up
  // front (the reference path; batched_events and slice_bounds compare both).
  const char* fine = std::getenv("IPSIM_FINE_EVENTS");
  const bool reference = fine && *fine && std::string(fine) != "0";
  const bool batch = !reference;
  m_cpu_hooks.batch = batch;
  if (m_config.power.mode == PowerConfig::Mode::kSupervised) {
    // Under a harvester the capacitor's charge follows the stretches the power model books, so
    // these must not depend on how finely peripherals schedule events: a sleep is booked in
    // windows (Msp430Cpu::sleep_in_window, docs/energy-model.md) on both paths. The first is
    // the SystemC quantum; they double while the CPU sleeps through them, up to 1 s.
    m_cpu.sleep_window_min = sc_core::sc_time(1, sc_core::SC_MS);
    m_cpu.sleep_window_max = sc_core::sc_time(1, sc_core::SC_SEC);
    m_cpu.wake_pending = [this] { return m_pending_reset.has_value(); };
    // A running CPU's slices end at peripheral events, one stretch each: a port gone quiet
    // would end none, where the fine path ends one per character.
    m_cpu_hooks.ports_may_go_quiet = false;
  }
  m_config.power.slice_bounds = !reference;
  // A pending interrupt wakes the CPU at the next event it sees: not asleep for batching.
  m_cpu_hooks.asleep = [this] { return m_cpu.asleep(); };
  m_cpu_hooks.catch_up = [this, busy = std::make_shared<bool>(false)](const sc_core::sc_time& t) {
    // Without batching nothing is kept back (each peripheral asks hooks.batch first).
    if (!m_cpu_hooks.batch || *busy) return;  // busy: a transfer it delivers reads a DMA register
    *busy = true;
    // The DMA triggers the timers and SPI ports kept back, in time order.
    LazySource* const sources[] = {&m_ta0, &m_ta1, &m_ta2, &m_ta3, &m_ucb0, &m_uca3};
    catch_up_in_order(sources, std::size(sources), t, &m_dma.bus_accesses());
    for (TimerA* ta : {&m_ta0, &m_ta1, &m_ta2, &m_ta3}) ta->settle_flags(t);
    m_lea.catch_up(t);
    if (m_irq.any()) refine();  // the CPU wakes at the next event, as on the fine path
    *busy = false;
  };
  for (TimerA* ta : {&m_ta0, &m_ta1, &m_ta2, &m_ta3})
    ta->set_batching(
        &m_cpu_hooks, [this](unsigned t, uint64_t* silent) { return m_dma.listens(t, silent); },
        [this](unsigned t, const sc_core::sc_time& at) { m_dma.trigger(t, at); });
  // A DMA access first commits the LEA's pending results into SRAM (by host pointer, not
  // through the bus), so it may change memory even when its own transfer does not.
  m_dma.set_before_access([this](const sc_core::sc_time& t) {
    m_lea.commit_outputs(t);
    m_cpu.core().memory_may_change();
  });
  m_dma.add_direct_memory(m_sram);
  m_dma.add_direct_memory(m_fram);
  m_sram.on_write = [this] { m_cpu.core().memory_may_change(); };
  m_fram.on_write = [this] { m_cpu.core().memory_may_change(); };
  m_fram.set_wait_states(&m_clock, 0);
  m_cpu.bus.bind(m_bus.targ);
  m_dma.bus.bind(m_bus.targ);
  m_mpy.set_dma_trigger([this](unsigned t) { m_dma.trigger(t); });
  m_lea.set_dma_trigger([this](unsigned t) { m_dma.trigger(t); });
  for (EusciSpi* port : {&m_ucb0, &m_uca3}) {
    port->set_cpu_hooks(&m_cpu_hooks);
    port->set_batching(
        [this](unsigned tx, unsigned rx, unsigned channels, uint32_t txbuf, uint32_t rxbuf) {
          return m_dma.chain_view(tx, rx, channels, txbuf, rxbuf);
        },
        [this](unsigned tx, unsigned rx, unsigned channels) {
          return m_dma.serves(tx, rx, channels);
        });
  }
  m_dma.set_on_program([this] {
    m_ucb0.dma_changed();
    m_uca3.dma_changed();
  });
  // The memories on the bus at the ranges they answer, the ranges the DMA reaches directly.
  const std::vector<AddrRange> sram = m_sram.direct_ranges(), fram = m_fram.direct_ranges();
  m_bus.map("sram", sram.at(0).begin, sram.at(0).end, false);
  m_bus.init.bind(m_sram.socket);
  m_bus.map("fram", fram.at(0).begin, fram.at(0).end, false);
  m_bus.map_also("fram-info", fram.at(1).begin, fram.at(1).end);
  m_bus.init.bind(m_fram.socket);
  for (Peripheral* p : std::initializer_list<Peripheral*>{
           &m_clock, &m_frctl, &m_wdt, &m_sfr, &m_pmm, &m_sys, &m_gpio, &m_debug, &m_mpy, &m_dma,
           &m_lea, &m_ta0, &m_ta1, &m_ta2, &m_ta3, &m_ucb0, &m_uca3}) {
    bind(*p);
    // The DMA's and Timer_A's b_transport catch up batched events first: through the bus.
    const bool own_transport =
        p == &m_dma || p == &m_ta0 || p == &m_ta1 || p == &m_ta2 || p == &m_ta3;
    // The LEA writes its results into SRAM itself, also inside a register access.
    if (!own_transport) m_cpu.map_direct(*p, p != &m_lea);
  }
  if (m_config.nvm.kind == NvmPlatformConfig::Kind::kSpiFram) {
    // The published set-up: SIMO P6.0, SOMI P6.1, SCK P6.2 on eUSCI_A3, chip select P6.3.
    SpiFramCurrents currents;  // energy/load_model.h, platform.energy_model overrides
    currents.active_per_mhz_a = m_config.power.load.spi_fram_active_per_mhz_a;
    currents.standby_a = m_config.power.load.spi_fram_standby_a;
    currents.sleep_a = m_config.power.load.spi_fram_sleep_a;
    m_spi_fram = std::make_unique<SpiFram>(currents);
    m_uca3.attach(m_spi_fram.get());
    m_gpio.on_pin(6, 3, [this](bool level, const sc_core::sc_time& at) {
      m_spi_fram->chip_select(level, at);
    });
  }

  m_debug.on_exit = [this](uint16_t code) {
    m_exit_code = static_cast<int16_t>(code);
    m_cpu.finish("exit");
  };
  PowerActions actions;
  actions.mclk_hz = [this] { return m_clock.mclk_hz(); };
  actions.memory_events = [this] {
    const FramCache& c = m_fram.cache();
    return MemoryEventTotals{c.hits(), c.misses(), c.writes(),
                             m_cpu.core().sram_accesses() + m_sram.accesses()};
  };
  actions.cycles = [this] { return m_cpu.core().cycles(); };
  actions.status_register = [this] { return m_cpu.core().sr(); };
  actions.lea_busy_cycles = [this](const sc_core::sc_time& t) { return m_lea.busy_cycles_at(t); };
  actions.lea_busy = [this] { return m_lea.busy_at(sc_core::sc_time_stamp()); };
  // An armed channel may move words at any time of a sleep window.
  actions.dma_busy = [this] { return m_dma.busy_at(sc_core::sc_time_stamp()) || m_dma.armed(); };
  actions.settle = [this] {
    m_cpu_hooks.catch_up(sc_core::sc_time_stamp());
    m_dma.settle(sc_core::sc_time_stamp());
  };
  const NvmPlatformConfig& nvm = m_config.nvm;
  const bool nvm_extra_energy = nvm.extra_read_energy_j > 0 || nvm.extra_write_energy_j > 0;
  if (m_spi_fram || nvm_extra_energy) {
    const double volts = m_config.power.load.reference_v;
    actions.external_charge_c = [this, nvm_extra_energy, volts] {
      double q = m_spi_fram ? m_spi_fram->charge_c(sc_core::sc_time_stamp()) : 0.0;
      if (nvm_extra_energy) {
        const NvmCounters& c = m_fram.counters();
        // Array reads are cache misses, the CPU's and the DMA's (both go through the cache).
        const uint64_t reads = m_fram.cache().misses();
        uint64_t writes = 0;
        for (Initiator who : {Initiator::kCpu, Initiator::kDma, Initiator::kLea})
          writes += c.total(who, NvmOp::kWrite).accesses;
        q += (static_cast<double>(reads) * m_config.nvm.extra_read_energy_j +
              static_cast<double>(writes) * m_config.nvm.extra_write_energy_j) /
             volts;
      }
      return q;
    };
    actions.external_max_current_a = [this, volts] {
      // At most one FRAM array access per MCLK cycle.
      const double per_access_c =
          std::max(m_config.nvm.extra_read_energy_j, m_config.nvm.extra_write_energy_j) / volts;
      return (m_spi_fram ? m_spi_fram->max_current_a(m_config.nvm.spi_clock_hz) : 0.0) +
             per_access_c * m_clock.mclk_hz();
    };
  }
  actions.lose_power = [this] { lose_power(); };
  actions.restore_power = [this] { restore_power(); };
  actions.finish = [this](const std::string& reason) { m_cpu.finish(reason); };
  actions.last_marker = [this] {
    const auto& markers = m_debug.markers();
    for (auto it = markers.rbegin(); it != markers.rend(); ++it)
      if (it->code != static_cast<uint16_t>(MarkerCode::kBoot))
        return std::string(marker_name(it->code)) + " " + std::to_string(it->arg) + " at " +
               std::to_string(it->time.to_seconds()) + " s";
    return std::string("none");
  };
  m_power = std::make_unique<PowerController>(m_config.power, m_config.seed, std::move(actions));
  m_debug.on_marker = [this](const Marker& m) { m_power->on_marker(m); };

  m_cpu.before_slice = [this] {
    apply_pending_reset();
    // The CPU may run: what batching kept back is brought up to now, events are fine again.
    if (!(m_cpu.core().sr() & 0x0010) || m_irq.any()) {
      m_cpu_hooks.catch_up(sc_core::sc_time_stamp());
      refine();
    }
  };
  m_cpu.limit_slice = [this](uint64_t proposed, bool idle) {
    if (m_config.max_cycles) {
      const uint64_t now = m_cpu.core().cycles();
      if (now >= m_config.max_cycles) {
        m_cpu.finish("max-cycles");
        return uint64_t{0};
      }
      proposed = std::min(proposed, m_config.max_cycles - now);
    }
    return m_power->limit_slice(proposed, idle);
  };
  m_cpu.extend_slice = [this] { return m_power->extend_slice(); };
  m_cpu.after_slice = [this](uint64_t cycles, const sc_core::sc_time& duration) {
    m_power->after_slice(cycles, duration);
    if (after_slice_hook) after_slice_hook();
  };
  m_cpu.limit_sleep = [this](const sc_core::sc_time& t) { return m_power->limit_sleep(t); };
  m_cpu.after_sleep = [this](const sc_core::sc_time& t) {
    m_power->after_sleep(t);
    if (after_slice_hook) after_slice_hook();
  };
  if (m_config.stop_at) m_cpu.core().set_breakpoint(*m_config.stop_at);

  m_sram.power_on_pattern(m_config.seed);
  m_fram.erase();
  load_image();
  m_cpu.core().set_extra_nvm_waits(nvm.extra_read_wait_states, nvm.extra_write_wait_states);
  m_fram.set_extra_waits(nvm.extra_read_wait_states, nvm.extra_write_wait_states);
  if (m_image.find("spi_fram_brw"))  // the driver's SPI prescaler (kernels/runtime/spi_fram.c)
    write_symbol("spi_fram_brw",
                 std::vector<uint8_t>{static_cast<uint8_t>(nvm.spi_prescaler),
                                      static_cast<uint8_t>(nvm.spi_prescaler >> 8)});
  m_cpu.use_fram(m_fram);
  m_cpu.at_start = [this] {
    // A node whose capacitor starts empty boots when it has charged (restore_power).
    if (m_power->starts_off()) return;
    m_boots = 1;
    for (Peripheral* p : m_peripherals) p->reset();
    m_cpu.core().reset();
  };
}

Platform::~Platform() = default;

void Platform::refine() {
  for (TimerA* ta : {&m_ta0, &m_ta1, &m_ta2, &m_ta3}) ta->refine();
  m_lea.refine();
  m_ucb0.refine();
  m_uca3.refine();
}

void Platform::bind(Peripheral& p) {
  m_bus.map(p.name(), p.base(), p.base() + p.size(), true);
  m_bus.init.bind(p.socket);
  m_peripherals.push_back(&p);
}

void Platform::load_image() {
  for (const ElfSegment& seg : m_image.segments()) {
    const uint32_t len = static_cast<uint32_t>(seg.bytes.size());
    if (Fram::contains(seg.load_addr, len))
      m_fram.load(seg.load_addr, seg.bytes.data(), len);
    else if (m_sram.contains(seg.load_addr, len))
      std::copy(seg.bytes.begin(), seg.bytes.end(), m_sram.host(seg.load_addr));
    else
      throw ElfError(m_image.path() + ": segment outside FRAM and SRAM");  // loader checked
  }
}

void Platform::request_reset(const ResetCause& cause) {
  if (!m_pending_reset || cause.kind > m_pending_reset->kind) m_pending_reset = cause;
  m_cpu.core().request_stop();
}

void Platform::apply_pending_reset() {
  if (!m_pending_reset) return;
  m_sys.set_reset_cause(m_pending_reset->sysrstiv);
  for (Peripheral* p : m_peripherals) p->reset();
  m_irq.clear_all();
  m_cpu.core().reset();
  m_pending_reset.reset();
  ++m_resets;
  if (on_power_event) on_power_event("reset");
}

void Platform::lose_power() {
  // design.md §3: SRAM, registers and peripherals lose their content; FRAM keeps it.
  m_cpu_hooks.catch_up(sc_core::sc_time_stamp());  // what batching kept back happened first
  // The DMA words completed before the cut, while the clock and FRAM wait states still hold.
  m_dma.settle(sc_core::sc_time_stamp());
  for (Peripheral* p : m_peripherals) p->power_off();
  m_cpu.drop_halt();
  if (m_spi_fram) m_spi_fram->power_off(sc_core::sc_time_stamp());  // after the last byte
  m_irq.clear_all();
  m_fram.cache().invalidate_all();
  m_pending_reset.reset();
  if (on_power_event) on_power_event("brown-out");
}

void Platform::restore_power() {
  // A BOR: SRAM wakes to a new seeded pattern, registers to garbage, then the reset vector.
  ++m_boots;
  m_sram.power_on_pattern(m_config.seed + m_boots);
  std::mt19937_64 rng(m_config.seed * 0x9E3779B97F4A7C15ull + m_boots);
  for (unsigned r = 1; r < 16; ++r)
    if (r != 2 && r != 3) m_cpu.core().set_reg(r, static_cast<uint32_t>(rng()) & 0xFFFFE);
  m_sys.set_reset_cause(kResetBor.sysrstiv);
  if (m_spi_fram) m_spi_fram->power_on(sc_core::sc_time_stamp());
  for (Peripheral* p : m_peripherals) p->reset();
  m_cpu.core().reset();
  if (on_power_event) on_power_event("reboot");
}

void Platform::add_observer(CoreObserver* observer) {
  if (!m_observers) m_observers = std::make_unique<ObserverChain>();
  m_observers->add(observer);
  m_cpu.core().set_observer(m_observers->single());
}

void Platform::reset_node() {
  lose_power();
  restore_power();
}

void Platform::run() {
  sc_core::sc_start();
  m_cpu.rethrow_thread_error();
}

std::string Platform::fault_message() {
  const Fault& f = m_cpu.core().fault();
  std::string text = f.message();
  // In peripheral space "vacant" usually means a register ipsim does not model: say whose.
  if (f.kind == Fault::Kind::kVacantAccess && f.address < kPeriphEnd) {
    const std::string owner = m_bus.target_name(f.address);
    text += owner.empty() ? " (no peripheral is modelled at this address)"
                          : " (" + owner + " has no register at this offset)";
  }
  return text;
}

void Platform::write_symbol(const std::string& name, const std::vector<uint8_t>& bytes) {
  const auto sym = m_image.find(name);
  if (!sym) throw std::runtime_error(m_image.path() + ": no symbol " + name);
  if (bytes.size() > sym->size || !Fram::contains(sym->addr, static_cast<uint32_t>(bytes.size())))
    throw std::runtime_error(m_image.path() + ": symbol " + name + " is too small or not in FRAM");
  m_fram.load(sym->addr, bytes.data(), static_cast<uint32_t>(bytes.size()));
}

std::vector<uint8_t> Platform::read_memory(uint32_t addr, uint32_t len) {
  std::vector<uint8_t> out(len);
  for (uint32_t i = 0; i < len; ++i) {
    const uint32_t a = addr + i;
    if (Fram::contains(a))
      out[i] = *m_fram.host(a);
    else if (m_spi_fram && a >= SpiFram::kElfBase && a - SpiFram::kElfBase < SpiFram::kBytes)
      out[i] = m_spi_fram->data()[a - SpiFram::kElfBase];
    else if (m_sram.contains(a))
      out[i] = *m_sram.host(a);
    else {
      char buf[96];
      std::snprintf(buf, sizeof buf, "cannot dump 0x%05X: not SRAM, FRAM or SPI FRAM", a);
      throw std::runtime_error(buf);
    }
  }
  return out;
}

}  // namespace ipsim

namespace ipsim {

void Platform::write_memory(uint32_t addr, const std::vector<uint8_t>& bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    const uint32_t a = addr + static_cast<uint32_t>(i);
    if (!Fram::contains(a) && !m_sram.contains(a)) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "cannot write 0x%05X: not SRAM or FRAM", a);
      throw std::runtime_error(buf);
    }
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    const uint32_t a = addr + static_cast<uint32_t>(i);
    *(Fram::contains(a) ? m_fram.host(a) : m_sram.host(a)) = bytes[i];
  }
}

}  // namespace ipsim
