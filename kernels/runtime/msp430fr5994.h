// MSP430FR5994 register map for ipsim firmware: our own subset, written from the
// fact sheet (facts §1.2 base addresses, §2.1 SR bits, §3 FRCTL0, §4.1 MPY32, §4.2 DMA,
// §4.3 LEA, §4.4 PMM, §4.5 CS, §4.6 WDT). Only what the firmware uses; names follow TI's
// user's guide spelling so one grep finds code and datasheet.
#pragma once

#include <stdint.h>

#define IPSIM_SFR8(addr) (*(volatile uint8_t*)(uintptr_t)(addr))
#define IPSIM_SFR16(addr) (*(volatile uint16_t*)(uintptr_t)(addr))
#define IPSIM_SFR32(addr) (*(volatile uint32_t*)(uintptr_t)(addr))

// ---- Memory map (facts §1.1) ----
#define RAM_START 0x1C00u
#define RAM_LENGTH 0x1000u  // CPU-only SRAM
#define LEARAM_START 0x2C00u
#define LEARAM_LENGTH 0x1000u  // SRAM shared with LEA
#define FRAM_START 0x4000u

// ---- SFR (0x0100) ----
#define SFRIE1 IPSIM_SFR16(0x0100)
#define SFRIFG1 IPSIM_SFR16(0x0102)
#define SFRRPCR IPSIM_SFR16(0x0104)

// ---- PMM (0x0120, facts §4.4) ----
#define PMMCTL0 IPSIM_SFR16(0x0120)
#define PMMCTL0_H IPSIM_SFR8(0x0121)
#define PMMIFG IPSIM_SFR16(0x012A)
#define PM5CTL0 IPSIM_SFR16(0x0130)
#define PMMPW 0xA500u
#define PMMSWBOR 0x0004u
#define PMMSWPOR 0x0008u
#define PMMREGOFF 0x0010u
#define SVSHE 0x0040u
#define LOCKLPM5 0x0001u

// ---- FRAM controller (0x0140, facts §3) ----
#define FRCTL0 IPSIM_SFR16(0x0140)
#define FRCTL0_H IPSIM_SFR8(0x0141)
#define GCCTL0 IPSIM_SFR16(0x0144)
#define GCCTL1 IPSIM_SFR16(0x0146)
#define FRCTLPW 0xA500u
#define NWAITS_0 0x0000u
#define NWAITS_1 0x0010u
#define NWAITS_2 0x0020u
#define NWAITS_MASK 0x0070u

// ---- Watchdog (0x015C, facts §4.6) ----
#define WDTCTL IPSIM_SFR16(0x015C)
#define WDTPW 0x5A00u
#define WDTHOLD 0x0080u

// ---- Clock system (0x0160, facts §4.5) ----
#define CSCTL0 IPSIM_SFR16(0x0160)
#define CSCTL0_H IPSIM_SFR8(0x0161)
#define CSCTL1 IPSIM_SFR16(0x0162)
#define CSCTL2 IPSIM_SFR16(0x0164)
#define CSCTL3 IPSIM_SFR16(0x0166)
#define CSCTL4 IPSIM_SFR16(0x0168)
#define CSCTL5 IPSIM_SFR16(0x016A)
#define CSCTL6 IPSIM_SFR16(0x016C)
#define CSKEY 0xA500u
#define DCORSEL 0x0040u
#define DCOFSEL_0 0x0000u  // 1 MHz
#define DCOFSEL_3 0x0006u  // 4 MHz (DCORSEL=0), 8 MHz (DCORSEL=1)
#define DCOFSEL_4 0x0008u  // 5.33 MHz (DCORSEL=0), 16 MHz (DCORSEL=1)
#define DCOFSEL_6 0x000Cu  // 8 MHz (DCORSEL=0), 24 MHz (DCORSEL=1)
#define SELM__LFXTCLK 0x0000u
#define SELM__VLOCLK 0x0001u
#define SELM__DCOCLK 0x0003u
#define SELS__LFXTCLK 0x0000u
#define SELS__VLOCLK 0x0010u
#define SELS__DCOCLK 0x0030u
#define SELA__LFXTCLK 0x0000u
#define SELA__VLOCLK 0x0100u
#define SELA__DCOCLK 0x0300u
#define DIVM__1 0x0000u
#define DIVM__2 0x0001u
#define DIVM__4 0x0002u
#define DIVM__8 0x0003u
#define DIVS__1 0x0000u
#define DIVS__2 0x0010u
#define DIVS__4 0x0020u
#define DIVS__8 0x0030u
#define DIVA__1 0x0000u
#define DIVA__2 0x0100u
#define DIVA__4 0x0200u
#define DIVA__8 0x0300u

