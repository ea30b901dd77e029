#pragma once
// Experiment configuration: the YAML schema of configs/*.yaml as typed structs (defaults written
// here), its parser, and the unit-aware number parser. docs/config.md documents every key.
//
// Errors: every mistake (unknown key, wrong type, out-of-range value, missing required key,
// unit string for the wrong quantity, missing trace/firmware file) throws ConfigError whose
// message starts with "<file>:<line>: <key.path>: " and says what was expected. Values that came
// from `--set` name "--set <key>=<value>" instead of file and line.
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

namespace ipsim {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr double kNoLeakage = std::numeric_limits<double>::infinity();

// ---- units ---------------------------------------------------------------------------------

// The physical quantity a config number stands for; decides which unit strings are accepted.
enum class Unit { None, Farad, Volt, Hertz, Ohm, Second, Watt, Ampere, Joule, Coulomb };

// Symbol ("F", "V", "Hz", "Ohm", "s", "W", "A", "J", "C"; "" for None).
const char* unit_symbol(Unit unit);

// Parses "100uF", "470 uF", "1mF", "2.8V", "16MHz", "1kOhm", "10s", "5min", "2h", "-3.5e-2",
// "inf": a decimal number, optional spaces, an optional SI prefix (p n u µ m k M G) and the unit
// symbol. Time also accepts "min" and "h". Capacitance, resistance, time, frequency and power
// need their unit (quantity_needs_unit): a bare number there is refused, except 0 and inf.
// Other quantities take a bare number in SI units. No hex or octal: "010" is ten. Returns
// nullopt when the text is not a valid quantity of that unit. Linear in the text's length.
std::optional<double> parse_quantity(const std::string& text, Unit unit);
bool quantity_needs_unit(Unit unit);

// "100uF", "2.8V", "16MHz": the value with the SI prefix that keeps the mantissa in [1, 1000).
std::string format_quantity(double value, Unit unit);

// ---- typed configuration --------------------------------------------------------------------

enum class Strategy { Continuous, LayerwiseCheckpoint, Sonic, Hawaii, DepthFirst };
// How convolutions and FC layers are computed (workload.kernel, docs/kernels.md); the values
// are kernels/nn's NN_KERNEL_* codes.
enum class Kernel { Cpu = 0, LeaMac = 1, LeaFir = 2 };
enum class SourceType { Trace, Constant, SquareWave, Continuous, FailureInjection };
enum class HarvesterModel { Power, Rf, Solar, VoltageSource };
enum class SolarCell { AreaEfficiency, SingleDiode, Mppt };

// Names as written in YAML ("layerwise-checkpoint", "square-wave", "voltage-source", ...).
const char* to_string(Strategy v);
const char* to_string(Kernel v);
const char* to_string(SourceType v);
const char* to_string(HarvesterModel v);
const char* to_string(SolarCell v);
std::optional<Strategy> strategy_from_string(const std::string& s);
std::optional<Kernel> kernel_from_string(const std::string& s);

// The kernels a strategy runs on (the firmware is built for these, kernels/strategies) and
// its default: lea-fir for the LEA strategies, cpu for sonic.
std::vector<Kernel> kernels_of(Strategy s);
Kernel default_kernel(Strategy s);

// Built-in networks (kernels/networks); `workload.firmware` runs any other ELF.
inline const std::vector<std::string> kNetworks = {"mnist", "har", "kws", "mnist8"};
// The inference firmware's workload block holds at most this many inferences and inputs
// (kernels/apps/workload.h).
inline constexpr int kMaxWorkloadInferences = 32, kMaxWorkloadInputs = 32;

// The kernels every strategy's images of a built-in network exist for (the defaults come from
// these): all three, except lea-fir for mnist8 (its 'same' convolutions pad with zeros, which
// lea-fir does for continuous and layerwise-checkpoint only; docs/kernels.md). The second
// form: the kernels the images of strategy s exist for.
std::vector<Kernel> kernels_of_network(const std::string& network);
std::vector<Kernel> kernels_of_network(const std::string& network, Strategy s);

// Energy-model coefficient overrides allowed under platform.energy_model. The one table to
// extend when the energy model gains a coefficient.
struct EnergyCoefficient {
  const char* name;
  Unit unit;
  const char* meaning;
};
extern const std::vector<EnergyCoefficient> kEnergyCoefficients;

struct OutputsConfig {
  bool waves_vcd = false;
  bool timeline_csv = false;
  bool profile = false;  // per-function profile: <run artifact dir>/profile.csv and .txt
  double timeline_decimation_s = 1e-3;  // one timeline row per this much simulated time
};

struct CapacitorSpec {
  double capacitance_f = 0.0;  // required, > 0
  double v_initial = 0.0;
  double leakage_r_ohm = kNoLeakage;  // parallel leakage; inf = none
  double v_max = 3.6;                 // clamp (FR5994 absolute maximum supply)
};

struct SupervisorSpec {
  double v_on = 2.8;   // power-on threshold
  double v_off = 2.4;  // brown-out threshold, < v_on
};

// Where persistent state lives, and what-if costs of the on-chip NVM (docs/config.md).
enum class NvmKind { Internal, SpiFram };
const char* to_string(NvmKind v);

struct NvmSpec {
  NvmKind kind = NvmKind::Internal;
  double spi_clock_hz = 4e6;  // spi-fram: SMCLK / UCBRW (the iNAS set-up: 16 MHz / 4)
  // Hypothetical on-chip NVM (no real part): extra wait states per FRAM array read (cache
  // miss) and per write, and extra energy per array read and per write access.
  int extra_read_wait_states = 0, extra_write_wait_states = 0;
  double extra_read_energy_j = 0, extra_write_energy_j = 0;
};

struct PlatformSpec {
  double mclk_hz = 16e6;
  NvmSpec nvm;
  CapacitorSpec capacitor;
  SupervisorSpec supervisor;
  std::map<std::string, double> energy_model;  // coefficient name -> value (SI units)
};

struct HarvesterSpec {
  HarvesterModel model = HarvesterModel::Power;
  double scale = 1.0;  // power: multiplies trace power_W
  // rf: RF-to-DC efficiency curve as (input dBm, efficiency 0..1) points; empty = the energy
  // library's default (Powercast P2110B, 915 MHz).
  std::vector<std::pair<double, double>> efficiency_curve;
  SolarCell cell = SolarCell::AreaEfficiency;  // solar
  double area_m2 = 5e-4;                       // solar: 5 cm^2
  double efficiency = 0.15;                    // solar, area-efficiency
  double lux_to_w_per_m2 = 120.0;              // solar: lux per W/m^2 (daylight)
  double converter_efficiency = 0.8;           // solar, mppt
  double v_source = 3.0;                       // voltage-source (iNAS bench: 3 V ...
  double r_series_ohm = 1000.0;                // ... through 1 kOhm)
};

struct SourceSpec {
  SourceType type = SourceType::Continuous;
  std::string file;  // trace: absolute path after resolution
  HarvesterSpec harvester;
  bool loop = false;                   // trace: repeat when the run outlasts the trace
  double offset_s = 0.0;               // trace: trace time played at simulated time 0
  double time_scale = 1.0;             // trace: simulated seconds per trace second
  std::optional<double> power_w;       // constant (or current_a), square-wave
  std::optional<double> current_a;     // constant
  double t_on_s = 0.0, t_off_s = 0.0;  // square-wave
  double mean_on_cycles = 0.0;         // failure-injection
  double off_time_s = 0.0;             // failure-injection
};

struct WorkloadSpec {
  std::string network;   // one of kNetworks, or (with firmware) a free label
  std::string firmware;  // absolute ELF path for custom firmware, else empty
  Strategy strategy = Strategy::DepthFirst;
  Kernel kernel = Kernel::LeaFir;  // resolved: the strategy's default unless set
  int inferences = 1;
  std::vector<int> inputs = {0};
  // depth-first only (workload.depth_first.max_slice_cycles): caps the estimated cycles of
  // every slice the planner makes (sim/df_plan.h); 0 = no cap beyond the charge budget.
  double df_max_slice_cycles = 0;
};

struct SlurmSpec {
  std::string time = "04:00:00";  // per array task
  std::string mem = "2G";
  int array_limit = 64;   // max tasks running at once (%limit); 0 = no limit
  std::string partition;  // empty = cluster default
};

// The fully resolved configuration of one run.
struct Config {
  std::string name;
  long long seed = 1;
  double time_limit_s = 3600.0;  // simulated seconds per run
  Strategy baseline = Strategy::Hawaii;
  OutputsConfig outputs;
  PlatformSpec platform;
  SourceSpec source;
  WorkloadSpec workload;
  SlurmSpec slurm;
};

// JSON round trip (RunSpec files). Infinity is written as the string "inf".
nlohmann::json to_json_value(const Config& c);
Config config_from_json(const nlohmann::json& j);

// ---- parsing --------------------------------------------------------------------------------

// A YAML node and where it came from, for error messages.
struct Located {
  YAML::Node node;
  std::string origin;   // "" = the config file (use file + node mark); else e.g. "--set a=b"
  std::string context;  // appended to messages, e.g. "(sweep value 2 of 3)"

