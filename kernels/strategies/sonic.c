// sonic: SONIC (Gobieski et al., ASPLOS 2019), software only: loop continuation plus
// loop-ordered buffering.
//
// Preserves: every layer's output map in FRAM (fmap_a/fmap_b ping-pong, as nn_forward), and
// inside a convolution or FC layer the running partial sums in two FRAM buffers
// (sonic_inter[2]).
// Loop-ordered buffering: a dense convolution runs one output channel at a time (the
// channel index is committed, as SONIC's one dense-conv task per channel), and for each
// channel one pass per filter weight (ic, ky, kx) over the whole output plane:
// dest = inter + w * src[ic][y*sh+ky][x*sw+kx] (the first weight writes without reading).
// dest and inter are the two FRAM buffers, swapping roles each pass; the role flag is the
// parity of the committed pass index. A dense FC layer makes one pass per input index k:
// dest = inter + W[:,k] * x[k], double-buffered the same way. A last pass per channel (or
// per FC layer) adds the bias, requantizes, applies the fused ReLU and writes the int16
// output map (SONIC's bias pass, also serving as its copy-back: it always reads whichever
// buffer holds the last partials, so no separate copy-back pass is ever needed). Pool and
// ReLU layers read one map and write the other (src != dest), with loop continuation only.
// Loop continuation: the element index of the current pass is one FRAM word (sonic_i),
// updated in place after every element is stored, never logged; so a reboot resumes at the
// exact element and at most one element is recomputed (safe: no pass reads the buffer it
// writes). Per pass, the next (layer, channel, pass) is committed as alpaca does a task
// transition: written into the spare of two FRAM contexts, then sonic_sel flips with one
// atomic word write (sonic_i is zeroed before the flip, so a cut pass restarts, never skips).
// Weights: the current channel's filter (or, for FC, a block of columns W[:, k0..k0+K) read
// row by row) is fetched into SRAM once per channel/block and again after each reboot.
// Expected NVM writes, per conv layer with P = in_c*kh*kw passes per output channel and a
// plane of N = out.h*out.w elements: C_out * P * N * (4 B partial + 2 B index) plus
// C_out * N * (2 B output + 2 B index) plus 12 B of commit per pass; per FC layer:
// N_in * N_out * 6 B plus N_out * 4 B for the bias pass; pool/ReLU: 4 B per output element
// and one commit; 20 B at begin. Kernel: cpu only (its published form). Exact under
// continuous power (tests/strategies/nvm_closed_form.py).
// Deviation from SONIC: SONIC keeps 16-bit fixed-point partial sums. The golden model
// accumulates every output in int32 and requantizes once (q15_requant), so here the partial
// sums are int32 (two FRAM words per element) and the final pass requantizes; this doubles
// the partial-sum write volume relative to 16-bit partials (4 B instead of 2 B per element
// per pass), and is what makes the result bit-identical. Our networks are dense, so the
// dense kernels are used (SONIC's sparse kernels only skip zero weights). The commit is a
// two-context flip (12 B per pass), leaner than alpaca's redo log (~80 B per pass).
// Zero padding (mnist8's 'same' convolutions): a pass's taps outside the input map
// contribute 0; every element is still stored, so the write volume is unchanged.
// Memory: per-channel partial planes (largest: mnist8 conv1, 28x28 int32 = 3.1 KB, two of
// them; mnist conv1, 24x24) fit in lower FRAM, so no upper-FRAM buffers are needed.
//
// On the external SPI FRAM (IPSIM_NVM_SPI: infer_<net>_sonic_cpu_spi.elf; docs/spi_fram.md)
// fmap_a/fmap_b, sonic_inter, sonic_i, sonic_ctx and sonic_sel are objects of the external
// FRAM; weights and the sample input stay on chip. Reads are staged through SRAM (reading is
// idempotent): a pass reads the input row of its tap for each output row, and the previous
// partials in runs of SONIC_RUN elements; a pool reads its channel's window rows per output
// row. The writes are SONIC's, one element at a time: each element's partial (4 B) or output
// (2 B), then sonic_i, each a DMA transfer, so loop continuation keeps its granularity (at
// most one element recomputed). sonic_i is Gray-coded (nvm_store.h: its increment is one
// byte, a cut bump leaves the old or the new index); its reset at a commit comes after the
// pass is complete, so any value it is left with by a cut only redoes elements of a finished
// pass; sonic_sel flips between 0 and 1, one byte. External-FRAM bytes written: the closed
// form above, under the same symbols; on-chip FRAM gets only the application's words.
#include "kernels/runtime/debug_port.h"
#include "kernels/runtime/sections.h"
#include "kernels/strategies/strategy.h"
#include "kernels/strategies/strategy_buffers.h"
#ifdef IPSIM_NVM_SPI
#include "kernels/runtime/nvm_store.h"
#endif

