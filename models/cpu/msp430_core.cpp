// Msp430Core: MSP430X (CPUX) instruction-set simulator.
//
// Decode once, execute many: each instruction is decoded into a DecodedInsn cached per
// address (lazily allocated 256-byte-page blocks) and validated on every fetch by comparing
// its raw bytes with memory, so code written by anyone (CPU, DMA, loader) is re-decoded
// without explicit invalidation. One handler per family (Format I, Format II, jumps, RETI,
// RRxM, PUSHM/POPM), operands through one addressing-mode helper, plus specialised
// register-register and immediate-register Format I handlers for the hot cases.
//
// Choices where the user's guide leaves room (declared approximations):
// * Indexed X(Rn) in a 16-bit instruction: if Rn <= 0xFFFF the address wraps in 64 KB,
//   otherwise Rn + sign-extended index, 20-bit (SLAU445 §4.4.2). Symbolic uses the same rule
//   with the address of the index word as Rn. X forms: 20-bit index, 20-bit wrap.
// * Format II X forms take the operand's bits 19:16 from the extension word's bits 10:7 OR
//   bits 3:0 (an encoder fills exactly one of them, so either convention decodes).
// * PC as a register-mode source reads the address of the word after the opcode, also when a
//   destination index word follows ("mov pc, 2(r5)" at A stores A + 2): the PC advances word
//   by word as the instruction is fetched and the source is read before the destination word.
// * Undefined flags: DADD leaves V unchanged; RRxM clear V.
// * SWPBX.A keeps bits 19:16; SWPB/SXT/CALL with B/W = 1 and Format II ops other than
//   PUSH/CALL with an immediate operand are rejected as illegal, as are MOVA @PC/@PC+ (so the
//   erased-word pattern 0x0000 faults) and an extension word before anything it cannot prefix.
// * A 20-bit (.A) memory operand on one page counts as one NVM access of 4 bytes; FRAM cache
//   lookups and write wait states are per 16-bit word (the bus is 16 bits wide).
// * Faults (see Msp430Core::fault()) throw Abort from the access that faults, so nothing after
//   it in the instruction commits; run() catches it and puts the PC back on the instruction.
//   Fault::cycle is the cycle count at the start of that instruction.
//
// Speed (fetch accounting): an instruction whose words all sit on FRAM counts its NVM fetches
// in DecodedInsn::execs, folded into NvmCounters when anyone reads them (pending-count hook)
// or when the entry is re-decoded or dropped. FRAM-cache lookups stay per fetch (they decide
// wait states), but a fetch in the line looked up last is a hit by construction and skips the
// lookup; fetch hits are added to the cache's count at the end of run()/step().
#include "models/cpu/msp430_core.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "models/cpu/cycle_table.h"
#include "models/cpu/decoded_insn.h"
#include "models/fram_cache.h"
#include "models/mem_map.h"
#include "models/nvm_counters.h"

#define IPSIM_LIKELY(x) __builtin_expect(!!(x), 1)
#define IPSIM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define IPSIM_INLINE __attribute__((always_inline)) inline

namespace ipsim {

std::string Fault::message() const {
  char buf[160];
  switch (kind) {
    case Kind::kNone:
      return "no fault";
    case Kind::kIllegalInstruction:
      std::snprintf(buf, sizeof buf, "illegal instruction 0x%04X at PC 0x%05X (cycle %llu)",
                    address, pc, static_cast<unsigned long long>(cycle));
      break;
    case Kind::kVacantAccess:
      std::snprintf(buf, sizeof buf, "access to vacant address 0x%05X at PC 0x%05X (cycle %llu)",
                    address, pc, static_cast<unsigned long long>(cycle));
      break;
    case Kind::kFetchFromPeripheral:
      std::snprintf(buf, sizeof buf,
                    "instruction fetch from peripheral space 0x%05X at PC 0x%05X (cycle %llu)",
                    address, pc, static_cast<unsigned long long>(cycle));
      break;
  }
  return buf;
}

namespace cpu {

namespace {
constexpr uint32_t kSrC = 0x0001, kSrZ = 0x0002, kSrN = 0x0004, kSrGie = 0x0008;
constexpr uint32_t kSrCpuOff = 0x0010, kSrScg0 = 0x0040, kSrV = 0x0100;
constexpr uint32_t kSrFlags = kSrC | kSrZ | kSrN | kSrV;

inline uint16_t load16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
inline void store16(uint8_t* p, uint16_t v) {
  std::memcpy(p, &v, 2);
}
inline uint32_t sext16(uint32_t x) {
  return static_cast<uint32_t>(static_cast<int16_t>(x));
}
}  // namespace

// Thrown by a faulting access (after raise()); caught by run() and step().
struct Abort {};

// A decoded straight-line run: instructions copied from one page, up to and including the
// first that may change the PC or SR (a jump, a write to R0 or R2, RETI, CALL). run() executes
// it without the per-instruction checks when none can fire inside it (see Msp430Core::run);
// it is valid while the page's bytes equal the copy in bytes[] (checked at every entry).
struct BlockSlot;
struct Block;
// Threaded dispatch: each slot's chain runs its handler (inlined) and jumps to the next slot's.
// sr: the status register, kept in a host register across lite slots (r[2] is written back
// before a full slot and when the chain returns).
using Chain = uint32_t (*)(Engine&, BlockSlot*, uint32_t sr);
// A lite slot's handler, with the status register passed in (it neither reads nor writes r[2]).
using LiteOp = uint32_t (*)(Engine&, const DecodedInsn&, uint32_t next, uint32_t& sr);
// Slots are "lite" (a register-only handler that neither reads R0 nor can fault or reach a
// peripheral) or "full". A lite slot's fetch lookups, base cycles and instruction count are
// unobservable until the next full slot, so the first lite slot of each run of them (the
// head) accounts for the whole run; full slots account for themselves, as exec_one does.
struct BlockSlot {
  DecodedInsn d;  // d.execs: batched NVM fetch counts of this copy (FRAM code only)
  Chain chain = nullptr;
  uint32_t pc = 0, next = 0;
  uint32_t line = 0;        // FramCache::line_of(pc)
  uint32_t seg_line = 0;    // head: first FRAM-cache line fetched by its run
  uint16_t seg_cycles = 0;  // head: base cycles of its run
  uint8_t seg_lines = 0;    // head: lines fetched by its run (0: not FRAM code, or no cache)
  uint8_t seg_insns = 0;    // head: instructions in its run; 0: not a head
  uint8_t words_after = 0;  // FRAM words fetched by the slots after this one
  uint8_t head = 0;         // lite: index of its run's head, which alone counts d.execs
  uint8_t rep = 0;          // lite_rep: this slot and the rep - 1 after it are this instruction
  bool lite = false;
  bool flags_dead = false;  // lite: a later slot overwrites its flags before any reads them
  Block* owner = nullptr;   // last slot: its block (for leave())
};
// A block's exit chained to its successor: valid only in the epoch it was made in (the
// successor was validated then, and is neither retired nor freed within that epoch).
struct Link {
  uint64_t key = 0;         // the epoch's low 32 bits above the successor's start (one compare)
  uint64_t bound = 0;       // successor's fixed_bound + wait_events * max_wait
  uint32_t words = 0;       // successor's words
  BlockSlot* s0 = nullptr;  // successor's first slot, and its chain (fewer dependent loads)
  Chain c0 = nullptr;
  Block* b = nullptr;
};
struct Block {
  static constexpr unsigned kMaxInsns = 32, kMaxBytes = 64;
  uint64_t checked = 0;  // Engine::epoch when bytes[] last matched memory
  uint32_t start = 0;    // address of the first instruction
  uint32_t span = 0;     // address of the last instruction - start
  uint16_t off = 0;      // start's offset in its page
  uint8_t nbytes = 0;    // 0: no block can start here (run instruction by instruction)
  uint8_t n = 0;
  uint8_t words = 0;  // FRAM words fetched by the whole block (0 for code in SRAM)
  // Cycles of all instructions but the last at most: fixed + wait_events * the largest wait.
  uint64_t fixed_bound = 0;
  uint64_t wait_events = 0;
  uint32_t fall = 0;  // the address after the last instruction
  // Successors: [1] the one at fall, [0] any other (a jump's target, a return address).
  Link link[2];
  uint64_t bytes[kMaxBytes / 8] = {};
  std::unique_ptr<BlockSlot[]> s;

  static uint64_t chunk(const uint8_t* host, unsigned off) {
    uint64_t v;
    if (off <= (1u << kPageShift) - 8) {
      std::memcpy(&v, host + off, 8);
      return v;
    }
    std::memcpy(&v, host + ((1u << kPageShift) - 8), 8);  // never read past the page
    return v >> (8 * (off - ((1u << kPageShift) - 8)));
  }
  bool matches(const uint8_t* host) const {
    for (unsigned i = 0; i < nbytes; i += 8) {
      const unsigned rem = nbytes - i;
      const uint64_t mask = rem >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * rem)) - 1;
      if ((chunk(host, off + i) ^ bytes[i / 8]) & mask) return false;
    }
    return true;
  }
};
struct BlockTable {
  std::unique_ptr<Block> at[(1u << kPageShift) / 2];  // by start offset / 2
};

struct Engine {
  Engine(CoreBus& b, IrqLines& i) : bus(b), irq(i) {}
  ~Engine() {
    if (counters) counters->set_pending(nullptr, nullptr);
  }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  CoreBus& bus;
  IrqLines& irq;
  uint32_t r[16] = {};
  uint64_t cycles = 0;
  Fault fault;
  // Not next to cycles: the compiler would add to both with one 16-byte load and store, and
  // that load stalls when the 8-byte stores before it cannot be forwarded to it.
  uint64_t insns = 0;

  PageEntry pages[kNumPages];  // effective kinds: kFram only while FRAM accounting is on
  MemKind mapped_kind[kNumPages] = {};
  std::unique_ptr<DecodedInsn[]> dcache[kNumPages];
  // Hot-path mirror for fetch: host pointer and decode block of each page in one entry.
  struct CodePage {
    const uint8_t* host = nullptr;
    DecodedInsn* block = nullptr;
  };
  CodePage code[kNumPages];
  FramCache* fcache = nullptr;
  NvmCounters* counters = nullptr;
  // Wait states of an FRAM array read (a cache miss) and of a write: FRCTL0.NWAITS plus the
  // hypothetical extra of platform.nvm (0 for the FR5994's FRAM).
  unsigned read_waits = 0, write_waits = 0;
  unsigned nwaits = 0, extra_read_waits = 0, extra_write_waits = 0;
  uint64_t sram_accesses = 0;  // data accesses to SRAM pages, per byte or 16-bit word
  // Fetch-hit accounting: FRAM words fetched through the batched path and how many of their
  // cache lookups missed since the last fold_fetch_hits().
  uint64_t fetch_words = 0;
  uint64_t fetch_misses = 0;
  std::vector<std::unique_ptr<DecodedInsn[]>> retired;
  std::vector<uint32_t> block_pages;  // pages that have had a decode block (for flushing)
  std::vector<bool> block_listed = std::vector<bool>(kNumPages, false);
  uint64_t flushed_at = 0;           // insns at the last flush_fetch_counts()
  bool aborted_since_flush = false;  // an aborted instruction may have counted its fetch

  // Block runs: tables per page; event: something inside the run may need the per-instruction
  // checks (a peripheral access, a write to a page holding decoded code): the run ends after
  // the current instruction.
  std::unique_ptr<BlockTable> btab[kNumPages];
  std::vector<std::unique_ptr<Block>> retired_blocks;
  bool event = false;
  // The cycle target leave() chains blocks up to: the run's, at most kChainCycles past the
  // chain's start, or 0 once event is set (or when blocks must not chain); one compare.
  uint64_t chain_target = 0;
  void mark_event() {
    event = true;
    chain_target = 0;
  }
  // Bumped by everything that may change memory holding code during a run (event's causes)
  // and at every run(): a block checked against memory in this epoch needs no new check.
  uint64_t epoch = 1;
  uint64_t epoch_key = uint64_t{1} << 32;  // Link::key of this epoch, without the PC
  void bump_epoch() {
    // When the low 32 bits wrap, keys would repeat: no link survives it, and 0 is skipped
    // (it would make the key of an unmade link, 0, match a jump to address 0).
    if (IPSIM_UNLIKELY(static_cast<uint32_t>(++epoch) == 0)) ++epoch, forget_links();
    epoch_key = epoch << 32;
  }
  void forget_links() {
    for (uint32_t page : block_pages)
      if (BlockTable* t = btab[page].get())
        for (auto& b : t->at)
          if (b) b->link[0] = b->link[1] = Link{};
    for (auto& b : retired_blocks) b->link[0] = b->link[1] = Link{};
  }
  void code_may_change() {
    mark_event();
    bump_epoch();
  }
  BlockSlot* cur_slot = nullptr;  // the full block slot being executed, for faults
  uint64_t cur_start = 0;         // cycles at its start
  uint64_t max_wait = 0;          // max(read_waits, write_waits)
  // Block chaining (see leave()): the run's cycle target, and the block whose last
  // instruction ended the chain (nullptr: it ended early).
  uint64_t target = 0;
  Block* cur_block = nullptr;
  // Chained blocks nest as tail calls, and a chain goes on for at most kChainCycles cycles
  // (chain_target), so for at most that many blocks: every instruction takes a cycle.
  // Optimised builds make the calls jumps, so the limit only sets how often run()'s loop is
  // visited; where the compiler makes them real calls (-O0), it bounds the stack depth at
  // kChainCycles * Block::kMaxInsns frames.
#ifdef __OPTIMIZE__
  static constexpr unsigned kChainCycles = 65536;
#else
  static constexpr unsigned kChainCycles = 16;
#endif

