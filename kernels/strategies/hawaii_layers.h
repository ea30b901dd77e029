// What hawaii.c (lea-mac) and hawaii_fir.c (lea-fir, HAWAII as published) share, written once
// for both NVM kinds, in two parts: this file (the footprints hw_stage and hw_fp, the commit of
// a job, the staging of map rows) and hawaii_run.h (the pooling and FC jobs, the input copy and
// the layer loop, strategy_begin and strategy_run). The strategies' headers say what is
// preserved when; these files abstract where the state lives:
// - on-chip FRAM: maps are pointers, footprints plain words (a 16-bit write is atomic);
// - external SPI FRAM (IPSIM_NVM_SPI): maps are device addresses (nvm_addr_t), footprints
//   Gray-coded counters (nvm_store.h), operands staged through SRAM (hw_band) or LEA RAM.
// The strategy file defines HW_FC_BUFS (const lk_bufs_t* of the FC jobs), HW_FC_EVERY (FC jobs
// between progress markers, a power of two) and HW_LAYER_SPAN(l) (what a layer adds to the
// progress marker's running count), includes this file, defines hw_conv (the conv jobs) and
// hw_layer_clear (layer li's footprints to 0; redone until hw_stage moves past li + 1, so it
// need not be atomic), then includes hawaii_run.h last.
#ifndef IPSIM_STRATEGIES_HAWAII_LAYERS_H
#define IPSIM_STRATEGIES_HAWAII_LAYERS_H
#include <stdint.h>

#include "kernels/nn/q15.h"
#include "kernels/runtime/debug_port.h"
#include "kernels/runtime/lea.h"
#include "kernels/runtime/sections.h"
#include "kernels/strategies/lea_kernels.h"
#include "kernels/strategies/strategy.h"
#include "kernels/strategies/strategy_buffers.h"
#ifdef IPSIM_NVM_SPI
#include "kernels/runtime/nvm_store.h"
#endif

#define HW_MAX_LAYERS 16
#define HW_PROGRESS_EVERY 8  // conv/pool jobs between DBG_PROGRESS markers
#define HW_BARRIER() __asm__ volatile("" ::: "memory")

#ifdef IPSIM_NVM_SPI
typedef nvm_addr_t hw_map_t;  // a feature map: its device address
typedef nvm_addr_t hw_in_t;
NVM_OBJECT(hw_stage, 2);               // network footprint (Gray-coded)
NVM_OBJECT(hw_fp, 2 * HW_MAX_LAYERS);  // job footprint per layer (Gray-coded)
// SRAM band of input rows (the largest: mnist conv2, 20 channels x 5 rows x 12).
#define HW_BAND_WORDS 1200
static int16_t hw_band[HW_BAND_WORDS];
static int16_t hw_scores[16];
static uint16_t hw_fp_load(uint16_t li) {
  return nvm_load_counter(hw_fp_addr + 2u * li);
}
static void hw_fp_store(uint16_t li, uint16_t j) {
  nvm_store_counter(hw_fp_addr + 2u * li, j);
}
static uint16_t hw_stage_now;  // hw_stage as last fetched or stored in this boot
static uint16_t hw_stage_fetch(void) {
  return hw_stage_now = nvm_load_counter(hw_stage_addr);
}
static uint16_t hw_stage_load(void) {
  return hw_stage_now;
}
static void hw_stage_store(uint16_t s) {
  nvm_store_counter(hw_stage_addr, hw_stage_now = s);
}
// Output word j of map `out` (one 2-byte transfer; its footprint is a later one).
static void hw_put(hw_map_t out, uint16_t j, int16_t v) {
  nvm_write(out + 2u * j, &v, 2);
}
#define HW_MAP_A fmap_a_addr
#define HW_MAP_B fmap_b_addr
#else
typedef int16_t* hw_map_t;
typedef const int16_t* hw_in_t;
IPSIM_PERSISTENT static uint16_t hw_stage;              // network footprint
IPSIM_PERSISTENT static uint16_t hw_fp[HW_MAX_LAYERS];  // job footprint per layer
// Macros, not functions: the objects are then referenced where the code did before it was
// shared, which keeps their order in FRAM and so the on-chip images' exact cycle counts.
#define hw_fp_load(li) (hw_fp[li])
#define hw_fp_store(li, j) (hw_fp[li] = (j))
#define hw_stage_load() (hw_stage)
#define hw_stage_fetch() (hw_stage)
#define hw_stage_store(s) (hw_stage = (s))
#define hw_put(out, j, v) ((out)[j] = (v))
#define HW_MAP_A fmap_a
#define HW_MAP_B fmap_b
#endif

// Commits job j of layer li (its output already stored): footprint, then a progress marker.
static void hw_commit(uint16_t li, uint16_t j, uint32_t base, uint16_t every) {
  HW_BARRIER();  // the output word reaches FRAM before the footprint claims it
  hw_fp_store(li, j);
  if ((j & (every - 1u)) == 0) dbg_marker32(DBG_PROGRESS, base + j);
}

#ifdef IPSIM_NVM_SPI
// Reads rows [y0, y1) of channels [c0, c1) of the map at `map` (shape s) into hw_band, one
// transfer per channel; returns the channel stride in the band.
static uint16_t hw_stage_rows(nvm_addr_t map, nn_shape_t s, uint16_t c0, uint16_t c1, uint16_t y0,
                              uint16_t y1) {
  const uint16_t words = (uint16_t)((y1 - y0) * s.w);
  if ((uint32_t)words * (c1 - c0) > HW_BAND_WORDS) dbg_exit(0xE4);
  int16_t* d = hw_band;
  for (uint16_t c = c0; c < c1; ++c, d += words)
    nvm_read(d, map + 2u * (((uint32_t)c * s.h + y0) * s.w), (uint16_t)(2u * words));
  return words;
}
#endif

#endif
