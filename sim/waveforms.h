#pragma once
// Waveforms of one run (design.md §3 observability): Vcap, harvested power, load current,
// power state and firmware markers, as a decimated timeline.csv and/or a waves.vcd for
// GTKWave. Samples come at CPU slice boundaries, sleeps and power events; a row is kept when
// `decimation_s` has passed since the last kept row, and always for events (power off/on,
// markers), so no failure or marker is lost to decimation. Off periods are fast-forwarded in
// closed form, so they appear as their two end points.
#include <cstdio>
#include <string>

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
  void vcd_time(double time_s);
  std::FILE* m_csv = nullptr;
  std::FILE* m_vcd = nullptr;
  std::string m_csv_path, m_vcd_path;
  double m_decimation_s;
  double m_last_kept_s = -1e300;
  long long m_last_vcd_ns = -1;
  PowerSample m_last{};
};

}  // namespace ipsim
