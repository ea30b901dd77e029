#include "sim/df_plan.h"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include <boost/program_options.hpp>

#include "kernels/host/golden.h"
#include "sim/cli_error.h"

namespace ipsim {

namespace {

using nlohmann::json;

const char* op_name(uint8_t op) {
  switch (op) {
    case NN_OP_CONV2D:
      return "conv2d";
    case NN_OP_CONV1D:
      return "conv1d";
    case NN_OP_MAXPOOL:
      return "maxpool";
    case NN_OP_AVGPOOL:
      return "avgpool";
    case NN_OP_FC:
      return "fc";
    case NN_OP_RELU:
      return "relu";
    default:
      return "?";
  }
}

const char* buf_name(uint8_t b) {
  return b == DF_BUF_INPUT ? "input" : b == DF_BUF_A ? "fmap_a" : "fmap_b";
}

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

std::string layer_name(const nn_network_t* net, unsigned i) {
  const nn_layer_t& L = net->layers[i];
  return fmt("L%u %s %ux%ux%u->%ux%ux%u", i, op_name(L.op), L.in.c, L.in.h, L.in.w, L.out.c,
             L.out.h, L.out.w);
}

const nn_network_t* network_of(const std::string& name) {
  const nn_network_t* net = golden_network(name.c_str());
  if (!net) throw std::runtime_error("depth-first plan: no network '" + name + "'");
  return net;
}

}  // namespace

df_platform_t df_platform_of(const Config& c) {
  df_platform_t p = df_platform_default();
  p.capacitance_f = c.platform.capacitor.capacitance_f;
  p.v_on = c.platform.supervisor.v_on;
  p.v_off = c.platform.supervisor.v_off;
  p.mclk_hz = c.platform.mclk_hz;
  p.continuous = c.source.type == SourceType::Continuous;
  p.kernel = static_cast<int>(c.workload.kernel);
  if (c.platform.nvm.kind == NvmKind::SpiFram)
    df_platform_set_spi_fram(&p, c.platform.nvm.spi_clock_hz);
  p.max_slice_cycles = c.workload.df_max_slice_cycles;
  return p;
}

std::optional<DfPlan> depth_first_plan(const Config& config) {
  if (config.workload.strategy != Strategy::DepthFirst) return std::nullopt;
  DfPlan plan;
  plan.network = config.workload.network;
  plan.platform = df_platform_of(config);
  const df_platform_t& p = plan.platform;
  // Memoised by every input of the planner (a sweep asks for the same plans many times).
  const std::string key =
      fmt("%s %.17g %.17g %.17g %.17g %d %d %.17g %.17g %.17g %.17g %.17g %d %.17g",
          plan.network.c_str(), p.capacitance_f, p.v_on, p.v_off, p.mclk_hz, p.continuous, p.kernel,
          p.margin, p.fram_miss_per_cycle, p.boot_cycles, p.write_weight, p.max_slice_cycles,
          p.nvm_spi, p.spi_word_cycles);
  static std::mutex mutex;
  static std::map<std::string, df_plan_result_t> cache;
  std::lock_guard<std::mutex> lock(mutex);
  const auto it = cache.find(key);
  if (it != cache.end()) {
    plan.result = it->second;
    return plan;
  }
  df_plan_make(network_of(plan.network), &p, &plan.result);
  cache.emplace(key, plan.result);
  return plan;
}

std::vector<uint8_t> df_plan_block(const df_plan_t& plan) {
  std::vector<uint8_t> b;
  const auto le16 = [&b](unsigned v) {
    b.push_back(static_cast<uint8_t>(v & 0xFF));
    b.push_back(static_cast<uint8_t>(v >> 8));
  };
  le16(plan.magic);
  le16(plan.n_groups);
  le16(plan.total_slices);
  le16(plan.scratch_words[0]);
  le16(plan.scratch_words[1]);
  for (unsigned k = 0; k < DF_MAX_GROUPS; ++k) {
    const df_group_t& g = plan.groups[k];
    b.insert(b.end(), {g.first, g.last, g.in_buf, g.out_buf});
    for (unsigned v : {g.ty, g.tx, g.tc, g.ny, g.nx, g.nc}) le16(v);
  }
  return b;
}

json df_plan_json(const DfPlan& plan) {
  const df_plan_result_t& r = plan.result;
  const df_platform_t& p = plan.platform;
  const nn_network_t* net = network_of(plan.network);
  json j;
  j["platform"] = {
      {"capacitance_F", p.capacitance_f},
      {"v_on", p.v_on},
      {"v_off", p.v_off},
      {"mclk_hz", p.mclk_hz},
      {"continuous", p.continuous != 0},
      {"kernel", golden_kernel_names[p.kernel]},
      {"margin", p.margin},
      {"max_slice_cycles", p.max_slice_cycles > 0 ? json(p.max_slice_cycles) : json()}};
  j["feasible"] = plan.ok();
  j["charge_J"] = r.energy_j;
  j["charge_cycles"] = r.charge_cycles;
  j["reboot_cycles"] = r.reboot_cycles;
  j["budget_cycles"] = std::isfinite(r.budget_cycles) ? json(r.budget_cycles) : json("inf");
  j["limit_cycles"] = std::isfinite(r.limit_cycles) ? json(r.limit_cycles) : json("inf");
  j["J_per_cycle"] = r.j_per_cycle;
  j["lea_words"] = {{"w", r.lea_w_words}, {"x", r.lea_x_words}, {"arenas", r.arena_words}};
  if (r.fir.out_words)  // lea-fir: lea_w / lea_x are the FIR output and input bands
    j["lea_words"]["fir"] = {{"x", r.fir.x_words},
                             {"taps", r.fir.c_words},
                             {"band", r.fir.out_words},
                             {"fc_input_resident", r.fir.fc_resident != 0}};
  if (!plan.ok()) {
    j["min_capacitance_F"] = r.min_capacitance_f;
    if (r.refused_layer >= 0) j["refused_layer"] = layer_name(net, r.refused_layer);
    return j;
  }
  j["scratch_words"] = {r.plan.scratch_words[0], r.plan.scratch_words[1]};
  j["slices"] = r.plan.total_slices;
  j["est_cycles"] = r.total_cycles;
  j["write_bytes"] = r.write_bytes;
  j["layerwise_write_bytes"] = r.layerwise_write_bytes;
  json groups = json::array();
  for (unsigned k = 0; k < r.plan.n_groups; ++k) {
    const df_group_est_t& e = r.est[k];
    const df_group_t& g = e.g;
    json halo = json::array();
    for (unsigned i = 0; i + 1u < static_cast<unsigned>(g.last - g.first + 1); ++i)
      halo.push_back(e.halo_words[i]);
    groups.push_back({{"first", g.first},
                      {"last", g.last},
                      {"in", buf_name(g.in_buf)},
                      {"out", buf_name(g.out_buf)},
                      {"tile", {g.ty, g.tx, g.tc}},
                      {"tiles", {g.ny, g.nx, g.nc}},
                      {"slices", g.ny * g.nx * g.nc},
                      {"sram_words", {e.need[0], e.need[1]}},
                      {"macs", e.macs},
                      {"golden_macs", e.golden_macs},
                      {"halo_words", halo},
                      {"write_bytes", e.write_bytes},
                      {"est_max_slice_cycles", e.max_cycles},
                      {"est_cycles", e.total_cycles}});
  }
  j["groups"] = groups;
  return j;
}

std::string df_plan_report(const DfPlan& plan) {
  const df_plan_result_t& r = plan.result;
  const df_platform_t& p = plan.platform;
  const nn_network_t* net = network_of(plan.network);
  std::ostringstream os;
  os << fmt("depth-first plan of %s on %s: %.4g uF, v_on %.2f V, v_off %.2f V, %.0f MHz, %s\n",
            plan.network.c_str(), golden_kernel_names[p.kernel], p.capacitance_f * 1e6, p.v_on,
            p.v_off, p.mclk_hz / 1e6,
            p.continuous ? "continuous supply (no failures: no energy limit per slice)"
                         : "intermittent supply");
  if (p.continuous)
    os << "  budget: none (the slices are limited by SRAM only)\n";
  else
    os << fmt(
        "  one charge: %.2f uJ = %.0f cycles at %.1f pC/cycle; reboot %.0f cycles; margin "
        "%.0f %% -> slice budget %.0f cycles = %.2f uJ\n",
        r.energy_j * 1e6, r.charge_cycles, r.q_eff * 1e12, r.reboot_cycles, p.margin * 100,
        std::max(0.0, r.budget_cycles), std::max(0.0, r.budget_cycles) * r.j_per_cycle * 1e6);
  if (p.max_slice_cycles > 0)
    os << fmt("  workload.depth_first.max_slice_cycles: every slice at most %.0f cycles%s\n",
              p.max_slice_cycles,
              r.limit_cycles < r.budget_cycles ? "" : " (no cap: the budget is smaller)");
  os << fmt("  LEA RAM %d words: stack %d, MAC result %d, lea_w %u, lea_x %u, arenas %u",
            DF_LEA_RAM_WORDS, DF_LEA_STACK_WORDS, DF_LEA_RESULT_WORDS, r.lea_w_words, r.lea_x_words,
            r.arena_words);
  if (r.fir.out_words)
    os << fmt(
        " (lea-fir: lea_w = FIR band of %u words, x3 with row and channel sums; lea_x = input "
        "band; taps %u)",
        r.fir.out_words, r.fir.c_words);
  if (!plan.ok()) {
    os << "\n  REFUSED: " << df_plan_refusal(plan) << "\n";
    return os.str();
  }
  os << fmt(" (arena 0: %u, arena 1: %u)\n", r.plan.scratch_words[0], r.plan.scratch_words[1]);
  for (unsigned k = 0; k < r.plan.n_groups; ++k) {
    const df_group_est_t& e = r.est[k];
    const df_group_t& g = e.g;
    std::string ops;
    for (unsigned i = g.first; i <= g.last; ++i)
      ops += std::string(i > g.first ? ", " : "") + op_name(net->layers[i].op);
    const unsigned slices = g.ny * g.nx * g.nc;
    os << fmt("  group %u: layers %u-%u (%s), %s -> %s\n", k, g.first, g.last, ops.c_str(),
              buf_name(g.in_buf), buf_name(g.out_buf));
    os << fmt(
        "    tile %u rows x %u cols x %u ch, %u slices; SRAM arena 0 %u + arena 1 %u words; "
        "FRAM writes %u B\n",
        g.ty, g.tx, g.tc, slices, e.need[0], e.need[1], e.write_bytes);
    std::string halo;
    for (unsigned i = 0; i + 1u < static_cast<unsigned>(g.last - g.first + 1); ++i)
      halo += (halo.empty() ? "" : ", ") + std::to_string(e.halo_words[i]);
    os << fmt("    MACs %u (one pass %u, halo recompute +%.1f %%); recomputed halo words %s\n",
              e.macs, e.golden_macs,
              100.0 * (static_cast<double>(e.macs) - e.golden_macs) / std::max(1u, e.golden_macs),
              halo.empty() ? "none (one layer)" : ("[" + halo + "]").c_str());
    if (p.continuous)
      os << fmt("    est. largest slice %.0f cycles = %.2f uJ; group %.0f cycles\n", e.max_cycles,
                e.max_cycles * r.j_per_cycle * 1e6, e.total_cycles);
    else
      os << fmt(
          "    est. largest slice %.0f cycles = %.2f uJ, %.0f %% of the budget; group %.0f "
          "cycles\n",
          e.max_cycles, e.max_cycles * r.j_per_cycle * 1e6, 100.0 * e.max_cycles / r.budget_cycles,
          e.total_cycles);
  }
  os << fmt("  FRAM writes per inference: %u B (layer-wise: %u B); %u slices; est. %.0f cycles\n",
            r.write_bytes, r.layerwise_write_bytes, r.plan.total_slices, r.total_cycles);
  return os.str();
}

std::string df_plan_refusal(const DfPlan& plan) {
  const df_plan_result_t& r = plan.result;
  const df_platform_t& p = plan.platform;
  const nn_network_t* net = network_of(plan.network);
  if (r.status == DF_PLAN_REFUSED_ENERGY)
    return fmt(
        "depth-first on %s cannot fit a slice into one charge: the smallest slice of %s "
        "needs ~%.0f cycles, but one charge of %.4g uF from %.2f V to %.2f V (%.2f uJ) "
        "gives %.0f cycles after the reboot and a %.0f %% margin; the smallest capacitor "
        "that works is %.4g uF",
        plan.network.c_str(), layer_name(net, r.refused_layer).c_str(), r.refused_cycles,
        p.capacitance_f * 1e6, p.v_on, p.v_off, r.energy_j * 1e6, std::max(0.0, r.budget_cycles),
        p.margin * 100, std::ceil(r.min_capacitance_f * 1e8) / 1e2);
  if (r.status == DF_PLAN_REFUSED_CAP)
    return fmt(
        "depth-first on %s cannot keep every slice within workload.depth_first.max_slice_cycles "
        "(%.0f): the smallest slice of %s needs ~%.0f cycles",
        plan.network.c_str(), p.max_slice_cycles, layer_name(net, r.refused_layer).c_str(),
        r.refused_cycles);
  return fmt(
      "depth-first on %s: no grouping fits the %u words of LEA RAM left for the arenas "
      "and the FRAM buffers (%u, %u words)",
      plan.network.c_str(), r.arena_words, net->buf_words[0], net->buf_words[1]);
}

namespace {

constexpr const char* kCapacitanceKey = "platform.capacitor.capacitance";
constexpr const char* kMaxSliceKey = "workload.depth_first.max_slice_cycles";

// "FILE:LINE" (or "--set ...") where a run's value of `key` was written, or the file alone.
std::string key_origin(const Experiment& ex, const RunSpec& run, const std::string& key) {
  for (const SweepAxis& axis : ex.axes) {
    if (axis.key != key) continue;
    for (const auto& [key, label] : run.params)
      if (key == axis.key)
        for (size_t i = 0; i < axis.labels.size() && i < axis.values.size(); ++i)
          if (axis.labels[i] == label) {
            const Located& at = axis.values[i];
            if (!at.origin.empty()) return at.origin;
            if (at.node && !at.node.Mark().is_null())
              return ex.file + ":" + std::to_string(at.node.Mark().line + 1);
          }
  }
  for (auto it = ex.sets.rbegin(); it != ex.sets.rend(); ++it)
    if (it->rfind(key + "=", 0) == 0) return "--set " + *it;
  try {
    const ConfigDocument doc = load_config_document(ex.file);
    YAML::Node c;
    c.reset(doc.root);
    std::istringstream parts(key);
    for (std::string part; c && c.IsMap() && std::getline(parts, part, '.');) {
      const YAML::Node& map = c;  // const: a lookup must not add the key
      const YAML::Node next = map[part];
      c.reset(next);
    }
    if (parts && !parts.eof()) c.reset();  // the path went through a scalar
    if (c && !c.Mark().is_null()) return ex.file + ":" + std::to_string(c.Mark().line + 1);
  } catch (const std::exception&) {
  }
  return ex.file;
}

}  // namespace

void check_depth_first_plans(const Experiment& ex) {
  std::string refused;
  unsigned n = 0;
  for (const RunSpec& run : ex.runs) {
    const auto plan = depth_first_plan(run.config);
    if (!plan || plan->ok()) continue;
    if (++n <= 5) {
      const char* key = plan->result.status == DF_PLAN_REFUSED_CAP ? kMaxSliceKey : kCapacitanceKey;
      refused += "\n  " + key_origin(ex, run, key) + ": " + key + ": run " +
                 std::to_string(run.index) + " (" + run.name + "): " + df_plan_refusal(*plan);
    }
  }
  if (n > 5) refused += "\n  ... and " + std::to_string(n - 5) + " more";
  if (n)
    throw CliError(ex.file + ": " + std::to_string(n) + " depth-first run" + (n > 1 ? "s" : "") +
                   " refused before anything ran (see `ipsim plan " + ex.file + "`):" + refused);
}

int plan_command(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  po::options_description opts("ipsim plan CONFIG [options]");
  std::string config;
  std::vector<std::string> sets;
  bool as_json = false;
  opts.add_options()("help,h", "show this help")("set", po::value(&sets)->composing(),
                                                 "override a config key: key=value (YAML value)")(
      "json", po::bool_switch(&as_json), "print the plans as JSON");
  po::options_description all;
  all.add(opts).add_options()("config", po::value(&config));
  po::positional_options_description pos;
  pos.add("config", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw CliError(std::string("plan: ") + e.what());
  }
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  if (config.empty()) throw CliError("plan: expected a CONFIG file");
  const Experiment ex = load_experiment(config, sets);
  json out = json::array();
  unsigned refused = 0;
  for (const RunSpec& run : ex.runs) {
    const auto plan = depth_first_plan(run.config);
    if (plan && !plan->ok()) ++refused;
    if (as_json) {
      out.push_back({{"index", run.index},
                     {"name", run.name},
                     {"strategy", to_string(run.config.workload.strategy)},
                     {"plan", plan ? df_plan_json(*plan) : json()}});
      continue;
    }
    std::cout << "run " << run.index << " (" << run.name << "): ";
    if (!plan)
      std::cout << to_string(run.config.workload.strategy) << ", no slice plan\n";
    else
      std::cout << df_plan_report(*plan);
  }
  if (as_json) std::cout << out.dump(1) << "\n";
  if (refused) {
    std::cerr << "ipsim: plan: " << refused << " of " << ex.runs.size()
              << " runs refused: no depth-first plan fits their platform\n";
    return 2;
  }
  return 0;
}

}  // namespace ipsim
