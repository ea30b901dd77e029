// layerwise-checkpoint: the plain task-based baseline (design.md §6).
//
// Preserves: every layer's whole output feature map, in FRAM. Layer i reads one of the two
// FRAM ping-pong maps (fmap_a/fmap_b, as nn_forward) and writes the other, so its input is
// never overwritten while it runs.
// Commits: each layer is cut into tiles of about LW_TILE_MACS multiply-accumulates: a run
// of output rows of one channel, a run of columns of one row when a row is bigger, a run
// of FC neurons, or, when a single output is bigger (an FC neuron, a conv output over many
// input channels), one input chunk of that output, whose int32 partial sum is kept in a
// two-slot FRAM buffer (lw_acc) selected by tile parity. So every tile fits a short
// on-period. After a tile's outputs are in FRAM, one FRAM word, lw_done = tiles completed
// in this inference (it encodes layer index + tile index), is written; a 16-bit FRAM write
// is atomic, so that word is the whole commit.
// Resumes: at every boot the layer table is walked to turn lw_done into (layer, tile) and
// execution restarts at that tile. A tile cut by a power failure is recomputed from
// scratch: it only reads the layer's input map (and the other lw_acc slot), so redoing it
// is idempotent.
// NVM writes per inference: the input copy into fmap_a and each layer's output map once (as
// continuous; plus the part of a tile redone after each failure), 2 B of lw_done per tile
// plus 2 at begin, and 4 B of lw_acc per chunk of a split output but its last. Tiles per
// layer (tiling()): on cpu, conv/pool outputs of ~LW_TILE_MACS MACs (rows, or column runs),
// FC neuron runs, or C_in-chunks of one output when it exceeds the budget; on lea-mac and
// lea-fir, conv/FC tiles of ~LW_LEA_TILE_CYCLES estimated cycles (lea_tiling()), never split,
// so no lw_acc. Exact under continuous power (tests/strategies/nvm_closed_form.py).
// Kernels: cpu, lea-mac and lea-fir (kernel.h); on the LEA kernels the conv and FC tiles are
// whole rows or neurons (lea_tiling), pools keep the CPU tiling.
// Mechanism: task-based checkpointing at tile granularity with one atomic progress word
// (Alpaca-like tasks whose output goes to a buffer other than their input, so neither
// privatisation nor a redo log is needed).
//
// On the external SPI FRAM (IPSIM_NVM_SPI: infer_<net>_layerwise_checkpoint_<kernel>_spi.elf;
// docs/spi_fram.md) fmap_a/fmap_b, lw_done and lw_acc are objects of the external FRAM. The
// tiles are those above, on every kernel. A tile reads the input region it needs (its
// rows/columns with the halo, every input channel but for pools, an FC layer's whole input)
// into a band: lw_in in SRAM, or on the LEA kernels for conv and FC tiles the part of LEA RAM
// the kernel lends (kernel_stage, so the input goes straight from the part into LEA RAM); the
// kernel computes the tile into lw_out, and the tile is written back, one transfer per
// contiguous run, before lw_done; a chunk of a split output reads its input channels' kernel rows
// (or its FC input run) and writes its partial sum to lw_acc[done & 1] or its output word. The
// argument is unchanged (a tile reads only the input map and the other lw_acc slot, so a cut tile,
// a cut write included, is redone whole); lw_done is Gray-coded (nvm_store.h), so a cut commit
// leaves the old or the new count. External-FRAM bytes written: the closed form above, under
// the same symbols; on-chip FRAM gets only the application's words (infer_main.c).
#include "kernels/runtime/debug_port.h"
#include "kernels/runtime/sections.h"
#include "kernels/strategies/kernel.h"
#include "kernels/strategies/strategy.h"
#include "kernels/strategies/strategy_buffers.h"
#ifdef IPSIM_NVM_SPI
#include "kernels/runtime/nvm_store.h"
#endif

const char strategy_name[] = "layerwise-checkpoint";

// Work per tile: small enough that a tile fits in a short on-period (~25k cycles with
// the plain C kernels, ~170 cycles per MAC), large enough that the 2-byte progress
// write stays small next to the tile's outputs.
#ifndef LW_TILE_MACS
#define LW_TILE_MACS 128u
#endif

