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

// External-FRAM images (IPSIM_NVM_SPI; docs/spi_fram.md): the buffer in which a strategy may
// stage the input region of a `layer` tile before it calls kernel_layer_forward with a source
// view over it, and its size in *words; NULL when the kernel lends none (cpu, pools). The LEA
// kernels lend part of LEA RAM there (their own buffers are smaller in these images), so the
// external FRAM is read straight into the LEA's RAM.
int16_t* kernel_stage(const nn_layer_t* layer, uint16_t* words);

// The whole network, layer by layer, as nn_forward.
const int16_t* kernel_forward(const nn_network_t* net, int16_t* buf0, int16_t* buf1);

#ifdef __cplusplus
}
#endif