  // Runs for an observer that takes them (CoreObserver::takes_runs): a block stops before
  // every marked address (by address / 2) and after an instruction that may raise SP, and
  // no block chains to the next, so each returns to the observed loop.
  bool observer_runs = false;
  std::vector<bool> run_break;
  unsigned chain_cycles = kChainCycles;  // 0: no block chains to the next

  bool faulted = false;
  uint32_t insn_pc = 0;
  uint64_t insn_cycle = 0;
  uint64_t irq_allowed_at = 0;  // EINT delay: interrupts accepted once insns reaches this

  // Debugging (Msp430Core::set_observer, set_page_watched); off the fast paths.
  CoreObserver* observer = nullptr;
  bool watched[kNumPages] = {};
  MemKind data_kind[kNumPages] = {};  // pages[].kind before watching turns a page kSlow
  bool watch_hit = false;

  static constexpr unsigned kSlotsPerPage = (1u << kPageShift) / 2;

  // ---- faults -------------------------------------------------------------------------
  void raise(Fault::Kind kind, uint32_t address) {
    if (faulted) return;
    faulted = true;
    fault.kind = kind;
    fault.pc = insn_pc;
    fault.address = address;
    fault.cycle = insn_cycle;
  }

  // ---- FRAM accounting (facts §2.4: a cache miss costs NWAITS; a write always does) ----
  IPSIM_INLINE void fram_read(uint32_t a, unsigned bytes) {
    if (fcache && !fcache->read(a)) cycles += read_waits;
    if (counters) counters->count(Initiator::kCpu, NvmOp::kRead, a, bytes);
  }
  IPSIM_INLINE void fram_write(uint32_t a, unsigned bytes) {
    if (fcache) fcache->write(a);
    cycles += write_waits;
    if (counters) counters->count(Initiator::kCpu, NvmOp::kWrite, a, bytes);
  }

  // ---- data memory ----------------------------------------------------------------------
  [[noreturn]] __attribute__((noinline)) void abort(Fault::Kind kind, uint32_t address) {
    raise(kind, address);
    throw Abort{};
  }
  // An access that may reach memory ends the block run (event) and any check of code against
  // memory. One that reaches only peripheral registers ends it only if it changed what the run
  // loop checks: an interrupt line (after_register_access), a stop request, memory, wait states
  // or the cycle count (request_stop, code_may_change, set_nwaits and add_cycles set event).
  IPSIM_INLINE void slow_access(uint32_t a) {
    if (!bus.registers_only(a) || watched[(a & kMask20) >> kPageShift]) mark_event(), bump_epoch();
  }
  IPSIM_INLINE void after_register_access() {
    if (irq.any()) mark_event();
  }
  __attribute__((noinline)) uint32_t slow_read(uint32_t a, unsigned size) {
    slow_access(a);
    if (IPSIM_UNLIKELY(watched[(a & kMask20) >> kPageShift])) return watched_read(a, size);
    uint16_t v = 0;
    if (bus.slow_read(a, size, v, cycles) != BusStatus::kOk) abort(Fault::Kind::kVacantAccess, a);
    after_register_access();
    return size == 1 ? (v & 0xFFu) : v;
  }
  __attribute__((noinline)) void slow_write(uint32_t a, unsigned size, uint32_t v) {
    slow_access(a);
    if (IPSIM_UNLIKELY(watched[(a & kMask20) >> kPageShift])) return watched_write(a, size, v);
    if (bus.slow_write(a, size, static_cast<uint16_t>(v), cycles) != BusStatus::kOk)
      abort(Fault::Kind::kVacantAccess, a);
    after_register_access();
  }

  // A watched page is kSlow in pages[] but keeps its host pointer; data_kind is its real kind.
  __attribute__((noinline)) uint32_t watched_read(uint32_t a, unsigned size) {
    a &= kMask20;
    const uint32_t page = a >> kPageShift;
    if (data_kind[page] == MemKind::kFram) fram_read(a, size);
    const uint8_t* h = pages[page].host + (a & 0xFF);
    if (observer && observer->on_watch(a, size, false)) watch_hit = true;
    return size == 1 ? h[0] : load16(h);
  }
  __attribute__((noinline)) void watched_write(uint32_t a, unsigned size, uint32_t v) {
    a &= kMask20;
    const uint32_t page = a >> kPageShift;
    if (data_kind[page] == MemKind::kFram) fram_write(a, size);
    uint8_t* h = pages[page].host + (a & 0xFF);
    if (size == 1)
      h[0] = static_cast<uint8_t>(v);
    else
      store16(h, static_cast<uint16_t>(v));
    if (observer && observer->on_watch(a, size, true)) watch_hit = true;
  }

  IPSIM_INLINE uint32_t read8(uint32_t a) {
    a &= kMask20;
    const PageEntry& p = pages[a >> kPageShift];
    if (IPSIM_LIKELY(p.kind == MemKind::kRam)) return ++sram_accesses, p.host[a & 0xFF];
    if (p.kind == MemKind::kFram) {
      fram_read(a, 1);
      return p.host[a & 0xFF];
    }
    return slow_read(a, 1);
  }
  IPSIM_INLINE uint32_t read16(uint32_t a) {
    a &= kMask20 & ~1u;  // word accesses ignore address bit 0
    const PageEntry& p = pages[a >> kPageShift];
    if (IPSIM_LIKELY(p.kind == MemKind::kRam)) return ++sram_accesses, load16(p.host + (a & 0xFF));
    if (p.kind == MemKind::kFram) {
      fram_read(a, 2);
      return load16(p.host + (a & 0xFF));
    }
    return slow_read(a, 2);
  }
  uint32_t read20(uint32_t a) {
    a &= kMask20 & ~1u;
    const PageEntry& p = pages[a >> kPageShift];
    if ((a & 0xFF) != 0xFE && p.kind != MemKind::kSlow) {
      const uint8_t* h = p.host + (a & 0xFF);
      if (p.kind == MemKind::kFram) {
        if (fcache) {
          if (!fcache->read(a)) cycles += read_waits;
          if (!fcache->read(a + 2)) cycles += read_waits;
        }
        if (counters) counters->count(Initiator::kCpu, NvmOp::kRead, a, 4);
      } else {
        sram_accesses += 2;
      }
      return (load16(h) | (uint32_t{load16(h + 2)} << 16)) & kMask20;
    }
    const uint32_t lo = read16(a);
    return (lo | (read16(a + 2) << 16)) & kMask20;
  }
  IPSIM_INLINE uint32_t read(uint32_t a, unsigned w) {
    if (w == kWord) return read16(a);
    if (w == kByte) return read8(a);
    return read20(a);
  }

  IPSIM_INLINE void write8(uint32_t a, uint32_t v) {
    a &= kMask20;
    const PageEntry& p = pages[a >> kPageShift];
    if (IPSIM_UNLIKELY(p.code)) code_may_change();
    if (IPSIM_LIKELY(p.kind == MemKind::kRam)) {
      ++sram_accesses;
      p.host[a & 0xFF] = static_cast<uint8_t>(v);
    } else if (p.kind == MemKind::kFram) {
      fram_write(a, 1);
      p.host[a & 0xFF] = static_cast<uint8_t>(v);
    } else {
      slow_write(a, 1, v & 0xFF);
    }
  }
  IPSIM_INLINE void write16(uint32_t a, uint32_t v) {
    a &= kMask20 & ~1u;
    const PageEntry& p = pages[a >> kPageShift];
    if (IPSIM_UNLIKELY(p.code)) code_may_change();
    if (IPSIM_LIKELY(p.kind == MemKind::kRam)) {
      ++sram_accesses;
      store16(p.host + (a & 0xFF), static_cast<uint16_t>(v));
    } else if (p.kind == MemKind::kFram) {
      fram_write(a, 2);
      store16(p.host + (a & 0xFF), static_cast<uint16_t>(v));
    } else {
      slow_write(a, 2, v & 0xFFFF);
    }
  }
  void write20(uint32_t a, uint32_t v) {
    a &= kMask20 & ~1u;
    const PageEntry& p = pages[a >> kPageShift];
    const uint16_t lo = static_cast<uint16_t>(v), hi = static_cast<uint16_t>((v >> 16) & 0xF);
    if ((a & 0xFF) != 0xFE && p.kind != MemKind::kSlow) {
      if (p.code) code_may_change();
      uint8_t* h = p.host + (a & 0xFF);
      if (p.kind == MemKind::kFram) {
        if (fcache) fcache->write(a), fcache->write(a + 2);
        cycles += 2 * write_waits;
        if (counters) counters->count(Initiator::kCpu, NvmOp::kWrite, a, 4);
      } else {
        sram_accesses += 2;
      }
      store16(h, lo);
      store16(h + 2, hi);
      return;
    }
    write16(a, lo);
    write16(a + 2, hi);
  }
  IPSIM_INLINE void write(uint32_t a, uint32_t v, unsigned w) {
    if (w == kWord) return write16(a, v);
    if (w == kByte) return write8(a, v);
    write20(a, v);
  }

  // ---- registers ------------------------------------------------------------------------
  void write_sr(uint32_t v) {
    // facts §2.3 / UG445 1.3.4.1: the instruction after EINT always executes.
    if ((v & kSrGie) && !(r[2] & kSrGie)) irq_allowed_at = insns + 2;
    r[2] = v & 0xFFFF;
  }
  // Byte results clear bits 19:8, word results bits 19:16 (UG445 4.4.1).
  void set_reg(unsigned n, uint32_t v, unsigned w) {
    v &= kWidthMask[w];
    switch (n) {
      case 0:
        r[0] = v & 0xFFFFE;
        break;  // PC is always even
      case 1:
        r[1] = v & 0xFFFFE;
        break;  // SP is always even
      case 2:
        write_sr(v);
        break;
      case 3:
        break;  // CG2: writes are discarded
      default:
        r[n] = v;
    }
  }
  void set_flags(uint32_t f) {
    r[2] = (r[2] & ~kSrFlags) | f;
  }

  // ---- operands ---------------------------------------------------------------------------
  uint32_t indexed(uint8_t mode, uint8_t reg, uint32_t x) const {
    const uint32_t base = r[reg];
    if (mode == kModeIdx16 && base <= 0xFFFF) return (base + x) & 0xFFFF;
    return (base + x) & kMask20;
  }
  // Address of a memory source operand; performs the @Rn+ increment.
  IPSIM_INLINE uint32_t src_address(const DecodedInsn& d) {
    switch (d.src_mode) {
      case kModeIdx16:
      case kModeIdx20:
        return indexed(d.src_mode, d.src_reg, d.src_x);
      case kModeAbs:
        return d.src_x;
      case kModeInd:
        return r[d.src_reg];
      default: {  // kModeInc
        const uint32_t a = r[d.src_reg];
        r[d.src_reg] = (a + d.src_inc) & kMask20;
        return a;
      }
    }
  }
  uint32_t src_value(const DecodedInsn& d, unsigned w) {
    if (d.src_mode == kModeReg) return r[d.src_reg] & kWidthMask[w];
    if (d.src_mode == kModeImm) return d.src_x;
    return read(src_address(d), w);
  }
  IPSIM_INLINE uint32_t dst_address(const DecodedInsn& d) const {
    if (d.dst_mode == kModeAbs) return d.dst_x;
    return indexed(d.dst_mode, d.dst_reg, d.dst_x);
  }
  void push(uint32_t v, unsigned w) {
    const uint32_t sp = (r[1] - (w == kAddr ? 4 : 2)) & kMask20;
    r[1] = sp;
    write(sp, v, w);
  }

  // ---- ALU (UG445 4.6 per-instruction flag rules) -----------------------------------------
  template <unsigned Op>
  static uint32_t alu(uint32_t& sr, uint32_t s, uint32_t d, uint32_t mask, uint32_t msb, bool zc) {
    if constexpr (Op == kMov) {
      (void)sr, (void)d, (void)mask, (void)msb, (void)zc;
      return s;
    } else if constexpr (Op == kAdd || Op == kAddc || Op == kSub || Op == kSubc || Op == kCmp) {
      constexpr bool sub = Op == kSub || Op == kSubc || Op == kCmp;
      if (sub) s = ~s & mask;
      uint32_t cin;
      if constexpr (Op == kAdd)
        cin = 0;
      else if constexpr (Op == kSub || Op == kCmp)
        cin = 1;
      else
        cin = zc ? 0 : (sr & kSrC);
      const uint32_t full = d + s + cin;
      const uint32_t res = full & mask;
      uint32_t f = (full > mask ? kSrC : 0) | (res == 0 ? kSrZ : 0) | ((res & msb) ? kSrN : 0);
      if (~(d ^ s) & (d ^ res) & msb) f |= kSrV;
      sr = (sr & ~kSrFlags) | f;
      return res;
    } else if constexpr (Op == kDadd) {
      uint32_t carry = zc ? 0 : (sr & kSrC), res = 0;
      const unsigned digits = mask == 0xFF ? 2 : mask == 0xFFFF ? 4 : 5;
      for (unsigned i = 0; i < digits; ++i) {
        uint32_t t = ((s >> (4 * i)) & 0xF) + ((d >> (4 * i)) & 0xF) + carry;
        carry = t > 9;
        if (carry) t = (t + 6) & 0xF;
        res |= t << (4 * i);
      }
      // V is undefined for DADD: left unchanged.
      uint32_t f = (carry ? kSrC : 0) | (res == 0 ? kSrZ : 0) | ((res & msb) ? kSrN : 0);
      sr = (sr & ~(kSrC | kSrZ | kSrN)) | f;
      return res;
    } else if constexpr (Op == kBit || Op == kAnd || Op == kXor) {
      (void)zc;
      const uint32_t res = Op == kXor ? (s ^ d) : (s & d);
      uint32_t f = res == 0 ? kSrZ : kSrC;  // C = not Z
      if (res & msb) f |= kSrN;
      if (Op == kXor && (s & d & msb)) f |= kSrV;  // V: both operands negative
      sr = (sr & ~kSrFlags) | f;
      (void)mask;
      return res;
    } else if constexpr (Op == kBic) {
      (void)sr, (void)mask, (void)msb, (void)zc;
      return d & ~s;
    } else {  // kBis
      (void)sr, (void)mask, (void)msb, (void)zc;
      return d | s;
    }
  }
  static constexpr bool writes_dst(unsigned op) {
    return op != kCmp && op != kBit;
  }

