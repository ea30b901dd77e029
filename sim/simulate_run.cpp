#include "sim/simulate_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>

#include "energy/harvester.h"
#include "energy/trace.h"
#include "kernels/host/golden.h"
#include "sim/df_plan.h"
#include "sim/nvm_report.h"
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
  auto trace = std::make_shared<const Trace>(Trace::load(s.file));
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
      {"active_current_per_mhz_a", &m.active_current_per_mhz_a},
      {"fram_miss_extra_energy_j", &m.fram_miss_extra_energy_j},
      {"lpm0_current_a", &m.lpm0_current_a},
      {"lpm3_current_a", &m.lpm3_current_a},
      {"lpm4_current_a", &m.lpm4_current_a},
      {"reset_charge_c", &m.reset_charge_c},
      {"lea_current_per_mhz_a", &m.lea_current_per_mhz_a},
      {"dma_current_per_mhz_a", &m.dma_current_per_mhz_a},
      {"off_current_a", &power.supervisor.off_current_a},
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

}  // namespace

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
  return dir + "/infer_" + config.workload.network + "_" + strategy + "_" + kernel + ".elf";
}

RunResult simulate_run(const RunSpec& spec) {
  const Config& config = spec.config;
  const std::string elf_path = firmware_path_for(config);
  if (config.workload.firmware.empty() && !fs::exists(elf_path))
    throw std::runtime_error(
        std::string("no firmware image for workload.strategy ") +
        to_string(config.workload.strategy) + " on workload.kernel " +
        to_string(config.workload.kernel) + " (" + elf_path + "); this build does not have it" +
        (config.workload.strategy == Strategy::Hawaii && config.workload.kernel == Kernel::LeaFir
             ? ": HAWAII as published comes from kernels/strategies/hawaii_fir.c"
             : ""));
  const ElfImage image = ElfImage::load(elf_path);

  PlatformConfig pc;
  pc.seed = static_cast<uint64_t>(config.seed);
  pc.power = power_config_from(config);
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
  std::unique_ptr<Waveforms> waves;
  if (config.outputs.timeline_csv || config.outputs.waves_vcd) {
    fs::create_directories(spec.artifact_dir);
    waves = std::make_unique<Waveforms>(
        config.outputs.timeline_csv ? spec.artifact_dir + "/timeline.csv" : "",
        config.outputs.waves_vcd ? spec.artifact_dir + "/waves.vcd" : "",
        config.outputs.timeline_decimation_s);
    platform.power().set_observer(
        [&waves](const PowerSample& s, const char* event) { waves->sample(s, event); });
    auto previous = platform.debug_port().on_marker;
    platform.debug_port().on_marker = [previous, &waves](const Marker& m) {
      previous(m);
      waves->marker(m.time.to_seconds(), m.code, m.arg, marker_name(m.code));
    };
  }

  const auto host_start = std::chrono::steady_clock::now();
  platform.run();
  if (waves) waves->close();
  const double host_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();

  nlohmann::json r;
  const std::string& stop = platform.stop_reason();
  if (stop == "fault") throw std::runtime_error("firmware fault: " + platform.fault_message());
  if (stop == "exit")
    r["status"] = "completed";
  else if (stop == "no-progress") {
    r["status"] = "no-progress";
    r["message"] = platform.power().status_message();
  } else if (stop == "time-limit" || stop == "trace-ended") {
    r["status"] = "time-limit";
    if (stop == "trace-ended")
      r["message"] = "the energy trace ended (set source.loop to repeat it)";
  } else
    throw std::runtime_error("run ended unexpectedly: " + stop);

  // Inferences: times from the markers, results from the firmware's FRAM, checked against the
  // golden model.
  nlohmann::json inferences = nlohmann::json::array();
  if (inference_firmware) {
    const nn_network_t* net = golden_network(config.workload.network.c_str());
    const auto sym = image.find("infer_results");
    if (!net || !sym) throw std::runtime_error(elf_path + ": no network or infer_results");
    const auto bytes = platform.read_memory(sym->addr, sym->size);
    const auto word = [&](size_t i) {
      return static_cast<int16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
    };
    const unsigned completed = static_cast<uint16_t>(word(0));
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
  r["nvm"] = nvm_report(platform.fram().counters(), platform.fram().cache(), image);
  const energy::EnergyReport e = power.energy();
  // Energy is booked so that it balances by construction (design.md §7); a run that does
  // not balance is a simulator bug, never a result.
  const double scale = std::max({e.harvested, e.consumed, std::abs(e.stored_delta), 1e-30});
  if (std::abs(e.balance_error()) > 1e-9 * scale)
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
  if (plan && image.find("df_plan")) r["depth_first_plan"] = df_plan_json(*plan);
  r["host"] = {{"seconds", host_s},
               {"mips", host_s > 0 ? platform.core().instructions() / host_s / 1e6 : 0.0}};
  return RunResult{r};
}

}  // namespace ipsim
