/* What the NN library needs from the platform. Weights may live above 64 KB (upper FRAM
 * 0x10000-0x43FFF), where 16-bit C pointers cannot reach, so layers copy them into a small
 * SRAM buffer with nn_far_read. The MSP430 implementation (DMA or MSP430X moves) belongs
 * to the runtime; the host one is a memcpy (nn_far_host.c). */
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__MSP430__)
/* A 20-bit FRAM address, filled in by the assembler (see the generated network tables). */
typedef uint32_t nn_far_addr_t;
/* Large constant arrays go to upper FRAM. */
#define NN_UPPER __attribute__((section(".upper.rodata")))
/* Defines a constant array in upper FRAM. MSP430 C objects are limited to 32 KB and their
 * addresses to 16 bits, so the assembler lays the data out; C code reaches it only through
 * far addresses. */
#define NN_STR_(...) #__VA_ARGS__
#define NN_UPPER_ARRAY_(name, directive, bytes, ...)                                        \
  __asm__(".pushsection .upper.rodata." #name ",\"a\",@progbits\n.balign 2\n.global " #name \
          "\n.type " #name ",@object\n" #name ":\n" directive                               \
          " " NN_STR_(__VA_ARGS__) "\n.size " #name ", " #bytes "\n.popsection\n");
#define NN_UPPER_I16(name, n, ...) NN_UPPER_ARRAY_(name, ".short", 2 * n, __VA_ARGS__)
#define NN_UPPER_I32(name, n, ...) NN_UPPER_ARRAY_(name, ".long", 4 * n, __VA_ARGS__)
#else
/* On the host a far address is simply a pointer. */
typedef uintptr_t nn_far_addr_t;
#define NN_UPPER
#define NN_UPPER_I16(name, n, ...) const int16_t name[n] = {__VA_ARGS__};
#define NN_UPPER_I32(name, n, ...) const int32_t name[n] = {__VA_ARGS__};
#endif

/* Copies bytes (even) from far address src to dst. */
void nn_far_read(void* dst, nn_far_addr_t src, uint16_t bytes);

/* Words of the SRAM weight buffer: a conv layer needs in_c*kh*kw of them; FC layers stream
 * longer rows in chunks of this size. 512 words = 1 KB. */
#ifndef NN_WBUF_WORDS
#define NN_WBUF_WORDS 512
#endif

#ifdef __cplusplus
}
#endif