  // ---- handlers ---------------------------------------------------------------------------
  static void h_illegal(Engine& e, const DecodedInsn& d) {
    e.abort(Fault::Kind::kIllegalInstruction, d.src_x);
  }
  // RRC RRA SWPB SXT on R4..R15, .B/.W, no repeat.
  template <unsigned Op, unsigned W>
  static uint32_t h_f2_r(Engine& e, const DecodedInsn& d, uint32_t next, uint32_t& sr) {
    const uint32_t v = e.r[d.src_reg] & kWidthMask[W];
    e.r[d.src_reg] = shift1<Op>(sr, v, W, kWidthMask[W], kWidthMsb[W], false);
    return next;
  }
  // BIC/BIS #N, SR (.W): CLRC, SETC, CLRZ ... BIS never sets GIE here (EINT goes generic).
  static uint32_t h_sr_bic(Engine&, const DecodedInsn& d, uint32_t next, uint32_t& sr) {
    sr = sr & ~d.src_x & 0xFFFF;
    return next;
  }
  static uint32_t h_sr_bis(Engine&, const DecodedInsn& d, uint32_t next, uint32_t& sr) {
    sr = (sr | d.src_x) & 0xFFFF;
    return next;
  }
  // A LiteOp as a Handler, on r[2].
  template <LiteOp L>
  static uint32_t on_sr(Engine& e, const DecodedInsn& d, uint32_t next) {
    return L(e, d, next, e.r[2]);
  }
  // L for a slot whose status flags no one sees (BlockSlot::flags_dead): L reads the flags it
  // needs from a copy and sets the copy's, which is dropped, so the compiler drops that work.
  template <LiteOp L>
  static uint32_t no_flags(Engine& e, const DecodedInsn& d, uint32_t next, uint32_t& sr) {
    uint32_t scratch = sr;
    return L(e, d, next, scratch);
  }
  // Adapter for handlers that may write R0 (any register destination, stack, RETI).
  template <void (*F)(Engine&, const DecodedInsn&)>
  static uint32_t gen(Engine& e, const DecodedInsn& d, uint32_t) {
    F(e, d);
    return e.r[0];
  }

  // Register-register Format I without repeat, destination R4..R15.
  // sr is r[2], or its copy in a block's chain (then the source is not R2: see make_block).
  template <unsigned Op, unsigned W>
  static void h_f1_rr(Engine& e, const DecodedInsn& d, uint32_t& sr) {
    const uint32_t s = e.r[d.src_reg] & kWidthMask[W];
    const uint32_t v = e.r[d.dst_reg] & kWidthMask[W];
    const uint32_t res = alu<Op>(sr, s, v, kWidthMask[W], kWidthMsb[W], false);
    if (writes_dst(Op)) e.r[d.dst_reg] = res;
  }
  // Immediate/constant-register Format I, destination R4..R15.
  template <unsigned Op, unsigned W>
  static void h_f1_ir(Engine& e, const DecodedInsn& d, uint32_t& sr) {
    const uint32_t v = e.r[d.dst_reg] & kWidthMask[W];
    const uint32_t res = alu<Op>(sr, d.src_x, v, kWidthMask[W], kWidthMsb[W], false);
    if (writes_dst(Op)) e.r[d.dst_reg] = res;
  }
  // Memory source (any mode) to register R4..R15, word or byte.
  template <unsigned Op, unsigned W>
  static void h_f1_mr(Engine& e, const DecodedInsn& d) {
    const uint32_t s = e.read(e.src_address(d), W);
    const uint32_t v = e.r[d.dst_reg] & kWidthMask[W];
    const uint32_t res = alu<Op>(e.r[2], s, v, kWidthMask[W], kWidthMsb[W], false);
    if (writes_dst(Op)) e.r[d.dst_reg] = res;
  }

  // Register source to memory destination (16-bit forms, word or byte).
  template <unsigned Op, unsigned W>
  static void h_f1_rm(Engine& e, const DecodedInsn& d) {
    const uint32_t s = e.r[d.src_reg] & kWidthMask[W];
    const uint32_t a = e.dst_address(d);
    const uint32_t v = Op == kMov ? 0 : e.read(a, W);
    const uint32_t res = alu<Op>(e.r[2], s, v, kWidthMask[W], kWidthMsb[W], false);
    if (writes_dst(Op)) e.write(a, res, W);
  }

  // Generic Format I: every mode, width, repeat count and ZC; also MOVA/CMPA/ADDA/SUBA.
  template <unsigned Op>
  static void h_f1(Engine& e, const DecodedInsn& d) {
    const unsigned w = d.width;
    const uint32_t mask = kWidthMask[w], msb = kWidthMsb[w];
    const bool zc = d.flags & kFlagZc;
    if (d.dst_mode == kModeReg) {
      unsigned n = d.repeat;
      if (d.flags & kFlagRepReg) {
        n = (e.r[d.rep] & 0xF) + 1;
        e.cycles += n - 1;  // Table 4-18 [1]: n + 1 cycles
      }
      for (; n; --n) {
        const uint32_t s = e.src_value(d, w);
        const uint32_t v = e.r[d.dst_reg] & mask;
        const uint32_t res = alu<Op>(e.r[2], s, v, mask, msb, zc);
        if (writes_dst(Op)) e.set_reg(d.dst_reg, res, w);
      }
      return;
    }
    const uint32_t s = e.src_value(d, w);
    const uint32_t a = e.dst_address(d);
    const uint32_t v = Op == kMov ? 0 : e.read(a, w);
    const uint32_t res = alu<Op>(e.r[2], s, v, mask, msb, zc);
    if (writes_dst(Op)) e.write(a, res, w);
  }

  // Format II: RRC SWPB RRA SXT (read-modify-write), PUSH, CALL/CALLA.
  template <unsigned Op>
  static void h_f2(Engine& e, const DecodedInsn& d) {
    const unsigned w = d.width;
    if constexpr (Op == kPush) {
      e.push(e.src_value(d, w), w);
    } else if constexpr (Op == kCall) {
      const uint32_t target = e.src_value(d, w);
      if (w == kAddr) {
        e.push(e.r[0], kAddr);  // CALLA: PC 19:16 then PC 15:0 (two words)
        e.r[0] = target & 0xFFFFE;
      } else {
        e.push(e.r[0] & 0xFFFF, kWord);  // CALL: 16-bit PC, clears PC 19:16 (facts §2.1)
        e.r[0] = target & 0xFFFE;
      }
    } else {
      const uint32_t mask = kWidthMask[w], msb = kWidthMsb[w];
      if (d.src_mode == kModeReg) {
        unsigned n = d.repeat;
        if (d.flags & kFlagRepReg) {
          n = (e.r[d.rep] & 0xF) + 1;
          e.cycles += n - 1;
        }
        for (; n; --n) {
          const uint32_t v = e.r[d.src_reg] & mask;
          const uint32_t res = shift1<Op>(e.r[2], v, w, mask, msb, d.flags & kFlagZc);
          if (Op == kSwpb && w == kAddr)
            e.set_reg(d.src_reg, res | (e.r[d.src_reg] & 0xF0000), kAddr);
          else
            e.set_reg(d.src_reg, res, w);
        }
        return;
      }
      const uint32_t a = e.src_address(d);
      const uint32_t v = e.read(a, w);
      uint32_t res = shift1<Op>(e.r[2], v, w, mask, msb, d.flags & kFlagZc);
      if (Op == kSwpb && w == kAddr) res |= v & 0xF0000;
      e.write(a, res, w);
    }
  }
  template <unsigned Op>
  static uint32_t shift1(uint32_t& sr, uint32_t v, unsigned w, uint32_t mask, uint32_t msb,
                         bool zc) {
    if constexpr (Op == kRrc || Op == kRra) {
      uint32_t top;
      if (Op == kRrc)
        top = (!zc && (sr & kSrC)) ? msb : 0;
      else
        top = v & msb;
      const uint32_t res = (v >> 1) | top;
      uint32_t f = (v & 1) ? kSrC : 0;
      if (res == 0) f |= kSrZ;
      if (res & msb) f |= kSrN;
      sr = (sr & ~kSrFlags) | f;  // V = 0
      return res;
    } else if constexpr (Op == kSwpb) {
      (void)sr, (void)w, (void)mask, (void)msb, (void)zc;
      return ((v >> 8) & 0xFF) | ((v & 0xFF) << 8);
    } else {  // kSxt
      (void)w, (void)zc;
      const uint32_t res = (v & 0x80) ? ((v | ~0xFFu) & mask) : (v & 0xFF);
      uint32_t f = res == 0 ? kSrZ : kSrC;  // C = not Z, V = 0
      if (res & msb) f |= kSrN;
      sr = (sr & ~kSrFlags) | f;
      return res;
    }
  }

  static void h_reti(Engine& e, const DecodedInsn&) {
    // facts §1.3: SR word carries PC 19:16 in bits 15:12.
    const uint32_t srw = e.read16(e.r[1]);
    const uint32_t pcl = e.read16(e.r[1] + 2);
    e.r[1] = (e.r[1] + 4) & kMask20;
    e.r[2] = srw & 0x0FFF;
    e.r[0] = (((srw >> 12) << 16) | pcl) & 0xFFFFE;
  }

  template <unsigned Cond>
  static uint32_t h_jump(Engine&, const DecodedInsn& d, uint32_t next, uint32_t& sr) {
    bool take;
    if constexpr (Cond == 0)
      take = !(sr & kSrZ);
    else if constexpr (Cond == 1)
      take = sr & kSrZ;
    else if constexpr (Cond == 2)
      take = !(sr & kSrC);
    else if constexpr (Cond == 3)
      take = sr & kSrC;
    else if constexpr (Cond == 4)
      take = sr & kSrN;
    else if constexpr (Cond == 5)
      take = !(sr & kSrN) == !(sr & kSrV);
    else if constexpr (Cond == 6)
      take = !(sr & kSrN) != !(sr & kSrV);
    else
      take = true;
    return take ? d.dst_x : next;
  }

  // RRCM RRAM RLAM RRUM (.A/.W), n = d.repeat.
  static void h_shiftm(Engine& e, const DecodedInsn& d) {
    const unsigned w = d.width;
    const uint32_t mask = kWidthMask[w], msb = kWidthMsb[w];
    uint32_t v = e.r[d.dst_reg] & mask, c = e.r[2] & kSrC;
    for (unsigned i = 0; i < d.repeat; ++i) {
      uint32_t out;
      switch (d.op) {
        case 0:
          out = v & 1, v = (v >> 1) | (c ? msb : 0);
          break;  // RRCM
        case 1:
          out = v & 1, v = (v >> 1) | (v & msb);
          break;  // RRAM
        case 2:
          out = (v & msb) != 0, v = (v << 1) & mask;
          break;  // RLAM
        default:
          out = v & 1, v >>= 1;
          break;  // RRUM
      }
      c = out;
    }
    uint32_t f = c ? kSrC : 0;
    if (v == 0) f |= kSrZ;
    if (v & msb) f |= kSrN;
    e.set_flags(f);
    e.set_reg(d.dst_reg, v, w);
  }

  // PUSHM: d.dst_reg is the highest register, pushed first.
  static void h_pushm(Engine& e, const DecodedInsn& d) {
    const unsigned w = d.width;
    for (unsigned i = 0; i < d.repeat; ++i) {
      const unsigned reg = (d.dst_reg - i) & 15;
      e.push(e.r[reg] & kWidthMask[w], w);
    }
  }
  // POPM: d.dst_reg is the lowest register (Rdst - n + 1), popped first.
  static void h_popm(Engine& e, const DecodedInsn& d) {
    const unsigned w = d.width;
    const unsigned step = w == kAddr ? 4 : 2;
    for (unsigned i = 0; i < d.repeat; ++i) {
      const unsigned reg = (d.dst_reg + i) & 15;
      const uint32_t v = e.read(e.r[1], w);
      e.r[1] = (e.r[1] + step) & kMask20;
      e.set_reg(reg, v, w);
    }
  }

  // ---- decoder ----------------------------------------------------------------------------
  bool is_fram(uint32_t a) const {
    return data_kind[(a & kMask20) >> kPageShift] == MemKind::kFram;
  }
  bool peek(uint32_t a, uint16_t& v) const {
    a &= kMask20;
    const PageEntry& p = pages[a >> kPageShift];
    if (p.host == nullptr) return false;  // peripherals and vacant memory
    v = load16(p.host + (a & 0xFF));
    return true;
  }

  struct Cursor {
    const Engine& e;
    uint32_t next;  // address of the next instruction word
    bool ok = true;
    uint32_t bad = 0;  // first address that could not be fetched
    uint16_t take() {
      uint16_t v = 0;
      if (ok && !e.peek(next, v)) ok = false, bad = next & kMask20;
      next = (next + 2) & kMask20;
      return v;
    }
  };

