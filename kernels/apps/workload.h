// The workload block: what the node should infer. It is a constant in FRAM, so a deployment
// tool (here the simulator, when it "flashes" the image) can set it without recompiling; the
// defaults below run one inference of sample input 0 at 16 MHz.
#pragma once

#include <stdint.h>

#define WORKLOAD_MAGIC 0x574Bu  // "WK"
#define WORKLOAD_MAX_INPUTS 32
#define WORKLOAD_MAX_INFERENCES 32
#define WORKLOAD_MAX_CLASSES 16

typedef struct {
  uint16_t magic;
  uint16_t inferences;  // how many inferences to run, <= WORKLOAD_MAX_INFERENCES
  uint16_t mclk_mhz;    // 1, 8 or 16
  uint16_t n_inputs;    // inference i uses inputs[i % n_inputs]
  uint16_t inputs[WORKLOAD_MAX_INPUTS];
} workload_t;

// Results, in FRAM: kept across power failures, read by the host after the run.
typedef struct {
  uint16_t completed;  // inferences finished
  uint16_t predicted[WORKLOAD_MAX_INFERENCES];
  int16_t scores[WORKLOAD_MAX_INFERENCES][WORKLOAD_MAX_CLASSES];
} infer_results_t;
