// Demo firmware: sets the clock to 16 MHz, computes a Q15 dot product, a checksum and a
// few divisions, prints one line through the debug mailbox and returns a 16-bit digest as
// its exit code. A few thousand instructions: the tests use it as a cheap, real firmware
// (`ipsim exec build/firmware/demo.elf`, and `--set workload.firmware=...` in sweep tests).

#include <stdint.h>

#include "kernels/runtime/clock.h"
#include "kernels/runtime/debug_port.h"

#define LEN 32

static const int16_t weights[LEN] = {16384, -8192,  4096,  -2048,  1024,  -512,   256,   -128,
                                     32767, -32768, 100,   -100,   2000,  -3000,  4000,  -5000,
                                     6000,  -7000,  8000,  -9000,  10000, -11000, 12000, -13000,
                                     14000, -15000, 16000, -17000, 18000, -19000, 20000, -21000};
static int16_t input[LEN];

static int32_t dot_q15(const int16_t* a, const int16_t* b, uint16_t n) {
  int32_t acc = 0;
  for (uint16_t i = 0; i < n; ++i) acc += (int32_t)a[i] * b[i];
  return acc >> 15;
}

static char* put_u32(char* p, uint32_t v) {
  char tmp[10];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) *p++ = tmp[--n];
  return p;
}

int main(void) {
  clock_init_16mhz();
  dbg_marker(DBG_BOOT, 0);
  for (uint16_t i = 0; i < LEN; ++i) input[i] = (int16_t)(i * 1021 - 16000);

  dbg_marker(DBG_INFERENCE_START, 0);
  int32_t dot = dot_q15(weights, input, LEN);
  uint16_t sum = 0;
  for (uint16_t i = 0; i < LEN; ++i) sum = (uint16_t)((sum << 1 | sum >> 15) ^ (uint16_t)input[i]);
  uint32_t q = (uint32_t)(dot < 0 ? -dot : dot) / 7u + (uint32_t)sum % 1000u;
  int16_t cls = (int16_t)(q % 10u);
  dbg_marker(DBG_INFERENCE_END, (uint16_t)cls);

  char line[64], *p = line;
  const char* label = "demo: dot=";
  while (*label) *p++ = *label++;
  if (dot < 0) *p++ = '-';
  p = put_u32(p, (uint32_t)(dot < 0 ? -dot : dot));
  *p++ = ' ';
  *p++ = 'q';
  *p++ = '=';
  p = put_u32(p, q);
  *p++ = '\n';
  *p = 0;
  dbg_puts(line);
  return (int)(uint16_t)(sum ^ (uint16_t)dot);
}
