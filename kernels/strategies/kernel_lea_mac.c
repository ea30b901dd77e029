// The lea-mac kernel: one LEA MAC per conv output and per FC neuron (lea_kernels.c), pools
// on the CPU.
#include "kernels/runtime/lea.h"
#include "kernels/runtime/sections.h"
#include "kernels/strategies/kernel.h"
#include "kernels/strategies/lea_kernels.h"

const uint8_t kernel_id = NN_KERNEL_LEA_MAC;
const char kernel_name[] = "lea-mac";

// LEA RAM (2048 words), as hawaii.c: weights 900 + operand vector 1080 words; the LEA stack
// keeps the top 132 bytes.
IPSIM_LEARAM static int16_t km_w[900];
IPSIM_LEARAM static int16_t km_x[1080];
static const lk_bufs_t km_bufs = {km_w, 900, km_x, 1080};

void kernel_init(void) {
  lea_init();
}

int kernel_layer_forward(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                         const nn_region_t* region) {
  switch (layer->op) {
    case NN_OP_CONV2D:
    case NN_OP_CONV1D:
      lk_conv_region(&km_bufs, layer, in, out, region);
      return NN_OK;
    case NN_OP_FC:
      lk_fc_region(&km_bufs, layer, in, out, region);
      return NN_OK;
    default:
      return nn_layer_forward(layer, in, out, region);
  }
}
