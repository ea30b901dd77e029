// External SPI FRAM driver: a Cypress CY15B104Q (512 KB) on eUSCI_A3, the wiring of the
// Stateful-CNN / iNAS LaunchPad set-up (docs/spi_fram.md):
//   P6.0 UCA3SIMO -> SI,  P6.1 UCA3SOMI <- SO,  P6.2 UCA3CLK -> SCK,  P6.3 GPIO -> /CS.
// SPI mode 3, MSB first, SCK = SMCLK / spi_fram_brw (4: 4 MHz at 16 MHz, as in iNAS).
// Blocks move by DMA, single transfers triggered by UCA3TXIFG (channel 3) and UCA3RXIFG
// (channel 4), while the CPU sleeps in LPM0 until the DMA interrupt; command and address bytes
// are polled. IPSIM_SPIFRAM_OBJECT reserves a named object in the `.spifram` section
// (fr5994.ld), so that the simulator's NVM report can name it; code takes its device address
// with IPSIM_SPIFRAM_ADDRESS.
#ifndef IPSIM_RUNTIME_SPI_FRAM_H
#define IPSIM_RUNTIME_SPI_FRAM_H
#include <stdint.h>

// At file scope: IPSIM_SPIFRAM_OBJECT(name, bytes) reserves `bytes` bytes named `name` in
// `.spifram` (VMA 0x01000000 + device address, fr5994.ld) and declares `const uint32_t
// name_addr`, its device address. Defined in assembly: a C object at 0x01000000 would not fit
// the 16-bit addresses of clang's msp430 debug information.
#define IPSIM_SPIFRAM_OBJECT(name, bytes)                                                  \
  __asm__(".section .spifram,\"aw\",@nobits\n.balign 2\n.global " #name "\n.type " #name   \
          ",@object\n" #name ":\n.zero " #bytes "\n.size " #name ", " #bytes               \
          "\n"                                                                             \
          ".section .rodata." #name "_addr,\"a\",@progbits\n.balign 2\n.global " #name     \
          "_addr\n" #name "_addr:\n.long " #name " - 0x01000000\n.previous\n.previous\n"); \
  extern const uint32_t name##_addr

// UCBRW: a deployment parameter (ipsim writes SMCLK / platform.nvm.spi_clock into it).
extern const volatile uint16_t spi_fram_brw;

// Sets up the pins and eUSCI_A3, clears the block protection; returns 0 if the part answers
// RDID with the CY15B104Q's ID, else 1. Needs LOCKLPM5 cleared (clock_init_*).
int spi_fram_init(void);
void spi_fram_write(uint32_t address, const void* src, uint16_t bytes);
void spi_fram_read(void* dst, uint32_t address, uint16_t bytes);

#endif