  // Source operand (also the single operand of Format II). hi = bits 19:16 from the
  // extension word.
  static void decode_src(DecodedInsn& d, Cursor& c, unsigned reg, unsigned as, bool ext,
                         uint32_t hi) {
    const unsigned w = d.width;
    d.src_reg = static_cast<uint8_t>(reg);
    if (reg == 3 || (reg == 2 && as >= 2)) {  // constant generators (facts §2.1)
      static constexpr uint32_t kR2[4] = {0, 0, 4, 8};
      static constexpr uint32_t kR3[4] = {0, 1, 2, 0xFFFFF};
      d.src_mode = kModeImm;
      d.src_syn = kSynCg;
      d.src_x = (reg == 3 ? kR3[as] : kR2[as]) & kWidthMask[w];
      return;
    }
    switch (as) {
      case 0:
        d.src_mode = kModeReg;
        d.src_syn = kSynReg;
        return;
      case 1: {
        const uint32_t word_addr = c.next;
        const uint32_t x = c.take();
        if (reg == 2) {
          d.src_mode = kModeAbs;
          d.src_syn = kSynAbs;
          d.src_x = ext ? ((hi << 16) | x) : x;
        } else if (reg == 0) {
          d.src_mode = kModeAbs;
          d.src_syn = kSynSym;
          d.src_x = symbolic(word_addr, x, ext, hi);
        } else if (ext) {
          d.src_mode = kModeIdx20;
          d.src_syn = kSynIdx;
          d.src_x = (hi << 16) | x;
        } else {
          d.src_mode = kModeIdx16;
          d.src_syn = kSynIdx;
          d.src_x = sext16(x);
        }
        return;
      }
      case 2:
        d.src_mode = kModeInd;
        d.src_syn = kSynInd;
        return;
      default:
        if (reg == 0) {
          const uint32_t x = c.take();
          d.src_mode = kModeImm;
          d.src_syn = kSynImm;
          d.src_x = (ext ? ((hi << 16) | x) : x) & kWidthMask[w];
        } else {
          d.src_mode = kModeInc;
          d.src_syn = kSynInc;
          d.src_inc = w == kAddr ? 4 : w == kWord ? 2 : (reg == 1 ? 2 : 1);
        }
    }
  }
  static uint32_t symbolic(uint32_t word_addr, uint32_t x, bool ext, uint32_t hi) {
    if (ext) return (word_addr + ((hi << 16) | x)) & kMask20;
    if (word_addr <= 0xFFFF) return (word_addr + x) & 0xFFFF;
    return (word_addr + sext16(x)) & kMask20;
  }
  static void decode_dst(DecodedInsn& d, Cursor& c, unsigned reg, unsigned ad, bool ext,
                         uint32_t hi) {
    d.dst_reg = static_cast<uint8_t>(reg);
    if (!ad) {
      d.dst_mode = kModeReg;
      d.dst_syn = kSynReg;
      return;
    }
    const uint32_t word_addr = c.next;
    const uint32_t x = c.take();
    if (reg == 2 || reg == 3) {  // &ADDR (x(R3) behaves as absolute: R3 reads as 0)
      d.dst_mode = kModeAbs;
      d.dst_syn = kSynAbs;
      d.dst_x = ext ? ((hi << 16) | x) : x;
    } else if (reg == 0) {
      d.dst_mode = kModeAbs;
      d.dst_syn = kSynSym;
      d.dst_x = symbolic(word_addr, x, ext, hi);
    } else if (ext) {
      d.dst_mode = kModeIdx20;
      d.dst_syn = kSynIdx;
      d.dst_x = (hi << 16) | x;
    } else {
      d.dst_mode = kModeIdx16;
      d.dst_syn = kSynIdx;
      d.dst_x = sext16(x);
    }
  }

  // PC as a register-mode source reads the address of the word after the opcode (the PC
  // has advanced past the opcode only: UG445 4.3.1, the PC points to the next word to
  // fetch). With a destination index word that is the index word's address, not the next
  // instruction's: "mov pc, 2(r5)" at A stores A + 2 (mspdebug agrees). The value is known
  // at decode time, so the operand becomes an immediate (syntax and cycles stay Rn).
  static void pc_source_before_dst_word(DecodedInsn& d, uint32_t word_addr) {
    d.src_mode = kModeImm;
    d.src_x = word_addr & kWidthMask[d.width];
  }

  static Handler f1_generic(unsigned op) {
    static constexpr Handler kTable[16] = {nullptr,
                                           nullptr,
                                           nullptr,
                                           nullptr,
                                           &gen<&h_f1<kMov>>,
                                           &gen<&h_f1<kAdd>>,
                                           &gen<&h_f1<kAddc>>,
                                           &gen<&h_f1<kSubc>>,
                                           &gen<&h_f1<kSub>>,
                                           &gen<&h_f1<kCmp>>,
                                           &gen<&h_f1<kDadd>>,
                                           &gen<&h_f1<kBit>>,
                                           &gen<&h_f1<kBic>>,
                                           &gen<&h_f1<kBis>>,
                                           &gen<&h_f1<kXor>>,
                                           &gen<&h_f1<kAnd>>};
    return kTable[op];
  }
  template <template <unsigned, unsigned> class Spec>
  static Handler pick(unsigned op, unsigned w) {
#define IPSIM_F1_ROW(W)                                                                   \
  {                                                                                       \
    nullptr, nullptr, nullptr, nullptr, &Spec<kMov, W>::fn, &Spec<kAdd, W>::fn,           \
        &Spec<kAddc, W>::fn, &Spec<kSubc, W>::fn, &Spec<kSub, W>::fn, &Spec<kCmp, W>::fn, \
        &Spec<kDadd, W>::fn, &Spec<kBit, W>::fn, &Spec<kBic, W>::fn, &Spec<kBis, W>::fn,  \
        &Spec<kXor, W>::fn, &Spec<kAnd, W>::fn                                            \
  }
    static constexpr Handler kTable[2][16] = {IPSIM_F1_ROW(kByte), IPSIM_F1_ROW(kWord)};
#undef IPSIM_F1_ROW
    return kTable[w][op];
  }
  template <unsigned Op, unsigned W>
  struct SpecRR {
    static uint32_t lop(Engine& e, const DecodedInsn& d, uint32_t next, uint32_t& sr) {
      h_f1_rr<Op, W>(e, d, sr);
      return next;
    }
    static uint32_t fn(Engine& e, const DecodedInsn& d, uint32_t next) {
      return lop(e, d, next, e.r[2]);
    }
  };
  template <unsigned Op, unsigned W>
  struct SpecIR {
    static uint32_t lop(Engine& e, const DecodedInsn& d, uint32_t next, uint32_t& sr) {
      h_f1_ir<Op, W>(e, d, sr);
      return next;
    }
    static uint32_t fn(Engine& e, const DecodedInsn& d, uint32_t next) {
      return lop(e, d, next, e.r[2]);
    }
  };
  template <unsigned Op, unsigned W>
  struct SpecRM {
    static uint32_t fn(Engine& e, const DecodedInsn& d, uint32_t next) {
      h_f1_rm<Op, W>(e, d);
      return next;
    }
  };
  template <unsigned Op, unsigned W>
  struct SpecMR {
    static uint32_t fn(Engine& e, const DecodedInsn& d, uint32_t next) {
      h_f1_mr<Op, W>(e, d);
      return next;
    }
  };

  static void make_illegal(DecodedInsn& d, uint32_t opcode) {
    d.kind = kKindIllegal;
    d.fn = &gen<&h_illegal>;
    d.src_x = opcode;
    d.cycles = 0;
  }

  // Decodes the instruction at pc into d. Returns false if a word could not be fetched
  // (bad_addr names it); an undecodable instruction decodes as kKindIllegal.
  bool decode(uint32_t pc, DecodedInsn& d, uint32_t& bad_addr) const {
    d = DecodedInsn{};
    Cursor c{*this, pc};
    const uint16_t w0 = c.take();
    uint16_t op = w0;
    uint16_t ext = 0;
    const bool has_ext = (w0 & 0xF800) == 0x1800;
    if (has_ext) {
      ext = w0;
      op = c.take();
      d.flags |= kFlagExt;
    }
    if (!c.ok) {
      bad_addr = c.bad;
      return false;
    }
    decode_op(pc, d, c, op, has_ext, ext, w0);
    if (!c.ok) {
      bad_addr = c.bad;
      return false;
    }
    d.len = static_cast<uint8_t>((c.next - pc) & kMask20);
    if (d.kind == kKindIllegal) d.len = has_ext ? 4 : 2;
    uint64_t raw = 0;
    unsigned fram_words = 0;
    for (unsigned i = 0; i < d.len; i += 2) {
      uint16_t v = 0;
      peek(pc + i, v);
      raw |= uint64_t{v} << (8 * i);
      if (is_fram(pc + i)) ++fram_words;
    }
    d.raw = raw;
    d.vshift = static_cast<uint8_t>(64 - 8 * d.len);
    if (fram_words == d.len / 2u)
      d.flags |= kFlagFetchFram;
    else if (fram_words)
      d.flags |= kFlagFetchMixed;
    const uint32_t last = (pc + d.len - 1) & kMask20;
    if ((pc >> FramCache::kLineShift) != (last >> FramCache::kLineShift)) d.flags |= kFlagTwoLines;
    if ((pc >> kPageShift) != (last >> kPageShift)) d.flags |= kFlagCrossPage;
    return true;
  }

  void decode_op(uint32_t pc, DecodedInsn& d, Cursor& c, uint16_t op, bool has_ext, uint16_t ext,
                 uint16_t w0) const {
    const unsigned top = op >> 12;
    if (top >= 4) return decode_format1(d, c, op, has_ext, ext, w0);
    if (top >= 2) {  // jumps
      if (has_ext) return make_illegal(d, w0);
      static constexpr Handler kJumps[8] = {
          &on_sr<&h_jump<0>>, &on_sr<&h_jump<1>>, &on_sr<&h_jump<2>>, &on_sr<&h_jump<3>>,
          &on_sr<&h_jump<4>>, &on_sr<&h_jump<5>>, &on_sr<&h_jump<6>>, &on_sr<&h_jump<7>>};
      int32_t off = op & 0x3FF;
      if (off & 0x200) off -= 0x400;
      d.kind = kKindJump;
      d.op = (op >> 10) & 7;
      d.fn = kJumps[d.op];
      d.dst_x = static_cast<uint32_t>(pc + 2 + 2 * off) & kMask20;
      d.cycles = kJumpCycles;
      return;
    }
    if ((op & 0xFC00) == 0x1000) return decode_format2(pc, d, c, op, has_ext, ext, w0);
    if (has_ext) return make_illegal(d, w0);  // address instructions, PUSHM/POPM
    if (top == 0) return decode_address(pc, d, c, op);
    if ((op & 0xFC00) == 0x1400) {  // PUSHM/POPM
      const unsigned sub = (op >> 8) & 3;
      d.kind = sub < 2 ? kKindPushM : kKindPopM;
      d.fn = sub < 2 ? &gen<&h_pushm> : &gen<&h_popm>;
      d.width = (sub & 1) ? kWord : kAddr;
      d.repeat = static_cast<uint8_t>(((op >> 4) & 0xF) + 1);
      d.dst_reg = op & 0xF;
      d.cycles = static_cast<uint8_t>(pushpopm_cycles(d.width == kAddr, d.repeat));
      return;
    }
    make_illegal(d, w0);  // an extension word followed by an extension word
  }

  void decode_format1(DecodedInsn& d, Cursor& c, uint16_t op, bool has_ext, uint16_t ext,
                      uint16_t w0) const {
    const unsigned opc = op >> 12, sreg = (op >> 8) & 0xF, ad = (op >> 7) & 1;
    const unsigned bw = (op >> 6) & 1, as = (op >> 4) & 3, dreg = op & 0xF;
    d.kind = kKindFormat1;
    d.op = static_cast<uint8_t>(opc);
    uint32_t src_hi = 0, dst_hi = 0;
    if (has_ext) {
      const unsigned al = (ext >> 6) & 1;
      if (!al && !bw) return make_illegal(d, w0);  // reserved width
      d.width = !al ? kAddr : bw ? kByte : kWord;
      if (as == 0 && ad == 0) {  // register-mode extension word (facts §2.2)
        if (ext & 0x100) d.flags |= kFlagZc;
        if (ext & 0x80) {
          d.flags |= kFlagRepReg;
          d.rep = ext & 0xF;
        } else {
          d.repeat = static_cast<uint8_t>((ext & 0xF) + 1);
        }
      } else {
        src_hi = (ext >> 7) & 0xF;
        dst_hi = ext & 0xF;
      }
    } else {
      d.width = bw ? kByte : kWord;
    }
    const uint32_t after_opcode = c.next;
    decode_src(d, c, sreg, as, has_ext, src_hi);
    decode_dst(d, c, dreg, ad, has_ext, dst_hi);
    if (sreg == 0 && as == 0 && ad) pc_source_before_dst_word(d, after_opcode);
    const DstCol col = ad ? kColMem : dreg == 0 ? kColPc : kColRm;
    d.cycles = static_cast<uint8_t>(
        format1_cycles(has_ext, false, d.src_syn, col, d.width, opc, d.repeat));
    d.fn = f1_generic(opc);
    const bool plain = d.repeat == 1 && !(d.flags & (kFlagZc | kFlagRepReg));
    if (plain && d.width != kAddr && d.dst_mode == kModeReg && dreg >= 4) {
      if (d.src_mode == kModeReg)
        d.fn = pick<SpecRR>(opc, d.width);
      else if (d.src_mode == kModeImm)
        d.fn = pick<SpecIR>(opc, d.width);
      else
        d.fn = pick<SpecMR>(opc, d.width);
    } else if (plain && d.width != kAddr && d.src_mode == kModeReg && d.dst_mode != kModeReg) {
      d.fn = pick<SpecRM>(opc, d.width);
    } else if (plain && d.width == kWord && d.dst_mode == kModeReg && dreg == 2 &&
               d.src_mode == kModeImm) {
      if (opc == kBic) d.fn = &on_sr<&h_sr_bic>;
      if (opc == kBis && !(d.src_x & kSrGie)) d.fn = &on_sr<&h_sr_bis>;
    }
  }

