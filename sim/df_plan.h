#pragma once
// The depth-first slice plan of a run (kernels/strategies/depth_first_planner.h), made for the
// run's platform: the simulator writes it into the image's df_plan block, results.json records
// it, `ipsim plan` prints it, and `ipsim run` / `ipsim sweep` refuse a run it cannot fit.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kernels/strategies/depth_first_planner.h"
#include "sim/config.h"
#include "sim/sweep.h"

namespace ipsim {

struct DfPlan {
  std::string network;
  df_platform_t platform;
  df_plan_result_t result;
  bool ok() const { return result.status == DF_PLAN_OK; }
};

// The platform a run's plan is made for.
df_platform_t df_platform_of(const Config& config);

// The plan of a depth-first run (nullopt for other strategies); memoised by the planner's
// inputs. Throws std::runtime_error for an unknown network.
std::optional<DfPlan> depth_first_plan(const Config& config);

// The df_plan block's bytes (kernels/strategies/depth_first_plan.h, little-endian).
std::vector<uint8_t> df_plan_block(const df_plan_t& plan);

nlohmann::json df_plan_json(const DfPlan& plan);
// Human-readable: groups, tiles, SRAM per arena, FRAM writes, halo, energy against the budget.
std::string df_plan_report(const DfPlan& plan);
// Why the plan was refused, naming the smallest capacitor that would work.
std::string df_plan_refusal(const DfPlan& plan);

// Throws CliError naming every depth-first run of ex that has no feasible plan.
void check_depth_first_plans(const Experiment& ex);

// ipsim plan CONFIG [--set key=value]...: prints each run's plan; exit 2 if one is refused.
int plan_command(const std::vector<std::string>& args);

}  // namespace ipsim
