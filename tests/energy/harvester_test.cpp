#include <catch2/catch.hpp>
#include <cmath>
#include <memory>

#include "energy/harvester.h"
#include "energy/load_model.h"

using namespace ipsim::energy;

TEST_CASE("RF efficiency curve interpolates in dBm", "[harvester]") {
  const RfEfficiencyCurve curve({{-10.0, 0.1}, {0.0, 0.5}, {10.0, 0.3}});
  CHECK(curve.efficiency_at_dbm(-20.0) == 0.0);  // below sensitivity
  CHECK(curve.efficiency_at_dbm(-5.0) == Approx(0.3));
  CHECK(curve.efficiency_at_dbm(0.0) == Approx(0.5));
  CHECK(curve.efficiency_at_dbm(20.0) == Approx(0.3));  // held above the last point
  CHECK(curve.dc_power_w(1e-3) == Approx(0.5e-3));      // 0 dBm
  CHECK(curve.dc_power_w(0.0) == 0.0);
  CHECK_THROWS_WITH(RfEfficiencyCurve({{0.0, 0.5}, {-1.0, 0.4}}), Catch::Contains("input_dbm"));
  CHECK_THROWS_WITH(RfEfficiencyCurve({{0.0, 1.5}}), Catch::Contains("efficiency"));
  const auto p2110b = RfEfficiencyCurve::p2110b_915mhz();
  CHECK(p2110b.efficiency_at_dbm(0.0) > 0.4);
  CHECK(p2110b.efficiency_at_dbm(-13.0) == 0.0);
}

TEST_CASE("Trace harvesters produce the documented source terms", "[harvester]") {
  double end = 0;
  SECTION("rf") {
    auto t = std::make_shared<Trace>(Trace::parse("time_s,rf_power_W\n0,0.001\n0.02,0\n", "rf"));
    RfHarvester h(t, RfEfficiencyCurve({{-10.0, 0.1}, {0.0, 0.5}}));
    CHECK(h.term_at(0.01, &end).power_w == Approx(0.5e-3));
    CHECK(end == Approx(0.02));
    CHECK(h.term_at(0.03, &end).power_w == 0.0);
    CHECK(h.ended(0.04));
  }
  SECTION("power with scale") {
    auto t = std::make_shared<Trace>(Trace::parse("time_s,power_W\n0,1e-3\n1,2e-3\n", "p"));
    PowerTraceHarvester h(t, 2.0, true);
    CHECK(h.term_at(1.5, &end).power_w == Approx(4e-3));
    CHECK(h.term_at(2.5, &end).power_w == Approx(2e-3));  // looped
    CHECK_FALSE(h.ended(100.0));
  }
  SECTION("solar: area x efficiency, lux conversion") {
    auto g =
        std::make_shared<Trace>(Trace::parse("time_s,irradiance_W_per_m2\n0,1000\n60,0\n", "g"));
    PvCellConfig cfg;  // 5 cm^2, 15 %
    SolarHarvester h(g, cfg);
    CHECK(h.term_at(1.0, &end).power_w == Approx(75e-3));
    auto lux = std::make_shared<Trace>(Trace::parse("time_s,illuminance_lux\n0,1200\n1,0\n", "l"));
    SolarHarvester hl(lux, cfg);
    CHECK(hl.term_at(0.0, &end).power_w == Approx(10.0 * 5e-4 * 0.15));
  }
  SECTION("solar: per-sample single diode, and MPPT from p_mpp_W") {
    auto d = std::make_shared<Trace>(Trace::parse(
        "time_s,a_A,b_A,c_per_V,p_mpp_W\n0,6e-4,1e-6,4.2,5e-4\n0.02,6e-4,1e-6,4.2,5e-4\n", "d"));
    PvCellConfig cfg;
    cfg.model = PvCellConfig::Model::SingleDiode;
    SolarHarvester h(d, cfg);
    const SourceTerm s = h.term_at(0.0, &end);
    CHECK(s.diode_isc_a == 6e-4);
    CHECK(s.current_at(0.0) == Approx(6e-4));
    const double voc = std::log1p(6e-4 / 1e-6) / 4.2;
    CHECK(s.current_at(voc) == Approx(0.0).margin(1e-15));
    CHECK(s.current_at(voc + 0.1) == 0.0);  // ideal blocking diode
    cfg.model = PvCellConfig::Model::Mppt;
    cfg.converter_efficiency = 0.5;
    SolarHarvester m(d, cfg);
    CHECK(m.term_at(0.0, &end).power_w == Approx(2.5e-4));
    CHECK(single_diode_p_mpp_w(6e-4, 1e-6, 4.2) < 6e-4 * voc);
  }
  SECTION("solar: a trace without a usable column is an error") {
    auto p = std::make_shared<Trace>(Trace::parse("time_s,power_W\n0,1\n1,1\n", "p.csv"));
    CHECK_THROWS_AS(SolarHarvester(p, PvCellConfig{}), TraceError);
    CHECK_THROWS_WITH(PowerTraceHarvester(std::make_shared<Trace>(
                          Trace::parse("time_s,rf_power_W\n0,1\n1,1\n", "r.csv"))),
                      Catch::Contains("r.csv") && Catch::Contains("power_W"));
  }
}

