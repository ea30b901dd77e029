#include "sim/waveforms.h"

#include <algorithm>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace ipsim {

namespace {
// DIR/.NAME.tmp.PID: unique per writer process (two workers on one run directory once raced
// on NAME.tmp), and a name the sweep's stale-file cleanup knows (is_temp_file_name).
std::string temp_path(const std::string& path) {
  const std::filesystem::path p(path);
  return (p.parent_path() / ("." + p.filename().string() + ".tmp." + std::to_string(::getpid())))
      .string();
}

std::FILE* open_tmp(const std::string& path) {
  if (path.empty()) return nullptr;
  std::FILE* f = std::fopen(temp_path(path).c_str(), "w");
  if (!f)
    throw std::runtime_error("cannot create " + temp_path(path) + ": " + std::strerror(errno));
  return f;
}

// Every write is checked here at once: a full disk sets the stream's error flag, and fclose
// reports what the last flush could not write.
void finish(std::FILE*& f, const std::string& path) {
  if (!f) return;
  const bool write_failed = std::ferror(f) != 0;
  const int saved_errno = errno;
  const bool close_failed = std::fclose(f) != 0;
  f = nullptr;
  if (write_failed || close_failed) {
    const std::string why = std::strerror(close_failed ? errno : saved_errno);
    std::remove(temp_path(path).c_str());
    throw std::runtime_error("cannot write " + path + ": " + why);
  }
  if (std::rename(temp_path(path).c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot rename " + temp_path(path) + ": " + std::strerror(errno));
}
}  // namespace

Waveforms::Waveforms(const std::string& timeline_csv, const std::string& waves_vcd,
                     double decimation_s)
    : m_csv(open_tmp(timeline_csv)),
      m_vcd(open_tmp(waves_vcd)),
      m_csv_path(timeline_csv),
      m_vcd_path(waves_vcd),
      m_decimation_s(decimation_s) {
  if (m_csv) std::fprintf(m_csv, "time_s,vcap_V,harvest_W,load_A,power_on,event\n");
  if (m_vcd) {
    std::fprintf(m_vcd,
                 "$timescale 1ns $end\n$scope module node $end\n"
                 "$var real 64 v vcap_V $end\n$var real 64 h harvest_W $end\n"
                 "$var real 64 l load_A $end\n$var wire 1 p power_on $end\n"
                 "$var integer 16 m marker_code $end\n$var integer 32 a marker_arg $end\n"
                 "$upscope $end\n$enddefinitions $end\n");
  }
}

Waveforms::~Waveforms() {
  // An unfinished run leaves no half-written result behind.
  for (auto* pair : {&m_csv, &m_vcd})
    if (*pair) std::fclose(*pair);
  if (!m_csv_path.empty()) std::remove(temp_path(m_csv_path).c_str());
  if (!m_vcd_path.empty()) std::remove(temp_path(m_vcd_path).c_str());
}

void Waveforms::vcd_time(double time_s) {
  const long long ns = std::llround(time_s * 1e9);
  if (ns != m_last_vcd_ns) {
    std::fprintf(m_vcd, "#%lld\n", ns > m_last_vcd_ns ? ns : m_last_vcd_ns);
    m_last_vcd_ns = ns > m_last_vcd_ns ? ns : m_last_vcd_ns;
  }
}

namespace {
// Writes "b<bits> <id>" for an integer signal.
void vcd_bits(std::FILE* f, unsigned long value, int width, char id) {
  std::fputc('b', f);
  for (int b = width - 1; b >= 0; --b) std::fputc('0' + ((value >> b) & 1), f);
  std::fprintf(f, " %c\n", id);
}
}  // namespace

void Waveforms::vcd_values(const PowerSample& s) {
  char v[32], h[32], l[32];
  std::snprintf(v, sizeof v, "%.6f", s.vcap_v);
  std::snprintf(h, sizeof h, "%.6e", s.harvest_w);
  std::snprintf(l, sizeof l, "%.6e", s.load_a);
  const int p = s.on ? 1 : 0;
  if (!m_vcd_started) {
    // Initial values of every signal, as VCD readers expect.
    std::fprintf(m_vcd, "#0\n$dumpvars\nr%s v\nr%s h\nr%s l\n%dp\n", v, h, l, p);
    vcd_bits(m_vcd, 0, 16, 'm');
    vcd_bits(m_vcd, 0, 32, 'a');
    std::fprintf(m_vcd, "$end\n");
    m_last_vcd_ns = 0;
    m_vcd_code = m_vcd_arg = 0;
    m_vcd_started = true;
  } else {
    const bool changed = std::strcmp(v, m_vcd_v) || std::strcmp(h, m_vcd_h) ||
                         std::strcmp(l, m_vcd_l) || p != m_vcd_p;
    if (!changed) return;
    vcd_time(s.time_s);
    if (std::strcmp(v, m_vcd_v)) std::fprintf(m_vcd, "r%s v\n", v);
    if (std::strcmp(h, m_vcd_h)) std::fprintf(m_vcd, "r%s h\n", h);
    if (std::strcmp(l, m_vcd_l)) std::fprintf(m_vcd, "r%s l\n", l);
    if (p != m_vcd_p) std::fprintf(m_vcd, "%dp\n", p);
  }
  std::memcpy(m_vcd_v, v, sizeof v);
  std::memcpy(m_vcd_h, h, sizeof h);
  std::memcpy(m_vcd_l, l, sizeof l);
  m_vcd_p = p;
}

void Waveforms::vcd_marker(unsigned code, unsigned long arg) {
  if (static_cast<long>(code) != m_vcd_code) vcd_bits(m_vcd, code, 16, 'm');
  if (static_cast<long>(arg) != m_vcd_arg) vcd_bits(m_vcd, arg, 32, 'a');
  m_vcd_code = code;
  m_vcd_arg = static_cast<long>(arg);
}

void Waveforms::write_row(const PowerSample& s, const char* event, unsigned long arg,
                          bool has_arg) {
  if (!m_csv) return;
  if (has_arg)
    std::fprintf(m_csv, "%.9f,%.6f,%.6e,%.6e,%d,%s %lu\n", s.time_s, s.vcap_v, s.harvest_w,
                 s.load_a, s.on ? 1 : 0, event, arg);
  else
    std::fprintf(m_csv, "%.9f,%.6f,%.6e,%.6e,%d,%s\n", s.time_s, s.vcap_v, s.harvest_w, s.load_a,
                 s.on ? 1 : 0, event ? event : "");
}

void Waveforms::emit_markers_until(double time_s, const PowerSample* next) {
  size_t n = 0;
  for (; n < m_pending.size() && m_pending[n].time_s <= time_s; ++n) {
    const PendingMarker& m = m_pending[n];
    // The state at the marker: Vcap interpolated between the samples around it; the load and
    // harvest of the stretch it falls in (the next sample's).
    PowerSample at = next ? *next : m_prev;
    at.time_s = m.time_s;
    if (next && m_have_prev && next->time_s > m_prev.time_s) {
      const double f = (m.time_s - m_prev.time_s) / (next->time_s - m_prev.time_s);
      at.vcap_v = m_prev.vcap_v + std::clamp(f, 0.0, 1.0) * (next->vcap_v - m_prev.vcap_v);
    } else if (!next) {
      at.vcap_v = m_prev.vcap_v;
    }
    write_row(at, m.name, m.arg, true);
    if (m_vcd) {
      if (!m_vcd_started) vcd_values(at);
      vcd_time(m.time_s);
      vcd_marker(m.code, m.arg);
    }
  }
  m_pending.erase(m_pending.begin(), m_pending.begin() + static_cast<std::ptrdiff_t>(n));
}

void Waveforms::sample(const PowerSample& s, const char* event) {
  emit_markers_until(s.time_s, &s);
  const bool keep = event || s.time_s - m_last_kept_s >= m_decimation_s;
  m_prev = s;
  m_have_prev = true;
  if (!keep) return;
  m_last_kept_s = s.time_s;
  write_row(s, event, 0, false);
  if (m_vcd) vcd_values(s);
}

void Waveforms::marker(double time_s, unsigned code, unsigned long arg, const char* name) {
  if (m_have_prev && time_s < m_prev.time_s) time_s = m_prev.time_s;  // never before a row
  m_pending.push_back({time_s, code, arg, name});
}

void Waveforms::close() {
  emit_markers_until(1e300, nullptr);
  finish(m_csv, m_csv_path);
  finish(m_vcd, m_vcd_path);
  m_csv_path.clear();
  m_vcd_path.clear();
}

}  // namespace ipsim
