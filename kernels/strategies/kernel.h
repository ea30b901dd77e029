// The compute kernel an inference image is built for (workload.kernel, docs/kernels.md): one
// of kernel_cpu.c, kernel_lea_mac.c, kernel_lea_fir.c is linked into each image. Strategies
// that compute whole layer regions (continuous, layerwise-checkpoint) call these; the bits
// are those of the kernel's golden model (golden --kernel).
#pragma once

#include <stdint.h>

#include "kernels/networks/network.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const uint8_t kernel_id;  // NN_KERNEL_*
extern const char kernel_name[];

// At every boot, before the first layer: the LEA's registers (its stack pointer too) are reset
// by every power failure.
void kernel_init(void);

// Output region `region` of `layer` (nn_layer_forward's contract), on this kernel. On the LEA
// kernels conv regions of lea-fir cover all columns, and FC regions read the whole dense input.
int kernel_layer_forward(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                         const nn_region_t* region);

// The whole network, layer by layer, as nn_forward.
const int16_t* kernel_forward(const nn_network_t* net, int16_t* buf0, int16_t* buf1);

#ifdef __cplusplus
}
#endif
