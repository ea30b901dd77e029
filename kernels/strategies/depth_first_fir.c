// df_conv_fir_resident (depth_first_fir.h): nn_conv_fir (kernels/nn/nn_conv_fir_body.h, whose
// band sizing and per-channel body it shares) with the weight load behind a tag.
#include "kernels/strategies/depth_first_fir.h"

#include "kernels/nn/nn_conv_fir_body.h"
#include "kernels/nn/nn_internal.h"

// nn_fir_coeffs, inlined as in nn_conv_fir.c (it runs once per kernel row and band).
static inline __attribute__((always_inline)) void fir_coeffs(const int16_t* w, uint16_t kw,
                                                             int16_t* coeffs) {
  const uint16_t taps = nn_fir_taps(kw);
  for (uint16_t j = 0; j < kw; ++j) coeffs[taps - 1u - j] = w[j];
  if (taps != kw) coeffs[0] = 0;  // h[kw] = 0
}

static inline __attribute__((always_inline)) int conv_fir_resident(
    const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out, const nn_region_t* region,
    const nn_fir_work_t* work, df_fir_tag_t* tag, int padded) {
  uint16_t band = 0;
  const int rc = conv_fir_band(layer, region, work, padded, &band);
  if (rc != NN_OK) return rc;
  const uint16_t k_words = (uint16_t)(layer->in.c * layer->kh * layer->kw);
  const int16_t* w_oc = 0;  // oc's weights in nn_wbuf, stepped channel by channel
  for (uint16_t oc = region->c0; oc < region->c1; ++oc, w_oc += k_words) {
    if (tag->layer != layer || oc < tag->c0 || oc >= tag->c1) {
      // Not held: this channel and the rest of the region's, if they fit, in one read each
      // of weights and biases (consecutive in FRAM).
      const uint16_t n = df_fir_load_span(layer, oc, region->c1, NN_WBUF_WORDS);
      tag->layer = 0;  // a cut load leaves no tag naming half-read weights
      nn_far_read(nn_wbuf, *layer->weights + (nn_far_addr_t)oc * k_words * 2u,
                  (uint16_t)(n * k_words * 2u));
      int32_t bias32[DF_FIR_TAG_CHANNELS];
      nn_far_read(bias32, *layer->bias + (nn_far_addr_t)oc * 4u, (uint16_t)(n * 4u));
      for (uint16_t i = 0; i < n; ++i) tag->b[i] = nn_fir_bias(layer, bias32[i]);
      tag->c0 = oc;
      tag->c1 = (uint16_t)(oc + n);
      tag->layer = layer;
      w_oc = nn_wbuf;
    } else if (!w_oc) {  // the region starts inside the channels held
      w_oc = nn_wbuf + (uint16_t)(oc - tag->c0) * k_words;
    }
    conv_fir_channel(layer, in, out, region, work, padded, band, oc, w_oc, tag->b[oc - tag->c0],
                     fir_coeffs);
  }
  return NN_OK;
}

int df_conv_fir_resident(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                         const nn_region_t* region, const nn_fir_work_t* work, df_fir_tag_t* tag) {
#ifdef NN_FIR_PADDED  // the network pads (mnist8): the padded instance for padded layers
  if (layer->ph | layer->pw) return conv_fir_resident(layer, in, out, region, work, tag, 1);
#endif
  return conv_fir_resident(layer, in, out, region, work, tag, 0);
}
