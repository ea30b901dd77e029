// Slice geometry of the depth-first strategy, shared by the firmware (depth_first.c) and the
// host planner (depth_first_planner.c), so it is written once.
#pragma once

#include <stdint.h>

#include "kernels/nn/nn.h"
#include "kernels/strategies/depth_first_plan.h"

#ifdef __cplusplus
extern "C" {
#endif

// Where a slice's output tile starts in the group's last output map. Slices are ordered with
// the channel block outermost, then rows, then columns (fastest): consecutive slices share a
// channel block, so a conv that computes one output channel keeps its weights in LEA RAM.
typedef struct {
  uint16_t c0, y0, x0;
} df_slice_pos_t;

// Position of slice s of g (by subtraction: the MSP430 has no divide instruction). For a
// reboot and the host; the slice loop steps with df_slice_next.
void df_slice_pos(const nn_layer_t* layers, const df_group_t* g, uint16_t s, df_slice_pos_t* p);

// Steps p to the next slice of g (additions and compares only). Returns 0 when p was the
// group's last slice (p is then the group's first slice again).
uint8_t df_slice_next(const nn_layer_t* layers, const df_group_t* g, df_slice_pos_t* p);

// Regions of the slice of group g at p, from its output tile back to the group's input:
// r[0] = the input band, r[k] = the output of layer g->first + k - 1 (k = 1..layers).
// full_width_conv (lea-fir: nn_conv_fir convolves full-width rows): a conv layer's output
// band is widened to all its columns; the next layer reads the part it needs.
// Returns the group's layer count, or 0 if it exceeds DF_MAX_GROUP_LAYERS.
uint16_t df_slice_regions(const nn_layer_t* layers, const df_group_t* g, const df_slice_pos_t* p,
                          uint8_t full_width_conv, nn_region_t* r);

// The contiguous runs of region r in a dense CHW map of shape s: one per (channel, row), one
// per channel when r spans whole rows, one when it spans whole channels. On the external
// FRAM each run is one transfer (depth_first.c moves exactly these; the planner counts them).
uint16_t df_region_runs(nn_shape_t s, const nn_region_t* r);
// Their shape: len words each; whole_rows: one run per channel; whole_map: a single run.
typedef struct {
  uint16_t len;
  uint8_t whole_rows, whole_map;
} df_runs_t;
static inline df_runs_t df_runs_of(nn_shape_t s, const nn_region_t* r) {
  const uint16_t rows = (uint16_t)(r->y1 - r->y0), cols = (uint16_t)(r->x1 - r->x0);
  df_runs_t k;
  k.whole_rows = r->x0 == 0 && r->x1 == s.w;
  k.whole_map = k.whole_rows && r->y0 == 0 && r->y1 == s.h;
  k.len = k.whole_map    ? (uint16_t)((r->c1 - r->c0) * rows * cols)
          : k.whole_rows ? (uint16_t)(rows * cols)
                         : cols;
  return k;
}

#ifdef __cplusplus
}
#endif
