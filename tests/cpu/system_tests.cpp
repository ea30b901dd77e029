// Interrupts, low-power sleep, run() stop reasons, FRAM wait states and NVM counters, faults,
// re-decoding of modified code, and inspect().
#include <catch2/catch.hpp>

#include "tests/cpu/core_fixture.h"

namespace ipsim::test {
namespace {

constexpr uint32_t kCode = CoreFixture::kCode;
constexpr uint32_t kIsr = 0x5000;
constexpr uint16_t kEint = 0xD232;  // bis #8, sr (constant generator #8)
constexpr uint16_t kNop = 0x4303;   // mov r3, r3
constexpr uint16_t kReti = 0x1300;

struct IrqFixture : CoreFixture {
  int acks[kNumVectors] = {};
  IrqFixture() {
    for (unsigned v = 0; v < kNumVectors; ++v) {
      w16(vector_address(v), static_cast<uint16_t>(kIsr + 0x10 * v));
      w16(kIsr + 0x10 * v, kReti);
      irq.on_acknowledge(v, [this, v] {
        ++acks[v];
        irq.set(v, false);  // single-source flag cleared on acceptance
      });
    }
  }
};

TEST_CASE("Interrupts are gated by GIE, NMIs are not", "[cpu][irq]") {
  IrqFixture f;
  f.load(kCode, {kNop, kNop, kNop});
  f.irq.set(kVectorTimer0A0, true);
  CHECK(f.step() == 1);  // GIE clear: the NOP executes
  CHECK(f.core.pc() == kCode + 2);
  CHECK(f.acks[kVectorTimer0A0] == 0);
  f.irq.set(kVectorUserNmi, true);
  CHECK(f.step() == 6);  // NMI accepted regardless of GIE (Table 4-8: 6 cycles)
  CHECK(f.core.pc() == kIsr + 0x10 * kVectorUserNmi);
  CHECK(f.acks[kVectorUserNmi] == 1);
}

TEST_CASE("Interrupt entry stacks PC and SR, clears SR but SCG0, RETI restores", "[cpu][irq]") {
  IrqFixture f;
  f.load(kCode, {kNop, kNop});
  const uint16_t sr = kGie | kScg0 | kC | kN | kV;
  f.core.set_reg(2, sr);
  f.irq.set(kVectorTimer0A1, true);
  f.irq.set(kVectorTimer0A0, true);  // higher number = higher priority
  CHECK(f.step() == 6);
  CHECK(f.core.pc() == kIsr + 0x10 * kVectorTimer0A0);
  CHECK(f.core.sr() == kScg0);
  CHECK(f.core.reg(1) == 0x3B00 - 4);
  CHECK(f.r16(0x3AFE) == kCode);  // PC
  CHECK(f.r16(0x3AFC) == sr);     // SR (PC 19:16 = 0 in bits 15:12)
  CHECK(f.acks[kVectorTimer0A0] == 1);
  CHECK(f.acks[kVectorTimer0A1] == 0);
  // The RETI of the ISR: 5 cycles; the pending lower-priority interrupt follows at once.
  CHECK(f.core.inspect(f.core.pc()).cycles == 5);
  CHECK(f.step() == 5);
  CHECK(f.core.pc() == kCode);
  CHECK(f.core.sr() == sr);
  CHECK(f.core.reg(1) == 0x3B00);
  CHECK(f.step() == 6);
  CHECK(f.core.pc() == kIsr + 0x10 * kVectorTimer0A1);
}

TEST_CASE("Interrupt above 64 KB folds PC 19:16 into the stacked SR", "[cpu][irq]") {
  IrqFixture f;
  f.load(0x23456, {kNop});
  f.core.set_reg(2, kGie);
  f.irq.set(kVectorWdt, true);
  f.step();
  CHECK(f.r16(0x3AFE) == 0x3456);
  CHECK(f.r16(0x3AFC) == (0x2000 | kGie));
  f.step();  // RETI
  CHECK(f.core.pc() == 0x23456);
  CHECK(f.core.sr() == kGie);
}

TEST_CASE("The instruction after EINT executes before an interrupt", "[cpu][irq]") {
  IrqFixture f;
  f.load(kCode, {kEint, 0x4317, 0x4327});  // eint; mov #1, r7; mov #2, r7
  f.irq.set(kVectorTimer0A0, true);
  f.step();  // EINT
  CHECK(f.core.sr() == kGie);
  f.step();  // mov #1, r7 still executes
  CHECK(f.core.reg(7) == 1);
  CHECK(f.core.pc() == kCode + 4);
  CHECK(f.step() == 6);  // now the interrupt
  CHECK(f.core.pc() == kIsr + 0x10 * kVectorTimer0A0);
}

TEST_CASE("LPM0 sleeps until an interrupt wakes the core", "[cpu][irq][lpm]") {
  IrqFixture f;
  // bis #GIE+CPUOFF, sr = 0xD032 0x0018; mov #1, r7
  f.load(kCode, {0xD032, 0x0018, 0x4317});
  // ISR: bic #CPUOFF, 0(sp) = 0xC0B1 0x0010 0x0000; reti
  const uint32_t isr = kIsr + 0x10 * kVectorTimer0A0;
  f.w16(isr, 0xC0B1), f.w16(isr + 2, 0x0010), f.w16(isr + 4, 0x0000), f.w16(isr + 6, kReti);
  CHECK(f.core.run(1000) == StopReason::kSleep);
  CHECK(f.core.sleeping());
  CHECK(f.core.pc() == kCode + 4);
  const uint64_t slept_at = f.core.cycles();
  CHECK(f.core.run(2000) == StopReason::kSleep);  // no interrupt: still asleep
  CHECK(f.core.cycles() == slept_at);
  CHECK(f.core.step() == StopReason::kSleep);
  f.irq.set(kVectorTimer0A0, true);
  CHECK(f.core.run(slept_at + 6 + 5 + 5 + 1) == StopReason::kBudget);
  CHECK(f.acks[kVectorTimer0A0] == 1);
  CHECK_FALSE(f.core.sleeping());
  CHECK(f.core.reg(7) == 1);  // woke and went on after the LPM0 entry
}

TEST_CASE("run() stop reasons: budget, sync request, breakpoint", "[cpu][run]") {
  CoreFixture f;
  f.load(kCode, {0x5317, 0x3FFE});  // add #1, r7; jmp $-2 (back to add)
  CHECK(f.core.run(100) == StopReason::kBudget);
  CHECK(f.core.cycles() >= 100);
  CHECK(f.core.cycles() <= 101);
  CHECK(f.core.instructions() == 67);  // 33 x (add 1 + jmp 2) + add = 100 cycles
  f.core.request_stop();
  CHECK(f.core.run(1000) == StopReason::kSyncRequest);
  CHECK(f.core.run(200) == StopReason::kBudget);
  f.core.set_breakpoint(kCode + 2);
  CHECK(f.core.run(10000) == StopReason::kBreakpoint);
  CHECK(f.core.pc() == kCode + 2);
  const uint32_t r7 = f.core.reg(7);
  CHECK(f.core.run(10000) == StopReason::kBreakpoint);  // resumes past it, stops next time
  CHECK(f.core.reg(7) == r7 + 1);
}

TEST_CASE("reset loads the PC from the reset vector and clears SR", "[cpu][run]") {
  CoreFixture f;
  f.w16(kResetVector, 0x4400);
  f.core.set_reg(2, 0x1FF);
  f.core.reset();
  CHECK(f.core.pc() == 0x4400);
  CHECK(f.core.sr() == 0);
}

TEST_CASE("Modified code is re-decoded without invalidation", "[cpu][decode]") {
  CoreFixture f;
  f.load(kCode, {0x4317});  // mov #1, r7
  f.step();
  CHECK(f.core.reg(7) == 1);
  f.w16(kCode, 0x4327);  // mov #2, r7 (written behind the core's back, like DMA)
  f.core.set_reg(0, kCode);
  f.step();
  CHECK(f.core.reg(7) == 2);
  // Same first word, different immediate: mov #0x1234, r7 then mov #0x5678, r7.
  f.load(kCode, {0x4037, 0x1234});
  f.step();
  CHECK(f.core.reg(7) == 0x1234);
  f.w16(kCode + 2, 0x5678);
  f.core.set_reg(0, kCode);
  f.step();
  CHECK(f.core.reg(7) == 0x5678);
  // The CPU rewriting its own next instruction: mov #0x4327, &0x4406 ; (0x4406) mov #1, r7
  f.load(kCode, {0x40B2, 0x4327, 0x4406, 0x4317});
  f.step();
  f.step();
  CHECK(f.core.reg(7) == 2);
}

TEST_CASE("FRAM wait states: fetch misses, hits, data reads and writes", "[cpu][fram]") {
  CoreFixture f;
  f.enable_fram(1);
  SECTION("fetch from FRAM costs NWAITS on a cache miss only") {
    f.load(kCode, {0x4507, 0x3FFE});  // mov r5, r7; jmp $-2
    CHECK(f.step() == 1 + 1);         // miss fills the 8-byte line 0x4400
    CHECK(f.step() == 2);             // jmp: same line, hit
    CHECK(f.step() == 1);             // mov: hit
  }
  SECTION("SRAM code and data never wait") {
    f.load(0x2000, {0x4215, 0x2100, 0x4582, 0x2102});  // mov &0x2100, r5; mov r5, &0x2102
    CHECK(f.step() == 3);
    CHECK(f.step() == 3);
    CHECK(f.counters.total(Initiator::kCpu, NvmOp::kFetch).accesses == 0);
  }
  SECTION("FRAM data read misses then hits; a write costs NWAITS and drops the line") {
    f.load(0x2000, {0x4217, 0x4800, 0x4217, 0x4800, 0x4582, 0x4800, 0x4217, 0x4800});
    CHECK(f.step() == 3 + 1);  // mov &0x4800, r7: miss
    CHECK(f.step() == 3);      // hit
    CHECK(f.step() == 3 + 1);  // mov r5, &0x4800: write
    CHECK(f.step() == 3 + 1);  // the write dropped the line: miss again
  }
  SECTION("NWAITS = 0: no wait states, counters still count") {
    f.core.set_nwaits(0);
    f.load(kCode, {0x4507});
    CHECK(f.step() == 1);
    CHECK(f.counters.total(Initiator::kCpu, NvmOp::kFetch).accesses == 1);
  }
}

TEST_CASE("NVM counters count fetch, read and write bytes and accesses", "[cpu][fram]") {
  CoreFixture f;
  f.enable_fram(1);
  f.load(kCode, {
                    0x40B2, 0x1234, 0x2000,  // mov #0x1234, &0x2000: 3 fetched words
                    0x4257, 0x4800,          // mov.b &0x4800, r7: 1-byte read
                    0x1880, 0x4257, 0x4800,  // movx.a &0x14800, r7: 4-byte read
                    0x4782, 0x4802,          // mov r7, &0x4802: 2-byte write
                    0x1801, 0x47C2, 0x4804,  // movx.a r7, &0x14804: 4-byte write
                });
  for (int i = 0; i < 5; ++i) f.step();
  const auto fetch = f.counters.total(Initiator::kCpu, NvmOp::kFetch);
  const auto read = f.counters.total(Initiator::kCpu, NvmOp::kRead);
  const auto write = f.counters.total(Initiator::kCpu, NvmOp::kWrite);
  CHECK(fetch.accesses == 13);
  CHECK(fetch.bytes == 26);
  CHECK(read.accesses == 2);
  CHECK(read.bytes == 1 + 4);
  CHECK(write.accesses == 2);
  CHECK(write.bytes == 2 + 4);
  CHECK(f.counters.at(Initiator::kCpu, NvmOp::kFetch, kCode).accesses == 1);
  CHECK(f.counters.at(Initiator::kCpu, NvmOp::kRead, 0x14800).bytes == 4);
  CHECK(f.counters.at(Initiator::kCpu, NvmOp::kWrite, 0x4802).bytes == 2);
  CHECK(f.counters.at(Initiator::kCpu, NvmOp::kWrite, 0x14804).bytes == 4);
}

TEST_CASE("Peripheral accesses go through the bus", "[cpu][bus]") {
  CoreFixture f;
  f.bus.regs[0x0200] = 0xBEEF;
  // mov &0x0200, r7; mov.b r7, &0x0203; movx.a r7, &0x0204 (two word accesses)
  f.load(0x2000, {0x4217, 0x0200, 0x47C2, 0x0203, 0x1800, 0x47C2, 0x0204});
  f.step();
  CHECK(f.core.reg(7) == 0xBEEF);
  f.step();
  CHECK(f.bus.regs[0x0202] == 0xEF00);
  f.step();
  CHECK(f.bus.regs[0x0204] == 0xBEEF);
  CHECK(f.bus.regs[0x0206] == 0x0000);
  CHECK(f.bus.writes == 3);
}

TEST_CASE("Faults: illegal instructions, vacant accesses, fetch from peripherals", "[cpu][fault]") {
  CoreFixture f;
  f.load(kCode, {kNop});
  f.step();
  const uint64_t c0 = f.core.cycles();
  SECTION("0x0000 (MOVA @PC, PC is no instruction)") {
    f.load(kCode, {0x0000});
    CHECK(f.core.run(100) == StopReason::kFault);
    CHECK(f.core.fault().kind == Fault::Kind::kIllegalInstruction);
    CHECK(f.core.fault().pc == kCode);
    CHECK(f.core.fault().address == 0x0000);
    CHECK(f.core.fault().cycle == c0);
    CHECK_FALSE(f.core.inspect(kCode).valid);
    CHECK(f.core.run(100) == StopReason::kFault);  // sticky until reset
  }
  SECTION("extension word before a jump") {
    f.load(kCode, {0x1800, 0x3C00});
    CHECK(f.core.step() == StopReason::kFault);
    CHECK(f.core.fault().kind == Fault::Kind::kIllegalInstruction);
    CHECK(f.core.fault().address == 0x1800);
  }
  SECTION("extension word before an extension word, and before CALL") {
    f.load(kCode, {0x1800, 0x1800, 0x4507});
    CHECK(f.core.step() == StopReason::kFault);
    CoreFixture g;
    g.load(kCode, {0x1840, 0x1285});
    CHECK(g.core.step() == StopReason::kFault);
  }
  SECTION("reserved extension-word width (A/L = 0, B/W = 0) on MOVX") {
    f.load(kCode, {0x1800, 0x4507});
    CHECK(f.core.step() == StopReason::kFault);
  }
  SECTION("read from vacant memory") {
    f.load(kCode, {0x4217, 0x0010});  // mov &0x0010, r7
    CHECK(f.core.run(100) == StopReason::kFault);
    CHECK(f.core.fault().kind == Fault::Kind::kVacantAccess);
    CHECK(f.core.fault().pc == kCode);
    CHECK(f.core.fault().address == 0x0010);
    CHECK(f.core.fault().cycle == c0);
    const std::string msg = f.core.fault().message();
    CHECK(msg.find("0x00010") != std::string::npos);
    CHECK(msg.find("0x04400") != std::string::npos);
    CHECK(msg.find(std::to_string(c0)) != std::string::npos);
  }
  SECTION("20-bit write to vacant memory above FRAM") {
    f.load(kCode, {0x1805, 0x47C2, 0x0000});  // movx.a r7, &0x50000 (dst19:16 = 5)
    CHECK(f.core.run(100) == StopReason::kFault);
    CHECK(f.core.fault().kind == Fault::Kind::kVacantAccess);
    CHECK(f.core.fault().address == 0x50000);
  }
  SECTION("fetch from peripheral space") {
    f.load(kCode, {0x4030, 0x0200});  // br #0x0200
    CHECK(f.core.run(100) == StopReason::kFault);
    CHECK(f.core.fault().kind == Fault::Kind::kFetchFromPeripheral);
    CHECK(f.core.fault().pc == 0x0200);
    CHECK(f.core.fault().address == 0x0200);
  }
}

TEST_CASE("inspect() disassembles in TI syntax", "[cpu][disasm]") {
  CoreFixture f;
  // clang-format off
  auto [words, text, cycles] = GENERATE(table<std::vector<uint16_t>, std::string, unsigned>({
    {{0x44B5, 0x0002}, "mov.w @r4+, 2(r5)", 4},
    {{0x4102}, "mov.w r1, r2", 1},
    {{0x5330}, "add.w #-1, r0", 3},
    {{0x4215, 0x1234}, "mov.w &0x1234, r5", 3},
    {{0x4266}, "mov.b #4, r6", 1},
    {{0x1105}, "rra.w r5", 1},
    {{0x12B0, 0x4400}, "call #0x4400", 4},
    {{0x1300}, "reti", 5},
    {{0x2004}, "jne $+10", 2},
    {{0x4317}, "mov.w #1, r7", 1},
    {{0x1845, 0x5506}, "rpt #6 { addx.w r5, r6 }", 7},
    {{0x05C0}, "mova r5, r0", 3},
    {{0x1345}, "calla r5", 5},
  }));
  // clang-format on
  f.load(kCode, words);
  const auto info = f.core.inspect(kCode);
  CHECK(info.valid);
  CHECK(info.text == text);
  CHECK(info.cycles == cycles);
  CHECK(info.length == 2 * words.size());
}

}  // namespace
}  // namespace ipsim::test

