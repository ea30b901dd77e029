// Disassembly of a DecodedInsn in TI syntax, lower case ("mov.w @r4+, 2(r5)"). Jumps print
// as "$+n" relative to the instruction, as llvm-objdump does. Not on the hot path.
#include <cstdio>
#include <string>

#include "models/cpu/decoded_insn.h"

namespace ipsim::cpu {

namespace {

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

std::string signed_num(int32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%d", v);
  return buf;
}

std::string reg(unsigned n) {
  return "r" + std::to_string(n);
}

// Index as written: 16-bit sign-extended, or 20-bit two's complement in X forms.
int32_t index_value(uint32_t x, uint8_t mode) {
  if (mode == kModeIdx20) {
    x &= 0xFFFFF;
    return (x & 0x80000) ? static_cast<int32_t>(x) - 0x100000 : static_cast<int32_t>(x);
  }
  return static_cast<int32_t>(x);
}

std::string operand(uint8_t syn, uint8_t mode, uint8_t r, uint32_t x, unsigned width) {
  switch (syn) {
    case kSynReg:
      return reg(r);
    case kSynInd:
      return "@" + reg(r);
    case kSynInc:
      return "@" + reg(r) + "+";
    case kSynCg: {
      const uint32_t m = kWidthMask[width];
      return (x == m && x != 0) ? "#-1" : "#" + std::to_string(x);
    }
    case kSynImm:
      return x < 10 ? "#" + std::to_string(x) : "#" + hex(x);
    case kSynIdx:
      return signed_num(index_value(x, mode)) + "(" + reg(r) + ")";
    case kSynSym:
      return hex(x);
    default:
      return "&" + hex(x);
  }
}

const char* const kF1Names[16] = {"",    "",    "",     "",    "mov", "add", "addc", "subc",
                                  "sub", "cmp", "dadd", "bit", "bic", "bis", "xor",  "and"};
const char* const kF2Names[6] = {"rrc", "swpb", "rra", "sxt", "push", "call"};
const char* const kJumpNames[8] = {"jne", "jeq", "jnc", "jc", "jn", "jge", "jl", "jmp"};
const char* const kShiftNames[4] = {"rrcm", "rram", "rlam", "rrum"};
const char* const kSuffix[3] = {".b", ".w", ".a"};

}  // namespace

std::string disassemble(const DecodedInsn& d, uint32_t addr) {
  const bool ext = d.flags & kFlagExt;
  std::string prefix;
  if (ext) {
    if (d.flags & kFlagRepReg)
      prefix = "rpt " + reg(d.rep) + " { ";
    else if (d.repeat > 1)
      prefix = "rpt #" + std::to_string(d.repeat) + " { ";
    if (d.flags & kFlagZc) prefix += "zc ";
  }
  std::string close = prefix.empty() || prefix == "zc " ? "" : " }";
  std::string text;
  switch (d.kind) {
    case kKindIllegal: {
      char buf[32];
      std::snprintf(buf, sizeof buf, ".word 0x%04x", d.src_x);
      return buf;
    }
    case kKindJump: {
      const int32_t rel = static_cast<int32_t>(((d.dst_x - addr) & 0xFFFFF) << 12) >> 12;
      text = std::string(kJumpNames[d.op]) + " $" + (rel >= 0 ? "+" : "") + std::to_string(rel);
      return text;
    }
    case kKindReti:
      return "reti";
    case kKindShiftM:
      return std::string(kShiftNames[d.op]) + kSuffix[d.width] + " #" + std::to_string(d.repeat) +
             ", " + reg(d.dst_reg);
    case kKindPushM:
      return std::string("pushm") + kSuffix[d.width] + " #" + std::to_string(d.repeat) + ", " +
             reg(d.dst_reg);
    case kKindPopM:
      return std::string("popm") + kSuffix[d.width] + " #" + std::to_string(d.repeat) + ", " +
             reg((d.dst_reg + d.repeat - 1) & 15);
    case kKindFormat2: {
      const std::string src = operand(d.src_syn, d.src_mode, d.src_reg, d.src_x, d.width);
      if (d.flags & kFlagAddrInsn) return "calla " + src;
      std::string name = kF2Names[d.op];
      if (ext) name += "x";
      if (!(d.op == kCall || ((d.op == kSwpb || d.op == kSxt) && !ext)))
        name += kSuffix[d.width];
      else if (ext)
        name += kSuffix[d.width];
      return prefix + name + " " + src + close;
    }
    default: {  // Format I and address instructions
      const std::string src = operand(d.src_syn, d.src_mode, d.src_reg, d.src_x, d.width);
      const std::string dst = operand(d.dst_syn, d.dst_mode, d.dst_reg, d.dst_x, d.width);
      if (d.flags & kFlagAddrInsn) {
        if (d.op == kMov && d.src_syn == kSynInc && d.src_reg == 1 && d.dst_mode == kModeReg &&
            d.dst_reg == 0)
          return "reta";
        return std::string(kF1Names[d.op]) + "a " + src + ", " + dst;
      }
      std::string name = kF1Names[d.op];
      if (ext) name += "x";
      name += kSuffix[d.width];
      return prefix + name + " " + src + ", " + dst + close;
    }
  }
}

}  // namespace ipsim::cpu
