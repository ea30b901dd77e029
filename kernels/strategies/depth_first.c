// depth-first: the seed paper's strategy (Lv & Xu, IEEE Access 2022; design.md §6). The
// network is cut into groups of consecutive layers and each group's output into slices
// (depth_first_plan.h: a block in FRAM the simulator rewrites with a plan made for each run's
// platform by depth_first_planner.c). A slice reads its input band,
// halo included, from the group's input map in FRAM (or the sample input in far FRAM), runs
// every layer of the group on SRAM bands, and writes only its output tile to the FRAM
// buffer that is not the group's input, so re-running it is harmless. One atomic word,
// df_done (slices committed in this inference), is the whole progress state: after a power
// failure the interrupted slice is recomputed from its input.
//
// FRAM writes per inference, on both kernels (unchanged by the slice order, the weight tag and
// the FC chunks, which touch only SRAM and LEA RAM): each group's last output map once, into its
// out_buf (2 B per word; the tiles are disjoint), 2 B of df_done per slice plus 2 at begin;
// the sample input is read in place and intermediates stay in SRAM. So per group g of the
// plan, 2*words(out_g) + 2*slices_g bytes (+ 2 per inference). On lea-fir the FIR row
// partials and channel sums stay in LEA RAM too: no FRAM term. Exact under continuous power
// (tests/strategies/nvm_closed_form.py).
//
// Halo rows (columns for 1-D maps) are recomputed by every slice that needs them rather than
// cached: no extra FRAM state, at the price of the extra MACs the planner reports.
//
// The slice loop (fast slices): a group's slices run with the channel block outermost, then
// row bands, then column bands (df_slice_next), so consecutive slices share their output
// channels. The next slice is located from df_done once a boot (by subtraction) and then
// stepped from the previous one: no division on the slice path (the MSP430 has none; a
// library division is ~160 cycles), and the slice's regions are 16-bit span arithmetic
// (df_slice_regions). None of this is progress state: it is all derived from df_done.
//
// Compute engine: the LEA, with exactly HAWAII's jobs (lea_kernels.c, shared with hawaii.c):
// each conv output is one LEA MAC of its receptive field, gathered into LEA RAM, with the
// output channel's weights resident in LEA RAM; each FC neuron is one LEA MAC of the input
// (DMA'd into LEA RAM once per slice) with its weight row. Pools run on the CPU (kernels/nn).
// So depth-first and HAWAII differ only in what they keep in SRAM and what they commit to FRAM.
// Weights are loaded when a conv region needs a channel other than the one LEA RAM holds
// (lk_conv_region_resident): the slices of one channel block of a one-channel tile load them
// once. The tag naming the loaded channel (w_tag) is in SRAM, cleared at every boot and by
// every FC layer (which overwrites the operand buffers): a power failure clears LEA RAM, so the
// first slice after a reboot reloads, and a re-run slice computes the same bits. A lone FC
// group (input and tile in FRAM) chunks its weight rows in the whole arena, free then, instead
// of df_lea_w (fewer LEA commands; the planner counts the same chunks).
//
// On lea-mac, a group of one conv reading fmap_a or fmap_b stages a slice's input band into
// the arena (free then: the tile goes straight to FRAM) when the gathers it saves outweigh
// the copies (depth_first_stage.h, the planner's rule too); the band is a copy of intact FRAM
// input, so a cut slice is redone from FRAM as before.
//
// On lea-fir (DF_LEA_FIR, plans/<net>_lea_fir_plan.c, planned by the same planner with
// kernel lea-fir): convs are nn_conv_fir, HAWAII's FIRs and adds over full-width rows
// (docs/kernels.md), so conv bands are widened to all columns (df_slice_regions) and the
// plan's conv tiles span the full width. The FIR outputs, row sums and channel sums live in
// the LEA RAM work buffers (df_fir_work), never in FRAM; FC neurons are one exact LEA MAC
// each in the same buffers (df_lea_w / df_lea_x alias its output and input bands). The bits are
// those of `golden --kernel lea-fir`: each output row depends only on its input rows, whatever the
// band.
//
// On the external SPI FRAM (IPSIM_NVM_SPI: infer_<net>_depth_first_<kernel>_spi.elf, plans
// plans/<net>[_lea_fir]_spi_plan.c; docs/spi_fram.md) fmap_a, fmap_b and df_done are objects
// of the external FRAM and every slice stages through SRAM: its input band is read by DMA into
// arena 0 (an FC layer's whole input straight into df_lea_x when it fits there), the layers
// run on SRAM bands as on chip, the last one into an arena, and the tile is written back, one
// transfer per contiguous run of the region (df_region_runs), before df_done. The argument is
// unchanged: a slice reads only its group's input map and writes only its disjoint tile of
// the other buffer, so a slice cut anywhere (a tile write included: the part keeps the bytes
// clocked in) is redone whole from intact input. df_done is Gray-coded (nvm_store.h): its
// increment is one byte, so a cut commit leaves the old or the new count. External-FRAM
// bytes written per inference: the same closed form as above, 2*words(out_g) + 2*slices_g
// per group + 2, under the same symbol names; on-chip FRAM gets only the application's
// words (infer_main.c). The sample input and the weights stay in on-chip FRAM.
#include <stdint.h>

