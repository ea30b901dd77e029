// hawaii on lea-fir: HAWAII (Kang et al., TCAD 2020) as its released code computes and
// preserves a convolution, on the lea-fir arithmetic of kernels/nn/nn_conv_fir.h (bit-identical
// to that kernel's golden model). FC and pooling as hawaii.c (the lea-mac variant).
//
// Conv, per output channel oc, in 2*C_in + 4 phases (the layer footprint hf_fp counts phases;
// oc = hf_fp / (2*C_in + 4)):
//   phase 2*ic      FIR: DMA input channel ic into LEA RAM; per kernel row r one LEA FIR over
//                   the flattened plane, L = nn_fir_len(Ho, Wi) outputs (columns >= Wo junk),
//                   into CONV_BUFF slot r (into the channel slot K+1+ic directly when Kh = 1);
//   phase 2*ic+1    row sums: Kh-1 LEA adds, the last into slot K+1+ic;
//   phase 2*C_in    channel accumulation: C_in-1 LEA adds;
//   phase 2*C_in+1  bias: one LEA add of the constant nn_fir_bias() into slot K;
//   phase 2*C_in+2  copy-out: the CPU requantizes + ReLUs the Wo valid columns of each row
//                   (nn_fir_finish) into the output map, footprinting each element;
//   phase 2*C_in+3  reset of the next channel's first sub-op set.
// K = Kh. CONV_BUFF (hf_psum, upper FRAM) holds Kh + C_in + 2 slots of L words: rows 0..K-1,
// spare K, channel sums K+1..K+C_in, spare K+C_in+1. Adds rotate: add f of a chain writes the
// spare for f = 0, else the slot its chain consumed at add f-2 (its own inputs never), so no
// partial sum is updated in place and every sub-op can be redone.
// A job is one output word of a sub-op (a FIR or an add). Each sub-op is streamed to FRAM by
// kernels/runtime/lea_paced.h: Timer_A1 triggers DMA2 (one result word to CONV_BUFF per
// period), Timer_A2 triggers DMA3 (DMA3SZ into the sub-op's footprint word), so the footprint
// never claims more than FRAM holds. Sub-op footprints as HAWAII's SUB_FOOTPRINT: two sets of
// {rem[2], idx} per layer (hf_sub_footprint), phase p uses set p & 1; within a set rem
// alternates by sub-op parity, idx is the sub-op index (the element count in copy-out). A
// sub-op arms the next one's rem = L before it starts and clears its own afterwards; a phase
// sets the other set to {L, L, 0} before bumping hf_fp. The network footprint hf_stage is the
// layer (0 = load input); finishing a layer clears the next layer's footprints first.
// Recovery: a sub-op restarts on its last rem outputs, rem rounded up to even (LEA vector
// lengths and 4-byte operand alignment), after the phase reloads its input plane (FIR) or the
// sub-op reloads its kernel row (FIR) or its input slots (add) into LEA RAM.
//
// Pacing (firmware parameters, not the simulator's LEA timing): TA1CCR0 = TA2CCR0 =
// HF_FIR_CCR0_BASE + Kw for a FIR and HF_ADD_CCR0 for an add, HAWAII's 6 + Kw and 2 by default
// (one word per CCR0 + 1 SMCLK cycles); not models/lea.h's LEA timing, which the firmware
// cannot know. Too short a pacing is an overrun: detected, counted in lea_paced_overruns,
// repaired and lengthened by lea_paced.c (tests/strategies/hawaii_fir).
//
// FRAM writes per layer under continuous power, in words (exact; L = nn_fir_len(Ho, Wi)):
//   conv  hf_psum            C_out * 2*C_in*Kh*L           (FIRs C_in*Kh*L, row sums
//                                                          C_in*(Kh-1)*L, channel sums
//                                                          (C_in-1)*L, bias L)
//         fmap_*             C_out * Ho*Wo
//         hf_sub_footprint   C_out * (2*C_in*Kh*L + Ho*Wo + 3*2*C_in*Kh + 3*(2*C_in+4))
//                            (DMA3 per streamed word, one per copied element, 3 per sub-op,
//                            3 per phase)
//         hf_fp              C_out * (2*C_in+4)
//   pool, FC  fmap_* 1 and hf_fp 1 per output (2 words per output)
//   per layer (but the last)  hf_fp 1, hf_sub_footprint 3 (the next layer's); hf_stage 1 per
//   layer; input: fmap_a in.c*in.h*in.w, hf_fp 2, hf_sub_footprint 6, hf_stage 2 (begin, load).
// The pacing's probes (lea_paced.h): the first sub-op of a pacing, and the first one longer
// than any before, streams its DMA3 words to lea_paced_probe_footprint instead of
// hf_sub_footprint (the sum stays as above); lea_paced_cal gets 5 words per pacing and 1 per
// probe. An overrun adds one recopied vector to hf_psum and 2 words to lea_paced_cal, and
// lea_paced_overruns 1. tests/strategies/hawaii_fir/check_hawaii_fir.py checks these forms
// exactly (after overruns, all but hf_psum, which must have grown, and lea_paced_cal).
// Data: the conv total C_out*(2*C_in*Kh*L + Ho*Wo) is HAWAII's; mnist 916 480 words.
//
// Deviations from HAWAII's code, none changing what is preserved when:
// - One vector length L = nn_fir_len(Ho, Wi) (Ho*Wi rounded up to even) for every sub-op,
//   so odd Ho*Wi works; HAWAII's layers have even Ho*Wi.
// - With Kh = 1 the FIR writes the channel slot directly (HAWAII copies slot 0 there by DMA),
//   and slots follow the one rotation rule above (HAWAII's own slot indices for Kh = 1 do not
//   match its channel phase; its networks have Kh = 5).
// - Bias is nn_fir_bias() (the lea-fir arithmetic), added by the LEA; the copy-out applies the
//   layer's requantization and ReLU (nn_fir_finish) where HAWAII shifts by 2 with a clamp.
// - An add writes its output next to its inputs in LEA RAM (HAWAII: over its first input,
//   except for the bias add), so that a probe of the pacing can prefill it (lea_paced.h).
// - The pacing is verified before a footprint relies on it, and an overrun is repaired
//   (lea_paced.h); HAWAII trusts it. At HAWAII's pacing this costs a probe per pacing and
//   longer vector (2 per network here) and nothing else.
// - The input plane gets a zeroed tail (the last FIR window reads past the plane: junk
//   columns only).
#include <stdint.h>

