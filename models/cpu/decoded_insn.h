#pragma once
// DecodedInsn: one MSP430/MSP430X instruction decoded once and cached by address. The same
// record drives execution (handler + operand fields), cycle accounting (base cycles from
// cycle_table.h) and disassembly (disasm.cpp). Internal to models/cpu.
#include <cstdint>
#include <string>

namespace ipsim::cpu {

struct Engine;
struct DecodedInsn;
// Executes the instruction; next = the address after it (already in R0). Returns the new PC:
// next, a jump target, or R0 for handlers that may write it (the run loop keeps the PC in a
// register, so the common handlers never make it reload R0 from memory).
using Handler = uint32_t (*)(Engine&, const DecodedInsn&, uint32_t next);

// Operand width: .B, .W, or .A (20-bit, MSP430X only).
enum Width : uint8_t { kByte = 0, kWord = 1, kAddr = 2 };
inline constexpr uint32_t kWidthMask[3] = {0xFFu, 0xFFFFu, 0xFFFFFu};
inline constexpr uint32_t kWidthMsb[3] = {0x80u, 0x8000u, 0x80000u};

// Execution addressing modes. Symbolic operands are resolved to kAbs at decode time (the PC
// is known); constant-generator and immediate operands become kImm with the value in x.
enum Mode : uint8_t {
  kModeReg,    // Rn
  kModeImm,    // #N or constant generator: value in x
  kModeIdx16,  // X(Rn) of a 16-bit instruction: 64 KB wrap when Rn <= 0xFFFF (facts §2.2)
  kModeIdx20,  // X(Rn) of an MSP430X instruction: 20-bit index, 20-bit wrap
  kModeAbs,    // &ADDR, or symbolic resolved at decode
  kModeInd,    // @Rn
  kModeInc,    // @Rn+
};

// What the assembler wrote; for disassembly and the cycle tables.
enum Syntax : uint8_t {
  kSynReg,
  kSynInd,
  kSynInc,
  kSynImm,  // #N in an extension word
  kSynIdx,
  kSynSym,
  kSynAbs,
  kSynCg,  // constant generator (#0 #1 #2 #4 #8 #-1): costs like a register
};

enum Kind : uint8_t {
  kKindIllegal,
  kKindFormat1,  // MOV..AND, MOVX.., and the address instructions MOVA/CMPA/ADDA/SUBA
  kKindFormat2,  // RRC SWPB RRA SXT PUSH CALL (and X forms, CALLA)
  kKindReti,
  kKindJump,
  kKindShiftM,  // RRCM RRAM RLAM RRUM
  kKindPushM,
  kKindPopM,
};

enum InsnFlags : uint8_t {
  kFlagExt = 1,       // preceded by an extension word (MSP430X form, "x" mnemonic)
  kFlagZc = 2,        // extension word ZC: carry input is 0
  kFlagRepReg = 4,    // repeat count comes from register rep (low 4 bits + 1)
  kFlagAddrInsn = 8,  // MOVA/CMPA/ADDA/SUBA/CALLA (no extension word, always .A)
  // Fetch accounting, set at decode from the page kinds:
  kFlagFetchFram = 16,   // every word on FRAM: NVM fetch counts batched in execs
  kFlagFetchMixed = 32,  // some words on FRAM: counted word by word
  kFlagTwoLines = 64,    // the words span two FRAM-cache lines
  kFlagCrossPage = 128,  // the words cross a 256-byte page: validated word by word
};

// Format I opcodes are the top nibble (4 MOV .. 15 AND); Format II opcodes bits 9:7.
enum Format1Op : uint8_t {
  kMov = 4,
  kAdd,
  kAddc,
  kSubc,
  kSub,
  kCmp,
  kDadd,
  kBit,
  kBic,
  kBis,
  kXor,
  kAnd
};
enum Format2Op : uint8_t { kRrc = 0, kSwpb, kRra, kSxt, kPush, kCall };

// 48 bytes; the hot fields (fn, raw, execs, len, cycles, flags) come first.
struct DecodedInsn {
  Handler fn = nullptr;
  uint64_t raw = 0;    // the instruction's bytes (little endian), len bytes valid
  uint64_t execs = 0;  // kFlagFetchFram: executions not yet folded into the NVM counters
  uint32_t src_x = 0;  // immediate value, index, or absolute address; illegal: opcode
  uint32_t dst_x = 0;  // index or absolute address; jump: target address
  uint8_t len = 0;     // bytes, 2..8; 0 = empty cache slot
  uint8_t cycles = 0;  // base cycles, CPUX tables with footnotes, zero wait states
  uint8_t kind = kKindIllegal;
  uint8_t op = 0;  // Format1Op, Format2Op, jump condition, shift op, or register count
  uint8_t width = kWord;
  uint8_t src_mode = kModeReg, dst_mode = kModeReg;
  uint8_t src_reg = 0, dst_reg = 0;
  uint8_t src_syn = kSynReg, dst_syn = kSynReg;
  uint8_t src_inc = 0;  // @Rn+ increment: 1 (.B), 2 (.W, or .B on SP), 4 (.A)
  uint8_t repeat = 1;   // repeat count when immediate (register mode extension word)
  uint8_t rep = 0;      // repeat-count register when kFlagRepReg
  uint8_t flags = 0;
  uint8_t vshift = 0;  // 64 - 8 * len: validation compares (raw ^ memory) << vshift
};

// Disassembly in TI syntax ("mov.w @r4+, 2(r5)"); addr is the instruction's address.
std::string disassemble(const DecodedInsn& d, uint32_t addr);

}  // namespace ipsim::cpu