  Located(YAML::Node n = YAML::Node(), std::string o = "", std::string c = "")
      : node(n), origin(std::move(o)), context(std::move(c)) {}
  Located(const Located&) = default;
  // YAML::Node::operator= writes through into the node it refers to (it would edit the
  // document); rebinding with reset() keeps documents immutable.
  Located& operator=(const Located& rhs) {
    node.reset(rhs.node);
    origin = rhs.origin;
    context = rhs.context;
    return *this;
  }
};

// A value replacing the key at a dotted path (from --set or from one sweep combination).
struct Override {
  Located value;
  Located key;  // where the key was written (for "unknown key" errors)
};
using Overrides = std::map<std::string, Override>;

// A loaded config document.
struct ConfigDocument {
  std::string file;  // as given (used in messages)
  std::string dir;   // absolute directory of the file (relative paths resolve here first)
  YAML::Node root;
};

// Loads and syntax-checks a YAML file (ConfigError with file:line on a YAML syntax error).
// Also refused, naming the line: bytes that are not UTF-8, a second YAML document, and a key
// given twice in one mapping (naming both lines).
ConfigDocument load_config_document(const std::string& path);
// One YAML value of a --set (origin names it in messages): the same checks, and no text after
// the value ("[1, 2]x").
YAML::Node parse_yaml_value(const std::string& text, const std::string& origin);
// Parses YAML text; `file` names it in messages, relative paths resolve against `dir`.
ConfigDocument parse_config_document(const std::string& text, const std::string& file,
                                     const std::string& dir);

// Parses the document (its top-level `sweep` and `exclude` keys are skipped: see sim/sweep.h)
// with the overrides applied, validates everything, and resolves file paths. Throws ConfigError.
Config parse_config(const ConfigDocument& doc, const Overrides& overrides = {});

// "file:line" (1-based) or the origin of a located node.
std::string where(const ConfigDocument& doc, const Located& at);

// The project root (relative paths that are not found beside the config are looked up here):
// $IPSIM_ROOT if set, else the source tree ipsim was built from.
std::string project_root();

}  // namespace ipsim
