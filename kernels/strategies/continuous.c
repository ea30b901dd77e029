// continuous: no intermittence safety at all (design.md §6), the reference for overhead under
// constant power. The whole network runs layer by layer in two FRAM ping-pong buffers
// (nn_forward's order) on the image's kernel (kernel.h); after a power failure it starts the
// inference over.
// FRAM writes per inference, every kernel, exact under continuous power: the input copy into
// fmap_a, then each layer's output map once, layer i into fmap_b for even i and fmap_a for
// odd i, 2 B per word; nothing else (tests/strategies/nvm_closed_form.py checks it).
// With platform.nvm.kind spi-fram (infer_<net>_continuous_<kernel>_spi.elf, the same build):
// it has no persistent state to keep, so its maps stay in on-chip FRAM (the fastest place for
// them) and it never touches the external FRAM.
#include "kernels/runtime/sections.h"
#include "kernels/strategies/kernel.h"
#include "kernels/strategies/strategy.h"
#include "kernels/strategies/strategy_buffers.h"

const char strategy_name[] = "continuous";

void strategy_begin(const nn_network_t* net, uint16_t input) {
  (void)net;
  (void)input;
}

const int16_t* strategy_run(const nn_network_t* net, uint16_t input) {
  kernel_init();
  nn_network_load_input(net, input, fmap_a);
  return kernel_forward(net, fmap_a, fmap_b);
}
