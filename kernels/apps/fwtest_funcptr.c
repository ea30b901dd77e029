// Tests-as-firmware: indirect calls: a table of operations, a comparator passed to an
// insertion sort, callbacks stored in a struct, and a function that returns a function.

#include <stdint.h>

#include "kernels/apps/fwtest.h"

__attribute__((used)) volatile uint32_t fw_result[6];

typedef int16_t (*BinOp)(int16_t, int16_t);
static int16_t op_add(int16_t a, int16_t b) {
  return (int16_t)(a + b);
}
static int16_t op_sub(int16_t a, int16_t b) {
  return (int16_t)(a - b);
}
static int16_t op_xor(int16_t a, int16_t b) {
  return a ^ b;
}
static int16_t op_max(int16_t a, int16_t b) {
  return a > b ? a : b;
}
static int16_t op_shl(int16_t a, int16_t b) {
  return (int16_t)((uint16_t)a << (b & 7));
}
static const BinOp ops[] = {op_add, op_sub, op_xor, op_max, op_shl};

typedef int (*Cmp)(const int16_t*, const int16_t*);
static int cmp_up(const int16_t* a, const int16_t* b) {
  return (*a > *b) - (*a < *b);
}
static int cmp_down(const int16_t* a, const int16_t* b) {
  return cmp_up(b, a);
}

static void sort(int16_t* v, int n, Cmp cmp) {
  for (int i = 1; i < n; ++i) {
    int16_t x = v[i];
    int j = i - 1;
    while (j >= 0 && cmp(&v[j], &x) > 0) {
      v[j + 1] = v[j];
      --j;
    }
    v[j + 1] = x;
  }
}

struct Layer {
  int16_t (*act)(int16_t);
  uint16_t scale;
};
static int16_t relu(int16_t x) {
  return x < 0 ? 0 : x;
}
static int16_t clamp8(int16_t x) {
  return x > 127 ? 127 : (x < -128 ? -128 : x);
}
static int16_t ident(int16_t x) {
  return x;
}

typedef int16_t (*Act)(int16_t);
static Act pick(uint16_t k) {
  return k == 0 ? relu : (k == 1 ? clamp8 : ident);
}

static volatile int16_t vals[12] = {5, -3, 1000, -32768, 32767, 0, 42, -42, 7, 7, -1, 300};
static volatile uint16_t sel = 1;

int main(void) {
  uint32_t h[6] = {0};
  for (int i = 0; i < 12; ++i)
    for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; ++k)
      h[0] = fw_mix(h[0], (uint16_t)ops[k](vals[i], vals[(i + k) % 12]));

  int16_t v[12];
  for (int i = 0; i < 12; ++i) v[i] = vals[i];
  sort(v, 12, cmp_up);
  for (int i = 0; i < 12; ++i) h[1] = fw_mix(h[1], (uint16_t)v[i]);
  sort(v, 12, cmp_down);
  for (int i = 0; i < 12; ++i) h[2] = fw_mix(h[2], (uint16_t)v[i]);

  struct Layer layers[3] = {{relu, 1}, {clamp8, 2}, {ident, 3}};
  for (int l = 0; l < 3; ++l)
    for (int i = 0; i < 12; ++i)
      h[3] = fw_mix(h[3], (uint16_t)(layers[l].act(vals[i]) + layers[l].scale));

  Act a = pick(sel);
  h[4] = (uint16_t)a(vals[2]) | (uint32_t)(uint16_t)pick(0)(vals[1]) << 16;
  h[5] = (uint16_t)ops[sel + 3](vals[0], 3);
  for (int i = 0; i < 6; ++i) fw_result[i] = h[i];
  return fwtest_finish(fw_result, sizeof fw_result);
}