#ifdef IPSIM_NVM_SPI
NVM_OBJECT(lw_done, 2);  // tiles completed in the current inference (Gray-coded)
NVM_OBJECT(lw_acc, 8);   // the two int32 partial-sum slots
// SRAM bands of one tile's input region and output. The cpu kernel's tiles need at most 350
// input words (mnist8 conv2's chunk of 5 channels x 5 rows x 14) and 32 outputs. The LEA
// kernels' conv and FC tiles need up to 1200 input words (mnist conv2 on lea-fir), which do not
// fit the CPU SRAM next to kernels/nn's weight buffer and a stack: those are staged in the LEA
// RAM the kernel lends (kernel_stage); their outputs take at most 127 words (har conv1's row).
#define LW_IN_WORDS 512
#define LW_OUT_WORDS 128
static int16_t lw_in[LW_IN_WORDS];
static int16_t lw_out[LW_OUT_WORDS];
#else
// Tiles completed in the current inference: the progress state.
IPSIM_PERSISTENT volatile uint16_t lw_done;
// An output whose dot product exceeds LW_TILE_MACS (an FC neuron, or a conv output with
// many input channels) is split into input chunks (input indices for FC, input channels
// for conv), one per tile; its int32 partial sum lives here between chunks. Tile t reads
// lw_acc[(t+1)&1] and writes lw_acc[t&1], so redoing a cut chunk is idempotent and the commit stays
// one word.
IPSIM_PERSISTENT int32_t lw_acc[2];
#endif
// SRAM buffer for one chunk's weights.
static int16_t lw_wbuf[LW_TILE_MACS];

typedef struct {
  uint16_t chunks;    // tiles per output (> 1 when one output exceeds the budget)
  uint16_t span;      // per chunk: FC input indices, or conv input channels
  uint16_t per_row;   // tiles per output row (> 1 when one row exceeds the budget)
  uint16_t rows;      // output rows per tile (when per_row == 1)
  uint16_t cols;      // output columns per tile (when per_row > 1)
  uint16_t per_chan;  // tiles per output channel
  uint16_t count;     // tiles in the layer
} lw_tiling_t;

static uint16_t div_up(uint16_t a, uint16_t b) {
  return (uint16_t)((a + b - 1u) / b);
}

// Multiply-accumulates (or window elements) per output element.
static uint16_t ops_per_output(const nn_layer_t* l) {
  switch (l->op) {
    case NN_OP_CONV2D:
    case NN_OP_CONV1D:
      return (uint16_t)(l->in.c * l->kh * l->kw);
    case NN_OP_MAXPOOL:
    case NN_OP_AVGPOOL:
      return (uint16_t)(l->kh * l->kw);
    case NN_OP_FC:
      return nn_shape_words(l->in);
    default:
      return 1;
  }
}

// On the LEA kernels a tile is sized by its estimated cycles, LW_LEA_TILE_CYCLES: the
// per-command cost dominates there, not the MACs. Estimates (cycles, measured on this
// simulator's LEA model; the LEA MAC latency is facts §4.3's 1.5 n + 616):
// - lea-mac conv output: about 1300 + 5 per receptive-field word (the CPU gather);
// - lea-fir conv output row: per input channel, a band DMA and a channel add, and per kernel
//   row one FIR of in.w outputs at (taps + 6) cycles each and a row add; about 300 cycles
//   per command besides (the driver, LPM0 and the ISR);
// - FC neuron: about 700 + 4 per weight (the weight-row DMA and the MAC).
// A tile is a run of outputs (lea-mac: columns of one row when a row is too long), of whole
// rows (lea-fir, which runs its FIRs over full rows), or of FC neurons; never less than one
// row (lea-fir) or output, never a part of one output.
#ifndef LW_LEA_TILE_CYCLES
#define LW_LEA_TILE_CYCLES 20000ul
#endif

static uint16_t per_budget(uint32_t cost) {
  const uint32_t n = LW_LEA_TILE_CYCLES / cost;
  return n == 0 ? 1u : n > 0xFFFFu ? 0xFFFFu : (uint16_t)n;
}

