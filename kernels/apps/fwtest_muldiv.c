// Tests-as-firmware: 16/32/64-bit multiply, divide and remainder, signed and unsigned,
// plus widening multiplies. Operands live in volatile arrays so nothing is constant-folded:
// every operation goes through the __mspabi_* helpers. Division by zero and INT_MIN / -1
// are undefined in C and left to the host unit tests (tests/runtime/).

#include <stdint.h>

#include "kernels/apps/fwtest.h"

#define NOPS 16

__attribute__((used)) volatile uint32_t fw_result[24];

static volatile uint16_t a16[NOPS] = {0,    1,     2,      3,      7,      100,    255,    256,
                                      1000, 12345, 0x7FFF, 0x8000, 0x8001, 0xFFFE, 0xFFFF, 0xA5A5};
static volatile uint16_t b16[NOPS] = {1,      3,      0xFFFF, 2, 7,     0x7FFF, 16,     255,
                                      0xFFF0, 0x8000, 1,      3, 0x100, 5,      0xFFFF, 0x0101};
static volatile uint32_t a32[NOPS] = {0,           1,           2,           0x7FFFFFFF,
                                      0x80000000u, 0x80000001u, 0xFFFFFFFFu, 0xFFFFFFFEu,
                                      123456789,   0x12345678,  0xDEADBEEFu, 65536,
                                      65535,       1000000,     0x00010001,  0xCAFEF00Du};
static volatile uint32_t b32[NOPS] = {1,           7,  0xFFFFFFFFu, 2,      3,     0x10000,     1,
                                      0xFFFFFFFFu, 10, 0x87654321u, 0x1234, 65536, 0xFFFF0000u, 999,
                                      0x00010001,  0x7};
static volatile uint64_t a64[NOPS] = {0,
                                      1,
                                      2,
                                      0x7FFFFFFFFFFFFFFFull,
                                      0x8000000000000001ull,
                                      0xFFFFFFFFFFFFFFFFull,
                                      0xFFFFFFFFFFFFFFFEull,
                                      1000000000000ull,
                                      0x123456789ABCDEF0ull,
                                      0xDEADBEEFCAFEF00Dull,
                                      0x100000000ull,
                                      0xFFFFFFFFull,
                                      12345678901234567ull,
                                      0x8000000000000000ull,
                                      0x0000000100000001ull,
                                      42};
static volatile uint64_t b64[NOPS] = {1,
                                      3,
                                      0xFFFFFFFFFFFFFFFFull,
                                      2,
                                      0x100000000ull,
                                      1,
                                      0xFFFFFFFFFFFFFFFFull,
                                      1000000,
                                      0xFEDCBA9876543210ull,
                                      0x00000000DEADBEEFull,
                                      0x100000000ull,
                                      0xFFFFFFFFull,
                                      987654321ull,
                                      3,
                                      0x0000000100000001ull,
                                      0x7FFFFFFFFFFFFFFFull};

int main(void) {
  uint32_t h[24] = {0};
  for (int i = 0; i < NOPS; ++i) {
    uint16_t ua = a16[i], ub = b16[i];
    int16_t sa = (int16_t)ua, sb = (int16_t)ub;
    h[0] = fw_mix(h[0], (uint16_t)(ua * ub));
    h[1] = fw_mix(h[1], (uint32_t)((int32_t)sa * sb));  // widening signed
    h[2] = fw_mix(h[2], (uint32_t)ua * ub);             // widening unsigned
    h[3] = fw_mix(h[3], (uint16_t)(ua / ub));
    h[4] = fw_mix(h[4], (uint16_t)(ua % ub));
    if (!(sa == INT16_MIN && sb == -1)) {
      h[5] = fw_mix(h[5], (uint16_t)(int16_t)(sa / sb));
      h[6] = fw_mix(h[6], (uint16_t)(int16_t)(sa % sb));
    }

    uint32_t la = a32[i], lb = b32[i];
    int32_t sla = (int32_t)la, slb = (int32_t)lb;
    h[7] = fw_mix(h[7], la * lb);
    h[8] = fw_mix64(h[8], (uint64_t)((int64_t)sla * slb));
    h[9] = fw_mix64(h[9], (uint64_t)la * lb);
    h[10] = fw_mix(h[10], la / lb);
    h[11] = fw_mix(h[11], la % lb);
    if (!(sla == INT32_MIN && slb == -1)) {
      h[12] = fw_mix(h[12], (uint32_t)(sla / slb));
      h[13] = fw_mix(h[13], (uint32_t)(sla % slb));
    }

    uint64_t qa = a64[i], qb = b64[i];
    int64_t sqa = (int64_t)qa, sqb = (int64_t)qb;
    h[14] = fw_mix64(h[14], qa * qb);
    h[15] = fw_mix64(h[15], qa / qb);
    h[16] = fw_mix64(h[16], qa % qb);
    if (!(sqa == INT64_MIN && sqb == -1)) {
      h[17] = fw_mix64(h[17], (uint64_t)(sqa / sqb));
      h[18] = fw_mix64(h[18], (uint64_t)(sqa % sqb));
    }
    // mixed: a Q15 multiply-accumulate as DNN kernels do it
    h[19] = fw_mix(h[19], (uint32_t)(((int32_t)sa * sb) >> 15));
  }
  // a few raw values, easy to read in a failing dump
  h[20] = (uint32_t)a32[9] * b32[9];
  h[21] = a32[8] / b32[8];
  h[22] = (uint32_t)((int32_t)a32[6] / (int32_t)b32[1]);
  h[23] = (uint32_t)(a64[8] / b64[7]);
  for (int i = 0; i < 24; ++i) fw_result[i] = h[i];
  return fwtest_finish(fw_result, sizeof fw_result);
}
