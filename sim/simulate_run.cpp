#include "sim/simulate_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include "energy/harvester.h"
#include "energy/trace.h"
#include "kernels/host/golden.h"
#include "sim/df_plan.h"
#include "sim/nvm_report.h"
#include "sim/progress.h"
#include "sim/waveforms.h"

namespace ipsim {

namespace {

namespace fs = std::filesystem;

// Must match kernels/apps/workload.h.
constexpr uint16_t kWorkloadMagic = 0x574B;
constexpr unsigned kMaxInputs = 32, kMaxInferences = 32, kMaxClasses = 16;

std::string exe_dir() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : self.parent_path().string();
}

std::shared_ptr<energy::Harvester> make_harvester(const SourceSpec& s) {
  using namespace energy;
  switch (s.type) {
    case SourceType::Constant:
      if (s.current_a)
        return std::make_shared<ConstantHarvester>(ConstantHarvester::current(*s.current_a));
      return std::make_shared<ConstantHarvester>(ConstantHarvester::power(s.power_w.value_or(0)));
    case SourceType::SquareWave:
      return std::make_shared<SquareWaveHarvester>(s.power_w.value_or(0), s.t_on_s, s.t_off_s);
    case SourceType::Trace:
      break;
    default:
      return nullptr;
  }
  const HarvesterSpec& h = s.harvester;
  if (h.model == HarvesterModel::VoltageSource)
    return std::make_shared<VoltageSourceHarvester>(h.v_source, h.r_series_ohm);
  Trace loaded = Trace::load(s.file);
  if (s.offset_s != 0 || s.time_scale != 1)
    loaded = std::move(loaded).played(s.offset_s, s.time_scale, s.loop);
  auto trace = std::make_shared<const Trace>(std::move(loaded));
  switch (h.model) {
    case HarvesterModel::Power:
      return std::make_shared<PowerTraceHarvester>(trace, h.scale, s.loop);
    case HarvesterModel::Rf: {
      RfEfficiencyCurve curve = RfEfficiencyCurve::p2110b_915mhz();
      if (!h.efficiency_curve.empty()) {
        std::vector<RfEfficiencyPoint> points;
        for (const auto& [dbm, eff] : h.efficiency_curve) points.push_back({dbm, eff});
        curve = RfEfficiencyCurve(points);
      }
      return std::make_shared<RfHarvester>(trace, curve, s.loop);
    }
    case HarvesterModel::Solar: {
      PvCellConfig cell;
      cell.model = h.cell == SolarCell::SingleDiode ? PvCellConfig::Model::SingleDiode
                   : h.cell == SolarCell::Mppt      ? PvCellConfig::Model::Mppt
                                                    : PvCellConfig::Model::AreaEfficiency;
      cell.area_m2 = h.area_m2;
      cell.efficiency = h.efficiency;
      cell.lux_per_w_per_m2 = h.lux_to_w_per_m2;
      cell.converter_efficiency = h.converter_efficiency;
      return std::make_shared<SolarHarvester>(trace, cell, s.loop);
    }
    case HarvesterModel::VoltageSource:
      break;
  }
  return nullptr;
}

void apply_energy_overrides(const std::map<std::string, double>& overrides, PowerConfig& power) {
  energy::LoadModel& m = power.load;
  const std::map<std::string, double*> fields = {
      {"cycle_energy_j", &m.cycle_energy_j},
      {"fram_read_hit_j", &m.fram_read_hit_j},
      {"fram_read_miss_j", &m.fram_read_miss_j},
      {"fram_write_j", &m.fram_write_j},
      {"sram_access_j", &m.sram_access_j},
      {"lpm0_current_1mhz_a", &m.lpm0_current_1mhz_a},
      {"lpm0_current_16mhz_a", &m.lpm0_current_16mhz_a},
      {"lpm3_current_a", &m.lpm3_current_a},
      {"lpm4_current_a", &m.lpm4_current_a},
      {"lea_current_per_mhz_a", &m.lea_current_per_mhz_a},
      {"reset_charge_c", &m.reset_charge_c},
      {"lpm0_wake_charge_c", &m.lpm0_wake_charge_c},
      {"lpm3_wake_charge_c", &m.lpm3_wake_charge_c},
      {"fram_wake_charge_c", &m.fram_wake_charge_c},
      {"off_current_a", &power.supervisor.off_current_a},
      {"spi_fram_active_per_mhz_a", &m.spi_fram_active_per_mhz_a},
      {"spi_fram_standby_a", &m.spi_fram_standby_a},
      {"spi_fram_sleep_a", &m.spi_fram_sleep_a},
  };
  for (const auto& [name, value] : overrides) {
    const auto it = fields.find(name);
    if (it == fields.end()) throw std::logic_error("energy_model key without a field: " + name);
    *it->second = value;
  }
}

void write_le16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}

