// Slice planner of the depth-first strategy (depth_first_planner.h).
//
// Energy -> cycles. One charge delivers E = 0.5 C (v_on^2 - v_off^2). The load model
// (energy/load_model.h) draws I = 118 uA/MHz * f_MCLK (LDO assumption): a constant charge of
// 118 pC per cycle at any MCLK, plus 141 pC (0.423 nJ / 3 V) per FRAM cache miss. With a
// constant current the capacitor discharges linearly, so one charge runs
// N = C (v_on - v_off) / q_eff cycles, q_eff = 118 pC + miss_rate * 141 pC. From N the reboot
// (reset charge 102 nC, crt0 + boot) is subtracted and a margin kept for the cost model's error.
//
// Slice cycles = sum over the group's layers of the work of that layer's region + staging of
// the input band + a per-slice overhead. Slices are evaluated in the firmware's order (channel
// block outermost, df_slice_next) with its weight tag (lk_conv_region_resident): a group's
// total leaves out the conv weight loads the tag skips, while its largest slice keeps them
// (the first slice after a reboot reloads). FC weight-row chunks are counted as the firmware
// cuts them: df_lea_w, or the whole arena for a lone FC group on chip (fc_chunk). The coefficients
// were fitted by least squares to the DBG_SLICE_DONE marker intervals of the lea-mac depth-first
// images of kws, har and mnist under continuous power at 16 MHz (1226 slices, max error 7.9 %, mean
// 0.8 %; measured FRAM miss rate 0.12-0.15 per cycle), except pool_elem_fram, fitted to the
// standalone pool groups that tests/strategies/depth_first/test_planner_sim.py measures (their
// slices ran 31-53 % over the estimate without it), and pad_krow / pad_out, the extra of the
// zero-padded gather (lk_conv_point_padded; none of kws, har, mnist pads), solved from the largest
// slices of mnist8's two conv groups on chip (tiles 1x7x1 and 1x1x1; they ran 39 % and 109 % over
// the estimate without them). Approximate: two groups, one network. They are used for every MCLK:
// the charge per cycle does not depend on MCLK in the load model.
//
// On lea-fir (p->kernel == NN_KERNEL_LEA_FIR, infer_<net>_depth_first_lea_fir.elf) the convs
// are nn_conv_fir: LEA FIRs and adds over full-width rows, so conv bands span all columns
// (df_slice_regions' full_width_conv) and conv groups are tiled in bands of rows (and channel
// ranges where no channel is recomputed) of full width. LEA RAM holds the FIR work buffers
// (df_fir_work: input band = lea_x, taps, and three output bands of lea_w words: FIR output,
// row sum, channel sum) instead of lea_w / lea_x; FC layers run in the same buffers. Their
// sizes are compiled into the image, so they are chosen once per network, independently of
// the run's platform: the band size (64..448 words) and whether the FC input stays resident
// that give the cheapest plan on the default platform (df_fir_layout). The cycle model adds
// per-conv features for the FIR formulation (kFirCoef), fitted by the former plan_slices.py
// --calibrate to the DBG_SLICE_DONE intervals of the lea-fir depth-first images of kws, har
// and mnist under continuous power (287 slices, max error 15.3 %, mean 2.8 %); pool_elem_fram
// is the lea-mac value.
#include "kernels/strategies/depth_first_planner.h"

#include <math.h>
#include <string.h>

#include "kernels/nn/nn_conv_fir.h"
#include "kernels/strategies/depth_first_fir.h"
#include "kernels/strategies/depth_first_geometry.h"
#include "kernels/strategies/depth_first_stage.h"

enum {
  F_CONV_MAC,
  F_CONV_KROW,
  F_CONV_OUT,
  F_POOL_ELEM,
  F_POOL_OUT,
  F_POOL_ELEM_FRAM,
  F_FC_MAC,
  F_FC_CHUNK,
  F_CHANNEL,
  F_WEIGHT_WORD,
  F_STAGE_ROW,
  F_STAGE_WORD,
  F_LAYER_CALL,
  F_SLICE,
  F_LEA_CMD,     // lea-fir: per LEA FIR or ADD command (driver, LPM0, ISR)
  F_LEA_CYCLES,  // lea-fir: per LEA cycle of those commands (models/lea.h: FIR 6 + taps, ADD 2)
  F_FIR_LOAD,    // lea-fir: per band of one input channel loaded by DMA into LEA RAM
  F_FIR_COEFF,   // lea-fir: per kernel row reversed into the FIR taps (not fitted)
  F_FIR_OUT,     // lea-fir: per output finished (bias, requantise, ReLU, store)
  F_PAD_KROW,    // lea-mac, zero-padded conv: per kernel row of lk_conv_point_padded
  F_PAD_OUT,     // lea-mac, zero-padded conv: per output of lk_conv_point_padded
  F_COUNT
};