  void decode_format2(uint32_t pc, DecodedInsn& d, Cursor& c, uint16_t op, bool has_ext,
                      uint16_t ext, uint16_t w0) const {
    (void)pc;
    const unsigned opc = (op >> 7) & 7, bw = (op >> 6) & 1, as = (op >> 4) & 3;
    const unsigned reg = op & 0xF;
    if (opc >= 6) {  // RETI, CALLA
      if (has_ext) return make_illegal(d, w0);
      if (op == 0x1300) {
        d.kind = kKindReti;
        d.fn = &gen<&h_reti>;
        d.cycles = kRetiCycles;
        return;
      }
      const unsigned sub = (op >> 4) & 0xF;
      d.kind = kKindFormat2;
      d.op = kCall;
      d.width = kAddr;
      d.flags |= kFlagAddrInsn;
      d.fn = &gen<&h_f2<kCall>>;
      d.src_reg = static_cast<uint8_t>(reg);
      switch (sub) {
        case 4:
          d.src_mode = kModeReg, d.src_syn = kSynReg;
          break;
        case 5: {
          const uint32_t word_addr = c.next;
          const uint32_t x = c.take();
          if (reg == 0) {
            d.src_mode = kModeAbs, d.src_syn = kSynSym;
            d.src_x = (word_addr + sext16(x)) & kMask20;
          } else {
            d.src_mode = kModeIdx20, d.src_syn = kSynIdx, d.src_x = sext16(x) & kMask20;
          }
          break;
        }
        case 6:
          d.src_mode = kModeInd, d.src_syn = kSynInd;
          break;
        case 7:
          d.src_mode = kModeInc, d.src_syn = kSynInc, d.src_inc = 4;
          break;
        case 8:
          d.src_mode = kModeAbs, d.src_syn = kSynAbs, d.src_x = (reg << 16) | c.take();
          break;
        case 9: {
          const uint32_t word_addr = c.next;
          d.src_mode = kModeAbs, d.src_syn = kSynSym;
          d.src_x = (word_addr + ((reg << 16) | c.take())) & kMask20;
          break;
        }
        case 11:
          d.src_mode = kModeImm, d.src_syn = kSynImm, d.src_x = (reg << 16) | c.take();
          break;
        default:
          return make_illegal(d, w0);
      }
      d.cycles = static_cast<uint8_t>(format2_cycles(false, true, d.src_syn, kAddr, kCall, reg, 1));
      return;
    }
    d.kind = kKindFormat2;
    d.op = static_cast<uint8_t>(opc);
    const bool no_byte = opc == kSwpb || opc == kSxt || opc == kCall;
    uint32_t hi = 0;
    if (has_ext) {
      if (opc == kCall) return make_illegal(d, w0);
      const unsigned al = (ext >> 6) & 1;
      if (no_byte) {
        if (bw) return make_illegal(d, w0);
        d.width = al ? kWord : kAddr;  // SWPBX.A / SXTX.A use A/L = 0, B/W = 0
      } else {
        if (!al && !bw) return make_illegal(d, w0);
        d.width = !al ? kAddr : bw ? kByte : kWord;
      }
      if (as == 0) {
        if (ext & 0x100) d.flags |= kFlagZc;
        if (ext & 0x80) {
          d.flags |= kFlagRepReg;
          d.rep = ext & 0xF;
        } else {
          d.repeat = static_cast<uint8_t>((ext & 0xF) + 1);
        }
      } else {
        hi = ((ext >> 7) & 0xF) | (ext & 0xF);
      }
    } else {
      if (no_byte && bw) return make_illegal(d, w0);
      d.width = bw ? kByte : kWord;
    }
    decode_src(d, c, reg, as, has_ext, hi);
    if (opc != kPush && opc != kCall && d.src_mode == kModeImm) return make_illegal(d, w0);
    if ((opc == kPush || opc == kCall) && (d.repeat != 1 || (d.flags & kFlagRepReg)))
      return make_illegal(d, w0);
    static constexpr Handler kF2[6] = {&gen<&h_f2<kRrc>>, &gen<&h_f2<kSwpb>>, &gen<&h_f2<kRra>>,
                                       &gen<&h_f2<kSxt>>, &gen<&h_f2<kPush>>, &gen<&h_f2<kCall>>};
    d.fn = kF2[opc];
    if (opc <= kSxt && d.src_mode == kModeReg && reg >= 4 && d.width != kAddr && d.repeat == 1 &&
        !(d.flags & (kFlagZc | kFlagRepReg))) {
      static constexpr Handler kF2R[2][4] = {
          {&on_sr<&h_f2_r<kRrc, kByte>>, &on_sr<&h_f2_r<kSwpb, kByte>>,
           &on_sr<&h_f2_r<kRra, kByte>>, &on_sr<&h_f2_r<kSxt, kByte>>},
          {&on_sr<&h_f2_r<kRrc, kWord>>, &on_sr<&h_f2_r<kSwpb, kWord>>,
           &on_sr<&h_f2_r<kRra, kWord>>, &on_sr<&h_f2_r<kSxt, kWord>>}};
      d.fn = kF2R[d.width][opc];
    }
    d.cycles = static_cast<uint8_t>(
        format2_cycles(has_ext, false, d.src_syn, d.width, opc, reg, d.repeat));
  }

  void decode_address(uint32_t pc, DecodedInsn& d, Cursor& c, uint16_t op) const {
    (void)pc;
    const unsigned sub = (op >> 4) & 0xF, sreg = (op >> 8) & 0xF, dreg = op & 0xF;
    d.width = kAddr;
    d.flags |= kFlagAddrInsn;
    d.kind = kKindFormat1;
    if (sub == 4 || sub == 5) {  // RRCM RRAM RLAM RRUM
      d.kind = kKindShiftM;
      d.fn = &gen<&h_shiftm>;
      d.op = (op >> 8) & 3;
      d.repeat = static_cast<uint8_t>(((op >> 10) & 3) + 1);
      d.width = sub == 5 ? kWord : kAddr;
      d.dst_reg = static_cast<uint8_t>(dreg);
      d.cycles = static_cast<uint8_t>(shiftm_cycles(d.repeat));
      return;
    }
    static constexpr uint8_t kOps[4] = {kMov, kCmp, kAdd, kSub};
    d.op = sub >= 8 ? kOps[sub & 3] : static_cast<uint8_t>(kMov);
    d.src_reg = static_cast<uint8_t>(sreg);
    d.dst_reg = static_cast<uint8_t>(dreg);
    DstCol col = dreg == 0 ? kColPc : kColRm;
    switch (sub) {
      case 0:
      case 1:
        if (sreg == 0) return make_illegal(d, op);  // @PC / @PC+ are not MOVA forms
        d.src_mode = sub == 0 ? kModeInd : kModeInc;
        d.src_syn = sub == 0 ? kSynInd : kSynInc;
        d.src_inc = 4;
        break;
      case 2:
        d.src_mode = kModeAbs, d.src_syn = kSynAbs, d.src_x = (sreg << 16) | c.take();
        d.src_reg = 2;
        break;
      case 3: {
        const uint32_t word_addr = c.next;
        const uint32_t x = c.take();
        if (sreg == 0) {
          d.src_mode = kModeAbs, d.src_syn = kSynSym;
          d.src_x = (word_addr + sext16(x)) & kMask20;
        } else {
          d.src_mode = kModeIdx20, d.src_syn = kSynIdx, d.src_x = sext16(x) & kMask20;
        }
        break;
      }
      case 6:
        d.src_mode = kModeReg, d.src_syn = kSynReg;
        if (sreg == 0) pc_source_before_dst_word(d, c.next);
        d.dst_mode = kModeAbs, d.dst_syn = kSynAbs, d.dst_x = (dreg << 16) | c.take();
        d.dst_reg = 2;
        col = kColMem;
        break;
      case 7: {
        const uint32_t word_addr = c.next;
        const uint32_t x = c.take();
        if (dreg == 0) {
          d.dst_mode = kModeAbs, d.dst_syn = kSynSym;
          d.dst_x = (word_addr + sext16(x)) & kMask20;
        } else {
          d.dst_mode = kModeIdx20, d.dst_syn = kSynIdx, d.dst_x = sext16(x) & kMask20;
        }
        d.src_mode = kModeReg, d.src_syn = kSynReg;
        if (sreg == 0) pc_source_before_dst_word(d, word_addr);
        col = kColMem;
        break;
      }
      case 8:
      case 9:
      case 10:
      case 11:
        d.src_mode = kModeImm, d.src_syn = kSynImm, d.src_x = (sreg << 16) | c.take();
        break;
      default:  // 12..15: register forms
        d.src_mode = kModeReg, d.src_syn = kSynReg;
        break;
    }
    d.fn = f1_generic(d.op);
    d.cycles = static_cast<uint8_t>(format1_cycles(false, true, d.src_syn, col, kAddr, d.op, 1));
  }

  // ---- fetch ------------------------------------------------------------------------------
  // Word-by-word accounting, for an instruction only partly on FRAM (rare).
  __attribute__((noinline)) void account_fetch_mixed(const DecodedInsn& d, uint32_t pc) {
    for (unsigned i = 0; i < d.len; i += 2) {
      const uint32_t a = (pc + i) & kMask20;
      if (!is_fram(a)) continue;
      if (fcache && !fcache->read(a)) cycles += read_waits;
      if (counters) counters->count(Initiator::kCpu, NvmOp::kFetch, a, 2);
    }
  }
  IPSIM_INLINE void fetch_line_lookup(uint32_t line) {
    const bool miss = !fcache->touch_line(line);  // no branch: misses follow the code's layout
    cycles += miss ? read_waits : 0u;
    fetch_misses += miss;
  }
  // facts §2.4: one cache lookup per fetched FRAM word; consecutive lookups of one line
  // collapse into the first (the later ones are hits that change nothing).
  IPSIM_INLINE void account_fetch(DecodedInsn& d, uint32_t pc) {
    if (IPSIM_LIKELY(d.flags & kFlagFetchFram)) {
      ++d.execs;
      fetch_words += d.len >> 1;
      if (IPSIM_LIKELY(fcache != nullptr)) {
        const uint32_t line = FramCache::line_of(pc);
        if (line != fcache->last_line()) fetch_line_lookup(line);
        if (d.flags & kFlagTwoLines) fetch_line_lookup(line + 1);
      }
    } else {
      account_fetch_mixed(d, pc);
    }
  }
  void fold_fetch_hits() {
    if (fcache) fcache->add_hits(fetch_words - fetch_misses);
    fetch_words = fetch_misses = 0;
  }

  // NVM fetch counts batched in DecodedInsn::execs -> NvmCounters.
  void flush_entry(DecodedInsn& d, uint32_t addr) {
    if (!d.execs) return;
    if (counters) {
      for (unsigned i = 0; i < d.len; i += 2)
        counters->count_n(Initiator::kCpu, NvmOp::kFetch, (addr + i) & kMask20, 2, d.execs);
    }
    d.execs = 0;
  }
  void flush_block(Block& b) {
    // Backwards: a lite slot's count is its head's (an earlier slot), zeroed when flushed.
    for (unsigned i = b.n; i-- > 0;) {
      BlockSlot& s = b.s[i];
      DecodedInsn& d = s.d;
      if (s.lite && s.head != i) d.execs = b.s[s.head].d.execs;
      if (!(d.flags & kFlagFetchFram)) d.execs = 0;  // code in SRAM: nothing to count
      if (d.execs) flush_entry(d, s.pc);
    }
  }
  void flush_page(uint32_t page) {
    if (BlockTable* t = btab[page].get())
      for (auto& b : t->at)
        if (b) flush_block(*b);
    DecodedInsn* block = dcache[page].get();
    if (!block) return;
    for (unsigned i = 0; i < kSlotsPerPage; ++i)
      if (block[i].execs) flush_entry(block[i], (page << kPageShift) | (i << 1));
  }
  void flush_fetch_counts() {
    // Readers call this often (per word in reports): nothing to do unless code ran since.
    if (insns == flushed_at && !aborted_since_flush) return;
    for (uint32_t page : block_pages) flush_page(page);
    for (auto& b : retired_blocks) flush_block(*b);
    flushed_at = insns;
    aborted_since_flush = false;
  }
  static void pending_hook(void* ctx, bool detach) {
    Engine& e = *static_cast<Engine*>(ctx);
    if (detach) {
      e.flush_fetch_counts();
      e.counters = nullptr;
      for (uint32_t p = 0; p < kNumPages; ++p) e.refresh_page(p);
    } else {
      e.flush_fetch_counts();
    }
  }

  // Cached, validated decode of the instruction at pc (one 64-bit compare); throws Abort after
  // a fetch fault.
  // The caller keeps the current page's CodePage in a local (fc), saving a dependent load
  // per instruction; a stale copy is harmless: dropped blocks are retired, not freed, with
  // every slot emptied, so they fail validation and send the fetch to fetch_slow.
  struct FetchCache {
    uint32_t page = ~0u;
    CodePage cp;
  };
  IPSIM_INLINE DecodedInsn* fetch(uint32_t pc, FetchCache& fc) {
    const uint32_t off = pc & ((1u << kPageShift) - 1);
    if (IPSIM_UNLIKELY((pc >> kPageShift) != fc.page)) {
      fc.page = pc >> kPageShift;
      fc.cp = code[fc.page];
    }
    const CodePage& cp = fc.cp;
    if (IPSIM_LIKELY(cp.block != nullptr)) {
      DecodedInsn& d = cp.block[off >> 1];
      uint64_t raw;
      if (IPSIM_LIKELY(off <= (1u << kPageShift) - 8)) {
        std::memcpy(&raw, cp.host + off, 8);
      } else {  // last 8 bytes of the page: never read past it
        if (d.flags & kFlagCrossPage) return fetch_slow(pc);  // block exists: fc stays valid
        std::memcpy(&raw, cp.host + ((1u << kPageShift) - 8), 8);
        raw >>= 8 * (off - ((1u << kPageShift) - 8));
      }
      // vshift < 64 always (an empty slot has len 0 and vshift 0, rejected by len).
      if (IPSIM_LIKELY(((raw ^ d.raw) << d.vshift) == 0 && d.len != 0)) return &d;
    }
    fc.page = ~0u;  // fetch_slow may allocate the page's block
    return fetch_slow(pc);
  }

