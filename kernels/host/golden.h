/* Host golden model: the networks by name and a whole-network run. */
#pragma once

#include <stdint.h>

#include "kernels/networks/network.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const nn_network_t* const golden_networks[];
extern const unsigned golden_network_count;

/* NULL if there is no such network. */
const nn_network_t* golden_network(const char* name);

/* Runs net on input (in.c*in.h*in.w words) and writes n_classes scores. Returns the
 * predicted class, or -1 if a layer failed. */
int golden_run(const nn_network_t* net, const int16_t* input, int16_t* scores);

/* Kernel names of workload.kernel, indexed by NN_KERNEL_*. */
extern const char* const golden_kernel_names[];
/* NN_KERNEL_* of a kernel name, or -1. */
int golden_kernel(const char* name);

/* golden_run with the arithmetic of `kernel` (NN_KERNEL_*): cpu and lea-mac give the same
 * bits, lea-fir those of nn_conv_fir.h. */
int golden_run_kernel(const nn_network_t* net, int kernel, const int16_t* input, int16_t* scores);

#ifdef __cplusplus
}
#endif