static const double kCoef[F_COUNT] = {
    8.85,    // per conv MAC: one word gathered into LEA RAM + 1.5 LEA cycles
    20.1,    // per kernel row (output x in_c x kh): one gather run
    1073.5,  // per conv output: LEA command (driver, LPM0, ISR), requantise, store
    106.2,   // per pool window element (CPU, kernels/nn)
    0.0,     // per pool output (absorbed by pool_elem in the fit)
    50.0,    // per pool window element read from a FRAM map (a pool that starts its group)
    1.5,     // per FC multiply-accumulate (LEA)
    642.5,   // per FC weight-row chunk (lea_w words): DMA set-up + LEA command
    580.2,   // per output channel of a region: weight row/channel + bias fetch
    1.5,     // per weight or FC input word moved by DMA into LEA RAM (not fitted)
    60.0,    // per input row segment staged from far FRAM, one DMA (not fitted)
    1.5,     // per input word staged (not fitted)
    150.0,   // per layer region call (not fitted)
    2500.0,  // per slice: locate, region arithmetic, commit, marker (not fitted)
    0.0,     // lea_cmd: none on lea-mac
    0.0,     // lea_cycles
    0.0,     // fir_load
    0.0,     // fir_coeff
    0.0,     // fir_out
    111.6,   // pad_krow: address (nn_src_at) and zero fills per kernel row
    87.0,    // pad_out
};

// lea-fir: kCoef with the FIR features and the terms refitted on the lea-fir images.
static const double kFirCoef[F_COUNT] = {
    8.85,    // conv_mac (unused: convs are FIRs)
    20.1,    // conv_krow (unused)
    1073.5,  // conv_out (unused)
    152.5,   // pool_elem (refitted)
    0.0,     // pool_out
    50.0,    // pool_elem_fram (lea-mac value)
    1.5,     // fc_mac
    791.3,   // fc_chunk (refitted)
    771.1,   // channel (refitted)
    1.5,     // weight_word
    60.0,    // stage_row
    1.5,     // stage_word (also the FIR band loads)
    150.0,   // layer_call
    2500.0,  // slice
    272.5,   // lea_cmd
    1.0,     // lea_cycles
    366.7,   // fir_load
    60.0,    // fir_coeff (not fitted)
    144.6,   // fir_out
    111.6,   // pad_krow (lea-mac value; unused: padded convs do not run on lea-fir)
    87.0,    // pad_out
};

#define FIR_C_WORDS 16  // FIR taps buffer (kw + 1 <= 16)
// lea-fir: cycles of one conv weight load's set-up (the weight and bias reads, two DMAs,
// df_conv_fir_resident) beyond its words. Measured: mnist depth-first lea-fir under continuous
// power ran 20.6 k cycles faster with the loads of df_fir_load_span and the tag (100 loads
// fewer, 1850 weight words fewer at weight_word), so ~180 per load.
#define FIR_LOAD_SETUP 180.0

#define Q_CYCLE (118e-6 / 1e6)                  // C per cycle: 118 uA/MHz (load_model.h)
#define Q_MISS ((6.347e-10 - 2.116e-10) / 3.0)  // C per FRAM miss beyond a hit (load_model.h)
#define RESET_CHARGE 102e-9                     // C, RST/BOR -> active (load_model.h)
#define DF_MAX_DIM 1024                         // longest map dimension planned

df_platform_t df_platform_default(void) {
  df_platform_t p;
  memset(&p, 0, sizeof p);
  p.capacitance_f = 100e-6;
  p.v_on = 2.8;
  p.v_off = 2.4;
  p.mclk_hz = 16e6;
  p.continuous = 0;
  p.kernel = NN_KERNEL_LEA_MAC;
  p.margin = 0.3;
  p.fram_miss_per_cycle = 0.15;
  p.boot_cycles = 3000;
  p.write_weight = 16.0;
  return p;
}

void df_platform_set_spi_fram(df_platform_t* p, double spi_clock_hz) {
  p->nvm_spi = 1;
  p->spi_word_cycles = 16.0 * p->mclk_hz / spi_clock_hz;
  p->spi_read_fixed = 363.0;
  p->spi_write_fixed = 314.0;
  p->spi_standby_a = 100e-6;  // CY15B104Q typ. (models/spi_fram.h)
}

static uint32_t region_words(const nn_region_t* r) {
  return (uint32_t)(r->c1 - r->c0) * (uint32_t)(r->y1 - r->y0) * (uint32_t)(r->x1 - r->x0);
}

static uint16_t even(uint32_t n) {
  return (uint16_t)(n + (n & 1u));
}

static uint16_t ceil_div(uint32_t a, uint32_t b) {
  return (uint16_t)((a + b - 1u) / b);
}

// Output rows per band of nn_conv_fir with the work buffers fir (as nn_conv_fir.c); 0 if
// not even one row fits.
static uint16_t fir_band(const nn_layer_t* L, const df_fir_layout_t* fir) {
  const uint16_t w = nn_fir_width(L);  // a padded layer's FIRs run over its padded rows
  uint16_t band = (uint16_t)(fir->out_words / w);
  while (band && (nn_fir_len(band, w) > fir->out_words || nn_fir_x_words(L, band) > fir->x_words))
    --band;
  return band;
}