const char strategy_name[] = "sonic";

// int32 elements per partial-sum buffer: the largest conv output plane or FC output. 576
// (mnist's 24x24) unless the network's image sets it (mnist8: 784, kernels/strategies/
// CMakeLists.txt); two such buffers of 784 do not fit next to mnist's feature maps.
#ifndef SONIC_PLANE_MAX
#define SONIC_PLANE_MAX 576u
#endif
// SRAM words for one conv filter or one block of FC weight columns.
#define SONIC_WBUF_WORDS 512u

enum { SONIC_ERR_PLANE = 0xE101u, SONIC_ERR_WBUF = 0xE102u, SONIC_ERR_OP = 0xE103u };

// What the next task is; the current one is sonic_ctx[sonic_sel].
typedef struct {
  uint16_t layer;
  uint16_t chan;   // conv: output channel
  uint16_t pass;   // conv: filter weight index, in_c*kh*kw = final pass; FC: input index k
  uint16_t count;  // passes committed in this inference (progress marker argument)
} sonic_ctx_t;

#ifdef IPSIM_NVM_SPI
NVM_OBJECT(sonic_ctx, 16);
NVM_OBJECT(sonic_sel, 2);
NVM_OBJECT(sonic_i, 2);             // Gray-coded
NVM_OBJECT(sonic_inter, 2 * 3136);  // two planes of up to 784 int32 (mnist8's 28x28)
#define SONIC_SLOT_BYTES (4ul * SONIC_PLANE_MAX)
#else
IPSIM_PERSISTENT volatile sonic_ctx_t sonic_ctx[2];
IPSIM_PERSISTENT volatile uint16_t sonic_sel;
IPSIM_PERSISTENT volatile uint16_t sonic_i;  // loop continuation: next element of the pass
IPSIM_PERSISTENT int32_t sonic_inter[2][SONIC_PLANE_MAX];
#endif

// SRAM (lost at power failure; .bss is zeroed at boot, so the tags then say "nothing").
static int16_t sonic_wbuf[SONIC_WBUF_WORDS];
static uint16_t sonic_w_layer;  // layer + 1 whose weights are in sonic_wbuf, 0: none
static uint16_t sonic_w_key;    // conv: channel; FC: first column of the block

#define SONIC_BARRIER() __asm__ volatile("" ::: "memory")

#ifndef IPSIM_NVM_SPI
static void commit(uint16_t layer, uint16_t chan, uint16_t pass, uint16_t count) {
  const uint16_t spare = (uint16_t)(sonic_sel ^ 1u);
  sonic_ctx[spare].layer = layer;
  sonic_ctx[spare].chan = chan;
  sonic_ctx[spare].pass = pass;
  sonic_ctx[spare].count = count;
  sonic_i = 0;  // before the flip: a cut here restarts the pass, which is idempotent
  sonic_sel = spare;
  dbg_marker(DBG_PROGRESS, count);
}

#endif

static int16_t finish(const nn_layer_t* l, int32_t acc) {
  const int16_t v = q15_requant(acc, l->shift);
  return l->relu ? q15_relu(v) : v;
}

