// External SPI FRAM driver (see spi_fram.h). Opcodes from the CY15B104Q datasheet.
#include "kernels/runtime/spi_fram.h"

#include "kernels/runtime/msp430fr5994.h"

#define CMD_WREN 0x06u
#define CMD_WRSR 0x01u
#define CMD_READ 0x03u
#define CMD_WRITE 0x02u
#define CMD_RDID 0x9Fu
#define CS_PIN BIT3

const volatile uint16_t spi_fram_brw = 4;

// The DMA ISR in dma.c (vector 42) wakes the CPU; referencing its variable links it in.
extern volatile uint16_t dma_last_iv;

static const uint8_t dummy_byte = 0xFF;

static void cs_low(void) {
  P6OUT &= (uint8_t)~CS_PIN;
}
static void cs_high(void) {
  P6OUT |= CS_PIN;
}
static void wait_idle(void) {
  while (UCA3STATW & UCBUSY) {
  }
}
static void send(uint8_t byte) {
  UCA3TXBUF = byte;
  wait_idle();
}
static void send_command(uint8_t opcode, uint32_t address) {
  send(opcode);
  send((uint8_t)(address >> 16));
  send((uint8_t)(address >> 8));
  send((uint8_t)address);
}
static void set_channel(volatile uint16_t* sal, uint32_t src, uint32_t dst, uint16_t count) {
  sal[0] = (uint16_t)src;  // DMAxSAL, SAH, DAL, DAH, SZ: low word first
  sal[1] = (uint16_t)(src >> 16);
  sal[2] = (uint16_t)dst;
  sal[3] = (uint16_t)(dst >> 16);
  sal[4] = count;
}
#define CHANNEL_SA(n) ((volatile uint16_t*)(uintptr_t)(0x0510u + 0x10u * (n) + 2u))

// Starts the channels (a software UCTXIFG edge triggers the first byte) and sleeps until the
// DMA interrupt; GIE and CPUOFF are set in one instruction so the wake-up cannot be lost.
static void run_and_sleep(void) {
  __disable_interrupt();
  UCA3IFG &= (uint16_t)~UCTXIFG;
  UCA3IFG |= UCTXIFG;
  __asm__ volatile("nop\n\tbis %0, r2\n\tnop" ::"i"(GIE | CPUOFF) : "memory");
  (void)dma_last_iv;
}

int spi_fram_init(void) {
  P6OUT |= CS_PIN;  // deselected before the pin drives
  P6DIR |= CS_PIN;
  P6SEL1 &= (uint8_t) ~(BIT0 | BIT1 | BIT2);
  P6SEL0 |= BIT0 | BIT1 | BIT2;  // primary function: UCA3SIMO, UCA3SOMI, UCA3CLK
  UCA3CTLW0 = UCSWRST;
  UCA3CTLW0 |= UCCKPL | UCMSB | UCSYNC | UCMST | UCSSEL__SMCLK;  // mode 3, 3-pin master
  UCA3BRW = spi_fram_brw;
  UCA3CTLW0 &= (uint16_t)~UCSWRST;

  cs_low();
  send(CMD_WREN);
  cs_high();
  cs_low();
  send(CMD_WRSR);
  send(0x00);  // no block protection
  cs_high();

  static const uint8_t expected[9] = {0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0xC2, 0x26, 0x08};
  int mismatch = 0;
  cs_low();
  send(CMD_RDID);
  for (unsigned i = 0; i < sizeof expected; ++i) {
    send(0xFF);
    if ((uint8_t)UCA3RXBUF != expected[i]) mismatch = 1;
  }
  cs_high();
  return mismatch;
}

void spi_fram_write(uint32_t address, const void* src, uint16_t bytes) {
  if (bytes == 0) return;
  cs_low();
  send(CMD_WREN);
  cs_high();
  cs_low();
  send_command(CMD_WRITE, address);
  // Channel 3: each UCA3TXIFG moves the next source byte into UCA3TXBUF.
  DMA3CTL = 0;
  DMACTL1 = (DMACTL1 & 0x00FFu) | DMA3TSEL__UCA3TXIFG;
  set_channel(CHANNEL_SA(3), (uint32_t)(uintptr_t)src, (uint32_t)(uintptr_t)&UCA3TXBUF, bytes);
  DMA3CTL = DMADT_0 | DMASRCINCR_3 | DMADSTINCR_0 | DMASRCBYTE | DMADSTBYTE | DMAIE | DMAEN;
  run_and_sleep();
  wait_idle();      // the last two bytes are still on the wire when channel 3 ends
  (void)UCA3RXBUF;  // clears UCRXIFG and the overrun of the unread bytes
  cs_high();
}

void spi_fram_read(void* dst, uint32_t address, uint16_t bytes) {
  if (bytes == 0) return;
  cs_low();
  send_command(CMD_READ, address);
  (void)UCA3RXBUF;  // clear UCRXIFG: the first data byte must make a rising edge
  // Channel 3 sends dummy bytes on each UCA3TXIFG; channel 4 stores each received byte.
  DMA3CTL = 0;
  DMA4CTL = 0;
  DMACTL1 = (DMACTL1 & 0x00FFu) | DMA3TSEL__UCA3TXIFG;
  DMACTL2 = (DMACTL2 & 0xFF00u) | DMA4TSEL__UCA3RXIFG;
  set_channel(CHANNEL_SA(3), (uint32_t)(uintptr_t)&dummy_byte, (uint32_t)(uintptr_t)&UCA3TXBUF,
              bytes);
  set_channel(CHANNEL_SA(4), (uint32_t)(uintptr_t)&UCA3RXBUF, (uint32_t)(uintptr_t)dst, bytes);
  DMA3CTL = DMADT_0 | DMASRCINCR_0 | DMADSTINCR_0 | DMASRCBYTE | DMADSTBYTE | DMAEN;
  DMA4CTL = DMADT_0 | DMASRCINCR_0 | DMADSTINCR_3 | DMASRCBYTE | DMADSTBYTE | DMAIE | DMAEN;
  run_and_sleep();
  wait_idle();
  cs_high();
}
