#pragma once
// Trace: a time series loaded from ipsim's canonical trace CSV (see traces/README.md).
//
// Format: optional '#' comment lines at the top, then one header line naming each column as
// <quantity>_<unit> (first column `time_s`), then one row of numbers per sample. Known columns:
//   time_s, power_W (harvested DC power), rf_power_W (RF input power), irradiance_W_per_m2,
//   illuminance_lux, isc_A, voc_V, a_A, b_A, c_per_V (single-diode PV coefficients),
//   p_mpp_W, v_mpp_V.
// Every non-time column must be finite and >= 0; time must be finite and strictly increasing,
// with samples at least kMinSampleIntervalS (1 us) apart: each interval is one integration step.
// Values are at most kMaxTraceValue (1e6), far above any physical harvester input.
//
// Interpolation: zero-order hold. Sample i holds on [t_i, t_{i+1}); the last sample holds for
// one more interval equal to the previous one, so duration = t_last - t_0 + (t_last - t_{n-1}).
// Trace time is measured from the first sample (t_0 maps to 0). Zero-order hold makes every
// interval's input constant, so the capacitor equation can be integrated exactly per interval.
//
// Errors: TraceError (a std::runtime_error) whose message starts with "<file>:<line>: ".
//
// Memory: 8 bytes per sample and column (time_s included), reserved once from the file's line
// count; load() reads the file in 1 MiB blocks, so its text is never held whole. A 10-million-
// row power trace (200 MB of CSV) costs 160 MB. Values stay double: float would change them.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ipsim::energy {

inline constexpr double kMinSampleIntervalS = 1e-6;
inline constexpr double kMaxTraceValue = 1e6;  // in any value column

class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Trace {
 public:
  // Loads a canonical CSV file; throws TraceError (missing file, bad header, bad row).
  static Trace load(const std::string& path);
  // Parses canonical CSV text; `name` is used as the file name in error messages.
  static Trace parse(std::string_view text, const std::string& name);

  const std::string& name() const { return m_name; }
  std::size_t size() const { return m_time_s.size(); }
  std::size_t column_count() const { return m_columns.size(); }
  const std::vector<std::string>& column_names() const { return m_columns; }
  bool has_column(const std::string& column) const;
  // Index of a value column (not time_s); throws TraceError naming the file and column.
  std::size_t column_index(const std::string& column) const;

  // Sample start time, measured from the first sample.
  double time_s(std::size_t i) const { return m_time_s[i]; }
  // End of the interval on which sample i holds.
  double interval_end_s(std::size_t i) const {
    return i + 1 < m_time_s.size() ? m_time_s[i + 1] : m_duration_s;
  }
  double value(std::size_t column, std::size_t i) const { return m_values[column][i]; }
  const std::vector<double>& column(std::size_t column) const { return m_values[column]; }
  double duration_s() const { return m_duration_s; }

  // Index of the sample that holds at trace time t_s (clamped to [0, size()-1]).
  // `hint` (optional) speeds up sequential lookups.
  std::size_t index_at(double t_s, std::size_t hint = 0) const;
  // Zero-order-hold value of `column` at trace time t_s (t_s outside the trace is clamped).
  double value_at(std::size_t column, double t_s) const;

  // The trace as a run plays it (source.offset, source.time_scale): trace time `offset_s`
  // becomes time 0 and every interval lasts `time_scale` times as long. With `wrap` the part
  // before the offset follows the end, so that a looping trace keeps its whole cycle (a day
  // that starts at sunrise); without, the trace ends at its own end. Throws TraceError when
  // the offset is not inside the trace or the scale is not a finite number > 0.
  // The rvalue form rearranges this trace in place (a long trace is not held twice).
  Trace played(double offset_s, double time_scale, bool wrap) const&;
  Trace played(double offset_s, double time_scale, bool wrap) &&;

 private:
  friend class TraceParser;
  std::string m_name;
  std::vector<std::string> m_columns;         // value columns, without time_s
  std::vector<double> m_time_s;               // shifted so m_time_s[0] == 0
  std::vector<std::vector<double>> m_values;  // [column][sample]
  double m_duration_s = 0.0;
};

// Maps simulation time to trace samples, optionally looping the trace when the simulation
// outlasts it. Keeps a lookup hint, so sequential access is O(1).
class TraceCursor {
 public:
  TraceCursor(const Trace& trace, bool loop) : m_trace(&trace), m_loop(loop) {}
  // True when t_s is past the end of a non-looping trace.
  bool ended(double t_s) const { return !m_loop && t_s >= m_trace->duration_s(); }
  // Sample holding at simulation time t_s and the simulation time at which it stops holding.
  // Precondition: !ended(t_s), t_s >= 0.
  std::size_t sample_at(double t_s, double* interval_end_s) const;
  const Trace& trace() const { return *m_trace; }
  bool loop() const { return m_loop; }

 private:
  const Trace* m_trace;
  bool m_loop;
  mutable std::size_t m_hint = 0;
  // The last query and its answer: the power model asks for the same time several times per
  // stretch, and sample_at is a pure function of t_s (m_hint only speeds up the search).
  mutable double m_last_t = -1.0, m_last_end = 0.0;
  mutable std::size_t m_last_i = 0;
};

}  // namespace ipsim::energy
