// Placement attributes for the FR5994 memory map (fr5994.ld; design.md §5).
//   IPSIM_PERSISTENT        FRAM 0x4000-0xFF7F, initialised when the image is loaded and
//                           never by crt0: survives power failures and reboots.
//   IPSIM_UPPER_RODATA      upper FRAM (>= 0x10000), constant (large weights).
//   IPSIM_UPPER_PERSISTENT  upper FRAM, writable, survives power failures.
//   IPSIM_LEARAM            SRAM shared with the LEA (0x2C00-0x3BFF), NOLOAD.
//   IPSIM_NOINIT            CPU SRAM left as found at boot (not zeroed).
// clang emits only 16-bit addresses (facts §2.6), so code cannot take the address of an
// upper-FRAM object directly; IPSIM_FAR_ADDRESS puts its 20-bit address into a 32-bit
// constant in lower FRAM, for DMA (DMAxSA/DMAxDA) or hand-encoded MSP430X instructions.
#pragma once

#include <stdint.h>

#define IPSIM_PERSISTENT __attribute__((section(".persistent")))
#define IPSIM_UPPER_RODATA __attribute__((section(".upper.rodata")))
#define IPSIM_UPPER_PERSISTENT __attribute__((section(".upper.persistent")))
#define IPSIM_LEARAM __attribute__((section(".learam"), aligned(4)))
#define IPSIM_NOINIT __attribute__((section(".noinit")))

#ifdef __MSP430__  // (no host equivalent: the host has no upper memory)
// At file scope: IPSIM_FAR_ADDRESS(w_addr, weights); declares `const uint32_t w_addr`
// holding the full address of `weights` (an R_MSP430_32 relocation, resolved by ld.lld).
#define IPSIM_FAR_ADDRESS(name, sym)                                                         \
  __asm__(".section .rodata." #name ",\"a\",@progbits\n.balign 2\n.global " #name "\n" #name \
          ":\n.long " #sym "\n.previous\n");                                                 \
  extern const uint32_t name
#endif