#ifndef IPSIM_NVM_SPI
// One convolution pass (or the final pass) of output channel `chan`.
static void conv_pass(const nn_layer_t* l, const int16_t* in, int16_t* out, uint16_t chan,
                      uint16_t pass) {
  const uint16_t taps = (uint16_t)(l->kh * l->kw), P = (uint16_t)(l->in.c * taps);
  const uint16_t out_w = l->out.w, n = (uint16_t)(l->out.h * out_w);
  uint16_t i = sonic_i;
  if (pass == P) {  // bias + requantization + ReLU into the output map
    int32_t bias;
    nn_far_read(&bias, *l->bias + (nn_far_addr_t)chan * 4u, 4);
    const int32_t* inter = sonic_inter[(P - 1u) & 1u];
    int16_t* o = out + (uint16_t)(chan * n);
    while (i < n) {
      o[i] = finish(l, inter[i] + bias);
      SONIC_BARRIER();
      sonic_i = ++i;
    }
    return;
  }
  const int16_t w = sonic_wbuf[pass];
  const uint16_t ic = (uint16_t)(pass / taps), r = (uint16_t)(pass % taps);
  const uint16_t ky = (uint16_t)(r / l->kw), kx = (uint16_t)(r % l->kw);
  const uint16_t in_w = l->in.w;
  int32_t* dest = sonic_inter[pass & 1u];
  const int32_t* prev = sonic_inter[(pass + 1u) & 1u];
  if (l->ph | l->pw) {  // zero padding: a tap outside the map adds nothing (still stored)
    const int16_t* chan = in + (uint16_t)(ic * l->in.h * in_w);
    const int16_t dy = (int16_t)((int16_t)ky - (int16_t)l->ph);
    const int16_t dx = (int16_t)((int16_t)kx - (int16_t)l->pw);
    uint16_t y = (uint16_t)(i / out_w), x = (uint16_t)(i % out_w);
    while (i < n) {
      const int16_t iy = (int16_t)((int16_t)(y * l->sh) + dy);
      const int16_t ix = (int16_t)((int16_t)(x * l->sw) + dx);
      int32_t v = 0;
      if (iy >= 0 && iy < (int16_t)l->in.h && ix >= 0 && ix < (int16_t)in_w)
        v = (int32_t)w * chan[(uint16_t)iy * in_w + (uint16_t)ix];
      if (pass) v += prev[i];
      dest[i] = v;
      SONIC_BARRIER();
      sonic_i = ++i;
      if (++x == out_w) x = 0, ++y;
    }
    return;
  }
  const int16_t* base = in + (uint16_t)(ic * l->in.h * in_w) + (uint16_t)(ky * in_w) + kx;
  const uint16_t row_step = (uint16_t)(l->sh * in_w);
  uint16_t y = (uint16_t)(i / out_w), x = (uint16_t)(i % out_w);
  const uint16_t sw = l->sw;
  const int16_t* row = base + (uint16_t)(y * row_step);
  const int16_t* px = row + (uint16_t)(x * sw);
  while (i < n) {
    int32_t v = (int32_t)w * *px;
    if (pass) v += prev[i];
    dest[i] = v;
    SONIC_BARRIER();  // the element is stored before its index is bumped
    sonic_i = ++i;
    px += sw;
    if (++x == out_w) {
      x = 0;
      row += row_step;
      px = row;
    }
  }
}

// One FC pass over every output: input index k (or the final pass, k == n_in).
static void fc_pass(const nn_layer_t* l, const int16_t* in, int16_t* out, uint16_t k) {
  const uint16_t n_in = nn_shape_words(l->in), n_out = l->out.c;
  uint16_t i = sonic_i;
  if (k == n_in) {
    const int32_t* inter = sonic_inter[(n_in - 1u) & 1u];
    while (i < n_out) {
      int32_t bias;
      nn_far_read(&bias, *l->bias + (nn_far_addr_t)i * 4u, 4);
      out[i] = finish(l, inter[i] + bias);
      SONIC_BARRIER();
      sonic_i = ++i;
    }
    return;
  }
  const uint16_t K = (uint16_t)(SONIC_WBUF_WORDS / n_out), k0 = (uint16_t)(k - k % K);
  const int16_t* w = sonic_wbuf + (k - k0);
  const int16_t xk = in[k];
  int32_t* dest = sonic_inter[k & 1u];
  const int32_t* prev = sonic_inter[(k + 1u) & 1u];
  while (i < n_out) {
    int32_t v = (int32_t)w[(uint16_t)(i * K)] * xk;
    if (k) v += prev[i];
    dest[i] = v;
    SONIC_BARRIER();
    sonic_i = ++i;
  }
}

