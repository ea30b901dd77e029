// Inference application: runs workload.inferences inferences of one network with one
// strategy, surviving power failures. Progress of the application itself is one FRAM word,
// app_state = 2 * inference + phase, written atomically (an FRAM word write is atomic,
// design.md §3): phase 0 = the inference has not begun, 1 = it is running.
// Built once per (network, strategy) pair: INFER_NET names the network descriptor.
#include <stdint.h>

#include "kernels/apps/workload.h"
#include "kernels/networks/network.h"
#include "kernels/runtime/clock.h"
#include "kernels/runtime/debug_port.h"
#include "kernels/runtime/sections.h"
#include "kernels/strategies/strategy.h"

#ifndef INFER_NET
#error "INFER_NET must name the network descriptor, e.g. nn_net_mnist"
#endif
extern const nn_network_t INFER_NET;

__attribute__((used)) const volatile workload_t workload = {WORKLOAD_MAGIC, 1, 16, 1, {0}};

IPSIM_PERSISTENT __attribute__((used)) infer_results_t infer_results;
IPSIM_PERSISTENT static uint16_t app_state;
IPSIM_PERSISTENT __attribute__((used)) uint16_t app_boots;

static void set_clock(uint16_t mhz) {
  if (mhz >= 16)
    clock_init_16mhz();
  else if (mhz >= 8)
    clock_init_8mhz();
  // else: stay at the 1 MHz reset clock
}

int main(void) {
  set_clock(workload.mclk_mhz);
  dbg_marker(DBG_BOOT, ++app_boots);
  const nn_network_t* net = &INFER_NET;
  uint16_t inferences = workload.inferences;
  if (inferences > WORKLOAD_MAX_INFERENCES) inferences = WORKLOAD_MAX_INFERENCES;
  const uint16_t n_inputs = workload.n_inputs ? workload.n_inputs : 1;
  while ((app_state >> 1) < inferences) {
    const uint16_t i = app_state >> 1;
    const uint16_t input = workload.inputs[i % n_inputs];
    if (!(app_state & 1)) {
      dbg_marker(DBG_INFERENCE_START, i);
      strategy_begin(net, input);
      app_state = (uint16_t)(app_state | 1);
    }
    const int16_t* scores = strategy_run(net, input);
    const uint16_t n =
        net->n_classes < WORKLOAD_MAX_CLASSES ? net->n_classes : WORKLOAD_MAX_CLASSES;
    for (uint16_t c = 0; c < n; ++c) infer_results.scores[i][c] = scores[c];
    const uint16_t predicted = nn_argmax(scores, net->n_classes);
    infer_results.predicted[i] = predicted;
    infer_results.completed = (uint16_t)(i + 1);
    dbg_marker(DBG_INFERENCE_END, predicted);
    app_state = (uint16_t)((i + 1) << 1);
  }
  return 0;
}