#include "kernels/nn/nn.h"
#include "kernels/runtime/debug_port.h"
#include "kernels/runtime/lea.h"
#include "kernels/runtime/sections.h"
#include "kernels/strategies/depth_first_fir.h"
#include "kernels/strategies/depth_first_geometry.h"
#include "kernels/strategies/depth_first_plan.h"
#include "kernels/strategies/depth_first_stage.h"
#include "kernels/strategies/lea_kernels.h"
#include "kernels/strategies/strategy.h"
#include "kernels/strategies/strategy_buffers.h"
#ifdef IPSIM_NVM_SPI
#include "kernels/runtime/nvm_store.h"
#include "kernels/runtime/spi_fram.h"
#endif

#ifdef DF_LEA_FIR
#define DF_FULL_WIDTH_CONV 1  // nn_conv_fir convolves full-width rows
#else
#define DF_FULL_WIDTH_CONV 0
#endif

const char strategy_name[] = "depth-first";

#ifdef IPSIM_NVM_SPI
// Slices committed in the current inference, Gray-coded (nvm_store.h).
NVM_OBJECT(df_done, 2);
typedef nvm_addr_t df_map_t;
static uint16_t load_done(void) {
  return nvm_load_counter(df_done_addr);
}
static void store_done(uint16_t n) {
  nvm_store_counter(df_done_addr, n);
}
static df_map_t fram_buf(uint8_t which) {
  return which == DF_BUF_A ? fmap_a_addr : fmap_b_addr;
}
static int16_t df_scores[16];  // the network's output, read back into SRAM
#else
// Slices committed in the current inference; written only as a whole word (atomic).
IPSIM_PERSISTENT static uint16_t df_done;
typedef int16_t* df_map_t;
static uint16_t load_done(void) {
  return df_done;
}
static void store_done(uint16_t n) {
  df_done = n;
}
static df_map_t fram_buf(uint8_t which) {
  return which == DF_BUF_A ? fmap_a : fmap_b;
}
#endif
// Arena 1 starts after arena 0 in df_arena (df_plan.scratch_words[0]).
static uint16_t plan_scratch0;

void strategy_begin(const nn_network_t* net, uint16_t input) {
  (void)net;
  (void)input;
#ifdef IPSIM_NVM_SPI
  nvm_init();
#endif
  store_done(0);
}

// A view of an SRAM band holding exactly region r of a map.
static nn_dst_t band_view(int16_t* data, const nn_region_t* r) {
  const uint16_t cols = (uint16_t)(r->x1 - r->x0);
  nn_dst_t v = {data, r->c0, r->y0, r->x0, (uint16_t)((r->y1 - r->y0) * cols), cols};
  return v;
}

// Copies region r of sample input `input` (far FRAM, dense CHW) into an SRAM band.
static void stage_input(const nn_network_t* net, uint16_t input, const nn_region_t* r,
                        int16_t* dst) {
  const nn_shape_t s = net->in;
  const nn_far_addr_t base = *net->inputs + (nn_far_addr_t)input * nn_shape_words(s) * 2u;
  const uint16_t cols = (uint16_t)(r->x1 - r->x0);
  for (uint16_t c = r->c0; c < r->c1; ++c)
    for (uint16_t y = r->y0; y < r->y1; ++y) {
      const uint32_t at = ((uint32_t)c * s.h + y) * s.w + r->x0;
      nn_far_read(dst, base + (nn_far_addr_t)at * 2u, (uint16_t)(cols * 2u));
      dst += cols;
    }
}