// ---- Ports (P1/P2 pair at 0x0200, facts §1.2) ----
#define P1IN IPSIM_SFR8(0x0200)
#define P2IN IPSIM_SFR8(0x0201)
#define P1OUT IPSIM_SFR8(0x0202)
#define P2OUT IPSIM_SFR8(0x0203)
#define P1DIR IPSIM_SFR8(0x0204)
#define P2DIR IPSIM_SFR8(0x0205)
// P5/P6 pair at 0x0240: P6 is the high byte (device header P6_BASE 0x240).
#define P6OUT IPSIM_SFR8(0x0243)
#define P6DIR IPSIM_SFR8(0x0245)
#define P6SEL0 IPSIM_SFR8(0x024B)
#define P6SEL1 IPSIM_SFR8(0x024D)
#define BIT0 0x01u
#define BIT1 0x02u
#define BIT2 0x04u
#define BIT3 0x08u
#define PJOUT IPSIM_SFR16(0x0322)
#define PJDIR IPSIM_SFR16(0x0324)

// ---- eUSCI_A3 in SPI mode (0x0620, facts §1.2; SLAU367P §30) ----
#define UCA3CTLW0 IPSIM_SFR16(0x0620)
#define UCA3BRW IPSIM_SFR16(0x0626)
#define UCA3STATW IPSIM_SFR16(0x062A)
#define UCA3RXBUF IPSIM_SFR16(0x062C)
#define UCA3TXBUF IPSIM_SFR16(0x062E)
#define UCA3IE IPSIM_SFR16(0x063A)
#define UCA3IFG IPSIM_SFR16(0x063C)
#define UCA3IV IPSIM_SFR16(0x063E)
#define UCSWRST 0x0001u
#define UCSSEL__SMCLK 0x0080u
#define UCSYNC 0x0100u
#define UCMST 0x0800u
#define UCMSB 0x2000u
#define UCCKPL 0x4000u
#define UCCKPH 0x8000u
#define UCBUSY 0x0001u
#define UCOE 0x0020u
#define UCRXIFG 0x0001u
#define UCTXIFG 0x0002u

// ---- Timer_A (TA0 0x0340, TA1 0x0380, TA2 0x0400, TA3 0x0440; facts §1.2) ----
#define IPSIM_TA_CTL(b) IPSIM_SFR16((b) + 0x00)
#define IPSIM_TA_CCTL(b, n) IPSIM_SFR16((b) + 0x02 + 2 * (n))
#define IPSIM_TA_R(b) IPSIM_SFR16((b) + 0x10)
#define IPSIM_TA_CCR(b, n) IPSIM_SFR16((b) + 0x12 + 2 * (n))
#define IPSIM_TA_EX0(b) IPSIM_SFR16((b) + 0x20)
#define IPSIM_TA_IV(b) IPSIM_SFR16((b) + 0x2E)
#define TA0_BASE 0x0340u
#define TA1_BASE 0x0380u
#define TA2_BASE 0x0400u
#define TA3_BASE 0x0440u
#define TA0CTL IPSIM_TA_CTL(TA0_BASE)
#define TA0CCTL0 IPSIM_TA_CCTL(TA0_BASE, 0)
#define TA0CCTL1 IPSIM_TA_CCTL(TA0_BASE, 1)
#define TA0CCTL2 IPSIM_TA_CCTL(TA0_BASE, 2)
#define TA0R IPSIM_TA_R(TA0_BASE)
#define TA0CCR0 IPSIM_TA_CCR(TA0_BASE, 0)
#define TA0CCR1 IPSIM_TA_CCR(TA0_BASE, 1)
#define TA0CCR2 IPSIM_TA_CCR(TA0_BASE, 2)
#define TA0EX0 IPSIM_TA_EX0(TA0_BASE)
#define TA0IV IPSIM_TA_IV(TA0_BASE)
#define TA1CTL IPSIM_TA_CTL(TA1_BASE)
#define TA1CCTL0 IPSIM_TA_CCTL(TA1_BASE, 0)
#define TA1CCTL1 IPSIM_TA_CCTL(TA1_BASE, 1)
#define TA1CCTL2 IPSIM_TA_CCTL(TA1_BASE, 2)
#define TA1R IPSIM_TA_R(TA1_BASE)
#define TA1CCR0 IPSIM_TA_CCR(TA1_BASE, 0)
#define TA1CCR1 IPSIM_TA_CCR(TA1_BASE, 1)
#define TA1CCR2 IPSIM_TA_CCR(TA1_BASE, 2)
#define TA1EX0 IPSIM_TA_EX0(TA1_BASE)
#define TA1IV IPSIM_TA_IV(TA1_BASE)
#define TA2CTL IPSIM_TA_CTL(TA2_BASE)
#define TA2CCTL0 IPSIM_TA_CCTL(TA2_BASE, 0)
#define TA2CCTL1 IPSIM_TA_CCTL(TA2_BASE, 1)
#define TA2R IPSIM_TA_R(TA2_BASE)
#define TA2CCR0 IPSIM_TA_CCR(TA2_BASE, 0)
#define TA2CCR1 IPSIM_TA_CCR(TA2_BASE, 1)
#define TA2EX0 IPSIM_TA_EX0(TA2_BASE)
#define TA2IV IPSIM_TA_IV(TA2_BASE)
#define TA3CTL IPSIM_TA_CTL(TA3_BASE)
#define TA3CCTL0 IPSIM_TA_CCTL(TA3_BASE, 0)
#define TA3CCTL1 IPSIM_TA_CCTL(TA3_BASE, 1)
#define TA3R IPSIM_TA_R(TA3_BASE)
#define TA3CCR0 IPSIM_TA_CCR(TA3_BASE, 0)
#define TA3CCR1 IPSIM_TA_CCR(TA3_BASE, 1)
#define TA3EX0 IPSIM_TA_EX0(TA3_BASE)
#define TA3IV IPSIM_TA_IV(TA3_BASE)
// TAxCTL / TAxCCTLn bits
#define TASSEL__TACLK 0x0000u
#define TASSEL__ACLK 0x0100u
#define TASSEL__SMCLK 0x0200u
#define ID__1 0x0000u
#define ID__2 0x0040u
#define ID__4 0x0080u
#define ID__8 0x00C0u
#define MC__STOP 0x0000u
#define MC__UP 0x0010u
#define MC__CONTINUOUS 0x0020u
#define MC__UPDOWN 0x0030u
#define TACLR 0x0004u
#define TAIE 0x0002u
#define TAIFG 0x0001u
#define CCIE 0x0010u
#define CCIFG 0x0001u

