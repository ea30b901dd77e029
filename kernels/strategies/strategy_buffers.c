#include "kernels/strategies/strategy_buffers.h"

#ifdef IPSIM_NVM_SPI
#include "kernels/runtime/nvm_store.h"

// The external FRAM (platform.nvm.kind spi-fram): the maps survive there.
NVM_OBJECT(fmap_a, FMAP_A_WORDS * 2);
NVM_OBJECT(fmap_b, FMAP_B_WORDS * 2);
#else
#include "kernels/runtime/sections.h"

// FRAM, so that layer outputs survive power failures for the strategies that resume.
IPSIM_PERSISTENT int16_t fmap_a[FMAP_A_WORDS];
IPSIM_PERSISTENT int16_t fmap_b[FMAP_B_WORDS];
#endif
