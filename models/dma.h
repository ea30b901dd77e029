#pragma once
// DMA controller, base 0x0500, six channels (facts §4.2; SLAU367P §11).
//
// Modelled: DMACTL0-2 trigger selects (DMAnTSEL, 5 bits per channel), DMACTL4, DMAIV; per
// channel DMAnCTL, DMAnSA/DA (20-bit, as L/H words), DMAnSZ; all six transfer modes (single,
// block, burst-block and their repeated forms), byte/word source and destination, increment /
// decrement / fixed addressing; software trigger DMAREQ and hardware triggers via trigger(tsel)
// (1 TA0CCR0, 2 TA0CCR2, 3 TA1CCR0, 4 TA1CCR2, 5 TA2CCR0, 6 TA3CCR0, 27 LEA, 29 MPY, ...);
// DMAIFG/DMAIE/DMAIV and the interrupt on vector 42; DMAEN cleared when a non-repeated single
// or block transfer completes; DMAnSZ counts down the remaining transfers (HAWAII reads it as a
// progress footprint, facts §4.3) and is reloaded in repeated modes.
// The DMA is a TLM initiator: every byte/word moves through `bus` (b_transport), tagged
// InitiatorExtension(Initiator::kDma), so FRAM counts DMA traffic, or, for the memories given
// to add_direct_memory, through their DirectAccess, which does what their b_transport does.
//
// Timing (SLAU367P §11.2.7 Table 11-3, facts §4.2): a single transfer costs 4 MCLK (the
// active-mode worst case: synchronisation, 2 MCLK transfer, 1 wait cycle); a block or
// burst-block of n transfers costs 2 + 2n MCLK (2 MCLK per transfer plus synchronisation; the
// "2 x MCLK x DMAxSZ" block figure, facts §7.12), plus the FRAM wait states of its accesses
// (the FRAM model adds NWAITS per read miss and per write, as for the CPU). The CPU is halted
// for that time (CpuHooks::stall).
// A block or burst-block moves its words over time, whatever started it: word k completes
// 2(k+1) MCLK (plus the wait states of the words before it) after the start, and is moved
// when anyone looks at or after that time (settle(), power_off(), the completion event), so a
// power cut keeps exactly the words completed before it. DMAIFG (and the interrupt) follow the
// last word. The times use MCLK as the transfer started.
// - A software request (DMAREQ) starts the channel kSyncCycles MCLK after the write that sets
//   it, from an SC_METHOD: the CPU goes on meanwhile, so the instruction after the write runs
//   before the transfer, as on the chip; a CPU that entered LPM0 right after the request
//   sleeps through the transfer and is woken by it. A running CPU is halted for 2n cycles at
//   the start (the synchronisation cycles are not part of the halt).
// - A hardware trigger (trigger(tsel)) starts a block at the trigger time: kBlockSyncCycles of
//   synchronisation, then the words. A running CPU is halted for 2 + 2n cycles at the trigger
//   and, as the words meet wait states, for those too (passed on by settle(), which the power
//   model calls after every CPU slice), so the halt is 2 + 2n plus the wait states in all, and
//   the CPU runs again when the block is done. A trigger while the channel's block is still
//   in progress is ignored.
// - A hardware-triggered single transfer is one word: it moves at the trigger (its b_transport
//   carries the delay of its synchronisation) and halts a running CPU for its 4 cycles plus
//   its wait states.
// Approximations:
// - Burst-block mode moves its block like block mode (its interleaving of 2 CPU cycles every 4
//   transfers is not modelled; the CPU is halted for the same 2 + 2n cycles) and a repeated
//   burst-block moves one block per trigger instead of running until DMAEN is cleared.
// - Channels triggered together each start at the trigger, their words overlapping in time
//   (on the chip they follow each other in priority order); their halts of the CPU add up.
// - DMALEVEL is ignored: every trigger() call is one edge. Trigger numbers mean different
//   sources on different channels (the DMAnTSEL lists of the device header): a source whose
//   number is not the same on all channels passes the channels it serves (eUSCI_B0 on 0-2,
//   eUSCI_A3 on 3-5); the others use channel 0's list for all channels. DMARMWDIS, ENNMI,
//   ROUNDROBIN are stored only; channels triggered together are served in fixed priority 0..5.
// - Addresses and size are latched when DMAEN goes 0 -> 1 and reloaded after each completed
//   repeated transfer/block; DMAnSA/DA reads return the programmed value.
// - A bus error response ends the channel: DMAEN cleared, DMAABORT set, no DMAIFG.
// - Hardware triggers happen at the time the caller passes (default: kernel time; the MPY's
//   trigger comes from inside a CPU slice and so starts at the slice's kernel time).
// - The wait states of a DMAREQ transfer are not added to the CPU's halt (they are not known
//   at its start).
// - Msp430Cpu turns into time the halt cycles added between its slices or during one (a
//   trigger from the CPU's own access, e.g. the MPY's); cycles a stall adds from an SC_METHOD
//   (a timer's or the LEA's trigger, a DMAREQ start) while the CPU thread waits at the end of
//   its slice count as CPU cycles but not as time, for single transfers as for blocks (as
//   before this model moved hardware-triggered blocks over time). The wait-state part of a
//   hardware-triggered block's halt is passed on by settle() from the CPU thread and is time.
#include <tlm_utils/simple_initiator_socket.h>
#include <cstdint>
#include <functional>
#include <vector>

