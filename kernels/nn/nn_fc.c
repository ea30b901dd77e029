#include "kernels/nn/nn_internal.h"

/* The input is read in CHW order through the source view, which must start at (0, 0, 0).
 * Rows longer than the SRAM buffer are streamed in chunks; one accumulator per output, so
 * chunking changes nothing in the result. */
int nn_fc(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
          const nn_region_t* region) {
  const uint16_t in_w = layer->in.w;
  const uint32_t k_total = (uint32_t)layer->in.c * layer->in.h * in_w;
  const nn_far_addr_t w_base = *layer->weights, b_base = *layer->bias;
  for (uint16_t oc = region->c0; oc < region->c1; ++oc) {
    int32_t acc;
    nn_far_read(&acc, b_base + (nn_far_addr_t)oc * 4u, 4);
    nn_far_addr_t w_addr = w_base + (nn_far_addr_t)oc * k_total * 2u;
    uint16_t c = 0, y = 0, x = 0;
    const int16_t* row = nn_src_at(in, 0, 0, 0);
    for (uint32_t k0 = 0; k0 < k_total; k0 += NN_WBUF_WORDS) {
      uint16_t n = (k_total - k0 > NN_WBUF_WORDS) ? NN_WBUF_WORDS : (uint16_t)(k_total - k0);
      nn_far_read(nn_wbuf, w_addr, (uint16_t)(n * 2u));
      w_addr += (nn_far_addr_t)n * 2u;
      for (uint16_t i = 0; i < n; ++i) {
        acc += (int32_t)nn_wbuf[i] * row[x];
        if (++x == in_w) {
          x = 0;
          if (++y == layer->in.h) {
            y = 0;
            ++c;
          }
          if (c < layer->in.c) row = nn_src_at(in, c, y, 0);
        }
      }
    }
    *nn_dst_at(out, oc, 0, 0) = nn_finish(layer, acc);
  }
  return NN_OK;
}