#include "kernels/nn/nn_conv_fir.h"
#include "kernels/nn/q15.h"
#include "kernels/runtime/debug_port.h"
#include "kernels/runtime/dma.h"
#include "kernels/runtime/lea.h"
#include "kernels/runtime/lea_paced.h"
#include "kernels/runtime/msp430fr5994.h"
#include "kernels/runtime/sections.h"
#include "kernels/strategies/lea_kernels.h"
#include "kernels/strategies/strategy.h"
#include "kernels/strategies/strategy_buffers.h"

const char strategy_name[] = "hawaii";

#ifndef HF_FIR_CCR0_BASE
#define HF_FIR_CCR0_BASE 6u  // HAWAII: TA1CCR0 = 6 + Kw while a FIR runs
#endif
#ifndef HF_ADD_CCR0
#define HF_ADD_CCR0 2u  // HAWAII: TA1CCR0 = 2 while an add runs
#endif

#define HF_MAX_LAYERS 16
// LEA RAM: 2016 words for operands (an add's two inputs and output: 3 * 672 for mnist conv1);
// the LEA stack keeps the top 60 bytes (parameter blocks of 3 LEA words at most).
#define HF_LEA_WORDS 2016
#define HF_FC_W_WORDS 900  // FC: weight row chunk, then the input vector
// CONV_BUFF: the largest (Kh + C_in + 2) * L of the networks, mnist conv1 (8 * 672).
#define HF_PSUM_WORDS 5376

