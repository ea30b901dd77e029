// hawaii on lea-fir: HAWAII (Kang et al., TCAD 2020) as its released code computes and
// preserves a convolution, on the lea-fir arithmetic of kernels/nn/nn_conv_fir.h (bit-identical
// to that kernel's golden model). FC and pooling as hawaii.c (the lea-mac variant): the same
// code, hawaii_run.h, with the footprints hw_stage and hw_fp and the layer loop.
//
// Conv, per output channel oc, in 2*C_in + 4 phases (the layer footprint hw_fp counts phases;
// oc = hw_fp / (2*C_in + 4)):
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
// sets the other set to {L, L, 0} before bumping hw_fp. The network footprint hw_stage is the
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
//         hw_fp              C_out * (2*C_in+4)
//   pool, FC  fmap_* 1 and hw_fp 1 per output (2 words per output)
//   per layer (but the last)  hw_fp 1, hf_sub_footprint 3 (the next layer's); hw_stage 1 per
//   layer; input: fmap_a in.c*in.h*in.w, hw_fp 2, hf_sub_footprint 6, hw_stage 2 (begin, load).
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
//
// On the external SPI FRAM (IPSIM_NVM_SPI: infer_<net>_hawaii_lea_fir_spi.elf; docs/spi_fram.md)
// CONV_BUFF hf_psum, the maps fmap_a/fmap_b and the footprints hw_stage, hw_fp and
// hf_sub_footprint are objects of the external FRAM; weights and sample inputs stay on chip.
// No DMA can stream LEA words into a part that is not memory-mapped while the LEA runs, so the
// job becomes a batch: a sub-op's LEA command runs to its end into LEA RAM, then its outputs
// leave as jobs of HF_BATCH = 128 words (the last one shorter), each one framed DMA transfer
// to its CONV_BUFF slot followed by the job counter of its sub-op set. A set is one Gray-coded
// counter g, the jobs done in its phase (HAWAII's {rem[2], idx} in one word that only grows by
// one): with J = ceil(L / 128) jobs per sub-op, sub-op g / J restarts at output (g % J) * 128.
// The copy-out finishes channel oc's remaining elements into LEA RAM and writes them as jobs
// of 128 elements into the output map, each followed by the counter. Recovery as HAWAII's: the
// phase reloads its input plane (FIR) or bias, the sub-op its kernel row (FIR) or its input
// slots from the restart output on (add), the LEA recomputes the outputs not yet claimed (the
// same values: an output depends only on its own inputs). Pooling and FC as hawaii.c's
// external-FRAM image (hawaii_run.h: a 2-byte output transfer, then the footprint, per job).
// A cut anywhere is safe, mid-transfer included (the part keeps exactly the bytes clocked in,
// a prefix of the transfer):
// - a job's transfer writes only words no counter claims yet, into a slot no unfinished
//   sub-op reads (the rotation rule: a sub-op never writes its own inputs, and a slot is
//   rewritten only after the sub-ops reading it are counted), so a cut leaves a mix of old and
//   new words only where the redone job writes again, from intact inputs;
// - a bump (job counter, hw_fp per phase, hw_stage per layer) changes one bit of its Gray
//   code, so one byte: a cut leaves the old or the new count, and the new one follows the
//   end of the transfer it claims;
// - the resets to 0 (the next phase's set before hw_fp moves, the next layer's hw_fp and set 0
//   before hw_stage moves, strategy_begin's) are not atomic; each is redone until the step
//   after it is committed: a phase whose count is complete only redoes its reset and bump;
// - LEA RAM and SRAM are lost, and always reloaded from the FRAMs before use.
// External-FRAM words written under continuous power, each store 2 bytes (exact; J = ceil(L /
// 128), P = Ho*Wo): conv hf_psum, fmap_* and hw_fp as above; hf_sub_footprint
// C_out * (2*C_in*Kh*J + ceil(P / 128) + 2*C_in + 4) (a counter store per job, the next set's
// reset per phase); pool and FC as above; per layer but the last hw_fp 1, hf_sub_footprint 1;
// hw_stage 1 per layer; input: fmap_a in.c*in.h*in.w, hw_fp 2, hf_sub_footprint 2, hw_stage 2.
// No lea_paced symbol; on-chip FRAM gets only the application's words (infer_main.c).
// mnist: hf_psum 902 400, fmap_* 18 458, hf_sub_footprint 11 227, hw_fp 5 481, hw_stage 8
// (tests/strategies/hawaii_fir/check_hawaii_fir.py --nvm spi-fram checks these forms).
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

const char strategy_name[] = "hawaii";

#ifndef HF_FIR_CCR0_BASE
#define HF_FIR_CCR0_BASE 6u  // HAWAII: TA1CCR0 = 6 + Kw while a FIR runs
#endif
#ifndef HF_ADD_CCR0
#define HF_ADD_CCR0 2u  // HAWAII: TA1CCR0 = 2 while an add runs
#endif

