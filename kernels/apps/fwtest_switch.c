// Tests-as-firmware: switch statements. The dense switch compiles to a jump table
// (indirect branch through a table in .rodata), the sparse one to a compare tree; a
// byte-valued switch and a fall-through chain complete the set.

#include <stdint.h>

#include "kernels/apps/fwtest.h"

__attribute__((used)) volatile uint32_t fw_result[6];

static volatile int16_t inputs[24] = {0,  1,  2,  3,  4,  5,  6,   7,    8,     9,      10, 11,
                                      12, 13, 14, 15, 16, -1, 100, 1000, 32767, -32768, 42, 7};

// Each case computes something different from x, so clang needs a jump table (an indirect
// branch through .rodata), not just a table of constants.
__attribute__((noinline)) static uint16_t dense(int16_t k, uint16_t x) {
  switch (k) {
    case 0:
      return (uint16_t)(x + 0x1111);
    case 1:
      return x ^ 0x2345;
    case 2:
      return (uint16_t)(x << 3);
    case 3:
      return (uint16_t)(x >> 2) | 0x8000;
    case 4:
      return (uint16_t)~x;
    case 5:
      return (uint16_t)(x - 1000);
    case 6:
      return x & 0x0FF0;
    case 7:
      return (uint16_t)((x << 8) | (x >> 8));
    case 8:
      return (uint16_t)(x + x + x);
    case 9:
      return x | 0x5555;
    case 10:
      return (uint16_t)(0 - x);
    case 11:
      return (uint16_t)(x >> 5);
    case 12:
      return (uint16_t)((int16_t)x >> 5);
    case 13:
      return (uint16_t)(x ^ (x >> 1));
    case 14:
      return x ? (uint16_t)(x & (x - 1)) : 0xCAFE;
    case 15:
      return (uint16_t)(x + 7) & 0xFFF8;
    default:
      return 0xD00D;
  }
}

__attribute__((noinline)) static uint32_t sparse(int16_t k) {
  switch (k) {
    case -32768:
      return 1;
    case -1:
      return 2;
    case 7:
      return 3;
    case 42:
      return 4;
    case 100:
      return 5;
    case 1000:
      return 6;
    case 32767:
      return 7;
    default:
      return 0x10000u + (uint16_t)k;
  }
}

__attribute__((noinline)) static uint16_t fallthrough(uint8_t k) {
  uint16_t r = 0;
  switch (k & 7) {
    case 7:
      r += 1; /* fall through */
    case 6:
      r += 2; /* fall through */
    case 5:
      r += 4; /* fall through */
    case 4:
      r += 8; /* fall through */
    case 3:
      r += 16; /* fall through */
    case 2:
      r += 32; /* fall through */
    case 1:
      r += 64;
      break;
    default:
      r = 0xFFFF;
  }
  return r;
}

__attribute__((noinline)) static char classify(char c) {
  switch (c) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
      return 'V';
    case ' ':
      return '_';
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      return 'D';
    default:
      return 'C';
  }
}

static volatile char text[] = "sensor node 5994 runs dnn inference";

int main(void) {
  uint32_t h[6] = {0};
  for (int i = 0; i < 24; ++i) {
    int16_t k = inputs[i];
    h[0] = fw_mix(h[0], dense(k, (uint16_t)(0x9E37 + i * 0x0101)));
    h[1] = fw_mix(h[1], sparse(k));
    h[2] = fw_mix(h[2], fallthrough((uint8_t)k));
  }
  for (int i = 0; text[i]; ++i) h[3] = fw_mix(h[3], (uint8_t)classify(text[i]));
  h[4] = dense(inputs[3], 0x1234) | (uint32_t)dense(inputs[14], 0) << 16;
  h[5] = sparse(inputs[19]);
  for (int i = 0; i < 6; ++i) fw_result[i] = h[i];
  return fwtest_finish(fw_result, sizeof fw_result);
}