DebugOptions& run_debug_options() {
  static DebugOptions options;
  return options;
}

// results.json "lea": per command code the run issued, commands, MACs/elements processed and
// busy MCLK cycles (a command cut by a power failure counts the cycles it ran).
nlohmann::json lea_report(const Lea& lea) {
  nlohmann::json commands = nlohmann::json::object();
  for (std::size_t i = 0; i < std::size(kLeaTiming); ++i) {
    const Lea::CommandStats& s = lea.command_stats(i);
    if (s.commands == 0) continue;
    commands[kLeaTiming[i].name] = {
        {"commands", s.commands}, {"elements", s.units}, {"busy_cycles", s.busy_cycles}};
  }
  return {
      {"commands", lea.commands()}, {"busy_cycles", lea.busy_cycles()}, {"by_command", commands}};
}

// results.json "dma": per channel, transfers started (a block, or one single transfer) and the
// bytes or words they moved.
nlohmann::json dma_report(const Dma& dma) {
  nlohmann::json channels = nlohmann::json::array();
  uint64_t words = 0;
  for (unsigned n = 0; n < Dma::kChannels; ++n) {
    channels.push_back({{"channel", n},
                        {"transfers", dma.channel_triggers(n)},
                        {"words", dma.channel_transfers(n)}});
    words += dma.channel_transfers(n);
  }
  return {{"words", words}, {"busy_cycles", dma.busy_cycles()}, {"by_channel", channels}};
}

}  // namespace

void set_run_debug_options(const DebugOptions& options) {
  run_debug_options() = options;
}

PowerConfig power_config_from(const Config& config) {
  PowerConfig power;
  const SourceSpec& s = config.source;
  switch (s.type) {
    case SourceType::Continuous:
      power.mode = PowerConfig::Mode::kContinuous;
      break;
    case SourceType::FailureInjection:
      power.mode = PowerConfig::Mode::kInjection;
      power.mean_on_cycles = s.mean_on_cycles;
      power.off_time_s = s.off_time_s;
      break;
    default:
      power.mode = PowerConfig::Mode::kSupervised;
      power.harvester = make_harvester(s);
      break;
  }
  const CapacitorSpec& c = config.platform.capacitor;
  power.capacitor = {c.capacitance_f, c.v_initial, c.leakage_r_ohm, c.v_max};
  power.supervisor.v_on = config.platform.supervisor.v_on;
  power.supervisor.v_off = config.platform.supervisor.v_off;
  apply_energy_overrides(config.platform.energy_model, power);
  power.time_limit_s = config.time_limit_s;
  return power;
}

NvmPlatformConfig nvm_platform_from(const Config& config) {
  const NvmSpec& n = config.platform.nvm;
  NvmPlatformConfig out;
  out.kind = n.kind == NvmKind::SpiFram ? NvmPlatformConfig::Kind::kSpiFram
                                        : NvmPlatformConfig::Kind::kInternal;
  out.spi_clock_hz = n.spi_clock_hz;
  out.spi_prescaler = static_cast<unsigned>(std::lround(config.platform.mclk_hz / n.spi_clock_hz));
  out.extra_read_wait_states = static_cast<unsigned>(n.extra_read_wait_states);
  out.extra_write_wait_states = static_cast<unsigned>(n.extra_write_wait_states);
  out.extra_read_energy_j = n.extra_read_energy_j;
  out.extra_write_energy_j = n.extra_write_energy_j;
  return out;
}

std::string firmware_path_for(const Config& config) {
  if (!config.workload.firmware.empty()) return config.workload.firmware;
  std::string strategy = to_string(config.workload.strategy);
  for (char& ch : strategy)
    if (ch == '-') ch = '_';
  const char* env = std::getenv("IPSIM_FIRMWARE_DIR");
  const std::string dir = env && *env ? env : exe_dir() + "/firmware";
  std::string kernel = to_string(config.workload.kernel);
  for (char& ch : kernel)
    if (ch == '-') ch = '_';
  // platform.nvm.kind spi-fram: the image that keeps its persistent state in the external FRAM.
  const char* nvm = config.platform.nvm.kind == NvmKind::SpiFram ? "_spi" : "";
  return dir + "/infer_" + config.workload.network + "_" + strategy + "_" + kernel + nvm + ".elf";
}

