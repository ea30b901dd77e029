// kernel_forward: nn_forward's layer loop over kernel_layer_forward.
#include "kernels/strategies/kernel.h"

const int16_t* kernel_forward(const nn_network_t* net, int16_t* buf0, int16_t* buf1) {
  int16_t* bufs[2] = {buf0, buf1};
  for (uint16_t i = 0; i < net->n_layers; ++i) {
    const nn_layer_t* layer = &net->layers[i];
    nn_src_t src = nn_src_dense(bufs[i & 1u], layer->in);
    nn_dst_t dst = nn_dst_dense(bufs[(i + 1u) & 1u], layer->out);
    nn_region_t region = nn_region_full(layer);
    if (kernel_layer_forward(layer, &src, &dst, &region) != NN_OK) return 0;
  }
  return bufs[net->n_layers & 1u];
}