#ifdef IPSIM_NVM_SPI
// Moves region r of the dense CHW map of shape sh at device address map from (write = 0) or
// to (write = 1) the SRAM band holding exactly r, one transfer per contiguous run
// (df_region_runs: the planner counts the same).
static void nvm_region(int write, df_map_t map, nn_shape_t sh, const nn_region_t* r,
                       int16_t* band) {
  const df_runs_t k = df_runs_of(sh, r);
  const uint16_t run = k.len;
  for (uint16_t c = r->c0; c < r->c1; c = k.whole_map ? r->c1 : (uint16_t)(c + 1u))
    for (uint16_t y = r->y0; y < r->y1; y = k.whole_rows ? r->y1 : (uint16_t)(y + 1u)) {
      const nvm_addr_t at = map + 2u * (((uint32_t)c * sh.h + y) * sh.w + r->x0);
      if (write)
        nvm_write(at, band, (uint16_t)(run * 2u));
      else
        nvm_read(band, at, (uint16_t)(run * 2u));
      band += run;
    }
}
#endif

// Which conv output channel's weights (and bias) df_lea_w holds (lk_conv_region_resident).
// In SRAM, not FRAM: a power failure clears LEA RAM and SRAM alike, and strategy_run clears
// the tag at every boot (SRAM powers up with arbitrary content), so the first slice after a
// reboot reloads.
static lk_wtag_t w_tag;
#ifdef DF_LEA_FIR
// lea-fir: which conv channels' weights and biases nn_wbuf (SRAM) holds, likewise in SRAM and
// cleared at every boot (df_conv_fir_resident). Only nn_conv_fir's loads write nn_wbuf in
// this image (FC rows go to LEA RAM), so nothing else clears it.
static df_fir_tag_t fir_tag;
#endif

// Computes the slice of group g at p and writes its tile to the group's output buffer.
static int run_slice(const nn_network_t* net, uint16_t input, const df_group_t* g,
                     const df_slice_pos_t* p) {
  // Output regions of the group's layers, from the tile back to the group's input
  // (r[0] = the input band, r[k] = the output of layer first + k - 1).
  nn_region_t r[DF_MAX_GROUP_LAYERS + 1];
  const uint16_t n = df_slice_regions(net->layers, g, p, DF_FULL_WIDTH_CONV, r);
  if (n == 0) return NN_ERR_SCRATCH;

  const lk_bufs_t bufs = {df_lea_w, df_lea_w_words, df_lea_x, df_lea_x_words};
  int16_t* const scratch[2] = {df_arena, df_arena + plan_scratch0};
  // Input view: a staged SRAM band of the sample input, or the FRAM map in place.
  nn_src_t src;
  uint16_t arena = 0;
  if (g->in_buf == DF_BUF_INPUT) {
    stage_input(net, input, &r[0], scratch[0]);
    const nn_dst_t v = band_view(scratch[0], &r[0]);
    src = (nn_src_t){v.data, v.c0, v.y0, v.x0, v.chan_stride, v.row_stride};
    arena = 1;
  } else {
#ifdef IPSIM_NVM_SPI
    // Stage the input band from the external FRAM: an FC layer's whole input straight into
    // the LEA's FC input buffer when it fits (lk_fc_region's copy is then in place).
    const nn_layer_t* L0 = &net->layers[g->first];
    int16_t* band = scratch[0];
    arena = 1;
    if (L0->op == NN_OP_FC && nn_shape_words(L0->in) <= df_lea_x_words) {
      band = df_lea_x, arena = 0;
      w_tag.layer = 0;  // df_lea_x's zero pad of an odd receptive field is overwritten
    }
    nvm_region(0, fram_buf(g->in_buf), L0->in, &r[0], band);
    const nn_dst_t v = band_view(band, &r[0]);
    src = (nn_src_t){v.data, v.c0, v.y0, v.x0, v.chan_stride, v.row_stride};
#else
    src = nn_src_dense(fram_buf(g->in_buf), net->layers[g->first].in);
#ifndef DF_LEA_FIR
    // A single conv reads its input band from SRAM if staging it pays (depth_first_stage.c).
    df_stage_fram(net->layers, g, r, &src, df_arena);
#endif
#endif
  }

  for (uint16_t k = 1; k <= n; ++k) {
    const nn_layer_t* L = &net->layers[g->first + k - 1u];
    // Intermediates alternate between the two SRAM arenas; the last layer writes its tile
    // straight into the FRAM output map.
#ifdef IPSIM_NVM_SPI
    const nn_dst_t dst = band_view(scratch[arena], &r[k]);  // the tile too: written back below
#else
    const nn_dst_t dst =
        k == n ? nn_dst_dense(fram_buf(g->out_buf), L->out) : band_view(scratch[arena], &r[k]);
#endif
    if (L->op == NN_OP_CONV2D || L->op == NN_OP_CONV1D) {
#ifdef DF_LEA_FIR
      // Row partials and channel sums stay in the LEA RAM work buffers, the weights in
      // nn_wbuf across slices (fir_tag).
      const int rc = df_conv_fir_resident(L, &src, &dst, &r[k], &df_fir_work, &fir_tag);
      if (rc != NN_OK) return rc;
#else
      lk_conv_region_resident(&bufs, L, &src, &dst, &r[k], &w_tag);
#endif
    } else if (L->op == NN_OP_FC) {
      w_tag.layer = 0;  // its weight rows and input overwrite df_lea_w and df_lea_x
#ifdef IPSIM_NVM_SPI
      lk_fc_region(&bufs, L, &src, &dst, &r[k]);
#else
      // Weight-row chunks in the whole arena when neither its input (in FRAM) nor its output
      // (the tile, to FRAM) is there and the arena is larger than df_lea_w: fewer chunks.
      if (k == 1 && k == n && g->in_buf != DF_BUF_INPUT && df_arena_words > df_lea_w_words) {
        const lk_bufs_t fc = {df_arena, df_arena_words, df_lea_x, df_lea_x_words};
        lk_fc_region(&fc, L, &src, &dst, &r[k]);
      } else {
        lk_fc_region(&bufs, L, &src, &dst, &r[k]);
      }
#endif
    } else {  // pools (and ReLU) on the CPU
      const int rc = nn_layer_forward(L, &src, &dst, &r[k]);
      if (rc != NN_OK) return rc;
    }
    src = (nn_src_t){dst.data, dst.c0, dst.y0, dst.x0, dst.chan_stride, dst.row_stride};
    arena ^= 1u;
  }
#ifdef IPSIM_NVM_SPI
  nvm_region(1, fram_buf(g->out_buf), net->layers[g->last].out, &r[n], (int16_t*)src.data);
#endif
  return NN_OK;
}