  __attribute__((noinline)) DecodedInsn* fetch_slow(uint32_t pc) {
    const uint32_t page = pc >> kPageShift;
    if (pages[page].host == nullptr)
      abort(pc < kPeriphEnd ? Fault::Kind::kFetchFromPeripheral : Fault::Kind::kVacantAccess, pc);
    if (!dcache[page]) {
      dcache[page].reset(new DecodedInsn[kSlotsPerPage]);
      code[page] = CodePage{pages[page].host, dcache[page].get()};
      pages[page].code = true;
      if (!block_listed[page]) block_listed[page] = true, block_pages.push_back(page);
    }
    DecodedInsn& d = dcache[page][(pc & 0xFF) >> 1];
    if (d.len != 0) {  // validate against memory word by word (page-crossing case)
      uint64_t raw = 0;
      bool ok = true;
      for (unsigned i = 0; i < d.len && ok; i += 2) {
        uint16_t v = 0;
        ok = peek(pc + i, v);
        raw |= uint64_t{v} << (8 * i);
      }
      if (ok && raw == d.raw) return &d;
      flush_entry(d, pc);
    }
    uint32_t bad = 0;
    if (!decode(pc, d, bad)) {
      d = DecodedInsn{};
      abort(bad < kPeriphEnd ? Fault::Kind::kFetchFromPeripheral : Fault::Kind::kVacantAccess, bad);
    }
    return &d;
  }

  // Executes one instruction. Interrupts and sleep are handled by the caller.
  // pc == r[0]; returns the new PC (also stored in r[0]).
  // A fault inside names insn_pc/insn_cycle; the caller's catch sets them (abort_insn), so
  // the hot path stores neither.
  IPSIM_INLINE uint32_t exec_one(uint32_t pc, FetchCache& fc) {
    DecodedInsn* d = fetch(pc, fc);
    if (d->flags & (kFlagFetchFram | kFlagFetchMixed)) account_fetch(*d, pc);
    const uint32_t next = (pc + d->len) & kMask20;
    r[0] = next;
    cycles += d->cycles;
    const uint32_t npc = d->fn(*this, *d, next);
    r[0] = npc;
    ++insns;
    return npc;
  }
  // After Abort: the instruction does not retire; the PC stays on it.
  void abort_insn(uint32_t pc, uint64_t cycle) {
    insn_pc = pc;
    insn_cycle = cycle;
    fault.pc = pc;
    fault.cycle = cycle;
    r[0] = pc;
    aborted_since_flush = true;
  }

  // ---- block runs -------------------------------------------------------------------------
  // The last instruction of a block: it may change the PC, or SR bits other than the flags
  // (GIE, CPUOFF: the run loop's checks), so the loop must look before the next one.
  static bool ends_block(const DecodedInsn& d) {
    const auto pc_or_sr = [](unsigned reg) { return reg == 0 || reg == 2; };
    switch (d.kind) {
      case kKindFormat1:
        // CLRC, SETC, CLRZ...: clearing SR bits, or setting ones other than GIE and CPUOFF,
        // cannot make a check fire.
        if (d.fn == &on_sr<&h_sr_bic>) return false;
        if (d.fn == &on_sr<&h_sr_bis>) return (d.src_x & kSrCpuOff) != 0;
        return d.dst_mode == kModeReg && pc_or_sr(d.dst_reg);
      case kKindFormat2:
        return d.op == kCall || (d.op != kPush && d.src_mode == kModeReg && pc_or_sr(d.src_reg));
      case kKindShiftM:
        return pc_or_sr(d.dst_reg);
      case kKindPushM:
        return false;
      case kKindPopM:
        for (unsigned i = 0; i < d.repeat; ++i)
          if (pc_or_sr((d.dst_reg + i) & 15)) return true;
        return false;
      default:  // jumps, RETI, illegal
        return true;
    }
  }
  // Whether SP may end above where the instruction found it: a write to SP, a pop, POPM,
  // RETI (the shadow call stack of a run observer pops frames when SP rises).
  static bool may_raise_sp(const DecodedInsn& d) {
    if (d.kind == kKindPopM || d.kind == kKindReti) return true;
    if (d.src_mode == kModeInc && d.src_reg == 1) return true;
    switch (d.kind) {
      case kKindFormat1:
      case kKindShiftM:
        return d.dst_mode == kModeReg && d.dst_reg == 1;
      case kKindFormat2:
        return d.op != kPush && d.op != kCall && d.src_mode == kModeReg && d.src_reg == 1;
      default:
        return false;
    }
  }
  static bool is_call(const DecodedInsn& d) {
    return d.kind == kKindFormat2 && d.op == kCall;
  }
  // The status flags (of kSrFlags) a lite slot's instruction reads, and those it overwrites
  // whatever they were (UG445 4.6; DADD leaves V; BIC/BIS #N, SR clear or set N's flags, and
  // count as writing none when N holds other SR bits).
  struct FlagUse {
    uint32_t reads = 0, writes = 0;
  };
  static FlagUse flag_use(const DecodedInsn& d) {
    switch (d.kind) {
      case kKindJump: {
        static constexpr uint32_t kReads[8] = {kSrZ, kSrZ,        kSrC,        kSrC,
                                               kSrN, kSrN | kSrV, kSrN | kSrV, 0};
        return {kReads[d.op & 7], 0};
      }
      case kKindFormat1:
        if (d.fn == &on_sr<&h_sr_bic> || d.fn == &on_sr<&h_sr_bis>)  // no_flags drops all it does
          return {0, (d.src_x & ~kSrFlags) == 0 ? d.src_x : 0};
        switch (d.op) {
          case kMov:
          case kBic:
          case kBis:
            return {0, 0};
          case kAddc:
          case kSubc:
            return {kSrC, kSrFlags};
          case kDadd:
            return {kSrC, kSrC | kSrZ | kSrN};
          default:  // ADD SUB CMP BIT XOR AND
            return {0, kSrFlags};
        }
      case kKindFormat2:
        if (d.op == kSwpb) return {0, 0};
        return {d.op == kRrc ? kSrC : 0, kSrFlags};  // RRC RRA SXT
      default:
        return {kSrFlags, 0};
    }
  }
  // Slots whose flags a later slot overwrites before any slot, or anything after the block,
  // reads them take chains that do not compute them. A full slot may read the SR, fault or end
  // the run, so it sees every flag.
  static void drop_dead_flags(BlockSlot* t, unsigned n) {
    uint32_t live = kSrFlags;
    for (unsigned i = n; i-- > 0;) {
      if (!t[i].lite) {
        live = kSrFlags;
        continue;
      }
      const FlagUse u = flag_use(t[i].d);
      t[i].flags_dead = u.writes != 0 && (u.writes & live) == 0;
      live = (live & ~u.writes) | u.reads;
    }
    for (unsigned i = 0; i + 1 < n; ++i) {
      BlockSlot& s = t[i];
      if (!s.lite) continue;
      const ChainPair c = chains_of(s.d.fn);
      const bool head = s.head == i;
      if (s.rep >= 2) {
        bool copies_dead = true;
        for (unsigned k = 0; k + 1 < s.rep; ++k) copies_dead &= t[i + k].flags_dead;
        const bool last_dead = t[i + s.rep - 1].flags_dead;
        if (copies_dead && c.rep_nf[head] != nullptr)
          s.chain = last_dead ? c.rep_nf[head] : c.rep_tail[head];
        i += s.rep - 1u;
      } else if (s.flags_dead && c.lite_nf[head] != nullptr) {
        s.chain = c.lite_nf[head];  // never the fused test before the last jump: it is seen
      }
    }
  }
  // Every block is built again when it next runs (make_block's rules changed).
  void drop_blocks() {
    bump_epoch();
    for (uint32_t page : block_pages) retire_blocks(page);
  }
  // The page's blocks are retired, not freed: a run may be inside one.
  void retire_blocks(uint32_t page) {
    if (BlockTable* t = btab[page].get())
      for (auto& b : t->at)
        if (b) retired_blocks.push_back(std::move(b));
  }
  // Upper bound of the wait-state events of one execution: FRAM-cache fetch lookups and data
  // word accesses (each costs at most max_wait cycles).
  static unsigned wait_events_of(const DecodedInsn& d) {
    const unsigned fetch = (d.flags & kFlagTwoLines) ? 2 : 1;
    switch (d.kind) {
      case kKindPushM:
      case kKindPopM:
        return fetch + 2u * d.repeat;
      case kKindShiftM:
      case kKindJump:
        return fetch;
      default:
        return fetch + 6u * ((d.flags & kFlagRepReg) ? 16u : d.repeat);
    }
  }

