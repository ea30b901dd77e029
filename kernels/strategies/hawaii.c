// hawaii: HAWAII (Kang et al., TCAD 2020), hardware-accelerated intermittent inference with
// job footprints. The LEA does every multiply-accumulate, the DMA moves weights and inputs
// into LEA RAM, and each accelerator output is preserved in FRAM as soon as it is produced,
// together with a footprint saying how many jobs of the current layer are done.
//
// What it preserves: every job output (one output element) goes straight into the layer's
// FRAM output map (the ping-pong maps fmap_a/fmap_b); nothing is checkpointed in bulk.
// Where it commits: hw_fp[layer] is the layer's footprint, the number of finished jobs, bumped
// by one atomic 16-bit FRAM write right after that job's output word is in FRAM, so it never
// claims more than FRAM holds. hw_stage (0 = load input, 1 + i = layer i, n_layers + 1 = done)
// is the network footprint; finishing layer i clears hw_fp[i + 1] before bumping hw_stage, so
// every step is redo-safe.
// How it resumes: strategy_run re-enters layer hw_stage - 1 at job hw_fp[layer]: it reloads
// the current output channel's weights (conv) or the input vector (FC) into LEA RAM, then
// continues with the first job not yet footprinted. At most one job is lost per failure.
// Expected NVM writes: 2 words per output element (the output and its footprint), plus the
// input copy and 2 words per layer: what HAWAII's paper gives for FC and pool layers.
//
// The LEA jobs themselves (conv output, FC neuron) are lea_kernels.c, shared with the
// depth-first strategy so that both use the same compute engine. The footprints, the pool and
// FC jobs and the layer loop, for both NVM kinds, are shared with hawaii_fir.c
// (hawaii_layers.h, hawaii_run.h).
//
// HAWAII mechanisms followed: a job is one output element of an LEA operation; footprints are
// per-layer job counters in FRAM; recovery resumes on the remaining jobs only; partial sums
// are never updated in place; FC jobs are neurons (DMA the weight row, LEA MAC, + bias,
// requantize, ReLU, store, footprint++); pooling runs on the CPU with a footprint per output;
// the network footprint is the layer index, and the next layer's footprint is cleared first.
//
// Deviations (all for bit-exactness with the golden int32 accumulation):
// - Convolution is not HAWAII's LEA FIR per kernel row + LEA adds: FIR truncates each row
//   sum to Q15 ((sum) >> 15), so its partial sums cannot reproduce the int32 golden result.
//   Each conv output element is instead one LEA MAC over its receptive field, gathered by the
//   CPU into LEA RAM (im2col of one output), with the output channel's weights resident in
//   LEA RAM. So one LEA command yields one whole output element: there are no partial-sum
//   slots in FRAM at all (HAWAII writes C_in*Kh*L + ... partial-sum words per output channel),
//   and the job's output is the final requantized Q15 value. This lowers HAWAII's NVM writes;
//   it does not weaken the baseline.
// - The LEA MAC returns IQ31 = sat(2*sum); the generator only bounds |sum| < 2^31, so a MAC
//   that saturates (result INT32_MAX or INT32_MIN) is redone in halves, recursively, and the
//   halves are added in int32 on the CPU (exact; rare with real activations).
// - Footprinting: HAWAII's DMA channels triggered by timers copy each result word and the
//   remaining count while the LEA runs. Here each LEA command produces exactly one job output,
//   so the CPU commits output + footprint right after the command completes (a job batch of
//   one): the same NVM writes (one output word + one footprint word per job), a few CPU
//   cycles per job instead of DMA cycles, and at most one job lost per failure, as in HAWAII.
// - An FC row longer than the LEA weight buffer is MACed in chunks accumulated in int32 on
//   the CPU within one job (not preserved; a failure redoes that neuron). HAWAII's rows fit.
// - The im2col gather costs CPU time HAWAII's FIR formulation does not have (a 4-instruction
//   copy loop per word; an estimated 40-50% of mnist's cycles), but saves the partial-sum traffic.
// - Pooling keeps the golden semantics (window max from Q15_MIN, ReLU flag, avgpool rounding).
//
// On the external SPI FRAM (IPSIM_NVM_SPI: infer_<net>_hawaii_lea_mac_spi.elf; docs/spi_fram.md)
// the maps fmap_a/fmap_b, hw_fp and hw_stage are objects of the external FRAM, the weights and
// the sample input stay in on-chip FRAM. The jobs are the same; what changes is how they reach
// their operands and how they preserve: a conv job's receptive field comes from an SRAM band
// (hw_band: every input channel's kernel rows of the current output row, one DMA read per
// channel, restaged when the output row changes), a pool job's from its channel's window rows
// (one read), an FC layer's input is read into LEA RAM once per (re)start of the layer. Each
// job's output word is written to the external FRAM (one 2-byte DMA transfer) and then its
// footprint (another), so the footprint still never claims more than the FRAM holds; a cut
// output write is redone since its footprint was not bumped. hw_fp and hw_stage are Gray-coded
// (nvm_store.h): each bump changes one byte, so a cut bump leaves the old or the new value; the
// clears (hw_fp[0] and the next layer's hw_fp, hw_stage at begin) are redone until the step
// after them is committed, as on chip. External-FRAM bytes written: the closed form above
// under the same symbols (fmap_* 2 B per output element and the input copy; hw_fp 2 B per job,
// per layer but the last and twice per inference; hw_stage 2 B per layer + 4); on-chip FRAM
// gets only the application's words (infer_main.c).
#include <stdint.h>

