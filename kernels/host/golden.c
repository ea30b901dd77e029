#include "kernels/host/golden.h"

#include <stdlib.h>
#include <string.h>

#include "kernels/networks/har/har.h"
#include "kernels/networks/kws/kws.h"
#include "kernels/networks/mnist/mnist.h"
#include "kernels/networks/mnist8/mnist8.h"

const nn_network_t* const golden_networks[] = {&nn_net_mnist, &nn_net_har, &nn_net_kws,
                                               &nn_net_mnist8};
const unsigned golden_network_count = sizeof golden_networks / sizeof golden_networks[0];

const nn_network_t* golden_network(const char* name) {
  for (unsigned i = 0; i < golden_network_count; ++i)
    if (strcmp(golden_networks[i]->name, name) == 0) return golden_networks[i];
  return NULL;
}

const char* const golden_kernel_names[] = {"cpu", "lea-mac", "lea-fir"};

int golden_kernel(const char* name) {
  for (int k = 0; k < 3; ++k)
    if (strcmp(golden_kernel_names[k], name) == 0) return k;
  return -1;
}

int golden_run(const nn_network_t* net, const int16_t* input, int16_t* scores) {
  return golden_run_kernel(net, NN_KERNEL_CPU, input, scores);
}

int golden_run_kernel(const nn_network_t* net, int kernel, const int16_t* input, int16_t* scores) {
  int16_t* buf0 = malloc(net->buf_words[0] * sizeof(int16_t));
  int16_t* buf1 = malloc(net->buf_words[1] * sizeof(int16_t));
  int result = -1;
  if (buf0 && buf1) {
    memcpy(buf0, input, nn_shape_words(net->in) * sizeof(int16_t));
    const int16_t* out = nn_forward_kernel(net, (uint8_t)kernel, buf0, buf1);
    if (out) {
      memcpy(scores, out, net->n_classes * sizeof(int16_t));
      result = nn_argmax(scores, net->n_classes);
    }
  }
  free(buf0);
  free(buf1);
  return result;
}