  __attribute__((noinline)) Block* make_block(uint32_t pc) {
    const uint32_t page = pc >> kPageShift;
    const uint8_t* host = pages[page].host;
    if (host == nullptr) return nullptr;
    if (!btab[page]) btab[page].reset(new BlockTable);
    std::unique_ptr<Block>& slot = btab[page]->at[(pc & 0xFF) >> 1];
    if (slot) {  // stale: its bytes changed
      flush_block(*slot);
      retired_blocks.push_back(std::move(slot));
    }
    slot.reset(new Block);
    Block& b = *slot;
    pages[page].code = true;
    if (!block_listed[page]) block_listed[page] = true, block_pages.push_back(page);
    b.start = pc;
    b.off = static_cast<uint16_t>(pc & 0xFF);
    BlockSlot tmp[Block::kMaxInsns];
    unsigned n = 0;
    uint32_t a = pc;
    while (n < Block::kMaxInsns && (a >> kPageShift) == page) {
      if (n != 0 && observer_runs && (a >> 1) < run_break.size() && run_break[a >> 1]) break;
      DecodedInsn d;
      uint32_t bad = 0;
      if (!decode(a, d, bad) || d.kind == kKindIllegal) break;
      if (d.flags & (kFlagCrossPage | kFlagFetchMixed)) break;
      if (a - pc + d.len > Block::kMaxBytes) break;
      BlockSlot& t = tmp[n++];
      t.d = d;
      t.pc = a;
      t.next = (a + d.len) & kMask20;
      t.line = FramCache::line_of(a);
      a = t.next;
      if (ends_block(d) || (observer_runs && may_raise_sp(d))) break;
    }
    if (n == 0) return &b;
    const bool fram = (tmp[0].d.flags & kFlagFetchFram) != 0;  // one page: all or none
    unsigned words = 0;
    for (unsigned i = 0; i < n; ++i) words += fram ? tmp[i].d.len / 2u : 0u;
    b.words = static_cast<uint8_t>(words);
    for (unsigned i = 0, head = 0; i < n; ++i) {
      BlockSlot& t = tmp[i];
      const ChainPair c = chains_of(t.d.fn);
      // A register source R0 reads the PC, which lite slots do not keep in r[0]; R2 the SR,
      // which they keep in the chain's copy.
      t.lite = c.lite[0][0] != nullptr && !(t.d.kind == kKindFormat1 && t.d.src_mode == kModeReg &&
                                            (t.d.src_reg == 0 || t.d.src_reg == 2));
      words -= fram ? t.d.len / 2u : 0u;
      t.words_after = static_cast<uint8_t>(words);
      const bool last = i + 1 == n;
      if (!t.lite) {
        t.chain = c.full[last];
        continue;
      }
      if (i == 0 || !tmp[i - 1].lite) head = i;
      BlockSlot& h = tmp[head];
      t.head = static_cast<uint8_t>(head);
      t.chain = c.lite[head == i][last];
      h.seg_insns = static_cast<uint8_t>(h.seg_insns + 1);
      h.seg_cycles = static_cast<uint16_t>(h.seg_cycles + t.d.cycles);
      if (fram && fcache != nullptr) {  // set_fram rebuilds every block
        h.seg_line = h.line;
        const uint32_t last_line = FramCache::line_of(t.next - 1);
        h.seg_lines = static_cast<uint8_t>(last_line - h.line + 1);
      }
    }
    // Runs of one lite instruction before the last slot become one lite_rep slot.
    bool rep_before_last = false;
    for (unsigned i = 0; i + 2 < n;) {
      const BlockSlot& t = tmp[i];
      unsigned k = 1;
      while (t.lite && i + k + 1 < n && tmp[i + k].d.len == t.d.len && tmp[i + k].d.raw == t.d.raw)
        ++k;
      if (k >= 2) {
        tmp[i].rep = static_cast<uint8_t>(k);
        tmp[i].chain = chains_of(t.d.fn).rep[t.head == i];
        rep_before_last |= i + k + 1 == n;
      }
      i += k;
    }
    if (n >= 2 && !rep_before_last && tmp[n - 1].lite && tmp[n - 2].lite &&
        tmp[n - 1].d.kind == kKindJump) {
      const JumpChains* j = chains_of(tmp[n - 2].d.fn).jump;
      if (j != nullptr) tmp[n - 2].chain = j->c[tmp[n - 1].d.op][tmp[n - 2].head == n - 2];
    }
    drop_dead_flags(tmp, n);
    b.n = static_cast<uint8_t>(n);
    b.nbytes = static_cast<uint8_t>(a - pc);
    b.span = tmp[n - 1].pc - pc;
    b.fall = tmp[n - 1].next;
    for (unsigned i = 0; i + 1 < n; ++i) {
      const DecodedInsn& d = tmp[i].d;
      b.fixed_bound += d.cycles + ((d.flags & kFlagRepReg) ? 15u : 0u);
      b.wait_events += wait_events_of(d);
    }
    std::memcpy(b.bytes, host + b.off, b.nbytes);
    b.checked = epoch;
    tmp[n - 1].owner = &b;
    b.s.reset(new BlockSlot[n]);
    for (unsigned i = 0; i < n; ++i) b.s[i] = tmp[i];
    return &b;
  }
  // The block starting at pc, built if absent or stale; nullptr if none can start there.
  IPSIM_INLINE Block* block_at(uint32_t pc) {
    const uint32_t page = pc >> kPageShift;
    if (BlockTable* t = btab[page].get()) {
      Block* b = t->at[(pc & 0xFF) >> 1].get();
      if (IPSIM_LIKELY(b != nullptr)) {
        if (IPSIM_LIKELY(b->checked == epoch)) return b;
        if (b->matches(pages[page].host)) {
          b->checked = epoch;
          return b;
        }
      }
    }
    return make_block(pc);
  }
  // Executes the block's instructions exactly as exec_one would, minus the fetch validation
  // (done for the whole block) and the run loop's checks (the caller proved they cannot fire
  // before the last instruction, or event ends the run).
  IPSIM_INLINE uint32_t run_block(Block& b) {
    event = false;
    chain_target = chain_cycles != 0 ? std::min(target, cycles + chain_cycles) : 0;
    fetch_words += b.words;  // the slots not reached are taken back (early_exit)
    return b.s[0].chain(*this, b.s.get(), r[2]);
  }
  // Cycles the instructions of b before its last take at most.
  uint64_t bound_of(const Block& b) const {
    return b.fixed_bound + b.wait_events * max_wait;
  }
  // Whether run()'s loops may run b as a block from cycle start: the target cannot be reached
  // before its last instruction, and the breakpoint is not inside it.
  bool runs_whole(const Block* b, uint64_t start, uint64_t target, uint32_t breakpoint) const {
    return b != nullptr && b->n != 0 && start + bound_of(*b) < target &&
           breakpoint - b->start - 1 >= b->span;
  }
  // A fault inside a block run: the PC and start cycle of the slot that faulted.
  void abort_in_block(uint32_t& pc, uint64_t& start) {
    pc = cur_slot->pc, start = cur_start;
    early_exit(*cur_slot);
  }
  // run()'s loop is about to run b as a block right after prev's run ended at b->start:
  // from now on in this epoch, prev's exit enters b directly (leave()).
  void link(Block& prev, Block& b, uint32_t breakpoint) {
    if (breakpoint - b.start <= b.span) return;  // the loop must look at the breakpoint
    Link& l = prev.link[b.start == prev.fall];
    l.key = epoch_key | b.start;
    l.bound = bound_of(b);
    l.words = b.words;
    l.s0 = b.s.get();
    l.c0 = b.s[0].chain;
    l.b = &b;
  }
  // The run ends after slot s (event, or a fault in it): its later slots were not fetched.
  void early_exit(const BlockSlot& s) {
    fetch_words -= s.words_after;
  }
  IPSIM_INLINE void seg_head(const BlockSlot& s) {
    uint64_t run_cycles = s.seg_cycles;
    if (s.seg_lines != 0) {  // FRAM code, with the cache on
      // Straight-line fetches touch consecutive lines, each once (see account_fetch).
      const unsigned misses = fcache->touch_run(s.seg_line, s.seg_lines);
      run_cycles += misses * read_waits;
      fetch_misses += misses;
    }
    cycles += run_cycles;
    insns += s.seg_insns;
  }
  // After the block's last instruction (npc: the new PC): enters the successor directly when
  // run()'s loop would run it as a block at once: linked in this epoch (so validated), no
  // event in this run (chain_target), not asleep, the cycle target not within its reach.
  // (An interrupt line only rises with an event, and link() never targets a block holding the
  // breakpoint.) MaySleep: the last instruction may set CPUOFF. A block starts awake, and only
  // a write to R2, which ends a block, sets it: a block ending in a jump is still awake.
  template <bool MaySleep = true>
  IPSIM_INLINE static uint32_t leave(Engine& e, const BlockSlot& s, uint32_t npc, uint32_t sr) {
    Block* b = s.owner;
    const Link& l = b->link[npc == s.next];
    if (l.key == (e.epoch_key | npc) && e.cycles + l.bound < e.chain_target &&
        !(MaySleep && (sr & kSrCpuOff))) {
      e.fetch_words += l.words;
      return l.c0(e, l.s0, sr);  // R0 and R2 are not read from e.r there (see lite, full)
    }
    e.r[0] = npc;
    e.r[2] = sr;
    e.cur_block = b;
    return npc;
  }
  template <LiteOp L>
  static constexpr bool is_jump =
      L == &h_jump<0> || L == &h_jump<1> || L == &h_jump<2> || L == &h_jump<3> || L == &h_jump<4> ||
      L == &h_jump<5> || L == &h_jump<6> || L == &h_jump<7>;
  template <LiteOp L, bool Head, bool Last>
  static uint32_t lite(Engine& e, BlockSlot* s, uint32_t sr) {
    if (Head) {
      e.seg_head(*s);
      ++s->d.execs;  // the run's other slots read their count here (flush_block)
    }
    const uint32_t npc = L(e, s->d, s->next, sr);
    if (Last) return leave<!is_jump<L>>(e, *s, npc, sr);
    return s[1].chain(e, s + 1, sr);  // a tail call; at worst Block::kMaxInsns frames deep
  }
  IPSIM_INLINE void full_prologue(BlockSlot& s) {
    cur_slot = &s;
    cur_start = cycles;
    DecodedInsn& d = s.d;
    if ((d.flags & kFlagFetchFram) && IPSIM_LIKELY(fcache != nullptr)) {
      if (s.line != fcache->last_line()) fetch_line_lookup(s.line);
      if (d.flags & kFlagTwoLines) fetch_line_lookup(s.line + 1);
    }
    ++d.execs;
    r[0] = s.next;
    cycles += d.cycles;
  }
  template <Handler H, bool Last>
  static uint32_t full(Engine& e, BlockSlot* s, uint32_t sr) {
    e.r[2] = sr;
    e.full_prologue(*s);
    uint32_t npc;
    if constexpr (H == nullptr)
      npc = s->d.fn(e, s->d, s->next);
    else
      npc = H(e, s->d, s->next);
    e.r[0] = npc;
    ++e.insns;
    if (Last) return leave(e, *s, npc, e.r[2]);
    if (IPSIM_UNLIKELY(e.event)) {
      e.early_exit(*s);
      e.cur_block = nullptr;
      return npc;
    }
    return s[1].chain(e, s + 1, e.r[2]);
  }
  // A lite slot fused with the lite jump after it, the block's last slot: one dispatch for the
  // pair compilers emit for every test (CMP, BIT, TST, DEC ... then Jcc).
  template <LiteOp L, unsigned Cond, bool Head>
  static uint32_t lite_jump(Engine& e, BlockSlot* s, uint32_t sr) {
    if (Head) {
      e.seg_head(*s);
      ++s->d.execs;
    }
    L(e, s->d, s->next, sr);
    const uint32_t npc = h_jump<Cond>(e, s[1].d, s[1].next, sr);
    return leave<false>(e, s[1], npc, sr);
  }
  // A lite slot followed by copies of itself (clang's shifts by a constant are runs of RRA or
  // ADD Rn,Rn): one dispatch for the run; the copies' slots are skipped.
  // Copies runs every copy but the last, L the last (they differ only in the flags they set).
  template <LiteOp Copies, LiteOp L, bool Head>
  static uint32_t lite_rep(Engine& e, BlockSlot* s, uint32_t sr) {
    if (Head) {
      e.seg_head(*s);
      ++s->d.execs;
    }
    const unsigned n = s->rep;
    for (unsigned i = 1; i < n; ++i) Copies(e, s->d, s->next, sr);
    L(e, s->d, s->next, sr);
    return s[n].chain(e, s + n, sr);
  }
  struct JumpChains {
    Chain c[8][2];  // [the jump's condition][head]
  };
  template <LiteOp L, unsigned... C>
  static const JumpChains* jump_chains(std::integer_sequence<unsigned, C...>) {
    static const JumpChains k{{{&lite_jump<L, C, false>, &lite_jump<L, C, true>}...}};
    return &k;
  }
  struct ChainPair {
    Handler fn;
    Chain full[2];     // [last]
    Chain lite[2][2];  // [head][last]; nullptr for handlers that are never lite
    Chain rep[2];      // [head]: lite_rep
    // Without the flags (flags_dead): lite_nf[head], not last (the last slot's flags are
    // seen); rep_nf[head] of no copy, rep_tail[head] of every copy but the last.
    Chain lite_nf[2] = {nullptr, nullptr};
    Chain rep_nf[2] = {nullptr, nullptr};
    Chain rep_tail[2] = {nullptr, nullptr};
    const JumpChains* jump = nullptr;  // fused with a following jump; nullptr: never
  };
  template <Handler H>
  static constexpr ChainPair cp() {
    return {H,
            {&full<H, false>, &full<H, true>},
            {{nullptr, nullptr}, {nullptr, nullptr}},
            {nullptr, nullptr}};
  }
  // A lite handler that sets no flags (a jump): H (d.fn) runs it on r[2], L on the chain's
  // copy; no chains without flags.
  template <Handler H, LiteOp L>
  static constexpr ChainPair cpl_flagless() {
    return {H,
            {&full<H, false>, &full<H, true>},
            {{&lite<L, false, false>, &lite<L, false, true>},
             {&lite<L, true, false>, &lite<L, true, true>}},
            {&lite_rep<L, L, false>, &lite_rep<L, L, true>}};
  }
  template <LiteOp L>
  static constexpr ChainPair cpl_flagless() {
    return cpl_flagless<&on_sr<L>, L>();
  }
  // A handler that may be lite, and whose flags a later slot may overwrite unseen.
  template <Handler H, LiteOp L>
  static constexpr ChainPair cpl() {
    ChainPair p = cpl_flagless<H, L>();
    p.lite_nf[0] = &lite<&no_flags<L>, false, false>;
    p.lite_nf[1] = &lite<&no_flags<L>, true, false>;
    p.rep_nf[0] = &lite_rep<&no_flags<L>, &no_flags<L>, false>;
    p.rep_nf[1] = &lite_rep<&no_flags<L>, &no_flags<L>, true>;
    p.rep_tail[0] = &lite_rep<&no_flags<L>, L, false>;
    p.rep_tail[1] = &lite_rep<&no_flags<L>, L, true>;
    return p;
  }
  template <LiteOp L>
  static constexpr ChainPair cpl() {
    return cpl<&on_sr<L>, L>();
  }
  // A lite handler that may be fused with a jump after it.
  template <Handler H, LiteOp L>
  static ChainPair cplj() {
    ChainPair p = cpl<H, L>();
    p.jump = jump_chains<L>(std::make_integer_sequence<unsigned, 8>{});
    return p;
  }
  // The chains of a handler; one not listed here still runs (full, by an indirect call).
  static ChainPair chains_of(Handler fn) {
#define IPSIM_CP_OPS(M)                                                                        \
  M(kMov), M(kAdd), M(kAddc), M(kSubc), M(kSub), M(kCmp), M(kDadd), M(kBit), M(kBic), M(kBis), \
      M(kXor), M(kAnd)
#define IPSIM_CP_RR(Op)                                    \
  cplj<&SpecRR<Op, kByte>::fn, &SpecRR<Op, kByte>::lop>(), \
      cplj<&SpecRR<Op, kWord>::fn, &SpecRR<Op, kWord>::lop>()
#define IPSIM_CP_IR(Op)                                    \
  cplj<&SpecIR<Op, kByte>::fn, &SpecIR<Op, kByte>::lop>(), \
      cplj<&SpecIR<Op, kWord>::fn, &SpecIR<Op, kWord>::lop>()
#define IPSIM_CP_RM(Op) cp<&SpecRM<Op, kByte>::fn>(), cp<&SpecRM<Op, kWord>::fn>()
#define IPSIM_CP_MR(Op) cp<&SpecMR<Op, kByte>::fn>(), cp<&SpecMR<Op, kWord>::fn>()
#define IPSIM_CP_GEN(Op) cp<&gen<&h_f1<Op>>>()
    static const ChainPair kPairs[] = {
        IPSIM_CP_OPS(IPSIM_CP_IR),
        IPSIM_CP_OPS(IPSIM_CP_RR),
        IPSIM_CP_OPS(IPSIM_CP_MR),
        IPSIM_CP_OPS(IPSIM_CP_RM),
        IPSIM_CP_OPS(IPSIM_CP_GEN),
        cpl_flagless<&h_jump<0>>(),
        cpl_flagless<&h_jump<1>>(),
        cpl_flagless<&h_jump<2>>(),
        cpl_flagless<&h_jump<3>>(),
        cpl_flagless<&h_jump<4>>(),
        cpl_flagless<&h_jump<5>>(),
        cpl_flagless<&h_jump<6>>(),
        cpl_flagless<&h_jump<7>>(),
        cpl<&h_f2_r<kRrc, kByte>>(),
        cpl<&h_f2_r<kSwpb, kByte>>(),
        cpl<&h_f2_r<kRra, kByte>>(),
        cpl<&h_f2_r<kSxt, kByte>>(),
        cpl<&h_f2_r<kRrc, kWord>>(),
        cpl<&h_f2_r<kSwpb, kWord>>(),
        cpl<&h_f2_r<kRra, kWord>>(),
        cpl<&h_f2_r<kSxt, kWord>>(),
        cp<&gen<&h_f2<kRrc>>>(),
        cp<&gen<&h_f2<kSwpb>>>(),
        cp<&gen<&h_f2<kRra>>>(),
        cp<&gen<&h_f2<kSxt>>>(),
        cp<&gen<&h_f2<kPush>>>(),
        cp<&gen<&h_f2<kCall>>>(),
        cpl<&h_sr_bic>(),
        cpl<&h_sr_bis>(),
        cp<&gen<&h_reti>>(),
        cp<&gen<&h_pushm>>(),
        cp<&gen<&h_popm>>(),
        cp<&gen<&h_shiftm>>(),
    };
#undef IPSIM_CP_OPS
#undef IPSIM_CP_RR
#undef IPSIM_CP_IR
#undef IPSIM_CP_RM
#undef IPSIM_CP_MR
#undef IPSIM_CP_GEN
    for (const ChainPair& p : kPairs)
      if (p.fn == fn) return p;
    return cp<nullptr>();  // full, by an indirect call
  }

