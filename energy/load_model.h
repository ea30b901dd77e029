#pragma once
// LoadModel: the MSP430FR5994's draw on the storage capacitor, as one table of coefficients.
// APPROXIMATE: a per-cycle core energy plus one energy per memory access, with the low-power
// mode, LEA and wake-up figures of the datasheet. No access is free: every FRAM read hit, read
// miss and write, and every SRAM access by the CPU or the DMA, costs its energy.
//
// Supply assumption: the MCU runs behind an LDO (or directly from a regulated rail), so its
// supply current does not depend on Vcap; the capacitor delivers that same current and the
// power taken from it is Vcap * I (the difference to the MCU's own V*I is LDO loss). Datasheet
// currents are specified at 3 V, 25 C; per-event energies (J) are converted to charge at
// reference_v = 3.0 V (Q = E / 3 V), so that they too are drawn as charge from the capacitor.
//
// Sources (docs/energy-model.md has the table with the reasoning; "Fused" is the Fused
// simulator's fitted MSP430FR5994 board model, config.yaml; "SLASE54" the FR599x datasheet):
//   cycle_energy_j            2.013e-10 J  Fused, energy of one CPU cycle without a memory
//                             access (= 67 uA/MHz at 3 V; SLASE54 gives 65 uA/MHz for active
//                             mode with FRAM off, which agrees). DMA cycles that halt the CPU
//                             are CPU cycles and pay it too.
//   fram_read_hit_j           2.116e-10 J  Fused, FRAM read served by the FRAM cache
//   fram_read_miss_j          6.347e-10 J  Fused, FRAM read that misses the cache
//   fram_write_j              6.823e-10 J  Fused, FRAM write (per 16-bit word)
//   sram_access_j             1.981e-10 J  Fused, SRAM read or write
//   lpm0_current_1mhz_a       85 uA        SLASE54 ILPM0 at 3.0 V, fSMCLK = 1 MHz
//   lpm0_current_16mhz_a      240 uA       SLASE54 ILPM0 at 3.0 V, fSMCLK = 16 MHz. LPM0 is
//                             linear in the clock between (and beyond) these two points; the
//                             table's 4 MHz cell (115 uA) lies on that line within 1 %; its
//                             8 and 12 MHz cells were read from a flattened table whose column
//                             alignment is uncertain and are not used.
//   lpm3_current_a            500 nA       SLASE54 product summary (LPM3, VLO)
//   lpm4_current_a            350 nA  UNCERTAIN  no LPM4 figure retrieved; the LPM3.5 figure
//   lea_current_per_mhz_a     86 uA/MHz    SLASE54 module currents: LEA, 256-point complex FFT
//                             with non-zero data (66 uA/MHz with zero data). Booked per LEA busy
//                             cycle on top of whatever the CPU draws meanwhile (LPM0, or
//                             active cycles when it polls).
//   reset_charge_c            102 nAs      SLASE54 wake-up charges, RST/BOR -> AM; every boot
//   lpm0_wake_charge_c        3.8 nAs      SLASE54, LPM0 -> AM; every wake from LPM0/LPM1
//   lpm3_wake_charge_c        25 nAs       SLASE54, LPM3/LPM4 -> AM; every wake from LPM2-LPM4
//   fram_wake_charge_c        16.5 nAs     SLASE54, FRAM re-activation; FRAM is powered down
//                             in LPM2-LPM4 (SLAU367 FRAM power control), so every wake from
//                             those modes pays it on top of lpm3_wake_charge_c
//   spi_fram_active_per_mhz_a 300 uA/MHz APPROXIMATE  CY15B104Q datasheet (facts §8.2): 300 uA
//                             active at 1 MHz SCK, scaled linearly with the SCK frequency.
//   spi_fram_standby_a        100 uA       CY15B104Q, typical standby
//   spi_fram_sleep_a          3 uA         CY15B104Q, typical sleep mode
//                             The external FRAM (platform.nvm.kind spi-fram) draws these from
//                             the same capacitor; models/spi_fram.h books them.
// Every coefficient can be overridden (platform.energy_model in a config).
namespace ipsim::energy {

// Memory events since the last booking: what the energy of a stretch depends on.
struct AccessCounts {
  double fram_read_hits = 0;
  double fram_read_misses = 0;
  double fram_writes = 0;
  double sram_accesses = 0;
};

struct LoadModel {
  double reference_v = 3.0;
  double cycle_energy_j = 2.013e-10;
  double fram_read_hit_j = 2.116e-10;
  double fram_read_miss_j = 6.347e-10;
  double fram_write_j = 6.823e-10;
  double sram_access_j = 1.981e-10;
  double lpm0_current_1mhz_a = 85e-6;
  double lpm0_current_16mhz_a = 240e-6;
  double lpm3_current_a = 500e-9;
  double lpm4_current_a = 350e-9;
  double lea_current_per_mhz_a = 86e-6;
  double reset_charge_c = 102e-9;
  double lpm0_wake_charge_c = 3.8e-9;
  double lpm3_wake_charge_c = 25e-9;
  double fram_wake_charge_c = 16.5e-9;
  double spi_fram_active_per_mhz_a = 300e-6;
  double spi_fram_standby_a = 100e-6;
  double spi_fram_sleep_a = 3e-6;

  double cycle_charge_c() const { return cycle_energy_j / reference_v; }
  // Charge of the memory accesses `a`.
  double access_charge_c(const AccessCounts& a) const {
    return (a.fram_read_hits * fram_read_hit_j + a.fram_read_misses * fram_read_miss_j +
            a.fram_writes * fram_write_j + a.sram_accesses * sram_access_j) /
           reference_v;
  }
  // Worst case per cycle: every cycle makes the costliest access (a memory access takes at
  // least one MCLK cycle on the 16-bit bus, facts §2.3).
  double worst_access_charge_per_cycle_c() const {
    double e = fram_read_hit_j;
    for (double x : {fram_read_miss_j, fram_write_j, sram_access_j}) e = x > e ? x : e;
    return e / reference_v;
  }
  // LEA charge per busy cycle: lea_current_per_mhz_a is that many microcoulombs per million
  // cycles at any clock.
  double lea_cycle_charge_c() const { return lea_current_per_mhz_a * 1e-6; }
  // LPM0 supply current at SMCLK/MCLK mclk_hz: the line through the 1 and 16 MHz figures.
  double lpm0_current_a(double mclk_hz) const {
    const double slope = (lpm0_current_16mhz_a - lpm0_current_1mhz_a) / 15e6;
    const double i = lpm0_current_1mhz_a + slope * (mclk_hz - 1e6);
    return i > 0 ? i : 0.0;
  }
  // Average current of `cycles` active MCLK cycles at mclk_hz with accesses `a`.
  double stretch_current_a(double mclk_hz, double cycles, const AccessCounts& a) const {
    if (cycles <= 0.0) return 0.0;
    return (cycles * cycle_charge_c() + access_charge_c(a)) * mclk_hz / cycles;
  }
};

}  // namespace ipsim::energy
