#include "kernels/nn/nn_internal.h"

static int nn_pool(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                   const nn_region_t* region, int is_max) {
  const uint16_t kh = layer->kh, kw = layer->kw;
  for (uint16_t c = region->c0; c < region->c1; ++c) {
    for (uint16_t y = region->y0; y < region->y1; ++y) {
      int16_t* o = nn_dst_at(out, c, y, region->x0);
      for (uint16_t x = region->x0; x < region->x1; ++x) {
        const int16_t* p = nn_src_at(in, c, y * layer->sh, x * layer->sw);
        int16_t m = Q15_MIN;
        int32_t sum = 0;
        for (uint16_t ky = 0; ky < kh; ++ky, p += in->row_stride) {
          for (uint16_t kx = 0; kx < kw; ++kx) {
            if (p[kx] > m) m = p[kx];
            sum += p[kx];
          }
        }
        int16_t v = is_max ? m : q15_requant(sum, layer->shift);
        *o++ = layer->relu ? q15_relu(v) : v;
      }
    }
  }
  return NN_OK;
}

int nn_maxpool(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
               const nn_region_t* region) {
  return nn_pool(layer, in, out, region, 1);
}

/* The window must hold 2^shift elements, so the average is exactly a rounded shift. */
int nn_avgpool(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
               const nn_region_t* region) {
  if ((uint16_t)(layer->kh * layer->kw) != (uint16_t)(1u << layer->shift)) return NN_ERR_OP;
  return nn_pool(layer, in, out, region, 0);
}

int nn_relu(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
            const nn_region_t* region) {
  (void)layer;
  for (uint16_t c = region->c0; c < region->c1; ++c) {
    for (uint16_t y = region->y0; y < region->y1; ++y) {
      const int16_t* p = nn_src_at(in, c, y, region->x0);
      int16_t* o = nn_dst_at(out, c, y, region->x0);
      for (uint16_t x = region->x0; x < region->x1; ++x) *o++ = q15_relu(*p++);
    }
  }
  return NN_OK;
}
