#include "kernels/networks/network.h"

void nn_network_load_input(const nn_network_t* net, uint16_t index, int16_t* dst) {
  const uint16_t words = nn_shape_words(net->in);
  nn_far_read(dst, *net->inputs + (nn_far_addr_t)index * words * 2u, (uint16_t)(words * 2u));
}

const int16_t* nn_forward(const nn_network_t* net, int16_t* buf0, int16_t* buf1) {
  int16_t* bufs[2] = {buf0, buf1};
  for (uint16_t i = 0; i < net->n_layers; ++i) {
    const nn_layer_t* layer = &net->layers[i];
    nn_src_t src = nn_src_dense(bufs[i & 1u], layer->in);
    nn_dst_t dst = nn_dst_dense(bufs[(i + 1u) & 1u], layer->out);
    nn_region_t region = nn_region_full(layer);
    if (nn_layer_forward(layer, &src, &dst, &region) != NN_OK) return 0;
  }
  return bufs[net->n_layers & 1u];
}

uint16_t nn_argmax(const int16_t* scores, uint16_t n) {
  uint16_t best = 0;
  for (uint16_t i = 1; i < n; ++i)
    if (scores[i] > scores[best]) best = i;
  return best;
}
