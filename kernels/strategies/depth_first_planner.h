// Slice planner of the depth-first strategy, run on the host for each run's platform (the
// simulator writes its plan into the image's df_plan block; depth_first_plan.h). It uses the
// firmware's own slice geometry (depth_first_geometry.c).
//
// It chooses the layer groups and the tile of each group so that
//  (a) the in-slice intermediates fit the two SRAM arenas (what the LEA operand buffers, the
//      MAC result and the LEA stack leave of LEA RAM), and
//  (b) the largest slice, plus a reboot, finishes within one charge cycle with a margin
//      (no such limit on a continuous supply),
// and among those minimises estimated cycles (halo recompute included) + the expected
// re-execution after power failures (none on a continuous supply) + a weight per FRAM byte.
#pragma once

#include <stdint.h>

#include "kernels/networks/network.h"
#include "kernels/strategies/depth_first_plan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  double capacitance_f, v_on, v_off;  // one charge: from v_on down to v_off
  double mclk_hz;
  int continuous;  // a continuous supply: no failures, so no energy limit per slice
  int kernel;      // NN_KERNEL_*
  double margin;   // fraction of the charge kept in reserve for the cost model's error
  double fram_miss_per_cycle;
  double boot_cycles;   // crt0 + main + clock set-up + reaching the slice
  double write_weight;  // cycles charged per FRAM byte written, in the objective
  // External SPI FRAM (platform.nvm.kind spi-fram; 0 = on-chip FRAM): every group's input band
  // is read from it into arena 0 and every tile is written back to it from an arena, so the
  // slice pays a transfer per contiguous run (df_region_runs) and a word time per word.
  int nvm_spi;
  double spi_word_cycles;                  // MCLK cycles per 16-bit word on the bus
  double spi_read_fixed, spi_write_fixed;  // MCLK cycles per transfer
  double spi_standby_a;  // the part's standby current, drawn from the capacitor all the time
  // A cap on every slice's estimated cycles below the charge budget (0 = none): forces
  // smaller slices for studies of the slice size (workload.depth_first.max_slice_cycles).
  double max_slice_cycles;
} df_platform_t;

// The defaults: 100 uF, 2.8/2.4 V, 16 MHz, lea-mac, 30 % margin (the plan compiled into the
// images, plans/<net>_plan.c).
df_platform_t df_platform_default(void);

// Sets p for the external SPI FRAM at spi_clock_hz (SCK; MCLK is p->mclk_hz): 16 SPI bits
// per word, and the fixed cost per transfer of the driver's measured fit at 16 MHz, SCK 4 MHz
// (docs/spi_fram.md: read 63.95 n + 363, write 63.99 n + 314 cycles).
void df_platform_set_spi_fram(df_platform_t* p, double spi_clock_hz);

// lea-fir work buffers in LEA RAM (df_fir_work, nn_fir_work_t), in words; out_words also the
// FC weight-row buffer (lea_w), x_words the FC input buffer (lea_x).
typedef struct {
  uint16_t x_words, c_words, out_words;
  int fc_resident;    // the largest FC input fits x (else it streams through x in chunks)
  uint16_t fc_chunk;  // FC weight-row chunk
} df_fir_layout_t;

// lea-fir: the FIR buffers compiled into infer_<net>_depth_first_lea_fir.elf (the same for
// every run): the band size and FC placement of the cheapest plan for the default platform.
// (The external-FRAM images, infer_<net>_depth_first_lea_fir_spi.elf, have the buffers of the
// default platform with platform.nvm.kind spi-fram; df_plan_make picks by p->nvm_spi.)
// out_words == 0 if there is none. It remembers its last answer in static storage: not
// reentrant (the simulator plans under a lock, sim/df_plan.cpp).
df_fir_layout_t df_fir_layout(const nn_network_t* net);

typedef struct {
  df_group_t g;
  double max_cycles, total_cycles;           // estimated: the largest slice, the whole group
  uint32_t macs, golden_macs;                // MACs of all slices, and of one unsliced pass
  uint32_t write_bytes;                      // FRAM: the output map + a commit word per slice
  uint16_t need[2];                          // words of arena 0 and 1 its slices use
  uint32_t halo_words[DF_MAX_GROUP_LAYERS];  // per intermediate map: words recomputed
  double cost;
} df_group_est_t;

// DF_PLAN_REFUSED_CAP: every layer fits one charge, but some layer's smallest slice exceeds
// max_slice_cycles.
enum {
  DF_PLAN_OK = 0,
  DF_PLAN_REFUSED_ENERGY = 1,
  DF_PLAN_REFUSED_SRAM = 2,
  DF_PLAN_REFUSED_CAP = 3
};

typedef struct {
  int status;  // DF_PLAN_*
  df_plan_t plan;
  df_group_est_t est[DF_MAX_GROUPS];
  double energy_j;       // one charge, 0.5 C (v_on^2 - v_off^2)
  double charge_cycles;  // cycles one charge runs
  double reboot_cycles;
  double
      budget_cycles;  // for the largest slice: (charge - reboot) * (1 - margin); inf if continuous
  double limit_cycles;  // what a slice may take: budget_cycles, or max_slice_cycles if smaller
  double j_per_cycle;
  double q_eff;  // C per cycle
  uint16_t lea_w_words, lea_x_words, arena_words;
  df_fir_layout_t fir;  // lea-fir only (else zero): lea_w = fir.out_words, lea_x = fir.x_words
  uint32_t write_bytes, layerwise_write_bytes;
  double total_cycles;
  // When refused for energy (or the cap): the layer whose smallest slice is too large, that
  // slice's cycles, and the smallest capacitance (same v_on, v_off, margin) with which every
  // layer fits one charge.
  int refused_layer;
  double refused_cycles;
  double min_capacitance_f;
} df_plan_result_t;

// Plans net for platform p (on lea-fir in the buffers of df_fir_layout(net)). Returns
// result->status.
int df_plan_make(const nn_network_t* net, const df_platform_t* p, df_plan_result_t* result);

#ifdef __cplusplus
}
#endif
