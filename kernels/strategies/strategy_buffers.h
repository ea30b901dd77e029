// Feature-map buffers shared by the strategies: two ping-pong maps sized for the network the
// image is built for (FMAP_A_WORDS, FMAP_B_WORDS = nn_network_t.buf_words). In on-chip FRAM,
// or, in the external-FRAM images (IPSIM_NVM_SPI), objects of the SPI FRAM known by their
// device addresses fmap_a_addr, fmap_b_addr (kernels/runtime/nvm_store.h).
#pragma once

#include <stdint.h>

#if !defined(FMAP_A_WORDS) || !defined(FMAP_B_WORDS)
#error "FMAP_A_WORDS and FMAP_B_WORDS must be defined for the network"
#endif

#ifdef IPSIM_NVM_SPI
extern const uint32_t fmap_a_addr, fmap_b_addr;
#else
extern int16_t fmap_a[FMAP_A_WORDS];
extern int16_t fmap_b[FMAP_B_WORDS];
#endif
