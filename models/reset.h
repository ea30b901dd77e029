#pragma once
// Reset requests from peripherals to the platform (facts §1.4: BOR > POR > PUC).
#include <functional>
#include <string>

namespace ipsim {

enum class ResetKind { kPuc, kPor, kBor };
using ResetRequest = std::function<void(ResetKind kind, const std::string& cause)>;

}  // namespace ipsim
