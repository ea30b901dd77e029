#include "kernels/nn/nn_internal.h"

/* Window positions [*k0, *k1) of output index o that fall inside a map of n inputs along one
 * axis (stride s, padding p); the others read zero padding and add nothing to the sum. */
static int16_t nn_window(uint16_t o, uint16_t s, uint16_t p, uint16_t k, uint16_t n, uint16_t* k0,
                         uint16_t* k1) {
  const int16_t i = (int16_t)((int16_t)(o * s) - (int16_t)p);
  *k0 = (uint16_t)(i < 0 ? -i : 0);
  *k1 = (uint16_t)((int16_t)(n - i) < (int16_t)k ? (int16_t)(n - i) : (int16_t)k);
  return i;
}

/* nn_conv2d with zero padding: the same int32 sum without the products of padding zeros
 * (exact, q15.h), so the bits are those of a convolution over the zero-padded map. */
static int nn_conv2d_padded(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                            const nn_region_t* region) {
  const uint16_t in_c = layer->in.c, kh = layer->kh, kw = layer->kw;
  const uint16_t k_words = in_c * kh * kw;
  if (k_words > NN_WBUF_WORDS) return NN_ERR_SCRATCH;
  const nn_far_addr_t w_base = *layer->weights, b_base = *layer->bias;
  for (uint16_t oc = region->c0; oc < region->c1; ++oc) {
    int32_t bias;
    nn_far_read(nn_wbuf, w_base + (nn_far_addr_t)oc * k_words * 2u, (uint16_t)(k_words * 2u));
    nn_far_read(&bias, b_base + (nn_far_addr_t)oc * 4u, 4);
    for (uint16_t y = region->y0; y < region->y1; ++y) {
      uint16_t ky0, ky1;
      const int16_t iy = nn_window(y, layer->sh, layer->ph, kh, layer->in.h, &ky0, &ky1);
      int16_t* o = nn_dst_at(out, oc, y, region->x0);
      for (uint16_t x = region->x0; x < region->x1; ++x) {
        uint16_t kx0, kx1;
        const int16_t ix = nn_window(x, layer->sw, layer->pw, kw, layer->in.w, &kx0, &kx1);
        int32_t acc = bias;
        for (uint16_t ic = 0; ic < in_c; ++ic) {
          const int16_t* w = nn_wbuf + (ic * kh + ky0) * kw;
          const int16_t* p =
              nn_src_at(in, ic, (uint16_t)(iy + (int16_t)ky0), (uint16_t)(ix + (int16_t)kx0));
          for (uint16_t ky = ky0; ky < ky1; ++ky) {
            for (uint16_t kx = kx0; kx < kx1; ++kx) acc += (int32_t)w[kx] * p[kx - kx0];
            w += kw;
            p += in->row_stride;
          }
        }
        *o++ = nn_finish(layer, acc);
      }
    }
  }
  return NN_OK;
}

int nn_conv2d(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
              const nn_region_t* region) {
  if (layer->ph | layer->pw) return nn_conv2d_padded(layer, in, out, region);
  const uint16_t in_c = layer->in.c, kh = layer->kh, kw = layer->kw;
  const uint16_t k_words = in_c * kh * kw;
  if (k_words > NN_WBUF_WORDS) return NN_ERR_SCRATCH;
  const nn_far_addr_t w_base = *layer->weights, b_base = *layer->bias;
  for (uint16_t oc = region->c0; oc < region->c1; ++oc) {
    int32_t bias;
    /* One output channel's weights per fetch: the SRAM buffer stays small and the fetch is
     * amortised over the whole region. */
    nn_far_read(nn_wbuf, w_base + (nn_far_addr_t)oc * k_words * 2u, (uint16_t)(k_words * 2u));
    nn_far_read(&bias, b_base + (nn_far_addr_t)oc * 4u, 4);
    for (uint16_t y = region->y0; y < region->y1; ++y) {
      int16_t* o = nn_dst_at(out, oc, y, region->x0);
      for (uint16_t x = region->x0; x < region->x1; ++x) {
        int32_t acc = bias;
        const int16_t* w = nn_wbuf;
        for (uint16_t ic = 0; ic < in_c; ++ic) {
          const int16_t* p = nn_src_at(in, ic, y * layer->sh, x * layer->sw);
          for (uint16_t ky = 0; ky < kh; ++ky) {
            for (uint16_t kx = 0; kx < kw; ++kx) acc += (int32_t)w[kx] * p[kx];
            w += kw;
            p += in->row_stride;
          }
        }
        *o++ = nn_finish(layer, acc);
      }
    }
  }
  return NN_OK;
}

/* 1-D maps are stored as height-1 CHW maps, so the 2-D kernel with kh = 1 is exact. */
int nn_conv1d(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
              const nn_region_t* region) {
  if (layer->kh != 1 || layer->in.h != 1) return NN_ERR_OP;
  return nn_conv2d(layer, in, out, region);
}