std::unique_ptr<Waveforms> attach_waveforms(Platform& platform, const OutputsConfig& outputs,
                                            const std::string& dir) {
  if (!outputs.timeline_csv && !outputs.waves_vcd) return nullptr;
  fs::create_directories(dir);
  auto waves = std::make_unique<Waveforms>(outputs.timeline_csv ? dir + "/timeline.csv" : "",
                                           outputs.waves_vcd ? dir + "/waves.vcd" : "",
                                           outputs.timeline_decimation_s);
  Waveforms* w = waves.get();
  platform.power().set_observer(
      [w](const PowerSample& s, const char* event) { w->sample(s, event); },
      outputs.timeline_decimation_s);
  auto previous = platform.debug_port().on_marker;
  platform.debug_port().on_marker = [previous, w](const Marker& m) {
    if (previous) previous(m);
    w->marker(m.time.to_seconds(), m.code, m.arg, marker_name(m.code));
  };
  return waves;
}

namespace {
// Why a built-in (network, strategy, kernel) image is missing from this build; "" if present.
std::string missing_image(const Config& config) {
  const std::string elf_path = firmware_path_for(config);
  if (!config.workload.firmware.empty() || fs::exists(elf_path)) return "";
  return std::string("no firmware image for workload.strategy ") +
         to_string(config.workload.strategy) + " on workload.kernel " +
         to_string(config.workload.kernel) +
         (config.platform.nvm.kind == NvmKind::SpiFram
              ? " with its persistent state in the external FRAM (platform.nvm.kind spi-fram)"
              : "") +
         " (" + elf_path + "); this build does not have it" +
         (config.workload.strategy == Strategy::Hawaii && config.workload.kernel == Kernel::LeaFir
              ? ": HAWAII as published comes from kernels/strategies/hawaii_fir.c"
              : "");
}
}  // namespace

void check_run_inputs(const std::vector<RunSpec>& runs) {
  std::set<std::string> elfs, traces;
  for (const RunSpec& r : runs) {
    elfs.insert(firmware_path_for(r.config));
    if (r.config.source.type == SourceType::Trace && !r.config.source.file.empty())
      traces.insert(r.config.source.file);
  }
  for (const RunSpec& r : runs)
    if (const std::string why = missing_image(r.config); !why.empty()) throw ConfigError(why);
  for (const std::string& path : elfs) {
    try {
      ElfImage::load(path);
    } catch (const ElfError& e) {
      throw ConfigError(std::string("firmware: ") + e.what());
    }
  }
  for (const std::string& path : traces) {
    try {
      energy::Trace::load(path);
    } catch (const energy::TraceError& e) {
      throw ConfigError(std::string("source.file: ") + e.what());
    }
  }
}

