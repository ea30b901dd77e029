#include "kernels/nn/nn_conv_fir.h"

#include "kernels/nn/nn_conv_fir_body.h"
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

int nn_conv_fir(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                const nn_region_t* region, const nn_fir_work_t* work) {
  return conv_fir(layer, in, out, region, work, 0);
}
