#pragma once
// Waveforms of one run (design.md §3 observability): Vcap, harvested power, load current,
// power state and firmware markers, as a decimated timeline.csv and/or a waves.vcd for
// GTKWave (columns and marker codes: docs/config.md, "Timeline and waveforms"). Samples come
// at CPU slice boundaries, sleeps, power events and, through off periods (the initial charge
// included), every `decimation_s` from the PowerController. A row is kept when `decimation_s`
// has passed since the last kept row, and always for events (power off/on, markers), so no
// failure or marker is lost to decimation. A marker row carries the Vcap at the marker's own
// time, interpolated between the samples around it (a slice is microseconds long). The VCD
// starts with $dumpvars and then records a signal only when its value changes.
#include <cstdio>
#include <string>
#include <vector>

namespace ipsim {

struct PowerSample {
  double time_s;
  double vcap_v;
  double harvest_w;
  double load_a;
  bool on;
};

class Waveforms {
 public:
  // Empty paths disable that output. Throws std::runtime_error if a file cannot be created.
  Waveforms(const std::string& timeline_csv, const std::string& waves_vcd, double decimation_s);
  ~Waveforms();
  Waveforms(const Waveforms&) = delete;
  Waveforms& operator=(const Waveforms&) = delete;

  bool enabled() const { return m_csv || m_vcd; }
  void sample(const PowerSample& s, const char* event = nullptr);
  void marker(double time_s, unsigned code, unsigned long arg, const char* name);
  // Flushes and renames the temporary files into place (results are written atomically).
  void close();

 private:
  struct PendingMarker {
    double time_s;
    unsigned code;
    unsigned long arg;
    const char* name;
  };
  void emit_markers_until(double time_s, const PowerSample* next);
  void write_row(const PowerSample& s, const char* event, unsigned long arg, bool has_arg);
  void vcd_time(double time_s);
  void vcd_values(const PowerSample& s);
  void vcd_marker(unsigned code, unsigned long arg);
  std::FILE* m_csv = nullptr;
  std::FILE* m_vcd = nullptr;
  std::string m_csv_path, m_vcd_path;
  double m_decimation_s;
  double m_last_kept_s = -1e300;
  long long m_last_vcd_ns = -1;
  PowerSample m_prev{};  // the latest sample, kept or not
  bool m_have_prev = false;
  std::vector<PendingMarker> m_pending;  // markers after m_prev, waiting for the next sample
  // VCD: last written values, for change-only output.
  bool m_vcd_started = false;
  char m_vcd_v[32] = "", m_vcd_h[32] = "", m_vcd_l[32] = "";
  int m_vcd_p = -1;
  long m_vcd_code = -1, m_vcd_arg = -1;
};

}  // namespace ipsim
