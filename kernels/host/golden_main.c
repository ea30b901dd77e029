/* golden: runs the host golden model on a network's sample inputs or on raw inputs.
 *
 *   golden --network NAME [--kernel cpu|lea-mac|lea-fir] [--input N | --all | --raw FILE]
 *          [--json]
 *
 * Prints one line per input: its scores, predicted class and expected class (sample
 * inputs only). --raw reads consecutive little-endian int16 inputs from FILE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/host/golden.h"

static void print_result(const nn_network_t* net, long index, const int16_t* scores, int cls,
                         int expected, int json) {
  if (json) {
    printf("{\"network\": \"%s\", \"input\": %ld, \"scores\": [", net->name, index);
    for (unsigned i = 0; i < net->n_classes; ++i) printf("%s%d", i ? ", " : "", scores[i]);
    printf("], \"class\": %d", cls);
    if (expected >= 0) printf(", \"expected\": %d", expected);
    printf("}\n");
  } else {
    printf("%s input %ld: scores", net->name, index);
    for (unsigned i = 0; i < net->n_classes; ++i) printf(" %d", scores[i]);
    printf(" class %d", cls);
    if (expected >= 0) printf(" expected %d", expected);
    printf("\n");
  }
}

/* A layer the kernel cannot compute (lea-fir: stride 1 only). */
static int layer_failed(const nn_network_t* net, int kernel) {
  fprintf(stderr, "golden: a layer of %s failed on kernel %s (docs/kernels.md)\n", net->name,
          golden_kernel_names[kernel]);
  return 1;
}

static int usage(const char* msg) {
  fprintf(stderr,
          "golden: %s\nusage: golden --network NAME [--kernel cpu|lea-mac|lea-fir] [--input N | "
          "--all | "
          "--raw FILE] [--json]\n",
          msg);
  fprintf(stderr, "networks:");
  for (unsigned i = 0; i < golden_network_count; ++i)
    fprintf(stderr, " %s", golden_networks[i]->name);
  fprintf(stderr, "\n");
  return 2;
}

int main(int argc, char** argv) {
  const char *name = NULL, *raw = NULL;
  long input = 0;
  int all = 0, json = 0, kernel = NN_KERNEL_CPU;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--network") && i + 1 < argc) {
      name = argv[++i];
    } else if (!strcmp(argv[i], "--input") && i + 1 < argc) {
      char* end;
      input = strtol(argv[++i], &end, 10);
      if (*end || input < 0) return usage("--input expects a non-negative integer");
    } else if (!strcmp(argv[i], "--kernel") && i + 1 < argc) {
      kernel = golden_kernel(argv[++i]);
      if (kernel < 0) return usage("--kernel expects cpu, lea-mac or lea-fir");
    } else if (!strcmp(argv[i], "--raw") && i + 1 < argc) {
      raw = argv[++i];
    } else if (!strcmp(argv[i], "--all")) {
      all = 1;
    } else if (!strcmp(argv[i], "--json")) {
      json = 1;
    } else {
      return usage("unknown or incomplete argument");
    }
  }
  if (!name) return usage("--network is required");
  const nn_network_t* net = golden_network(name);
  if (!net) {
    fprintf(stderr, "golden: unknown network '%s'\n", name);
    return usage("--network expects one of the listed names");
  }

  const unsigned words = nn_shape_words(net->in);
  int16_t* x = malloc(words * sizeof(int16_t));
  int16_t scores[256];
  if (raw) {
    FILE* f = fopen(raw, "rb");
    if (!f) {
      fprintf(stderr, "golden: cannot open %s\n", raw);
      return 1;
    }
    for (long i = 0; fread(x, sizeof(int16_t), words, f) == words; ++i) {
      int cls = golden_run_kernel(net, kernel, x, scores);
      if (cls < 0) return layer_failed(net, kernel);
      print_result(net, i, scores, cls, -1, json);
    }
    fclose(f);
  } else {
    if (input >= net->n_inputs) {
      fprintf(stderr, "golden: network %s has %u sample inputs\n", net->name, net->n_inputs);
      return 2;
    }
    long first = all ? 0 : input, last = all ? net->n_inputs : input + 1;
    for (long i = first; i < last; ++i) {
      nn_network_load_input(net, (uint16_t)i, x);
      int cls = golden_run_kernel(net, kernel, x, scores);
      if (cls < 0) return layer_failed(net, kernel);
      print_result(net, i, scores, cls, net->labels[i], json);
    }
  }
  free(x);
  return 0;
}
