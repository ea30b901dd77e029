#pragma once
// Harvesters: what an energy source delivers to the storage capacitor over time.
//
// Each harvester describes its output on an interval where it is constant (one trace sample
// under zero-order hold, one half-period of a square wave, forever for constant sources) as a
// SourceTerm: a constant power, a constant current, a voltage source behind a resistor, or a
// single-diode PV cell, each through an ideal blocking diode (no reverse current). The
// capacitor integrates that term exactly (closed form) or with an adaptive ODE step.
//
// Models and sources of numbers:
// - PowerTraceHarvester: trace column power_W is the harvested DC power, times `scale`.
// - RfHarvester: trace column rf_power_W (RF input power) x RF-to-DC efficiency(dBm), linear
//   interpolation in dBm between curve points, 0 below the first point, last value held above
//   the last point. The default curve (RfEfficiencyCurve::p2110b_915mhz) is APPROXIMATE: read
//   by eye from the shape of the "RF to DC conversion efficiency vs input power" figure of the
//   Powercast P2110B datasheet (915 MHz, sensitivity -12 dBm, peak about 50-55 % near
//   0..+5 dBm, falling again towards +20 dBm). It is not a measured table.
// - SolarHarvester, three cell models:
//   * AreaEfficiency: P = G * area * efficiency, G from irradiance_W_per_m2 or from
//     illuminance_lux / lux_per_w_per_m2. Default 120 lux per W/m^2 (daylight luminous
//     efficacy, about 100-120 lm/W); white LED / fluorescent indoor light is about 250-350 lux
//     per W/m^2 (luminous efficacy of radiation), so set it for indoor traces. APPROXIMATE.
//   * SingleDiode: I(V) = Isc - I0 * (exp(V / (n * Vt)) - 1) at the capacitor voltage through
//     an ideal diode, Isc = isc_ref_a * G / g_ref_w_per_m2 (linear in irradiance), I0, n and
//     Vt fixed. Or, when the trace has columns a_A, b_A, c_per_V (shepherd/IVonne), those are
//     used per sample: I(V) = a - b * (exp(c * V) - 1).
//   * Mppt: an ideal maximum-power-point tracker and converter: P = converter_efficiency x
//     P_mpp, P_mpp from trace column p_mpp_W if present, else from the single-diode model, else
//     from area * efficiency * G.
// - VoltageSourceHarvester: Vs behind R (iNAS: 3.0 V through 1 kOhm, facts §5.3); current
//   (Vs - Vcap)/R when positive.
// - ConstantHarvester (power or current) and SquareWaveHarvester: synthetic, for tests.
//
// energy/ knows nothing about instructions or SystemC; time is double seconds.
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "energy/trace.h"

namespace ipsim::energy {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

// The source's electrical output while its inputs are constant. At most one kind is non-zero
// for the built-in harvesters, but the sum is well defined.
struct SourceTerm {
  double power_w = 0.0;     // constant power into the capacitor
  double current_a = 0.0;   // constant current into the capacitor
  double thevenin_v = 0.0;  // source voltage behind thevenin_r_ohm (inactive when r = inf)
  double thevenin_r_ohm = kInf;
  double diode_isc_a = 0.0;  // single diode: I = isc - i0 * (exp(c * V) - 1), clipped >= 0
  double diode_i0_a = 0.0;
  double diode_c_per_v = 0.0;

  bool has_thevenin() const { return thevenin_r_ohm < kInf; }
  bool has_diode() const { return diode_isc_a > 0.0; }
  // Current into the capacitor at capacitor voltage v (excluding power_w).
  double current_at(double v) const;
  // Power into the capacitor at capacitor voltage v.
  double power_at(double v) const { return power_w + v * current_at(v); }
};

class Harvester {
 public:
  virtual ~Harvester() = default;
  // The term holding at simulation time t_s and the time it stops holding (kInf if never).
  // Precondition: !ended(t_s).
  virtual SourceTerm term_at(double t_s, double* interval_end_s) const = 0;
  // True when the source has no more data at t_s (non-looping trace past its end).
  virtual bool ended(double /*t_s*/) const { return false; }
};

class ConstantHarvester : public Harvester {
 public:
  static ConstantHarvester power(double power_w);
  static ConstantHarvester current(double current_a);
  SourceTerm term_at(double t_s, double* interval_end_s) const override;

