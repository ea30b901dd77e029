#include "sim/exec_command.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "sim/cli_error.h"
#include "sim/config.h"
#include "sim/debug_observers.h"
#include "sim/debug_session.h"
#include "sim/nvm_report.h"
#include "sim/platform.h"
#include "sim/results.h"
#include "sim/simulate_run.h"
#include "sim/sweep.h"

namespace ipsim {

namespace po = boost::program_options;

namespace {

// Decimal, or hex with 0x; no sign, no octal (a leading 0 is still decimal).
uint64_t parse_number(const std::string& text, const std::string& what) {
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  const std::string digits = hex ? text.substr(2) : text;
  const char* allowed = hex ? "0123456789abcdefABCDEF" : "0123456789";
  if (!digits.empty() && digits.size() <= 16 &&
      digits.find_first_not_of(allowed) == std::string::npos) {
    try {
      return std::stoull(digits, nullptr, hex ? 16 : 10);
    } catch (const std::out_of_range&) {
    }
  }
  throw CliError(what + ": expected a number (decimal or 0x hex), got '" + text + "'");
}

// ADDR:LEN or SYMBOL (whole symbol); the range must lie in SRAM or FRAM, checked before the run.
// spi_fram: the platform has the external FRAM, whose bytes the ELF addresses at
// SpiFram::kElfBase + device address.
std::pair<uint32_t, uint32_t> resolve_dump(const std::string& spec, const ElfImage& image,
                                           bool spi_fram) {
  const auto colon = spec.find(':');
  uint64_t addr = 0, len = 0;
  if (colon != std::string::npos) {
    addr = parse_number(spec.substr(0, colon), "--dump " + spec);
    len = parse_number(spec.substr(colon + 1), "--dump " + spec);
  } else {
    const auto sym = image.find(spec);
    if (!sym) throw CliError("--dump " + spec + ": no such symbol in " + image.path());
    if (sym->size == 0) throw CliError("--dump " + spec + ": symbol has size 0; use ADDR:LEN");
    addr = sym->addr, len = sym->size;
  }
  const bool inside =
      addr <= UINT32_MAX && len > 0 &&
      (Fram::contains(static_cast<uint32_t>(addr), len) ||
       range_inside(static_cast<uint32_t>(addr), len, kSramBegin, kSramEnd) ||
       (spi_fram && range_inside(static_cast<uint32_t>(addr), len, SpiFram::kElfBase,
                                 SpiFram::kElfBase + SpiFram::kBytes)));
  if (!inside)
    throw CliError("--dump " + spec +
                   ": the range must have a length of at least 1 and lie inside SRAM "
                   "(0x01C00-0x03BFF) or FRAM (0x01800-0x01AFF, 0x04000-0x43FFF)" +
                   (spi_fram ? " or the SPI FRAM (0x1000000-0x107FFFF)" : ""));
  return {static_cast<uint32_t>(addr), static_cast<uint32_t>(len)};
}

std::string to_hex(const std::vector<uint8_t>& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) s.push_back(digits[b >> 4]), s.push_back(digits[b & 15]);
  return s;
}

}  // namespace