// Pool / ReLU: one pass over every output element (c, y, x), src != dest.
static void elementwise_pass(const nn_layer_t* l, const int16_t* in, int16_t* out) {
  const nn_src_t src = nn_src_dense(in, l->in);
  const nn_dst_t dst = nn_dst_dense(out, l->out);
  const uint16_t plane = (uint16_t)(l->out.h * l->out.w), n = (uint16_t)(l->out.c * plane);
  uint16_t i = sonic_i;
  nn_region_t r;
  r.c0 = (uint16_t)(i / plane);
  r.y0 = (uint16_t)((i % plane) / l->out.w);
  r.x0 = (uint16_t)(i % l->out.w);
  while (i < n) {
    r.c1 = (uint16_t)(r.c0 + 1u);
    r.y1 = (uint16_t)(r.y0 + 1u);
    r.x1 = (uint16_t)(r.x0 + 1u);
    if (nn_layer_forward(l, &src, &dst, &r) != NN_OK) dbg_exit(SONIC_ERR_OP);
    SONIC_BARRIER();
    sonic_i = ++i;
    if (++r.x0 == l->out.w) {
      r.x0 = 0;
      if (++r.y0 == l->out.h) {
        r.y0 = 0;
        ++r.c0;
      }
    }
  }
}

#endif

// Fetches the weights a pass needs into SRAM unless they are already there.
static void load_weights(const nn_layer_t* l, uint16_t layer, uint16_t key, uint16_t words,
                         uint16_t rows, uint32_t row_stride_words, uint16_t row_words) {
  if (sonic_w_layer == (uint16_t)(layer + 1u) && sonic_w_key == key) return;
  const nn_far_addr_t w = *l->weights;
  if (rows == 0) {
    nn_far_read(sonic_wbuf, w + (nn_far_addr_t)key * words * 2u, (uint16_t)(words * 2u));
  } else {
    for (uint16_t o = 0; o < rows; ++o)
      nn_far_read(sonic_wbuf + (uint16_t)(o * words),
                  w + ((nn_far_addr_t)o * row_stride_words + key) * 2u, (uint16_t)(row_words * 2u));
  }
  sonic_w_layer = (uint16_t)(layer + 1u);
  sonic_w_key = key;
}

#ifndef IPSIM_NVM_SPI
void strategy_begin(const nn_network_t* net, uint16_t input) {
  // Repeatable: the input goes to fmap_a, then both contexts and the index are reset.
  nn_network_load_input(net, input, fmap_a);
  for (uint16_t c = 0; c < 2; ++c) {
    sonic_ctx[c].layer = 0;
    sonic_ctx[c].chan = 0;
    sonic_ctx[c].pass = 0;
    sonic_ctx[c].count = 0;
  }
  sonic_i = 0;
  sonic_sel = 0;
}

#else  // IPSIM_NVM_SPI

#define SONIC_RUN 32u         // previous partials read per transfer
#define SONIC_ROW_WORDS 128u  // one input row (the widest: har's 128)
#define SONIC_BAND_WORDS 256u
static int16_t sonic_row[SONIC_ROW_WORDS];
static int32_t sonic_prev[SONIC_RUN];
static int16_t sonic_band[SONIC_BAND_WORDS];

static nvm_addr_t slot(uint16_t b) {
  return sonic_inter_addr + SONIC_SLOT_BYTES * b;
}

static void commit(uint16_t sel, uint16_t layer, uint16_t chan, uint16_t pass, uint16_t count) {
  const uint16_t spare = (uint16_t)(sel ^ 1u);
  const sonic_ctx_t c = {layer, chan, pass, count};
  nvm_write(sonic_ctx_addr + 8u * spare, &c, 8);
  nvm_store_counter(sonic_i_addr, 0);  // before the flip: a cut here redoes a finished pass
  nvm_write(sonic_sel_addr, &spare, 2);
  dbg_marker(DBG_PROGRESS, count);
}

