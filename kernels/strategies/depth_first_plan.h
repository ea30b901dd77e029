// Slice plan of the depth-first strategy (depth_first.c).
//
// The network's layers are cut into groups of consecutive layers. A slice of a group is one
// tile (rows x columns x channels) of the group's last output, in the order channel block,
// row band, column band (fastest: depth_first_geometry.h); it is computed from the
// group's input map through every layer of the group, with the intermediate bands (halo
// included) only in the SRAM scratch arenas. Only the output tile is written to FRAM.
//
// The plan is a constant block in FRAM, `df_plan`, like the workload block: a deployment tool
// (the simulator, which plans for each run's platform: kernels/strategies/depth_first_planner.h)
// overwrites it when it loads the image, so one image serves every capacitor. Its compiled-in
// content is the network's default plan, plans/<net>_plan.c (plans/<net>_lea_fir_plan.c on
// lea-fir), made by the same planner for 100 uF at 2.8/2.4 V, so the image runs unchanged on
// a LaunchPad.
//
// LEA RAM (2048 words) holds the LEA stack (top 8 words), the MAC result (2 words), the LEA
// operand buffers df_lea_w / df_lea_x (sized for the network's largest receptive field and FC
// input) and df_arena, the rest: arena 0 at its start, arena 1 right after arena 0.
// On lea-fir the FIR work buffers (df_fir_work) take the place of df_lea_w / df_lea_x.
#pragma once

#include <stdint.h>

#include "kernels/nn/nn_conv_fir.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { DF_BUF_A = 0, DF_BUF_B = 1, DF_BUF_INPUT = 2 };  // DF_BUF_INPUT: the sample input (far FRAM)

#define DF_PLAN_MAGIC 0x4450u  // "DP"
#define DF_MAX_GROUPS 8
#define DF_MAX_GROUP_LAYERS 8
#define DF_LEA_RAM_WORDS 2048
#define DF_LEA_STACK_WORDS 8   // LEA stack at the top of LEA RAM (lea_init: LEACNF2 = LEAMT >> 2)
#define DF_LEA_RESULT_WORDS 2  // lea_kernels.c's IQ31 MAC result

// 16 bytes, the same layout on the MSP430 and the host (the simulator writes it).
typedef struct {
  uint8_t first, last;  // layers [first, last] of the network
  uint8_t in_buf;       // where the group's input map is: DF_BUF_A, DF_BUF_B or DF_BUF_INPUT
  uint8_t out_buf;      // FRAM buffer of the group's output map (never in_buf)
  uint16_t ty, tx, tc;  // tile of the last layer's output per slice: rows, columns, channels
  uint16_t ny, nx, nc;  // tiles along rows, columns and channels; slices = nc * ny * nx
} df_group_t;

typedef struct {
  uint16_t magic;             // DF_PLAN_MAGIC
  uint16_t n_groups;          // <= DF_MAX_GROUPS
  uint16_t total_slices;      // sum of the groups' slices
  uint16_t scratch_words[2];  // words of arena 0 and arena 1 in df_arena (even)
  df_group_t groups[DF_MAX_GROUPS];
} df_plan_t;

// The plan block (plans/<net>_plan.c), and the LEA RAM it computes in.
extern const volatile df_plan_t df_plan;
extern int16_t df_lea_w[], df_lea_x[], df_arena[];
extern const uint16_t df_lea_w_words, df_lea_x_words, df_arena_words;

// lea-fir only (plans/<net>_lea_fir_plan.c): the FIR work buffers in LEA RAM. df_lea_w
// aliases its output band (row) and df_lea_x its input band (x): FC layers reuse them, as in
// kernel_lea_fir.c.
extern const nn_fir_work_t df_fir_work;

#ifdef __cplusplus
}
#endif
