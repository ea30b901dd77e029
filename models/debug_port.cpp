#include "models/debug_port.h"

namespace ipsim {

const char* marker_name(uint16_t code) {
  switch (static_cast<MarkerCode>(code)) {
    case MarkerCode::kInferenceStart:
      return "inference_start";
    case MarkerCode::kInferenceEnd:
      return "inference_end";
    case MarkerCode::kLayerDone:
      return "layer_done";
    case MarkerCode::kSliceDone:
      return "slice_done";
    case MarkerCode::kProgress:
      return "progress";
    case MarkerCode::kBoot:
      return "boot";
    case MarkerCode::kUser:
      return "user";
  }
  return "unknown";
}

DebugPort::DebugPort(const sc_core::sc_module_name& name)
    : Peripheral(name, kBase, 0x10, kDebugPortRegs) {
  m_regs.on_write(0x00, [this](uint16_t, uint16_t code) { on_exit(code); });
  m_regs.on_write(0x02, [this](uint16_t, uint16_t code) {
    const uint32_t arg = m_regs.get(0x04) | (uint32_t{m_regs.get(0x08)} << 16);
    const Marker marker{code, arg, access_time()};
    if (m_markers.size() < kMaxStoredMarkers)
      m_markers.push_back(marker);
    else
      ++m_markers_dropped;
    m_regs[0x08] = 0;  // the high word applies to one marker only
    on_marker(marker);
  });
  m_regs.on_write(0x06, [this](uint16_t, uint16_t ch) {
    if (m_console.size() < kMaxConsoleBytes) m_console.push_back(char(ch & 0xFF));
  });
}

}  // namespace ipsim
