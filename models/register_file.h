#pragma once
// Memory-mapped 16-bit peripheral registers, declared once as a table (style.md "Anatomy of a
// model"). Side effects bind per register with on_read/on_write, not in an address switch.
// Byte accesses read or merge one half of the word (MSP430 peripherals on the 16-bit bus).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ipsim {

struct RegSpec {
  uint16_t offset;      // from the peripheral base, even
  const char* name;     // user's-guide spelling
  uint16_t reset;       // value after PUC/BOR
  uint16_t write_mask;  // bits software may change
};

class RegisterFile {
 public:
  using ReadHook = std::function<uint16_t(uint16_t stored)>;
  using WriteHook = std::function<void(uint16_t old_value, uint16_t new_value)>;
  // Replaces the plain write (masking into storage) entirely; the hook stores what it wants.
  using WriteOverride = std::function<void(uint16_t written, unsigned size, bool high_byte)>;

  template <std::size_t N>
  explicit RegisterFile(const RegSpec (&specs)[N]) : RegisterFile(specs, N) {}
  RegisterFile(const RegSpec* specs, std::size_t count);

  void reset();
  bool contains(uint32_t offset) const;

  // size 1 or 2. Returns false for an offset with no register.
  bool read(uint32_t offset, unsigned size, uint16_t& value);
  bool write(uint32_t offset, unsigned size, uint16_t value);

  // Direct storage access for the model itself (inline: the models' hot paths use them).
  uint16_t& operator[](uint16_t offset) {
    Reg* r = find(offset);
    if (!r) no_register(offset);
    return r->value;
  }
  uint16_t get(uint16_t offset) const {
    const Reg* r = find(offset);
    if (!r) no_register(offset);
    return r->value;
  }
  void on_read(uint16_t offset, ReadHook hook);
  void on_write(uint16_t offset, WriteHook hook);
  void override_write(uint16_t offset, WriteOverride hook);
  const char* name_of(uint16_t offset) const;

 private:
  struct Reg {
    RegSpec spec;
    uint16_t value;
    ReadHook read_hook;
    WriteHook write_hook;
    WriteOverride write_override;
  };
  Reg* find(uint32_t offset) {
    const uint32_t slot = offset / 2;
    if (slot >= m_index.size() || m_index[slot] < 0) return nullptr;
    return &m_regs[static_cast<std::size_t>(m_index[slot])];
  }
  const Reg* find(uint32_t offset) const { return const_cast<RegisterFile*>(this)->find(offset); }
  [[noreturn]] static void no_register(uint16_t offset);
  std::vector<Reg> m_regs;
  std::vector<int16_t> m_index;  // offset/2 -> register index, -1 if none
};

}  // namespace ipsim