static lw_tiling_t lea_tiling(const nn_layer_t* l, uint16_t ops) {
  lw_tiling_t t;
  t.chunks = 1;
  t.span = 0;
  t.per_row = 1;
  if (l->op == NN_OP_FC) {
    t.rows = per_budget(700u + 4ul * ops);
    t.cols = 1;
    t.per_chan = 1;
    t.count = div_up(l->out.c, t.rows);
    return t;
  }
  uint16_t rows, outs = l->out.w;
  if (kernel_id == NN_KERNEL_LEA_FIR) {
    const uint32_t taps = (uint32_t)l->kw + (l->kw & 1u);
    rows = per_budget((uint32_t)l->in.c * (l->kh * (l->in.w * (taps + 6u) + 600u) + 600u));
  } else {
    outs = per_budget(1300u + 5ul * ops);
    rows = outs >= l->out.w ? (uint16_t)(outs / l->out.w) : 0u;
  }
  if (rows) {  // whole rows
    t.rows = rows;
    t.cols = l->out.w;
    t.per_chan = div_up(l->out.h, rows);
  } else {  // a row cut into balanced column runs
    t.per_row = div_up(l->out.w, outs);
    t.rows = 1;
    t.cols = div_up(l->out.w, t.per_row);
    t.per_chan = (uint16_t)(l->out.h * t.per_row);
  }
  t.count = (uint16_t)(l->out.c * t.per_chan);
  return t;
}

static lw_tiling_t tiling(const nn_layer_t* l) {
  lw_tiling_t t;
  t.chunks = 1;
  t.span = 0;
  const uint16_t ops = ops_per_output(l);
  if (kernel_id != NN_KERNEL_CPU &&
      (l->op == NN_OP_CONV2D || l->op == NN_OP_CONV1D || l->op == NN_OP_FC))
    return lea_tiling(l, ops);
  uint16_t outs = (uint16_t)(LW_TILE_MACS / ops);  // outputs per tile
  if (outs == 0) outs = 1;
  if (l->op == NN_OP_FC) {  // FC: a run of neurons, or input chunks of one neuron
    t.per_row = 1;
    t.rows = outs;
    t.cols = 1;
    t.per_chan = 1;
    t.chunks = div_up(ops, LW_TILE_MACS);
    t.span = LW_TILE_MACS;
    t.count = t.chunks > 1 ? (uint16_t)(l->out.c * t.chunks) : div_up(l->out.c, outs);
  } else if ((l->op == NN_OP_CONV2D || l->op == NN_OP_CONV1D) && ops > LW_TILE_MACS &&
             l->in.c > 1) {  // one output per tile group, input channels in chunks
    const uint16_t taps = (uint16_t)(l->kh * l->kw);
    t.span = (uint16_t)(LW_TILE_MACS / taps);
    if (t.span == 0) t.span = 1;
    t.chunks = div_up(l->in.c, t.span);
    t.per_row = t.rows = t.cols = t.per_chan = 0;
    t.count = (uint16_t)(nn_shape_words(l->out) * t.chunks);
  } else if (outs >= l->out.w) {  // whole rows
    t.per_row = 1;
    t.rows = (uint16_t)(outs / l->out.w);
    t.cols = l->out.w;
    t.per_chan = div_up(l->out.h, t.rows);
    t.count = (uint16_t)(l->out.c * t.per_chan);
  } else {  // a row cut into balanced column runs
    t.per_row = div_up(l->out.w, outs);
    t.rows = 1;
    t.cols = div_up(l->out.w, t.per_row);
    t.per_chan = (uint16_t)(l->out.h * t.per_row);
    t.count = (uint16_t)(l->out.c * t.per_chan);
  }
  return t;
}

