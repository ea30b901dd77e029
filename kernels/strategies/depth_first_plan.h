// Slice plan of the depth-first strategy (depth_first.c), generated per network by
// scripts/plan_slices.py into kernels/strategies/plans/<net>_plan.{h,c}.
//
// The network's layers are cut into groups of consecutive layers. A slice of a group is one
// tile (rows x columns x channels) of the group's last output; it is computed from the
// group's input map through every layer of the group, with the intermediate bands (halo
// included) only in the SRAM scratch arenas. Only the output tile is written to FRAM.
// LEA RAM (2048 words) is split by the planner between the LEA stack (parameter blocks, top
// 8 words), the MAC result (2 words), the LEA operand buffers lea_w / lea_x (sized for the
// network's largest receptive field and FC input) and, in what is left, the arenas that fit.
#pragma once

#include <stdint.h>

#include "kernels/nn/nn_conv_fir.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { DF_BUF_A = 0, DF_BUF_B = 1, DF_BUF_INPUT = 2 };  // DF_BUF_INPUT: the sample input (far FRAM)

typedef struct {
  uint8_t first, last;  // layers [first, last] of the network
  uint8_t in_buf;       // where the group's input map is: DF_BUF_A, DF_BUF_B or DF_BUF_INPUT
  uint8_t out_buf;      // FRAM buffer of the group's output map (never in_buf)
  uint16_t ty, tx, tc;  // tile of the last layer's output per slice: rows, columns, channels
  uint16_t ny, nx, nc;  // tiles along rows, columns and channels; slices = ny * nx * nc
} df_group_t;

typedef struct {
  uint16_t n_groups;
  const df_group_t* groups;
  uint16_t total_slices;      // sum of the groups' slices
  int16_t* scratch[2];        // ping-pong SRAM arenas for staged inputs and intermediates
  uint16_t scratch_words[2];  // their sizes (checked by the planner against every slice)
  int16_t* lea_w;             // LEA RAM: one conv output channel's weights / FC row chunk
  uint16_t lea_w_words;
  int16_t* lea_x;  // LEA RAM: one receptive field (im2col of one output) / the FC input
  uint16_t lea_x_words;
} df_plan_t;

// Defined by the generated plans/<net>_plan.c linked into infer_<net>_depth_first_lea_mac.elf
// (plans/<net>_lea_fir_plan.c into ..._lea_fir.elf).
extern const df_plan_t df_plan;

// lea-fir only: the FIR work buffers in LEA RAM. lea_w aliases its output band (row) and
// lea_x its input band (x): FC layers reuse them, as in kernel_lea_fir.c.
extern const nn_fir_work_t df_fir_work;

#ifdef __cplusplus
}
#endif