// lea-fir conv features of output region r (nn_conv_fir): per output channel, per band, per
// input channel one band load (kh with an odd row width) and kh FIRs, kh - 1 row adds, and
// one channel add.
static void fir_work(const nn_layer_t* L, const nn_region_t* r, const df_fir_layout_t* fir,
                     double* f) {
  const uint32_t nc = (uint32_t)(r->c1 - r->c0), ic = L->in.c, kh = L->kh, w = nn_fir_width(L);
  const uint32_t taps = nn_fir_taps(L->kw), rows = (uint32_t)(r->y1 - r->y0);
  const uint32_t band = fir_band(L, fir), loads = (w & 1u) ? kh : 1u;
  for (uint32_t y = 0; band && y < rows; y += band) {
    const uint32_t b = rows - y < band ? rows - y : band, n = even(b * w);
    const double cmds_fir = (double)ic * kh, cmds_add = (double)ic * (kh - 1) + ic - 1;
    f[F_LEA_CMD] += nc * (cmds_fir + cmds_add);
    f[F_LEA_CYCLES] += (double)nc * n * (cmds_fir * (6 + taps) + cmds_add * 2);
    f[F_FIR_LOAD] += (double)nc * ic * loads;
    f[F_STAGE_WORD] += (double)nc * ic * loads * (b + kh - 1) * w;
    f[F_FIR_COEFF] += (double)nc * ic * kh;
  }
  f[F_FIR_OUT] += region_words(r);
  f[F_CHANNEL] += nc;
  f[F_WEIGHT_WORD] += (double)nc * ic * kh * L->kw;
}

// Adds the cost features of computing output region r of layer L (fir: the lea-fir buffers,
// NULL on lea-mac); returns its MACs.
static uint32_t layer_work(const nn_layer_t* L, const nn_region_t* r, uint16_t chunk,
                           const df_fir_layout_t* fir, double* f) {
  const uint32_t nc = (uint32_t)(r->c1 - r->c0), outs = region_words(r);
  f[F_LAYER_CALL] += 1;
  if (fir && (L->op == NN_OP_CONV2D || L->op == NN_OP_CONV1D)) {
    fir_work(L, r, fir, f);
    return outs * (uint32_t)L->in.c * L->kh * L->kw;
  }
  if (L->op == NN_OP_CONV2D || L->op == NN_OP_CONV1D) {
    const uint32_t k = (uint32_t)L->in.c * L->kh * L->kw;
    f[F_CONV_MAC] += (double)outs * k;
    f[F_CONV_OUT] += outs;
    f[F_CONV_KROW] += (double)outs * L->in.c * L->kh;
    if (L->ph | L->pw) {  // every output of a padded conv takes lk_conv_point_padded
      f[F_PAD_KROW] += (double)outs * L->in.c * L->kh;
      f[F_PAD_OUT] += outs;
    }
    f[F_CHANNEL] += nc;
    f[F_WEIGHT_WORD] += (double)nc * k;
    return outs * k;
  }
  if (L->op == NN_OP_MAXPOOL || L->op == NN_OP_AVGPOOL) {
    f[F_POOL_ELEM] += (double)outs * L->kh * L->kw;
    f[F_POOL_OUT] += outs;
    return 0;
  }
  if (L->op == NN_OP_FC) {
    const uint32_t k = (uint32_t)L->in.c * L->in.h * L->in.w;
    f[F_FC_MAC] += (double)nc * k;
    f[F_CHANNEL] += nc;
    f[F_WEIGHT_WORD] += (double)nc * k + k;  // rows + input
    f[F_FC_CHUNK] += (double)nc * ceil_div(k, chunk);
    return nc * k;
  }
  f[F_POOL_OUT] += outs;  // ReLU
  return 0;
}

static double cycles_of(const double* f, const df_fir_layout_t* fir) {
  const double* k = fir ? kFirCoef : kCoef;
  double c = 0;
  for (int i = 0; i < F_COUNT; ++i) c += k[i] * f[i];
  return c;
}

static void lea_buffers(const nn_network_t* net, uint16_t* w, uint16_t* x) {
  uint32_t conv_k = 2, fc_k = 2;
  for (uint16_t i = 0; i < net->n_layers; ++i) {
    const nn_layer_t* L = &net->layers[i];
    if (L->op == NN_OP_CONV2D || L->op == NN_OP_CONV1D) {
      const uint32_t k = (uint32_t)L->in.c * L->kh * L->kw;
      if (k > conv_k) conv_k = k;
    } else if (L->op == NN_OP_FC) {
      const uint32_t k = (uint32_t)L->in.c * L->in.h * L->in.w;
      if (k > fc_k) fc_k = k;
    }
  }
  *w = even(conv_k);
  *x = even(fc_k) > *w ? even(fc_k) : *w;
}

// External FRAM only: a group that starts with an FC layer whose input fits the LEA's FC
// input buffer reads it straight there (depth_first.c), not into arena 0.
static int spi_fc_direct(const df_platform_t* p, const nn_network_t* net, const df_group_t* g,
                         const df_fir_layout_t* fir) {
  const nn_layer_t* L = &net->layers[g->first];
  if (!p->nvm_spi || g->in_buf == DF_BUF_INPUT || L->op != NN_OP_FC) return 0;
  uint16_t w, x;
  lea_buffers(net, &w, &x);
  return nn_shape_words(L->in) <= (fir ? fir->x_words : x);
}

