/* Host implementation of nn_far_read: far addresses are plain pointers. Not part of the
 * firmware build. */
#if !defined(__MSP430__)
#include <string.h>

#include "kernels/nn/nn_platform.h"

void nn_far_read(void* dst, nn_far_addr_t src, uint16_t bytes) {
  memcpy(dst, (const void*)src, bytes);
}
#endif
