// Feature-map buffers in FRAM shared by the strategies: two ping-pong maps sized for the
// network the image is built for (FMAP_A_WORDS, FMAP_B_WORDS = nn_network_t.buf_words).
#pragma once

#include <stdint.h>

#if !defined(FMAP_A_WORDS) || !defined(FMAP_B_WORDS)
#error "FMAP_A_WORDS and FMAP_B_WORDS must be defined for the network"
#endif

extern int16_t fmap_a[FMAP_A_WORDS];
extern int16_t fmap_b[FMAP_B_WORDS];