// External FRAM only: the cycles of slice regions r (n layers) moving its input band in (but
// the sample input, on chip) and its output tile and df_done out, as depth_first.c does.
static double spi_slice_cycles(const df_platform_t* p, const nn_network_t* net, const df_group_t* g,
                               const nn_region_t* r, uint16_t n) {
  double c = 0;
  if (g->in_buf != DF_BUF_INPUT)
    c += p->spi_read_fixed * df_region_runs(net->layers[g->first].in, &r[0]) +
         p->spi_word_cycles * region_words(&r[0]);
  c += p->spi_write_fixed * df_region_runs(net->layers[g->last].out, &r[n]) +
       p->spi_word_cycles * region_words(&r[n]);
  return c + p->spi_write_fixed + p->spi_word_cycles;  // df_done
}

// FC weight-row chunk words of layer L (lk_fc_neuron): the weight buffer's words w_words, or
// the input buffer's x_words if smaller when the input does not fit it (streamed).
static uint16_t fc_chunk(const nn_layer_t* L, uint16_t w_words, uint16_t x_words) {
  const uint32_t k = (uint32_t)L->in.c * L->in.h * L->in.w;
  uint16_t chunk = w_words;
  if (k > x_words && x_words < chunk) chunk = x_words;
  return (uint16_t)(chunk & ~1u);
}

// Evaluates group e->g (its tile set, counts derived here) slice by slice, in the firmware's
// order (df_slice_next). lea_w / lea_x: the LEA operand buffers (on lea-fir the FIR output
// band and input band); arena_words: df_arena.
static void evaluate(const nn_network_t* net, const df_platform_t* p, uint16_t lea_w,
                     uint16_t lea_x, uint16_t arena_words, const df_fir_layout_t* fir,
                     df_group_est_t* e) {
  df_group_t* g = &e->g;
  const nn_layer_t* last = &net->layers[g->last];
  g->ny = ceil_div(last->out.h, g->ty);
  g->nx = ceil_div(last->out.w, g->tx);
  g->nc = ceil_div(last->out.c, g->tc);
  const uint32_t slices = (uint32_t)g->ny * g->nx * g->nc;
  const uint16_t n = (uint16_t)(g->last - g->first + 1u);
  // On the external FRAM every input band is staged, and the tile is built in an arena.
  const int staged = g->in_buf == DF_BUF_INPUT || p->nvm_spi;
  uint32_t computed[DF_MAX_GROUP_LAYERS] = {0};
  e->max_cycles = e->total_cycles = 0;
  e->macs = 0;
  e->need[0] = e->need[1] = 0;
  nn_region_t r[DF_MAX_GROUP_LAYERS + 1];
  const double* coef = fir ? kFirCoef : kCoef;
  // The conv output channel whose weights the LEA holds (depth_first.c's w_layer, w_oc):
  // none at the group's start, as after a reboot.
  int tag_layer = -1;
  uint16_t tag_oc = 0;
  // lea-fir: the output channels [fir_c0, fir_c1) of layer tag_layer nn_wbuf holds
  // (depth_first.c's fir_tag): none at the group's start, as after a reboot.
  uint16_t fir_c0 = 0, fir_c1 = 0;
  df_slice_pos_t pos;
  df_slice_pos(net->layers, g, 0, &pos);
  for (uint32_t s = 0; s < slices; ++s, df_slice_next(net->layers, g, &pos)) {
    df_slice_regions(net->layers, g, &pos, fir != NULL, r);
    double f[F_COUNT] = {0};
    f[F_SLICE] = 1;
    double reused = 0;  // cycles of the weight loads skipped (the tag holds the channel)
    unsigned arena = 0;
    if (staged && !spi_fc_direct(p, net, g, fir)) {
      const uint32_t w = region_words(&r[0]);
      if (w > e->need[0]) e->need[0] = (uint16_t)(w > 0xFFFFu ? 0xFFFFu : w);
      if (g->in_buf == DF_BUF_INPUT) {
        f[F_STAGE_ROW] += (double)(r[0].c1 - r[0].c0) * (r[0].y1 - r[0].y0);
        f[F_STAGE_WORD] += w;
      }
      arena = 1;
    }
    for (uint16_t k = 1; k <= n; ++k) {
      const nn_layer_t* L = &net->layers[g->first + k - 1u];
      const int conv = L->op == NN_OP_CONV2D || L->op == NN_OP_CONV1D;
      uint16_t chunk = lea_w;
      if (L->op == NN_OP_FC) {
        tag_layer = -1;
        // A lone FC layer reading FRAM and writing FRAM chunks its rows in the whole arena.
        if (!p->nvm_spi && n == 1 && !staged && arena_words > lea_w) chunk = arena_words;
        chunk = fc_chunk(L, chunk, lea_x);
      } else if (conv && !fir) {
        if (tag_layer == g->first + k - 1 && tag_oc == r[k].c0)
          reused += coef[F_CHANNEL] + coef[F_WEIGHT_WORD] * L->in.c * L->kh * L->kw;
        tag_layer = g->first + k - 1;
        tag_oc = (uint16_t)(r[k].c1 - 1u);
      } else if (conv) {
        // layer_work counts one load per channel; df_conv_fir_resident skips the channels
        // the tag holds and loads the others in spans (df_fir_load_span), one set-up each.
        const uint32_t kw = (uint32_t)L->in.c * L->kh * L->kw;
        if (tag_layer != g->first + k - 1) fir_c0 = fir_c1 = 0;
        for (uint16_t oc = r[k].c0; oc < r[k].c1; ++oc) {
          if (oc >= fir_c0 && oc < fir_c1) {  // held
            reused += FIR_LOAD_SETUP + coef[F_WEIGHT_WORD] * kw;
            continue;
          }
          const uint16_t span = df_fir_load_span(L, oc, r[k].c1, NN_WBUF_WORDS);
          reused += FIR_LOAD_SETUP * (span - 1u);
          fir_c0 = oc;
          fir_c1 = (uint16_t)(oc + span);
        }
        tag_layer = g->first + k - 1;
      }
      e->macs += layer_work(L, &r[k], chunk, fir, f);
      // A pool that reads its input from FRAM (wait states, cache misses) rather than SRAM.
      if (k == 1 && !staged && (L->op == NN_OP_MAXPOOL || L->op == NN_OP_AVGPOOL))
        f[F_POOL_ELEM_FRAM] += (double)region_words(&r[k]) * L->kh * L->kw;
      if (k < n || p->nvm_spi) {
        const uint32_t w = region_words(&r[k]);
        if (w > e->need[arena]) e->need[arena] = (uint16_t)(w > 0xFFFFu ? 0xFFFFu : w);
        if (k < n) computed[k - 1] += w;
      }
      arena ^= 1u;
    }
    // lea-mac, on chip: a single conv's input band staged into SRAM when that pays
    // (depth_first_stage.h, the firmware's rule): its copies, less the gathers it saves.
    double staged_fram = 0;
    if (!fir && !p->nvm_spi && df_stage_fram_input(net->layers, g, r, arena_words)) {
      const nn_layer_t* L = &net->layers[g->first];
      staged_fram = (double)df_stage_cycles(L->in, &r[0]) -
                    DF_STAGE_SAVE_X16 / 16.0 * region_words(&r[1]) * L->in.c * L->kh * L->kw;
    }
    // The largest slice with its weight loads (the first slice after a reboot reloads); the
    // total without the loads the tag saves.
    const double c =
        cycles_of(f, fir) + staged_fram + (p->nvm_spi ? spi_slice_cycles(p, net, g, r, n) : 0);
    if (c > e->max_cycles) e->max_cycles = c;
    e->total_cycles += c - reused;
  }
  // One whole-group pass (no slicing): the reference for the halo recompute.
  df_group_t whole = *g;
  whole.ty = last->out.h;
  whole.tx = last->out.w;
  whole.tc = last->out.c;
  whole.ny = whole.nx = whole.nc = 1;
  df_slice_pos_t origin = {0, 0, 0};
  df_slice_regions(net->layers, &whole, &origin, fir != NULL, r);
  double f[F_COUNT] = {0};
  e->golden_macs = 0;
  for (uint16_t k = 1; k <= n; ++k)
    e->golden_macs += layer_work(&net->layers[g->first + k - 1u], &r[k], lea_w, fir, f);
  memset(e->halo_words, 0, sizeof e->halo_words);
  for (uint16_t k = 1; k < n; ++k) e->halo_words[k - 1] = computed[k - 1] - region_words(&r[k]);
  e->write_bytes = 2u * nn_shape_words(last->out) + 2u * slices;
}

