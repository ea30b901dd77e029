#include "kernels/nn/nn_internal.h"

int nn_conv2d(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
              const nn_region_t* region) {
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
