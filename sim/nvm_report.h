#pragma once
// Turns the FRAM's per-word NVM counters into the report of design.md §7: totals, a split by
// initiator, and a split by ELF symbol (so feature maps, progress state and weights are told
// apart). Bytes not covered by any sized symbol are reported under their section name in
// brackets, e.g. "[.text]", or "[unnamed]".
#include <nlohmann/json.hpp>

#include "models/elf_image.h"
#include "models/fram.h"
#include "models/fram_cache.h"
#include "models/nvm_counters.h"
#include "models/spi_fram.h"

namespace ipsim {

// What a symbol's NVM traffic is for, from the naming conventions of kernels/strategies:
// "feature_maps" (intermediate activations and partial sums), "progress" (counters,
// footprints, flags a strategy commits to resume), or "other" (code, weights, inputs,
// results). The table is in nvm_report.cpp.
const char* nvm_kind(const std::string& symbol);

// The on-chip FRAM's traffic: totals, by initiator, by symbol, and its cache (hits and
// misses of every initiator; `dma_misses` of them were the DMA's).
nlohmann::json nvm_report(const Fram& fram, const ElfImage& image);

// The external SPI FRAM's traffic (platform.nvm.kind spi-fram): totals (bytes moved, and one
// access per READ/FSTRD/WRITE command), by `.spifram` symbol and by kind, plus the count of
// bytes the part rejected (wrong SPI mode or clock). Reported under nvm.spi_fram.
nlohmann::json spi_fram_report(const SpiFram& fram, const ElfImage& image);

}  // namespace ipsim