// Tile sizes worth trying along a dimension of n: the smallest for each slice count,
// largest first. Returns how many.
static uint16_t steps(uint16_t n, uint16_t* out) {
  uint16_t m = 0;
  for (uint16_t k = 1; k <= n; ++k) {
    const uint16_t t = ceil_div(n, k);
    if (m == 0 || out[m - 1] != t) out[m++] = t;
  }
  return m;
}

static int fits(const uint16_t* need, uint16_t arena_words) {
  return (uint32_t)even(need[0]) + even(need[1]) <= arena_words;
}

typedef struct {
  const nn_network_t* net;
  const df_platform_t* p;
  uint16_t lea_w, lea_x, arena_words;  // LEA operand buffers (lea-fir: FIR bands), df_arena
  double budget;                       // one charge's slice budget (the failure rate)
  double limit;  // the largest slice allowed: budget, or the platform's cap if smaller
  const df_fir_layout_t* fir;  // lea-fir buffers, NULL on lea-mac
  uint16_t cap[2];             // most words of arena 0 and 1 a group may use
} ctx_t;

// External FRAM only (the on-chip FRAM plans are never capped): caps of arena 0 and 1 for
// retry `split` (1..7), arena 0 getting split/8 of the arenas' words. Returns 0 otherwise.
static int spi_arena_caps(const df_platform_t* p, uint16_t arena_words, unsigned split,
                          uint16_t* cap) {
  if (!p->nvm_spi || split == 0 || split >= 8) return 0;
  cap[0] = (uint16_t)((uint32_t)arena_words * split / 8u);
  cap[1] = (uint16_t)(arena_words - cap[0]);
  return 1;
}

