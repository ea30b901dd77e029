#include "sim/waveforms.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
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

void Waveforms::sample(const PowerSample& s, const char* event) {
  if (!event && s.time_s - m_last_kept_s < m_decimation_s) return;
  m_last_kept_s = s.time_s;
  if (m_csv)
    std::fprintf(m_csv, "%.9f,%.6f,%.6e,%.6e,%d,%s\n", s.time_s, s.vcap_v, s.harvest_w, s.load_a,
                 s.on ? 1 : 0, event ? event : "");
  if (m_vcd) {
    vcd_time(s.time_s);
    std::fprintf(m_vcd, "r%.6f v\nr%.6e h\nr%.6e l\n%dp\n", s.vcap_v, s.harvest_w, s.load_a,
                 s.on ? 1 : 0);
  }
  m_last = s;
}

void Waveforms::marker(double time_s, unsigned code, unsigned long arg, const char* name) {
  if (m_csv)
    std::fprintf(m_csv, "%.9f,%.6f,%.6e,%.6e,%d,%s %lu\n", time_s, m_last.vcap_v, m_last.harvest_w,
                 m_last.load_a, m_last.on ? 1 : 0, name, arg);
  if (m_vcd) {
    vcd_time(time_s);
    std::fprintf(m_vcd, "b");
    for (int b = 15; b >= 0; --b) std::fputc('0' + ((code >> b) & 1), m_vcd);
    std::fprintf(m_vcd, " m\nb");
    for (int b = 31; b >= 0; --b) std::fputc('0' + ((arg >> b) & 1), m_vcd);
    std::fprintf(m_vcd, " a\n");
  }
}

void Waveforms::close() {
  finish(m_csv, m_csv_path);
  finish(m_vcd, m_vcd_path);
  m_csv_path.clear();
  m_vcd_path.clear();
}

}  // namespace ipsim