// ---- MPY32 (0x04C0, facts §4.1) ----
#define MPY IPSIM_SFR16(0x04C0)
#define MPYS IPSIM_SFR16(0x04C2)
#define MAC IPSIM_SFR16(0x04C4)
#define MACS IPSIM_SFR16(0x04C6)
#define OP2 IPSIM_SFR16(0x04C8)
#define RESLO IPSIM_SFR16(0x04CA)
#define RESHI IPSIM_SFR16(0x04CC)
#define SUMEXT IPSIM_SFR16(0x04CE)
#define MPY32L IPSIM_SFR16(0x04D0)
#define MPY32H IPSIM_SFR16(0x04D2)
#define MPYS32L IPSIM_SFR16(0x04D4)
#define MPYS32H IPSIM_SFR16(0x04D6)
#define MAC32L IPSIM_SFR16(0x04D8)
#define MAC32H IPSIM_SFR16(0x04DA)
#define MACS32L IPSIM_SFR16(0x04DC)
#define MACS32H IPSIM_SFR16(0x04DE)
#define OP2L IPSIM_SFR16(0x04E0)
#define OP2H IPSIM_SFR16(0x04E2)
#define RES0 IPSIM_SFR16(0x04E4)
#define RES1 IPSIM_SFR16(0x04E6)
#define RES2 IPSIM_SFR16(0x04E8)
#define RES3 IPSIM_SFR16(0x04EA)
#define MPY32CTL0 IPSIM_SFR16(0x04EC)
#define MPYC 0x0001u
#define MPYFRAC 0x0004u
#define MPYSAT 0x0008u
#define MPYM 0x0030u
#define MPYOP1_32 0x0040u
#define MPYOP2_32 0x0080u
#define MPYDLYWRTEN 0x0100u
#define MPYDLY32 0x0200u

