// nn_conv_fir_padded (nn_conv_fir.h): the padded instance of the lea-fir convolution.
#include "kernels/nn/nn_conv_fir_body.h"

int nn_conv_fir_padded(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                       const nn_region_t* region, const nn_fir_work_t* work) {
  if (!(layer->ph | layer->pw)) return nn_conv_fir(layer, in, out, region, work);
  return conv_fir(layer, in, out, region, work, 1);
}
