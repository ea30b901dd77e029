#pragma once
// CPUX cycle tables, transcribed from facts §2.3 (UG445 Tables 4-8, 4-9, 4-10, 4-17, 4-18,
// 4-19), zero FRAM wait states. Rows are the operand syntax (Syntax order: Rn, @Rn, @Rn+,
// #N, X(Rn), EDE, &EDE); constant-generator operands cost like Rn (facts §2.1). Footnotes
// are applied in the functions below and nowhere else.
#include <cstdint>

#include "models/cpu/decoded_insn.h"

namespace ipsim::cpu {

// Table 4-8.
inline constexpr unsigned kRetiCycles = 5;
inline constexpr unsigned kInterruptCycles = 6;
// facts §2.3: every Jxx, taken or not.
inline constexpr unsigned kJumpCycles = 2;

// Table 4-10, MSP430 Format I. Columns: Rm, PC, memory (X(Rm)/EDE/&EDE).
inline constexpr uint8_t kFormat1[7][3] = {
    {1, 3, 4},  // Rn
    {2, 4, 5},  // @Rn
    {2, 4, 5},  // @Rn+
    {2, 3, 5},  // #N
    {3, 5, 6},  // X(Rn)
    {3, 5, 6},  // EDE
    {3, 5, 6},  // &EDE
};

// Table 4-9, MSP430 Format II. Columns: RRA/RRC/SWPB/SXT, PUSH, CALL (0 = n/a).
inline constexpr uint8_t kFormat2[7][3] = {
    {1, 3, 4},  // Rn
    {3, 3, 4},  // @Rn
    {3, 3, 4},  // @Rn+
    {0, 3, 4},  // #N
    {4, 4, 5},  // X(Rn)
    {4, 4, 5},  // EDE
    {4, 4, 6},  // &EDE
};

// Table 4-18, MSP430X Format I. Columns: Rm .B/.W, Rm .A, PC .B/.W, PC .A, mem .B/.W, mem .A.
inline constexpr uint8_t kXFormat1[7][6] = {
    {2, 2, 4, 4, 5, 7},   // Rn
    {3, 4, 5, 6, 6, 9},   // @Rn
    {3, 4, 5, 6, 6, 9},   // @Rn+
    {3, 3, 4, 4, 6, 8},   // #N
    {4, 5, 6, 7, 7, 10},  // X(Rn)
    {4, 5, 6, 7, 7, 10},  // EDE
    {4, 5, 6, 7, 7, 10},  // &EDE
};

// Table 4-17, MSP430X Format II. Columns Rn, @Rn, @Rn+, #N, X(Rn), EDE, &EDE (0 = n/a).
// Rows: RRAX/RRCX(.B/.W), RRAX/RRCX.A, PUSHX(.B/.W), PUSHX.A, CALLA. The Rn entry of the
// shift rows is 1 + n (n = repeat count): the 1 is stored here, n added by the footnote.
inline constexpr uint8_t kXFormat2[5][7] = {
    {1, 4, 4, 0, 5, 5, 5}, {1, 6, 6, 0, 7, 7, 7}, {4, 4, 4, 4, 5, 5, 5},
    {5, 6, 6, 5, 7, 7, 7}, {5, 6, 6, 5, 5, 7, 7},
};

// Table 4-19, address instructions. MOVA columns: Rm, PC, memory (0 = n/a).
inline constexpr uint8_t kMova[7][3] = {
    {1, 3, 4},  // Rn
    {3, 5, 0},  // @Rn
    {3, 5, 0},  // @Rn+
    {2, 3, 0},  // #N
    {4, 6, 0},  // X(Rn)
    {4, 6, 0},  // EDE
    {4, 6, 0},  // &EDE
};
// CMPA/ADDA/SUBA: rows Rn, #N; columns Rm, PC.
inline constexpr uint8_t kAdda[2][2] = {{1, 3}, {3, 3}};

enum DstCol : uint8_t { kColRm = 0, kColPc = 1, kColMem = 2 };

inline constexpr unsigned row_of(uint8_t syn) {
  return syn == kSynCg ? 0u : syn;
}

inline constexpr bool is_mov_bit_cmp(unsigned op) {
  return op == kMov || op == kBit || op == kCmp;
}

// Format I (16-bit and X forms) and the address instructions.
inline constexpr unsigned format1_cycles(bool ext, bool addr_insn, uint8_t src_syn, DstCol col,
                                         unsigned width, unsigned op, unsigned repeat) {
  const unsigned row = row_of(src_syn);
  if (addr_insn) {
    if (op == kMov) return kMova[row][col];
    return kAdda[row == 0 ? 0 : 1][col == kColPc ? 1 : 0];
  }
  if (!ext) {
    unsigned c = kFormat1[row][col];
    if (col == kColMem && is_mov_bit_cmp(op)) c -= 1;  // Table 4-10 footnote [1]
    return c;
  }
  const bool a = width == kAddr;
  unsigned c = kXFormat1[row][col * 2 + (a ? 1 : 0)];
  if (col == kColRm && row == 0 && repeat > 1) c = repeat + 1;  // Table 4-18 [1]
  if (col == kColMem && is_mov_bit_cmp(op)) c -= a ? 2 : 1;     // [2], [3]
  if (col == kColPc && (row == 3 || row >= 4) && (op == kMov || op == kAdd || op == kSub))
    c -= 1;  // [4]
  return c;
}

// Format II (16-bit and X forms) and CALLA. reg is the operand register (Table 4-17 [1]).
inline constexpr unsigned format2_cycles(bool ext, bool calla, uint8_t syn, unsigned width,
                                         unsigned op, unsigned reg, unsigned repeat) {
  const unsigned row = row_of(syn);
  if (calla) return kXFormat2[4][row] + ((row == 4 && reg == 1) ? 1 : 0);
  if (!ext) return kFormat2[row][op == kPush ? 1 : op == kCall ? 2 : 0];
  const bool a = width == kAddr;
  if (op == kPush) return kXFormat2[a ? 3 : 2][row] + ((row == 4 && reg == 1) ? 1 : 0);
  unsigned c = kXFormat2[a ? 1 : 0][row];
  if (row == 0) c += repeat;  // "1 + n"
  return c;
}

// Table 4-17: RRxM n; PUSHM/POPM 2 + n (.W) or 2 + 2n (.A).
inline constexpr unsigned shiftm_cycles(unsigned n) {
  return n;
}
inline constexpr unsigned pushpopm_cycles(bool a, unsigned n) {
  return 2 + (a ? 2 * n : n);
}

}  // namespace ipsim::cpu
