#include "sim/config.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "energy/load_model.h"
#include "energy/trace.h"
#include "kernels/host/golden.h"

namespace ipsim {

namespace fs = std::filesystem;
using nlohmann::json;

// ---- units ---------------------------------------------------------------------------------

const char* unit_symbol(Unit unit) {
  switch (unit) {
    case Unit::None:
      return "";
    case Unit::Farad:
      return "F";
    case Unit::Volt:
      return "V";
    case Unit::Hertz:
      return "Hz";
    case Unit::Ohm:
      return "Ohm";
    case Unit::Second:
      return "s";
    case Unit::Watt:
      return "W";
    case Unit::Ampere:
      return "A";
    case Unit::Joule:
      return "J";
    case Unit::Coulomb:
      return "C";
  }
  return "";
}

namespace {

const char* unit_quantity(Unit unit) {
  switch (unit) {
    case Unit::None:
      return "a number";
    case Unit::Farad:
      return "a capacitance";
    case Unit::Volt:
      return "a voltage";
    case Unit::Hertz:
      return "a frequency";
    case Unit::Ohm:
      return "a resistance";
    case Unit::Second:
      return "a time";
    case Unit::Watt:
      return "a power";
    case Unit::Ampere:
      return "a current";
    case Unit::Joule:
      return "an energy";
    case Unit::Coulomb:
      return "a charge";
  }
  return "a number";
}

const char* unit_example(Unit unit) {
  switch (unit) {
    case Unit::None:
      return "0.5";
    case Unit::Farad:
      return "100uF, 1mF or 470nF";
    case Unit::Volt:
      return "2.8V or 2.8";
    case Unit::Hertz:
      return "16MHz or 16e6Hz";
    case Unit::Ohm:
      return "1kOhm, 10MOhm or 1000Ohm";
    case Unit::Second:
      return "10s, 500ms, 5min or 2h";
    case Unit::Watt:
      return "100uW, 1mW or 1e-4W";
    case Unit::Ampere:
      return "1mA or 1e-3";
    case Unit::Joule:
      return "2nJ or 2e-9";
    case Unit::Coulomb:
      return "10nC or 1e-8";
  }
  return "";
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// Length of the decimal number at the start of t: [+-] digits [. digits] [e [+-] digits].
// No hex, no octal, no nan: 010 is ten and 0x10 is not a number. 0 if there is none.
size_t decimal_prefix(const std::string& t) {
  size_t i = 0;
  const auto digits = [&] {
    const size_t from = i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    return i - from;
  };
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  size_t mantissa = digits();
  if (i < t.size() && t[i] == '.') {
    ++i;
    mantissa += digits();
  }
  if (mantissa == 0) return 0;
  const size_t before_exponent = i;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (digits() == 0) i = before_exponent;  // "1e" is 1 followed by a suffix "e"
  }
  return i;
}

std::optional<double> parse_plain_number(const std::string& text) {
  const std::string t = trim(text);
  if (t == "inf" || t == ".inf" || t == "+inf" || t == "infinity")
    return std::numeric_limits<double>::infinity();
  if (t == "-inf" || t == "-.inf") return -std::numeric_limits<double>::infinity();
  if (t.empty() || decimal_prefix(t) != t.size()) return std::nullopt;
  return std::strtod(t.c_str(), nullptr);  // overflow gives inf, which range checks reject
}

}  // namespace

bool quantity_needs_unit(Unit unit) {
  return unit == Unit::Farad || unit == Unit::Ohm || unit == Unit::Second || unit == Unit::Hertz ||
         unit == Unit::Watt;
}

std::optional<double> parse_quantity(const std::string& text, Unit unit) {
  const std::string t = trim(text);
  if (auto plain = parse_plain_number(t)) {
    // A bare number is ambiguous where the unit matters (is "100" farads or microfarads?);
    // only 0 and infinity mean the same in every unit.
    if (quantity_needs_unit(unit) && *plain != 0 && std::isfinite(*plain)) return std::nullopt;
    return plain;
  }
  // One linear scan splits the number from its unit.
  const size_t num_end = decimal_prefix(t);
  if (num_end == 0) return std::nullopt;
  const double number = std::strtod(t.substr(0, num_end).c_str(), nullptr);
  const std::string suffix = trim(t.substr(num_end));
  if (suffix.empty() || unit == Unit::None) return std::nullopt;

  if (unit == Unit::Second) {
    if (suffix == "min") return number * 60.0;
    if (suffix == "h") return number * 3600.0;
  }
  std::string symbol = unit_symbol(unit);
  std::vector<std::string> symbols = {symbol};
  if (unit == Unit::Ohm) symbols = {"Ohm", "ohm", "\xCE\xA9" /* Ω */};
  for (const std::string& sym : symbols) {
    if (suffix.size() < sym.size() || suffix.compare(suffix.size() - sym.size(), sym.size(), sym))
      continue;
    const std::string prefix = suffix.substr(0, suffix.size() - sym.size());
    // Decimal exponents, and division for negative ones: 100 / 1e6 is the double nearest to
    // 1e-4, while 100 * 1e-6 is not.
    static const std::vector<std::pair<std::string, int>> kPrefixes = {
        {"", 0},   {"p", -12}, {"n", -9}, {"u", -6}, {"\xC2\xB5", -6},
        {"m", -3}, {"k", 3},   {"M", 6},  {"G", 9}};
    for (const auto& [p, exp10] : kPrefixes)
      if (prefix == p)
        return exp10 < 0 ? number / std::pow(10.0, -exp10) : number * std::pow(10.0, exp10);
  }
  return std::nullopt;
}

std::string format_quantity(double value, Unit unit) {
  const std::string sym = unit_symbol(unit);
  auto fmt = [](double v) {
    std::ostringstream os;
    os.precision(4);
    os << v;
    return os.str();
  };
  if (!std::isfinite(value) || value == 0.0 || unit == Unit::None) return fmt(value) + sym;
  if (unit == Unit::Second) {
    if (value >= 3600.0 && std::fmod(value, 3600.0) == 0.0) return fmt(value / 3600.0) + "h";
    if (value >= 60.0 && std::fmod(value, 60.0) == 0.0) return fmt(value / 60.0) + "min";
  }
  static const std::vector<std::pair<const char*, double>> kPrefixes = {
      {"G", 1e9},  {"M", 1e6},  {"k", 1e3},  {"", 1.0},
      {"m", 1e-3}, {"u", 1e-6}, {"n", 1e-9}, {"p", 1e-12}};
  const double mag = std::fabs(value);
  for (const auto& [p, scale] : kPrefixes) {
    if (unit == Unit::Second && scale > 1.0) continue;  // no "ks"
    // A little slack so that 1e-4 (0.99999...e-4 in binary) is "100u", not "0.1m".
    if (mag >= scale * (1 - 1e-9)) return fmt(value / scale) + p + sym;
  }
  return fmt(value / 1e-12) + "p" + sym;
}

// ---- enums ----------------------------------------------------------------------------------

namespace {

template <typename E>
struct EnumName {
  E value;
  const char* name;
};

const EnumName<Strategy> kStrategyNames[] = {
    {Strategy::Continuous, "continuous"},
    {Strategy::LayerwiseCheckpoint, "layerwise-checkpoint"},
    {Strategy::Sonic, "sonic"},
    {Strategy::Hawaii, "hawaii"},
    {Strategy::DepthFirst, "depth-first"}};
const EnumName<Kernel> kKernelNames[] = {
    {Kernel::Cpu, "cpu"}, {Kernel::LeaMac, "lea-mac"}, {Kernel::LeaFir, "lea-fir"}};
const EnumName<NvmKind> kNvmKindNames[] = {{NvmKind::Internal, "internal"},
                                           {NvmKind::SpiFram, "spi-fram"}};
const EnumName<SourceType> kSourceTypeNames[] = {
    {SourceType::Trace, "trace"},
    {SourceType::Constant, "constant"},
    {SourceType::SquareWave, "square-wave"},
    {SourceType::Continuous, "continuous"},
    {SourceType::FailureInjection, "failure-injection"}};
const EnumName<HarvesterModel> kHarvesterNames[] = {
    {HarvesterModel::Power, "power"},
    {HarvesterModel::Rf, "rf"},
    {HarvesterModel::Solar, "solar"},
    {HarvesterModel::VoltageSource, "voltage-source"}};
const EnumName<SolarCell> kSolarCellNames[] = {{SolarCell::AreaEfficiency, "area-efficiency"},
                                               {SolarCell::SingleDiode, "single-diode"},
                                               {SolarCell::Mppt, "mppt"}};

template <typename E, size_t N>
const char* enum_to_string(const EnumName<E> (&names)[N], E v) {
  for (const auto& n : names)
    if (n.value == v) return n.name;
  throw std::logic_error("enum value without a name");
}

template <typename E, size_t N>
std::optional<E> enum_from_string(const EnumName<E> (&names)[N], const std::string& s) {
  for (const auto& n : names)
    if (s == n.name) return n.value;
  return std::nullopt;
}

template <typename E, size_t N>
std::vector<std::string> enum_names(const EnumName<E> (&names)[N]) {
  std::vector<std::string> out;
  for (const auto& n : names) out.push_back(n.name);
  return out;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

}  // namespace

const char* to_string(Strategy v) {
  return enum_to_string(kStrategyNames, v);
}
const char* to_string(Kernel v) {
  return enum_to_string(kKernelNames, v);
}
const char* to_string(NvmKind v) {
  return enum_to_string(kNvmKindNames, v);
}
const char* to_string(SourceType v) {
  return enum_to_string(kSourceTypeNames, v);
}
const char* to_string(HarvesterModel v) {
  return enum_to_string(kHarvesterNames, v);
}
const char* to_string(SolarCell v) {
  return enum_to_string(kSolarCellNames, v);
}
std::optional<Strategy> strategy_from_string(const std::string& s) {
  return enum_from_string(kStrategyNames, s);
}
std::optional<Kernel> kernel_from_string(const std::string& s) {
  return enum_from_string(kKernelNames, s);
}

std::vector<Kernel> kernels_of(Strategy s) {
  switch (s) {
    case Strategy::Continuous:
    case Strategy::LayerwiseCheckpoint:
      return {Kernel::Cpu, Kernel::LeaMac, Kernel::LeaFir};
    case Strategy::Sonic:
      return {Kernel::Cpu};  // its published form
    case Strategy::Hawaii:
      return {Kernel::LeaMac, Kernel::LeaFir};
    case Strategy::DepthFirst:
      return {Kernel::LeaMac, Kernel::LeaFir};
  }
  return {};
}

std::vector<Kernel> kernels_of_network(const std::string& network) {
  if (network == "mnist8") return {Kernel::Cpu, Kernel::LeaMac};
  return {Kernel::Cpu, Kernel::LeaMac, Kernel::LeaFir};
}

std::vector<Kernel> kernels_of_network(const std::string& network, Strategy s) {
  if (network == "mnist8" && s != Strategy::Hawaii)        // hawaii_fir.c does not pad
    return {Kernel::Cpu, Kernel::LeaMac, Kernel::LeaFir};  // kernel_lea_fir.c pads
  return kernels_of_network(network);
}

// Kernel-fair defaults: every LEA-capable strategy on lea-fir, HAWAII's published arithmetic
// (docs/kernels.md); sonic on the CPU, its published form.
Kernel default_kernel(Strategy s) {
  return s == Strategy::Sonic ? Kernel::Cpu : Kernel::LeaFir;
}

// Coefficient names follow energy/load_model.h; extend here when it grows one.
const std::vector<EnergyCoefficient> kEnergyCoefficients = {
    {"cycle_energy_j", Unit::Joule, "energy of one active MCLK cycle without a memory access"},
    {"fram_read_hit_j", Unit::Joule, "energy of one FRAM read served by the FRAM cache"},
    {"fram_read_miss_j", Unit::Joule, "energy of one FRAM read that misses the FRAM cache"},
    {"fram_write_j", Unit::Joule, "energy of one FRAM word write"},
    {"sram_access_j", Unit::Joule, "energy of one SRAM read or write"},
    {"lpm0_current_1mhz_a", Unit::Ampere, "supply current in LPM0 at 1 MHz"},
    {"lpm0_current_16mhz_a", Unit::Ampere, "supply current in LPM0 at 16 MHz"},
    {"lpm3_current_a", Unit::Ampere, "supply current in LPM3"},
    {"lpm4_current_a", Unit::Ampere, "supply current in LPM4"},
    {"lea_current_per_mhz_a", Unit::Ampere, "extra supply current per MHz while the LEA runs"},
    {"reset_charge_c", Unit::Coulomb, "charge drawn by one power-on reset (BOR to main)"},
    {"lpm0_wake_charge_c", Unit::Coulomb, "charge drawn by one wake-up from LPM0 or LPM1"},
    {"lpm3_wake_charge_c", Unit::Coulomb, "charge drawn by one wake-up from LPM2, LPM3 or LPM4"},
    {"fram_wake_charge_c", Unit::Coulomb, "charge of FRAM re-activation on a wake from LPM2-LPM4"},
    {"off_current_a", Unit::Ampere, "current drawn from the capacitor while the MCU is off"},
    {"spi_fram_active_per_mhz_a", Unit::Ampere,
     "external SPI FRAM: supply current per MHz of SCK while a byte is clocked"},
    {"spi_fram_standby_a", Unit::Ampere, "external SPI FRAM: standby supply current"},
    {"spi_fram_sleep_a", Unit::Ampere, "external SPI FRAM: sleep-mode supply current"},
};

// ---- documents ------------------------------------------------------------------------------

std::string project_root() {
  if (const char* env = std::getenv("IPSIM_ROOT"); env && *env) return env;
#ifdef IPSIM_PROJECT_ROOT
  return IPSIM_PROJECT_ROOT;
#else
  return fs::current_path().string();
#endif
}

namespace {

// Line (1-based) of the first byte that is not part of valid UTF-8, or 0 if all of it is.
size_t first_non_utf8_line(const std::string& text) {
  size_t line = 1;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') ++line;
    const size_t len = c < 0x80           ? 1
                       : (c >> 5) == 0x6  ? 2
                       : (c >> 4) == 0xE  ? 3
                       : (c >> 3) == 0x1E ? 4
                                          : 0;
    if (len == 0 || i + len > text.size()) return line;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return line;
    i += len;
  }
  return 0;
}

// yaml-cpp keeps every pair of a mapping, so a repeated key is still there to find.
void reject_duplicate_keys(const YAML::Node& node, const std::string& file) {
  if (node.IsMap()) {
    std::map<std::string, int> first_line;
    for (const auto& kv : node) {
      const int line = kv.first.Mark().line + 1;
      if (kv.first.IsScalar()) {
        const auto [it, inserted] = first_line.emplace(kv.first.Scalar(), line);
        if (!inserted)
          throw ConfigError(file + ":" + std::to_string(line) + ": duplicate key '" +
                            kv.first.Scalar() + "' (first given on line " +
                            std::to_string(it->second) + ")");
      }
      reject_duplicate_keys(kv.second, file);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) reject_duplicate_keys(item, file);
  }
}

}  // namespace

ConfigDocument parse_config_document(const std::string& text, const std::string& file,
                                     const std::string& dir) {
  ConfigDocument doc;
  doc.file = file;
  doc.dir = dir;
  if (const size_t line = first_non_utf8_line(text))
    throw ConfigError(file + ":" + std::to_string(line) +
                      ": the file is not UTF-8 text (a byte on this line is not valid UTF-8)");
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(text);
    if (documents.size() > 1)
      throw ConfigError(file + ":" + std::to_string(documents[1].Mark().line + 1) +
                        ": a config file holds one YAML document; this is a second one "
                        "(remove the '---' separator or split the file)");
    doc.root = documents.empty() ? YAML::Node() : documents[0];
  } catch (const YAML::ParserException& e) {
    throw ConfigError(file + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  reject_duplicate_keys(doc.root, file);
  if (doc.root.IsNull()) doc.root = YAML::Node(YAML::NodeType::Map);
  if (!doc.root.IsMap())
    throw ConfigError(file + ":" + std::to_string(doc.root.Mark().line + 1) +
                      ": expected a mapping of keys (name, platform, source, workload, ...)");
  return doc;
}

YAML::Node parse_yaml_value(const std::string& text, const std::string& origin) {
  if (first_non_utf8_line(text)) throw ConfigError(origin + ": the value is not UTF-8 text");
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(origin + ": invalid YAML value: " + e.msg);
  }
  // yaml-cpp reads "[1, 2]x" as two documents; the second is trailing garbage.
  if (documents.size() > 1)
    throw ConfigError(origin + ": unexpected text after the value, at column " +
                      std::to_string(documents[1].Mark().column + 1));
  YAML::Node value = documents.empty() ? YAML::Node() : documents[0];
  reject_duplicate_keys(value, origin);
  return value;
}

ConfigDocument load_config_document(const std::string& path) {
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_regular_file(path, ec))  // a FIFO would block the read
    throw ConfigError(path + ": not a regular file");
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot read the config file (" + std::strerror(errno) + ")");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config_document(ss.str(), path, fs::absolute(path).parent_path().string());
}

