// df_stage_fram (depth_first_stage.h): a file of its own, linked after lea_kernels.c, so that
// the conv code's place in FRAM (and hence its FRAM cache behaviour) stays where it was.
#include "kernels/strategies/depth_first_stage.h"

#include "kernels/runtime/msp430fr5994.h"
#include "kernels/strategies/depth_first_plan.h"

// Copies n >= 1 words from p to d on the CPU, as lk_copy_run (lea_kernels.c): one
// autoincrement load, one indexed store and the loop's three instructions per word (the
// compiler's unrolled copy is larger code than it saves).
static inline void cpu_copy(int16_t* d, const int16_t* p, uint16_t n) {
  int16_t t;
  __asm__ volatile("1:\n\tmov @%1+, %3\n\tmov %3, 0(%0)\n\tadd #2, %0\n\tsub #1, %2\n\tjne 1b"
                   : "+r"(d), "+r"(p), "+r"(n), "=&r"(t)
                   :
                   : "memory");
}

// Copies n words from src to dst (both below 64 KB) by a DMA block transfer triggered by
// software, on channel 1 (the driver, dma.c, owns channel 0 and its interrupt): the CPU is
// halted until the block is moved. No interrupt (DMAIE clear); the loop on DMAIFG finds it
// set at its first read on the part, and orders the simulator's CPU after the transfer.
static inline void dma_words(int16_t* dst, const int16_t* src, uint16_t n) {
  DMA1CTL = 0;
  DMA1SAL = (uint16_t)(uintptr_t)src;
  DMA1SAH = 0;
  DMA1DAL = (uint16_t)(uintptr_t)dst;
  DMA1DAH = 0;
  DMA1SZ = n;
  DMA1CTL = DMADT_1 | DMASRCINCR_3 | DMADSTINCR_3 | DMAEN | DMAREQ;
  while (!(DMA1CTL & DMAIFG)) {
  }
}

__attribute__((minsize)) void df_stage_fram(const nn_layer_t* layers, const df_group_t* g,
                                            const nn_region_t* r, nn_src_t* src, int16_t* arena) {
  extern const uint16_t df_arena_words;
  if (!df_stage_fram_input(layers, g, r, df_arena_words)) return;
  const nn_region_t* b = &r[0];
  const nn_shape_t sh = layers[g->first].in;
  const uint16_t rows = (uint16_t)(b->y1 - b->y0), cols = (uint16_t)(b->x1 - b->x0);
  // One copy per contiguous run: the band, a channel's rows, or one row's columns.
  const df_runs_t k = df_runs_of(sh, b);
  const uint16_t run = k.len;
  const uint16_t chan = (uint16_t)(sh.h * sh.w);
  const int16_t* c_at =
      src->data + (uint16_t)((b->c0 - src->c0) * chan) + (uint16_t)(b->y0 * sh.w) + b->x0;
  const int dma = run >= DF_STAGE_DMA_MIN;
  if (dma) DMACTL0 &= 0x00FFu;  // channel 1's trigger: DMAREQ (0)
  int16_t* d = arena;
  for (uint16_t c = b->c0; c < b->c1; c = k.whole_map ? b->c1 : (uint16_t)(c + 1u), c_at += chan) {
    const int16_t* at = c_at;
    for (uint16_t y = b->y0; y < b->y1; y = k.whole_rows ? b->y1 : (uint16_t)(y + 1u), at += sh.w) {
      if (dma)
        dma_words(d, at, run);
      else
        cpu_copy(d, at, run);
      d += run;
    }
  }
  *src = (nn_src_t){arena, b->c0, b->y0, b->x0, (uint16_t)(rows * cols), cols};
}
