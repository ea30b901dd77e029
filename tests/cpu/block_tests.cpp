// Block runs (the default run() path) against instruction-by-instruction runs
// (set_block_runs(false)): the same program under the same sequence of run() targets must give
// identical stop reasons, registers, cycles, instruction and memory-event counts, NVM counters
// and memory, through self-modifying code, peripheral reads, FRAM data accesses, interrupts,
// breakpoints inside a block, and a fault.
#include <catch2/catch.hpp>

#include <random>
#include <string>

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
  explicit Machine(bool blocks) {
    enable_fram(1);
    core.set_block_runs(blocks);
    w16(vector_address(kVectorTimer0A0), kIsr);
    w16(kIsr, 0x1300);  // reti
    irq.on_acknowledge(kVectorTimer0A0, [this] {
      ++acks;
      irq.set(kVectorTimer0A0, false);
    });
    load(kCode, kLoop);
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
    const StopReason ra = blocks.core.run(target);
    const StopReason rb = steps.core.run(target);
    REQUIRE(ra == rb);
    check_same(blocks, steps, "run " + std::to_string(i));
    faulted = ra == StopReason::kFault;
  }
  CHECK(faulted);  // the loop ran to its end
  CHECK(blocks.core.fault().pc == kCode + 0x2A);
  CHECK(blocks.acks > 0);
  CHECK(blocks.r16(0x4424) == 0x5319);  // toggled an even number of times (300 iterations)
}

}  // namespace
}  // namespace ipsim::test