TEST_CASE("Synthetic harvesters", "[harvester]") {
  double end = 0;
  SquareWaveHarvester sq(1e-3, 0.002, 0.003);
  CHECK(sq.term_at(0.001, &end).power_w == 1e-3);
  CHECK(end == Approx(0.002));
  CHECK(sq.term_at(0.004, &end).power_w == 0.0);
  CHECK(end == Approx(0.005));
  CHECK(sq.term_at(0.0051, &end).power_w == 1e-3);
  VoltageSourceHarvester vs(3.0, 1e3);
  CHECK(vs.term_at(0.0, &end).current_at(2.0) == Approx(1e-3));
  CHECK(vs.term_at(0.0, &end).current_at(3.5) == 0.0);
  CHECK_THROWS_WITH(VoltageSourceHarvester(3.0, 0.0), Catch::Contains("series_r_ohm"));
  CHECK_THROWS_WITH(SquareWaveHarvester(1e-3, 0.0, 1.0), Catch::Contains("t_on_s"));
}

TEST_CASE("Load model defaults and derived figures", "[load]") {
  const LoadModel m;
  CHECK(m.reset_charge_c == 102e-9);
  // Fused's idle cycle is 67 uA/MHz at 3 V, near the datasheet's 65 uA/MHz with FRAM off.
  CHECK(m.cycle_charge_c() * 1e6 == Approx(67.1e-6).epsilon(0.001));
  // LPM0 is linear in the clock through 85 uA at 1 MHz and 240 uA at 16 MHz.
  CHECK(m.lpm0_current_a(1e6) == Approx(85e-6));
  CHECK(m.lpm0_current_a(16e6) == Approx(240e-6));
  CHECK(m.lpm0_current_a(4e6) == Approx(116e-6));
  CHECK(m.lea_cycle_charge_c() == Approx(86e-12));
  // Every access costs: 1000 cycles at 1 MHz (1 ms) with one event of each kind.
  AccessCounts a;
  a.fram_read_hits = 1, a.fram_read_misses = 1, a.fram_writes = 1, a.sram_accesses = 1;
  const double access_c = (2.116e-10 + 6.347e-10 + 6.823e-10 + 1.981e-10) / 3.0;
  CHECK(m.access_charge_c(a) == Approx(access_c));
  CHECK(m.stretch_current_a(1e6, 1000, a) ==
        Approx(1000 * m.cycle_charge_c() / 1e-3 + access_c / 1e-3));
  CHECK(m.worst_access_charge_per_cycle_c() == Approx(6.823e-10 / 3.0));
  LoadModel custom;
  custom.fram_write_j = 1e-9;
  CHECK(custom.worst_access_charge_per_cycle_c() == Approx(1e-9 / 3.0));
}