// LEA RAM: 2016 words for operands (an add's two inputs and output: 3 * 672 for mnist conv1);
// the LEA stack keeps the top 60 bytes (parameter blocks of 3 LEA words at most).
#define HF_LEA_WORDS 2016
#define HF_FC_W_WORDS 900  // FC: weight row chunk, then the input vector
// CONV_BUFF: the largest (Kh + C_in + 2) * L of the networks, mnist conv1 (8 * 672).
#define HF_PSUM_WORDS 5376

IPSIM_LEARAM static int16_t hf_lea[HF_LEA_WORDS];
static const lk_bufs_t hf_fc_bufs = {hf_lea, HF_FC_W_WORDS, hf_lea + HF_FC_W_WORDS,
                                     HF_LEA_WORDS - HF_FC_W_WORDS};

// hw_stage (network footprint), hw_fp (layer footprint: phases of a conv, jobs of a pool or
// FC layer), the pool and FC jobs and the layer loop: hawaii_layers.h.
#define HW_FC_BUFS (&hf_fc_bufs)
#define HW_FC_EVERY 8u
#define HW_LAYER_SPAN(l) 0x10000ul
#include "kernels/strategies/hawaii_layers.h"

#ifdef IPSIM_NVM_SPI
// Per layer two sub-op sets, each one Gray-coded job counter (batches done in its phase).
NVM_OBJECT(hf_sub_footprint, 4 * HW_MAX_LAYERS);
NVM_OBJECT(hf_psum, 10752);  // CONV_BUFF
#else
typedef struct {
  uint16_t rem[2];  // remaining outputs of the sub-ops of even / odd index
  uint16_t idx;     // sub-op index (copy-out: elements copied)
} hf_sub_t;

IPSIM_PERSISTENT static hf_sub_t hf_sub_footprint[HW_MAX_LAYERS][2];
// CONV_BUFF, laid out by the assembler: a C object in upper FRAM would get 16-bit debug
// relocations (facts §2.6). The size literal must match HF_PSUM_WORDS (checked below).
__asm__(
    ".pushsection .upper.persistent.hf_psum,\"aw\",@nobits\n.balign 2\n.global hf_psum\n"
    ".type hf_psum,@object\nhf_psum:\n.space 10752\n.size hf_psum, 10752\n.popsection\n");
_Static_assert(HF_PSUM_WORDS * 2 == 10752, "hf_psum's .space must be HF_PSUM_WORDS words");
IPSIM_FAR_ADDRESS(hf_psum_addr, hf_psum);
#endif

#define HF_BARRIER() HW_BARRIER()
#define HF_EVEN(n) ((uint16_t)(((n) + 1u) & ~1u))
#define HF_BATCH 128u  // external FRAM: LEA outputs per job (a framed transfer); even

typedef struct {
  const nn_layer_t* l;
  hw_in_t in;
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
#ifdef IPSIM_NVM_SPI
  nvm_read(c->x, c->in + 2ul * ic * plane, (uint16_t)(2u * plane));
#else
  dma_copy_words((uint32_t)(uintptr_t)c->x, (uint32_t)(uintptr_t)(c->in + ic * plane), plane);
#endif
  for (uint16_t i = plane; i < (uint16_t)(c->coeffs - c->x); ++i) c->x[i] = 0;
}

static uint16_t hf_n_ops(const hf_conv_t* c, uint16_t phase) {
  const uint16_t C = c->c_in;
  if (phase < 2u * C) return (phase & 1u) ? (uint16_t)(c->kh - 1u) : c->kh;
  if (phase == 2u * C) return (uint16_t)(C - 1u);
  return phase == 2u * C + 1u ? 1u : 0u;
}

static uint16_t hf_conv_len(const nn_layer_t* l) {
  return nn_fir_len(l->out.h, l->in.w);
}

#ifndef IPSIM_NVM_SPI
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

static void hw_conv(const nn_layer_t* l, uint16_t li, hw_in_t in, hw_map_t out, uint32_t base) {
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
  while (hw_fp[li] < total) {
    const uint16_t f = hw_fp[li], phase = f % per_oc;
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
    hw_fp[li] = (uint16_t)(f + 1u);
    dbg_marker32(DBG_PROGRESS, base + f);
  }
}

// Clears layer li's footprints before it may start (its sub-op set 0 is armed for conv).
static void hw_layer_clear(const nn_network_t* net, uint16_t li) {
  const nn_layer_t* l = &net->layers[li];
  hw_fp[li] = 0;
  hf_set_init(&hf_sub_footprint[li][0],
              l->op == NN_OP_CONV2D || l->op == NN_OP_CONV1D ? hf_conv_len(l) : 0);
}
#else  // IPSIM_NVM_SPI: batches of LEA outputs by framed transfers, Gray-coded job counters