static nn_region_t tile_region(const nn_layer_t* l, const lw_tiling_t* t, uint16_t k) {
  nn_region_t r;
  if (l->op == NN_OP_FC) {
    r.c0 = (uint16_t)(k * t->rows);
    r.c1 = (uint16_t)(r.c0 + t->rows);
    if (r.c1 > l->out.c) r.c1 = l->out.c;
    r.y0 = 0;
    r.y1 = 1;
    r.x0 = 0;
    r.x1 = 1;
    return r;
  }
  r.c0 = (uint16_t)(k / t->per_chan);
  r.c1 = (uint16_t)(r.c0 + 1u);
  const uint16_t in_chan = (uint16_t)(k % t->per_chan);
  if (t->per_row == 1) {
    r.y0 = (uint16_t)(in_chan * t->rows);
    r.y1 = (uint16_t)(r.y0 + t->rows);
    if (r.y1 > l->out.h) r.y1 = l->out.h;
    r.x0 = 0;
    r.x1 = l->out.w;
  } else {
    r.y0 = (uint16_t)(in_chan / t->per_row);
    r.y1 = (uint16_t)(r.y0 + 1u);
    r.x0 = (uint16_t)((in_chan % t->per_row) * t->cols);
    r.x1 = (uint16_t)(r.x0 + t->cols);
    if (r.x1 > l->out.w) r.x1 = l->out.w;
  }
  return r;
}

// The maps and partial sums a chunk reads and writes: memory-mapped FRAM in place, or the
// external FRAM through SRAM (lw_in). One dot_chunk serves both; in place, each accessor is
// the expression the loop had before it served the external FRAM (the same code and cycles).
#ifdef IPSIM_NVM_SPI
typedef nvm_addr_t lw_map_t;
typedef nvm_addr_t lw_out_map_t;
static inline int32_t lw_acc_load(uint16_t slot) {
  int32_t a;
  nvm_read(&a, lw_acc_addr + 4u * slot, 4);
  return a;
}
static inline void lw_acc_store(uint16_t slot, int32_t a) {
  nvm_write(lw_acc_addr + 4u * slot, &a, 4);
}
static inline void lw_out_store(lw_out_map_t m, uint16_t o, int16_t v) {
  nvm_write(m + 2u * o, &v, 2);
}
// Input rows [ya, ya + words / in.w) of channel ic into lw_in.
static inline void lw_stage_rows(const nn_layer_t* l, lw_map_t m, uint16_t ic, int16_t ya,
                                 uint16_t words) {
  if (words > LW_IN_WORDS) dbg_exit(0xE003u);
  nvm_read(lw_in, m + 2u * (((uint32_t)ic * l->in.h + (uint16_t)ya) * l->in.w),
           (uint16_t)(2u * words));
}
// FC input a0 + i (staged: lw_in holds [a0, a0 + n)); channel ic's rows from output row y's
// first (unpadded); channel ic with its rows [ya, yb) staged, and the row index in it.
#define LW_STAGE_FC(in, a0, n) nvm_read(lw_in, (in) + 2u * (a0), (uint16_t)(2u * (n)))
#define LW_FC(in, a0, i) lw_in[i]
#define LW_ROWS_AT(in, ic, y)                                                                   \
  ((void)in_plane, lw_stage_rows(l, in, ic, (int16_t)((y)*l->sh), (uint16_t)(l->kh * l->in.w)), \
   lw_in)
#define LW_CHAN(in, ic) (lw_stage_rows(l, in, ic, ya, (uint16_t)((yb - ya) * in_w)), lw_in)
#define LW_ROW(iy) ((iy)-ya)
#else
typedef const int16_t* lw_map_t;
typedef int16_t* lw_out_map_t;
static inline int32_t lw_acc_load(uint16_t slot) {
  return lw_acc[slot];
}
static inline void lw_acc_store(uint16_t slot, int32_t a) {
  lw_acc[slot] = a;
}
static inline void lw_out_store(lw_out_map_t m, uint16_t o, int16_t v) {
  m[o] = v;
}
#define LW_STAGE_FC(in, a0, n) ((void)0)
#define LW_FC(in, a0, i) (in)[(a0) + (i)]
#define LW_ROWS_AT(in, ic, y) ((in) + (uint16_t)((ic)*in_plane) + (uint16_t)((y)*l->sh * l->in.w))
#define LW_CHAN(in, ic) ((in) + (uint16_t)((ic)*l->in.h * l->in.w))
#define LW_ROW(iy) (iy)
#endif

