// MSP430X (CPUX) tests from hand-encoded instruction words (facts §2.2 layouts). Each
// encoding is spelled out in a comment: extension word 00011 | src19:16 or (00 ZC #) | A/L |
// 00 | dst19:16 or (n-1)/Rn; address instructions 0000 ssss oooo dddd. Cycles from facts
// §2.3 Tables 4-17, 4-18, 4-19.
#include <catch2/catch.hpp>

#include "tests/cpu/core_fixture.h"

namespace ipsim::test {
namespace {

constexpr uint32_t kCode = CoreFixture::kCode;

void w20(CoreFixture& f, uint32_t a, uint32_t v) {
  f.w16(a, static_cast<uint16_t>(v));
  f.w16(a + 2, static_cast<uint16_t>((v >> 16) & 0xF));
}

TEST_CASE("MOVA forms", "[cpu][cpux][mova]") {
  CoreFixture f;
  w20(f, 0x2000, 0x12345);
  w20(f, 0x2004, 0xABCDE);
  f.core.set_reg(5, 0x2000);

  SECTION("MOVA @R5, R7 = 0000 0101 0000 0111 (0x0507): 3 cycles") {
    f.load(kCode, {0x0507});
    CHECK(f.step() == 3);
    CHECK(f.core.reg(7) == 0x12345);
    CHECK(f.core.reg(5) == 0x2000);
  }
  SECTION("MOVA @R5+, R7 = 0x0517: 3 cycles, R5 += 4") {
    f.load(kCode, {0x0517});
    CHECK(f.step() == 3);
    CHECK(f.core.reg(7) == 0x12345);
    CHECK(f.core.reg(5) == 0x2004);
  }
  SECTION("MOVA &0x12000, R7 = 0000 0001 0010 0111 (0x0127) 0x2000: 4 cycles") {
    w20(f, 0x12000, 0x54321);
    f.load(kCode, {0x0127, 0x2000});
    CHECK(f.core.inspect(kCode).length == 4);
    CHECK(f.step() == 4);
    CHECK(f.core.reg(7) == 0x54321);
  }
  SECTION("MOVA 4(R5), R7 = 0x0537 0x0004: 4 cycles") {
    f.load(kCode, {0x0537, 0x0004});
    CHECK(f.step() == 4);
    CHECK(f.core.reg(7) == 0xABCDE);
  }
  SECTION("MOVA R5, &0x12000 = 0000 0101 0110 0001 (0x0561) 0x2000: 4 cycles") {
    f.core.set_reg(5, 0x9ABCD);
    f.load(kCode, {0x0561, 0x2000});
    CHECK(f.step() == 4);
    CHECK(f.r20(0x12000) == 0x9ABCD);
    CHECK(f.r16(0x12002) == 0x0009);  // bits 31:20 of the stored pair are 0
  }
  SECTION("MOVA R5, 8(R6) = 0x0576 0x0008: 4 cycles") {
    f.core.set_reg(5, 0x9ABCD);
    f.core.set_reg(6, 0x2100);
    f.load(kCode, {0x0576, 0x0008});
    CHECK(f.step() == 4);
    CHECK(f.r20(0x2108) == 0x9ABCD);
  }
  SECTION("MOVA #0x12345, R7 = 0000 0001 1000 0111 (0x0187) 0x2345: 2 cycles") {
    f.load(kCode, {0x0187, 0x2345});
    CHECK(f.step() == 2);
    CHECK(f.core.reg(7) == 0x12345);
    CHECK(f.core.inspect(kCode).text == "mova #0x12345, r7");
  }
  SECTION("MOVA R5, R7 = 0000 0101 1100 0111 (0x05C7): 1 cycle, flags untouched") {
    f.core.set_reg(5, 0xFFFFF);
    f.core.set_reg(2, kZ);
    f.load(kCode, {0x05C7});
    CHECK(f.step() == 1);
    CHECK(f.core.reg(7) == 0xFFFFF);
    CHECK(f.core.sr() == kZ);
  }
  SECTION("BRA R5 = MOVA R5, PC (0x05C0): 3 cycles, 20-bit PC") {
    f.core.set_reg(5, 0x12344);
    f.load(kCode, {0x05C0});
    CHECK(f.step() == 3);
    CHECK(f.core.pc() == 0x12344);
  }
  SECTION("BRA #0x12344 = 0x0180 0x2344: 3 cycles") {
    f.load(kCode, {0x0180, 0x2344});
    CHECK(f.step() == 3);
    CHECK(f.core.pc() == 0x12344);
  }
}

TEST_CASE("ADDA, SUBA, CMPA: 20-bit flags", "[cpu][cpux]") {
  // clang-format off
  auto [w0, w1, len, r5, r7, result, flags, cycles] = GENERATE(table<uint16_t, uint16_t, unsigned, uint32_t, uint32_t, uint32_t, uint16_t, unsigned>({
    // ADDA #0x0FFFF, R7 = 0000 0000 1010 0111 (0x00A7) 0xFFFF
    {0x00A7, 0xFFFF, 4, 0, 0x00001, 0x10000, 0, 3},
    // ADDA R5, R7 = 0000 0101 1110 0111 (0x05E7)
    {0x05E7, 0, 2, 0xFFFFF, 0x00001, 0x00000, kZ | kC, 1},
    {0x05E7, 0, 2, 0x00001, 0x7FFFF, 0x80000, kN | kV, 1},
    // SUBA #1, R7 = 0000 0000 1011 0111 (0x00B7) 0x0001
    {0x00B7, 0x0001, 4, 0, 0x00000, 0xFFFFF, kN, 3},
    // SUBA R5, R7 = 0x05F7
    {0x05F7, 0, 2, 0x00001, 0x80000, 0x7FFFF, kC | kV, 1},
    // CMPA #0x10000, R7 = 0000 0001 1001 0111 (0x0197) 0x0000
    {0x0197, 0x0000, 4, 0, 0x10000, 0x10000, kZ | kC, 3},
    // CMPA R5, R7 = 0x05D7
    {0x05D7, 0, 2, 0x80000, 0x7FFFF, 0x7FFFF, kN | kV, 1},
  }));
  // clang-format on
  CoreFixture f;
  f.core.set_reg(5, r5);
  f.core.set_reg(7, r7);
  if (len == 4)
    f.load(kCode, {w0, w1});
  else
    f.load(kCode, {w0});
  CHECK(f.core.inspect(kCode).length == len);
  CHECK(f.step() == cycles);
  CHECK(f.core.reg(7) == result);
  CHECK((f.core.sr() & kFlagMask) == flags);
}

TEST_CASE("CALLA forms and RETA", "[cpu][cpux][calla]") {
  CoreFixture f;
  f.core.set_reg(5, 0x12340);
  w20(f, 0x2000, 0x12340);
  // clang-format off
  auto [w0, w1, len, r5, cycles] = GENERATE(table<uint16_t, uint16_t, unsigned, uint32_t, unsigned>({
    {0x1345, 0, 2, 0x12340, 5},       // CALLA R5     = 0001 0011 0100 0101
    {0x1355, 0x0004, 4, 0x1FFC, 5},   // CALLA 4(R5)  = 0001 0011 0101 0101, x = 4
    {0x1365, 0, 2, 0x2000, 6},        // CALLA @R5    = 0001 0011 0110 0101
    {0x1375, 0, 2, 0x2000, 6},        // CALLA @R5+   = 0001 0011 0111 0101
    {0x1380, 0x2000, 4, 0, 7},        // CALLA &0x02000 = 0001 0011 1000 0000, 0x2000
    // CALLA EDE = 0001 0011 1001 x19:16, x15:0: 20-bit offset 0x2000 - 0x4402 = 0xFDBFE
    {0x139F, 0xDBFE, 4, 0, 7},
    {0x13B1, 0x2340, 4, 0, 5},        // CALLA #0x12340 = 0001 0011 1011 0001, 0x2340
  }));
  // clang-format on
  f.core.set_reg(5, r5);
  if (len == 4)
    f.load(kCode, {w0, w1});
  else
    f.load(kCode, {w0});
  INFO(f.core.inspect(kCode).text);
  CHECK(f.core.inspect(kCode).length == len);
  CHECK(f.step() == cycles);
  CHECK(f.core.pc() == 0x12340);
  CHECK(f.core.reg(1) == 0x3B00 - 4);
  CHECK(f.r20(0x3AFC) == kCode + len);  // PC 15:0 at SP, PC 19:16 at SP+2
  if (w0 == 0x1375) CHECK(f.core.reg(5) == 0x2004);

  // RETA = MOVA @SP+, PC = 0x0110: 5 cycles (Table 4-19 derived).
  f.w16(0x12340, 0x0110);
  CHECK(f.core.inspect(0x12340).text == "reta");
  CHECK(f.step() == 5);
  CHECK(f.core.pc() == kCode + len);
  CHECK(f.core.reg(1) == 0x3B00);
}

TEST_CASE("CALLA and RETA across 64 KB: 20-bit return address", "[cpu][cpux]") {
  CoreFixture f;
  // Code at 0x12000: CALLA #0x4400 (0x13B0 0x4400); callee at 0x4400: RETA.
  f.load(0x12000, {0x13B0, 0x4400});
  f.w16(0x4400, 0x0110);
  f.step();
  CHECK(f.core.pc() == 0x4400);
  CHECK(f.r20(0x3AFC) == 0x12004);
  f.step();
  CHECK(f.core.pc() == 0x12004);
  // 16-bit CALL from above 64 KB pushes 16 bits and clears PC 19:16 (facts §2.1):
  // CALL #0x4400 = 0x12B0 0x4400.
  f.load(0x12010, {0x12B0, 0x4400});
  f.step();
  CHECK(f.core.pc() == 0x4400);
  CHECK(f.r16(0x3AFE) == 0x2014);
}

TEST_CASE("PUSHM and POPM, .A and .W", "[cpu][cpux]") {
  CoreFixture f;
  f.core.set_reg(8, 0x18888);
  f.core.set_reg(9, 0x29999);
  f.core.set_reg(10, 0x3AAAA);
  SECTION("PUSHM.A #3, R10 = 0001 0100 0010 1010 (0x142A); POPM.A #3, R10 = 0x1628") {
    f.load(kCode, {0x142A, 0x1628});
    CHECK(f.core.inspect(kCode).text == "pushm.a #3, r10");
    CHECK(f.step() == 2 + 2 * 3);
    CHECK(f.core.reg(1) == 0x3B00 - 12);
    CHECK(f.r20(0x3AF4) == 0x18888);  // lowest register at the lowest address
    CHECK(f.r20(0x3AF8) == 0x29999);
    CHECK(f.r20(0x3AFC) == 0x3AAAA);
    f.core.set_reg(8, 0), f.core.set_reg(9, 0), f.core.set_reg(10, 0);
    CHECK(f.core.inspect(kCode + 2).text == "popm.a #3, r10");
    CHECK(f.step() == 2 + 2 * 3);
    CHECK(f.core.reg(8) == 0x18888);
    CHECK(f.core.reg(9) == 0x29999);
    CHECK(f.core.reg(10) == 0x3AAAA);
    CHECK(f.core.reg(1) == 0x3B00);
  }
  SECTION("PUSHM.W #2, R9 = 0001 0101 0001 1001 (0x1519); POPM.W #2, R9 = 0x1718") {
    f.load(kCode, {0x1519, 0x1718});
    CHECK(f.step() == 2 + 2);
    CHECK(f.core.reg(1) == 0x3B00 - 4);
    CHECK(f.r16(0x3AFC) == 0x8888);
    CHECK(f.r16(0x3AFE) == 0x9999);
    CHECK(f.step() == 2 + 2);
    CHECK(f.core.reg(8) == 0x8888);  // .W pops clear bits 19:16
    CHECK(f.core.reg(9) == 0x9999);
  }
}

TEST_CASE("RRCM RRAM RLAM RRUM", "[cpu][cpux]") {
  // 0000 (n-1) op 010w dddd: op 00 RRCM, 01 RRAM, 10 RLAM, 11 RRUM; w=0 .A, 1 .W.
  // clang-format off
  auto [word, r7, sr_in, result, flags, cycles] = GENERATE(table<uint16_t, uint32_t, uint16_t, uint32_t, uint16_t, unsigned>({
    {0x0447, 0x00006, kC, 0x40001, kC, 2},       // RRCM.A #2, R7
    {0x0D57, 0x18000, 0,  0x0F800, kN, 4},       // RRAM.W #4, R7 (bits 19:16 cleared)
    {0x0647, 0xC0001, 0,  0x00004, kC, 2},       // RLAM.A #2, R7
    {0x0247, 0x40000, 0,  0x80000, kN, 1},       // RLAM.A #1, R7
    {0x0B57, 0x0000F, kC, 0x00001, kC, 3},       // RRUM.W #3, R7
    {0x0357, 0x00001, 0,  0x00000, kZ | kC, 1},  // RRUM.W #1, R7
  }));
  // clang-format on
  CoreFixture f;
  f.core.set_reg(7, r7);
  f.core.set_reg(2, sr_in);
  f.load(kCode, {word});
  INFO(f.core.inspect(kCode).text);
  CHECK(f.step() == cycles);
  CHECK(f.core.reg(7) == result);
  CHECK((f.core.sr() & kFlagMask) == flags);
}

TEST_CASE("MOVX/ADDX with 20-bit operands", "[cpu][cpux]") {
  CoreFixture f;
  SECTION("MOVX.A R5, &0x12346: ext 0x1801 (dst19:16 = 1), op 0x45C2, 0x2346") {
    // op: MOV, Rsrc = 5, Ad = 1, B/W = 1 (with A/L = 0: .A), As = 00, Rdst = 2 (absolute).
    f.core.set_reg(5, 0xFEDCB);
    f.load(kCode, {0x1801, 0x45C2, 0x2346});
    const auto info = f.core.inspect(kCode);
    CHECK(info.text == "movx.a r5, &0x12346");
    CHECK(info.length == 6);
    CHECK(f.step() == 7 - 2);  // Table 4-18 Rn -> mem .A = 7, footnote [3]: MOV two less
    CHECK(f.r20(0x12346) == 0xFEDCB);
    // MOVX.A &0x12346, R7: ext 0x1880 (src19:16 = 1), op 0x4257 (As = 01, Rsrc = 2), 0x2346
    f.load(kCode, {0x1880, 0x4257, 0x2346});
    CHECK(f.step() == 5);  // &EDE -> Rm .A
    CHECK(f.core.reg(7) == 0xFEDCB);
  }
  SECTION("MOVX.W #0x1234, &0x12000: ext 0x1841, op 0x40B2, 0x1234, 0x2000") {
    f.load(kCode, {0x1841, 0x40B2, 0x1234, 0x2000});
    CHECK(f.core.inspect(kCode).length == 8);
    CHECK(f.step() == 6 - 1);  // #N -> mem .W = 6, footnote [2]
    CHECK(f.r16(0x12000) == 0x1234);
  }
  SECTION("ADDX.A #0x12345, R7: ext 0x1880, op 0x5077, 0x2345") {
    f.core.set_reg(7, 0xEDCBB);
    f.load(kCode, {0x1880, 0x5077, 0x2345});
    CHECK(f.step() == 3);  // #N -> Rm .A
    CHECK(f.core.reg(7) == 0x00000);
    CHECK((f.core.sr() & kFlagMask) == (kZ | kC));
  }
  SECTION("ADDX.A 2(R5), 0x10(R6) with 20-bit indexes: ext 0x1800, op 0x55D6, 2, 0x10") {
    // op: ADD, Rsrc = 5, Ad = 1, B/W = 1, As = 01, Rdst = 6 -> 0101 0101 1101 0110.
    w20(f, 0x12002, 0x00001);
    w20(f, 0x12010, 0x7FFFF);
    f.core.set_reg(5, 0x12000);
    f.core.set_reg(6, 0x12000);
    f.load(kCode, {0x1800, 0x55D6, 0x0002, 0x0010});
    CHECK(f.step() == 10);  // X(Rn) -> mem .A
    CHECK(f.r20(0x12010) == 0x80000);
    CHECK((f.core.sr() & kFlagMask) == (kN | kV));
  }
  SECTION("SXTX.A R7: ext 0x1800 (A/L = 0, B/W = 0), op 0x1187") {
    f.core.set_reg(7, 0x00080);
    f.load(kCode, {0x1800, 0x1187});
    CHECK(f.step() == 2);  // RRAX/RRCX row: 1 + n
    CHECK(f.core.reg(7) == 0xFFF80);
  }
  SECTION("PUSHX.A R7: ext 0x1800, op 0x1247; POPX.A R7 = MOVX.A @SP+, R7: 0x1800 0x4177") {
    f.core.set_reg(7, 0x12345);
    f.load(kCode, {0x1800, 0x1247, 0x1800, 0x4177});
    CHECK(f.step() == 5);
    CHECK(f.core.reg(1) == 0x3AFC);
    CHECK(f.r20(0x3AFC) == 0x12345);
    f.core.set_reg(7, 0);
    CHECK(f.step() == 4);  // @Rn+ -> Rm .A
    CHECK(f.core.reg(7) == 0x12345);
    CHECK(f.core.reg(1) == 0x3B00);
  }
  SECTION("MOVX.B and MOVX.W register destinations clear upper bits") {
    // MOVX.W R5, R7 = ext 0x1840 (A/L = 1), op 0x4507.
    f.core.set_reg(5, 0xABCDE);
    f.core.set_reg(7, 0xFFFFF);
    f.load(kCode, {0x1840, 0x4507, 0x1840, 0x4547});
    CHECK(f.step() == 2);
    CHECK(f.core.reg(7) == 0xBCDE);
    // MOVX.B R5, R7 = ext 0x1840, op 0x4547.
    CHECK(f.step() == 2);
    CHECK(f.core.reg(7) == 0xDE);
  }
}

TEST_CASE("Repeat counts and ZC", "[cpu][cpux][repeat]") {
  CoreFixture f;
  SECTION("RPT #4 RRAX.W R7: ext 0x1843 (A/L = 1, n-1 = 3), op 0x1107") {
    f.core.set_reg(7, 0x8000);
    f.load(kCode, {0x1843, 0x1107});
    CHECK(f.core.inspect(kCode).text == "rpt #4 { rrax.w r7 }");
    CHECK(f.step() == 1 + 4);
    CHECK(f.core.reg(7) == 0xF800);
  }
  SECTION("RPT R8 RLAX.A R7 = ADDX.A R7, R7 with # = 1: ext 0x1888, op 0x5747") {
    f.core.set_reg(7, 0x00001);
    f.core.set_reg(8, 0xFFF2);  // count = R8[3:0] + 1 = 3
    f.load(kCode, {0x1888, 0x5747});
    CHECK(f.step() == 3 + 1);
    CHECK(f.core.reg(7) == 0x00008);
  }
  SECTION("RPT #3 ADDX.W R5, R7: ext 0x1842, op 0x5507") {
    f.core.set_reg(5, 2);
    f.core.set_reg(7, 1);
    f.load(kCode, {0x1842, 0x5507});
    CHECK(f.core.inspect(kCode).cycles == 3 + 1);
    CHECK(f.step() == 3 + 1);
    CHECK(f.core.reg(7) == 7);
  }
  SECTION("RRUX.W R7 = RRCX.W with ZC: ext 0x1940, op 0x1007") {
    f.core.set_reg(7, 0x8000);
    f.core.set_reg(2, kC);
    f.load(kCode, {0x1940, 0x1007});
    CHECK(f.step() == 2);
    CHECK(f.core.reg(7) == 0x4000);
    CHECK((f.core.sr() & kFlagMask) == 0);
  }
  SECTION("ADDCX.W R5, R7 with ZC ignores the carry: ext 0x1940, op 0x6507") {
    f.core.set_reg(5, 1);
    f.core.set_reg(7, 1);
    f.core.set_reg(2, kC);
    f.load(kCode, {0x1940, 0x6507});
    f.step();
    CHECK(f.core.reg(7) == 2);
  }
}

TEST_CASE("20-bit PC above 64 KB", "[cpu][cpux]") {
  CoreFixture f;
  // At 0x1FFFC: mov #5, r7 (0x4037 0x0005) crosses into 0x20000: jmp $+0 style loop.
  f.load(0x1FFFC, {0x4037, 0x0005, 0x4317});  // then mov #1, r7 at 0x20000
  f.step();
  CHECK(f.core.reg(7) == 5);
  CHECK(f.core.pc() == 0x20000);
  f.step();
  CHECK(f.core.reg(7) == 1);
  // Jumps above 64 KB: jmp $-4 at 0x20002 (offset -3 words) -> 0x1FFFE.
  f.w16(0x20002, 0x3FFD);
  f.step();
  CHECK(f.core.pc() == 0x1FFFE);
  // Symbolic in a 16-bit instruction above 64 KB: mov 0x10(PC)... = 0x4017 x; index word at
  // 0x30002, address = 0x30002 + sext(0xFFF0) = 0x2FFF2 (20-bit, facts §2.2 / SLAU445 4.4).
  f.w16(0x2FFF2, 0x7777);
  f.load(0x30000, {0x4017, 0xFFF0});
  f.step();
  CHECK(f.core.reg(7) == 0x7777);
  // 16-bit BR to PC clears PC 19:16: mov #0x4400, pc (0x4030 0x4400).
  f.load(0x30000, {0x4030, 0x4400});
  f.step();
  CHECK(f.core.pc() == 0x4400);
}

}  // namespace
}  // namespace ipsim::test
