#include "models/spi_fram.h"

#include <algorithm>
#include <stdexcept>

namespace ipsim {

using namespace spi_fram;
using sc_core::sc_time;

namespace {
constexpr uint32_t kAddressMask = SpiFram::kBytes - 1;
}

SpiFram::SpiFram(SpiFramCurrents currents)
    : m_currents(currents),
      m_array(kBytes, 0xFF),
      m_reads(static_cast<Cell*>(std::calloc(kBytes, sizeof(Cell)))),
      m_writes(static_cast<Cell*>(std::calloc(kBytes, sizeof(Cell)))) {
  if (!m_reads || !m_writes) throw std::bad_alloc();
}

void SpiFram::settle(const sc_time& t) {
  if (t <= m_settled) return;
  if (m_powered)
    m_charge_c +=
        (m_sleep ? m_currents.sleep_a : m_currents.standby_a) * (t - m_settled).to_seconds();
  m_settled = t;
}

double SpiFram::charge_c(const sc_time& t) const {
  double q = m_charge_c;
  if (m_powered && t > m_settled)
    q += (m_sleep ? m_currents.sleep_a : m_currents.standby_a) * (t - m_settled).to_seconds();
  return q;
}

double SpiFram::max_current_a(double clock_hz) const {
  return std::max(m_currents.standby_a, m_currents.active_per_mhz_a * clock_hz * 1e-6);
}

void SpiFram::power_off(const sc_time& at) {
  settle(at);
  m_powered = false;
  m_selected = m_sleep = m_sleep_pending = false;
  m_status &= static_cast<uint8_t>(~SR_WEL);  // volatile latch
  m_state = State::kOpcode;
}

void SpiFram::power_on(const sc_time& at) {
  settle(at);
  m_powered = true;
}

bool SpiFram::protected_address(uint32_t addr) const {
  switch ((m_status & SR_BP) >> 2) {
    case 1:
      return addr >= kBytes / 4 * 3;  // upper quarter
    case 2:
      return addr >= kBytes / 2;
    case 3:
      return true;
    default:
      return false;
  }
}

void SpiFram::chip_select(bool level, const sc_time& at) {
  settle(at);
  const bool selected = !level;
  if (selected == m_selected) return;
  m_selected = selected;
  if (selected) {
    m_sleep = false;  // CS falling wakes the part
    m_state = State::kOpcode;
    return;
  }
  // CS rising ends the command.
  if (m_state == State::kWrite || m_opcode == WRSR) m_status &= static_cast<uint8_t>(~SR_WEL);
  if (m_sleep_pending) m_sleep = true, m_sleep_pending = false;
  m_state = State::kOpcode;
  m_opcode = 0;
}

uint8_t SpiFram::exchange(uint8_t mosi, const SpiFrame& frame) {
  if (!m_selected || !m_powered) return 0xFF;
  if ((frame.mode != 0 && frame.mode != 3) || frame.clock_hz > m_currents.max_clock_hz) {
    ++m_protocol_errors;
    return 0xFF;
  }
  settle(frame.at);
  ++m_characters;
  const double extra_a = m_currents.active_per_mhz_a * frame.clock_hz * 1e-6 - m_currents.standby_a;
  if (extra_a > 0) m_charge_c += extra_a * 8.0 / frame.clock_hz;

  switch (m_state) {
    case State::kOpcode:
      m_opcode = mosi;
      switch (mosi) {
        case WREN:
          m_status |= SR_WEL;
          m_state = State::kIgnore;
          break;
        case WRDI:
          m_status &= static_cast<uint8_t>(~SR_WEL);
          m_state = State::kIgnore;
          break;
        case RDSR:
          m_state = State::kStatusRead;
          break;
        case WRSR:
          m_state = (m_status & SR_WEL) ? State::kStatusWrite : State::kIgnore;
          break;
        case READ:
        case FSTRD:
        case WRITE:
          m_state = (mosi == WRITE && !(m_status & SR_WEL)) ? State::kIgnore : State::kAddress;
          m_address_bytes = 0;
          m_address = 0;
          break;
        case SLEEP:
          m_sleep_pending = true;
          m_state = State::kIgnore;
          break;
        case RDID:
          m_state = State::kId;
          m_id_index = 0;
          break;
        default:
          m_state = State::kIgnore;  // unknown opcode: ignored until CS rises
      }
      return 0xFF;
    case State::kAddress:
      m_address = (m_address << 8 | mosi) & kAddressMask;
      if (++m_address_bytes == 3) {
        m_state = m_opcode == WRITE   ? State::kWrite
                  : m_opcode == FSTRD ? State::kDummy
                                      : State::kRead;
        Cell& c = (m_opcode == WRITE ? m_writes : m_reads)[m_address];
        ++c.accesses;
        ++(m_opcode == WRITE ? m_total_writes : m_total_reads).accesses;
      }
      return 0xFF;
    case State::kDummy:
      m_state = State::kRead;
      return 0xFF;
    case State::kRead: {
      const uint8_t v = m_array[m_address];
      ++m_reads[m_address].bytes;
      ++m_total_reads.bytes;
      m_address = (m_address + 1) & kAddressMask;
      return v;
    }
    case State::kWrite:
      if (!protected_address(m_address)) m_array[m_address] = mosi;
      ++m_writes[m_address].bytes;
      ++m_total_writes.bytes;
      m_address = (m_address + 1) & kAddressMask;
      return 0xFF;
    case State::kStatusRead:
      return m_status;  // repeats while CS stays low
    case State::kStatusWrite:
      m_status = static_cast<uint8_t>((m_status & SR_WEL) | (mosi & (SR_WPEN | SR_BP)));
      m_state = State::kIgnore;
      return 0xFF;
    case State::kId: {
      const uint8_t v = kDeviceId[std::min<unsigned>(m_id_index, sizeof kDeviceId - 1)];
      ++m_id_index;
      return v;
    }
    case State::kIgnore:
      return 0xFF;
  }
  return 0xFF;
}

}  // namespace ipsim
