// CycleTimes gives the times sc_time's own constructor makes, through clock changes and past
// its cache.
#include <catch2/catch.hpp>

#include "models/cycle_times.h"

using ipsim::CycleTimes;
using sc_core::sc_time;

TEST_CASE("CycleTimes gives sc_time(n * cycle_s) for every clock and count", "[sync]") {
  CycleTimes times;
  for (double hz : {16e6, 1e6, 8e6, 12.345678e6, 16e6}) {
    const double cycle_s = 1.0 / hz;
    for (uint64_t n : {uint64_t{0}, uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{24},
                       uint64_t{4097}, uint64_t{65535}, uint64_t{65536}, uint64_t{1} << 30})
      for (int pass = 0; pass < 2; ++pass)  // made, then cached
        REQUIRE(times.offset(n, cycle_s) ==
                sc_time(static_cast<double>(n) * cycle_s, sc_core::SC_SEC));
  }
}
