#include "energy/harvester.h"

#include <cmath>
#include <stdexcept>

namespace ipsim::energy {
namespace {

void require(bool ok, const std::string& parameter, const std::string& expected, double got) {
  if (!ok)
    throw std::invalid_argument("parameter '" + parameter + "': expected " + expected + ", got " +
                                std::to_string(got));
}

long optional_column(const Trace& t, const char* name) {
  return t.has_column(name) ? static_cast<long>(t.column_index(name)) : -1;
}

}  // namespace

double SourceTerm::current_at(double v) const {
  double i = current_a;
  if (has_thevenin() && v < thevenin_v) i += (thevenin_v - v) / thevenin_r_ohm;
  if (has_diode()) {
    const double d = diode_isc_a - diode_i0_a * std::expm1(diode_c_per_v * v);
    if (d > 0.0) i += d;
  }
  return i;
}

ConstantHarvester ConstantHarvester::power(double power_w) {
  require(power_w >= 0.0 && std::isfinite(power_w), "power_w", "a finite value >= 0", power_w);
  SourceTerm t;
  t.power_w = power_w;
  return ConstantHarvester(t);
}

ConstantHarvester ConstantHarvester::current(double current_a) {
  require(current_a >= 0.0 && std::isfinite(current_a), "current_a", "a finite value >= 0",
          current_a);
  SourceTerm t;
  t.current_a = current_a;
  return ConstantHarvester(t);
}

SourceTerm ConstantHarvester::term_at(double, double* interval_end_s) const {
  *interval_end_s = kInf;
  return m_term;
}

SquareWaveHarvester::SquareWaveHarvester(double power_w, double t_on_s, double t_off_s)
    : m_power_w(power_w), m_t_on_s(t_on_s), m_t_off_s(t_off_s) {
  require(power_w >= 0.0 && std::isfinite(power_w), "power_w", "a finite value >= 0", power_w);
  require(t_on_s > 0.0 && std::isfinite(t_on_s), "t_on_s", "a finite value > 0", t_on_s);
  // t_off 0: always on, in t_on steps (the same as a constant source).
  require(t_off_s >= 0.0 && std::isfinite(t_off_s), "t_off_s", "a finite value >= 0", t_off_s);
}

SourceTerm SquareWaveHarvester::term_at(double t_s, double* interval_end_s) const {
  const double period = m_t_on_s + m_t_off_s;
  double base = std::floor(t_s / period) * period;
  double phase = t_s - base;
  if (phase >= period) {
    base += period;
    phase = t_s - base;
  }
  if (phase < 0.0) phase = 0.0;
  SourceTerm term;
  if (phase < m_t_on_s) {
    term.power_w = m_power_w;
    *interval_end_s = base + m_t_on_s;
  } else {
    *interval_end_s = base + period;
  }
  if (!(*interval_end_s > t_s)) *interval_end_s = t_s + period * 1e-12;  // rounding guard
  return term;
}

VoltageSourceHarvester::VoltageSourceHarvester(double source_v, double series_r_ohm) {
  require(source_v >= 0.0 && std::isfinite(source_v), "source_v", "a finite value >= 0", source_v);
  require(series_r_ohm > 0.0 && std::isfinite(series_r_ohm), "series_r_ohm", "a finite value > 0",
          series_r_ohm);
  m_term.thevenin_v = source_v;
  m_term.thevenin_r_ohm = series_r_ohm;
}

SourceTerm VoltageSourceHarvester::term_at(double, double* interval_end_s) const {
  *interval_end_s = kInf;
  return m_term;
}

PowerTraceHarvester::PowerTraceHarvester(std::shared_ptr<const Trace> trace, double scale,
                                         bool loop)
    : TraceHarvester(std::move(trace), loop),
      m_col(m_trace->column_index("power_W")),
      m_scale(scale) {
  require(scale >= 0.0 && std::isfinite(scale), "scale", "a finite value >= 0", scale);
}

SourceTerm PowerTraceHarvester::term_at(double t_s, double* interval_end_s) const {
  SourceTerm term;
  term.power_w = m_scale * m_trace->value(m_col, m_cursor.sample_at(t_s, interval_end_s));
  return term;
}

RfEfficiencyCurve::RfEfficiencyCurve(std::vector<RfEfficiencyPoint> points)
    : m_points(std::move(points)) {
  if (m_points.empty())
    throw std::invalid_argument("parameter 'rf efficiency curve': expected at least one point");
  for (std::size_t i = 0; i < m_points.size(); ++i) {
    const auto& p = m_points[i];
    require(std::isfinite(p.input_dbm),
            "rf efficiency curve point " + std::to_string(i) + " input_dbm", "a finite value",
            p.input_dbm);
    require(p.efficiency >= 0.0 && p.efficiency <= 1.0,
            "rf efficiency curve point " + std::to_string(i) + " efficiency", "a value in [0, 1]",
            p.efficiency);
    if (i > 0)
      require(p.input_dbm > m_points[i - 1].input_dbm,
              "rf efficiency curve point " + std::to_string(i) + " input_dbm",
              "strictly increasing dBm", p.input_dbm);
  }
}

RfEfficiencyCurve RfEfficiencyCurve::p2110b_915mhz() {
  // APPROXIMATE, read from the shape of the P2110B datasheet efficiency figure (915 MHz).
  return RfEfficiencyCurve({{-12.0, 0.05},
                            {-10.0, 0.15},
                            {-8.0, 0.25},
                            {-5.0, 0.35},
                            {-2.0, 0.45},
                            {0.0, 0.50},
                            {3.0, 0.54},
                            {5.0, 0.55},
                            {8.0, 0.52},
                            {10.0, 0.48},
                            {15.0, 0.38},
                            {20.0, 0.25}});
}

double RfEfficiencyCurve::efficiency_at_dbm(double dbm) const {
  if (dbm < m_points.front().input_dbm) return 0.0;  // below sensitivity
  if (dbm >= m_points.back().input_dbm) return m_points.back().efficiency;
  std::size_t i = 1;
  while (m_points[i].input_dbm <= dbm) ++i;
  const auto& a = m_points[i - 1];
  const auto& b = m_points[i];
  return a.efficiency +
         (b.efficiency - a.efficiency) * (dbm - a.input_dbm) / (b.input_dbm - a.input_dbm);
}

double RfEfficiencyCurve::dc_power_w(double rf_power_w) const {
  if (!(rf_power_w > 0.0)) return 0.0;
  const double dbm = 10.0 * std::log10(rf_power_w * 1e3);
  return rf_power_w * efficiency_at_dbm(dbm);
}

RfHarvester::RfHarvester(std::shared_ptr<const Trace> trace, RfEfficiencyCurve curve, bool loop)
    : TraceHarvester(std::move(trace), loop),
      m_col(m_trace->column_index("rf_power_W")),
      m_curve(std::move(curve)) {}

SourceTerm RfHarvester::term_at(double t_s, double* interval_end_s) const {
  SourceTerm term;
  term.power_w = m_curve.dc_power_w(m_trace->value(m_col, m_cursor.sample_at(t_s, interval_end_s)));
  return term;
}

SolarHarvester::SolarHarvester(std::shared_ptr<const Trace> trace, PvCellConfig config, bool loop)
    : TraceHarvester(std::move(trace), loop), m_cfg(config) {
  require(m_cfg.area_m2 >= 0.0 && std::isfinite(m_cfg.area_m2), "area_m2", "a finite value >= 0",
          m_cfg.area_m2);
  require(m_cfg.efficiency >= 0.0 && m_cfg.efficiency <= 1.0, "efficiency", "a value in [0, 1]",
          m_cfg.efficiency);
  require(m_cfg.lux_per_w_per_m2 > 0.0 && std::isfinite(m_cfg.lux_per_w_per_m2), "lux_per_w_per_m2",
          "a finite value > 0", m_cfg.lux_per_w_per_m2);
  require(m_cfg.isc_ref_a >= 0.0 && std::isfinite(m_cfg.isc_ref_a), "isc_ref_a",
          "a finite value >= 0", m_cfg.isc_ref_a);
  require(m_cfg.g_ref_w_per_m2 > 0.0, "g_ref_w_per_m2", "a value > 0", m_cfg.g_ref_w_per_m2);
  require(m_cfg.i0_a > 0.0 && std::isfinite(m_cfg.i0_a), "i0_a", "a finite value > 0", m_cfg.i0_a);
  require(m_cfg.ideality > 0.0, "ideality", "a value > 0", m_cfg.ideality);
  require(m_cfg.cells_in_series >= 1.0, "cells_in_series", "a value >= 1", m_cfg.cells_in_series);
  require(m_cfg.thermal_v > 0.0, "thermal_v", "a value > 0", m_cfg.thermal_v);
  require(m_cfg.converter_efficiency >= 0.0 && m_cfg.converter_efficiency <= 1.0,
          "converter_efficiency", "a value in [0, 1]", m_cfg.converter_efficiency);
  const Trace& t = *m_trace;
  m_col_g = optional_column(t, "irradiance_W_per_m2");
  m_col_lux = optional_column(t, "illuminance_lux");
  m_col_a = optional_column(t, "a_A");
  m_col_b = optional_column(t, "b_A");
  m_col_c = optional_column(t, "c_per_V");
  m_col_pmpp = optional_column(t, "p_mpp_W");
  const bool has_g = m_col_g >= 0 || m_col_lux >= 0;
  const bool has_diode = m_col_a >= 0 && m_col_b >= 0 && m_col_c >= 0;
  bool ok = false;
  switch (m_cfg.model) {
    case PvCellConfig::Model::AreaEfficiency:
      ok = has_g;
      break;
    case PvCellConfig::Model::SingleDiode:
      ok = has_g || has_diode;
      break;
    case PvCellConfig::Model::Mppt:
      ok = has_g || has_diode || m_col_pmpp >= 0;
      break;
  }
  if (!ok)
    throw TraceError(t.name() +
                     ":0: trace has no column usable by the solar cell model (need "
                     "irradiance_W_per_m2 or illuminance_lux, or a_A,b_A,c_per_V, or p_mpp_W)");
}

double SolarHarvester::irradiance_w_per_m2(std::size_t i) const {
  if (m_col_g >= 0) return m_trace->value(static_cast<std::size_t>(m_col_g), i);
  if (m_col_lux >= 0)
    return m_trace->value(static_cast<std::size_t>(m_col_lux), i) / m_cfg.lux_per_w_per_m2;
  return 0.0;
}

SourceTerm SolarHarvester::term_at(double t_s, double* interval_end_s) const {
  const std::size_t i = m_cursor.sample_at(t_s, interval_end_s);
  const Trace& t = *m_trace;
  const bool trace_diode = m_col_a >= 0 && m_col_b >= 0 && m_col_c >= 0;
  SourceTerm term;
  double isc = 0, i0 = 0, c = 0;
  if (trace_diode) {
    isc = t.value(static_cast<std::size_t>(m_col_a), i);
    i0 = t.value(static_cast<std::size_t>(m_col_b), i);
    c = t.value(static_cast<std::size_t>(m_col_c), i);
  } else {
    isc = m_cfg.isc_ref_a * irradiance_w_per_m2(i) / m_cfg.g_ref_w_per_m2;
    i0 = m_cfg.i0_a;
    c = 1.0 / (m_cfg.ideality * m_cfg.thermal_v * m_cfg.cells_in_series);
  }
  switch (m_cfg.model) {
    case PvCellConfig::Model::AreaEfficiency:
      term.power_w = irradiance_w_per_m2(i) * m_cfg.area_m2 * m_cfg.efficiency;
      break;
    case PvCellConfig::Model::SingleDiode:
      if (isc > 0.0 && i0 > 0.0 && c > 0.0) {
        term.diode_isc_a = isc;
        term.diode_i0_a = i0;
        term.diode_c_per_v = c;
      }
      break;
    case PvCellConfig::Model::Mppt: {
      double p_mpp = 0.0;
      if (m_col_pmpp >= 0)
        p_mpp = t.value(static_cast<std::size_t>(m_col_pmpp), i);
      else if (trace_diode || m_cfg.isc_ref_a > 0.0)
        p_mpp = single_diode_p_mpp_w(isc, i0, c);
      else
        p_mpp = irradiance_w_per_m2(i) * m_cfg.area_m2 * m_cfg.efficiency;
      term.power_w = m_cfg.converter_efficiency * p_mpp;
      break;
    }
  }
  return term;
}

double single_diode_p_mpp_w(double isc_a, double i0_a, double c_per_v) {
  if (!(isc_a > 0.0 && i0_a > 0.0 && c_per_v > 0.0)) return 0.0;
  const double voc = std::log1p(isc_a / i0_a) / c_per_v;
  auto p = [&](double v) { return v * (isc_a - i0_a * std::expm1(c_per_v * v)); };
  const double g = (std::sqrt(5.0) - 1.0) / 2.0;
  double lo = 0.0, hi = voc;
  double x1 = hi - g * (hi - lo), x2 = lo + g * (hi - lo);
  double f1 = p(x1), f2 = p(x2);
  for (int k = 0; k < 80; ++k) {
    if (f1 < f2) {
      lo = x1, x1 = x2, f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = p(x2);
    } else {
      hi = x2, x2 = x1, f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = p(x1);
    }
  }
  return p(0.5 * (lo + hi));
}

}  // namespace ipsim::energy