std::string where(const ConfigDocument& doc, const Located& at) {
  if (!at.origin.empty()) return at.origin;
  if (at.node && !at.node.Mark().is_null())
    return doc.file + ":" + std::to_string(at.node.Mark().line + 1);
  return doc.file;
}

// ---- the reader -----------------------------------------------------------------------------

namespace {

std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string node_kind(const YAML::Node& n) {
  if (!n || n.IsNull()) return "nothing";
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  const std::string& text = n.Scalar();
  if (text.size() > 80)
    return "'" + text.substr(0, 60) + "...' (" + std::to_string(text.size()) + " characters)";
  return "'" + text + "'";
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

struct Ctx {
  const ConfigDocument& doc;
  const Overrides& overrides;
  std::set<std::string> used;  // override paths read
};

// A mapping at a key path; reads children with overrides applied and remembers where each
// came from.
class Section {
 public:
  Section(Ctx& ctx, std::string path, std::optional<Located> self, Located fallback)
      : m_ctx(ctx), m_path(std::move(path)), m_self(std::move(self)), m_fallback(fallback) {
    if (m_self && !m_self->node.IsNull() && !m_self->node.IsMap())
      fail_at(*m_self, m_path, "expected a mapping of keys, got " + node_kind(m_self->node));
  }

  const std::string& path() const { return m_path; }
  Ctx& ctx() { return m_ctx; }

  std::optional<Located> get(const std::string& key) {
    const std::string p = join_path(m_path, key);
    if (auto it = m_ctx.overrides.find(p); it != m_ctx.overrides.end()) {
      m_ctx.used.insert(p);
      return it->second.value;
    }
    if (m_self && m_self->node.IsMap()) {
      const YAML::Node& map = m_self->node;
      YAML::Node child = map[key];
      if (child) return Located{child, m_self->origin, m_self->context};
    }
    return std::nullopt;
  }

  // Where to point for key: its value if given, else this section.
  Located at(const std::string& key) {
    if (auto v = peek(key)) return *v;
    return m_self ? *m_self : m_fallback;
  }

  std::optional<Located> peek(const std::string& key) {
    const std::string p = join_path(m_path, key);
    if (auto it = m_ctx.overrides.find(p); it != m_ctx.overrides.end()) return it->second.value;
    if (m_self && m_self->node.IsMap()) {
      const YAML::Node& map = m_self->node;
      YAML::Node child = map[key];
      if (child) return Located{child, m_self->origin, m_self->context};
    }
    return std::nullopt;
  }

  std::optional<Section> section(const std::string& key) {
    auto v = get(key);
    Located fb = v ? *v : at(key);
    return Section(m_ctx, join_path(m_path, key), v, fb);
  }

  [[noreturn]] void fail_at(const Located& at, const std::string& path, const std::string& msg) {
    std::string text = where(m_ctx.doc, at) + ": " + path + ": " + msg;
    if (!at.context.empty()) text += " " + at.context;
    throw ConfigError(text);
  }
  [[noreturn]] void fail(const std::string& key, const std::string& msg) {
    fail_at(at(key), join_path(m_path, key), msg);
  }
  [[noreturn]] void missing(const std::string& key, const std::string& what) {
    Located here = m_self ? *m_self : m_fallback;
    fail_at(here, join_path(m_path, key), "required key is missing (" + what + ")");
  }

  // Rejects keys (in the file or in overrides below this section) that are not in `allowed`.
  // `elsewhere` lists keys valid only in another variant, with the reason they are not used.
  void check_keys(const std::vector<std::string>& allowed,
                  const std::map<std::string, std::string>& elsewhere = {}) {
    auto complain = [&](const std::string& key, const Located& at, const std::string& path_shown) {
      if (auto it = elsewhere.find(key); it != elsewhere.end())
        fail_at(at, path_shown, "key '" + key + "' " + it->second);
      std::string msg = "unknown key '" + key + "'";
      std::string best;
      size_t best_d = 3;
      for (const auto& a : allowed)
        if (size_t d = edit_distance(key, a); d < best_d) best_d = d, best = a;
      if (!best.empty()) msg += " (did you mean '" + best + "'?)";
      msg += "; expected one of: " + join(allowed, ", ");
      fail_at(at, path_shown, msg);
    };
    auto allowed_key = [&](const std::string& k) {
      return std::find(allowed.begin(), allowed.end(), k) != allowed.end();
    };
    if (m_self && m_self->node.IsMap()) {
      for (const auto& kv : m_self->node) {
        const std::string key = kv.first.Scalar();
        if (!allowed_key(key))
          complain(key, Located{kv.first, m_self->origin, m_self->context}, join_path(m_path, key));
      }
    }
    const std::string prefix = m_path.empty() ? "" : m_path + ".";
    for (const auto& [p, ov] : m_ctx.overrides) {
      if (p.compare(0, prefix.size(), prefix) != 0 || p.size() == prefix.size()) continue;
      const std::string rest = p.substr(prefix.size());
      const std::string key = rest.substr(0, rest.find('.'));
      if (!allowed_key(key)) complain(key, ov.key, p);
    }
  }

  // ---- typed getters ----

  const YAML::Node& scalar_node(const std::string& key, const Located& v, const std::string& what) {
    if (!v.node.IsScalar())
      fail_at(v, join_path(m_path, key), "expected " + what + ", got " + node_kind(v.node));
    return v.node;
  }

  std::optional<double> opt_quantity(const std::string& key, Unit unit) {
    auto v = get(key);
    if (!v) return std::nullopt;
    return quantity_of(key, *v, unit);
  }

  double quantity_of(const std::string& key, const Located& v, Unit unit) {
    std::string what = std::string(unit_quantity(unit));
    if (unit != Unit::None) what += std::string(" in ") + unit_symbol(unit);
    what += std::string(" (e.g. ") + unit_example(unit) + ")";
    const YAML::Node& n = scalar_node(key, v, what);
    auto q = parse_quantity(n.Scalar(), unit);
    if (!q && quantity_needs_unit(unit) && parse_quantity(n.Scalar(), Unit::None))
      fail_at(v, join_path(m_path, key),
              "expected " + what + ", got " + node_kind(n) + " without a unit; write the unit");
    if (!q) fail_at(v, join_path(m_path, key), "expected " + what + ", got " + node_kind(n));
    return *q;
  }

  double quantity(const std::string& key, Unit unit, double def) {
    return opt_quantity(key, unit).value_or(def);
  }

  double required_quantity(const std::string& key, Unit unit, const std::string& what) {
    auto q = opt_quantity(key, unit);
    if (!q) missing(key, what);
    return *q;
  }

  // Range check on a value already read: fails at the key with "expected <what>, got <v>".
  void require(const std::string& key, bool ok, const std::string& what) {
    if (ok) return;
    Located v = at(key);
    fail(key, "expected " + what + ", got " + node_kind(v.node));
  }

  bool boolean(const std::string& key, bool def) {
    auto v = get(key);
    if (!v) return def;
    const YAML::Node& n = scalar_node(key, *v, "true or false");
    try {
      return n.as<bool>();
    } catch (const YAML::Exception&) {
      fail_at(*v, join_path(m_path, key), "expected true or false, got " + node_kind(n));
    }
  }

  long long integer_of(const std::string& key, const Located& v) {
    const YAML::Node& n = scalar_node(key, v, "an integer");
    const std::string t = trim(n.Scalar());
    // Decimal only: std::stoll with base 0 read "010" as eight.
    const size_t sign = !t.empty() && (t[0] == '-' || t[0] == '+');
    if (t.size() > sign && t.size() <= sign + 18 &&
        t.find_first_not_of("0123456789", sign) == std::string::npos)
      return std::stoll(t, nullptr, 10);
    fail_at(v, join_path(m_path, key), "expected an integer, got " + node_kind(n));
  }

  long long integer(const std::string& key, long long def) {
    auto v = get(key);
    return v ? integer_of(key, *v) : def;
  }

  std::optional<std::string> opt_string(const std::string& key) {
    auto v = get(key);
    if (!v) return std::nullopt;
    const YAML::Node& n = scalar_node(key, *v, "a string");
    if (trim(n.Scalar()).empty())
      fail_at(*v, join_path(m_path, key), "expected a non-empty string, got nothing");
    return n.Scalar();
  }

  template <typename E, size_t N>
  std::optional<E> opt_enum(const std::string& key, const EnumName<E> (&names)[N]) {
    auto s = opt_string(key);
    if (!s) return std::nullopt;
    auto e = enum_from_string(names, *s);
    if (!e) fail(key, "expected one of " + join(enum_names(names), ", ") + "; got '" + *s + "'");
    return e;
  }

  // A file path, resolved relative to the config file's directory (the working directory for
  // --set values), then relative to the project root; must name an existing file.
  std::string file(const std::string& key, const std::string& what) {
    auto s = opt_string(key);
    if (!s) missing(key, what);
    Located v = at(key);
    const fs::path raw(*s);
    std::vector<fs::path> candidates;
    if (raw.is_absolute()) {
      candidates.push_back(raw);
    } else {
      candidates.push_back(
          fs::path(v.origin.empty() ? m_ctx.doc.dir : fs::current_path().string()) / raw);
      candidates.push_back(fs::path(project_root()) / raw);
    }
    for (const auto& c : candidates) {
      std::error_code ec;
      if (fs::is_regular_file(c, ec)) return fs::weakly_canonical(fs::absolute(c)).string();
    }
    std::vector<std::string> looked;
    for (const auto& c : candidates) looked.push_back(c.lexically_normal().string());
    fail(key, "expected " + what + "; no such file '" + *s + "' (looked for " +
                  join(looked, " and ") + ")");
  }

 private:
  Ctx& m_ctx;
  std::string m_path;
  std::optional<Located> m_self;
  Located m_fallback;
};

OutputsConfig parse_outputs(Section s) {
  OutputsConfig o;
  s.check_keys({"waves_vcd", "timeline_csv", "timeline_decimation", "profile"});
  o.waves_vcd = s.boolean("waves_vcd", o.waves_vcd);
  o.profile = s.boolean("profile", o.profile);
  o.timeline_csv = s.boolean("timeline_csv", o.timeline_csv);
  o.timeline_decimation_s =
      s.quantity("timeline_decimation", Unit::Second, o.timeline_decimation_s);
  s.require("timeline_decimation",
            o.timeline_decimation_s >= 0 && std::isfinite(o.timeline_decimation_s), "a time >= 0");
  return o;
}

PlatformSpec parse_platform(Section s) {
  PlatformSpec p;
  s.check_keys({"mclk", "nvm", "capacitor", "supervisor", "energy_model"});
  p.mclk_hz = s.quantity("mclk", Unit::Hertz, p.mclk_hz);
  // The inference firmware sets the DCO to 1, 8 or 16 MHz (kernels/apps/workload.h); any
  // other value would silently run at one of those.
  s.require("mclk", p.mclk_hz == 1e6 || p.mclk_hz == 8e6 || p.mclk_hz == 16e6,
            "1MHz, 8MHz or 16MHz (the DCO settings the firmware uses)");

  if (auto nvm_section = s.section("nvm")) {
    Section nvm = *nvm_section;
    NvmSpec& n = p.nvm;
    nvm.check_keys({"kind", "spi_clock", "extra_read_wait_states", "extra_write_wait_states",
                    "extra_read_energy", "extra_write_energy"});
    if (auto k = nvm.opt_enum("kind", kNvmKindNames)) n.kind = *k;
    n.spi_clock_hz = nvm.quantity("spi_clock", Unit::Hertz, n.spi_clock_hz);
    // CY15B104Q: up to 40 MHz; the runtime clocks SMCLK = MCLK, and UCBRW divides it.
    const double divider = p.mclk_hz / n.spi_clock_hz;
    nvm.require("spi_clock",
                n.kind != NvmKind::SpiFram ||
                    (n.spi_clock_hz > 0 && n.spi_clock_hz <= 40e6 && divider >= 1 &&
                     std::abs(divider - std::round(divider)) < 1e-9 * divider),
                "a frequency <= 40MHz that divides platform.mclk (" +
                    format_quantity(p.mclk_hz, Unit::Hertz) + ") by a whole number, e.g. 4MHz");
    for (const char* key : {"extra_read_wait_states", "extra_write_wait_states"}) {
      const long long w = nvm.integer(key, 0);
      nvm.require(key, w >= 0 && w <= 1000, "a whole number of wait states from 0 to 1000");
      (std::string(key) == "extra_read_wait_states" ? n.extra_read_wait_states
                                                    : n.extra_write_wait_states) =
          static_cast<int>(w);
    }
    n.extra_read_energy_j = nvm.quantity("extra_read_energy", Unit::Joule, 0.0);
    nvm.require("extra_read_energy",
                n.extra_read_energy_j >= 0 && std::isfinite(n.extra_read_energy_j),
                "an energy >= 0, e.g. 1nJ");
    n.extra_write_energy_j = nvm.quantity("extra_write_energy", Unit::Joule, 0.0);
    nvm.require("extra_write_energy",
                n.extra_write_energy_j >= 0 && std::isfinite(n.extra_write_energy_j),
                "an energy >= 0, e.g. 1nJ");
  }

  Section cap = *s.section("capacitor");
  CapacitorSpec& c = p.capacitor;
  cap.check_keys({"capacitance", "initial_voltage", "leakage_resistance", "max_voltage"});
  c.capacitance_f =
      cap.required_quantity("capacitance", Unit::Farad, "the storage capacitance, e.g. 100uF");
  cap.require("capacitance", c.capacitance_f > 0 && std::isfinite(c.capacitance_f),
              "a capacitance > 0 (e.g. 100uF)");
  c.v_max = cap.quantity("max_voltage", Unit::Volt, c.v_max);
  cap.require("max_voltage", c.v_max > 0, "a voltage > 0");
  c.v_initial = cap.quantity("initial_voltage", Unit::Volt, c.v_initial);
  cap.require("initial_voltage", c.v_initial >= 0 && std::isfinite(c.v_initial), "a voltage >= 0");
  cap.require("initial_voltage", c.v_initial <= c.v_max,
              "a voltage <= max_voltage (" + format_quantity(c.v_max, Unit::Volt) + ")");
  if (auto v = cap.peek("leakage_resistance");
      v && (v->node.IsNull() || (v->node.IsScalar() && v->node.Scalar() == "none"))) {
    cap.get("leakage_resistance");
  } else {
    c.leakage_r_ohm = cap.quantity("leakage_resistance", Unit::Ohm, c.leakage_r_ohm);
    cap.require("leakage_resistance", c.leakage_r_ohm > 0, "a resistance > 0, or none");
  }

  Section sup = *s.section("supervisor");
  SupervisorSpec& v = p.supervisor;
  sup.check_keys({"v_on", "v_off"});
  v.v_on = sup.quantity("v_on", Unit::Volt, v.v_on);
  v.v_off = sup.quantity("v_off", Unit::Volt, v.v_off);
  sup.require("v_on", v.v_on > 0 && std::isfinite(v.v_on), "a voltage > 0");
  sup.require("v_off", v.v_off > 0 && std::isfinite(v.v_off), "a voltage > 0");
  sup.require("v_off", v.v_off < v.v_on,
              "a voltage below v_on (" + format_quantity(v.v_on, Unit::Volt) + ")");
  sup.require("v_on", v.v_on <= c.v_max,
              "a voltage <= platform.capacitor.max_voltage (" +
                  format_quantity(c.v_max, Unit::Volt) + "), or the node never turns on");

  Section em = *s.section("energy_model");
  std::vector<std::string> names;
  for (const auto& k : kEnergyCoefficients) names.push_back(k.name);
  em.check_keys(names);
  for (const auto& k : kEnergyCoefficients) {
    if (auto q = em.opt_quantity(k.name, k.unit)) {
      em.require(k.name, *q >= 0 && std::isfinite(*q),
                 std::string(unit_quantity(k.unit)) + " >= 0");
      p.energy_model[k.name] = *q;
    }
  }
  // A capacitor that cannot hold one boot's reset charge between v_on and v_off never runs an
  // instruction, and charging it takes femtoseconds per boot: such a run would never end.
  // 1 nF bounds the number of boots per simulated second even with the reset charge set to 0.
  const auto reset = p.energy_model.find("reset_charge_c");
  const double reset_charge_c =
      reset != p.energy_model.end() ? reset->second : energy::LoadModel{}.reset_charge_c;
  const double min_c = std::max(1e-9, 1.01 * reset_charge_c / (v.v_on - v.v_off));  // 1 % margin
  cap.require("capacitance", c.capacitance_f >= min_c,
              "a capacitance >= " + format_quantity(min_c, Unit::Farad) +
                  " (at least 1nF, and enough to hold one boot's reset charge of " +
                  format_quantity(reset_charge_c, Unit::Coulomb) + " between v_on and v_off)");
  return p;
}

std::vector<std::pair<double, double>> parse_curve(Section& s, const std::string& key) {
  std::vector<std::pair<double, double>> out;
  auto v = s.get(key);
  if (!v) return out;
  const std::string path = join_path(s.path(), key);
  const std::string what = "a list of [dBm, efficiency] points, e.g. [[-10, 0.2], [0, 0.5]]";
  if (!v->node.IsSequence() || v->node.size() == 0)
    s.fail_at(*v, path, "expected " + what + ", got " + node_kind(v->node));
  for (size_t i = 0; i < v->node.size(); ++i) {
    Located pt{v->node[i], v->origin, v->context};
    const std::string ppath = path + "[" + std::to_string(i) + "]";
    if (!pt.node.IsSequence() || pt.node.size() != 2 || !pt.node[0].IsScalar() ||
        !pt.node[1].IsScalar())
      s.fail_at(pt, ppath, "expected a point [dBm, efficiency], got " + node_kind(pt.node));
    auto dbm = parse_quantity(pt.node[0].Scalar(), Unit::None);
    auto eff = parse_quantity(pt.node[1].Scalar(), Unit::None);
    if (!dbm || !std::isfinite(*dbm))
      s.fail_at(pt, ppath, "expected a finite input power in dBm, got " + node_kind(pt.node[0]));
    if (!eff || *eff < 0 || *eff > 1)
      s.fail_at(pt, ppath, "expected an efficiency in [0, 1], got " + node_kind(pt.node[1]));
    if (!out.empty() && *dbm <= out.back().first)
      s.fail_at(pt, ppath,
                "expected dBm values in strictly increasing order, got " + pt.node[0].Scalar() +
                    " after " + std::to_string(out.back().first));
    out.emplace_back(*dbm, *eff);
  }
  return out;
}

// Column names of a canonical trace CSV (first line that is not a '#' comment), for an early
// check that the harvester model can use it. Full parsing happens in the run.
std::vector<std::string> trace_columns(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string c;
    while (std::getline(ss, c, ','))
      cols.push_back(trim(c.back() == '\r' ? c.substr(0, c.size() - 1) : c));
    return cols;
  }
  return {};
}

HarvesterSpec parse_harvester(Section s) {
  HarvesterSpec h;
  h.model = s.opt_enum("model", kHarvesterNames).value_or(h.model);
  const std::map<HarvesterModel, std::vector<std::string>> keys = {
      {HarvesterModel::Power, {"scale"}},
      {HarvesterModel::Rf, {"efficiency_curve"}},
      {HarvesterModel::Solar,
       {"cell", "area_m2", "efficiency", "lux_to_w_per_m2", "converter_efficiency"}},
      {HarvesterModel::VoltageSource, {"v_source", "r_series"}}};
  std::vector<std::string> allowed = {"model"};
  for (const auto& k : keys.at(h.model)) allowed.push_back(k);
  std::map<std::string, std::string> elsewhere;
  for (const auto& [m, ks] : keys)
    if (m != h.model)
      for (const auto& k : ks)
        elsewhere[k] = std::string("belongs to harvester model ") + to_string(m) +
                       ", not used by model " + to_string(h.model);
  s.check_keys(allowed, elsewhere);
  switch (h.model) {
    case HarvesterModel::Power:
      h.scale = s.quantity("scale", Unit::None, h.scale);
      s.require("scale", h.scale >= 0 && std::isfinite(h.scale), "a number >= 0");
      break;
    case HarvesterModel::Rf:
      h.efficiency_curve = parse_curve(s, "efficiency_curve");
      break;
    case HarvesterModel::Solar:
      h.cell = s.opt_enum("cell", kSolarCellNames).value_or(h.cell);
      h.area_m2 = s.quantity("area_m2", Unit::None, h.area_m2);
      s.require("area_m2", h.area_m2 > 0 && std::isfinite(h.area_m2), "an area in m^2 > 0");
      h.efficiency = s.quantity("efficiency", Unit::None, h.efficiency);
      s.require("efficiency", h.efficiency > 0 && h.efficiency <= 1, "an efficiency in (0, 1]");
      h.lux_to_w_per_m2 = s.quantity("lux_to_w_per_m2", Unit::None, h.lux_to_w_per_m2);
      s.require("lux_to_w_per_m2", h.lux_to_w_per_m2 > 0 && std::isfinite(h.lux_to_w_per_m2),
                "lux per W/m^2 > 0 (about 120 daylight, 300 indoor LED)");
      h.converter_efficiency =
          s.quantity("converter_efficiency", Unit::None, h.converter_efficiency);
      s.require("converter_efficiency", h.converter_efficiency > 0 && h.converter_efficiency <= 1,
                "an efficiency in (0, 1]");
      break;
    case HarvesterModel::VoltageSource:
      h.v_source = s.quantity("v_source", Unit::Volt, h.v_source);
      s.require("v_source", h.v_source > 0 && std::isfinite(h.v_source), "a voltage > 0");
      h.r_series_ohm = s.quantity("r_series", Unit::Ohm, h.r_series_ohm);
      s.require("r_series", h.r_series_ohm > 0 && std::isfinite(h.r_series_ohm),
                "a resistance > 0");
      break;
  }
  return h;
}

// source.offset: a time ("6h", "90min", "21600") or a time of day "HH:MM[:SS]" counted from
// the trace's first sample.
double trace_offset(Section& s, const Located& v) {
  const std::string what =
      "a time (e.g. 6h) or a time of day HH:MM[:SS] (e.g. 06:30) from the trace's first sample";
  const YAML::Node& n = s.scalar_node("offset", v, what);
  const std::string text = n.Scalar();
  static const std::regex kTimeOfDay(R"(^(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d*)?))?$)");
  double offset = -1;
  std::smatch m;
  if (std::regex_match(text, m, kTimeOfDay)) {
    const double h = std::stod(m[1]), min = std::stod(m[2]),
                 sec = m[3].matched ? std::stod(m[3]) : 0;
    if (h < 24 && min < 60 && sec < 60) offset = h * 3600 + min * 60 + sec;
  } else if (auto q = parse_quantity(text, Unit::Second)) {
    offset = *q;
  }
  if (!(offset >= 0 && std::isfinite(offset)))
    s.fail_at(v, "source.offset", "expected " + what + ", got '" + text + "'");
  return offset;
}

SourceSpec parse_source(Section s) {
  SourceSpec src;
  src.type = s.opt_enum("type", kSourceTypeNames).value_or(src.type);
  const std::map<SourceType, std::vector<std::string>> keys = {
      {SourceType::Trace, {"file", "harvester", "loop", "offset", "time_scale"}},
      {SourceType::Constant, {"power", "current"}},
      {SourceType::SquareWave, {"power", "t_on", "t_off"}},
      {SourceType::Continuous, {}},
      {SourceType::FailureInjection, {"mean_on_cycles", "off_time"}}};
  std::vector<std::string> allowed = {"type"};
  for (const auto& k : keys.at(src.type)) allowed.push_back(k);
  std::map<std::string, std::string> elsewhere;
  for (const auto& [t, ks] : keys)
    for (const auto& k : ks)
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
        elsewhere[k] =
            std::string("is not used by source.type ") + to_string(src.type) +
            (allowed.size() > 1
                 ? " (its keys: " + join({allowed.begin() + 1, allowed.end()}, ", ") + ")"
                 : " (it takes no other keys)");
  s.check_keys(allowed, elsewhere);

  auto nonneg_power = [&](const std::string& key) {
    auto p = s.opt_quantity(key, Unit::Watt);
    if (p) s.require(key, *p >= 0 && std::isfinite(*p), "a power >= 0");
    return p;
  };
  switch (src.type) {
    case SourceType::Trace: {
      src.loop = s.boolean("loop", src.loop);
      if (auto v = s.get("offset")) src.offset_s = trace_offset(s, *v);
      src.time_scale = s.quantity("time_scale", Unit::None, src.time_scale);
      s.require("time_scale", src.time_scale > 0 && std::isfinite(src.time_scale),
                "a number > 0 (2 plays the trace at half speed, 0.5 at double speed)");
      src.harvester = parse_harvester(*s.section("harvester"));
      if (src.harvester.model == HarvesterModel::VoltageSource && !s.peek("file")) break;
      src.file = s.file("file", "a trace CSV file (see traces/README.md)");
      const auto cols = trace_columns(src.file);
      auto has = [&](const char* c) {
        return std::find(cols.begin(), cols.end(), c) != cols.end();
      };
      std::string need;
      if (src.harvester.model == HarvesterModel::Power && !has("power_W")) need = "power_W";
      if (src.harvester.model == HarvesterModel::Rf && !has("rf_power_W")) need = "rf_power_W";
      if (src.harvester.model == HarvesterModel::Solar && !has("irradiance_W_per_m2") &&
          !has("illuminance_lux") && !has("a_A") && !has("p_mpp_W"))
        need = "irradiance_W_per_m2, illuminance_lux, a_A or p_mpp_W";
      if (!need.empty())
        s.fail("file", std::string("expected a trace usable by harvester model ") +
                           to_string(src.harvester.model) + " (a column " + need + "); " +
                           src.file + " has columns: " + join(cols, ", "));
      break;
    }
    case SourceType::Constant:
      src.power_w = nonneg_power("power");
      src.current_a = s.opt_quantity("current", Unit::Ampere);
      if (src.current_a)
        s.require("current", *src.current_a >= 0 && std::isfinite(*src.current_a),
                  "a current >= 0");
      if (src.power_w && src.current_a)
        s.fail("current", "expected either power or current for source.type constant, not both");
      if (!src.power_w && !src.current_a)
        s.missing("power", "the constant harvested power, e.g. 1mW (or `current`, e.g. 500uA)");
      break;
    case SourceType::SquareWave:
      src.power_w = nonneg_power("power");
      if (!src.power_w) s.missing("power", "the harvested power during t_on, e.g. 1mW");
      // Each phase is one integration step: phases shorter than a microsecond would take
      // forever to simulate (the same bound as trace samples, energy/trace.h).
      src.t_on_s = s.required_quantity("t_on", Unit::Second, "the on phase, e.g. 10ms");
      s.require("t_on", src.t_on_s >= energy::kMinSampleIntervalS && std::isfinite(src.t_on_s),
                "a time >= 1us");
      src.t_off_s = s.required_quantity("t_off", Unit::Second, "the off phase, e.g. 90ms");
      s.require("t_off",
                src.t_off_s == 0 ||
                    (src.t_off_s >= energy::kMinSampleIntervalS && std::isfinite(src.t_off_s)),
                "0 (always on) or a time >= 1us");
      break;
    case SourceType::Continuous:
      break;
    case SourceType::FailureInjection:
      src.mean_on_cycles = s.required_quantity("mean_on_cycles", Unit::None,
                                               "mean CPU cycles between injected power failures");
      // Budgets are drawn as 64-bit cycle counts; 1e18 cycles is 2000 years at 16 MHz.
      s.require("mean_on_cycles", src.mean_on_cycles >= 1 && src.mean_on_cycles <= 1e18,
                "a number of cycles from 1 to 1e18");
      src.off_time_s =
          s.required_quantity("off_time", Unit::Second, "how long power stays off, e.g. 10ms");
      s.require("off_time", src.off_time_s >= 0 && std::isfinite(src.off_time_s), "a time >= 0");
      break;
  }
  return src;
}

WorkloadSpec parse_workload(Section s) {
  WorkloadSpec w;
  s.check_keys(
      {"network", "firmware", "strategy", "kernel", "inferences", "inputs", "depth_first"});
  if (s.peek("firmware")) w.firmware = s.file("firmware", "an MSP430 ELF file");
  auto net = s.opt_string("network");
  if (w.firmware.empty()) {
    if (!net) s.missing("network", "one of " + join(kNetworks, ", ") + ", or `firmware: PATH.elf`");
    if (std::find(kNetworks.begin(), kNetworks.end(), *net) == kNetworks.end())
      s.fail("network", "expected one of " + join(kNetworks, ", ") +
                            " (or set workload.firmware for another ELF); got '" + *net + "'");
    w.network = *net;
  } else {
    w.network = net ? *net : fs::path(w.firmware).stem().string();
  }
  auto strat = s.opt_enum("strategy", kStrategyNames);
  // Foreign firmware (workload.firmware) brings its own persistence: the strategy only labels
  // the run, and defaults to continuous.
  if (!strat && w.firmware.empty())
    s.missing("strategy", "one of " + join(enum_names(kStrategyNames), ", "));
  w.strategy = strat ? *strat : Strategy::Continuous;
  w.kernel = default_kernel(w.strategy);
  if (auto k = s.opt_enum("kernel", kKernelNames)) {
    std::vector<std::string> allowed;
    for (Kernel a : kernels_of(w.strategy)) allowed.push_back(to_string(a));
    s.require("kernel", std::find(allowed.begin(), allowed.end(), to_string(*k)) != allowed.end(),
              "a kernel " + std::string(to_string(w.strategy)) + " runs on (" +
                  join(allowed, ", ") + ")");
    w.kernel = *k;
  }
  if (w.firmware.empty()) {  // a built-in network: its images exist for these kernels only
    const std::vector<Kernel> net_kernels = kernels_of_network(w.network);
    const bool explicit_kernel = s.peek("kernel").has_value();
    if (!explicit_kernel &&
        std::find(net_kernels.begin(), net_kernels.end(), w.kernel) == net_kernels.end()) {
      // The strategy's default kernel does not run this network: the next one down from
      // lea-fir that both do, so LEA strategies stay on one kernel (lea-mac) together.
      const std::vector<Kernel> mine = kernels_of(w.strategy);
      for (Kernel a : {Kernel::LeaFir, Kernel::LeaMac, Kernel::Cpu})
        if (std::find(mine.begin(), mine.end(), a) != mine.end() &&
            std::find(net_kernels.begin(), net_kernels.end(), a) != net_kernels.end()) {
          w.kernel = a;
          break;
        }
    }
    std::vector<std::string> names, strategies;
    for (Kernel a : net_kernels) names.push_back(to_string(a));
    for (const auto& [st, st_name] : kStrategyNames)
      for (Kernel a : kernels_of(st))
        if (std::find(net_kernels.begin(), net_kernels.end(), a) != net_kernels.end()) {
          strategies.push_back(st_name);
          break;
        }
    const std::vector<Kernel> pair_kernels = kernels_of_network(w.network, w.strategy);
    if (std::find(pair_kernels.begin(), pair_kernels.end(), w.kernel) == pair_kernels.end()) {
      const std::string why = "network " + w.network + " runs on kernels " + join(names, ", ") +
                              " only (its 'same' convolutions pad with zeros; lea-fir pads " +
                              "them for every strategy but hawaii, docs/kernels.md)";
      if (explicit_kernel)
        s.fail("kernel", why + "; got '" + std::string(to_string(w.kernel)) + "'");
      s.fail("strategy",
             why + ", and " + std::string(to_string(w.strategy)) +
                 " does not run on them; strategies that do: " + join(strategies, ", "));
    }
  }
  const long long n = s.integer("inferences", w.inferences);
  s.require("inferences", n >= 1 && n <= kMaxWorkloadInferences,
            "an integer from 1 to " + std::to_string(kMaxWorkloadInferences) +
                " (the inference firmware's limit)");
  w.inferences = static_cast<int>(n);
  // Indices run over the network's test set; firmware of unknown networks takes 16-bit ones.
  const nn_network_t* golden = golden_network(w.network.c_str());
  const long long n_inputs = golden ? golden->n_inputs : 65536;
  const std::string index_range =
      "an input index from 0 to " + std::to_string(n_inputs - 1) +
      (golden ? " (" + w.network + " has " + std::to_string(n_inputs) + " test inputs)" : "");
  if (auto v = s.get("inputs")) {
    std::vector<Located> items;
    if (v->node.IsScalar()) {
      items.push_back(*v);
    } else if (v->node.IsSequence() && v->node.size() > 0) {
      if (v->node.size() > static_cast<size_t>(kMaxWorkloadInputs))
        s.fail("inputs", "expected at most " + std::to_string(kMaxWorkloadInputs) +
                             " input indices (the inference firmware's limit), got " +
                             std::to_string(v->node.size()));
      for (size_t i = 0; i < v->node.size(); ++i)
        items.push_back(Located{v->node[i], v->origin, v->context});
    } else {
      s.fail("inputs", "expected a non-empty list of input indices, e.g. [0, 1, 2], got " +
                           node_kind(v->node));
    }
    w.inputs.clear();
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string key = v->node.IsScalar() ? "inputs" : "inputs[" + std::to_string(i) + "]";
      const long long x = s.integer_of(key, items[i]);
      if (x < 0 || x >= n_inputs)
        s.fail_at(items[i], join_path(s.path(), key),
                  "expected " + index_range + ", got " + node_kind(items[i].node));
      w.inputs.push_back(static_cast<int>(x));
    }
  }
  Section df = *s.section("depth_first");
  df.check_keys({"max_slice_cycles"});
  if (auto cap = df.opt_quantity("max_slice_cycles", Unit::None)) {
    if (w.strategy != Strategy::DepthFirst || !w.firmware.empty())
      df.fail("max_slice_cycles",
              "applies to workload.strategy depth-first on a built-in "
              "network only (this run: " +
                  std::string(to_string(w.strategy)) + ")");
    df.require("max_slice_cycles", *cap >= 1 && *cap <= 1e12,
               "a number of cycles from 1 to 1e12 (e.g. 50000)");
    w.df_max_slice_cycles = *cap;
  }
  return w;
}

