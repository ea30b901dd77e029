#pragma once
// LoadModel: the MSP430FR5994's draw on the storage capacitor, as one table of coefficients.
//
// Supply assumption: the MCU runs behind an LDO (or directly from a regulated rail), so its
// supply current does not depend on Vcap; the capacitor delivers that same current and the
// power taken from it is Vcap * I (the difference to the MCU's own V*I is LDO loss). The
// datasheet currents are specified at 3 V, 25 C; per-event energies from Fused (J) are
// converted to charge at reference_v = 3.0 V (Q = E / 3 V), so that they too are drawn as
// charge from the capacitor.
//
// Sources (facts = msp430fr5994-facts.md):
//   active_current_per_mhz_a   118 uA/MHz                 facts §5.1 [PROD]. The datasheet
//                              active-mode table vs cache-hit ratio was not retrieved (facts §7).
//   fram_miss_extra_energy_j   6.347e-10 - 2.116e-10 J    facts §3, Fused per-event cache read
//                              miss vs hit energy (model numbers, not TI). Added per FRAM cache
//                              miss on top of the per-MHz active current.
//   lpm0_current_a             85 uA  UNCERTAIN           facts §5.1 [DS-LPM01] @3.0 V, 1 MHz
//                              SMCLK; the column alignment of that table is uncertain.
//   lpm3_current_a             500 nA                     facts §5.1 [PROD] (LPM3, VLO)
//   lpm4_current_a             350 nA  UNCERTAIN          no LPM4 figure retrieved; uses the
//                              LPM3.5 product figure as a placeholder (facts §5.1, §7).
//   lpm45_current_a            45 nA                      facts §5.1 [PROD]
//   reset_charge_c             102 nAs                    facts §5.1 [DS-WAKE], RST/BOR -> AM
//   lpm0_wake_charge_c         3.8 nAs                    facts §5.1 [DS-WAKE]
//   lpm3_wake_charge_c         25 nAs                     facts §5.1 [DS-WAKE]
//   fram_wake_charge_c         16.5 nAs                   facts §5.1 [DS-WAKE]
//   lea_current_per_mhz_a      118 uA/MHz  APPROXIMATE    hook. Derived from iNAS's LEA MAC
//                              fit on the FR5994 (0.527 nJ per element at 1.5 cycles/element,
//                              facts §4.3): 0.351 nJ/cycle / 3 V = 117 pC/cycle. Whole-device
//                              current while LEA runs (CPU idle). The simulator books it per
//                              LEA busy cycle on top of the sleeping CPU's LPM0 current, so
//                              that share (~5 % at 16 MHz) is counted twice.
//   dma_current_per_mhz_a      118 uA/MHz  APPROXIMATE    hook, not booked separately: DMA
//                              transfers stall the CPU and count as its active cycles. No
//                              FR5994 figure; the CPU is
//                              halted during a transfer, so we assume the active-mode current.
//   spi_fram_active_per_mhz_a  300 uA/MHz  APPROXIMATE    CY15B104Q datasheet (facts §8.2): 300 uA
//                              active at 1 MHz SCK, scaled linearly with the SCK frequency.
//   spi_fram_standby_a         100 uA                     CY15B104Q, typical standby
//   spi_fram_sleep_a           3 uA                       CY15B104Q, typical sleep mode
//                              The external FRAM (platform.nvm.kind spi-fram) draws these from
//                              the same capacitor; models/spi_fram.h books them.
// Every coefficient can be overridden: construct LoadModel with other values.
namespace ipsim::energy {

struct LoadModel {
  double reference_v = 3.0;
  double active_current_per_mhz_a = 118e-6;
  double fram_miss_extra_energy_j = 6.347e-10 - 2.116e-10;
  double lpm0_current_a = 85e-6;
  double lpm3_current_a = 500e-9;
  double lpm4_current_a = 350e-9;
  double lpm45_current_a = 45e-9;
  double reset_charge_c = 102e-9;
  double lpm0_wake_charge_c = 3.8e-9;
  double lpm3_wake_charge_c = 25e-9;
  double fram_wake_charge_c = 16.5e-9;
  double lea_current_per_mhz_a = 118e-6;
  double dma_current_per_mhz_a = 118e-6;
  double spi_fram_active_per_mhz_a = 300e-6;
  double spi_fram_standby_a = 100e-6;
  double spi_fram_sleep_a = 3e-6;

  // Active-mode supply current at MCLK mclk_hz.
  double active_current_a(double mclk_hz) const {
    return active_current_per_mhz_a * mclk_hz * 1e-6;
  }
  // Charge drawn by one FRAM cache miss beyond a hit.
  double fram_miss_extra_charge_c() const { return fram_miss_extra_energy_j / reference_v; }
  // Average current of a stretch of `cycles` MCLK cycles at mclk_hz with `fram_misses` misses.
  double stretch_current_a(double mclk_hz, double cycles, double fram_misses) const {
    if (cycles <= 0.0) return 0.0;
    const double duration_s = cycles / mclk_hz;
    return active_current_a(mclk_hz) + fram_misses * fram_miss_extra_charge_c() / duration_s;
  }
};

}  // namespace ipsim::energy