// The cheapest feasible tile of layers [first, last] into *best (returns 0 if none), and the
// smallest largest-slice seen among the tiles that fit SRAM (*smallest).
static int best_group(const ctx_t* c, uint8_t first, uint8_t last, df_group_est_t* best,
                      double* smallest) {
  const nn_network_t* net = c->net;
  const nn_layer_t* L = &net->layers[last];
  uint16_t sy[DF_MAX_DIM], sx[DF_MAX_DIM], sc[DF_MAX_DIM];
  const uint16_t ny = steps(L->out.h, sy), nx = steps(L->out.w, sx), nc = steps(L->out.c, sc);
  int found = 0;
  *smallest = INFINITY;
  // Channel ranges too, where no channel is recomputed: one layer, or a first layer followed
  // only by channel-wise layers (pools, ReLU).
  int channel_wise = 1;
  for (uint8_t i = (uint8_t)(first + 1u); i <= last; ++i) {
    const uint8_t op = net->layers[i].op;
    if (op != NN_OP_MAXPOOL && op != NN_OP_AVGPOOL && op != NN_OP_RELU) channel_wise = 0;
  }
  const int fc = L->op == NN_OP_FC;
  // lea-fir convolves full-width rows: a group with a conv is tiled in full-width bands of
  // rows, and channel ranges where no channel is recomputed.
  int fir_rows = 0;
  if (c->fir && !fc)
    for (uint8_t i = first; i <= last; ++i)
      if (net->layers[i].op == NN_OP_CONV2D || net->layers[i].op == NN_OP_CONV1D) fir_rows = 1;
  const uint32_t fir_nc = channel_wise ? nc : 1u;
  // Candidates (ty, tx, tc): bands of rows (columns), largest first, then channel ranges.
  const uint32_t n_a = fc ? nc : fir_rows ? (uint32_t)ny * fir_nc : (uint32_t)ny * nx;
  const uint32_t n_b = fc || fir_rows || !channel_wise ? 0 : (uint32_t)nx * nc;
  for (uint32_t i = 0; i < n_a + n_b; ++i) {
    df_group_est_t e;
    memset(&e, 0, sizeof e);
    e.g.first = first;
    e.g.last = last;
    e.g.in_buf = first == 0 ? DF_BUF_INPUT : DF_BUF_A;
    if (fc) {
      e.g.ty = 1, e.g.tx = 1, e.g.tc = sc[i];
    } else if (fir_rows) {
      e.g.ty = sy[i / fir_nc], e.g.tx = L->out.w;
      e.g.tc = channel_wise ? sc[i % fir_nc] : L->out.c;
    } else if (i < n_a) {
      e.g.ty = sy[i / nx], e.g.tx = sx[i % nx], e.g.tc = L->out.c;
    } else {
      const uint32_t j = i - n_a;
      e.g.ty = 1, e.g.tx = sx[j / nc], e.g.tc = sc[j % nc];
      if (e.g.tc == L->out.c) continue;
    }
    evaluate(net, c->p, c->lea_w, c->lea_x, c->arena_words, c->fir, &e);
    if (!fits(e.need, c->arena_words) || e.need[0] > c->cap[0] || e.need[1] > c->cap[1]) continue;
    if (e.max_cycles < *smallest) *smallest = e.max_cycles;
    if (e.max_cycles > c->limit) continue;
    const uint32_t slices = (uint32_t)e.g.ny * e.g.nx * e.g.nc;
    // Expected re-execution: about one power failure per charge, each losing half a slice.
    const double failures = c->p->continuous ? 0.0 : e.total_cycles / c->budget;
    e.cost = e.total_cycles + failures * 0.5 * (e.total_cycles / slices) +
             c->p->write_weight * e.write_bytes;
    if (!found || e.cost < best->cost) {
      *best = e;
      found = 1;
    }
  }
  return found;
}

// lea-fir work buffers for band size out_words (as the former plan_slices.py): x holds
// the largest conv input band (+ zero tail) at that band, and the largest FC input when
// fc_resident (else FC inputs stream through x in chunks, lea_kernels.c). Returns 0 if some
// conv row does not fit out_words.
static int fir_buffers(const nn_network_t* net, uint16_t out_words, int fc_resident,
                       df_fir_layout_t* fir) {
  uint32_t x = 2;
  for (uint16_t i = 0; i < net->n_layers; ++i) {
    const nn_layer_t* L = &net->layers[i];
    if (L->op == NN_OP_FC && fc_resident) {
      const uint32_t k = (uint32_t)L->in.c * L->in.h * L->in.w;
      if (k > x) x = k;
    } else if (L->op == NN_OP_CONV2D || L->op == NN_OP_CONV1D) {
      uint32_t band = out_words / nn_fir_width(L);
      if (band > L->out.h) band = L->out.h;
      if (!band) return 0;
      const uint32_t need = nn_fir_x_words(L, (uint16_t)band);
      if (need > x) x = need;
    }
  }
  fir->x_words = even(x);
  fir->c_words = FIR_C_WORDS;
  fir->out_words = even(out_words);
  fir->fc_resident = fc_resident;
  fir->fc_chunk = fc_resident || fir->out_words < fir->x_words ? fir->out_words : fir->x_words;
  return 1;
}