RunResult simulate_run(const RunSpec& spec) {
  const Config& config = spec.config;
  const std::string elf_path = firmware_path_for(config);
  if (const std::string why = missing_image(config); !why.empty()) throw std::runtime_error(why);
  const ElfImage image = ElfImage::load(elf_path);

  PlatformConfig pc;
  pc.seed = static_cast<uint64_t>(config.seed);
  pc.power = power_config_from(config);
  pc.nvm = nvm_platform_from(config);
  DebugOptions debug = run_debug_options();
  if (config.outputs.profile) {
    fs::create_directories(spec.artifact_dir);
    debug.profile_path = spec.artifact_dir + "/profile.csv";
  }
  std::unique_ptr<DebugSession> session;
  if (debug.any()) {
    session = std::make_unique<DebugSession>(debug, image);
    session->prepare(pc);
  }
  Platform platform(pc, image);

  // The workload block (kernels/apps/workload.h), when the firmware has one.
  const auto& inputs = config.workload.inputs;
  const bool inference_firmware = image.find("workload").has_value();
  if (inference_firmware) {
    if (config.workload.inferences > static_cast<int>(kMaxInferences))
      throw std::runtime_error("workload.inferences: the inference firmware runs at most " +
                               std::to_string(kMaxInferences));
    if (inputs.size() > kMaxInputs)
      throw std::runtime_error("workload.inputs: at most " + std::to_string(kMaxInputs));
    std::vector<uint8_t> block;
    write_le16(block, kWorkloadMagic);
    write_le16(block, static_cast<uint16_t>(config.workload.inferences));
    write_le16(block, static_cast<uint16_t>(config.platform.mclk_hz / 1e6 + 0.5));
    write_le16(block, static_cast<uint16_t>(inputs.size()));
    for (int in : inputs) write_le16(block, static_cast<uint16_t>(in));
    platform.write_symbol("workload", block);
  }

  // The depth-first plan for this run's platform, over the image's default (df_plan).
  const auto plan = depth_first_plan(config);
  if (plan && image.find("df_plan")) {
    if (!plan->ok()) throw std::runtime_error(df_plan_refusal(*plan));
    const auto arena = image.find("df_arena");
    if (!arena || arena->size != 2u * plan->result.arena_words)
      throw std::runtime_error(elf_path + ": its df_arena is not the " +
                               std::to_string(plan->result.arena_words) +
                               " words of LEA RAM the planner leaves for the slice arenas");
    platform.write_symbol("df_plan", df_plan_block(plan->result.plan));
  }

  // Waveform outputs, when asked for, go to the run's artifact directory.
  std::unique_ptr<Waveforms> waves = attach_waveforms(platform, config.outputs, spec.artifact_dir);

  // Progress for a terminal watching the sweep (sim/progress.h), from the markers.
  ProgressWriter progress(progress_file(spec));
  RunProgress now;
  now.inferences_total = inference_firmware ? static_cast<unsigned>(config.workload.inferences) : 0;
  {
    auto previous = platform.debug_port().on_marker;
    platform.debug_port().on_marker = [previous, &progress, &now, &platform,
                                       current = 0u](const Marker& m) mutable {
      if (previous) previous(m);
      if (m.code == static_cast<uint16_t>(MarkerCode::kInferenceStart)) current = m.arg;
      if (m.code == static_cast<uint16_t>(MarkerCode::kInferenceEnd))
        now.inferences = std::max(now.inferences, current + 1);  // an end may repeat
      now.sim_s = m.time.to_seconds();
      now.power_failures = platform.power().power_failures();
      progress.update(now);
    };
  }

  if (session) session->attach(platform);

  const auto host_start = std::chrono::steady_clock::now();
  platform.run();
  if (waves) waves->close();
  if (session) session->finish(platform);
  const double host_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();

  nlohmann::json r;
  const std::string& stop = platform.stop_reason();
  if (stop == "fault") throw std::runtime_error("firmware fault: " + platform.fault_message());
  if (stop == "exit")
    r["status"] = "completed";
  else if (stop == "sleep") {
    // Foreign firmware that ends the way real applications do: asleep (LPM3/LPM4, or LPM3.5
    // after PMMREGOFF) with no interrupt that could wake it. Everything up to then counts.
    r["status"] = "completed";
    r["message"] = "the firmware sleeps with no interrupt that could wake it";
  } else if (stop == "no-progress") {
    r["status"] = "no-progress";
    r["message"] = platform.power().status_message();
  } else if (stop == "time-limit") {
    r["status"] = "time-limit";
    r["message"] = "time_limit (" + format_quantity(config.time_limit_s, Unit::Second) +
                   " of simulated time) reached before the firmware finished";
  } else if (stop == "trace-ended") {
    r["status"] = "trace-ended";
    r["message"] = "the energy trace ended at " +
                   format_quantity(platform.sim_time_s(), Unit::Second) +
                   " before the firmware finished (set source.loop to repeat it)";
  } else
    throw std::runtime_error("run ended unexpectedly: " + stop);

  // Inferences: times from the markers, results from the firmware's FRAM, checked against the
  // golden model.
  nlohmann::json inferences = nlohmann::json::array();
  if (inference_firmware) {
    const nn_network_t* net = golden_network(config.workload.network.c_str());
    const auto sym = image.find("infer_results");
    if (!net || !sym) throw std::runtime_error(elf_path + ": no network or infer_results");
    // Layout of kernels/apps/workload.h: count, predictions, then kMaxClasses scores each.
    const size_t needed = 2 * (1 + kMaxInferences + size_t{kMaxInferences} * kMaxClasses);
    if (sym->size < needed)
      throw std::runtime_error(elf_path + ": infer_results is " + std::to_string(sym->size) +
                               " bytes, expected at least " + std::to_string(needed));
    if (net->n_classes > kMaxClasses)
      throw std::runtime_error(config.workload.network + " has more classes than infer_results");
    const auto bytes = platform.read_memory(sym->addr, static_cast<uint32_t>(needed));
    const auto word = [&](size_t i) {
      return static_cast<int16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
    };
    // The firmware's count is not trusted beyond what was asked for.
    const unsigned completed = std::min<unsigned>(
        static_cast<uint16_t>(word(0)), static_cast<unsigned>(config.workload.inferences));
    std::vector<double> start_s(completed, -1), end_s(completed, -1);
    int current = -1;
    for (const Marker& m : platform.debug_port().markers()) {
      if (m.code == static_cast<uint16_t>(MarkerCode::kInferenceStart) && m.arg < completed) {
        current = static_cast<int>(m.arg);
        if (start_s[current] < 0) start_s[current] = m.time.to_seconds();
      } else if (m.code == static_cast<uint16_t>(MarkerCode::kInferenceEnd) && current >= 0)
        end_s[current] = m.time.to_seconds();  // the last one counts (it may repeat)
    }
    std::vector<int16_t> input(net->in.c * net->in.h * net->in.w), golden(net->n_classes);
    for (unsigned i = 0; i < completed; ++i) {
      const unsigned in = static_cast<unsigned>(inputs[i % inputs.size()]);
      if (in >= net->n_inputs)  // the config checks this; the golden model must never read past
        throw std::runtime_error("workload.inputs: index " + std::to_string(in) +
                                 " >= " + std::to_string(net->n_inputs));
      nn_network_load_input(net, static_cast<uint16_t>(in), input.data());
      const int golden_class = golden_run_kernel(net, static_cast<int>(config.workload.kernel),
                                                 input.data(), golden.data());
      const int predicted = word(1 + i);
      bool bit_identical = golden_class == predicted;
      nlohmann::json scores = nlohmann::json::array();
      for (unsigned c = 0; c < net->n_classes; ++c) {
        const int16_t s = word(1 + kMaxInferences + i * kMaxClasses + c);
        scores.push_back(s);
        bit_identical = bit_identical && s == golden[c];
      }
      const int expected = in < net->n_inputs ? net->labels[in] : -1;
      inferences.push_back({{"input", in},
                            {"prediction", predicted},
                            {"expected", expected},
                            {"correct", predicted == expected},
                            {"golden_match", bit_identical},
                            {"scores", scores},
                            {"start_s", start_s[i]},
                            {"end_s", end_s[i]}});
    }
  }
  r["inferences"] = inferences;
  double total = platform.sim_time_s();
  if (!inferences.empty() && r["status"] == "completed") total = inferences.back()["end_s"];
  r["total_time_s"] = total;
  PowerController& power = platform.power();
  r["on_time_s"] = power.on_time_s();
  r["off_time_s"] = power.off_time_s();
  r["sleep_s"] = platform.sleep_time_s();
  r["power_failures"] = power.power_failures();
  r["boots"] = platform.boots();
  r["cycles"] = platform.core().cycles();
  r["instructions"] = platform.core().instructions();
  r["wasted_cycles"] = power.wasted_cycles();
  r["nvm"] = nvm_report(platform.fram(), image);
  r["lea"] = lea_report(platform.lea());
  r["dma"] = dma_report(platform.dma());
  if (const SpiFram* f = platform.spi_fram()) r["nvm"]["spi_fram"] = spi_fram_report(*f, image);
  const energy::EnergyReport e = power.energy();
  // Energy is booked so that it balances by construction (design.md §7); a run that does
  // not balance is a simulator bug, never a result.
  const double scale = std::max({e.harvested, e.consumed, std::abs(e.stored_delta), 1e-30});
  for (const double v : {e.harvested, e.consumed, e.stored_delta, e.leaked, e.clamped})
    if (!std::isfinite(v))
      throw std::logic_error("energy is not finite (harvested " + std::to_string(e.harvested) +
                             " J, consumed " + std::to_string(e.consumed) + " J)");
  // Written so that NaN fails too: NaN > x is false.
  if (!(std::abs(e.balance_error()) <= 1e-9 * scale))
    throw std::logic_error(
        "energy does not balance: harvested - (consumed + stored_delta + "
        "leaked + clamped) = " +
        std::to_string(e.balance_error()) + " J");
  r["energy_J"] = {{"harvested", e.harvested},
                   {"consumed", e.consumed},
                   {"stored_delta", e.stored_delta},
                   {"leaked", e.leaked},
                   {"clamped", e.clamped}};
  r["firmware"] = elf_path;
  if (!image.warnings().empty()) r["warnings"] = image.warnings();
  if (plan && image.find("df_plan")) r["depth_first_plan"] = df_plan_json(*plan);
  r["host"] = {{"seconds", host_s},
               {"mips", host_s > 0 ? platform.core().instructions() / host_s / 1e6 : 0.0}};
  return RunResult{r};
}

}  // namespace ipsim
