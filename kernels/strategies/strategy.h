// The interface every inference strategy implements (design.md §6). The application
// (kernels/apps/infer_main.c) calls strategy_begin() once per inference, then
// strategy_run() at every boot until it returns. A power failure may cut either call at any
// instruction; on the next boot the same call is made again with the same arguments, and the
// strategy must carry on from what it committed to FRAM (or start over, for `continuous`).
// All strategies must produce scores bit-identical to the golden model (nn_forward).
#pragma once

#include <stdint.h>

#include "kernels/networks/network.h"

#ifdef __cplusplus
extern "C" {
#endif

// Prepares a new inference of sample input `input`: resets the strategy's progress state.
// Must itself be safe to repeat (it is re-run if power fails before the caller commits).
void strategy_begin(const nn_network_t* net, uint16_t input);

// Runs (or resumes) the inference; returns the n_classes output scores, in memory that stays
// valid until the next strategy_begin().
const int16_t* strategy_run(const nn_network_t* net, uint16_t input);

// Human-readable strategy name ("continuous", "sonic", ...).
extern const char strategy_name[];

#ifdef __cplusplus
}
#endif