static int plan_with(const nn_network_t* net, const df_platform_t* p, const df_fir_layout_t* fir,
                     df_plan_result_t* res);

// The FIR buffers of the cheapest default-platform plan, on the on-chip FRAM or (spi) on the
// external FRAM, whose images have their own (plans/<net>_lea_fir_spi_plan.c).
static df_fir_layout_t fir_layout_for(const nn_network_t* net, int spi) {
  // The search plans the network 26 times: remember the last answer of each kind.
  static const nn_network_t* memo_net[2];
  static df_fir_layout_t memo[2];
  if (net == memo_net[spi]) return memo[spi];
  df_platform_t d = df_platform_default();
  d.kernel = NN_KERNEL_LEA_FIR;
  if (spi) df_platform_set_spi_fram(&d, 4e6);
  df_fir_layout_t best, f;
  memset(&best, 0, sizeof best);
  double best_cost = INFINITY;
  static df_plan_result_t r;  // large: not on the stack
  for (uint16_t out = 64; out <= 448; out = (uint16_t)(out + 32))
    for (int resident = 1; resident >= 0; --resident) {
      if (!fir_buffers(net, out, resident, &f)) continue;
      if (plan_with(net, &d, &f, &r) != DF_PLAN_OK) continue;
      double cost = 0;
      for (uint16_t k = 0; k < r.plan.n_groups; ++k) cost += r.est[k].cost;
      if (cost < best_cost) best_cost = cost, best = f;
    }
  if (!isfinite(best_cost) && !fir_buffers(net, 256, 0, &best)) best.out_words = 0;
  memo_net[spi] = net;
  memo[spi] = best;
  return best;
}

df_fir_layout_t df_fir_layout(const nn_network_t* net) {
  return fir_layout_for(net, 0);
}

int df_plan_make(const nn_network_t* net, const df_platform_t* p, df_plan_result_t* res) {
  if (p->kernel != NN_KERNEL_LEA_FIR) return plan_with(net, p, NULL, res);
  const df_fir_layout_t fir = fir_layout_for(net, p->nvm_spi != 0);
  if (fir.out_words == 0) {
    memset(res, 0, sizeof *res);
    res->refused_layer = -1;
    res->status = DF_PLAN_REFUSED_SRAM;
    return res->status;
  }
  return plan_with(net, p, &fir, res);
}

