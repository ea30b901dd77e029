#pragma once
#include <stdexcept>

namespace ipsim {

// A mistake in how ipsim was invoked; main() prints it and exits with status 2.
class CliError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ipsim
