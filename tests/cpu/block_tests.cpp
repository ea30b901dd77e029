// Block runs (the default run() path) against instruction-by-instruction runs
// (set_block_runs(false)): the same program under the same sequence of run() targets must give
// identical stop reasons, registers, cycles, instruction and memory-event counts, NVM counters
// and memory, through self-modifying code, peripheral reads, FRAM data accesses, interrupts,
// breakpoints inside a block, and a fault; and with blocks chained to their successors.
#include <catch2/catch.hpp>

#include <array>
#include <random>
#include <string>
#include <utility>

#include "tests/cpu/core_fixture.h"

namespace ipsim::test {
namespace {

constexpr uint32_t kCode = CoreFixture::kCode;  // 0x4400
constexpr uint32_t kIsr = 0x5000;

// A loop of straight-line runs; see the addresses in the comments.
const std::vector<uint16_t> kLoop = {
    0x4425,                  // 4400 mov @r4, r5         SRAM load
    0x5507,                  // 4402 add r5, r7
    0x4784, 0x0002,          // 4404 mov r7, 2(r4)       SRAM store
    0x4628,                  // 4408 mov @r6, r8         FRAM load
    0x5318,                  // 440A add #1, r8
    0x4886, 0x0000,          // 440C mov r8, 0(r6)       FRAM store
    0xE509,                  // 4410 xor r5, r9
    0x421B, 0x0200,          // 4412 mov &0x0200, r11    peripheral read
    0xE0B2, 0x0030, 0x441E,  // 4416 xor #0x30, &0x441E  toggles the next immediate
    0x40B2, 0x5319, 0x4424,  // 441C mov #imm, &0x4424   rewrites the ADD below
    0xD232,                  // 4422 eint
    0x5319,                  // 4424 add #1, r9 / add #2, r9 (self-modified)
    0x831A,                  // 4426 sub #1, r10
    0x23EB,                  // 4428 jnz 0x4400
    0x4582, 0x0050,          // 442A mov r5, &0x0050     vacant: fault
};

struct Machine : CoreFixture {
  int acks = 0;
  explicit Machine(bool blocks, const std::vector<uint16_t>& program = kLoop) {
    enable_fram(1);
    core.set_block_runs(blocks);
    w16(vector_address(kVectorTimer0A0), kIsr);
    w16(kIsr, 0x1300);  // reti
    irq.on_acknowledge(kVectorTimer0A0, [this] {
      ++acks;
      irq.set(kVectorTimer0A0, false);
    });
    load(kCode, program);
    core.set_reg(4, 0x2000);
    core.set_reg(6, 0x6000);
    core.set_reg(10, 300);
    bus.regs[0x0200] = 0x1234;
  }
};

void check_same(Machine& a, Machine& b, const std::string& where) {
  INFO(where);
  for (unsigned n = 0; n < 16; ++n) REQUIRE(a.core.reg(n) == b.core.reg(n));
  REQUIRE(a.core.cycles() == b.core.cycles());
  REQUIRE(a.core.instructions() == b.core.instructions());
  REQUIRE(a.core.sram_accesses() == b.core.sram_accesses());
  REQUIRE(a.cache.hits() == b.cache.hits());
  REQUIRE(a.cache.misses() == b.cache.misses());
  REQUIRE(a.cache.writes() == b.cache.writes());
  for (NvmOp op : {NvmOp::kFetch, NvmOp::kRead, NvmOp::kWrite}) {
    REQUIRE(a.counters.total(Initiator::kCpu, op).accesses ==
            b.counters.total(Initiator::kCpu, op).accesses);
    REQUIRE(a.counters.range(Initiator::kCpu, op, kCode, kCode + 0x40).bytes ==
            b.counters.range(Initiator::kCpu, op, kCode, kCode + 0x40).bytes);
  }
  REQUIRE(a.mem == b.mem);
  REQUIRE(a.bus.reads == b.bus.reads);
  REQUIRE(a.acks == b.acks);
  REQUIRE(a.core.fault().kind == b.core.fault().kind);
  REQUIRE(a.core.fault().pc == b.core.fault().pc);
  REQUIRE(a.core.fault().cycle == b.core.fault().cycle);
}

// Runs both machines to target (the i-th run) and requires the same stop and the same state.
StopReason run_both(Machine& blocks, Machine& steps, uint64_t target, int i) {
  const StopReason ra = blocks.core.run(target);
  const StopReason rb = steps.core.run(target);
  REQUIRE(ra == rb);
  check_same(blocks, steps, "run " + std::to_string(i));
  return ra;
}

TEST_CASE("Block runs equal instruction-by-instruction runs under any run() targets",
          "[cpu][block]") {
  const unsigned max_step = GENERATE(1u, 7u, 40u, 1000u);
  Machine blocks(true), steps(false);
  std::mt19937 rng(max_step);
  bool faulted = false;
  for (int i = 0; i < 20000 && !faulted; ++i) {
    const uint64_t target = blocks.core.cycles() + 1 + rng() % max_step;
    if (i % 97 == 13) {  // a breakpoint inside the first block, now and then
      blocks.core.set_breakpoint(kCode + 8);
      steps.core.set_breakpoint(kCode + 8);
    } else if (i % 97 == 14) {
      blocks.core.set_breakpoint(0xFFFFFFFF);
      steps.core.set_breakpoint(0xFFFFFFFF);
    }
    if (i % 31 == 5) {  // a timer interrupt between runs
      blocks.irq.set(kVectorTimer0A0, true);
      steps.irq.set(kVectorTimer0A0, true);
    }
    const StopReason ra = run_both(blocks, steps, target, i);
    faulted = ra == StopReason::kFault;
  }
  CHECK(faulted);  // the loop ran to its end
  CHECK(blocks.core.fault().pc == kCode + 0x2A);
  CHECK(blocks.acks > 0);
  CHECK(blocks.r16(0x4424) == 0x5319);  // toggled an even number of times (300 iterations)
}

// A register write that the bus vouches touches only registers, but that (like an MPY32 write
// triggering a DMA transfer) rewrites the next instruction in memory, reported through
// memory_may_change() as the platform's memories do: block runs must see the new code.
// Without the report they run the stale decode, so the test can fail.
struct RewritingMachine : CoreFixture {
  explicit RewritingMachine(bool blocks, bool report) {
    enable_fram(1);
    core.set_block_runs(blocks);
    bus.vouch_registers_only = true;
    load(kCode, {
                    0x4982, 0x0300,  // 4400 mov r9, &0x0300  the rewriting write
                    0x5319,          // 4404 add #1, r9 / add #2, r9 (rewritten)
                    0x831A,          // 4406 sub #1, r10
                    0x23FB,          // 4408 jnz 0x4400
                    0x3FFF,          // 440A jmp $
                });
    bus.on_write = [this, report](uint32_t addr, uint16_t) {
      if (addr != 0x0300) return;
      w16(kCode + 4, r16(kCode + 4) == 0x5319 ? 0x5329 : 0x5319);
      if (report) core.memory_may_change();
    };
    core.set_reg(10, 50);
  }
};

TEST_CASE("Memory written behind a registers-only access is decoded again", "[cpu][block]") {
  RewritingMachine blocks(true, true), steps(false, true), unreported(true, false);
  for (RewritingMachine* m : {&blocks, &steps, &unreported}) m->core.run(100000);
  REQUIRE(steps.core.reg(10) == 0);
  CHECK(steps.core.reg(9) == 75);  // 25 x 1 + 25 x 2
  CHECK(blocks.core.reg(9) == steps.core.reg(9));
  CHECK(blocks.core.cycles() == steps.core.cycles());
  CHECK(blocks.core.instructions() == steps.core.instructions());
  CHECK(blocks.cache.hits() == steps.cache.hits());
  CHECK(blocks.cache.misses() == steps.cache.misses());
  CHECK(unreported.core.reg(9) != steps.core.reg(9));  // the stale decode, had nobody said
}

// Jump from the address of the word at `from` to `to` (condition 0..7: jnz jz jnc jc jn jge jl
// jmp).
uint16_t jump(unsigned cond, uint32_t from, uint32_t to) {
  const int32_t off = (static_cast<int32_t>(to) - static_cast<int32_t>(from) - 2) / 2;
  return static_cast<uint16_t>(0x2000 | (cond << 10) | (off & 0x3FF));
}

// An inner loop of short blocks that jump to one another, with no event inside (so leave()
// chains them), one of which enters LPM0 now and then (it goes on past the same exit when
// it does not); an outer loop with a peripheral write that raises an interrupt while GIE is clear,
// EINT/DINT, a store into the first chained block's immediate (self-modifying code), and a fault at
// the end.
std::vector<uint16_t> chain_program() {
  std::vector<uint16_t> p = {
      0x5035, 0x0001,  // 4400 add #imm, r5       block A (the immediate is rewritten below)
      0xE506,          // 4404 xor r5, r6
      0x1006,          // 4406 rrc r6
      0xB316,          // 4408 bit #1, r6
      0,               // 440A jz 440E
      0x5316,          // 440C add #1, r6           block B: A's fall-through successor
      0,               // 440E jmp 4412             block C: A's jump target
      0x4303,          // 4410 nop (skipped)
      0x4684, 0x0000,  // 4412 mov r6, 0(r4)        block D; an SRAM store (a full slot)
      0x4608,          // 4416 mov r6, r8
      0xF038, 0x0010,  // 4418 and #0x10, r8
      0xD238,          // 441C bis #8, r8
      0xD802,          // 441E bis r8, sr           GIE, and CPUOFF (LPM0) now and then: ends D
      0x831B,          // 4420 sub #1, r11
      0,               // 4422 jnz 4400             inner loop
      0x403B, 0x0008,  // 4424 mov #8, r11
      0xC232,          // 4428 dint
      0x4303,          // 442A nop
      0x4582, 0x0300,  // 442C mov r5, &0x0300      peripheral write: may raise the interrupt
      0xD232,          // 4430 eint                 ends a block (GIE)
      0x4303,          // 4432 nop                  runs before the interrupt is taken
      0x4507,          // 4434 mov r5, r7
      0xF037, 0x0003,  // 4436 and #3, r7
      0x5317,          // 443A add #1, r7
      0x4782, 0x4402,  // 443C mov r7, &0x4402      rewrites block A's immediate
      0x831A,          // 4440 sub #1, r10
      0,               // 4442 jnz 4400
      0x4582, 0x0050,  // 4444 mov r5, &0x0050      vacant: fault
  };
  const auto at = [&](uint32_t a) -> uint16_t& { return p[(a - kCode) / 2]; };
  at(0x440A) = jump(1, 0x440A, 0x440E);
  at(0x440E) = jump(7, 0x440E, 0x4412);
  at(0x4422) = jump(0, 0x4422, 0x4400);
  at(0x4442) = jump(0, 0x4442, 0x4400);
  return p;
}

TEST_CASE("Chained blocks equal instruction-by-instruction runs", "[cpu][block]") {
  const unsigned max_step = GENERATE(1u, 5u, 60u, 5000u, 10000000u);
  const std::vector<uint16_t> program = chain_program();
  Machine blocks(true, program), steps(false, program);
  for (Machine* m : {&blocks, &steps}) {
    m->core.set_reg(10, 120);
    m->core.set_reg(11, 8);
    // The ISR wakes the core: bic #CPUOFF, 0(sp); reti.
    m->load(kIsr, {0xC0B1, 0x0010, 0x0000, 0x1300});
    m->core.set_reg(0, kCode);
    m->bus.on_write = [m](uint32_t addr, uint16_t value) {
      if (addr == 0x0300 && (value & 8)) m->irq.set(kVectorTimer0A0, true);
    };
  }
  std::mt19937 rng(max_step);
  bool faulted = false;
  int sleeps = 0;
  for (int i = 0; i < 20000 && !faulted; ++i) {
    const uint64_t target = blocks.core.cycles() + 1 + rng() % max_step;
    // Breakpoints at a chained successor's start and inside one, now and then.
    const uint32_t bp = i % 53 == 7 ? 0x440C : i % 53 == 20 ? 0x4416 : i % 53 == 30 ? 0x4400 : 0;
    if (bp != 0 || i % 53 == 40) {
      for (Machine* m : {&blocks, &steps}) m->core.set_breakpoint(bp != 0 ? bp : 0xFFFFFFFF);
    }
    const StopReason ra = run_both(blocks, steps, target, i);
    faulted = ra == StopReason::kFault;
    if (ra == StopReason::kSleep) {  // a wake-up interrupt between runs
      ++sleeps;
      blocks.irq.set(kVectorTimer0A0, true);
      steps.irq.set(kVectorTimer0A0, true);
    }
  }
  CHECK(faulted);  // the loop ran to its end
  CHECK(sleeps > 0);
  CHECK(blocks.core.fault().pc == 0x4444);
  CHECK(blocks.acks > 0);
  CHECK(blocks.bus.writes > 0);
}

// Runs both machines under random run() targets (1 to max_step cycles each) until the program
// faults (true) or 40000 runs pass (false). Before run i, a schedule entry {k, addr} with
// i % period == k sets the breakpoint to addr (0xFFFFFFFF: none).
using BreakpointSchedule = std::array<std::pair<unsigned, uint32_t>, 4>;
bool run_to_fault(Machine& blocks, Machine& steps, unsigned max_step, unsigned period,
                  const BreakpointSchedule& schedule) {
  std::mt19937 rng(max_step);
  for (int i = 0; i < 40000; ++i) {
    const uint64_t target = blocks.core.cycles() + 1 + rng() % max_step;
    for (const auto& [k, addr] : schedule)
      if (static_cast<unsigned>(i) % period == k)
        for (Machine* m : {&blocks, &steps}) m->core.set_breakpoint(addr);
    if (run_both(blocks, steps, target, i) == StopReason::kFault) return true;
  }
  return false;
}

// Fused slots: runs of one instruction (one dispatch for the run: a run longer than a block, a
// run in mid-block, a run just before the block's jump) and a test fused with its jump.
std::vector<uint16_t> fused_program() {
  std::vector<uint16_t> p = {0xEA09};    // 4400 xor r10, r9
  p.insert(p.end(), 34, 0x1009);         // 4402 rrc r9 x 34: longer than Block::kMaxInsns
  p.push_back(0x4A05);                   // 4446 mov r10, r5
  p.insert(p.end(), 4, 0x1105);          // 4448 rra r5 x 4
  p.insert(p.end(), 3, 0x5606);          // 4450 add r6, r6 x 3
  p.push_back(0xE506);                   // 4456 xor r5, r6
  p.push_back(0xB316);                   // 4458 bit #1, r6      fused with the jz
  p.push_back(jump(1, 0x445A, 0x445E));  // 445A jz 445E
  p.push_back(0x5317);                   // 445C add #1, r7
  p.insert(p.end(), 2, 0x1108);          // 445E rra r8 x 2
  p.insert(p.end(), 2, 0x831A);          // 4462 sub #1, r10 x 2  just before the jnz
  p.push_back(jump(0, 0x4466, 0x4400));  // 4466 jnz 4400
  p.insert(p.end(), {0x4582, 0x0050});   // 4468 mov r5, &0x0050  vacant: fault
  return p;
}

TEST_CASE("Fused slots equal instruction-by-instruction runs", "[cpu][block]") {
  const unsigned max_step = GENERATE(1u, 3u, 40u, 5000u, 10000000u);
  const std::vector<uint16_t> program = fused_program();
  Machine blocks(true, program), steps(false, program);
  for (Machine* m : {&blocks, &steps}) {
    m->core.set_reg(10, 600);
    m->core.set_reg(8, 0x8001);
  }
  // Breakpoints inside runs of one instruction and at the fused test, now and then.
  CHECK(run_to_fault(blocks, steps, max_step, 41,
                     {{{3, 0x444A}, {9, 0x4420}, {17, 0x4458}, {30, 0xFFFFFFFF}}}));
  CHECK(blocks.core.fault().pc == 0x4468);
  CHECK(blocks.core.reg(7) != 0);  // both ways of the jz were taken
  CHECK(blocks.core.reg(7) < 300);
}

// Flags a later instruction of the block overwrites before anyone reads them are not computed
// (drop_dead_flags): a flag set early and read late through instructions that leave it (V
// through DADD and CLRC, N through SETZ), carries read by ADDC, RRC and DADD, runs of one
// instruction whose last copy's flags are read (RRA before JGE) or not, and a read of SR by a
// full slot (MOV SR, Rn) mid-block. Breakpoints inside make the same code run step by step.
std::vector<uint16_t> flags_program() {
  return {
      0x5909,  // 4400 add r9, r9        dead: the next ADD overwrites all
      0x5A09,  // 4402 add r10, r9       its carry is read by the ADDC
      0x6908,  // 4404 addc r9, r8
      0xE509,  // 4406 xor r5, r9        dead: the RRAs overwrite all
      0x1105,
      0x1105,
      0x1105,                   // 4408 rra r5 x 3       dead: SUB overwrites all
      0x8406,                   // 440E sub r4, r6        V is read by the JL
      0xC312,                   // 4410 clrc
      0xA50D,                   // 4412 dadd r5, r13      reads C, sets C Z N, leaves V
      jump(6, 0x4414, 0x4418),  // 4414 jl 4418
      0xD312,                   // 4416 setc
      0x1009,
      0x1009,                   // 4418 rrc r9 x 2        each reads the last carry
      0x490B,                   // 441C mov r9, r11
      0x118B,                   // 441E sxt r11           seen by the MOV SR below
      0x420E,                   // 4420 mov sr, r14       a full slot
      0x9405,                   // 4422 cmp r4, r5        dead: the XOR overwrites all
      0xE50F,                   // 4424 xor r5, r15       N is read by the JN through the SETZ
      0xD322,                   // 4426 setz
      jump(4, 0x4428, 0x442C),  // 4428 jn 442C
      0x5317,                   // 442A add #1, r7
      0x5605,                   // 442C add r6, r5
      0x1105,
      0x1105,                   // 442E rra r5 x 2        the last copy's N and V read by the JGE
      jump(5, 0x4432, 0x4436),  // 4432 jge 4436
      0x5317,                   // 4434 add #1, r7
      0xC322,                   // 4436 clrz              dead: the ADD overwrites Z
      0x503C,
      0x4000,  // 4438 add #0x4000, r12 x 2: the last carry read by the JC
      0x503C,
      0x4000,
      jump(3, 0x4440, 0x4444),  // 4440 jc 4444
      0x5317,                   // 4442 add #1, r7
      0x831A,                   // 4444 sub #1, r10
      jump(0, 0x4446, 0x4400),  // 4446 jnz 4400
      0x4582,
      0x0050,  // 4448 mov r5, &0x0050  vacant: fault
  };
}

TEST_CASE("Flags no one sees are not computed, and no one sees the difference", "[cpu][block]") {
  const unsigned max_step = GENERATE(1u, 5u, 60u, 10000000u);
  const std::vector<uint16_t> program = flags_program();
  Machine blocks(true, program), steps(false, program);
  for (Machine* m : {&blocks, &steps}) {
    m->core.set_reg(10, 600);
    m->core.set_reg(5, 0x1234);
    m->core.set_reg(9, 0x5A5A);
    m->core.set_reg(15, 0x0F0F);
  }
  CHECK(run_to_fault(blocks, steps, max_step, 37,
                     {{{3, 0x440A}, {11, 0x4412}, {19, 0x443C}, {30, 0xFFFFFFFF}}}));
  CHECK(blocks.core.fault().pc == 0x4448);
  CHECK(blocks.core.reg(7) > 300);  // the jumps went both ways
  CHECK(blocks.core.reg(7) < 1500);
}

// Register accesses the bus vouches reach only registers do not end a block run, unless the
// peripheral's reaction changes what the run loop checks: it raises an interrupt line, asks
// the core to stop, or stalls it (add_cycles). Writes that do so come in mid-block and as a
// block's last instruction (its successor is chained), between quiet reads and writes.
std::vector<uint16_t> register_access_program() {
  std::vector<uint16_t> p(30, 0x5317);   // 4400 add #1, r7 x 30
  p.insert(p.end(), {0x4A82, 0x0300});   // 443C mov r10, &0x0300  last: 64 bytes
  p.push_back(0x5A09);                   // 4440 add r10, r9
  p.insert(p.end(), {0x4218, 0x0302});   // 4442 mov &0x0302, r8   quiet read
  p.push_back(0x5809);                   // 4446 add r8, r9
  p.insert(p.end(), {0x4982, 0x0304});   // 4448 mov r9, &0x0304   quiet write
  p.insert(p.end(), {0x4A82, 0x0300});   // 444C mov r10, &0x0300  mid-block
  p.push_back(0x5316);                   // 4450 add #1, r6
  p.push_back(0x831A);                   // 4452 sub #1, r10
  p.push_back(jump(0, 0x4454, 0x4400));  // 4454 jnz 4400
  p.insert(p.end(), {0x4582, 0x0050});   // 4456 mov r5, &0x0050  vacant: fault
  return p;
}

TEST_CASE("Register accesses end a block run only when they change what the run loop checks",
          "[cpu][block]") {
  const unsigned max_step = GENERATE(1u, 9u, 100u, 10000000u);
  const std::vector<uint16_t> program = register_access_program();
  Machine blocks(true, program), steps(false, program);
  unsigned stops[2] = {0, 0};
  for (Machine* m : {&blocks, &steps}) {
    m->bus.vouch_registers_only = true;
    m->bus.regs[0x0302] = 0x1234;
    m->core.set_reg(2, 0x0008);  // GIE
    m->bus.on_write = [m](uint32_t addr, uint16_t value) {
      if (addr != 0x0300) return;
      if (value % 7 == 0) m->irq.set(kVectorTimer0A0, true);
      if (value % 5 == 0) m->core.request_stop();
      if (value % 3 == 0) m->core.add_cycles(40);
    };
  }
  std::mt19937 rng(max_step);
  bool faulted = false;
  for (int i = 0; i < 40000 && !faulted; ++i) {
    const uint64_t target = blocks.core.cycles() + 1 + rng() % max_step;
    const StopReason ra = run_both(blocks, steps, target, i);
    stops[0] += ra == StopReason::kSyncRequest;
    stops[1] += ra == StopReason::kBudget;
    faulted = ra == StopReason::kFault;
  }
  CHECK(faulted);  // the loop ran to its end
  CHECK(blocks.core.fault().pc == 0x4456);
  CHECK(blocks.acks > 0);
  CHECK(stops[0] > 0);
  CHECK(blocks.bus.reads > 0);
}

}  // namespace
}  // namespace ipsim::test
