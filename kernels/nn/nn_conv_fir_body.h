/* Private to nn_conv_fir.c, nn_conv_fir_pad.c and depth-first's depth_first_fir.c: the body of
 * the lea-fir convolution, one source for the unpadded instance (nn_conv_fir), the padded one
 * (nn_conv_fir_padded) and depth-first's (df_conv_fir_resident, its band sizing and per-channel
 * loop). The instances are compiled apart so that unpadded images do not link the padded one. */
#pragma once

#include "kernels/nn/nn_conv_fir.h"
#include "kernels/nn/nn_internal.h"

// Input channel ic's rows [y, y + rows) into work->x, contiguous, then zeros up to x_all
// (the windows past the band's last row).
static __attribute__((unused)) void load_band(const nn_fir_work_t* work, const nn_src_t* in,
                                              uint16_t ic, uint16_t y, uint16_t rows, uint16_t in_w,
                                              uint16_t x_all) {
  const int16_t* src = nn_src_at(in, ic, y, 0);
  const uint16_t used = (uint16_t)(rows * in_w);
  if (in->row_stride == in_w) {
    nn_fir_copy(work->x, src, used);
  } else {
    for (uint16_t r = 0; r < rows; ++r)
      nn_fir_copy(work->x + r * in_w, src + r * in->row_stride, in_w);
  }
  for (uint16_t i = used; i < x_all; ++i) work->x[i] = 0;
}

// Input channel ic's rows [y, y + rows) of the zero-padded map into work->x, each w words:
// pw zeros, the input row (or zeros for a row of the padding, y counted from the padding's
// top), pw zeros; then zeros up to x_all, as load_band.
static __attribute__((unused)) void load_band_padded(const nn_fir_work_t* work, const nn_src_t* in,
                                                     const nn_layer_t* l, uint16_t ic, uint16_t y,
                                                     uint16_t rows, uint16_t w, uint16_t x_all) {
  const uint16_t in_w = l->in.w, pw = l->pw;
  int16_t* d = work->x;
  for (uint16_t r = 0; r < rows; ++r, d += w) {
    const int16_t iy = (int16_t)((int16_t)(y + r) - (int16_t)l->ph);
    if (iy < 0 || iy >= (int16_t)l->in.h) {
      for (uint16_t i = 0; i < w; ++i) d[i] = 0;
      continue;
    }
    for (uint16_t i = 0; i < pw; ++i) d[i] = 0, d[pw + in_w + i] = 0;
    nn_fir_copy(d + pw, nn_src_at(in, ic, (uint16_t)iy, 0), in_w);
  }
  for (uint16_t i = (uint16_t)(rows * w); i < x_all; ++i) work->x[i] = 0;
}

// nn_fir_x_words of an unpadded layer, as written before padding existed (the same code).
static inline uint16_t x_words_valid(const nn_layer_t* l, uint16_t rows) {
  return (uint16_t)((rows + l->kh - 1u) * l->in.w + nn_fir_taps(l->kw) + 1u);
}

// Checks that the lea-fir convolution can run region (rows of width in_w: the input's, or the
// padded map's, nn_fir_width, when `padded`) and sets *band to the output rows per band: the
// most that fit both the output and the input buffers. NN_OK or the error.
static inline __attribute__((always_inline)) int conv_fir_band(const nn_layer_t* layer,
                                                               const nn_region_t* region,
                                                               const nn_fir_work_t* work,
                                                               int padded, uint16_t* band_out) {
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
  *band_out = band;
  return NN_OK;
}

// Output channel oc of region, band rows at a time, from its weights w_oc (in SRAM, in_c * kh
// * kw words) and its bias b in FIR scale; fir_coeffs builds a kernel row's taps
// (nn_fir_coeffs, or an inlined copy of it).
static inline __attribute__((always_inline)) void conv_fir_channel(
    const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out, const nn_region_t* region,
    const nn_fir_work_t* work, int padded, uint16_t band, uint16_t oc, const int16_t* w_oc,
    int16_t b, void (*fir_coeffs)(const int16_t* w, uint16_t kw, int16_t* coeffs)) {
  const uint16_t in_c = layer->in.c, kh = layer->kh, kw = layer->kw,
                 in_w = padded ? nn_fir_width(layer) : layer->in.w;
  const uint16_t taps = nn_fir_taps(kw);
  for (uint16_t y0 = region->y0; y0 < region->y1; y0 = (uint16_t)(y0 + band)) {
    const uint16_t rows = region->y1 - y0 < band ? (uint16_t)(region->y1 - y0) : band;
    const uint16_t n = nn_fir_len(rows, in_w), in_rows = (uint16_t)(rows + kh - 1u);
    const uint16_t x_all = padded ? nn_fir_x_words(layer, rows) : x_words_valid(layer, rows);
    const int16_t* w = w_oc;
    for (uint16_t ic = 0; ic < in_c; ++ic) {
      // Row sum S_ic: into acc directly for the first channel.
      int16_t* sum = ic == 0 ? work->acc : work->row_sum;
      for (uint16_t r = 0; r < kh; ++r, w += kw) {
        // LEA operands are 4-byte aligned: with an odd row width, kernel row r starts its
        // own copy of the band at row y0 + r (the same words, so the same bits).
        const int16_t* x = work->x + r * in_w;
        if (in_w & 1u) {
          if (padded)
            load_band_padded(work, in, layer, ic, (uint16_t)(y0 + r), (uint16_t)(in_rows - r), in_w,
                             x_all);
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
      nn_fir_finish_row(layer, work->acc + r * in_w, b, nn_dst_at(out, oc, (uint16_t)(y0 + r), 0));
  }
}

// The convolution over rows of width in_w: the input's, or the padded map's (nn_fir_width)
// when `padded`. One body for nn_conv_fir and nn_conv_fir_padded (and, with its weight load
// behind a tag, depth-first's df_conv_fir_resident).
static inline __attribute__((always_inline)) int conv_fir(const nn_layer_t* layer,
                                                          const nn_src_t* in, const nn_dst_t* out,
                                                          const nn_region_t* region,
                                                          const nn_fir_work_t* work, int padded) {
  uint16_t band = 0;
  const int rc = conv_fir_band(layer, region, work, padded, &band);
  if (rc != NN_OK) return rc;
  const uint16_t k_words = (uint16_t)(layer->in.c * layer->kh * layer->kw);
  const nn_far_addr_t w_base = *layer->weights, b_base = *layer->bias;
  for (uint16_t oc = region->c0; oc < region->c1; ++oc) {
    int32_t bias32;
    nn_far_read(nn_wbuf, w_base + (nn_far_addr_t)oc * k_words * 2u, (uint16_t)(k_words * 2u));
    nn_far_read(&bias32, b_base + (nn_far_addr_t)oc * 4u, 4);
    conv_fir_channel(layer, in, out, region, work, padded, band, oc, nn_wbuf,
                     nn_fir_bias(layer, bias32), nn_fir_coeffs);
  }
  return NN_OK;
}