// The conv layout of layer l (input map `in`) in LEA RAM; ends the run on a shape it cannot
// hold.
static void hf_conv_setup(hf_conv_t* c, const nn_layer_t* l, hw_in_t in) {
  c->l = l, c->in = in, c->kh = l->kh, c->kw = l->kw, c->taps = nn_fir_taps(l->kw);
  c->c_in = l->in.c, c->in_w = l->in.w, c->L = hf_conv_len(l);
  const uint16_t plane = (uint16_t)(l->in.h * c->in_w);
  c->x = hf_lea;
  c->coeffs = hf_lea + HF_EVEN(plane + c->taps + 2u);
  c->fir_out = c->coeffs + HF_EVEN(c->taps);
  // Shapes this layout cannot run: stride, kernel row, LEA RAM, CONV_BUFF, row alignment.
  if (l->sh != 1 || l->sw != 1 || c->kw > 16 ||
      (uint16_t)(c->fir_out - hf_lea) + c->L > HF_LEA_WORDS || 3u * c->L > HF_LEA_WORDS ||
      (uint32_t)(c->kh + c->c_in + 2u) * c->L > HF_PSUM_WORDS || (c->kh > 1 && (c->in_w & 1u)))
    dbg_exit(0xE2);
}

// FIR sub-op k of phase 2*ic: its coefficients into LEA RAM; returns its output slot.
static uint16_t hf_fir_prepare(const hf_conv_t* c, uint16_t ic, uint16_t k) {
  int16_t w[16];
  const uint16_t row = (uint16_t)((c->oc * c->c_in + ic) * c->kh + k);
  nn_far_read(w, *c->l->weights + (nn_far_addr_t)row * c->kw * 2u, (uint16_t)(c->kw * 2u));
  nn_fir_coeffs(w, c->kw, c->coeffs);
  return c->kh == 1 ? (uint16_t)(c->kh + 1u + ic) : k;
}

// Add sub-op k of `phase` (row sum, channel accumulation or bias): its input slots *a and *b
// (b unused for the bias) and, returned, its output slot, by the rotation rule of the header.
static uint16_t hf_add_slots(const hf_conv_t* c, uint16_t phase, uint16_t k, uint16_t* a,
                             uint16_t* b) {
  const uint16_t K = c->kh, C = c->c_in;
  if (phase < 2u * C) {  // row sum of channel ic
    const uint16_t ic = phase >> 1;
    *a = k == 0 ? 0 : hf_rot(k - 1u, 0, K);
    *b = (uint16_t)(k + 1u);
    return k == K - 2u ? (uint16_t)(K + 1u + ic) : hf_rot(k, 0, K);
  }
  if (phase == 2u * C) {  // channel accumulation
    const uint16_t spare = (uint16_t)(K + C + 1u);
    *a = k == 0 ? (uint16_t)(K + 1u) : hf_rot(k - 1u, K + 1u, spare);
    *b = (uint16_t)(K + 2u + k);
    return hf_rot(k, K + 1u, spare);
  }
  *a = hf_acc_slot(c);  // bias
  *b = 0;
  return K;
}

// Job counter of sub-op set `set` of layer li.
static nvm_addr_t hf_sub_addr(uint16_t li, uint16_t set) {
  return hf_sub_footprint_addr + 4u * li + 2u * set;
}

// Writes words [from, len) of vector v to dst + the same offsets, a job (HF_BATCH words from
// a multiple of HF_BATCH) per framed transfer, each followed by the job counter at fp, which
// holds g before the first; returns the count after the last.
static uint16_t hf_write_jobs(const int16_t* v, nvm_addr_t dst, uint16_t from, uint16_t len,
                              nvm_addr_t fp, uint16_t g) {
  for (uint16_t at = from; at < len; at = (uint16_t)(at + HF_BATCH)) {
    const uint16_t n = len - at < HF_BATCH ? (uint16_t)(len - at) : HF_BATCH;
#ifndef HF_TEST_CLAIM_FIRST
    nvm_write(dst + 2u * at, v + at, (uint16_t)(2u * n));
    nvm_store_counter(fp, ++g);
#else  // a test image's broken order (hawaii_fir_tests.cmake): the counter claims the job first
    nvm_store_counter(fp, ++g);
    nvm_write(dst + 2u * at, v + at, (uint16_t)(2u * n));
#endif
  }
  return g;
}

