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

#ifdef __cplusplus
}
#endif