// The partial of element i of the previous pass, from runs read into sonic_prev.
static int32_t prev_at(nvm_addr_t prev, uint16_t i, uint16_t n, uint16_t* run0) {
  if (*run0 == 0xFFFFu || i < *run0 || i >= *run0 + SONIC_RUN) {
    *run0 = i;
    const uint16_t k = n - i < SONIC_RUN ? (uint16_t)(n - i) : SONIC_RUN;
    nvm_read(sonic_prev, prev + 4u * i, (uint16_t)(4u * k));
  }
  return sonic_prev[i - *run0];
}

// Stores element i of a pass (its partial or its output), then bumps sonic_i.
static void store(nvm_addr_t at, const void* v, uint16_t bytes, uint16_t i) {
  nvm_write(at, v, bytes);
  nvm_store_counter(sonic_i_addr, (uint16_t)(i + 1u));
}

static void conv_pass(const nn_layer_t* l, nvm_addr_t in, nvm_addr_t out, uint16_t chan,
                      uint16_t pass, uint16_t i) {
  const uint16_t taps = (uint16_t)(l->kh * l->kw), P = (uint16_t)(l->in.c * taps);
  const uint16_t out_w = l->out.w, n = (uint16_t)(l->out.h * out_w), in_w = l->in.w;
  uint16_t run0 = 0xFFFFu;
  if (pass == P) {  // bias + requantization + ReLU into the output map
    int32_t bias;
    nn_far_read(&bias, *l->bias + (nn_far_addr_t)chan * 4u, 4);
    for (; i < n; ++i) {
      const int16_t v = finish(l, prev_at(slot((P - 1u) & 1u), i, n, &run0) + bias);
      store(out + 2u * ((uint32_t)chan * n + i), &v, 2, i);
    }
    return;
  }
  if (in_w > SONIC_ROW_WORDS) dbg_exit(SONIC_ERR_WBUF);
  const int16_t w = sonic_wbuf[pass];
  const uint16_t ic = (uint16_t)(pass / taps), r = (uint16_t)(pass % taps);
  const uint16_t ky = (uint16_t)(r / l->kw), kx = (uint16_t)(r % l->kw);
  const nvm_addr_t dest = slot(pass & 1u), prev = slot((pass + 1u) & 1u);
  const int16_t dy = (int16_t)((int16_t)ky - (int16_t)l->ph);
  const int16_t dx = (int16_t)((int16_t)kx - (int16_t)l->pw);
  uint16_t y = (uint16_t)(i / out_w), x = (uint16_t)(i % out_w), row_y = 0xFFFFu;
  int row_ok = 0;
  for (; i < n; ++i) {
    if (y != row_y) {  // the input row of this tap for output row y (none in the padding)
      const int16_t iy = (int16_t)((int16_t)(y * l->sh) + dy);
      row_ok = iy >= 0 && iy < (int16_t)l->in.h;
      if (row_ok)
        nvm_read(sonic_row, in + 2u * (((uint32_t)ic * l->in.h + (uint16_t)iy) * in_w),
                 (uint16_t)(2u * in_w));
      row_y = y;
    }
    const int16_t ix = (int16_t)((int16_t)(x * l->sw) + dx);
    int32_t v = 0;
    if (row_ok && ix >= 0 && ix < (int16_t)in_w) v = (int32_t)w * sonic_row[(uint16_t)ix];
    if (pass) v += prev_at(prev, i, n, &run0);
    store(dest + 4u * i, &v, 4, i);
    if (++x == out_w) x = 0, ++y;
  }
}

static void fc_pass(const nn_layer_t* l, nvm_addr_t in, nvm_addr_t out, uint16_t k, uint16_t i) {
  const uint16_t n_in = nn_shape_words(l->in), n_out = l->out.c;
  uint16_t run0 = 0xFFFFu;
  if (k == n_in) {
    for (; i < n_out; ++i) {
      int32_t bias;
      nn_far_read(&bias, *l->bias + (nn_far_addr_t)i * 4u, 4);
      const int16_t v = finish(l, prev_at(slot((n_in - 1u) & 1u), i, n_out, &run0) + bias);
      store(out + 2u * i, &v, 2, i);
    }
    return;
  }
  const uint16_t K = (uint16_t)(SONIC_WBUF_WORDS / n_out), k0 = (uint16_t)(k - k % K);
  const int16_t* w = sonic_wbuf + (k - k0);
  int16_t xk;
  nvm_read(&xk, in + 2u * k, 2);
  const nvm_addr_t dest = slot(k & 1u), prev = slot((k + 1u) & 1u);
  for (; i < n_out; ++i) {
    int32_t v = (int32_t)w[(uint16_t)(i * K)] * xk;
    if (k) v += prev_at(prev, i, n_out, &run0);
    store(dest + 4u * i, &v, 4, i);
  }
}