typedef struct {
  uint16_t rem[2];  // remaining outputs of the sub-ops of even / odd index
  uint16_t idx;     // sub-op index (copy-out: elements copied)
} hf_sub_t;

IPSIM_PERSISTENT static uint16_t hf_stage;              // network footprint
IPSIM_PERSISTENT static uint16_t hf_fp[HF_MAX_LAYERS];  // layer footprint (phases or jobs)
IPSIM_PERSISTENT static hf_sub_t hf_sub_footprint[HF_MAX_LAYERS][2];
// CONV_BUFF, laid out by the assembler: a C object in upper FRAM would get 16-bit debug
// relocations (facts §2.6). The size literal must match HF_PSUM_WORDS (checked below).
__asm__(
    ".pushsection .upper.persistent.hf_psum,\"aw\",@nobits\n.balign 2\n.global hf_psum\n"
    ".type hf_psum,@object\nhf_psum:\n.space 10752\n.size hf_psum, 10752\n.popsection\n");
_Static_assert(HF_PSUM_WORDS * 2 == 10752, "hf_psum's .space must be HF_PSUM_WORDS words");
IPSIM_FAR_ADDRESS(hf_psum_addr, hf_psum);

IPSIM_LEARAM static int16_t hf_lea[HF_LEA_WORDS];
static const lk_bufs_t hf_fc_bufs = {hf_lea, HF_FC_W_WORDS, hf_lea + HF_FC_W_WORDS,
                                     HF_LEA_WORDS - HF_FC_W_WORDS};

#define HF_BARRIER() __asm__ volatile("" ::: "memory")
#define HF_EVEN(n) ((uint16_t)(((n) + 1u) & ~1u))

typedef struct {
  const nn_layer_t* l;
  const int16_t* in;
  uint16_t oc, kh, kw, taps, c_in, in_w, L;
  int16_t *x, *coeffs, *fir_out;  // FIR phase layout in hf_lea
} hf_conv_t;

static uint32_t hf_slot(const hf_conv_t* c, uint16_t slot, uint16_t off) {
  return hf_psum_addr + 2ul * ((uint32_t)slot * c->L + off);
}

// Output slot of add f of a chain over slots base, base+1, ... with spare slot `spare`.
static uint16_t hf_rot(uint16_t f, uint16_t base, uint16_t spare) {
  return f == 0 ? spare : (uint16_t)(base + f - 1u);
}

// The slot holding channel oc's full sum after the channel phase.
static uint16_t hf_acc_slot(const hf_conv_t* c) {
  const uint16_t k = c->kh;
  return c->c_in == 1 ? (uint16_t)(k + 1u) : hf_rot(c->c_in - 2u, k + 1u, k + c->c_in + 1u);
}

static void hf_lea_check(uint16_t flags) {
  if (flags) dbg_exit(0xE3);
}

static void hf_load_plane(const hf_conv_t* c, uint16_t ic) {
  const uint16_t plane = (uint16_t)(c->l->in.h * c->in_w);
  dma_copy_words((uint32_t)(uintptr_t)c->x, (uint32_t)(uintptr_t)(c->in + ic * plane), plane);
  for (uint16_t i = plane; i < (uint16_t)(c->coeffs - c->x); ++i) c->x[i] = 0;
}