// ---- DMA (0x0500, facts §4.2); channel n at 0x0510 + 0x10*n ----
#define DMACTL0 IPSIM_SFR16(0x0500)
#define DMACTL1 IPSIM_SFR16(0x0502)
#define DMACTL2 IPSIM_SFR16(0x0504)
#define DMACTL4 IPSIM_SFR16(0x0508)
#define DMAIV IPSIM_SFR16(0x050E)
#define IPSIM_DMA_BASE(n) (0x0510u + 0x10u * (n))
#define IPSIM_DMA_CTL(n) IPSIM_SFR16(IPSIM_DMA_BASE(n) + 0x0)
#define IPSIM_DMA_SA(n) IPSIM_SFR32(IPSIM_DMA_BASE(n) + 0x2)  // 20-bit, SAL/SAH
#define IPSIM_DMA_SAL(n) IPSIM_SFR16(IPSIM_DMA_BASE(n) + 0x2)
#define IPSIM_DMA_SAH(n) IPSIM_SFR16(IPSIM_DMA_BASE(n) + 0x4)
#define IPSIM_DMA_DA(n) IPSIM_SFR32(IPSIM_DMA_BASE(n) + 0x6)
#define IPSIM_DMA_DAL(n) IPSIM_SFR16(IPSIM_DMA_BASE(n) + 0x6)
#define IPSIM_DMA_DAH(n) IPSIM_SFR16(IPSIM_DMA_BASE(n) + 0x8)
#define IPSIM_DMA_SZ(n) IPSIM_SFR16(IPSIM_DMA_BASE(n) + 0xA)
#define DMA0CTL IPSIM_DMA_CTL(0)
#define DMA0SAL IPSIM_DMA_SAL(0)
#define DMA0SAH IPSIM_DMA_SAH(0)
#define DMA0DAL IPSIM_DMA_DAL(0)
#define DMA0DAH IPSIM_DMA_DAH(0)
#define DMA0SZ IPSIM_DMA_SZ(0)
#define DMA1CTL IPSIM_DMA_CTL(1)
#define DMA1SAL IPSIM_DMA_SAL(1)
#define DMA1SAH IPSIM_DMA_SAH(1)
#define DMA1DAL IPSIM_DMA_DAL(1)
#define DMA1DAH IPSIM_DMA_DAH(1)
#define DMA1SZ IPSIM_DMA_SZ(1)
#define DMA2CTL IPSIM_DMA_CTL(2)
#define DMA2SZ IPSIM_DMA_SZ(2)
#define DMA3CTL IPSIM_DMA_CTL(3)
#define DMA3SA IPSIM_DMA_SA(3)
#define DMA3DA IPSIM_DMA_DA(3)
#define DMA3SZ IPSIM_DMA_SZ(3)
#define DMA4CTL IPSIM_DMA_CTL(4)
#define DMA4SA IPSIM_DMA_SA(4)
#define DMA4DA IPSIM_DMA_DA(4)
#define DMA4SZ IPSIM_DMA_SZ(4)
#define DMAREQ 0x0001u
#define DMAABORT 0x0002u
#define DMAIE 0x0004u
#define DMAIFG 0x0008u
#define DMAEN 0x0010u
#define DMALEVEL 0x0020u
#define DMASRCBYTE 0x0040u
#define DMADSTBYTE 0x0080u
#define DMASRCINCR_0 0x0000u
#define DMASRCINCR_2 0x0200u  // decrement
#define DMASRCINCR_3 0x0300u  // increment
#define DMADSTINCR_0 0x0000u
#define DMADSTINCR_2 0x0800u
#define DMADSTINCR_3 0x0C00u
#define DMADT_0 0x0000u  // single
#define DMADT_1 0x1000u  // block
#define DMADT_2 0x2000u  // burst-block
#define DMADT_4 0x4000u  // repeated single
#define DMADT_5 0x5000u  // repeated block
#define DMA0TSEL__DMAREQ 0x0000u
#define DMA0TSEL__LEA 0x001Bu  // trigger 27
#define DMA0TSEL__MPY 0x001Du  // trigger 29
// Channels 3-5 have their own trigger list (device header DMA3TSEL__*, DMA4TSEL__*).
#define DMA3TSEL__UCA3TXIFG 0x1100u  // trigger 17, DMACTL1 high byte
#define DMA4TSEL__UCA3RXIFG 0x0010u  // trigger 16, DMACTL2 low byte