namespace ipsim::test {
namespace {

TEST_CASE("A faulting access does not commit the instruction", "[cpu][fault]") {
  CoreFixture f;
  f.core.set_reg(7, 0x1234);
  f.core.set_reg(2, kZ);
  SECTION("load: destination register and flags unchanged, PC stays on the instruction") {
    f.load(kCode, {0x5217, 0x0010});  // add &0x0010, r7
    const uint64_t n = f.core.instructions();
    CHECK(f.core.run(100) == StopReason::kFault);
    CHECK(f.core.reg(7) == 0x1234);
    CHECK(f.core.sr() == kZ);
    CHECK(f.core.pc() == kCode);
    CHECK(f.core.instructions() == n);
    CHECK(f.core.fault().pc == kCode);
  }
  SECTION("read-modify-write of memory: the source fault leaves the destination") {
    f.w16(0x2000, 0xBEEF);
    f.load(kCode, {0x5292, 0x0010, 0x2000});  // add &0x0010, &0x2000
    CHECK(f.core.step() == StopReason::kFault);
    CHECK(f.r16(0x2000) == 0xBEEF);
    CHECK(f.core.sr() == kZ);
  }
  SECTION("POP from a vacant stack leaves the register") {
    f.core.set_reg(1, 0x0010);
    f.load(kCode, {0x4137});  // pop r7 = mov @sp+, r7
    CHECK(f.core.step() == StopReason::kFault);
    CHECK(f.core.reg(7) == 0x1234);
    CHECK(f.core.fault().address == 0x0010);
  }
}

// Reference for the fetch fast path: the same accesses, one FramCache::read per word.
TEST_CASE("Batched fetch accounting matches word-by-word accounting", "[cpu][fram]") {
  CoreFixture f;
  f.enable_fram(2);
  // A loop mixing FRAM data reads/writes into the fetch stream, with 4- and 6-byte
  // instructions that straddle cache lines.
  const std::vector<uint16_t> code = {
      0x4215, 0x4800,          // 4400 mov &0x4800, r5       (FRAM read)
      0x5215, 0x4808,          // 4404 add &0x4808, r5       (FRAM read, other set)
      0x4582, 0x4810,          // 4408 mov r5, &0x4810       (FRAM write)
      0x4303,                  // 440C nop
      0x40B2, 0x1234, 0x2000,  // 440E mov #0x1234, &0x2000 (crosses a line)
      0x8316,                  // 4414 sub #1, r6
      0x23F4,                  // 4416 jne 0x4400
      0x3FFF,                  // 4418 jmp $
  };
  f.load(kCode, code);
  f.core.set_reg(6, 5);
  // Reference: replay the same instruction stream against a fresh cache and counters.
  FramCache ref;
  uint64_t ref_waits = 0;
  std::vector<std::pair<uint32_t, unsigned>> fetches;  // (address, words)
  uint64_t cycles_before = f.core.cycles();
  for (int i = 0; i < 5 * 7; ++i) {
    const uint32_t pc = f.core.pc();
    const unsigned len = f.core.inspect(pc).length;
    for (unsigned w = 0; w < len; w += 2) ref_waits += ref.read(pc + w) ? 0 : 2;
    const uint16_t op = f.r16(pc);
    if (op == 0x4215 || op == 0x5215) ref_waits += ref.read(f.r16(pc + 2)) ? 0 : 2;
    if (op == 0x4582) ref.write(f.r16(pc + 2)), ref_waits += 2;
    fetches.push_back({pc, len / 2});
    f.step();
  }
  CHECK(f.core.pc() == 0x4418);
  CHECK(f.cache.hits() == ref.hits());
  CHECK(f.cache.misses() == ref.misses());
  uint64_t base = 0;
  for (const auto& [pc, words] : fetches) base += f.core.inspect(pc).cycles;
  CHECK(f.core.cycles() - cycles_before == base + ref_waits);
  // NVM fetch counts per word are exact when read, also between runs.
  CHECK(f.counters.at(Initiator::kCpu, NvmOp::kFetch, 0x4400).accesses == 5);
  CHECK(f.counters.at(Initiator::kCpu, NvmOp::kFetch, 0x4412).accesses == 5);
  CHECK(f.counters.range(Initiator::kCpu, NvmOp::kFetch, 0x4400, 0x4418).bytes == 5 * 24);
  CHECK(f.counters.total(Initiator::kCpu, NvmOp::kFetch).accesses == 5 * 12);
  f.core.run(f.core.cycles() + 30);  // jmp $ ten times (2 + 0 waits each: same line)
  const uint64_t jmps = f.counters.at(Initiator::kCpu, NvmOp::kFetch, 0x4418).accesses;
  CHECK(jmps >= 10);
  CHECK(f.counters.total(Initiator::kCpu, NvmOp::kFetch).accesses == 5 * 12 + jmps);
  // clear() drops counts from before it; a re-decoded instruction keeps its earlier counts.
  f.counters.clear();
  CHECK(f.counters.total(Initiator::kCpu, NvmOp::kFetch).accesses == 0);
  f.core.run(f.core.cycles() + 4);
  f.w16(0x4418, 0x3FFF);  // same word rewritten: still valid
  f.w16(0x4418, 0x4303);  // nop, then fall through to erased memory (illegal 0x0000)
  f.w16(0x441A, 0x3FFE);  // jmp $-2
  f.core.run(f.core.cycles() + 7);
  CHECK(f.counters.at(Initiator::kCpu, NvmOp::kFetch, 0x4418).accesses ==
        f.counters.total(Initiator::kCpu, NvmOp::kFetch).accesses -
            f.counters.at(Initiator::kCpu, NvmOp::kFetch, 0x441A).accesses);
}

// The run loop keeps the current code page in a local; a page remapped in the middle of a
// run (a peripheral write that moves DMI, say) must not run stale decodes.
TEST_CASE("A code page remapped during run() is fetched from its new memory", "[cpu][decode]") {
  struct RemapBus : FakeBus {
    Msp430Core* core = nullptr;
    uint8_t* other = nullptr;
    BusStatus slow_write(uint32_t addr, unsigned size, uint16_t value, uint64_t now) override {
      if (addr == 0x0200) core->map_page(0x44, other, MemKind::kFram);
      return FakeBus::slow_write(addr, size, value, now);
    }
  };
  RemapBus bus;
  IrqLines irq;
  std::vector<uint8_t> a(256, 0), b(256, 0);
  auto put = [](std::vector<uint8_t>& m, unsigned off, std::initializer_list<uint16_t> words) {
    for (uint16_t w : words) m[off] = static_cast<uint8_t>(w), m[off + 1] = w >> 8, off += 2;
  };
  put(a, 0, {0x4582, 0x0200, 0x5317, 0x3FFF});  // mov r5, &0x0200; inc r7; jmp $
  put(b, 0, {0x4582, 0x0200, 0x5327, 0x3FFF});  // ...; incd r7; jmp $
  Msp430Core core(bus, irq);
  bus.core = &core;
  bus.other = b.data();
  FramCache cache;
  NvmCounters counters;
  core.map_page(0x44, a.data(), MemKind::kFram);
  core.set_fram(&cache, &counters);
  core.set_reg(0, 0x4400);
  core.set_reg(7, 0);
  core.run(40);
  CHECK(core.reg(7) == 2);
  CHECK(core.pc() == 0x4406);
  CHECK(counters.at(Initiator::kCpu, NvmOp::kFetch, 0x4400).accesses == 1);
  CHECK(counters.at(Initiator::kCpu, NvmOp::kFetch, 0x4404).accesses == 1);
}

TEST_CASE("NVM counters destroyed before the core detach cleanly", "[cpu][fram]") {
  FakeBus bus;
  IrqLines irq;
  std::vector<uint8_t> mem(kAddressSpace, 0);
  Msp430Core core(bus, irq);
  FramCache cache;
  for (uint32_t a = kFramBegin; a < kFramBegin + 0x1000; a += 0x100)
    core.map_page(a >> kPageShift, &mem[a], MemKind::kFram);
  {
    NvmCounters counters;
    core.set_fram(&cache, &counters);
    mem[kFramBegin] = 0xFF, mem[kFramBegin + 1] = 0x3F;  // jmp $
    core.set_reg(0, kFramBegin);
    core.run(20);
    CHECK(counters.total(Initiator::kCpu, NvmOp::kFetch).accesses == 10);
  }
  core.run(40);  // counters gone: the core keeps running without them
  CHECK(core.instructions() == 20);
}

}  // namespace
}  // namespace ipsim::test