// Sub-op k of `phase` on its last rem outputs; DMA3 writes *fp.
static void hf_sub_op(const hf_conv_t* c, uint16_t phase, uint16_t k, uint16_t rem,
                      volatile uint16_t* fp, int16_t bias) {
  const uint16_t off = (uint16_t)(c->L - rem), K = c->kh, C = c->c_in;
  lea_paced_t p = {hf_lea + 2u * c->L + off, 0, fp, rem, HF_ADD_CCR0};
  if (phase < 2u * C && !(phase & 1u)) {  // FIR of kernel row k
    const uint16_t ic = phase >> 1;
    int16_t w[16];
    const uint16_t row = (uint16_t)((c->oc * C + ic) * K + k);
    nn_far_read(w, *c->l->weights + (nn_far_addr_t)row * c->kw * 2u, (uint16_t)(c->kw * 2u));
    nn_fir_coeffs(w, c->kw, c->coeffs);
    p.lea_out = c->fir_out + off;
    p.fram_dst = hf_slot(c, K == 1 ? (uint16_t)(K + 1u + ic) : k, off);
    p.ccr0 = (uint16_t)(HF_FIR_CCR0_BASE + c->kw);
    hf_lea_check(lea_paced_fir_q15(c->x + k * c->in_w + off, c->coeffs, c->taps, &p));
    return;
  }
  uint16_t a, b = 0, out;
  if (phase < 2u * C) {  // row sum of channel ic
    const uint16_t ic = phase >> 1;
    a = k == 0 ? 0 : hf_rot(k - 1u, 0, K);
    b = (uint16_t)(k + 1u);
    out = k == K - 2u ? (uint16_t)(K + 1u + ic) : hf_rot(k, 0, K);
  } else if (phase == 2u * C) {  // channel accumulation
    const uint16_t spare = (uint16_t)(K + C + 1u);
    a = k == 0 ? (uint16_t)(K + 1u) : hf_rot(k - 1u, K + 1u, spare);
    b = (uint16_t)(K + 2u + k);
    out = hf_rot(k, K + 1u, spare);
  } else {  // bias
    a = hf_acc_slot(c);
    out = K;
  }
  int16_t* in2 = hf_lea + c->L;
  dma_copy_words((uint32_t)(uintptr_t)(hf_lea + off), hf_slot(c, a, off), rem);
  if (phase <= 2u * C)
    dma_copy_words((uint32_t)(uintptr_t)(in2 + off), hf_slot(c, b, off), rem);
  else
    in2[0] = in2[1] = bias;
  p.fram_dst = hf_slot(c, out, off);
  const uint16_t stride = phase <= 2u * C ? 1u : 0u;
  hf_lea_check(lea_paced_add_q15(hf_lea + off, stride ? in2 + off : in2, stride, &p));  // -> 2L
}

static uint16_t hf_n_ops(const hf_conv_t* c, uint16_t phase) {
  const uint16_t C = c->c_in;
  if (phase < 2u * C) return (phase & 1u) ? (uint16_t)(c->kh - 1u) : c->kh;
  if (phase == 2u * C) return (uint16_t)(C - 1u);
  return phase == 2u * C + 1u ? 1u : 0u;
}

// Copy-out: element e of channel oc is row e / Wo, column e % Wo of bias slot K.
static void hf_copy_out(const hf_conv_t* c, hf_sub_t* s, int16_t* out) {
  const uint16_t wo = c->l->out.w, plane = (uint16_t)(c->l->out.h * wo);
  uint16_t e = s->idx;
  if (e >= plane) return;
  uint16_t h = e / wo, w = (uint16_t)(e - h * wo);
  const uint16_t first = (uint16_t)(h * c->in_w + w), last = (uint16_t)(c->l->out.h * c->in_w);
  dma_copy_words((uint32_t)(uintptr_t)(hf_lea + first), hf_slot(c, c->kh, first),
                 (uint16_t)(last - first));
  int16_t* dst = out + c->oc * plane;
  while (e < plane) {
    dst[e] = nn_fir_finish(c->l, hf_lea[h * c->in_w + w], 0);
    HF_BARRIER();  // the element reaches FRAM before the footprint claims it
    s->idx = ++e;
    if (++w == wo) w = 0, ++h;
  }
}

static void hf_set_init(hf_sub_t* s, uint16_t L) {
  s->rem[0] = L;
  s->rem[1] = L;
  s->idx = 0;
}