  // Accepts the highest pending interrupt if allowed (facts §1.3, Table 4-8).
  bool try_interrupt() {
    if (!irq.any()) return false;
    const unsigned v = irq.highest();
    const bool nmi = v >= kVectorUserNmi;
    if (!nmi && !(r[2] & kSrGie)) return false;
    // A sleeping core is woken even right after the EINT-style write that put it to sleep.
    if (insns < irq_allowed_at && !(r[2] & kSrCpuOff)) return false;
    insn_pc = r[0];
    insn_cycle = cycles;
    const uint32_t pc = r[0];
    push(pc & 0xFFFF, kWord);
    push(((pc >> 16) << 12) | (r[2] & 0x0FFF), kWord);
    r[2] &= kSrScg0;
    r[0] = read16(vector_address(v)) & 0xFFFE;
    cycles += kInterruptCycles;
    irq.acknowledge(v);
    return true;
  }

  void drop_decode_cache(uint32_t page) {
    mark_event();
    bump_epoch();  // no link may lead into a retired block
    flush_page(page);
    pages[page].code = false;
    retire_blocks(page);
    if (dcache[page]) {
      for (unsigned i = 0; i < kSlotsPerPage; ++i) dcache[page][i] = DecodedInsn{};
      retired.push_back(std::move(dcache[page]));  // see FetchCache
    }
    code[page] = CodePage{};
  }
  void free_retired() {
    retired.clear();
    for (auto& b : retired_blocks) flush_block(*b);  // counted after it was dropped
    retired_blocks.clear();
  }  // only where no FetchCache is live
  void refresh_page(uint32_t page) {
    const bool fram_on = fcache != nullptr || counters != nullptr;
    MemKind k = mapped_kind[page];
    if (k == MemKind::kFram && !fram_on) k = MemKind::kRam;
    data_kind[page] = pages[page].host ? k : MemKind::kSlow;
    pages[page].kind = watched[page] ? MemKind::kSlow : data_kind[page];
    drop_decode_cache(page);
  }
};

}  // namespace cpu

struct Msp430Core::Impl : cpu::Engine {
  using Engine::Engine;
};

Msp430Core::Msp430Core(CoreBus& bus, IrqLines& irq) : m_impl(new Impl(bus, irq)) {}

Msp430Core::~Msp430Core() {
  delete m_impl;
}

void Msp430Core::map_page(uint32_t page, uint8_t* host, MemKind kind) {
  if (page >= kNumPages) return;
  m_impl->pages[page].host = kind == MemKind::kSlow ? nullptr : host;
  m_impl->mapped_kind[page] = host ? kind : MemKind::kSlow;
  m_impl->refresh_page(page);
}

void Msp430Core::set_fram(FramCache* cache, NvmCounters* counters) {
  cpu::Engine& e = *m_impl;
  e.fold_fetch_hits();
  e.flush_fetch_counts();
  if (e.counters) e.counters->set_pending(nullptr, nullptr);
  e.fcache = cache;
  e.counters = counters;
  if (counters) counters->set_pending(&e, &cpu::Engine::pending_hook);
  for (uint32_t p = 0; p < kNumPages; ++p) e.refresh_page(p);
}

void Msp430Core::set_nwaits(unsigned nwaits) {
  cpu::Engine& e = *m_impl;
  e.nwaits = nwaits;
  e.read_waits = nwaits + e.extra_read_waits;
  e.write_waits = nwaits + e.extra_write_waits;
  e.max_wait = std::max(e.read_waits, e.write_waits);
  e.mark_event();  // a block's bound was computed with max_wait
  e.bump_epoch();  // and so were the links'.
}

void Msp430Core::set_extra_nvm_waits(unsigned read, unsigned write) {
  m_impl->extra_read_waits = read;
  m_impl->extra_write_waits = write;
  set_nwaits(m_impl->nwaits);
}

void Msp430Core::reset() {
  cpu::Engine& e = *m_impl;
  e.r[2] = 0;
  e.faulted = false;
  e.fault = Fault{};
  m_stop_requested = false;
  m_resume_at_breakpoint = false;
  e.irq_allowed_at = 0;
  e.insn_pc = kResetVector;
  e.insn_cycle = e.cycles;
  try {
    e.r[0] = e.read16(kResetVector) & 0xFFFE;
  } catch (const cpu::Abort&) {
    e.r[0] = 0;
  }
}

uint32_t Msp430Core::reg(unsigned n) const {
  return m_impl->r[n];
}

void Msp430Core::set_reg(unsigned n, uint32_t value) {
  if (n >= 16) return;
  if (n == 0 || n == 1) value &= 0xFFFFE;
  m_impl->r[n] = value & kMask20;
}

void Msp430Core::memory_may_change() {
  m_impl->code_may_change();
}

void Msp430Core::add_cycles(uint64_t n) {
  m_impl->cycles += n;
  m_impl->mark_event();  // the run's cycle target may be reached inside a block
}

void Msp430Core::request_stop() {
  m_stop_requested = true;
  m_impl->mark_event();
}

uint64_t Msp430Core::cycles() const {
  return m_impl->cycles;
}

uint64_t Msp430Core::sram_accesses() const {
  return m_impl->sram_accesses;
}

uint64_t Msp430Core::instructions() const {
  return m_impl->insns;
}

const Fault& Msp430Core::fault() const {
  return m_impl->fault;
}

bool Msp430Core::sleeping() const {
  return (m_impl->r[2] & cpu::kSrCpuOff) != 0;
}

StopReason Msp430Core::run(uint64_t target_cycles) {
  if (IPSIM_UNLIKELY(m_observer != nullptr)) return run_observed(target_cycles);
  cpu::Engine& e = *m_impl;
  if (e.faulted) return StopReason::kFault;
  StopReason why = StopReason::kBudget;
  uint32_t pc = e.r[0];       // kept in a register: handlers return the new PC
  uint64_t start = e.cycles;  // cycle count at the start of the current instruction
  e.free_retired();
  e.bump_epoch();  // memory may have changed since the last run
  cpu::Engine::FetchCache fc;
  const bool skip_breakpoint = m_resume_at_breakpoint;
  m_resume_at_breakpoint = false;
  bool in_block = false;
  e.target = target_cycles;
  cpu::Block* prev = nullptr;  // the block whose run ended at pc (nullptr: anything else)
  try {
    bool first = true;
    while ((start = e.cycles) < target_cycles) {
      if (IPSIM_UNLIKELY(e.irq.any() || m_stop_requested || (e.r[2] & cpu::kSrCpuOff) ||
                         pc == m_breakpoint)) {
        if (m_stop_requested) {
          m_stop_requested = false;
          why = StopReason::kSyncRequest;
          break;
        }
        if (e.r[0] == m_breakpoint && !(first && skip_breakpoint)) {
          why = StopReason::kBreakpoint;
          m_resume_at_breakpoint = true;
          break;
        }
        prev = nullptr;
        if (e.try_interrupt()) {
          pc = e.r[0];
          first = false;
          continue;
        }
        if (e.r[2] & cpu::kSrCpuOff) {
          why = StopReason::kSleep;
          break;
        }
        first = false;
        pc = e.exec_one(pc, fc);
        continue;
      }
      first = false;
      // A block run skips the checks above before its later instructions: nothing pending
      // (checked), the budget cannot run out before its last instruction (bound), no
      // breakpoint inside it, and an instruction that could change any of that ends the run
      // (its last instruction, or event).
      cpu::Block* b = m_block_runs ? e.block_at(pc) : nullptr;
      if (e.runs_whole(b, start, target_cycles, m_breakpoint)) {
        if (prev != nullptr) e.link(*prev, *b, m_breakpoint);
        in_block = true;
        pc = e.run_block(*b);
        in_block = false;
        prev = e.cur_block;
        continue;
      }
      prev = nullptr;
      pc = e.exec_one(pc, fc);
    }
  } catch (const cpu::Abort&) {
    if (in_block) e.abort_in_block(pc, start);
    e.abort_insn(pc, start);
    why = StopReason::kFault;
  }
  e.fold_fetch_hits();
  return why;
}

StopReason Msp430Core::step() {
  cpu::Engine& e = *m_impl;
  if (e.faulted) return StopReason::kFault;
  StopReason why = StopReason::kBudget;
  const uint32_t pc = e.r[0];
  const uint64_t start = e.cycles;
  e.free_retired();
  cpu::Engine::FetchCache fc;
  try {
    if (!e.try_interrupt()) {
      if (e.r[2] & cpu::kSrCpuOff)
        why = StopReason::kSleep;
      else
        e.exec_one(e.r[0], fc);
    }
  } catch (const cpu::Abort&) {
    e.abort_insn(pc, start);
    why = StopReason::kFault;
  }
  e.fold_fetch_hits();
  return why;
}

void Msp430Core::set_observer(CoreObserver* observer) {
  m_observer = observer;
  m_impl->observer = observer;
  update_observer_runs();
}

void Msp430Core::set_block_runs(bool on) {
  m_block_runs = on;
  update_observer_runs();
}

void Msp430Core::update_observer_runs() {
  cpu::Engine& e = *m_impl;
  const bool runs = m_block_runs && m_observer != nullptr && m_observer->takes_runs();
  std::vector<bool> breaks;
  if (runs) {
    breaks.assign(kNumPages << (kPageShift - 1), false);
    for (uint32_t a : m_observer->run_breaks()) breaks[(a & kMask20) >> 1] = true;
  }
  if (runs == e.observer_runs && breaks == e.run_break) return;
  e.observer_runs = runs;
  e.run_break = std::move(breaks);
  e.chain_cycles = runs ? 0 : cpu::Engine::kChainCycles;
  e.drop_blocks();  // built under the other rules
}

void Msp430Core::set_page_watched(uint32_t page, bool watched) {
  cpu::Engine& e = *m_impl;
  if (page >= kNumPages || (watched && e.pages[page].host == nullptr)) return;
  e.watched[page] = watched;
  e.refresh_page(page);
}

// The loop of run() with an observer: the same steps, plus its calls around each instruction,
// or after each block run for an observer that takes runs.
StopReason Msp430Core::run_observed(uint64_t target_cycles) {
  cpu::Engine& e = *m_impl;
  if (e.faulted) return StopReason::kFault;
  StopReason why = StopReason::kBudget;
  uint32_t pc = e.r[0];
  uint64_t start = e.cycles;
  e.free_retired();
  e.bump_epoch();  // memory may have changed since the last run
  e.target = target_cycles;
  cpu::Engine::FetchCache fc;
  const cpu::Block* in_block = nullptr;  // the block running, for a fault inside it
  uint64_t block_insns = 0;              // e.insns at its start
  try {
    bool first = true;
    while ((start = e.cycles) < target_cycles) {
      if (m_stop_requested) {
        m_stop_requested = false;
        why = StopReason::kSyncRequest;
        break;
      }
      if (e.r[0] == m_breakpoint && !first) {
        why = StopReason::kBreakpoint;
        break;
      }
      if (e.irq.any()) {
        const unsigned vector = e.irq.highest();
        if (e.try_interrupt()) {
          m_observer->on_interrupt(vector, pc);
          pc = e.r[0];
          first = false;
          continue;
        }
      }
      if (e.r[2] & cpu::kSrCpuOff) {
        why = StopReason::kSleep;
        break;
      }
      e.watch_hit = false;
      cpu::Block* b = e.observer_runs ? e.block_at(pc) : nullptr;
      if (e.runs_whole(b, start, target_cycles, m_breakpoint)) {
        first = false;
        in_block = b;
        block_insns = e.insns;
        pc = e.run_block(*b);
        in_block = nullptr;
        // cur_block: the block's last instruction retired (else the run stopped early).
        const bool is_call = e.cur_block != nullptr && cpu::Engine::is_call(b->s[b->n - 1].d);
        m_observer->after_run(b->start, static_cast<unsigned>(e.insns - block_insns), start,
                              is_call);
      } else {
        if (m_observer->before_insn(pc, first)) {
          why = StopReason::kDebugStop;
          break;
        }
        first = false;
        const uint32_t insn_pc = pc;
        const bool is_call = cpu::Engine::is_call(*e.fetch(pc, fc));
        pc = e.exec_one(pc, fc);
        m_observer->after_insn(insn_pc, start, is_call);
      }
      if (e.watch_hit) {
        why = StopReason::kDebugStop;
        break;
      }
    }
  } catch (const cpu::Abort&) {
    if (in_block != nullptr) {
      const uint64_t block_start = start;
      e.abort_in_block(pc, start);
      if (e.insns != block_insns)  // the instructions before the faulting one retired
        m_observer->after_run(in_block->start, static_cast<unsigned>(e.insns - block_insns),
                              block_start, false);
    }
    e.abort_insn(pc, start);
    why = StopReason::kFault;
  }
  e.fold_fetch_hits();
  return why;
}

Msp430Core::InsnInfo Msp430Core::inspect(uint32_t addr) {
  InsnInfo info;
  addr &= kMask20 & ~1u;
  cpu::DecodedInsn d;
  uint32_t bad = 0;
  if (!m_impl->decode(addr, d, bad)) {
    info.text = "(no memory)";
    return info;
  }
  info.length = d.len;
  info.cycles = d.cycles;
  info.valid = d.kind != cpu::kKindIllegal;
  info.text = cpu::disassemble(d, addr);
  return info;
}

}  // namespace ipsim