 private:
  explicit ConstantHarvester(SourceTerm term) : m_term(term) {}
  SourceTerm m_term;
};

// power_w for t_on_s, then 0 for t_off_s, periodically, starting with the on phase at t = 0.
class SquareWaveHarvester : public Harvester {
 public:
  SquareWaveHarvester(double power_w, double t_on_s, double t_off_s);
  SourceTerm term_at(double t_s, double* interval_end_s) const override;

 private:
  double m_power_w, m_t_on_s, m_t_off_s;
};

class VoltageSourceHarvester : public Harvester {
 public:
  VoltageSourceHarvester(double source_v, double series_r_ohm);
  SourceTerm term_at(double t_s, double* interval_end_s) const override;

 private:
  SourceTerm m_term;
};

// Base for trace-driven harvesters: zero-order hold, optional looping.
class TraceHarvester : public Harvester {
 public:
  bool ended(double t_s) const override { return m_cursor.ended(t_s); }
  const Trace& trace() const { return *m_trace; }

 protected:
  TraceHarvester(std::shared_ptr<const Trace> trace, bool loop)
      : m_trace(std::move(trace)), m_cursor(*m_trace, loop) {}
  std::shared_ptr<const Trace> m_trace;
  TraceCursor m_cursor;
};

class PowerTraceHarvester : public TraceHarvester {
 public:
  PowerTraceHarvester(std::shared_ptr<const Trace> trace, double scale = 1.0, bool loop = false);
  SourceTerm term_at(double t_s, double* interval_end_s) const override;

 private:
  std::size_t m_col;
  double m_scale;
};

struct RfEfficiencyPoint {
  double input_dbm;
  double efficiency;  // 0..1
};

class RfEfficiencyCurve {
 public:
  // Points sorted by strictly increasing input_dbm, efficiency in [0, 1]; throws
  // std::invalid_argument naming the bad point otherwise.
  explicit RfEfficiencyCurve(std::vector<RfEfficiencyPoint> points);
  // APPROXIMATE Powercast P2110B 915 MHz curve, see the header comment.
  static RfEfficiencyCurve p2110b_915mhz();
  double efficiency_at_dbm(double input_dbm) const;
  double dc_power_w(double rf_power_w) const;
  const std::vector<RfEfficiencyPoint>& points() const { return m_points; }

 private:
  std::vector<RfEfficiencyPoint> m_points;
};

class RfHarvester : public TraceHarvester {
 public:
  RfHarvester(std::shared_ptr<const Trace> trace, RfEfficiencyCurve curve, bool loop = false);
  SourceTerm term_at(double t_s, double* interval_end_s) const override;

 private:
  std::size_t m_col;
  RfEfficiencyCurve m_curve;
};

struct PvCellConfig {
  enum class Model { AreaEfficiency, SingleDiode, Mppt };
  Model model = Model::AreaEfficiency;
  double area_m2 = 5e-4;            // 5 cm^2
  double efficiency = 0.15;         // P = G * area * efficiency
  double lux_per_w_per_m2 = 120.0;  // illuminance -> irradiance (daylight; indoor LED ~300)
  // Single-diode parameters at g_ref (used when the trace has no a_A,b_A,c_per_V columns).
  double isc_ref_a = 0.01;  // short-circuit current at g_ref
  double g_ref_w_per_m2 = 1000.0;
  double i0_a = 1e-9;     // saturation current
  double ideality = 1.5;  // n
  double cells_in_series = 1.0;
  double thermal_v = 0.025852;        // kT/q at 300 K
  double converter_efficiency = 0.8;  // Mppt only
};

class SolarHarvester : public TraceHarvester {
 public:
  // Throws std::invalid_argument on a bad parameter, TraceError if the trace has no usable
  // column for the chosen model.
  SolarHarvester(std::shared_ptr<const Trace> trace, PvCellConfig config, bool loop = false);
  SourceTerm term_at(double t_s, double* interval_end_s) const override;
  // Irradiance (W/m^2) for sample i (from irradiance or illuminance); 0 if the trace has neither.
  double irradiance_w_per_m2(std::size_t i) const;

 private:
  PvCellConfig m_cfg;
  long m_col_g = -1, m_col_lux = -1, m_col_a = -1, m_col_b = -1, m_col_c = -1, m_col_pmpp = -1;
};

// Maximum of V * I(V) for I(V) = isc - i0 * (exp(c V) - 1) over [0, Voc] (golden section).
double single_diode_p_mpp_w(double isc_a, double i0_a, double c_per_v);

}  // namespace ipsim::energy
