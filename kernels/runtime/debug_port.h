// Debug mailbox: how ipsim firmware reports events, the way it would toggle GPIO pins on a
// LaunchPad. The mailbox sits in unused peripheral space at 0x0F00 (facts §1.1: the
// peripheral area 0x0020-0x0FFF has no module there); the simulator timestamps every write.
//   0x0F00 DBG_EXIT    word write: exit code, ends the simulation run
//   0x0F02 DBG_MARKER  word write: marker code (DBG_ARG/DBG_ARG_HI written first)
//   0x0F04 DBG_ARG     word: argument of the next marker
//   0x0F06 DBG_PUTC    byte write: one character to the simulator log
//   0x0F08 DBG_ARG_HI  word: optional high word of the argument
// The host build of the same sources prints markers and text to stderr (stdout carries
// results).
#pragma once

#include <stdint.h>

#define DBG_EXIT_ADDR 0x0F00u
#define DBG_MARKER_ADDR 0x0F02u
#define DBG_ARG_ADDR 0x0F04u
#define DBG_PUTC_ADDR 0x0F06u
#define DBG_ARG_HI_ADDR 0x0F08u

enum DbgMarker {
  DBG_INFERENCE_START = 1,  // arg = inference index
  DBG_INFERENCE_END = 2,    // arg = predicted class
  DBG_LAYER_DONE = 3,       // arg = layer
  DBG_SLICE_DONE = 4,       // arg = slice index
  DBG_PROGRESS = 5,         // arg = any progress counter
  DBG_BOOT = 6,             // arg = boot count or 0
  DBG_USER = 7,
};

#ifdef __MSP430__

#define DBG_EXIT (*(volatile uint16_t*)DBG_EXIT_ADDR)
#define DBG_MARKER (*(volatile uint16_t*)DBG_MARKER_ADDR)
#define DBG_ARG (*(volatile uint16_t*)DBG_ARG_ADDR)
#define DBG_PUTC (*(volatile uint8_t*)DBG_PUTC_ADDR)
#define DBG_ARG_HI (*(volatile uint16_t*)DBG_ARG_HI_ADDR)

static inline void dbg_marker(uint16_t code, uint16_t arg) {
  DBG_ARG = arg;
  DBG_MARKER = code;
}

static inline void dbg_marker32(uint16_t code, uint32_t arg) {
  DBG_ARG_HI = (uint16_t)(arg >> 16);
  DBG_ARG = (uint16_t)arg;
  DBG_MARKER = code;
}

static inline void dbg_putc(char c) {
  DBG_PUTC = (uint8_t)c;
}

static inline void dbg_puts(const char* s) {
  while (*s) dbg_putc(*s++);
}

// Ends the run: crt0's exit() reports the code to DBG_EXIT, then sleeps in LPM4 with
// interrupts off so nothing but a reset wakes the CPU. Every program ends in that one
// function, so a debugger or `ipsim exec --stop-at exit` has a single place to stop.
void exit(int code) __attribute__((noreturn));
static inline __attribute__((noreturn)) void dbg_exit(uint16_t code) {
  exit((int)code);
}

#else  // host golden-model build

#include <stdio.h>
#include <stdlib.h>

static inline void dbg_marker(uint16_t code, uint16_t arg) {
  fprintf(stderr, "[marker %u arg %u]\n", (unsigned)code, (unsigned)arg);
}
static inline void dbg_marker32(uint16_t code, uint32_t arg) {
  fprintf(stderr, "[marker %u arg %lu]\n", (unsigned)code, (unsigned long)arg);
}
static inline void dbg_putc(char c) {
  fputc(c, stderr);
}
static inline void dbg_puts(const char* s) {
  fputs(s, stderr);
}
static inline __attribute__((noreturn)) void dbg_exit(uint16_t code) {
  exit(code);
}

#endif