// Chunk j of output `o` (FC neuron, or conv output element in CHW order), tile `done` of
// the inference. The sum is the golden kernel's, bias first and products in weight order,
// cut at chunk borders (int32 sums cannot overflow, q15.h), requantized at the last chunk.
// On the external FRAM each input channel's kernel rows (clipped to the map) or the FC input
// run are read into lw_in first.
static void dot_chunk(const nn_layer_t* l, lw_map_t in, lw_out_map_t out, const lw_tiling_t* t,
                      uint16_t k, uint16_t done) {
  const uint16_t o = (uint16_t)(k / t->chunks), j = (uint16_t)(k % t->chunks);
  const int is_fc = l->op == NN_OP_FC;
  const uint16_t taps = is_fc ? 1u : (uint16_t)(l->kh * l->kw);
  const uint16_t width = is_fc ? nn_shape_words(l->in) : l->in.c;  // FC inputs or channels
  const uint16_t plane = is_fc ? 1u : (uint16_t)(l->out.h * l->out.w);
  const uint16_t oc = (uint16_t)(o / plane), e = (uint16_t)(o % plane);
  const uint16_t a0 = (uint16_t)(j * t->span);
  const uint16_t n = (uint16_t)(width - a0 < t->span ? width - a0 : t->span);
  const uint16_t words = (uint16_t)(n * taps);
  if (words > LW_TILE_MACS) dbg_exit(0xE002u);
  int32_t acc;
  if (j == 0)
    nn_far_read(&acc, *l->bias + (nn_far_addr_t)oc * 4u, 4);
  else
    acc = lw_acc_load((done + 1u) & 1u);
  nn_far_read(lw_wbuf, *l->weights + ((nn_far_addr_t)oc * width + a0) * taps * 2u,
              (uint16_t)(words * 2u));
  if (is_fc) {
    LW_STAGE_FC(in, a0, n);
    for (uint16_t i = 0; i < n; ++i) acc += (int32_t)lw_wbuf[i] * LW_FC(in, a0, i);
  } else if (l->ph | l->pw) {  // zero padding: taps outside the map add nothing
    const int16_t y0 = (int16_t)((int16_t)((e / l->out.w) * l->sh) - (int16_t)l->ph);
    const int16_t x0 = (int16_t)((int16_t)((e % l->out.w) * l->sw) - (int16_t)l->pw);
    const int16_t in_h = (int16_t)l->in.h, in_w = (int16_t)l->in.w;
#ifdef IPSIM_NVM_SPI  // the rows read: [ya, yb)
    const int16_t ya = y0 < 0 ? 0 : y0;
    const int16_t yb = (int16_t)(y0 + l->kh) > in_h ? in_h : (int16_t)(y0 + l->kh);
#endif
    const int16_t* w = lw_wbuf;
    for (uint16_t ic = a0; ic < (uint16_t)(a0 + n); ++ic) {
      const int16_t* chan = LW_CHAN(in, ic);
      for (int16_t iy = y0; iy < (int16_t)(y0 + l->kh); ++iy, w += l->kw) {
        if (iy < 0 || iy >= in_h) continue;
        for (int16_t kx = 0; kx < (int16_t)l->kw; ++kx) {
          const int16_t ix = (int16_t)(x0 + kx);
          if (ix >= 0 && ix < in_w) acc += (int32_t)w[kx] * chan[LW_ROW(iy) * in_w + ix];
        }
      }
    }
  } else {
    const uint16_t y = (uint16_t)(e / l->out.w), x = (uint16_t)(e % l->out.w);
    const uint16_t in_plane = (uint16_t)(l->in.h * l->in.w);
    const int16_t* w = lw_wbuf;
    for (uint16_t ic = a0; ic < (uint16_t)(a0 + n); ++ic) {
      const int16_t* p = LW_ROWS_AT(in, ic, y) + (uint16_t)(x * l->sw);
      for (uint16_t ky = 0; ky < l->kh; ++ky, p += l->in.w, w += l->kw)
        for (uint16_t kx = 0; kx < l->kw; ++kx) acc += (int32_t)w[kx] * p[kx];
    }
  }
  if (j + 1u < t->chunks) {
    lw_acc_store(done & 1u, acc);
  } else {
    const int16_t v = q15_requant(acc, l->shift);
    lw_out_store(out, o, l->relu ? q15_relu(v) : v);
  }
}

