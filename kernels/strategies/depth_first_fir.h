// depth-first on lea-fir: nn_conv_fir with the conv weights kept in SRAM across slices
// (depth_first_fir.c).
#pragma once

#include <stdint.h>

#include "kernels/nn/nn_conv_fir.h"

// Which conv weights nn_wbuf holds: output channels [c0, c1) of layer (NULL = none), their
// biases at the FIR scale (nn_fir_bias) in the tag. The caller keeps it in SRAM and clears it at
// every boot (SRAM and nn_wbuf come up with arbitrary content).
#define DF_FIR_TAG_CHANNELS 32
typedef struct {
  const nn_layer_t* layer;
  uint16_t c0, c1;
  int16_t b[DF_FIR_TAG_CHANNELS];
} df_fir_tag_t;

// Channels one weight load brings into nn_wbuf for output channels [oc, c1) of layer L: all
// of them if they fit nn_wbuf and the tag, else oc alone. The planner counts the same loads.
static inline uint16_t df_fir_load_span(const nn_layer_t* L, uint16_t oc, uint16_t c1,
                                        uint16_t wbuf_words) {
  const uint32_t k = (uint32_t)L->in.c * L->kh * L->kw, n = (uint32_t)(c1 - oc);
  return n <= DF_FIR_TAG_CHANNELS && n * k <= wbuf_words ? (uint16_t)n : 1u;
}

// nn_conv_fir (nn_conv_fir_padded on an image whose network pads, NN_FIR_PADDED) with the
// weights of *tag: an output channel's weights and bias are read from FRAM only if the tag
// does not hold them, then all of [oc, region->c1) at once when they fit (df_fir_load_span).
// The same FIRs and adds on the same words, so the same bits.
int df_conv_fir_resident(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                         const nn_region_t* region, const nn_fir_work_t* work, df_fir_tag_t* tag);