// Sub-op k of `phase` from output `off` (a multiple of HF_BATCH) on: its operands into LEA
// RAM, the LEA command on outputs [off, L), then their jobs; returns the job counter.
static uint16_t hf_sub_op(const hf_conv_t* c, uint16_t phase, uint16_t k, uint16_t off,
                          nvm_addr_t fp, uint16_t g, int16_t bias) {
  const uint16_t rem = (uint16_t)(c->L - off), C = c->c_in;
  if (phase < 2u * C && !(phase & 1u)) {  // FIR of kernel row k
    const uint16_t slot = hf_fir_prepare(c, phase >> 1, k);
    hf_lea_check(lea_fir_q15(c->x + k * c->in_w + off, c->coeffs, c->taps, c->fir_out + off, rem));
    return hf_write_jobs(c->fir_out, hf_slot(c, slot, 0), off, c->L, fp, g);
  }
  uint16_t a, b;
  const uint16_t out = hf_add_slots(c, phase, k, &a, &b);
  int16_t *in2 = hf_lea + c->L, *res = hf_lea + 2u * c->L;
  nvm_read(hf_lea + off, hf_slot(c, a, off), (uint16_t)(2u * rem));
  if (phase <= 2u * C)
    nvm_read(in2 + off, hf_slot(c, b, off), (uint16_t)(2u * rem));
  else
    for (uint16_t i = off; i < c->L; ++i) in2[i] = bias;
  hf_lea_check(lea_add_q15(hf_lea + off, in2 + off, res + off, rem));
  return hf_write_jobs(res, hf_slot(c, out, 0), off, c->L, fp, g);
}

// Copy-out from element g * HF_BATCH on: element e of channel oc is row e / Wo, column e % Wo
// of bias slot K, finished into LEA RAM after the slot's rows, then written by jobs.
static void hf_copy_out(const hf_conv_t* c, nvm_addr_t fp, uint16_t g, nvm_addr_t out) {
  const uint16_t wo = c->l->out.w, plane = (uint16_t)(c->l->out.h * wo);
  const uint16_t e0 = (uint16_t)(g * HF_BATCH);
  if (e0 >= plane) return;
  uint16_t h = e0 / wo, w = (uint16_t)(e0 - h * wo);
  const uint16_t first = (uint16_t)(h * c->in_w + w), last = (uint16_t)(c->l->out.h * c->in_w);
  nvm_read(hf_lea + first, hf_slot(c, c->kh, first), (uint16_t)(2u * (last - first)));
  int16_t* done = hf_lea + c->L;  // plane <= L words
  for (uint16_t e = e0; e < plane; ++e) {
    done[e] = nn_fir_finish(c->l, hf_lea[h * c->in_w + w], 0);
    if (++w == wo) w = 0, ++h;
  }
  hf_write_jobs(done, out + 2ul * c->oc * plane, e0, plane, fp, g);
}

static void hw_conv(const nn_layer_t* l, uint16_t li, hw_in_t in, hw_map_t out, uint32_t base) {
  hf_conv_t c;
  hf_conv_setup(&c, l, in);
  const uint16_t per_oc = (uint16_t)(2u * c.c_in + 4u), total = (uint16_t)(l->out.c * per_oc);
  const uint16_t jobs_per_op = (uint16_t)((c.L + HF_BATCH - 1u) / HF_BATCH);
  int32_t bias32 = 0;
  int16_t bias = 0;
  uint16_t f;
  while ((f = hw_fp_load(li)) < total) {
    const uint16_t phase = f % per_oc;
    c.oc = f / per_oc;
    const nvm_addr_t fp = hf_sub_addr(li, phase & 1u);
    uint16_t g = nvm_load_counter(fp);
    if (phase == 2u * c.c_in + 2u) {
      hf_copy_out(&c, fp, g, out);
    } else {
      const uint16_t jobs = (uint16_t)(hf_n_ops(&c, phase) * jobs_per_op);
      if (g < jobs && phase < 2u * c.c_in && !(phase & 1u)) hf_load_plane(&c, phase >> 1);
      if (g < jobs && phase == 2u * c.c_in + 1u) {
        nn_far_read(&bias32, *l->bias + (nn_far_addr_t)c.oc * 4u, 4);
        bias = nn_fir_bias(l, bias32);
      }
      while (g < jobs) {
        const uint16_t k = g / jobs_per_op;
        g = hf_sub_op(&c, phase, k, (uint16_t)((g - k * jobs_per_op) * HF_BATCH), fp, g, bias);
      }
    }
    nvm_store_counter(hf_sub_addr(li, (phase + 1u) & 1u), 0);  // the next phase's set
    hw_fp_store(li, (uint16_t)(f + 1u));
    dbg_marker32(DBG_PROGRESS, base + f);
  }
}

// Clears layer li's footprints before it may start: hw_fp and its sub-op set 0.
static void hw_layer_clear(const nn_network_t* net, uint16_t li) {
  (void)net;
  hw_fp_store(li, 0);
  nvm_store_counter(hf_sub_addr(li, 0), 0);
}
#endif

#include "kernels/strategies/hawaii_run.h"
