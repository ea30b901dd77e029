#pragma once
// An MSP430 ELF program image, read with libelf: loadable segments (by physical = load
// address) and the symbol table, kept for reports (design.md §4: NVM traffic by symbol).
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ipsim {

class ElfError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ElfSegment {
  uint32_t load_addr;  // p_paddr: where the bytes go at "flash" time
  uint32_t mem_size;
  std::vector<uint8_t> bytes;  // p_filesz bytes
};

struct ElfSymbol {
  std::string name;
  uint32_t addr;
  uint32_t size;
  bool is_function;
  std::string section;
};

class ElfImage {
 public:
  // Throws ElfError naming the file and what is wrong: not found, not ELF, not 32-bit
  // little-endian, not MSP430, or a segment outside FRAM and SRAM. Only the bytes of a
  // segment that allocated sections occupy are loaded: ld.lld without --nmagic starts the
  // first segment with the ELF and program headers (below FRAM); a segment holding nothing
  // else is skipped with a warning.
  static ElfImage load(const std::string& path);

  const std::string& path() const { return m_path; }
  uint32_t entry() const { return m_entry; }
  const std::vector<ElfSegment>& segments() const { return m_segments; }
  const std::vector<ElfSymbol>& symbols() const { return m_symbols; }  // sorted by address
  // Things a person should know that do not stop the load (e.g. a skipped header segment).
  const std::vector<std::string>& warnings() const { return m_warnings; }

  std::optional<ElfSymbol> find(const std::string& name) const;
  // The data or function symbol that contains addr, if any.
  const ElfSymbol* symbol_at(uint32_t addr) const;
  // The section that contains addr, if any (e.g. ".persistent").
  std::string section_at(uint32_t addr) const;

 private:
  struct Section {
    std::string name;
    uint32_t addr, size;
  };
  std::string m_path;
  uint32_t m_entry = 0;
  std::vector<ElfSegment> m_segments;
  std::vector<ElfSymbol> m_symbols;
  std::vector<Section> m_sections;
  std::vector<std::string> m_warnings;
};

}  // namespace ipsim