static uint16_t hf_conv_len(const nn_layer_t* l) {
  return nn_fir_len(l->out.h, l->in.w);
}

static void hf_conv(const nn_layer_t* l, uint16_t li, const int16_t* in, int16_t* out,
                    uint32_t base) {
  hf_conv_t c;
  c.l = l, c.in = in, c.kh = l->kh, c.kw = l->kw, c.taps = nn_fir_taps(l->kw);
  c.c_in = l->in.c, c.in_w = l->in.w, c.L = hf_conv_len(l);
  const uint16_t plane = (uint16_t)(l->in.h * c.in_w);
  c.x = hf_lea;
  c.coeffs = hf_lea + HF_EVEN(plane + c.taps + 2u);
  c.fir_out = c.coeffs + HF_EVEN(c.taps);
  // Shapes this layout cannot run: stride, kernel row, LEA RAM, CONV_BUFF, row alignment.
  if (l->sh != 1 || l->sw != 1 || c.kw > 16 ||
      (uint16_t)(c.fir_out - hf_lea) + c.L > HF_LEA_WORDS || 3u * c.L > HF_LEA_WORDS ||
      (uint32_t)(c.kh + c.c_in + 2u) * c.L > HF_PSUM_WORDS || (c.kh > 1 && (c.in_w & 1u)))
    dbg_exit(0xE2);
  const uint16_t per_oc = (uint16_t)(2u * c.c_in + 4u), total = (uint16_t)(l->out.c * per_oc);
  int32_t bias32 = 0;
  int16_t bias = 0;
  while (hf_fp[li] < total) {
    const uint16_t f = hf_fp[li], phase = f % per_oc;
    c.oc = f / per_oc;
    hf_sub_t* s = &hf_sub_footprint[li][phase & 1u];
    if (phase == 2u * c.c_in + 2u) {
      hf_copy_out(&c, s, out);
    } else {
      const uint16_t n = hf_n_ops(&c, phase);
      if (s->idx < n && phase < 2u * c.c_in && !(phase & 1u)) hf_load_plane(&c, phase >> 1);
      if (s->idx < n && phase == 2u * c.c_in + 1u) {
        nn_far_read(&bias32, *l->bias + (nn_far_addr_t)c.oc * 4u, 4);
        bias = nn_fir_bias(l, bias32);
      }
      for (uint16_t k = s->idx; k < n; ++k) {
        uint16_t rem = s->rem[k & 1u];
        rem = HF_EVEN(rem);
        if (rem) {
          s->rem[(k + 1u) & 1u] = c.L;  // arms the next sub-op
          HF_BARRIER();
          hf_sub_op(&c, phase, k, rem, &s->rem[k & 1u], bias);
        }
        HF_BARRIER();
        s->rem[k & 1u] = 0;
        HF_BARRIER();
        s->idx = (uint16_t)(k + 1u);
      }
    }
    hf_set_init(&hf_sub_footprint[li][(phase + 1u) & 1u], c.L);
    HF_BARRIER();
    hf_fp[li] = (uint16_t)(f + 1u);
    dbg_marker32(DBG_PROGRESS, base + f);
  }
}

static void hf_commit(uint16_t li, uint16_t j, uint32_t base) {
  HF_BARRIER();  // the output word reaches FRAM before the footprint claims it
  hf_fp[li] = j;
  if ((j & 7u) == 0) dbg_marker32(DBG_PROGRESS, base + j);
}

