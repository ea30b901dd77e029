// nn_layer_forward_kernel, apart from nn_conv_fir.c so that images using only the lea-fir
// steps need not define nn_fir_work.
#include "kernels/nn/nn_conv_fir.h"

int nn_layer_forward_kernel(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                            const nn_region_t* region, uint8_t kernel) {
  if (kernel == NN_KERNEL_LEA_FIR && (layer->op == NN_OP_CONV2D || layer->op == NN_OP_CONV1D))
    return nn_conv_fir_padded(layer, in, out, region, &nn_fir_work);  // padded or not
  return nn_layer_forward(layer, in, out, region);
}