SlurmSpec parse_slurm(Section s) {
  SlurmSpec sl;
  s.check_keys({"time", "mem", "array_limit", "partition"});
  if (auto t = s.opt_string("time")) {
    // Slurm accepts minutes, MM:SS, HH:MM:SS, D-HH[:MM[:SS]].
    const bool ok = t->find_first_not_of("0123456789:-") == std::string::npos;
    s.require("time", ok, "a Slurm time limit such as 04:00:00, 1-00:00:00 or 90 (minutes)");
    sl.time = *t;
  }
  if (auto m = s.opt_string("mem")) {
    const bool ok = !m->empty() && std::isdigit(static_cast<unsigned char>((*m)[0])) &&
                    m->find_first_not_of("0123456789KMGTkmgt") == std::string::npos;
    s.require("mem", ok, "a Slurm memory size such as 2G or 500M");
    sl.mem = *m;
  }
  const long long lim = s.integer("array_limit", sl.array_limit);
  s.require("array_limit", lim >= 0 && lim <= std::numeric_limits<int>::max(),
            "an integer from 0 to 2147483647 (0 = no limit)");
  sl.array_limit = static_cast<int>(lim);
  if (auto p = s.opt_string("partition")) sl.partition = *p;
  return sl;
}

}  // namespace

Config parse_config(const ConfigDocument& doc, const Overrides& overrides) {
  Ctx ctx{doc, overrides, {}};
  Located root{doc.root, "", ""};
  Section top(ctx, "", root, root);
  top.check_keys({"name", "seed", "time_limit", "baseline", "outputs", "platform", "source",
                  "workload", "sweep", "exclude", "slurm"});
  Config c;
  c.name = top.opt_string("name").value_or(fs::path(doc.file).stem().string());
  c.seed = top.integer("seed", c.seed);
  top.require("seed", c.seed >= 0, "an integer >= 0");
  c.time_limit_s = top.quantity("time_limit", Unit::Second, c.time_limit_s);
  top.require("time_limit", c.time_limit_s > 0 && std::isfinite(c.time_limit_s), "a time > 0");
  c.baseline = top.opt_enum("baseline", kStrategyNames).value_or(c.baseline);
  c.outputs = parse_outputs(*top.section("outputs"));
  c.platform = parse_platform(*top.section("platform"));
  c.source = parse_source(*top.section("source"));
  c.workload = parse_workload(*top.section("workload"));
  c.slurm = parse_slurm(*top.section("slurm"));
  // Overrides below a scalar key (e.g. seed.x) were never read.
  for (const auto& [p, ov] : overrides)
    if (!ctx.used.count(p))
      top.fail_at(ov.key, p,
                  "unknown key: '" + p.substr(p.rfind('.') + 1) + "' is not a key of this config");
  return c;
}

