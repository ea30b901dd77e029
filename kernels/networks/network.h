/* Network descriptor shared by the generated networks (kernels/networks/<name>/), the
 * strategies and the host golden model. */
#pragma once

#include <stdint.h>

#include "kernels/nn/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  const char* name;
  nn_shape_t in;  /* input map */
  int8_t in_frac; /* fractional bits of the input samples */
  uint16_t n_layers;
  const nn_layer_t* layers; /* layer i reads layer i-1's output (or the input) */
  uint16_t n_classes;       /* the last layer's out.c */
  uint16_t buf_words[2];    /* ping-pong buffers for nn_forward: [0] holds the input */
  uint16_t n_inputs;        /* sample inputs, contiguous, each in.c*in.h*in.w int16 */
  const nn_far_addr_t* inputs;
  const uint8_t* labels;  /* expected class of each sample input */
  uint16_t max_map_words; /* the largest feature map, input included */
} nn_network_t;

static inline uint16_t nn_shape_words(nn_shape_t s) {
  return (uint16_t)(s.c * s.h * s.w);
}

/* Copies sample input `index` into dst (in.c*in.h*in.w words). */
void nn_network_load_input(const nn_network_t* net, uint16_t index, int16_t* dst);

/* Runs the whole network layer by layer (the golden order). The input must be in buf0;
 * buf0 and buf1 hold net->buf_words[0] and [1] words. Returns the buffer with the output
 * scores (n_classes words), or NULL if a layer failed. */
const int16_t* nn_forward(const nn_network_t* net, int16_t* buf0, int16_t* buf1);

/* nn_forward with the arithmetic of `kernel` (NN_KERNEL_*; network_kernel.c, which needs
 * the platform's lea-fir work buffers, nn_conv_fir.h). */
const int16_t* nn_forward_kernel(const nn_network_t* net, uint8_t kernel, int16_t* buf0,
                                 int16_t* buf1);

/* Index of the largest score; ties go to the lower index. */
uint16_t nn_argmax(const int16_t* scores, uint16_t n);

#ifdef __cplusplus
}
#endif
