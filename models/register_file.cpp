#include "models/register_file.h"

#include <stdexcept>

namespace ipsim {

RegisterFile::RegisterFile(const RegSpec* specs, std::size_t count) {
  uint16_t max_offset = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (specs[i].offset & 1) throw std::logic_error("odd register offset");
    if (specs[i].offset > max_offset) max_offset = specs[i].offset;
    m_regs.push_back(Reg{specs[i], specs[i].reset, {}, {}, {}});
  }
  m_index.assign(max_offset / 2 + 1, -1);
  for (std::size_t i = 0; i < m_regs.size(); ++i)
    m_index[m_regs[i].spec.offset / 2] = static_cast<int16_t>(i);
}

void RegisterFile::reset() {
  for (auto& r : m_regs) r.value = r.spec.reset;
}

void RegisterFile::no_register(uint16_t offset) {
  throw std::logic_error("no register at offset " + std::to_string(offset));
}

bool RegisterFile::contains(uint32_t offset) const {
  return find(offset) != nullptr;
}

bool RegisterFile::read(uint32_t offset, unsigned size, uint16_t& value) {
  Reg* r = find(offset);
  if (!r) return false;
  uint16_t word = r->read_hook ? r->read_hook(r->value) : r->value;
  if (size == 1) word = (offset & 1) ? (word >> 8) : (word & 0xFF);
  value = word;
  return true;
}

bool RegisterFile::write(uint32_t offset, unsigned size, uint16_t value) {
  Reg* r = find(offset);
  if (!r) return false;
  const bool high = (offset & 1) != 0;
  if (r->write_override) {
    r->write_override(value, size, high);
    return true;
  }
  uint16_t incoming = value;
  if (size == 1) {
    // A byte write changes one half and keeps the other (MSP430 byte access to a word register).
    incoming = high ? static_cast<uint16_t>((r->value & 0x00FF) | ((value & 0xFF) << 8))
                    : static_cast<uint16_t>((r->value & 0xFF00) | (value & 0xFF));
  }
  const uint16_t old = r->value;
  r->value = static_cast<uint16_t>((old & ~r->spec.write_mask) | (incoming & r->spec.write_mask));
  if (r->write_hook) r->write_hook(old, r->value);
  return true;
}

void RegisterFile::on_read(uint16_t offset, ReadHook hook) {
  if (Reg* r = find(offset))
    r->read_hook = std::move(hook);
  else
    throw std::logic_error("on_read: no register");
}

void RegisterFile::on_write(uint16_t offset, WriteHook hook) {
  if (Reg* r = find(offset))
    r->write_hook = std::move(hook);
  else
    throw std::logic_error("on_write: no register");
}

void RegisterFile::override_write(uint16_t offset, WriteOverride hook) {
  if (Reg* r = find(offset))
    r->write_override = std::move(hook);
  else
    throw std::logic_error("override_write: no register");
}

const char* RegisterFile::name_of(uint16_t offset) const {
  const Reg* r = find(offset);
  return r ? r->spec.name : "?";
}

}  // namespace ipsim