// Pool / ReLU: one pass over every output element (c, y, x); the window rows of channel c
// for output row y come from sonic_band.
static void elementwise_pass(const nn_layer_t* l, nvm_addr_t in, nvm_addr_t out, uint16_t i) {
  const uint16_t plane = (uint16_t)(l->out.h * l->out.w), n = (uint16_t)(l->out.c * plane);
  uint16_t key = 0xFFFFu;
  nn_region_t r;
  r.c0 = (uint16_t)(i / plane);
  r.y0 = (uint16_t)((i % plane) / l->out.w);
  r.x0 = (uint16_t)(i % l->out.w);
  nn_src_t src = {sonic_band, 0, 0, 0, 0, l->in.w};
  for (; i < n; ++i) {
    r.c1 = (uint16_t)(r.c0 + 1u);
    r.y1 = (uint16_t)(r.y0 + 1u);
    r.x1 = (uint16_t)(r.x0 + 1u);
    if ((uint16_t)(r.c0 * l->out.h + r.y0) != key) {
      uint16_t y0, y1;
      nn_input_rows(l, r.y0, r.y1, &y0, &y1);
      const uint16_t words = (uint16_t)((y1 - y0) * l->in.w);
      if (words > SONIC_BAND_WORDS) dbg_exit(SONIC_ERR_WBUF);
      nvm_read(sonic_band, in + 2u * (((uint32_t)r.c0 * l->in.h + y0) * l->in.w),
               (uint16_t)(2u * words));
      src.c0 = r.c0, src.y0 = y0, src.chan_stride = words;
      key = (uint16_t)(r.c0 * l->out.h + r.y0);
    }
    int16_t v;
    const nn_dst_t dst = {&v, r.c0, r.y0, r.x0, 1, 1};
    if (nn_layer_forward(l, &src, &dst, &r) != NN_OK) dbg_exit(SONIC_ERR_OP);
    store(out + 2u * i, &v, 2, i);
    if (++r.x0 == l->out.w) {
      r.x0 = 0;
      if (++r.y0 == l->out.h) {
        r.y0 = 0;
        ++r.c0;
      }
    }
  }
}

void strategy_begin(const nn_network_t* net, uint16_t input) {
  // Repeatable: the input goes to fmap_a, then both contexts and the index are reset.
  nvm_init();
  const uint16_t words = nn_shape_words(net->in);
  const nn_far_addr_t src = *net->inputs + (nn_far_addr_t)input * words * 2u;
  for (uint16_t at = 0; at < words; at = (uint16_t)(at + SONIC_BAND_WORDS)) {
    const uint16_t k = words - at < SONIC_BAND_WORDS ? (uint16_t)(words - at) : SONIC_BAND_WORDS;
    nn_far_read(sonic_band, src + (nn_far_addr_t)at * 2u, (uint16_t)(2u * k));
    nvm_write(fmap_a_addr + 2u * at, sonic_band, (uint16_t)(2u * k));
  }
  const sonic_ctx_t zero[2] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
  nvm_write(sonic_ctx_addr, zero, 16);
  nvm_store_counter(sonic_i_addr, 0);
  const uint16_t sel = 0;
  nvm_write(sonic_sel_addr, &sel, 2);
}

#endif

// The task loop, one source for both builds. In place (on-chip FRAM) a pass reads sonic_i
// itself and commit() reads sonic_sel; on the external FRAM both are read once per task here
// and passed on (SONIC_I, SONIC_SEL). In place these expand to what the loop was before it
// served the external FRAM (the same code and cycles).
#ifdef IPSIM_NVM_SPI
typedef nvm_addr_t sonic_map_t;
typedef nvm_addr_t sonic_out_t;
#define SONIC_MAPS \
  { fmap_a_addr, fmap_b_addr }
