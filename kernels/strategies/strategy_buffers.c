#include "kernels/strategies/strategy_buffers.h"

#include "kernels/runtime/sections.h"

// FRAM, so that layer outputs survive power failures for the strategies that resume.
IPSIM_PERSISTENT int16_t fmap_a[FMAP_A_WORDS];
IPSIM_PERSISTENT int16_t fmap_b[FMAP_B_WORDS];