#include "kernels/runtime/lea.h"
#include "kernels/runtime/sections.h"
#include "kernels/strategies/lea_kernels.h"

const char strategy_name[] = "hawaii";

// LEA RAM (2048 words): weights 900 + operand vector 1080 + result 2 words; the LEA stack
// (parameter blocks) keeps the top 132 bytes.
#define HW_W_WORDS 900
#define HW_X_WORDS 1080

IPSIM_LEARAM static int16_t hw_lw[HW_W_WORDS];  // weights (conv channel, FC row chunk)
IPSIM_LEARAM static int16_t hw_lx[HW_X_WORDS];  // im2col vector or FC input
static const lk_bufs_t hw_bufs = {hw_lw, HW_W_WORDS, hw_lx, HW_X_WORDS};

#define HW_FC_BUFS (&hw_bufs)
#define HW_FC_EVERY 1u
#define HW_FC_OUT_LOCAL 1
#define HW_LAYER_SPAN(l) nn_shape_words((l)->out)
#include "kernels/strategies/hawaii_layers.h"

// Layer li's footprint to 0 (a macro for the reason of hawaii_layers.h's on-chip accessors).
#define hw_layer_clear(net, li) ((void)(net), hw_fp_store(li, 0))

static void hw_conv(const nn_layer_t* l, uint16_t li, hw_in_t in, hw_map_t out, uint32_t base) {
  const uint16_t in_w = l->in.w;
#ifndef IPSIM_NVM_SPI
  const uint16_t cs = (uint16_t)(l->in.h * in_w);  // input channel stride
#endif
  const uint16_t wo = l->out.w, ho = l->out.h, plane = (uint16_t)(ho * wo);
  const uint16_t total = (uint16_t)(l->out.c * plane);
  uint16_t j = hw_fp_load(li);
  if (j >= total) return;
  uint16_t oc = j / plane, pos = (uint16_t)(j - oc * plane);
  uint16_t y = pos / wo, x = (uint16_t)(pos - y * wo);
  uint16_t loaded = 0xFFFFu;
  int32_t bias = 0;
#ifdef IPSIM_NVM_SPI
  uint16_t staged = 0xFFFFu, cs = 0, ya = 0;
#endif
  while (j < total) {
    // The output channel's weights stay in LEA RAM for all its jobs.
    if (oc != loaded) bias = lk_conv_load(&hw_bufs, l, oc), loaded = oc;
#ifdef IPSIM_NVM_SPI
    if (y != staged) {  // the kernel rows of output row y, clipped to the map (padding)
      const int16_t top = (int16_t)((int16_t)(y * l->sh) - (int16_t)l->ph);
      const int16_t bot = (int16_t)(top + (int16_t)l->kh);
      ya = (uint16_t)(top < 0 ? 0 : top);
      const uint16_t yb = (uint16_t)(bot > (int16_t)l->in.h ? (int16_t)l->in.h : bot);
      cs = hw_stage_rows(in, l->in, 0, l->in.c, ya, yb);
      staged = y;
    }
#endif
    int16_t v;
    if (l->ph | l->pw) {  // zero padding (mnist8): a gather with zeros at the borders
#ifdef IPSIM_NVM_SPI
      const nn_src_t src = {hw_band, 0, ya, 0, cs, in_w};
#else
      const nn_src_t src = nn_src_dense(in, l->in);
#endif
      v = lk_conv_point_padded(&hw_bufs, l, &src, y, x, bias);
    } else {
#ifdef IPSIM_NVM_SPI
      const int16_t* at = hw_band + x * l->sw;
#else
      const int16_t* at = in + (uint16_t)(y * l->sh) * in_w + x * l->sw;
#endif
      v = lk_conv_point(&hw_bufs, l, at, in_w, cs, bias);
    }
    hw_put(out, j, v);
    hw_commit(li, ++j, base, HW_PROGRESS_EVERY);
    if (++x == wo) {
      x = 0;
      if (++y == ho) y = 0, ++oc;
    }
  }
}

#include "kernels/strategies/hawaii_run.h"