static int plan_with(const nn_network_t* net, const df_platform_t* p, const df_fir_layout_t* fir,
                     df_plan_result_t* res) {
  memset(res, 0, sizeof *res);
  res->refused_layer = -1;
  int32_t fixed;
  if (fir) {  // FC runs in the FIR buffers: input in x, weight-row chunks in the output band
    res->fir = *fir;
    res->lea_w_words = fir->out_words;
    res->lea_x_words = fir->x_words;
    fixed = (int32_t)fir->x_words + fir->c_words + 3 * (int32_t)fir->out_words;
  } else {
    lea_buffers(net, &res->lea_w_words, &res->lea_x_words);
    fixed = (int32_t)res->lea_w_words + res->lea_x_words;
  }
  const int32_t arena = DF_LEA_RAM_WORDS - DF_LEA_STACK_WORDS - DF_LEA_RESULT_WORDS - fixed;
  res->arena_words = arena > 0 ? (uint16_t)arena : 0;
  // The external part draws its standby current from the same capacitor all the time.
  res->q_eff = Q_CYCLE + p->fram_miss_per_cycle * Q_MISS +
               (p->nvm_spi ? p->spi_standby_a / p->mclk_hz : 0.0);
  res->energy_j = 0.5 * p->capacitance_f * (p->v_on * p->v_on - p->v_off * p->v_off);
  res->charge_cycles = p->capacitance_f * (p->v_on - p->v_off) / res->q_eff;
  res->reboot_cycles = RESET_CHARGE / res->q_eff + p->boot_cycles;
  res->budget_cycles =
      p->continuous ? INFINITY : (res->charge_cycles - res->reboot_cycles) * (1.0 - p->margin);
  res->limit_cycles = p->max_slice_cycles > 0 && p->max_slice_cycles < res->budget_cycles
                          ? p->max_slice_cycles
                          : res->budget_cycles;
  res->j_per_cycle = res->q_eff * 0.5 * (p->v_on + p->v_off);
  const uint16_t n = net->n_layers;
  uint32_t layerwise = nn_shape_words(net->in);
  for (uint16_t i = 0; i < n; ++i) layerwise += nn_shape_words(net->layers[i].out);
  res->layerwise_write_bytes = 2u * layerwise;
  int dims_ok = 1;
  for (uint16_t i = 0; i < n; ++i)
    if (net->layers[i].out.h > DF_MAX_DIM || net->layers[i].out.w > DF_MAX_DIM ||
        net->layers[i].out.c > DF_MAX_DIM)
      dims_ok = 0;
  if (arena <= 0 || n == 0 || n > 16 || !dims_ok) {
    res->status = DF_PLAN_REFUSED_SRAM;
    return res->status;
  }

  ctx_t c = {net,
             p,
             res->lea_w_words,
             res->lea_x_words,
             res->arena_words,
             res->budget_cycles,
             res->limit_cycles,
             fir,
             {res->arena_words, res->arena_words}};
  double best_cost = INFINITY;
  unsigned split = 0;
retry:
  // Best tile of every candidate group [first, last] (at most DF_MAX_GROUP_LAYERS layers).
  df_group_est_t cand[16][16];
  int ok[16][16];
  double worst_needed = 0;  // the budget every one-layer group needs
  for (uint8_t first = 0; first < n; ++first)
    for (uint8_t last = first; last < n && last - first < DF_MAX_GROUP_LAYERS; ++last) {
      double smallest;
      ok[first][last] = best_group(&c, first, last, &cand[first][last], &smallest);
      if (split == 0 && first == last && smallest > worst_needed) {
        worst_needed = smallest;
        if (!ok[first][last] && smallest > res->refused_cycles) {
          res->refused_layer = first;
          res->refused_cycles = smallest;
        }
      }
    }
  // The smallest capacitance with which every one-layer group has a feasible tile.
  if (split == 0 && !p->continuous && isfinite(worst_needed))
    res->min_capacitance_f =
        (worst_needed / (1.0 - p->margin) + res->reboot_cycles) * res->q_eff / (p->v_on - p->v_off);

  // Every grouping (cut or not after each layer), buffers alternating between fmap_a/b.
  for (uint32_t cuts = 0; cuts < (1u << (n - 1)); ++cuts) {
    df_group_est_t groups[16];
    uint16_t ng = 0;
    uint8_t start = 0;
    int feasible = 1;
    for (uint8_t i = 0; i < n && feasible; ++i) {
      // Bit i of `cuts` (in the order of itertools.product: the first layer is the top bit).
      const int cut = i == n - 1 || ((cuts >> (n - 2 - i)) & 1u);
      if (!cut) continue;
      if (i - start >= DF_MAX_GROUP_LAYERS || !ok[start][i] || ng == DF_MAX_GROUPS)
        feasible = 0;
      else
        groups[ng++] = cand[start][i];
      start = (uint8_t)(i + 1u);
    }
    if (!feasible) continue;
    int assigned = -1;
    for (int start_buf = 0; start_buf < 2 && assigned < 0; ++start_buf) {
      int all = 1;
      for (uint16_t k = 0; k < ng; ++k)
        if (nn_shape_words(net->layers[groups[k].g.last].out) > net->buf_words[(start_buf + k) % 2])
          all = 0;
      if (all) assigned = start_buf;
    }
    uint16_t need[2] = {0, 0};
    double cost = 0;
    for (uint16_t k = 0; k < ng; ++k) {
      for (int a = 0; a < 2; ++a)
        if (groups[k].need[a] > need[a]) need[a] = groups[k].need[a];
      cost += groups[k].cost;
    }
    if (assigned < 0 || !fits(need, res->arena_words) || !(cost < best_cost)) continue;
    best_cost = cost;
    res->plan.n_groups = ng;
    res->plan.scratch_words[0] = even(need[0] ? need[0] : 1);
    res->plan.scratch_words[1] = even(need[1] ? need[1] : 1);
    for (uint16_t k = 0; k < ng; ++k) {
      res->est[k] = groups[k];
      df_group_t* g = &res->est[k].g;
      g->out_buf = (uint8_t)((assigned + k) % 2);
      g->in_buf = g->first == 0 ? DF_BUF_INPUT : (uint8_t)(g->out_buf ^ 1u);
      res->plan.groups[k] = *g;
    }
  }
  // External FRAM: every group stages its input in arena 0 and builds its tile in an arena,
  // so the cheapest tiles of the groups may overcommit the arenas together. If no grouping
  // fits, plan again with arena 0 capped at split/8 of the arenas (spi_arena_caps).
  if (!isfinite(best_cost) && spi_arena_caps(p, res->arena_words, ++split, c.cap)) goto retry;
  if (!isfinite(best_cost)) {
    res->status = res->refused_layer < 0                      ? DF_PLAN_REFUSED_SRAM
                  : res->refused_cycles <= res->budget_cycles ? DF_PLAN_REFUSED_CAP
                                                              : DF_PLAN_REFUSED_ENERGY;
    return res->status;
  }
  res->plan.magic = DF_PLAN_MAGIC;
  res->plan.total_slices = 0;
  res->write_bytes = 0;
  res->total_cycles = 0;
  for (uint16_t k = 0; k < res->plan.n_groups; ++k) {
    const df_group_t* g = &res->plan.groups[k];
    res->plan.total_slices = (uint16_t)(res->plan.total_slices + g->ny * g->nx * g->nc);
    res->write_bytes += res->est[k].write_bytes;
    res->total_cycles += res->est[k].total_cycles;
  }
  res->status = DF_PLAN_OK;
  return res->status;
}