namespace ipsim::test {
namespace {

struct CountingObserver : CoreObserver {
  uint64_t before = 0, after = 0, calls = 0;
  std::vector<std::pair<uint32_t, bool>> accesses;  // (address, write)
  bool stop_on_watch = true;
  bool before_insn(uint32_t, bool) override { return ++before, false; }
  void after_insn(uint32_t, uint64_t, bool is_call) override { ++after, calls += is_call; }
  void on_interrupt(unsigned, uint32_t) override {}
  bool on_watch(uint32_t addr, unsigned, bool write) override {
    accesses.push_back({addr, write});
    return stop_on_watch;
  }
};

TEST_CASE("A CoreObserver sees every instruction and watched pages report data accesses",
          "[cpu][debug]") {
  // mov #0x1234, &0x1c10; mov &0x1c10, r5; call #sub; loop: add #1, r7; jmp loop
  // sub (kCode + 0x20): ret
  const auto program = [](CoreFixture& f) {
    f.load(CoreFixture::kCode, {0x40B2, 0x1234, 0x1C10, 0x4215, 0x1C10, 0x12B0,
                                CoreFixture::kCode + 0x20, 0x5317, 0x3FFE});
    f.w16(CoreFixture::kCode + 0x20, 0x4130);  // ret
    f.enable_fram(1);
  };
  CoreFixture plain;
  program(plain);
  CHECK(plain.core.run(500) == StopReason::kBudget);

  CoreFixture f;
  program(f);
  CountingObserver obs;
  f.core.set_observer(&obs);
  f.core.set_page_watched(0x1C10 >> kPageShift, true);
  CHECK(f.core.run(500) == StopReason::kDebugStop);  // after the store
  CHECK(f.core.pc() == CoreFixture::kCode + 6);
  CHECK(f.r16(0x1C10) == 0x1234);
  REQUIRE(obs.accesses.size() == 1);
  CHECK(obs.accesses[0] == std::make_pair(uint32_t{0x1C10}, true));
  CHECK(f.core.run(500) == StopReason::kDebugStop);  // after the load
  CHECK(f.core.reg(5) == 0x1234);
  CHECK(obs.accesses.back() == std::make_pair(uint32_t{0x1C10}, false));
  // CALL pushes onto the stack page (not watched); unwatching restores the fast path.
  f.core.set_page_watched(0x1C10 >> kPageShift, false);
  CHECK(f.core.run(500) == StopReason::kBudget);
  CHECK(obs.accesses.size() == 2);
  CHECK(obs.calls == 1);
  CHECK(obs.before == f.core.instructions());
  CHECK(obs.after == f.core.instructions());
  // The observed loop simulates exactly what the fast loop does.
  CHECK(f.core.cycles() == plain.core.cycles());
  CHECK(f.core.instructions() == plain.core.instructions());
  CHECK(f.core.reg(7) == plain.core.reg(7));
  CHECK(f.counters.total(Initiator::kCpu, NvmOp::kFetch).bytes ==
        plain.counters.total(Initiator::kCpu, NvmOp::kFetch).bytes);
}

}  // namespace
}  // namespace ipsim::test
