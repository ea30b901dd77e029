// depth-first on lea-mac: staging a single conv's input band from on-chip FRAM into SRAM
// (depth_first_stage.c), and the rule that decides it, shared by the firmware and the planner
// (depth_first_planner.c) so that both make the same choice for every slice.
//
// Why: the conv gathers every input word of its receptive field once per output (kh * kw
// times in all, lk_conv_point's im2col copy); gathered from FRAM, the reads meet wait states
// and compete with the code for the FRAM cache (models/fram_cache.h). Measured with the same
// image but for a flag: kws under continuous power, conv2's 352-word input staged by one DMA
// (20 736 gathered words) or gathered in place: 2 253 829 -> 2 238 533 cycles, ~0.75 cycles
// saved per gathered word once the copy is paid (DF_STAGE_SAVE_X16). With slices of the
// 150 k-cycle cap (3x1x16 tiles: 40 runs of 3 words each) staging always lost 6.6 k cycles
// over 6 slices, so a CPU-copied run costs ~80 cycles of loop and addressing besides its
// words. A copy costs: by DMA block transfer 2 MCLK per word plus the FRAM wait states
// (~2.25 per word: a miss per 4-word line) after ~45 cycles of set-up (seven register writes
// and the DMAIFG check); by the CPU ~5 cycles per word (two words per loop pass). So a run of
// n words goes by DMA when 45 + 2.25 n < 5 n, n >= 16 (DF_STAGE_DMA_MIN), and a slice stages
// only when the gathers it saves outweigh all its copies.
#pragma once

#include <stdint.h>

#include "kernels/nn/nn.h"
#include "kernels/strategies/depth_first_geometry.h"
#include "kernels/strategies/depth_first_plan.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DF_STAGE_DMA_MIN 16      // words: a shorter run is copied by the CPU
#define DF_STAGE_DMA_SETUP 45    // cycles of one DMA run's set-up
#define DF_STAGE_DMA_WORD_X4 9   // cycles per word moved by DMA, x4 (2.25)
#define DF_STAGE_CPU_WORD_X4 20  // cycles per word copied by the CPU, x4 (5)
#define DF_STAGE_RUN 80          // cycles per run of the staging loop (addresses, branches)
#define DF_STAGE_SAVE_X16 12     // cycles saved per conv input word gathered from SRAM, x16

// Cycles of staging region r of a dense CHW map of shape s, one copy per contiguous run (as
// df_region_runs counts them), by DMA or by the CPU as depth_first_stage.c copies them.
static inline uint32_t df_stage_cycles(nn_shape_t s, const nn_region_t* r) {
  const uint16_t runs = df_region_runs(s, r);
  const uint32_t run = df_runs_of(s, r).len;
  const uint32_t per_run =
      run >= DF_STAGE_DMA_MIN
          ? DF_STAGE_RUN + DF_STAGE_DMA_SETUP + (DF_STAGE_DMA_WORD_X4 * run) / 4u
          : DF_STAGE_RUN + (DF_STAGE_CPU_WORD_X4 * run) / 4u;
  return per_run * runs;
}

// Whether a slice of group g (regions r, df_slice_regions) stages its input band into
// df_arena (arena_words) before its conv gathers it, rather than gathering from FRAM in
// place: only a group of one conv layer reading fmap_a or fmap_b (its arenas are otherwise
// unused: its tile goes straight to FRAM), only if the band fits the arena, and only if the
// gathers it saves outweigh the copies.
static inline int df_stage_fram_input(const nn_layer_t* layers, const df_group_t* g,
                                      const nn_region_t* r, uint16_t arena_words) {
  if (g->in_buf == DF_BUF_INPUT || g->first != g->last) return 0;
  const nn_layer_t* L = &layers[g->first];
  if (L->op != NN_OP_CONV2D && L->op != NN_OP_CONV1D) return 0;
  const uint32_t in =
      (uint32_t)(r[0].c1 - r[0].c0) * (uint16_t)(r[0].y1 - r[0].y0) * (uint16_t)(r[0].x1 - r[0].x0);
  if (in > arena_words) return 0;
  const uint32_t gathered = (uint32_t)(r[1].c1 - r[1].c0) * (uint16_t)(r[1].y1 - r[1].y0) *
                            (uint16_t)(r[1].x1 - r[1].x0) * (uint16_t)(L->in.c * L->kh * L->kw);
  return DF_STAGE_SAVE_X16 * gathered / 16u > df_stage_cycles(L->in, &r[0]);
}

// Firmware: if df_stage_fram_input says so, copies the input band r[0] of group g's conv from
// the FRAM map *src views into arena (df_arena) and points *src at it. The slice then runs as
// before, on the same words, so the same bits.
void df_stage_fram(const nn_layer_t* layers, const df_group_t* g, const nn_region_t* r,
                   nn_src_t* src, int16_t* arena);

#ifdef __cplusplus
}
#endif
