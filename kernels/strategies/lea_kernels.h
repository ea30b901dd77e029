// LEA compute jobs shared by the HAWAII and depth-first strategies, so that both run the
// same arithmetic on the same engine and differ only in what they keep and commit.
//
// Formulation (bit-exact with the golden int32 accumulation, kernels/nn):
// - conv (2-D and 1-D): one LEA MAC per output element. The output channel's weights stay
//   resident in LEA RAM (lk_conv_load) for all its outputs; for each output the CPU gathers
//   the receptive field into LEA RAM (im2col of one output, a 5-cycle-per-word copy loop)
//   and the LEA MACs it with the weights (lk_conv_point); bias, requantization and ReLU on
//   the CPU.
// - FC: the input vector goes to LEA RAM by DMA (lk_fc_load_input), each neuron's weight
//   row is read into LEA RAM (in chunks if longer than the weight buffer) and MACed
//   (lk_fc_neuron).
// - The LEA MAC returns IQ31 sat(2*sum): an unsaturated result is even and halved exactly; a
//   saturated one is redone in halves, recursively, added in int32 (lk_mac).
// Pools stay on the CPU (each strategy's own loop or kernels/nn).
// Buffers are the caller's, in LEA RAM (IPSIM_LEARAM), 4-byte aligned, even sizes; every
// LEA fault ends the run (dbg_exit 0xE3), a receptive field larger than the buffers 0xE2.
#ifndef IPSIM_STRATEGIES_LEA_KERNELS_H
#define IPSIM_STRATEGIES_LEA_KERNELS_H
#include <stdint.h>

#include "kernels/nn/nn.h"

typedef struct {
  int16_t* w;  // one conv output channel's weights, or an FC weight-row chunk
  uint16_t w_words;
  int16_t* x;  // one receptive field (im2col of one output), or the FC input
  uint16_t x_words;
} lk_bufs_t;

// Exact sum(a[i]*b[i]), n even, operands in LEA RAM.
int32_t lk_mac(const int16_t* a, const int16_t* b, uint16_t n);

// Requantize + ReLU of an accumulator (as the golden model).
int16_t lk_finish(const nn_layer_t* l, int32_t acc);

// Loads output channel oc's weights of conv layer l into b->w (zero-padded to an even
// length, the matching pad of b->x zeroed too) and returns its bias.
int32_t lk_conv_load(const lk_bufs_t* b, const nn_layer_t* l, uint16_t oc);

// One conv output of the channel loaded last: `at` is its receptive field's first input
// element (channel 0, top-left), rs the input row stride and cs the input channel stride
// in words. Returns the finished Q15 output.
int16_t lk_conv_point(const lk_bufs_t* b, const nn_layer_t* l, const int16_t* at, uint16_t rs,
                      uint16_t cs, int32_t bias);

// lk_conv_point for a zero-padded layer (l->ph, l->pw): output (y, x) from view s, whose
// receptive field is gathered with 0 for the taps in the padding (the same exact sum).
int16_t lk_conv_point_padded(const lk_bufs_t* b, const nn_layer_t* l, const nn_src_t* s, uint16_t y,
                             uint16_t x, int32_t bias);

// FC: DMAs the dense input vector `in` into b->x if it fits; returns 1 if it is resident.
int lk_fc_load_input(const lk_bufs_t* b, const nn_layer_t* l, const int16_t* in);
// FC neuron j (its finished Q15 output); `in` and `resident` as given to/by lk_fc_load_input.
int16_t lk_fc_neuron(const lk_bufs_t* b, const nn_layer_t* l, uint16_t j, const int16_t* in,
                     int resident);

// Regions of layers on the LEA (lea-mac), as kernels/nn's region calls: conv output region r
// (sources hold every input channel and the rows/columns r needs), one MAC job per output
// element; FC output channels r->c0..c1 from the whole dense input map.
void lk_conv_region(const lk_bufs_t* b, const nn_layer_t* L, const nn_src_t* s, const nn_dst_t* d,
                    const nn_region_t* r);
// Which conv output channel's weights (and bias) b->w holds, for lk_conv_region_resident:
// layer NULL = none. The caller keeps it in SRAM and clears it whenever b->w or b->x is used
// otherwise (FC jobs) or LEA RAM is lost (every boot).
typedef struct {
  const nn_layer_t* layer;
  uint16_t oc;
  int32_t bias;
} lk_wtag_t;

// lk_conv_region, but an output channel's weights are loaded only if *tag says b->w does not
// hold them; *tag then names the last channel loaded. The same jobs, so the same bits.
void lk_conv_region_resident(const lk_bufs_t* b, const nn_layer_t* L, const nn_src_t* s,
                             const nn_dst_t* d, const nn_region_t* r, lk_wtag_t* tag);
void lk_fc_region(const lk_bufs_t* b, const nn_layer_t* L, const nn_src_t* s, const nn_dst_t* d,
                  const nn_region_t* r);

#endif
