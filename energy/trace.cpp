#include "energy/trace.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace ipsim::energy {
namespace {

const char* const kKnownColumns[] = {"power_W",
                                     "rf_power_W",
                                     "irradiance_W_per_m2",
                                     "illuminance_lux",
                                     "isc_A",
                                     "voc_V",
                                     "a_A",
                                     "b_A",
                                     "c_per_V",
                                     "p_mpp_W",
                                     "v_mpp_V"};

[[noreturn]] void fail(const std::string& name, std::size_t line, const std::string& what) {
  throw TraceError(name + ":" + std::to_string(line) + ": " + what);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

// Canonical CSV, one line at a time, so that a file is never held in memory whole: a
// 10-million-row trace costs its samples (8 bytes per value), not its text as well.
class TraceParser {
 public:
  // `rows_hint`: an upper bound on the sample count (the number of lines), reserved up front
  // so that the columns do not grow by doubling.
  TraceParser(const std::string& name, std::size_t rows_hint) : m_rows_hint(rows_hint) {
    m_trace.m_name = name;
  }

  void line(std::string_view raw) {
    const std::string& name = m_trace.m_name;
    Trace& trace = m_trace;
    std::string_view line = trim(raw);
    ++line_no;
    if (!have_header) {
      if (line.empty() || line.front() == '#') return;
      // Header line.
      std::size_t start = 0;
      std::vector<std::string> names;
      while (true) {
        std::size_t comma = line.find(',', start);
        names.emplace_back(trim(line.substr(start, comma - start)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
      if (names.size() < 2 || names[0] != "time_s")
        fail(name, line_no,
             "bad header: expected 'time_s,<quantity>_<unit>[,...]', got '" + std::string(line) +
                 "'");
      for (std::size_t i = 1; i < names.size(); ++i) {
        const std::string& n = names[i];
        if (std::find(std::begin(kKnownColumns), std::end(kKnownColumns), n) ==
            std::end(kKnownColumns))
          fail(name, line_no, "bad header: unknown column '" + n + "'");
        if (std::find(names.begin() + 1, names.begin() + i, n) != names.begin() + i)
          fail(name, line_no, "bad header: duplicate column '" + n + "'");
      }
      trace.m_columns.assign(names.begin() + 1, names.end());
      ncols = names.size();
      trace.m_values.resize(ncols - 1);
      trace.m_time_s.reserve(m_rows_hint);
      for (auto& c : trace.m_values) c.reserve(m_rows_hint);
      have_header = true;
      return;
    }
    if (line.empty()) return;  // tolerate blank lines (e.g. trailing)
    std::size_t col = 0;
    const char* p = line.data();
    const char* end = line.data() + line.size();
    while (true) {
      if (col >= ncols)
        fail(name, line_no, "wrong column count: expected " + std::to_string(ncols) + ", got more");
      while (p < end && (*p == ' ' || *p == '\t')) ++p;
      double v = 0.0;
      if (p < end && *p == '+') ++p;
      auto [q, ec] = std::from_chars(p, end, v);
      if (ec != std::errc() && ec != std::errc::result_out_of_range)
        fail(name, line_no,
             "unparsable number in column '" +
                 (col == 0 ? std::string("time_s") : trace.m_columns[col - 1]) + "'");
      while (q < end && (*q == ' ' || *q == '\t')) ++q;
      if (!std::isfinite(v) || ec == std::errc::result_out_of_range)
        fail(name, line_no,
             "non-finite value in column '" +
                 (col == 0 ? std::string("time_s") : trace.m_columns[col - 1]) + "'");
      if (col == 0) {
        if (trace.m_time_s.empty()) {
          t_first = v;
        } else if (!(v > t_prev)) {
          fail(name, line_no,
               "time not strictly increasing (" + std::to_string(v) + " s after " +
                   std::to_string(t_prev) + " s)");
        } else if (v - t_prev < kMinSampleIntervalS * 0.999) {  // slack for rounding
          // Each interval is one integration step; femtosecond steps would never finish.
          fail(name, line_no,
               "samples closer than 1 us (" + std::to_string(v - t_prev) + " s after the last)");
        }
        t_prev = v;
        trace.m_time_s.push_back(v - t_first);
      } else {
        if (v < 0.0)
          fail(name, line_no, "negative value in column '" + trace.m_columns[col - 1] + "'");
        // 1e308 W made the capacitor integrator fail; no harvester input comes near 1e6
        // (sunlight is about 1.2e5 lux and 1.4e3 W/m^2).
        if (v > kMaxTraceValue)
          fail(name, line_no,
               "value above 1e6 in column '" + trace.m_columns[col - 1] +
                   "' (not a physical harvester input)");
        trace.m_values[col - 1].push_back(v);
      }
      ++col;
      if (q == end) break;
      if (*q != ',') fail(name, line_no, "unparsable number or bad separator");
      p = q + 1;
    }
    if (col != ncols)
      fail(
          name, line_no,
          "wrong column count: expected " + std::to_string(ncols) + ", got " + std::to_string(col));
  }

  Trace finish() {
    Trace& trace = m_trace;
    if (!have_header) fail(trace.m_name, line_no, "bad header: no header line found");
    if (trace.m_time_s.size() < 2) fail(trace.m_name, line_no, "a trace needs at least 2 samples");
    const std::size_t n = trace.m_time_s.size();
    trace.m_duration_s = trace.m_time_s[n - 1] + (trace.m_time_s[n - 1] - trace.m_time_s[n - 2]);
    return std::move(m_trace);
  }

 private:
  Trace m_trace;
  std::size_t m_rows_hint;
  std::size_t line_no = 0;
  bool have_header = false;
  std::size_t ncols = 0;
  double t_first = 0.0;
  double t_prev = 0.0;
};

Trace Trace::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TraceError(path + ":0: cannot open trace file");
  // Read in blocks, twice: first to count the lines (the reservation), then to parse.
  std::vector<char> block(1 << 20);
  auto read_block = [&]() -> std::size_t {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    if (in.bad()) throw TraceError(path + ":0: cannot read trace file");
    return static_cast<std::size_t>(in.gcount());
  };
  std::size_t lines = 1;
  for (std::size_t n; (n = read_block()) > 0;)
    lines += static_cast<std::size_t>(std::count(block.data(), block.data() + n, '\n'));
  in.clear();
  in.seekg(0);
  TraceParser parser(path, lines);
  std::string carry;  // a line split across blocks
  for (std::size_t n; (n = read_block()) > 0;) {
    std::string_view rest(block.data(), n);
    for (std::size_t eol; (eol = rest.find('\n')) != std::string_view::npos;) {
      if (carry.empty()) {
        parser.line(rest.substr(0, eol));
      } else {
        carry.append(rest.substr(0, eol));
        parser.line(carry);
        carry.clear();
      }
      rest.remove_prefix(eol + 1);
    }
    carry.append(rest);
  }
  if (!carry.empty()) parser.line(carry);
  return parser.finish();
}

Trace Trace::parse(std::string_view text, const std::string& name) {
  TraceParser parser(name,
                     static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    parser.line(text.substr(pos, eol - pos));
    pos = eol + 1;
  }
  return parser.finish();
}

bool Trace::has_column(const std::string& column) const {
  return std::find(m_columns.begin(), m_columns.end(), column) != m_columns.end();
}

std::size_t Trace::column_index(const std::string& column) const {
  auto it = std::find(m_columns.begin(), m_columns.end(), column);
  if (it == m_columns.end()) throw TraceError(m_name + ":0: trace has no column '" + column + "'");
  return static_cast<std::size_t>(it - m_columns.begin());
}

std::size_t Trace::index_at(double t_s, std::size_t hint) const {
  const std::size_t n = m_time_s.size();
  if (t_s <= 0.0) return 0;
  if (hint < n && m_time_s[hint] <= t_s) {
    if (hint + 1 == n || t_s < m_time_s[hint + 1]) return hint;
    if (hint + 2 == n || t_s < m_time_s[hint + 2]) return hint + 1;
  }
  auto it = std::upper_bound(m_time_s.begin(), m_time_s.end(), t_s);
  return static_cast<std::size_t>(it - m_time_s.begin()) - 1;
}

double Trace::value_at(std::size_t column, double t_s) const {
  return m_values[column][index_at(t_s)];
}

Trace Trace::played(double offset_s, double time_scale, bool wrap) const& {
  return Trace(*this).played(offset_s, time_scale, wrap);
}

Trace Trace::played(double offset_s, double time_scale, bool wrap) && {
  auto seconds = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%gs", v);
    return std::string(buf);
  };
  if (!(offset_s >= 0 && offset_s < m_duration_s))
    throw TraceError(m_name + ":0: source.offset " + seconds(offset_s) +
                     " is not inside the trace, which lasts " + seconds(m_duration_s));
  if (!(time_scale > 0 && std::isfinite(time_scale)))
    throw TraceError(m_name + ":0: source.time_scale must be a number > 0");
  // In place, so that a long trace is not held twice: the samples from the one holding at the
  // offset on come first (it holds from the offset), then, with `wrap`, the cycle's beginning
  // up to the offset (the first sample again only if it starts before the offset).
  const std::size_t n = size();
  const std::size_t first = index_at(offset_s);
  const bool again = wrap && m_time_s[first] < offset_s;
  const double duration = m_duration_s - offset_s;
  auto arrange = [&](auto& v) {
    if (wrap) {
      std::rotate(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(first), v.end());
      if (again) v.push_back(v.front());
    } else {
      v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(first));
    }
  };
  arrange(m_time_s);
  for (auto& column : m_values) arrange(column);
  // m_time_s[k] now holds the original time of the sample at position k.
  const std::size_t tail = n - first;  // samples from `first` on
  for (std::size_t k = 0; k < m_time_s.size(); ++k) {
    double t;
    if (k == 0)
      t = 0.0;
    else if (k < tail)
      t = m_time_s[k] - offset_s;
    else
      t = duration + m_time_s[k];
    m_time_s[k] = t * time_scale;
  }
  m_duration_s = (wrap ? m_duration_s : duration) * time_scale;
  return std::move(*this);
}

std::size_t TraceCursor::sample_at(double t_s, double* interval_end_s) const {
  if (t_s == m_last_t) {
    *interval_end_s = m_last_end;
    return m_last_i;
  }
  const double d = m_trace->duration_s();
  double base = 0.0;
  double local = t_s;
  if (m_loop && t_s >= d) {
    base = std::floor(t_s / d) * d;
    local = t_s - base;
    if (local >= d) {  // rounding
      base += d;
      local = t_s - base;
    }
    if (local < 0.0) local = 0.0;
  }
  std::size_t i = m_trace->index_at(local, m_hint);
  m_hint = i;
  double end = base + m_trace->interval_end_s(i);
  if (!(end > t_s)) {  // rounding at a boundary: move on to the next sample
    if (i + 1 < m_trace->size()) {
      ++i;
      end = base + m_trace->interval_end_s(i);
    } else {
      i = 0;
      end = base + d + m_trace->interval_end_s(0);
    }
    m_hint = i;
  }
  *interval_end_s = end;
  m_last_t = t_s, m_last_end = end, m_last_i = i;
  return i;
}

}  // namespace ipsim::energy
