// A Q15 convolution on the LEA with DMA (issue: accelerators): the input signal and the taps
// are moved from FRAM into LEA RAM by DMA, the LEA computes a FIR convolution, a few MAC dot
// products (IQ31) and a vector maximum, and the DMA copies the results back to FRAM. The CPU
// sleeps in LPM0 during every LEA command and DMA block, woken by their interrupts. The host
// build computes the same values in plain C from the documented LEA semantics
// (kernels/runtime/lea.h), so fw_result must match byte for byte.
#include <stdint.h>

#include "kernels/apps/fwtest.h"

#define N 64
#define TAPS 8
#define MACS 4

static const int16_t kSignal[N + TAPS - 1] = {
    1200,   -3400,  5600,   -7800,  9000,  -11000, 13000, -15000, 17000,  -19000, 21000,  -23000,
    25000,  -27000, 29000,  -31000, 32767, -32768, 100,   -200,   300,    -400,   500,    -600,
    700,    -800,   900,    -1000,  1100,  -1200,  1300,  -1400,  1500,   -1600,  1700,   -1800,
    30000,  30000,  30000,  30000,  30000, 30000,  30000, 30000,  -30000, -30000, -30000, -30000,
    -30000, -30000, -30000, -30000, 5,     -5,     10,    -10,    20,     -20,    40,     -40,
    80,     -80,    160,    -160,   320,   -320,   640,   -640,   1280,   -1280,  2560};
static const int16_t kTaps[TAPS] = {32767, -16384, 8192, -4096, 2048, -1024, 512, -256};

struct result {
  int16_t fir[N];
  int32_t mac[MACS];
  int16_t max;
  uint16_t max_index;
  uint16_t faults;
  uint16_t pad;
};
volatile struct result fw_result;

#ifdef __MSP430__
#include "kernels/runtime/clock.h"
#include "kernels/runtime/dma.h"
#include "kernels/runtime/lea.h"
#include "kernels/runtime/sections.h"

IPSIM_LEARAM static int16_t lea_signal[N + TAPS];  // even length for the LEA
IPSIM_LEARAM static int16_t lea_taps[TAPS];
IPSIM_LEARAM static int16_t lea_out[N];
IPSIM_LEARAM static int32_t lea_mac[MACS];

static uint32_t addr(const volatile void* p) {
  return (uint32_t)(uintptr_t)p;
}

int main(void) {
  clock_init_16mhz();
  lea_init();
  dma_copy_words(addr(lea_signal), addr(kSignal), N + TAPS - 1);
  dma_copy_words(addr(lea_taps), addr(kTaps), TAPS);
  uint16_t faults = lea_fir_q15(lea_signal, lea_taps, TAPS, lea_out, N);
  for (uint16_t m = 0; m < MACS; ++m)
    faults |= lea_mac_q15(&lea_signal[16 * m], lea_taps, TAPS, &lea_mac[m]);
  int16_t max;
  uint16_t index;
  faults |= lea_max_q15(lea_out, N, &max, &index);
  dma_copy_words(addr(fw_result.fir), addr(lea_out), N);
  dma_copy_words(addr(fw_result.mac), addr(lea_mac), 2 * MACS);
  fw_result.max = max;
  fw_result.max_index = index;
  fw_result.faults = faults;
  return fwtest_finish(&fw_result, sizeof fw_result);
}
#else
static int16_t sat16(int64_t v) {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)v;
}
static int32_t sat32(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

int main(void) {
  for (int i = 0; i < N; ++i) {  // lea_fir_q15: sum src[i+j] * coeffs[taps-1-j], >> 15
    int64_t acc = 0;
    for (int j = 0; j < TAPS; ++j) acc += (int32_t)kSignal[i + j] * kTaps[TAPS - 1 - j];
    fw_result.fir[i] = sat16(acc >> 15);
  }
  for (int m = 0; m < MACS; ++m) {  // lea_mac_q15: IQ31 = sat(2 * sum a*b)
    int64_t acc = 0;
    for (int j = 0; j < TAPS; ++j) acc += (int32_t)kSignal[16 * m + j] * kTaps[j];
    fw_result.mac[m] = sat32(2 * acc);
  }
  int16_t max = fw_result.fir[0];
  uint16_t index = 0;
  for (int i = 1; i < N; ++i)  // the last occurrence wins on ties (models/lea.h)
    if (fw_result.fir[i] >= max) max = fw_result.fir[i], index = (uint16_t)i;
  fw_result.max = max;
  fw_result.max_index = index;
  fw_result.faults = 0;
  return fwtest_finish(&fw_result, sizeof fw_result);
}
#endif
