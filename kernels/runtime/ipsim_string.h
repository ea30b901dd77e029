// memcpy/memset/memmove/memcmp for firmware and its host golden build: the MSP430 has only
// freestanding headers, so the declarations of our runtime versions (mem.c) live here.
#pragma once

#include <stddef.h>

#ifdef __MSP430__
void* memcpy(void* restrict dst, const void* restrict src, size_t n);
void* memset(void* dst, int c, size_t n);
void* memmove(void* dst, const void* src, size_t n);
int memcmp(const void* a, const void* b, size_t n);
#else
#include <string.h>
#endif
