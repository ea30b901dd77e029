#include "models/bus.h"

#include <stdexcept>

#include "models/mem_map.h"

namespace ipsim {

Bus::Bus(const sc_core::sc_module_name& name)
    : sc_core::sc_module(name), targ("targ"), init("init"), m_low_map(kPeriphEnd / 2, -1) {
  targ.register_b_transport(this, &Bus::b_transport);
  targ.register_get_direct_mem_ptr(this, &Bus::get_direct_mem_ptr);
  targ.register_transport_dbg(this, &Bus::transport_dbg);
  init.register_invalidate_direct_mem_ptr(this, &Bus::invalidate_direct_mem_ptr);
}

void Bus::map(const std::string& name, uint32_t begin, uint32_t end, bool relative) {
  add_range(Range{name, begin, end, relative, m_ports++});
}

void Bus::map_also(const std::string& name, uint32_t begin, uint32_t end) {
  if (m_ranges.empty()) throw std::logic_error("bus: map_also before map");
  const Range& last = m_ranges.back();
  add_range(Range{name, begin, end, last.relative, last.port});
}

void Bus::add_range(Range range) {
  for (const Range& r : m_ranges)
    if (range.begin < r.end && r.begin < range.end)
      throw std::logic_error("bus: " + range.name + " overlaps " + r.name);
  m_ranges.push_back(range);
  for (uint32_t a = range.begin; a < range.end && a < kPeriphEnd; a += 2)
    m_low_map[a / 2] = static_cast<int16_t>(m_ranges.size() - 1);
}

const Bus::Range* Bus::decode(uint32_t addr) const {
  if (addr < kPeriphEnd) {
    const int16_t i = m_low_map[addr / 2];
    return i < 0 ? nullptr : &m_ranges[static_cast<std::size_t>(i)];
  }
  for (const Range& r : m_ranges)
    if (addr >= r.begin && addr < r.end) return &r;
  return nullptr;
}

std::string Bus::target_name(uint32_t addr) const {
  const Range* r = decode(addr);
  return r ? r->name : std::string();
}

void Bus::b_transport(int, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint32_t addr = static_cast<uint32_t>(trans.get_address());
  const Range* r = decode(addr);
  if (!r) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (r->relative) trans.set_address(addr - r->begin);
  init[r->port]->b_transport(trans, delay);
  trans.set_address(addr);
}

bool Bus::get_direct_mem_ptr(int, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const Range* r = decode(static_cast<uint32_t>(trans.get_address()));
  if (!r || r->relative) return false;  // DMI only for memories
  return init[r->port]->get_direct_mem_ptr(trans, dmi);
}

unsigned Bus::transport_dbg(int, tlm::tlm_generic_payload& trans) {
  const uint32_t addr = static_cast<uint32_t>(trans.get_address());
  const Range* r = decode(addr);
  if (!r) return 0;
  if (r->relative) trans.set_address(addr - r->begin);
  const unsigned n = init[r->port]->transport_dbg(trans);
  trans.set_address(addr);
  return n;
}

void Bus::invalidate_direct_mem_ptr(int, sc_dt::uint64 begin, sc_dt::uint64 end) {
  for (unsigned i = 0; i < targ.size(); ++i) targ[i]->invalidate_direct_mem_ptr(begin, end);
}

}  // namespace ipsim