#ifndef IPSIM_NVM_SPI
void strategy_begin(const nn_network_t* net, uint16_t input) {
  // Both steps may be repeated: the input only lands in fmap_a, progress is reset last.
  nn_network_load_input(net, input, fmap_a);
  lw_done = 0;
}

const int16_t* strategy_run(const nn_network_t* net, uint16_t input) {
  (void)input;
  kernel_init();
  int16_t* const bufs[2] = {fmap_a, fmap_b};
  uint16_t base = 0;  // tiles of the layers before layer i
  for (uint16_t i = 0; i < net->n_layers; ++i) {
    const nn_layer_t* l = &net->layers[i];
    const lw_tiling_t t = tiling(l);
    const nn_src_t src = nn_src_dense(bufs[i & 1u], l->in);
    const nn_dst_t dst = nn_dst_dense(bufs[(i + 1u) & 1u], l->out);
    for (uint16_t done = lw_done; done < (uint16_t)(base + t.count); done = lw_done) {
      if (t.chunks > 1) {
        dot_chunk(l, bufs[i & 1u], bufs[(i + 1u) & 1u], &t, (uint16_t)(done - base), done);
      } else {
        const nn_region_t r = tile_region(l, &t, (uint16_t)(done - base));
        if (kernel_layer_forward(l, &src, &dst, &r) != NN_OK) dbg_exit(0xE001u);
      }
      __asm__ volatile("" ::: "memory");  // the tile is in FRAM before it is committed
      lw_done = (uint16_t)(done + 1u);
      dbg_marker(DBG_PROGRESS, (uint16_t)(done + 1u));
      if ((uint16_t)(done + 1u) == (uint16_t)(base + t.count)) dbg_marker(DBG_LAYER_DONE, i);
    }
    base = (uint16_t)(base + t.count);
  }
  return bufs[net->n_layers & 1u];
}
#else  // IPSIM_NVM_SPI: the same tiles, staged through SRAM

static uint32_t region_words(const nn_region_t* r) {
  return (uint32_t)(r->c1 - r->c0) * (r->y1 - r->y0) * (r->x1 - r->x0);
}

// Moves region r of the dense CHW map of shape sh at `map` from (write 0) or to (write 1) the
// SRAM band holding exactly r: one transfer per contiguous run.
static void lw_region(int write, nvm_addr_t map, nn_shape_t sh, const nn_region_t* r,
                      int16_t* band) {
  const uint16_t rows = (uint16_t)(r->y1 - r->y0), cols = (uint16_t)(r->x1 - r->x0);
  const int full_rows = r->x0 == 0 && r->x1 == sh.w;
  const int full_map = full_rows && r->y0 == 0 && r->y1 == sh.h;
  const uint16_t run = full_map    ? (uint16_t)((r->c1 - r->c0) * rows * cols)
                       : full_rows ? (uint16_t)(rows * cols)
                                   : cols;
  for (uint16_t c = r->c0; c < r->c1; c = full_map ? r->c1 : (uint16_t)(c + 1u))
    for (uint16_t y = r->y0; y < r->y1; y = full_rows ? r->y1 : (uint16_t)(y + 1u)) {
      const nvm_addr_t at = map + 2u * (((uint32_t)c * sh.h + y) * sh.w + r->x0);
      if (write)
        nvm_write(at, band, (uint16_t)(run * 2u));
      else
        nvm_read(band, at, (uint16_t)(run * 2u));
      band += run;
    }
}

static nn_src_t band_src(const int16_t* data, const nn_region_t* r) {
  const uint16_t cols = (uint16_t)(r->x1 - r->x0);
  nn_src_t v = {data, r->c0, r->y0, r->x0, (uint16_t)((r->y1 - r->y0) * cols), cols};
  return v;
}
static nn_dst_t band_dst(int16_t* data, const nn_region_t* r) {
  const uint16_t cols = (uint16_t)(r->x1 - r->x0);
  nn_dst_t v = {data, r->c0, r->y0, r->x0, (uint16_t)((r->y1 - r->y0) * cols), cols};
  return v;
}

