#pragma once
// Debug mailbox at 0x0F00, in peripheral space the FR5994 leaves unused (facts §1.2). Firmware
// marks events the way it would toggle GPIO pins on a LaunchPad (design.md §5); the simulator
// timestamps them. Must match kernels/runtime/debug_port.h.
//   0x00 DBG_EXIT    word write: exit code; ends the run
//   0x02 DBG_MARKER  word write: marker code (below), with DBG_ARG/DBG_ARG_HI as argument
//   0x04 DBG_ARG     argument, low word
//   0x06 DBG_PUTC    byte write: one character for the console
//   0x08 DBG_ARG_HI  argument, high word
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/peripheral.h"

namespace ipsim {

enum class MarkerCode : uint16_t {
  kInferenceStart = 1,
  kInferenceEnd = 2,  // arg = predicted class
  kLayerDone = 3,
  kSliceDone = 4,
  kProgress = 5,
  kBoot = 6,
  kUser = 7,
};
const char* marker_name(uint16_t code);

struct Marker {
  uint16_t code;
  uint32_t arg;
  sc_core::sc_time time;
};

inline constexpr RegSpec kDebugPortRegs[] = {
    // offset name          reset   write_mask
    {0x00, "DBG_EXIT", 0x0000, 0xFFFF},   {0x02, "DBG_MARKER", 0x0000, 0xFFFF},
    {0x04, "DBG_ARG", 0x0000, 0xFFFF},    {0x06, "DBG_PUTC", 0x0000, 0x00FF},
    {0x08, "DBG_ARG_HI", 0x0000, 0xFFFF},
};

class DebugPort : public Peripheral {
 public:
  static constexpr uint32_t kBase = 0x0F00;
  DebugPort(const sc_core::sc_module_name& name);

  // Called on DBG_EXIT and on every marker (after it is recorded).
  std::function<void(uint16_t code)> on_exit = [](uint16_t) {};
  std::function<void(const Marker&)> on_marker = [](const Marker&) {};

  // At most kMaxStoredMarkers are kept (16 MB), so firmware that writes markers in a loop
  // cannot exhaust host memory; on_marker still sees every one, the rest are only counted.
  static constexpr size_t kMaxStoredMarkers = size_t{1} << 20;
  const std::vector<Marker>& markers() const { return m_markers; }
  uint64_t markers_dropped() const { return m_markers_dropped; }
  static constexpr size_t kMaxConsoleBytes = size_t{1} << 24;  // later output is dropped
  const std::string& console() const { return m_console; }
  void clear() { m_markers.clear(), m_console.clear(), m_markers_dropped = 0; }

 private:
  std::vector<Marker> m_markers;
  uint64_t m_markers_dropped = 0;
  std::string m_console;
};

}  // namespace ipsim
