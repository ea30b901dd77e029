#include "kernels/nn/nn_conv_fir.h"

#include "kernels/nn/nn_internal.h"

void nn_fir_coeffs(const int16_t* w, uint16_t kw, int16_t* coeffs) {
  const uint16_t taps = nn_fir_taps(kw);
  for (uint16_t j = 0; j < kw; ++j) coeffs[taps - 1u - j] = w[j];
  if (taps != kw) coeffs[0] = 0;  // h[kw] = 0
}

int16_t nn_fir_bias(const nn_layer_t* l, int32_t bias) {
  const int32_t n_firs = (int32_t)l->in.c * l->kh;
  // (bias + (n_firs + 1) * 2^14) >> 15 without overflowing: split off bias's low 15 bits.
  const int32_t low = (bias & 0x7FFF) + (n_firs + 1) * 0x4000;
  return q15_sat((bias >> 15) + (low >> 15));
}

int16_t nn_fir_finish(const nn_layer_t* l, int16_t a, int16_t b) {
  const int16_t t = q15_sat((int32_t)a + b);
  int16_t v;
  if (l->shift >= 15)
    v = q15_requant(t, (uint8_t)(l->shift - 15u));
  else
    v = q15_sat((int32_t)t * ((int32_t)1 << (15u - l->shift)));
  return l->relu ? q15_relu(v) : v;
}

void nn_fir_finish_row(const nn_layer_t* l, const int16_t* acc, int16_t b, int16_t* out) {
  for (uint16_t x = 0; x < l->out.w; ++x) out[x] = nn_fir_finish(l, acc[x], b);
}

// Input channel ic's rows [y, y + rows) into work->x, contiguous, then zeros up to x_all
// (the windows past the band's last row).
static void load_band(const nn_fir_work_t* work, const nn_src_t* in, uint16_t ic, uint16_t y,
                      uint16_t rows, uint16_t in_w, uint16_t x_all) {
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

int nn_conv_fir(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                const nn_region_t* region, const nn_fir_work_t* work) {
  const uint16_t in_c = layer->in.c, kh = layer->kh, kw = layer->kw, in_w = layer->in.w;
  const uint16_t taps = nn_fir_taps(kw), k_words = (uint16_t)(in_c * kh * kw);
  if (layer->sh != 1 || layer->sw != 1 || layer->ph || layer->pw || region->x0 != 0 ||
      region->x1 != layer->out.w)
    return NN_ERR_OP;
  if (k_words > NN_WBUF_WORDS || taps > work->c_words) return NN_ERR_SCRATCH;
  // Output rows per band: the most that fit both the output and the input buffers.
  uint16_t band = (uint16_t)(work->out_words / in_w);
  while (band &&
         (nn_fir_len(band, in_w) > work->out_words || nn_fir_x_words(layer, band) > work->x_words))
    --band;
  if (!band) return NN_ERR_SCRATCH;

  const nn_far_addr_t w_base = *layer->weights, b_base = *layer->bias;
  for (uint16_t oc = region->c0; oc < region->c1; ++oc) {
    int32_t bias32;
    nn_far_read(nn_wbuf, w_base + (nn_far_addr_t)oc * k_words * 2u, (uint16_t)(k_words * 2u));
    nn_far_read(&bias32, b_base + (nn_far_addr_t)oc * 4u, 4);
    const int16_t b = nn_fir_bias(layer, bias32);
    for (uint16_t y0 = region->y0; y0 < region->y1; y0 = (uint16_t)(y0 + band)) {
      const uint16_t rows = region->y1 - y0 < band ? (uint16_t)(region->y1 - y0) : band;
      const uint16_t n = nn_fir_len(rows, in_w), in_rows = (uint16_t)(rows + kh - 1u);
      const uint16_t x_all = nn_fir_x_words(layer, rows);
      const int16_t* w = nn_wbuf;
      for (uint16_t ic = 0; ic < in_c; ++ic) {
        // Row sum S_ic: into acc directly for the first channel.
        int16_t* sum = ic == 0 ? work->acc : work->row_sum;
        for (uint16_t r = 0; r < kh; ++r, w += kw) {
          // LEA operands are 4-byte aligned: with an odd row width, kernel row r starts its
          // own copy of the band at row y0 + r (the same words, so the same bits).
          const int16_t* x = work->x + r * in_w;
          if (in_w & 1u) {
            load_band(work, in, ic, (uint16_t)(y0 + r), (uint16_t)(in_rows - r), in_w, x_all);
            x = work->x;
          } else if (r == 0) {
            load_band(work, in, ic, y0, in_rows, in_w, x_all);
          }
          nn_fir_coeffs(w, kw, work->coeffs);
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