// One whole tile (region r of layer l): input region in, tile computed in SRAM, tile out.
static void lw_tile(const nn_layer_t* l, nvm_addr_t in, nvm_addr_t out, const nn_region_t* r) {
  nn_region_t ri;
  if (l->op == NN_OP_FC) {  // the FC region calls read the whole dense input
    ri = (nn_region_t){0, l->in.c, 0, l->in.h, 0, l->in.w};
  } else {
    nn_input_rows(l, r->y0, r->y1, &ri.y0, &ri.y1);
    nn_input_cols(l, r->x0, r->x1, &ri.x0, &ri.x1);
    const int per_channel = l->op == NN_OP_MAXPOOL || l->op == NN_OP_AVGPOOL || l->op == NN_OP_RELU;
    ri.c0 = per_channel ? r->c0 : 0;
    ri.c1 = per_channel ? r->c1 : l->in.c;
  }
  uint16_t cap;
  int16_t* band = kernel_stage(l, &cap);  // the LEA kernels' LEA RAM, or lw_in
  if (!band) band = lw_in, cap = LW_IN_WORDS;
  if (region_words(&ri) > cap || region_words(r) > LW_OUT_WORDS) dbg_exit(0xE003u);
  lw_region(0, in, l->in, &ri, band);
  const nn_src_t src = band_src(band, &ri);
  const nn_dst_t dst = band_dst(lw_out, r);
  if (kernel_layer_forward(l, &src, &dst, r) != NN_OK) dbg_exit(0xE001u);
  lw_region(1, out, l->out, r, lw_out);
}

void strategy_begin(const nn_network_t* net, uint16_t input) {
  // Both steps may be repeated: the input only lands in fmap_a, progress is reset last.
  nvm_init();
  const uint16_t words = nn_shape_words(net->in);
  const nn_far_addr_t src = *net->inputs + (nn_far_addr_t)input * words * 2u;
  for (uint16_t at = 0; at < words; at = (uint16_t)(at + LW_IN_WORDS)) {
    const uint16_t n = words - at < LW_IN_WORDS ? (uint16_t)(words - at) : LW_IN_WORDS;
    nn_far_read(lw_in, src + (nn_far_addr_t)at * 2u, (uint16_t)(2u * n));
    nvm_write(fmap_a_addr + 2u * at, lw_in, (uint16_t)(2u * n));
  }
  nvm_store_counter(lw_done_addr, 0);
}

const int16_t* strategy_run(const nn_network_t* net, uint16_t input) {
  (void)input;
  kernel_init();
  nvm_init();
  const nvm_addr_t bufs[2] = {fmap_a_addr, fmap_b_addr};
  uint16_t done = nvm_load_counter(lw_done_addr);  // read once a boot
  uint16_t base = 0;                               // tiles of the layers before layer i
  for (uint16_t i = 0; i < net->n_layers; ++i) {
    const nn_layer_t* l = &net->layers[i];
    const lw_tiling_t t = tiling(l);
    for (; done < (uint16_t)(base + t.count); ++done) {
      if (t.chunks > 1) {
        dot_chunk(l, bufs[i & 1u], bufs[(i + 1u) & 1u], &t, (uint16_t)(done - base), done);
      } else {
        const nn_region_t r = tile_region(l, &t, (uint16_t)(done - base));
        lw_tile(l, bufs[i & 1u], bufs[(i + 1u) & 1u], &r);
      }
      nvm_store_counter(lw_done_addr, (uint16_t)(done + 1u));  // after the tile's writes
      dbg_marker(DBG_PROGRESS, (uint16_t)(done + 1u));
      if ((uint16_t)(done + 1u) == (uint16_t)(base + t.count)) dbg_marker(DBG_LAYER_DONE, i);
    }
    base = (uint16_t)(base + t.count);
  }
  static int16_t scores[16];
  const uint16_t nc = net->n_classes < 16 ? net->n_classes : 16;
  nvm_read(scores, bufs[net->n_layers & 1u], (uint16_t)(2u * nc));
  return scores;
}
#endif