int exec_command(const std::vector<std::string>& args) {
  po::options_description opts("ipsim exec FIRMWARE.elf [options]");
  std::string elf_path, power = "continuous", out_dir = ".";
  DebugOptions debug;
  std::vector<std::string> dumps;
  std::string max_cycles_text = "0";
  uint64_t seed = 1;
  bool json = false;
  opts.add_options()("help,h", "show this help")("max-cycles", po::value(&max_cycles_text),
                                                 "stop after N CPU cycles")(
      "dump", po::value(&dumps)->composing(), "dump ADDR:LEN or SYMBOL after the run (repeatable)")(
      "power", po::value(&power),
      "continuous (default), or a config file whose platform and source describe the supply")(
      "seed", po::value(&seed), "seed for SRAM power-up content")(
      "out", po::value(&out_dir),
      "where the --power config's outputs (timeline.csv, waves.vcd) go (default: .)")(
      "json", po::bool_switch(&json), "print one JSON object on stdout");
  debug.add_to(opts);
  po::options_description hidden;
  hidden.add_options()("elf", po::value(&elf_path));
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("elf", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw CliError(std::string("exec: ") + e.what());
  }
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  if (elf_path.empty()) throw CliError("exec: missing FIRMWARE.elf");

  const ElfImage image = ElfImage::load(elf_path);
  for (const std::string& w : image.warnings()) std::cerr << "ipsim: warning: " << w << "\n";
  PlatformConfig config;
  OutputsConfig outputs;
  config.seed = seed;
  config.max_cycles = parse_number(max_cycles_text, "--max-cycles");
  if (power != "continuous") {
    // The supply (capacitor, supervisor, source, energy model, time limit) of a run config.
    // The workload is this ELF; a sweep in the file is ignored (exec runs once).
    const std::string abs_elf = std::filesystem::absolute(elf_path).string();
    const Config run_config = load_experiment(power, {"workload.firmware=" + abs_elf,
                                                      "workload.strategy=continuous", "sweep=null"})
                                  .runs.at(0)
                                  .config;
    config.power = power_config_from(run_config);
    config.nvm = nvm_platform_from(run_config);
    config.power.no_progress_limit = 0;  // any firmware: markers are optional
    if (!vm.count("seed")) config.seed = static_cast<uint64_t>(run_config.seed);
    outputs = run_config.outputs;
  }
  // Everything that can be checked is checked before the run starts.
  const bool spi_fram = config.nvm.kind == NvmPlatformConfig::Kind::kSpiFram;
  std::vector<std::pair<std::string, std::pair<uint32_t, uint32_t>>> dump_ranges;
  for (const std::string& d : dumps) dump_ranges.push_back({d, resolve_dump(d, image, spi_fram)});
  DebugSession session(debug, image);
  session.prepare(config);

  Platform platform(config, image);
  session.attach(platform);
  std::unique_ptr<Waveforms> waves = attach_waveforms(platform, outputs, out_dir);
  const auto host_start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  platform.run();
  if (waves) waves->close();
  const double host_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();
  const double cpu_s = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  session.finish(platform);

  Msp430Core& core = platform.core();
  nlohmann::json out;
  nlohmann::json regs = {{"pc", core.reg(0)}, {"sp", core.reg(1)}, {"sr", core.reg(2)}};
  for (unsigned r = 3; r < 16; ++r) regs["r" + std::to_string(r)] = core.reg(r);
  out["registers"] = regs;
  out["cycles"] = core.cycles();
  out["instructions"] = core.instructions();
  out["stop_reason"] = platform.stop_reason();
  if (platform.stop_reason() == "exit") out["exit_code"] = platform.exit_code();
  if (platform.stop_reason() == "breakpoint" || session.breakpoint_stops() > 0)
    out["breakpoint_stops"] = session.breakpoint_stops();
  if (platform.stop_reason() == "fault") {
    const Fault& f = core.fault();
    out["fault"] = {{"message", platform.fault_message()},
                    {"pc", f.pc},
                    {"address", f.address},
                    {"cycle", f.cycle}};
  }
  out["sim_time_s"] = platform.sim_time_s();
  out["resets"] = platform.resets();
  out["boots"] = platform.boots();
  out["power_failures"] = platform.power().power_failures();
  out["wasted_cycles"] = platform.power().wasted_cycles();
  out["lea_busy_cycles"] = platform.lea().busy_cycles();
  out["on_time_s"] = platform.power().on_time_s();
  out["off_time_s"] = platform.power().off_time_s();
  out["sleep_s"] = platform.sleep_time_s();
  const energy::EnergyReport e = platform.power().energy();
  out["energy_J"] = {{"harvested", e.harvested},
                     {"consumed", e.consumed},
                     {"stored_delta", e.stored_delta},
                     {"leaked", e.leaked},
                     {"clamped", e.clamped}};
  out["nvm"] = nvm_report(platform.fram(), image);
  if (const SpiFram* f = platform.spi_fram()) out["nvm"]["spi_fram"] = spi_fram_report(*f, image);
  if (json) {  // one JSON object per marker is costly: only when printed, at most 100,000
    constexpr size_t kMaxJsonMarkers = 100000;
    const auto& all = platform.debug_port().markers();
    const size_t shown = std::min(all.size(), kMaxJsonMarkers);
    nlohmann::json markers = nlohmann::json::array();
    for (size_t i = 0; i < shown; ++i) {
      const Marker& m = all[i];
      markers.push_back({{"code", m.code},
                         {"name", marker_name(m.code)},
                         {"arg", m.arg},
                         {"time_s", m.time.to_seconds()}});
    }
    out["markers"] = std::move(markers);
    out["markers_dropped"] = platform.debug_port().markers_dropped() + (all.size() - shown);
  }
  out["console"] = platform.debug_port().console();
  nlohmann::json dumps_json = nlohmann::json::object();
  for (const auto& [key, range] : dump_ranges)
    dumps_json[key] = to_hex(platform.read_memory(range.first, range.second));
  out["dumps"] = dumps_json;
  // Wall-clock and CPU time of the simulation proper (not ELF loading); on a loaded machine
  // the CPU-time figure is the one to compare.
  out["host"] = {{"seconds", host_s},
                 {"cpu_seconds", cpu_s},
                 {"mips", host_s > 0 ? core.instructions() / host_s / 1e6 : 0.0},
                 {"cpu_mips", cpu_s > 0 ? core.instructions() / cpu_s / 1e6 : 0.0}};

  if (json) {
    std::cout << json_text(out) << "\n";
  } else {
    std::cout << platform.debug_port().console();
    std::printf("stop: %s", platform.stop_reason().c_str());
    if (platform.stop_reason() == "exit") std::printf(" (code %d)", platform.exit_code());
    std::printf("\ncycles: %llu  instructions: %llu  simulated: %.6f s  host: %.3f s (%.1f MIPS)\n",
                static_cast<unsigned long long>(core.cycles()),
                static_cast<unsigned long long>(core.instructions()), platform.sim_time_s(), host_s,
                out["host"]["mips"].get<double>());
    if (platform.power().supervised() || platform.power().power_failures() > 0)
      std::printf("power: %llu failures, %llu boots, on %.6f s, off %.6f s\n",
                  static_cast<unsigned long long>(platform.power().power_failures()),
                  static_cast<unsigned long long>(platform.boots()), platform.power().on_time_s(),
                  platform.power().off_time_s());
    if (outputs.timeline_csv) std::printf("wrote %s/timeline.csv\n", out_dir.c_str());
    if (outputs.waves_vcd) std::printf("wrote %s/waves.vcd\n", out_dir.c_str());
    std::printf("FRAM: %llu B written, %llu B read, %llu B fetched\n",
                out["nvm"]["write_bytes"].get<unsigned long long>(),
                out["nvm"]["read_bytes"].get<unsigned long long>(),
                out["nvm"]["fetch_bytes"].get<unsigned long long>());
    for (const auto& dump : dump_ranges)  // in the order given
      std::printf("%s: %s\n", dump.first.c_str(),
                  dumps_json[dump.first].get<std::string>().c_str());
    if (session.profiler())
      std::printf("\nprofile (top 20):\n%s", session.profiler()->flat_table(20).c_str());
  }
  if (platform.stop_reason() == "fault") {
    std::cerr << "ipsim: firmware fault: " << platform.fault_message() << "\n";
    return 3;
  }
  // docs/config.md "Exit status": the firmware's own DBG_EXIT code, as a shell sees it.
  if (platform.stop_reason() == "exit") return platform.exit_code() & 0xFF;
  return 0;
}

}  // namespace ipsim