#include "models/clocks.h"
#include "models/cycle_times.h"
#include "models/direct_access.h"
#include "models/initiator_ext.h"
#include "models/irq.h"
#include "models/peripheral.h"
#include "models/sync.h"

namespace ipsim {

namespace dma {
inline constexpr uint16_t DMACTL0 = 0x00, DMACTL1 = 0x02, DMACTL2 = 0x04, DMACTL3 = 0x06,
                          DMACTL4 = 0x08, DMAIV = 0x0E;
inline constexpr uint16_t channel_base(unsigned n) {
  return static_cast<uint16_t>(0x10 + 0x10 * n);
}
inline constexpr uint16_t CTL = 0x0, SAL = 0x2, SAH = 0x4, DAL = 0x6, DAH = 0x8, SZ = 0xA;
// DMAnCTL bits
inline constexpr uint16_t DMAREQ = 0x0001, DMAABORT = 0x0002, DMAIE = 0x0004, DMAIFG = 0x0008,
                          DMAEN = 0x0010, DMALEVEL = 0x0020, DMASRCBYTE = 0x0040,
                          DMADSTBYTE = 0x0080, DMASRCINCR = 0x0300, DMADSTINCR = 0x0C00,
                          DMADT = 0x7000;
inline constexpr unsigned kIncrFixed = 0, kIncrDecrement = 2, kIncrIncrement = 3;
inline constexpr unsigned DT_SINGLE = 0, DT_BLOCK = 1, DT_BURST = 2, DT_REPEAT = 4;
// Trigger numbers (DMA0TSEL list, facts §4.2)
inline constexpr unsigned TSEL_DMAREQ = 0, TSEL_TA0CCR0 = 1, TSEL_TA0CCR2 = 2, TSEL_TA1CCR0 = 3,
                          TSEL_TA1CCR2 = 4, TSEL_TA2CCR0 = 5, TSEL_TA3CCR0 = 6, TSEL_LEA = 27,
                          TSEL_MPY = 29;
inline constexpr unsigned kSingleCycles = 4;  // per single transfer (Table 11-3 worst case)
inline constexpr unsigned kBlockSyncCycles = 2, kCyclesPerTransfer = 2;
inline constexpr unsigned kSyncCycles = 2;  // DMAREQ to first transfer (1 or 2 MCLK, worst case)
}  // namespace dma

#define IPSIM_DMA_CHANNEL(n)                               \
  {0x10 + 0x10 * n, "DMA" #n "CTL", 0x0000, 0x7FFF},       \
      {0x12 + 0x10 * n, "DMA" #n "SAL", 0x0000, 0xFFFF},   \
      {0x14 + 0x10 * n, "DMA" #n "SAH", 0x0000, 0x000F},   \
      {0x16 + 0x10 * n, "DMA" #n "DAL", 0x0000, 0xFFFF},   \
      {0x18 + 0x10 * n, "DMA" #n "DAH", 0x0000, 0x000F}, { \
    0x1A + 0x10 * n, "DMA" #n "SZ", 0x0000, 0xFFFF         \
  }
inline constexpr RegSpec kDmaRegs[] = {
    // offset  name       reset   write_mask
    {0x00, "DMACTL0", 0x0000, 0x1F1F},
    {0x02, "DMACTL1", 0x0000, 0x1F1F},
    {0x04, "DMACTL2", 0x0000, 0x1F1F},
    {0x06, "DMACTL3", 0x0000, 0x0000},
    {0x08, "DMACTL4", 0x0000, 0x0007},
    {0x0E, "DMAIV", 0x0000, 0x0000},
    IPSIM_DMA_CHANNEL(0),
    IPSIM_DMA_CHANNEL(1),
    IPSIM_DMA_CHANNEL(2),
    IPSIM_DMA_CHANNEL(3),
    IPSIM_DMA_CHANNEL(4),
    IPSIM_DMA_CHANNEL(5),
};
#undef IPSIM_DMA_CHANNEL

class Dma : public Peripheral {
 public:
  static constexpr uint32_t kBase = 0x0500, kSize = 0x70;
  static constexpr unsigned kChannels = 6;
  tlm_utils::simple_initiator_socket<Dma> bus;

  Dma(const sc_core::sc_module_name& name, const Clocks& clocks, IrqLines& irq, CpuHooks& cpu);
  ~Dma() override;

  void reset() override;
  void power_off() override;
  // A hardware trigger (DMAnTSEL number) from another model, at time `at`.
  void trigger(unsigned tsel) { trigger(tsel, sc_core::sc_time_stamp()); }
  void trigger(unsigned tsel, const sc_core::sc_time& at) { trigger(tsel, kAllChannels, at); }
  // Only channels in `channels` (bit n = channel n) see the trigger.
  void trigger(unsigned tsel, unsigned channels, const sc_core::sc_time& at);
  static constexpr unsigned kAllChannels = 0x3F;

  // Counters for the energy model and tests.
  uint64_t transfers() const { return m_transfers; }
  uint64_t busy_cycles() const { return m_busy_cycles; }  // MCLK cycles of transfers
  // Per channel: transfers (bytes or words) moved and triggers served, for results.json.
  uint64_t channel_transfers(unsigned n) const { return m_ch[n].transfers; }
  uint64_t channel_triggers(unsigned n) const { return m_ch[n].triggers; }
  // A transfer is in progress at t (its words are moved, its completion is pending).
  bool busy_at(const sc_core::sc_time& t) const;
  // A channel is enabled with a hardware trigger: it may move words while the CPU sleeps.
  bool armed() const;
  // Moves every word of a running block transfer completed by time t.
  void settle(const sc_core::sc_time& t);
  // Batching (models/sync.h): whether an enabled channel serves trigger tsel and, if so, how
  // many further triggers of it nothing observes (UINT64_MAX: none is observed; the one that
  // raises an enabled DMAIFG is). Block modes: every trigger counts (0).
  bool listens(unsigned tsel, uint64_t* silent) const;
  // Batching an SPI transfer (EusciSpi): what the channels in `channels` serving trigger tx or
  // rx will do (models/sync.h). ok needs at most one channel for each, a non-repeated
  // single-transfer one that moves between memory and the eUSCI's own TXBUF (tx) or RXBUF
  // (rx), and no channel with a block, request or completion in progress.
  // Whether an enabled channel in `channels` serves trigger tx or rx.
  bool serves(unsigned tx, unsigned rx, unsigned channels) const;
  // Called after the CPU (any initiator but the DMA) writes a DMA register: a channel may
  // serve a trigger it did not serve before (EusciSpi::dma_changed).
  void set_on_program(std::function<void()> hook) { m_on_program = std::move(hook); }
  DmaChainView chain_view(unsigned tx, unsigned rx, unsigned channels, uint32_t txbuf,
                          uint32_t rxbuf) const;
  // Called before a transfer reads or writes memory, with the time its data is due (a lazily
  // delivered trigger's past time, else now): the LEA writes its outputs due by then.
  void set_before_access(std::function<void(const sc_core::sc_time&)> hook) {
    m_before_access = std::move(hook);
  }
  // Transfers' reads and writes of targets on the bus (peripheral registers but the DMA's own):
  // what may change another lazy source (catch_up_in_order).
  const uint64_t& bus_accesses() const { return m_bus_accesses; }
  // A memory the transfers reach without the bus (models/direct_access.h), at the ranges it
  // answers: the same accesses as through the bus, without payloads, decode or time
  // arithmetic. (The DMA's own registers, HAWAII's DMA3SA = &DMA3SZ, are read directly too.)
  void add_direct_memory(DirectAccess& memory) {
    for (const AddrRange& r : memory.direct_ranges()) m_direct.push_back({r.begin, r.end, &memory});
  }

 protected:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override;

 private:
  struct Channel {
    uint32_t src = 0, dst = 0;   // T_SourceAdd, T_DestAdd (20-bit)
    uint16_t saved_size = 0;     // DMAnSZ as programmed, reloaded in repeated modes
    bool start_pending = false;  // DMAREQ waiting for its synchronisation delay
    bool done_pending = false;   // completed; DMAIFG is raised at done_at
    sc_core::sc_time start_at, done_at;
    // A block (or DMAREQ) transfer in progress: words moved so far of `count`, wait cycles met
    // so far; `sync` cycles before moving_since (hardware triggers); `halts`: its wait states
    // extend the CPU's halt, `owed` of them not yet passed on.
    bool moving = false, halts = false;
    uint16_t ctl = 0;
    unsigned count = 0, moved = 0, sync = 0;
    uint64_t waits = 0, owed = 0;
    double hz = 0;  // MCLK when it started
    sc_core::sc_time moving_since;
    uint64_t transfers = 0, triggers = 0;  // counters survive reset (per run)
  };
  SC_HAS_PROCESS(Dma);
  void on_event();
  void schedule();
  void finish_channel(unsigned n);
  void start_moving(unsigned n, const sc_core::sc_time& at, unsigned sync_cycles);
  void advance(const sc_core::sc_time& t);  // settle() without passing wait states to the CPU
  sc_core::sc_time moving_end(const Channel& c) const;  // end if no more wait states come
  void write_ctl(unsigned n, uint16_t old_value, uint16_t new_value);
  void latch(unsigned n);
  unsigned tsel_of(unsigned n) const;
  // A hardware-triggered single transfer, at once, synchronisation included in the stall.
  void run_single(unsigned n, const sc_core::sc_time& at);
  // One transfer; adds the FRAM wait states it met to *wait_cycles. `delay`: its start
  // relative to kernel time.
  bool move(unsigned n, uint16_t ctl, sc_core::sc_time delay, uint64_t* wait_cycles);
  // One read or write of a transfer at `delay`; `direct` holds the wait states of a direct
  // access before it in the same transfer, not yet in `delay` (a bus target sees them there).
  struct Pending {
    DirectAccess* memory = nullptr;
    unsigned waits = 0;
  };
  bool access(bool write, uint32_t addr, uint8_t* data, unsigned len, sc_core::sc_time& delay,
              Pending& direct, uint64_t* wait_cycles);
  void update_irq();
  uint16_t read_iv();

  const Clocks& m_clocks;
  IrqLines& m_irq;
  CpuHooks& m_cpu;
  Channel m_ch[kChannels];
  const uint16_t* m_ctl[kChannels];  // each channel's DMAxCTL in m_regs (for trigger())
  uint64_t m_transfers = 0, m_busy_cycles = 0, m_bus_accesses = 0;
  sc_core::sc_event m_event;
  std::function<void(const sc_core::sc_time&)> m_before_access;
  std::function<void()> m_on_program;
  struct DirectMemory {
    uint32_t begin, end;
    DirectAccess* memory;
  };
  std::vector<DirectMemory> m_direct;
  InitiatorExtension m_ext{Initiator::kDma};
  tlm::tlm_generic_payload m_trans;  // reused by every bus access
  bool m_on_bus = false;             // m_trans is in use (a transfer it triggers nests)
  CycleTimes m_cycle_times;          // a block's word times, a single transfer's synchronisation
};

}  // namespace ipsim
