// Table-driven instruction tests for the MSP430 (16-bit) instruction set: one row per
// instruction, addressing mode and width; each checks result, N Z C V, cycles (facts §2.3
// Tables 4-9, 4-10, jumps) and length. Encodings come from enc_f1/enc_f2 below (the user's
// guide field layout, facts §2.2); spot checks were cross-checked with llvm-mc-14:
//   mov r1, r2 = 0x4102; add #-1, r0 = 0x5330; mov &0x1234, r5 = 0x4215 0x1234;
//   mov.b #4, r6 = 0x4266; rra r5 = 0x1105; call #0x4400 = 0x12B0 0x4400; reti = 0x1300.
#include <catch2/catch.hpp>

#include "tests/cpu/core_fixture.h"

namespace ipsim::test {
namespace {

enum Op { MOV = 4, ADD, ADDC, SUBC, SUB, CMP, DADD, BIT, BIC, BIS, XOR, AND };
enum Fop { RRC = 0, SWPB, RRA, SXT, PUSH, CALL };
// Source modes; Cg* are constant-generator encodings.
enum Sm { Rn, Ind, Inc, Imm, Idx, Sym, Abs, Cg0, Cg1, Cg2, Cg4, Cg8, CgM1 };
enum Dm { Rm, DIdx, DSym, DAbs };
constexpr int B = 1, W = 0;

constexpr uint32_t kSrcData = 0x2000, kDstData = 0x2100;

uint16_t enc_f1(int op, int sreg, int ad, int bw, int as, int dreg) {
  return static_cast<uint16_t>(op << 12 | sreg << 8 | ad << 7 | bw << 6 | as << 4 | dreg);
}
uint16_t enc_f2(int op, int bw, int as, int reg) {
  return static_cast<uint16_t>(0x1000 | op << 7 | bw << 6 | as << 4 | reg);
}

// Builds "op src, dst" at kCode: source operand from R5 / @R4 / @R4+ / #s / 16(R4) / EDE /
// &0x2000 (data at 0x2000), destination R7 or 256(R6) / EDE / &0x2100 (data at 0x2100).
std::vector<uint16_t> build_f1(CoreFixture& f, int op, int bw, int sm, int dm, uint32_t s) {
  std::vector<uint16_t> code(1);
  int sreg = 5, as = 0;
  switch (sm) {
    case Rn:
      sreg = 5, as = 0;
      break;
    case Ind:
      sreg = 4, as = 2, f.core.set_reg(4, kSrcData);
      break;
    case Inc:
      sreg = 4, as = 3, f.core.set_reg(4, kSrcData);
      break;
    case Imm:
      sreg = 0, as = 3, code.push_back(static_cast<uint16_t>(s));
      break;
    case Idx:
      sreg = 4, as = 1, f.core.set_reg(4, kSrcData - 16), code.push_back(16);
      break;
    case Sym:
      sreg = 0, as = 1;
      code.push_back(static_cast<uint16_t>(kSrcData - (CoreFixture::kCode + 2)));
      break;
    case Abs:
      sreg = 2, as = 1, code.push_back(kSrcData);
      break;
    case Cg0:
      sreg = 3, as = 0;
      break;
    case Cg1:
      sreg = 3, as = 1;
      break;
    case Cg2:
      sreg = 3, as = 2;
      break;
    case CgM1:
      sreg = 3, as = 3;
      break;
    case Cg4:
      sreg = 2, as = 2;
      break;
    case Cg8:
      sreg = 2, as = 3;
      break;
  }
  int dreg = 7, ad = 0;
  const uint32_t dword = CoreFixture::kCode + 2 * static_cast<uint32_t>(code.size());
  switch (dm) {
    case Rm:
      break;
    case DIdx:
      dreg = 6, ad = 1, f.core.set_reg(6, kSrcData), code.push_back(0x100);
      break;
    case DSym:
      dreg = 0, ad = 1, code.push_back(static_cast<uint16_t>(kDstData - dword));
      break;
    case DAbs:
      dreg = 2, ad = 1, code.push_back(kDstData);
      break;
  }
  code[0] = enc_f1(op, sreg, ad, bw, as, dreg);
  return code;
}

TEST_CASE("Format I instructions: result, flags, cycles, length", "[cpu][format1]") {
  // clang-format off
  auto [op, bw, sm, dm, s, d, sr_in, result, flags, cycles, len] = GENERATE(table<int, int, int, int, uint32_t, uint32_t, uint16_t, uint32_t, uint16_t, unsigned, unsigned>({
    // MOV.W, every source mode into Rm and into memory (Table 4-10, footnote [1] on memory).
    {MOV, W, Rn,  Rm,   0x1234, 0x5555, 0, 0x1234, 0, 1, 2},
    {MOV, W, Ind, Rm,   0x1234, 0x5555, 0, 0x1234, 0, 2, 2},
    {MOV, W, Inc, Rm,   0x1234, 0x5555, 0, 0x1234, 0, 2, 2},
    {MOV, W, Imm, Rm,   0x1234, 0x5555, 0, 0x1234, 0, 2, 4},
    {MOV, W, Idx, Rm,   0x1234, 0x5555, 0, 0x1234, 0, 3, 4},
    {MOV, W, Sym, Rm,   0x1234, 0x5555, 0, 0x1234, 0, 3, 4},
    {MOV, W, Abs, Rm,   0x1234, 0x5555, 0, 0x1234, 0, 3, 4},
    {MOV, W, Rn,  DIdx, 0x1234, 0x5555, 0, 0x1234, 0, 3, 4},
    {MOV, W, Ind, DIdx, 0x1234, 0x5555, 0, 0x1234, 0, 4, 4},
    {MOV, W, Inc, DIdx, 0x1234, 0x5555, 0, 0x1234, 0, 4, 4},
    {MOV, W, Imm, DIdx, 0x1234, 0x5555, 0, 0x1234, 0, 4, 6},
    {MOV, W, Idx, DIdx, 0x1234, 0x5555, 0, 0x1234, 0, 5, 6},
    {MOV, W, Sym, DIdx, 0x1234, 0x5555, 0, 0x1234, 0, 5, 6},
    {MOV, W, Abs, DIdx, 0x1234, 0x5555, 0, 0x1234, 0, 5, 6},
    {MOV, W, Rn,  DSym, 0x1234, 0x5555, 0, 0x1234, 0, 3, 4},
    {MOV, W, Rn,  DAbs, 0x1234, 0x5555, 0, 0x1234, 0, 3, 4},
    {MOV, W, Abs, DAbs, 0x1234, 0x5555, 0, 0x1234, 0, 5, 6},
    {MOV, W, Sym, DSym, 0x1234, 0x5555, 0, 0x1234, 0, 5, 6},
    // MOV.B: byte ops clear bits 19:8 of a register destination.
    {MOV, B, Rn,  Rm,   0x12AB, 0xFFFF, 0, 0x00AB, 0, 1, 2},
    {MOV, B, Ind, Rm,   0x12AB, 0xFFFF, 0, 0x00AB, 0, 2, 2},
    {MOV, B, Inc, Rm,   0x12AB, 0xFFFF, 0, 0x00AB, 0, 2, 2},
    {MOV, B, Imm, Rm,   0x00AB, 0xFFFF, 0, 0x00AB, 0, 2, 4},
    {MOV, B, Idx, Rm,   0x12AB, 0xFFFF, 0, 0x00AB, 0, 3, 4},
    {MOV, B, Rn,  DIdx, 0x12AB, 0xFFFF, 0, 0x00AB, 0, 3, 4},
    {MOV, B, Abs, DAbs, 0x12AB, 0xFFFF, 0, 0x00AB, 0, 5, 6},
    // Constant generators cost like a register and need no extension word (facts §2.1).
    {MOV, W, Cg0, Rm,   0, 0x5555, 0, 0x0000, 0, 1, 2},
    {MOV, W, Cg1, Rm,   0, 0x5555, 0, 0x0001, 0, 1, 2},
    {MOV, W, Cg2, Rm,   0, 0x5555, 0, 0x0002, 0, 1, 2},
    {MOV, W, Cg4, Rm,   0, 0x5555, 0, 0x0004, 0, 1, 2},
    {MOV, W, Cg8, Rm,   0, 0x5555, 0, 0x0008, 0, 1, 2},
    {MOV, W, CgM1, Rm,  0, 0x5555, 0, 0xFFFF, 0, 1, 2},
    {MOV, B, CgM1, Rm,  0, 0x5555, 0, 0x00FF, 0, 1, 2},
    {MOV, W, Cg1, DIdx, 0, 0x5555, 0, 0x0001, 0, 3, 4},
    {ADD, W, Cg1, Rm,   0, 0x00FF, 0, 0x0100, 0, 1, 2},
    {ADD, W, CgM1, Rm,  0, 0x0001, 0, 0x0000, kZ | kC, 1, 2},
    // ADD.W, every source mode into Rm and memory.
    {ADD, W, Rn,  Rm,   0x0001, 0x0002, 0, 0x0003, 0, 1, 2},
    {ADD, W, Ind, Rm,   0x0001, 0x0002, 0, 0x0003, 0, 2, 2},
    {ADD, W, Inc, Rm,   0x0001, 0x0002, 0, 0x0003, 0, 2, 2},
    {ADD, W, Imm, Rm,   0x1001, 0x0002, 0, 0x1003, 0, 2, 4},
    {ADD, W, Idx, Rm,   0x0001, 0x0002, 0, 0x0003, 0, 3, 4},
    {ADD, W, Sym, Rm,   0x0001, 0x0002, 0, 0x0003, 0, 3, 4},
    {ADD, W, Abs, Rm,   0x0001, 0x0002, 0, 0x0003, 0, 3, 4},
    {ADD, W, Rn,  DIdx, 0x0001, 0x0002, 0, 0x0003, 0, 4, 4},
    {ADD, W, Ind, DIdx, 0x0001, 0x0002, 0, 0x0003, 0, 5, 4},
    {ADD, W, Inc, DIdx, 0x0001, 0x0002, 0, 0x0003, 0, 5, 4},
    {ADD, W, Imm, DIdx, 0x1001, 0x0002, 0, 0x1003, 0, 5, 6},
    {ADD, W, Idx, DIdx, 0x0001, 0x0002, 0, 0x0003, 0, 6, 6},
    {ADD, W, Sym, DIdx, 0x0001, 0x0002, 0, 0x0003, 0, 6, 6},
    {ADD, W, Abs, DIdx, 0x0001, 0x0002, 0, 0x0003, 0, 6, 6},
    {ADD, W, Abs, DSym, 0x0001, 0x0002, 0, 0x0003, 0, 6, 6},
    {ADD, W, Imm, DAbs, 0x0001, 0x0002, 0, 0x0003, 0, 5, 6},
    {ADD, B, Rn,  Rm,   0x00FF, 0x1201, 0, 0x0000, kZ | kC, 1, 2},
    {ADD, B, Ind, DIdx, 0x0080, 0x0080, 0, 0x0000, kZ | kC | kV, 5, 4},
    // ADD/ADDC/SUB/SUBC/CMP overflow and carry.
    {ADD, W, Rn, Rm, 0x0001, 0x7FFF, 0, 0x8000, kN | kV, 1, 2},
    {ADD, W, Rn, Rm, 0x8000, 0x8000, 0, 0x0000, kZ | kC | kV, 1, 2},
    {ADD, W, Rn, Rm, 0xFFFF, 0x0002, 0, 0x0001, kC, 1, 2},
    {ADD, B, Rn, Rm, 0x0001, 0x007F, 0, 0x0080, kN | kV, 1, 2},
    {ADDC, W, Rn, Rm, 0x0000, 0x7FFF, kC, 0x8000, kN | kV, 1, 2},
    {ADDC, W, Rn, Rm, 0x0001, 0x0001, 0, 0x0002, 0, 1, 2},
    {ADDC, B, Rn, Rm, 0x00FF, 0x0000, kC, 0x0000, kZ | kC, 1, 2},
    {SUB, W, Rn, Rm, 0x0001, 0x8000, 0, 0x7FFF, kC | kV, 1, 2},
    {SUB, W, Rn, Rm, 0x0002, 0x0001, 0, 0xFFFF, kN, 1, 2},
    {SUB, W, Rn, Rm, 0x0005, 0x0005, 0, 0x0000, kZ | kC, 1, 2},
    {SUB, W, Rn, Rm, 0xFFFF, 0x7FFF, 0, 0x8000, kN | kV, 1, 2},
    {SUB, B, Rn, Rm, 0x0001, 0x0080, 0, 0x007F, kC | kV, 1, 2},
    {SUBC, W, Rn, Rm, 0x0001, 0x0003, kC, 0x0002, kC, 1, 2},
    {SUBC, W, Rn, Rm, 0x0001, 0x0003, 0, 0x0001, kC, 1, 2},
    {SUBC, W, Rn, Rm, 0x0000, 0x8000, 0, 0x7FFF, kC | kV, 1, 2},
    {SUBC, B, Rn, Rm, 0x0001, 0x0001, 0, 0x00FF, kN, 1, 2},
    {CMP, W, Rn,  Rm,   0x0001, 0x8000, 0, 0x8000, kC | kV, 1, 2},
    {CMP, W, Rn,  Rm,   0x1234, 0x1234, 0, 0x1234, kZ | kC, 1, 2},
    {CMP, W, Ind, Rm,   0x0002, 0x0001, 0, 0x0001, kN, 2, 2},
    {CMP, W, Inc, Rm,   0x0002, 0x0001, 0, 0x0001, kN, 2, 2},
    {CMP, W, Imm, Rm,   0x1000, 0x2000, 0, 0x2000, kC, 2, 4},
    {CMP, W, Idx, Rm,   0x0001, 0x0001, 0, 0x0001, kZ | kC, 3, 4},
    {CMP, W, Sym, Rm,   0x0001, 0x0001, 0, 0x0001, kZ | kC, 3, 4},
    {CMP, W, Abs, Rm,   0x0001, 0x0001, 0, 0x0001, kZ | kC, 3, 4},
    {CMP, W, Rn,  DIdx, 0x0001, 0x0001, 0, 0x0001, kZ | kC, 3, 4},
    {CMP, W, Ind, DIdx, 0x0001, 0x0001, 0, 0x0001, kZ | kC, 4, 4},
    {CMP, W, Inc, DIdx, 0x0001, 0x0001, 0, 0x0001, kZ | kC, 4, 4},
    {CMP, W, Imm, DIdx, 0xFFFF, 0x7FFF, 0, 0x7FFF, kN | kV, 4, 6},
    {CMP, W, Idx, DIdx, 0x0001, 0x0001, 0, 0x0001, kZ | kC, 5, 6},
    {CMP, W, Sym, DIdx, 0x0001, 0x0001, 0, 0x0001, kZ | kC, 5, 6},
    {CMP, W, Abs, DIdx, 0x0001, 0x0001, 0, 0x0001, kZ | kC, 5, 6},
    {CMP, B, Rn,  Rm,   0x0001, 0x0080, 0, 0x0080, kC | kV, 1, 2},
    {CMP, B, Abs, DAbs, 0x00FF, 0x0001, 0, 0x0001, 0, 5, 6},
    // BIT: C = not Z, V = 0.
    {BIT, W, Rn,  Rm,   0x8001, 0x8000, kV, 0x8000, kN | kC, 1, 2},
    {BIT, W, Ind, Rm,   0x0001, 0x0002, 0, 0x0002, kZ, 2, 2},
    {BIT, W, Inc, Rm,   0x0001, 0x0003, 0, 0x0003, kC, 2, 2},
    {BIT, W, Imm, Rm,   0x0100, 0x0100, 0, 0x0100, kC, 2, 4},
    {BIT, W, Idx, Rm,   0x0001, 0x0002, 0, 0x0002, kZ, 3, 4},
    {BIT, W, Sym, Rm,   0x0001, 0x0003, 0, 0x0003, kC, 3, 4},
    {BIT, W, Abs, Rm,   0x0001, 0x0003, 0, 0x0003, kC, 3, 4},
    {BIT, W, Rn,  DIdx, 0x0001, 0x0003, 0, 0x0003, kC, 3, 4},
    {BIT, W, Ind, DIdx, 0x0001, 0x0003, 0, 0x0003, kC, 4, 4},
    {BIT, W, Inc, DIdx, 0x0001, 0x0003, 0, 0x0003, kC, 4, 4},
    {BIT, W, Imm, DIdx, 0x0004, 0x0003, 0, 0x0003, kZ, 4, 6},
    {BIT, W, Idx, DIdx, 0x0001, 0x0003, 0, 0x0003, kC, 5, 6},
    {BIT, W, Sym, DIdx, 0x0001, 0x0003, 0, 0x0003, kC, 5, 6},
    {BIT, W, Abs, DIdx, 0x0001, 0x0003, 0, 0x0003, kC, 5, 6},
    {BIT, B, Rn,  Rm,   0x0080, 0x1280, 0, 0x1280, kN | kC, 1, 2},
    // The remaining operations, byte and word.
    {AND, W, Rn, Rm, 0xFF00, 0x8F0F, kV, 0x8F00, kN | kC, 1, 2},
    {AND, W, Rn, Rm, 0x00F0, 0x0F0F, kC, 0x0000, kZ, 1, 2},
    {AND, B, Rn, Rm, 0x00FF, 0x1281, 0, 0x0081, kN | kC, 1, 2},
    {AND, W, Imm, DIdx, 0x00FF, 0x1234, 0, 0x0034, kC, 5, 6},
    {BIC, W, Rn, Rm, 0x00FF, 0x1234, kC | kN, 0x1200, kC | kN, 1, 2},
    {BIC, B, Rn, Rm, 0x000F, 0x12FF, 0, 0x00F0, 0, 1, 2},
    {BIC, W, Cg8, DAbs, 0, 0x000F, 0, 0x0007, 0, 4, 4},
    {BIS, W, Rn, Rm, 0x00F0, 0x1204, kZ, 0x12F4, kZ, 1, 2},
    {BIS, B, Rn, Rm, 0x0001, 0x1280, 0, 0x0081, 0, 1, 2},
    {XOR, W, Rn, Rm, 0x8000, 0x8001, 0, 0x0001, kC | kV, 1, 2},
    {XOR, W, Rn, Rm, 0x1234, 0x1234, kC, 0x0000, kZ, 1, 2},
    {XOR, W, Rn, Rm, 0x8000, 0x0001, 0, 0x8001, kN | kC, 1, 2},
    {XOR, B, Rn, Rm, 0x0080, 0x1281, 0, 0x0001, kC | kV, 1, 2},
    {XOR, W, Ind, DIdx, 0xFFFF, 0x00FF, 0, 0xFF00, kN | kC, 5, 4},
    {DADD, W, Rn, Rm, 0x0001, 0x0199, 0, 0x0200, 0, 1, 2},
    {DADD, W, Rn, Rm, 0x0001, 0x9999, 0, 0x0000, kZ | kC, 1, 2},
    {DADD, W, Rn, Rm, 0x0027, 0x0015, kC, 0x0043, 0, 1, 2},
    {DADD, W, Rn, Rm, 0x5000, 0x4000, 0, 0x9000, kN, 1, 2},
    {DADD, B, Rn, Rm, 0x0001, 0x1299, 0, 0x0000, kZ | kC, 1, 2},
    {DADD, B, Rn, Rm, 0x0045, 0x0037, 0, 0x0082, kN, 1, 2},
    {DADD, W, Imm, DIdx, 0x1234, 0x4321, 0, 0x5555, 0, 5, 6},
  }));
  // clang-format on
  CoreFixture f;
  f.w16(kSrcData, static_cast<uint16_t>(s));
  f.w16(kDstData, static_cast<uint16_t>(d));
  f.core.set_reg(5, s);
  f.core.set_reg(7, d);
  f.core.set_reg(2, sr_in);
  f.load(CoreFixture::kCode, build_f1(f, op, bw, sm, dm, s));
  const auto info = f.core.inspect(CoreFixture::kCode);
  INFO(info.text);
  CHECK(info.valid);
  CHECK(info.length == len);
  CHECK(info.cycles == cycles);
  CHECK(f.step() == cycles);
  CHECK(f.core.pc() == CoreFixture::kCode + len);
  if (dm == Rm) {
    CHECK(f.core.reg(7) == result);
  } else if (bw) {
    CHECK(f.mem[kDstData] == (result & 0xFF));
    CHECK(f.mem[kDstData + 1] == ((d >> 8) & 0xFF));  // the other byte is untouched
  } else {
    CHECK(f.r16(kDstData) == result);
  }
  CHECK((f.core.sr() & kFlagMask) == flags);
  if (sm == Inc) CHECK(f.core.reg(4) == kSrcData + (bw ? 1 : 2));
}

uint32_t operand_addr_setup(CoreFixture& f, int sm, std::vector<uint16_t>& code) {
  // Format II operand: R7 / @R6 / @R6+ / 256(R6) / EDE / &0x2100 / #imm (data at 0x2100).
  switch (sm) {
    case Rn:
      return 0x07;
    case Ind:
      f.core.set_reg(6, kDstData);
      return 0x26;
    case Inc:
      f.core.set_reg(6, kDstData);
      return 0x36;
    case Idx:
      f.core.set_reg(6, kDstData - 0x100), code.push_back(0x100);
      return 0x16;
    case Sym:
      code.push_back(static_cast<uint16_t>(kDstData - (CoreFixture::kCode + 2)));
      return 0x10;
    case Abs:
      code.push_back(kDstData);
      return 0x12;
    default:
      return 0x30;  // #imm: caller pushes the word
  }
}

TEST_CASE("Format II RRC RRA SWPB SXT: result, flags, cycles, length", "[cpu][format2]") {
  // clang-format off
  auto [op, bw, sm, v, sr_in, result, flags, cycles, len] = GENERATE(table<int, int, int, uint32_t, uint16_t, uint32_t, uint16_t, unsigned, unsigned>({
    {RRC, W, Rn,  0x0001, 0,  0x0000, kZ | kC, 1, 2},
    {RRC, W, Rn,  0x0002, kC, 0x8001, kN, 1, 2},
    {RRC, W, Ind, 0x0003, kV, 0x0001, kC, 3, 2},
    {RRC, W, Inc, 0x0004, 0,  0x0002, 0, 3, 2},
    {RRC, W, Idx, 0x0004, kC, 0x8002, kN, 4, 4},
    {RRC, W, Sym, 0x0004, 0,  0x0002, 0, 4, 4},
    {RRC, W, Abs, 0x0004, 0,  0x0002, 0, 4, 4},
    {RRC, B, Rn,  0x1201, kC, 0x0080, kN | kC, 1, 2},
    {RRC, B, Idx, 0x1202, 0,  0x0001, 0, 4, 4},
    {RRA, W, Rn,  0x8001, 0,  0xC000, kN | kC, 1, 2},
    {RRA, W, Rn,  0x0001, kC, 0x0000, kZ | kC, 1, 2},
    {RRA, W, Ind, 0x4000, 0,  0x2000, 0, 3, 2},
    {RRA, W, Inc, 0x4000, 0,  0x2000, 0, 3, 2},
    {RRA, W, Idx, 0x8000, 0,  0xC000, kN, 4, 4},
    {RRA, W, Sym, 0x0002, 0,  0x0001, 0, 4, 4},
    {RRA, W, Abs, 0x0002, 0,  0x0001, 0, 4, 4},
    {RRA, B, Rn,  0x1281, 0,  0x00C0, kN | kC, 1, 2},
    {RRA, B, Abs, 0x1280, 0,  0x00C0, kN, 4, 4},
    {SWPB, W, Rn,  0x1234, kC, 0x3412, kC, 1, 2},
    {SWPB, W, Ind, 0x1234, 0,  0x3412, 0, 3, 2},
    {SWPB, W, Inc, 0x1234, 0,  0x3412, 0, 3, 2},
    {SWPB, W, Idx, 0x00FF, 0,  0xFF00, 0, 4, 4},
    {SWPB, W, Sym, 0x00FF, 0,  0xFF00, 0, 4, 4},
    {SWPB, W, Abs, 0x00FF, 0,  0xFF00, 0, 4, 4},
    {SXT, W, Rn,  0x1280, kV, 0xFF80, kN | kC, 1, 2},
    {SXT, W, Rn,  0xFF00, 0,  0x0000, kZ, 1, 2},
    {SXT, W, Rn,  0x007F, 0,  0x007F, kC, 1, 2},
    {SXT, W, Ind, 0x0080, 0,  0xFF80, kN | kC, 3, 2},
    {SXT, W, Inc, 0x0001, 0,  0x0001, kC, 3, 2},
    {SXT, W, Idx, 0x0081, 0,  0xFF81, kN | kC, 4, 4},
    {SXT, W, Sym, 0x0081, 0,  0xFF81, kN | kC, 4, 4},
    {SXT, W, Abs, 0x0081, 0,  0xFF81, kN | kC, 4, 4},
  }));
  // clang-format on
  CoreFixture f;
  std::vector<uint16_t> code(1);
  const uint32_t mode_reg = operand_addr_setup(f, sm, code);
  code[0] = static_cast<uint16_t>(enc_f2(op, bw, 0, 0) | mode_reg);
  f.w16(kDstData, static_cast<uint16_t>(v));
  f.core.set_reg(7, v);
  f.core.set_reg(2, sr_in);
  f.load(CoreFixture::kCode, code);
  const auto info = f.core.inspect(CoreFixture::kCode);
  INFO(info.text);
  CHECK(info.valid);
  CHECK(info.length == len);
  CHECK(f.step() == cycles);
  CHECK(f.core.pc() == CoreFixture::kCode + len);
  if (sm == Rn)
    CHECK(f.core.reg(7) == result);
  else if (bw)
    CHECK(f.mem[kDstData] == (result & 0xFF));
  else
    CHECK(f.r16(kDstData) == result);
  CHECK((f.core.sr() & kFlagMask) == flags);
  if (sm == Inc) CHECK(f.core.reg(6) == kDstData + (bw ? 1 : 2));
}

TEST_CASE("Format II PUSH and CALL: every mode", "[cpu][format2]") {
  // clang-format off
  auto [op, bw, sm, cycles, len] = GENERATE(table<int, int, int, unsigned, unsigned>({
    {PUSH, W, Rn, 3, 2}, {PUSH, W, Ind, 3, 2}, {PUSH, W, Inc, 3, 2}, {PUSH, W, Imm, 3, 4},
    {PUSH, W, Idx, 4, 4}, {PUSH, W, Sym, 4, 4}, {PUSH, W, Abs, 4, 4},
    {PUSH, B, Rn, 3, 2}, {PUSH, B, Idx, 4, 4},
    {CALL, W, Rn, 4, 2}, {CALL, W, Ind, 4, 2}, {CALL, W, Inc, 4, 2}, {CALL, W, Imm, 4, 4},
    {CALL, W, Idx, 5, 4}, {CALL, W, Sym, 5, 4}, {CALL, W, Abs, 6, 4},
  }));
  // clang-format on
  CoreFixture f;
  const uint16_t v = op == CALL ? 0x5000 : 0xA1B2;
  std::vector<uint16_t> code(1);
  const uint32_t mode_reg = operand_addr_setup(f, sm, code);
  if (sm == Imm) code.push_back(v);
  code[0] = static_cast<uint16_t>(enc_f2(op, bw, 0, 0) | mode_reg);
  f.w16(kDstData, v);
  f.core.set_reg(7, v);
  f.load(CoreFixture::kCode, code);
  CHECK(f.core.inspect(CoreFixture::kCode).length == len);
  CHECK(f.step() == cycles);
  CHECK(f.core.reg(1) == 0x3B00 - 2);
  if (op == PUSH) {
    CHECK(f.core.pc() == CoreFixture::kCode + len);
    if (bw)
      CHECK(f.mem[0x3AFE] == (v & 0xFF));
    else
      CHECK(f.r16(0x3AFE) == v);
  } else {
    CHECK(f.core.pc() == v);
    CHECK(f.r16(0x3AFE) == CoreFixture::kCode + len);  // return address
  }
  if (sm == Inc) CHECK(f.core.reg(6) == kDstData + (bw ? 1 : 2));
}

TEST_CASE("Jumps: all eight conditions taken and not taken", "[cpu][jump]") {
  // clang-format off
  auto [cond, sr, taken] = GENERATE(table<int, uint16_t, bool>({
    {0, 0, true}, {0, kZ, false},            // JNE/JNZ
    {1, kZ, true}, {1, 0, false},            // JEQ/JZ
    {2, 0, true}, {2, kC, false},            // JNC/JLO
    {3, kC, true}, {3, 0, false},            // JC/JHS
    {4, kN, true}, {4, 0, false},            // JN
    {5, 0, true}, {5, kN | kV, true}, {5, kN, false}, {5, kV, false},  // JGE
    {6, kN, true}, {6, kV, true}, {6, 0, false}, {6, kN | kV, false},  // JL
    {7, 0, true}, {7, kZ | kC | kN | kV, true},  // JMP
  }));
  // clang-format on
  for (int offset : {5, -3}) {
    CoreFixture f;
    const uint16_t word = static_cast<uint16_t>(0x2000 | cond << 10 | (offset & 0x3FF));
    f.load(CoreFixture::kCode, {word});
    f.core.set_reg(2, sr);
    CHECK(f.core.inspect(CoreFixture::kCode).cycles == 2);
    CHECK(f.step() == 2);
    const uint32_t target = CoreFixture::kCode + 2 + 2 * offset;
    CHECK(f.core.pc() == (taken ? target : CoreFixture::kCode + 2));
    CHECK(f.core.sr() == sr);
  }
}

TEST_CASE("PC and SR as operands", "[cpu][format1]") {
  CoreFixture f;
  // mov r0, r7 (0x4007): reads the address of the next word.
  f.load(CoreFixture::kCode, {0x4007});
  f.step();
  CHECK(f.core.reg(7) == CoreFixture::kCode + 2);
  // br #0x5000 = mov #0x5000, r0 (0x4030 0x5000): #N -> PC 3 cycles (Table 4-10).
  f.load(CoreFixture::kCode, {0x4030, 0x5000});
  CHECK(f.step() == 3);
  CHECK(f.core.pc() == 0x5000);
  // ret = mov @r1+, r0 (0x4130): 4 cycles (Table 4-8).
  f.w16(0x3AFE, 0x4800);
  f.core.set_reg(1, 0x3AFE);
  f.load(CoreFixture::kCode, {0x4130});
  CHECK(f.step() == 4);
  CHECK(f.core.pc() == 0x4800);
  CHECK(f.core.reg(1) == 0x3B00);
  // mov.b @r1+, r7 increments SP by 2 (SP stays even).
  f.w16(0x3AFE, 0x1234);
  f.core.set_reg(1, 0x3AFE);
  f.load(CoreFixture::kCode, {0x4177});
  f.step();
  CHECK(f.core.reg(7) == 0x34);
  CHECK(f.core.reg(1) == 0x3B00);
  // nop = mov r3, r3 (0x4303): CG write discarded.
  f.load(CoreFixture::kCode, {0x4303});
  CHECK(f.step() == 1);
  CHECK(f.core.reg(3) == 0);
}

// Regression (diff_mspdebug seeds 9, 24, 33, ...): with a destination index word the PC
// source read the address of the next instruction instead of the word after the opcode.
TEST_CASE("PC as source before a destination index word", "[cpu][format1]") {
  CoreFixture f;
  f.core.set_reg(5, 0x2000);
  SECTION("mov r0, 2(r5) = 0x4085 0x0002 stores the index word's address") {
    f.load(CoreFixture::kCode, {0x4085, 0x0002});
    CHECK(f.step() == 3);  // Table 4-10: Rn -> X(Rm) MOV, 4 - 1
    CHECK(f.r16(0x2002) == CoreFixture::kCode + 2);
    CHECK(f.core.pc() == CoreFixture::kCode + 4);
  }
  SECTION("add.b r0, &0x2000 = 0x50C2 0x2000 adds the low byte of that address") {
    f.w16(0x2000, 0x0101);
    f.load(CoreFixture::kCode, {0x50C2, 0x2000});
    CHECK(f.step() == 4);
    CHECK(f.r16(0x2000) == (0x0100 | ((CoreFixture::kCode + 2 + 1) & 0xFF)));
    CHECK(f.core.inspect(CoreFixture::kCode).text == "add.b r0, &0x2000");
  }
  SECTION("movx.w r0, &0x2000 = 0x1840 0x4082 0x2000: the word after the opcode") {
    f.load(CoreFixture::kCode, {0x1840, 0x4082, 0x2000});
    f.step();
    CHECK(f.r16(0x2000) == CoreFixture::kCode + 4);
  }
  SECTION("mova r0, &0x02000 = 0x0060 0x2000 and mova r0, 4(r5) = 0x0075 0x0004") {
    f.load(CoreFixture::kCode, {0x0060, 0x2000});
    f.step();
    CHECK(f.r20(0x2000) == CoreFixture::kCode + 2);
    f.load(CoreFixture::kCode + 0x10, {0x0075, 0x0004});
    f.step();
    CHECK(f.r20(0x2004) == CoreFixture::kCode + 0x12);
  }
  SECTION("mov r0, r7 still reads the next instruction's address") {
    f.load(CoreFixture::kCode, {0x4007});
    f.step();
    CHECK(f.core.reg(7) == CoreFixture::kCode + 2);
  }
}

TEST_CASE("Indexed mode in a 16-bit instruction wraps in the lower 64 KB", "[cpu][format1]") {
  CoreFixture f;
  // mov -2(r4), r7 with r4 = 0x0001 -> address (0x0001 - 2) & 0xFFFF = 0xFFFF: word 0xFFFE.
  f.w16(0xFFFE, 0xBEEF);
  f.core.set_reg(4, 0x0001);
  f.load(CoreFixture::kCode, {0x4417, 0xFFFE});
  f.step();
  CHECK(f.core.reg(7) == 0xBEEF);
  // With r4 = 0x10004 (above 64 KB) the index is sign-extended and added in 20 bits.
  f.w16(0x10002, 0xCAFE);
  f.core.set_reg(4, 0x10004);
  f.load(CoreFixture::kCode, {0x4417, 0xFFFE});
  f.step();
  CHECK(f.core.reg(7) == 0xCAFE);
}

}  // namespace
}  // namespace ipsim::test