// ---- JSON -----------------------------------------------------------------------------------

namespace {

json num(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}
double num_from(const json& j) {
  if (j.is_string()) {
    const auto s = j.get<std::string>();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    throw std::invalid_argument("expected a number, got '" + s + "'");
  }
  return j.get<double>();
}

template <typename E, size_t N>
E enum_from_json(const EnumName<E> (&names)[N], const json& j) {
  auto e = enum_from_string(names, j.get<std::string>());
  if (!e) throw std::invalid_argument("bad enum value '" + j.get<std::string>() + "'");
  return *e;
}

}  // namespace

json to_json_value(const Config& c) {
  json curve = json::array();
  for (const auto& [dbm, eff] : c.source.harvester.efficiency_curve) curve.push_back({dbm, eff});
  json em = json::object();
  for (const auto& [k, v] : c.platform.energy_model) em[k] = num(v);
  const auto& h = c.source.harvester;
  json j = {
      {"name", c.name},
      {"seed", c.seed},
      {"time_limit_s", num(c.time_limit_s)},
      {"baseline", to_string(c.baseline)},
      {"outputs",
       {{"waves_vcd", c.outputs.waves_vcd},
        {"timeline_csv", c.outputs.timeline_csv},
        {"profile", c.outputs.profile},
        {"timeline_decimation_s", c.outputs.timeline_decimation_s}}},
      {"platform",
       {{"mclk_hz", c.platform.mclk_hz},
        {"nvm",
         {{"kind", to_string(c.platform.nvm.kind)},
          {"spi_clock_hz", c.platform.nvm.spi_clock_hz},
          {"extra_read_wait_states", c.platform.nvm.extra_read_wait_states},
          {"extra_write_wait_states", c.platform.nvm.extra_write_wait_states},
          {"extra_read_energy_j", c.platform.nvm.extra_read_energy_j},
          {"extra_write_energy_j", c.platform.nvm.extra_write_energy_j}}},
        {"capacitor",
         {{"capacitance_f", c.platform.capacitor.capacitance_f},
          {"v_initial", c.platform.capacitor.v_initial},
          {"leakage_r_ohm", num(c.platform.capacitor.leakage_r_ohm)},
          {"v_max", num(c.platform.capacitor.v_max)}}},
        {"supervisor",
         {{"v_on", c.platform.supervisor.v_on}, {"v_off", c.platform.supervisor.v_off}}},
        {"energy_model", em}}},
      {"source",
       {{"type", to_string(c.source.type)},
        {"file", c.source.file},
        {"loop", c.source.loop},
        {"offset_s", c.source.offset_s},
        {"time_scale", c.source.time_scale},
        {"harvester",
         {{"model", to_string(h.model)},
          {"scale", h.scale},
          {"efficiency_curve", curve},
          {"cell", to_string(h.cell)},
          {"area_m2", h.area_m2},
          {"efficiency", h.efficiency},
          {"lux_to_w_per_m2", h.lux_to_w_per_m2},
          {"converter_efficiency", h.converter_efficiency},
          {"v_source", h.v_source},
          {"r_series_ohm", h.r_series_ohm}}},
        {"power_w", c.source.power_w ? json(*c.source.power_w) : json()},
        {"current_a", c.source.current_a ? json(*c.source.current_a) : json()},
        {"t_on_s", c.source.t_on_s},
        {"t_off_s", c.source.t_off_s},
        {"mean_on_cycles", c.source.mean_on_cycles},
        {"off_time_s", c.source.off_time_s}}},
      {"workload",
       {{"network", c.workload.network},
        {"firmware", c.workload.firmware},
        {"strategy", to_string(c.workload.strategy)},
        {"kernel", to_string(c.workload.kernel)},
        {"inferences", c.workload.inferences},
        {"inputs", c.workload.inputs}}},
      {"slurm",
       {{"time", c.slurm.time},
        {"mem", c.slurm.mem},
        {"array_limit", c.slurm.array_limit},
        {"partition", c.slurm.partition}}},
  };
  // Only when set, so the spec digests of every other run stay what they were.
  if (c.workload.df_max_slice_cycles > 0)
    j["workload"]["depth_first"] = {{"max_slice_cycles", c.workload.df_max_slice_cycles}};
  return j;
}

