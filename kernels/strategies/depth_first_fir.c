// df_conv_fir_resident (depth_first_fir.h): the loop of nn_conv_fir (kernels/nn/
// nn_conv_fir_body.h, whose band loads it shares) with the weight load behind a tag. A copy
// rather than a change to the shared body, so that the other strategies' code, and hence
// their cycles, stay as they were.
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
  const uint16_t in_c = layer->in.c, kh = layer->kh, kw = layer->kw,
                 in_w = padded ? nn_fir_width(layer) : layer->in.w;
  const uint16_t taps = nn_fir_taps(kw), k_words = (uint16_t)(in_c * kh * kw);
  if (layer->sh != 1 || layer->sw != 1 || (!padded && (layer->ph || layer->pw)) ||
      region->x0 != 0 || region->x1 != layer->out.w)
    return NN_ERR_OP;
  if (k_words > NN_WBUF_WORDS || taps > work->c_words) return NN_ERR_SCRATCH;
  uint16_t band = (uint16_t)(work->out_words / in_w);
  while (band &&
         (nn_fir_len(band, in_w) > work->out_words ||
          (padded ? nn_fir_x_words(layer, band) : x_words_valid(layer, band)) > work->x_words))
    --band;
  if (!band) return NN_ERR_SCRATCH;

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
    const int16_t b = tag->b[oc - tag->c0];
    for (uint16_t y0 = region->y0; y0 < region->y1; y0 = (uint16_t)(y0 + band)) {
      const uint16_t rows = region->y1 - y0 < band ? (uint16_t)(region->y1 - y0) : band;
      const uint16_t n = nn_fir_len(rows, in_w), in_rows = (uint16_t)(rows + kh - 1u);
      const uint16_t x_all = padded ? nn_fir_x_words(layer, rows) : x_words_valid(layer, rows);
      const int16_t* w = w_oc;
      for (uint16_t ic = 0; ic < in_c; ++ic) {
        int16_t* sum = ic == 0 ? work->acc : work->row_sum;
        for (uint16_t r = 0; r < kh; ++r, w += kw) {
          const int16_t* x = work->x + r * in_w;
          if (in_w & 1u) {
            if (padded)
              load_band_padded(work, in, layer, ic, (uint16_t)(y0 + r), (uint16_t)(in_rows - r),
                               in_w, x_all);
            else
              load_band(work, in, ic, (uint16_t)(y0 + r), (uint16_t)(in_rows - r), in_w, x_all);
            x = work->x;
          } else if (r == 0) {
            if (padded)
              load_band_padded(work, in, layer, ic, y0, in_rows, in_w, x_all);
            else
              load_band(work, in, ic, y0, in_rows, in_w, x_all);
          }
          fir_coeffs(w, kw, work->coeffs);
          if (r == 0) {
            nn_fir_row(x, work->coeffs, taps, sum, n);
          } else {
            nn_fir_row(x, work->coeffs, taps, work->row, n);
            nn_add_rows(sum, work->row, sum, n);
          }
        }
        if (ic) nn_add_rows(work->acc, work->row_sum, work->acc, n);
      }
      for (uint16_t r = 0; r < rows; ++r)
        nn_fir_finish_row(layer, work->acc + r * in_w, b,
                          nn_dst_at(out, oc, (uint16_t)(y0 + r), 0));
    }
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
