#pragma once
// Reset requests from peripherals to the platform (facts §1.4: BOR > POR > PUC). Each cause
// carries the SYSRSTIV value that reports it after the reset (SLAU367P §1.16, SYSRSTIV).
#include <cstdint>
#include <functional>

namespace ipsim {

enum class ResetKind { kPuc, kPor, kBor };

struct ResetCause {
  ResetKind kind;
  uint16_t sysrstiv;
  const char* text;
};

inline constexpr ResetCause kResetBor{ResetKind::kBor, 0x02, "brown-out reset"};
inline constexpr ResetCause kResetSoftwareBor{ResetKind::kBor, 0x06, "software BOR (PMMSWBOR)"};
inline constexpr ResetCause kResetSoftwarePor{ResetKind::kPor, 0x14, "software POR (PMMSWPOR)"};
inline constexpr ResetCause kResetWdtTimeout{ResetKind::kPuc, 0x16, "watchdog expired"};
inline constexpr ResetCause kResetWdtPassword{ResetKind::kPuc, 0x18, "WDTCTL password violation"};
inline constexpr ResetCause kResetFrctlPassword{ResetKind::kPuc, 0x1A, "FRCTL0 password violation"};
inline constexpr ResetCause kResetPmmPassword{ResetKind::kPuc, 0x20, "PMMCTL0 password violation"};

using ResetRequest = std::function<void(const ResetCause& cause)>;

}  // namespace ipsim