static void hf_pool(const nn_layer_t* l, uint16_t li, const int16_t* in, int16_t* out,
                    uint32_t base) {
  const uint16_t in_w = l->in.w, in_plane = (uint16_t)(l->in.h * in_w);
  const uint16_t wo = l->out.w, ho = l->out.h, plane = (uint16_t)(ho * wo);
  const uint16_t total = (uint16_t)(l->out.c * plane);
  const int is_max = l->op == NN_OP_MAXPOOL;
  uint16_t j = hf_fp[li];
  if (j >= total) return;
  uint16_t ch = j / plane, pos = (uint16_t)(j - ch * plane);
  uint16_t y = pos / wo, x = (uint16_t)(pos - y * wo);
  while (j < total) {
    const int16_t* p = in + ch * in_plane + (uint16_t)(y * l->sh) * in_w + x * l->sw;
    int16_t m = Q15_MIN;
    int32_t sum = 0;
    for (uint16_t ky = 0; ky < l->kh; ++ky, p += in_w)
      for (uint16_t kx = 0; kx < l->kw; ++kx) {
        if (p[kx] > m) m = p[kx];
        sum += p[kx];
      }
    const int16_t v = is_max ? m : q15_requant(sum, l->shift);
    out[j] = l->relu ? q15_relu(v) : v;
    hf_commit(li, ++j, base);
    if (++x == wo) {
      x = 0;
      if (++y == ho) y = 0, ++ch;
    }
  }
}

static void hf_fc(const nn_layer_t* l, uint16_t li, const int16_t* in, int16_t* out,
                  uint32_t base) {
  uint16_t j = hf_fp[li];
  if (j >= l->out.c) return;
  const int resident = lk_fc_load_input(&hf_fc_bufs, l, in);  // at each (re)start, as HAWAII
  while (j < l->out.c) {
    out[j] = lk_fc_neuron(&hf_fc_bufs, l, j, in, resident);
    hf_commit(li, ++j, base);
  }
}

// Clears layer li's footprints before it may start (its sub-op set 0 is armed for conv).
static void hf_layer_clear(const nn_network_t* net, uint16_t li) {
  const nn_layer_t* l = &net->layers[li];
  hf_fp[li] = 0;
  hf_set_init(&hf_sub_footprint[li][0],
              l->op == NN_OP_CONV2D || l->op == NN_OP_CONV1D ? hf_conv_len(l) : 0);
}

void strategy_begin(const nn_network_t* net, uint16_t input) {
  (void)input;
  hf_layer_clear(net, 0);
  HF_BARRIER();
  hf_stage = 0;
}

const int16_t* strategy_run(const nn_network_t* net, uint16_t input) {
  int16_t* bufs[2] = {fmap_a, fmap_b};
  const uint16_t n = net->n_layers < HF_MAX_LAYERS ? net->n_layers : HF_MAX_LAYERS;
  lea_init();  // LEA registers (incl. its stack pointer) are reset by every power failure
  if (hf_stage == 0) {
    nn_network_load_input(net, input, fmap_a);  // idempotent: redone if cut
    hf_layer_clear(net, 0);
    HF_BARRIER();
    hf_stage = 1;
  }
  uint32_t base = 0;  // jobs of the layers before: the progress marker's running count
  for (uint16_t li = 0; li < n; ++li) {
    const nn_layer_t* l = &net->layers[li];
    if (hf_stage == li + 1u) {
      const int16_t* in = bufs[li & 1u];
      int16_t* out = bufs[(li + 1u) & 1u];
      switch (l->op) {
        case NN_OP_CONV2D:
        case NN_OP_CONV1D:
          hf_conv(l, li, in, out, base);
          break;
        case NN_OP_MAXPOOL:
        case NN_OP_AVGPOOL:
          hf_pool(l, li, in, out, base);
          break;
        case NN_OP_FC:
          hf_fc(l, li, in, out, base);
          break;
        default:  // not used by the networks (ReLU is fused into the layers)
          dbg_exit(0xE1);
      }
      if (li + 1u < n) hf_layer_clear(net, (uint16_t)(li + 1u));
      HF_BARRIER();
      hf_stage = (uint16_t)(li + 2u);
      dbg_marker(DBG_LAYER_DONE, li);
    }
    base += 0x10000ul;
  }
  return bufs[n & 1u];
}
