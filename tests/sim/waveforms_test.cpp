// timeline.csv and waves.vcd writing (sim/waveforms.h).
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/waveforms.h"
#include "tests/sim/temp_dir.h"

using namespace ipsim;
using ipsim::test::TempDir;

namespace {

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("a marker row carries the Vcap at its own time, between the samples around it") {
  TempDir dir;
  const std::string csv = (dir.path() / "timeline.csv").string();
  const std::string vcd = (dir.path() / "waves.vcd").string();
  {
    Waveforms w(csv, vcd, 1.0);
    w.sample({0.0, 2.0, 1e-3, 0.0, true});
    w.marker(0.25, 4, 7, "slice_done");  // a quarter into the slice that ends at 1 s
    w.sample({1.0, 3.0, 1e-3, 2e-3, true});
    w.sample({1.5, 3.0, 1e-3, 2e-3, true});  // decimated away, and unchanged
    w.sample({2.0, 3.0, 1e-3, 2e-3, true});  // kept, unchanged: nothing new in the VCD
    w.sample({2.5, 2.4, 1e-3, 0.0, false}, "power-off");
    w.close();
  }
  const auto rows = lines_of(csv);
  REQUIRE(rows.size() == 6);
  CHECK(rows[0] == "time_s,vcap_V,harvest_W,load_A,power_on,event");
  CHECK(rows[1].rfind("0.000000000,2.000000,", 0) == 0);
  CHECK(rows[2] == "0.250000000,2.250000,1.000000e-03,2.000000e-03,1,slice_done 7");
  CHECK(rows[3].rfind("1.000000000,3.000000,", 0) == 0);
  CHECK(rows[4].rfind("2.000000000,3.000000,", 0) == 0);
  CHECK(rows[5] == "2.500000000,2.400000,1.000000e-03,0.000000e+00,0,power-off");

  std::ifstream in(vcd);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  INFO(text);
  // Initial values first, then only changes: the unchanged sample at 2 s writes nothing.
  CHECK(text.find("$enddefinitions $end\n#0\n$dumpvars\nr2.000000 v\n") != std::string::npos);
  CHECK(text.find("#250000000\nb0000000000000100 m\nb00000000000000000000000000000111 a\n") !=
        std::string::npos);
  CHECK(text.find("#1000000000\nr3.000000 v\nr2.000000e-03 l\n#2500000000\n") != std::string::npos);
  CHECK(text.find("#2000000000") == std::string::npos);
  CHECK(text.find("0p\n") != std::string::npos);
}
