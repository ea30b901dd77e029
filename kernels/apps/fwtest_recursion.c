// Tests-as-firmware: recursion and deep call chains (stack use, callee-saved registers):
// naive Fibonacci, Ackermann, mutual recursion, divide-and-conquer sum, Towers of Hanoi.

#include <stdint.h>

#include "kernels/apps/fwtest.h"

__attribute__((used)) volatile uint32_t fw_result[8];

static volatile uint16_t in_fib = 20, in_ack_m = 2, in_ack_n = 3, in_ack3 = 3, in_hanoi = 10;
static volatile uint16_t in_parity = 301;
static int16_t data[64];

__attribute__((noinline)) static uint16_t fib(uint16_t n) {
  return n < 2 ? n : (uint16_t)(fib(n - 1) + fib(n - 2));
}

__attribute__((noinline)) static uint16_t ack(uint16_t m, uint16_t n) {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

__attribute__((noinline)) static int is_odd(uint16_t n);
__attribute__((noinline)) static int is_even(uint16_t n) {
  return n == 0 ? 1 : is_odd(n - 1);
}
__attribute__((noinline)) static int is_odd(uint16_t n) {
  return n == 0 ? 0 : is_even(n - 1);
}

// Keeps many values live across the recursive calls to exercise R4-R10 saving.
__attribute__((noinline)) static int32_t tree_sum(const int16_t* p, uint16_t n, int32_t bias) {
  if (n == 1) return p[0] + bias;
  uint16_t half = n >> 1;
  int32_t left = tree_sum(p, half, bias ^ 1);
  int32_t right = tree_sum(p + half, (uint16_t)(n - half), bias ^ 2);
  return left - (right >> 1) + (int32_t)half;
}

static uint32_t hanoi_moves;
__attribute__((noinline)) static void hanoi(uint16_t n, uint8_t from, uint8_t to, uint8_t via) {
  if (n == 0) return;
  hanoi(n - 1, from, via, to);
  hanoi_moves = fw_mix(hanoi_moves, (uint32_t)(from << 4 | to));
  hanoi(n - 1, via, to, from);
}

int main(void) {
  for (int i = 0; i < 64; ++i) data[i] = (int16_t)((i << 9) ^ (i * 37) ^ 0x5555);
  fw_result[0] = fib(in_fib);
  fw_result[1] = ack(in_ack_m, in_ack_n);
  fw_result[2] = ack(in_ack3, in_ack3);
  fw_result[3] = (uint32_t)is_even(in_parity) | (uint32_t)is_odd(in_parity) << 1;
  fw_result[4] = (uint32_t)tree_sum(data, 64, 7);
  hanoi(in_hanoi, 1, 3, 2);
  fw_result[5] = hanoi_moves;
  fw_result[6] = fib(in_fib / 2) + ack(1, in_fib);
  fw_result[7] = 0x600DF00Du;
  return fwtest_finish(fw_result, sizeof fw_result);
}