Config config_from_json(const json& j) {
  Config c;
  c.name = j.at("name").get<std::string>();
  c.seed = j.at("seed").get<long long>();
  c.time_limit_s = num_from(j.at("time_limit_s"));
  c.baseline = enum_from_json(kStrategyNames, j.at("baseline"));
  const json& o = j.at("outputs");
  c.outputs.waves_vcd = o.at("waves_vcd").get<bool>();
  c.outputs.timeline_csv = o.at("timeline_csv").get<bool>();
  c.outputs.profile = o.value("profile", false);  // absent in specs of older versions
  c.outputs.timeline_decimation_s = num_from(o.at("timeline_decimation_s"));
  const json& p = j.at("platform");
  c.platform.mclk_hz = num_from(p.at("mclk_hz"));
  if (p.contains("nvm")) {  // RunSpec files written before platform.nvm existed lack it
    const json& n = p.at("nvm");
    c.platform.nvm.kind = enum_from_string(kNvmKindNames, n.at("kind").get<std::string>())
                              .value_or(NvmKind::Internal);
    c.platform.nvm.spi_clock_hz = num_from(n.at("spi_clock_hz"));
    c.platform.nvm.extra_read_wait_states = n.at("extra_read_wait_states").get<int>();
    c.platform.nvm.extra_write_wait_states = n.at("extra_write_wait_states").get<int>();
    c.platform.nvm.extra_read_energy_j = num_from(n.at("extra_read_energy_j"));
    c.platform.nvm.extra_write_energy_j = num_from(n.at("extra_write_energy_j"));
  }
  const json& cap = p.at("capacitor");
  c.platform.capacitor.capacitance_f = num_from(cap.at("capacitance_f"));
  c.platform.capacitor.v_initial = num_from(cap.at("v_initial"));
  c.platform.capacitor.leakage_r_ohm = num_from(cap.at("leakage_r_ohm"));
  c.platform.capacitor.v_max = num_from(cap.at("v_max"));
  c.platform.supervisor.v_on = num_from(p.at("supervisor").at("v_on"));
  c.platform.supervisor.v_off = num_from(p.at("supervisor").at("v_off"));
  for (const auto& [k, v] : p.at("energy_model").items()) c.platform.energy_model[k] = num_from(v);
  const json& s = j.at("source");
  c.source.type = enum_from_json(kSourceTypeNames, s.at("type"));
  c.source.file = s.at("file").get<std::string>();
  c.source.loop = s.at("loop").get<bool>();
  c.source.offset_s = s.value("offset_s", 0.0);
  c.source.time_scale = s.value("time_scale", 1.0);
  const json& h = s.at("harvester");
  auto& hv = c.source.harvester;
  hv.model = enum_from_json(kHarvesterNames, h.at("model"));
  hv.scale = num_from(h.at("scale"));
  for (const auto& pt : h.at("efficiency_curve"))
    hv.efficiency_curve.emplace_back(num_from(pt.at(0)), num_from(pt.at(1)));
  hv.cell = enum_from_json(kSolarCellNames, h.at("cell"));
  hv.area_m2 = num_from(h.at("area_m2"));
  hv.efficiency = num_from(h.at("efficiency"));
  hv.lux_to_w_per_m2 = num_from(h.at("lux_to_w_per_m2"));
  hv.converter_efficiency = num_from(h.at("converter_efficiency"));
  hv.v_source = num_from(h.at("v_source"));
  hv.r_series_ohm = num_from(h.at("r_series_ohm"));
  if (!s.at("power_w").is_null()) c.source.power_w = num_from(s.at("power_w"));
  if (!s.at("current_a").is_null()) c.source.current_a = num_from(s.at("current_a"));
  c.source.t_on_s = num_from(s.at("t_on_s"));
  c.source.t_off_s = num_from(s.at("t_off_s"));
  c.source.mean_on_cycles = num_from(s.at("mean_on_cycles"));
  c.source.off_time_s = num_from(s.at("off_time_s"));
  const json& w = j.at("workload");
  c.workload.network = w.at("network").get<std::string>();
  c.workload.firmware = w.at("firmware").get<std::string>();
  c.workload.strategy = enum_from_json(kStrategyNames, w.at("strategy"));
  c.workload.kernel = w.contains("kernel") ? enum_from_json(kKernelNames, w.at("kernel"))
                                           : default_kernel(c.workload.strategy);
  c.workload.inferences = w.at("inferences").get<int>();
  c.workload.inputs = w.at("inputs").get<std::vector<int>>();
  if (w.contains("depth_first"))
    c.workload.df_max_slice_cycles = w.at("depth_first").at("max_slice_cycles").get<double>();
  const json& sl = j.at("slurm");
  c.slurm.time = sl.at("time").get<std::string>();
  c.slurm.mem = sl.at("mem").get<std::string>();
  c.slurm.array_limit = sl.at("array_limit").get<int>();
  c.slurm.partition = sl.at("partition").get<std::string>();
  return c;
}

}  // namespace ipsim
