// The cpu kernel: kernels/nn on the CPU.
#include "kernels/strategies/kernel.h"

const uint8_t kernel_id = NN_KERNEL_CPU;
const char kernel_name[] = "cpu";

void kernel_init(void) {}

int kernel_layer_forward(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                         const nn_region_t* region) {
  return nn_layer_forward(layer, in, out, region);
}

#ifdef IPSIM_NVM_SPI
int16_t* kernel_stage(const nn_layer_t* layer, uint16_t* words) {
  (void)layer;
  *words = 0;
  return 0;  // the strategy stages in its own SRAM band
}
#endif
