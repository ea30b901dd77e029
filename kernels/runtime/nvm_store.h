// Persistent state on the external SPI FRAM (platform.nvm.kind spi-fram): the access layer of
// the strategies' external-FRAM images (built with IPSIM_NVM_SPI, infer_<...>_spi.elf;
// docs/spi_fram.md). Objects are IPSIM_SPIFRAM_OBJECTs (spi_fram.h), addressed by their
// device address; data move between them and SRAM by the DMA driver (spi_fram.c). On the
// on-chip FRAM (the other images) the strategies keep the same state in memory-mapped FRAM
// and use none of this.
//
// Atomicity: the part takes a write byte by byte, in address order, so a write cut by a
// brown-out keeps exactly the bytes clocked in (models/spi_fram.h), and a 16-bit word is not
// written atomically. Progress counters are therefore stored Gray-coded: adding one changes a
// single bit, so a single byte, and a cut store leaves either the old or the new count.
// Storing any other value (a reset to 0) is not atomic: callers redo such stores before they
// rely on them (strategy_begin is re-run until the application commits it).
#ifndef IPSIM_RUNTIME_NVM_STORE_H
#define IPSIM_RUNTIME_NVM_STORE_H
#include <stdint.h>

#include "kernels/runtime/spi_fram.h"

typedef uint32_t nvm_addr_t;  // device address in the external FRAM

// IPSIM_SPIFRAM_OBJECT with its size expanded first (a macro expression such as
// FMAP_A_WORDS * 2 reaches the assembler as an expression).
#define NVM_OBJECT(name, bytes) IPSIM_SPIFRAM_OBJECT(name, bytes)

// Sets up the driver once per boot (the eUSCI is reset by every power failure); ends the run
// (dbg_exit 0xD5) if the part does not answer with its ID. Cheap after the first call.
void nvm_init(void);

static inline void nvm_read(void* dst, nvm_addr_t src, uint16_t bytes) {
  spi_fram_read(dst, src, bytes);
}
static inline void nvm_write(nvm_addr_t dst, const void* src, uint16_t bytes) {
  spi_fram_write(dst, src, bytes);
}

// A Gray-coded 16-bit counter (2 bytes at a): load decodes, store encodes.
uint16_t nvm_load_counter(nvm_addr_t a);
void nvm_store_counter(nvm_addr_t a, uint16_t n);

#endif