// ---- LEA (0x0A80, facts §4.3); all registers 32-bit ----
#define LEACAP IPSIM_SFR32(0x0A80)
#define LEACNF0 IPSIM_SFR32(0x0A84)
#define LEACNF1 IPSIM_SFR32(0x0A88)
#define LEACNF2 IPSIM_SFR32(0x0A8C)
#define LEAMB IPSIM_SFR32(0x0A90)
#define LEAMT IPSIM_SFR32(0x0A94)
#define LEACMA IPSIM_SFR32(0x0A98)
#define LEACMCTL IPSIM_SFR32(0x0A9C)
#define LEACMDSTAT IPSIM_SFR32(0x0AA8)
#define LEAS1STAT IPSIM_SFR32(0x0AAC)
#define LEAS0STAT IPSIM_SFR32(0x0AB0)
#define LEADSTSTAT IPSIM_SFR32(0x0AB4)
#define LEAPMCTL IPSIM_SFR32(0x0AC0)
#define LEAPMDST IPSIM_SFR32(0x0AC4)
#define LEAPMS1 IPSIM_SFR32(0x0AC8)
#define LEAPMS0 IPSIM_SFR32(0x0ACC)
#define LEAPMCB IPSIM_SFR32(0x0AD0)
#define LEAIFGSET IPSIM_SFR32(0x0AF0)
#define LEAIE IPSIM_SFR32(0x0AF4)
#define LEAIFG IPSIM_SFR32(0x0AF8)
#define LEAIV IPSIM_SFR32(0x0AFC)
#define LEAFTHOLD 0x00000002ul
#define LEALPR 0x00000100ul
#define LEAILPM 0x00000400ul
#define LEABUSY 0x00000001ul
#define LEACMDEN 0x00000001ul
#define LEAITFLG0 0x00000001ul  // explicit result update
#define LEAITFLG1 0x00000002ul  // interrupt on completion
#define LEACOVLIFG 0x00000001ul
#define LEATIFG 0x00000002ul
#define LEAOORIFG 0x00000004ul
#define LEASDIIFG 0x00000008ul
#define LEAPMCMDIFG 0x00000010ul
#define LEAPMCMDIE 0x00000010ul
// LEA addresses are 32-bit word indices (facts §4.3).
#define LEA_ADDR(cpu_addr) ((uint16_t)(((uintptr_t)(cpu_addr) >> 2) & 0xFFFFu))

// ---- Interrupt vector numbers (facts §1.3): vector n at 0xFF90 + 2n ----
#define LEA_VECTOR 18
#define TIMER3_A1_VECTOR 34
#define TIMER3_A0_VECTOR 35
#define TIMER2_A1_VECTOR 37
#define TIMER2_A0_VECTOR 38
#define PORT1_VECTOR 39
#define TIMER1_A1_VECTOR 40
#define TIMER1_A0_VECTOR 41
#define DMA_VECTOR 42
#define TIMER0_A1_VECTOR 44
#define TIMER0_A0_VECTOR 45
#define WDT_VECTOR 49
#define UNMI_VECTOR 53
#define SYSNMI_VECTOR 54
#define RESET_VECTOR 55

// ---- Status register (facts §2.1) ----
// (TI's single-letter C/Z/N/V macros are left out: they break ordinary identifiers.)
#define SR_C 0x0001u
#define SR_Z 0x0002u
#define SR_N 0x0004u
#define SR_V 0x0100u
#define GIE 0x0008u
#define CPUOFF 0x0010u
#define OSCOFF 0x0020u
#define SCG0 0x0040u
#define SCG1 0x0080u
#define LPM0_bits (CPUOFF)
#define LPM1_bits (SCG0 | CPUOFF)
#define LPM2_bits (SCG1 | CPUOFF)
#define LPM3_bits (SCG1 | SCG0 | CPUOFF)
#define LPM4_bits (SCG1 | SCG0 | OSCOFF | CPUOFF)

#ifdef __MSP430__
// Intrinsics as inline asm (clang has no TI/gcc MSP430 builtins). "memory" clobbers keep
// volatile register accesses on the right side of a GIE change.
static inline __attribute__((always_inline)) void __no_operation(void) {
  __asm__ volatile("nop");
}
// UG: a NOP must follow DINT and precede EINT on MSP430X (interrupt latency of SR writes).
static inline __attribute__((always_inline)) void __disable_interrupt(void) {
  __asm__ volatile("dint\n\tnop" ::: "memory");
}
static inline __attribute__((always_inline)) void __enable_interrupt(void) {
  __asm__ volatile("nop\n\teint\n\tnop" ::: "memory");
}
static inline __attribute__((always_inline)) uint16_t __get_SR_register(void) {
  uint16_t sr;
  __asm__ volatile("mov r2, %0" : "=r"(sr));
  return sr;
}
static inline __attribute__((always_inline)) void __set_SR_register(uint16_t sr) {
  __asm__ volatile("nop\n\tmov %0, r2\n\tnop" ::"r"(sr) : "memory");
}
#define __bis_SR_register(bits) __asm__ volatile("bis %0, r2\n\tnop" ::"i"(bits) : "memory")
#define __bic_SR_register(bits) __asm__ volatile("bic %0, r2\n\tnop" ::"i"(bits) : "memory")
#define LPM0 __bis_SR_register(LPM0_bits | GIE)
#define LPM3 __bis_SR_register(LPM3_bits | GIE)
#define LPM4 __bis_SR_register(LPM4_bits | GIE)
#endif