#define SONIC_I , i
#define SONIC_SEL sel,
#else
typedef const int16_t* sonic_map_t;
typedef int16_t* sonic_out_t;
#define SONIC_MAPS \
  { fmap_a, fmap_b }
#define SONIC_I
#define SONIC_SEL
#endif

const int16_t* strategy_run(const nn_network_t* net, uint16_t input) {
  (void)input;
#ifdef IPSIM_NVM_SPI
  nvm_init();
  const nvm_addr_t bufs[2] = SONIC_MAPS;
#else
  int16_t* const bufs[2] = SONIC_MAPS;
#endif
  for (;;) {
#ifdef IPSIM_NVM_SPI
    uint16_t sel;
    sonic_ctx_t ctx;
    nvm_read(&sel, sonic_sel_addr, 2);
    nvm_read(&ctx, sonic_ctx_addr + 8u * sel, 8);
    const uint16_t layer = ctx.layer, chan = ctx.chan, pass = ctx.pass;
    const uint16_t count = (uint16_t)(ctx.count + 1u), i = nvm_load_counter(sonic_i_addr);
    if (layer >= net->n_layers) {
      static int16_t scores[16];
      const uint16_t nc = net->n_classes < 16 ? net->n_classes : 16;
      nvm_read(scores, bufs[net->n_layers & 1u], (uint16_t)(2u * nc));
      return scores;
    }
#else
    const uint16_t sel = sonic_sel;
    const uint16_t layer = sonic_ctx[sel].layer, chan = sonic_ctx[sel].chan;
    const uint16_t pass = sonic_ctx[sel].pass, count = (uint16_t)(sonic_ctx[sel].count + 1u);
    if (layer >= net->n_layers) return bufs[net->n_layers & 1u];
#endif
    const nn_layer_t* l = &net->layers[layer];
    const sonic_map_t in = bufs[layer & 1u];
    const sonic_out_t out = bufs[(layer + 1u) & 1u];
    switch (l->op) {
      case NN_OP_CONV2D:
      case NN_OP_CONV1D: {
        const uint16_t P = (uint16_t)(l->in.c * l->kh * l->kw);
        if ((uint16_t)(l->out.h * l->out.w) > SONIC_PLANE_MAX) dbg_exit(SONIC_ERR_PLANE);
        if (P > SONIC_WBUF_WORDS) dbg_exit(SONIC_ERR_WBUF);
        if (pass < P) load_weights(l, layer, chan, P, 0, 0, 0);
        conv_pass(l, in, out, chan, pass SONIC_I);
        if (pass < P)
          commit(SONIC_SEL layer, chan, (uint16_t)(pass + 1u), count);
        else if ((uint16_t)(chan + 1u) < l->out.c)
          commit(SONIC_SEL layer, (uint16_t)(chan + 1u), 0, count);
        else
          break;
        continue;
      }
      case NN_OP_FC: {
        const uint16_t n_in = nn_shape_words(l->in), n_out = l->out.c;
        if (n_out > SONIC_PLANE_MAX) dbg_exit(SONIC_ERR_PLANE);
        const uint16_t K = (uint16_t)(SONIC_WBUF_WORDS / n_out);
        if (K == 0) dbg_exit(SONIC_ERR_WBUF);
        if (pass < n_in) {
          const uint16_t k0 = (uint16_t)(pass - pass % K);
          const uint16_t cols = (uint16_t)(n_in - k0 < K ? n_in - k0 : K);
          load_weights(l, layer, k0, K, n_out, n_in, cols);
        }
        fc_pass(l, in, out, pass SONIC_I);
        if (pass < n_in) {
          commit(SONIC_SEL layer, 0, (uint16_t)(pass + 1u), count);
          continue;
        }
        break;
      }
      default:
        elementwise_pass(l, in, out SONIC_I);
        break;
    }
    commit(SONIC_SEL(uint16_t)(layer + 1u), 0, 0, count);  // the layer's output map is complete
    dbg_marker(DBG_LAYER_DONE, layer);
  }
}