const int16_t* strategy_run(const nn_network_t* net, uint16_t input) {
  lea_init();  // LEA registers (incl. its stack pointer) are reset by every power failure
#ifdef IPSIM_NVM_SPI
  nvm_init();
#endif
  // The plan block may have been rewritten by the deployment tool: check what it says.
  const uint16_t n_groups = df_plan.n_groups;
  plan_scratch0 = df_plan.scratch_words[0];
  if (df_plan.magic != DF_PLAN_MAGIC || n_groups == 0 || n_groups > DF_MAX_GROUPS ||
      (uint32_t)plan_scratch0 + df_plan.scratch_words[1] > df_arena_words)
    dbg_exit(0xDE);
  w_tag.layer = 0;  // LEA RAM lost its weights with the power
#ifdef DF_LEA_FIR
  fir_tag.layer = 0;  // and SRAM nn_wbuf
#endif
  uint16_t done = load_done();  // read once a boot, then kept in a register
  // Locate the next slice once a boot: its group, its index in the group and its position.
  uint16_t gi = 0, s = done, slices = 0;
  df_group_t g;
  for (; gi < n_groups; ++gi) {
    g = df_plan.groups[gi];
    slices = (uint16_t)(g.ny * g.nx * g.nc);
    if (s < slices) break;
    s = (uint16_t)(s - slices);
  }
  df_slice_pos_t pos;
  if (gi < n_groups) df_slice_pos(net->layers, &g, s, &pos);
  while (gi < n_groups) {
    if (run_slice(net, input, &g, &pos) != NN_OK) dbg_exit(0xDF);
    done = (uint16_t)(done + 1u);
    store_done(done);  // commit: one atomic FRAM word (Gray-coded on the external FRAM)
    dbg_marker(DBG_SLICE_DONE, done);
    // The next slice: stepped from this one (no division on the slice path).
    s = (uint16_t)(s + 1u);
    if (s < slices) {
      df_slice_next(net->layers, &g, &pos);
      continue;
    }
    dbg_marker(DBG_LAYER_DONE, g.last);
    if (++gi == n_groups) break;
    g = df_plan.groups[gi];
    slices = (uint16_t)(g.ny * g.nx * g.nc);
    s = 0;
    pos.c0 = pos.y0 = pos.x0 = 0;
  }
#ifdef IPSIM_NVM_SPI
  uint16_t nc = net->n_classes < 16 ? net->n_classes : 16;
  nvm_read(df_scores, fram_buf(df_plan.groups[n_groups - 1u].out_buf), (uint16_t)(2u * nc));
  return df_scores;
#else
  return fram_buf(df_plan.groups[n_groups - 1u].out_buf);
#endif
}
