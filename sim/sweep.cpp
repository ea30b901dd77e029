#include "sim/sweep.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "sim/results.h"

namespace ipsim {

namespace fs = std::filesystem;
using nlohmann::json;

json run_spec_to_json(const RunSpec& spec) {
  json params = json::array();
  for (const auto& [k, v] : spec.params) params.push_back({k, v});
  return {{"index", spec.index},
          {"name", spec.name},
          {"params", params},
          {"artifact_dir", spec.artifact_dir},
          {"config", to_json_value(spec.config)}};
}

RunSpec run_spec_from_json(const json& j) {
  RunSpec s;
  s.index = j.at("index").get<int>();
  s.name = j.at("name").get<std::string>();
  for (const auto& p : j.at("params"))
    s.params.emplace_back(p.at(0).get<std::string>(), p.at(1).get<std::string>());
  s.artifact_dir = j.at("artifact_dir").get<std::string>();
  s.config = config_from_json(j.at("config"));
  return s;
}

// ---- the specs file -------------------------------------------------------------------------

namespace {

// specs.index: a header, then one record for the echo and one per run, in run order. Fixed
// widths, so that record i is found by arithmetic.
constexpr const char* kIndexMagic = "ipsim-specs-index 1";
constexpr size_t kIndexHeaderBytes = 20 + 16 + 16;  // magic, ' ', runs, ' ', specs size, '\n'
constexpr size_t kIndexRecordBytes = 16 + 16;       // offset, ' ', length, '\n'

std::string index_header(size_t runs, size_t specs_bytes) {
  char buf[kIndexHeaderBytes + 1];
  std::snprintf(buf, sizeof buf, "%s %015zu %015zu\n", kIndexMagic, runs, specs_bytes);
  return buf;
}

std::string index_record(size_t offset, size_t length) {
  char buf[kIndexRecordBytes + 1];
  std::snprintf(buf, sizeof buf, "%015zu %015zu\n", offset, length);
  return buf;
}

// Reads `length` bytes at `offset`; false if the file is shorter.
bool read_range(std::ifstream& in, size_t offset, size_t length, std::string* out) {
  out->assign(length, '\0');
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(out->data(), static_cast<std::streamsize>(length));
  return in && static_cast<size_t>(in.gcount()) == length;
}

// The specs file's index, when it exists and describes this file: runs, and a reader of the
// records. Any mismatch makes the caller parse the whole file instead.
class SpecsIndex {
 public:
  SpecsIndex(const std::string& specs_path)
      : m_specs(specs_path, std::ios::binary),
        m_index(specs_index_path(specs_path), std::ios::binary) {
    std::string header;
    if (!m_specs || !m_index || !read_range(m_index, 0, kIndexHeaderBytes, &header)) return;
    size_t runs = 0, bytes = 0;
    char magic[32] = {};
    char ver[8] = {};
    if (std::sscanf(header.c_str(), "%17s %7s %zu %zu", magic, ver, &runs, &bytes) != 4 ||
        header != index_header(runs, bytes))
      return;
    std::error_code ec;
    if (fs::file_size(specs_path, ec) != bytes || ec) return;
    m_runs = runs;
    m_valid = true;
  }
  bool valid() const { return m_valid; }
  size_t runs() const { return m_runs; }
  // Record 0 is the echo, record i + 1 run i. nullopt when the record or its text is not
  // what the index says.
  std::optional<json> record(size_t r) {
    std::string rec, text;
    size_t offset = 0, length = 0;
    if (!read_range(m_index, kIndexHeaderBytes + r * kIndexRecordBytes, kIndexRecordBytes, &rec) ||
        std::sscanf(rec.c_str(), "%zu %zu", &offset, &length) != 2 ||
        rec != index_record(offset, length) || offset == 0 ||
        !read_range(m_specs, offset - 1, length + 1, &text) || text[0] != '\n' || text[1] != '{')
      return std::nullopt;
    json j = json::parse(text.begin() + 1, text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
  }

 private:
  std::ifstream m_specs, m_index;
  size_t m_runs = 0;
  bool m_valid = false;
};

json parse_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read");
  return json::parse(in);
}

}  // namespace

std::string specs_index_path(const std::string& specs_path) {
  return fs::path(specs_path).replace_extension(".index").string();
}

void write_specs_file(const std::string& path, const json& echo, const std::vector<RunSpec>& runs) {
  // The echo and every run on a line of their own (compact), each one record of the index.
  std::string text = "{\"config\":\n";
  std::string index;
  index.reserve(kIndexHeaderBytes + (runs.size() + 1) * kIndexRecordBytes);
  auto add = [&](const std::string& item) {
    index += index_record(text.size(), item.size());
    text += item;
  };
  add(json_text(echo));
  text += ",\n\"runs\": [";
  for (size_t i = 0; i < runs.size(); ++i) {
    text += i ? ",\n" : "\n";
    add(json_text(run_spec_to_json(runs[i])));
  }
  text += "\n]}\n";
  // The specs first: a reader that sees the new specs with the old index notices (size,
  // record boundaries, run index) and parses the whole file.
  write_file_atomic(path, text);
  write_file_atomic(specs_index_path(path), index_header(runs.size(), text.size()) + index);
}

std::optional<RunSpec> read_spec_at(const std::string& path, int index) {
  if (index < 0) return std::nullopt;
  SpecsIndex idx(path);
  if (idx.valid()) {
    if (static_cast<size_t>(index) >= idx.runs()) return std::nullopt;
    if (auto r = idx.record(static_cast<size_t>(index) + 1);
        r && r->contains("index") && (*r)["index"] == index)
      return run_spec_from_json(*r);
  }
  const json j = parse_whole(path);
  for (const auto& r : j.at("runs"))
    if (r.at("index").get<int>() == index) return run_spec_from_json(r);
  return std::nullopt;
}

SpecsFile read_specs_file(const std::string& path) {
  SpecsIndex idx(path);
  if (idx.valid()) {
    SpecsFile s;
    bool ok = true;
    if (auto c = idx.record(0))
      s.config = std::move(*c);
    else
      ok = false;
    for (size_t i = 0; ok && i < idx.runs(); ++i) {
      auto r = idx.record(i + 1);
      ok = r && r->contains("index") && (*r)["index"] == i;
      if (ok) s.runs.push_back(run_spec_from_json(*r));
    }
    if (ok) return s;
  }
  const json j = parse_whole(path);
  SpecsFile s;
  s.config = j.value("config", json());
  for (const auto& r : j.at("runs")) s.runs.push_back(run_spec_from_json(r));
  return s;
}

std::string sanitize_name(const std::string& text) {
  std::string out;
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    out.push_back(std::isalnum(c) || ch == '.' || ch == '_' || ch == '+' || ch == '-' ? ch : '_');
  }
  if (out.empty()) out = "run";
  if (out[0] == '.') out[0] = '_';  // no hidden files
  if (out.size() > 120) out.resize(120);
  return out;
}

namespace {

// Unit of a sweepable key, by its last path segment.
Unit key_unit(const std::string& key) {
  static const std::map<std::string, Unit> kUnits = {{"capacitance", Unit::Farad},
                                                     {"initial_voltage", Unit::Volt},
                                                     {"max_voltage", Unit::Volt},
                                                     {"v_on", Unit::Volt},
                                                     {"v_off", Unit::Volt},
                                                     {"v_source", Unit::Volt},
                                                     {"leakage_resistance", Unit::Ohm},
                                                     {"r_series", Unit::Ohm},
                                                     {"mclk", Unit::Hertz},
                                                     {"time_limit", Unit::Second},
                                                     {"t_on", Unit::Second},
                                                     {"t_off", Unit::Second},
                                                     {"off_time", Unit::Second},
                                                     {"timeline_decimation", Unit::Second},
                                                     {"power", Unit::Watt},
                                                     {"current", Unit::Ampere}};
  const std::string leaf = key.substr(key.rfind('.') + 1);
  if (auto it = kUnits.find(leaf); it != kUnits.end()) return it->second;
  for (const auto& c : kEnergyCoefficients)
    if (leaf == c.name) return c.unit;
  return Unit::None;
}

bool is_number(const std::string& s) {
  return parse_quantity(s, Unit::None).has_value();
}

}  // namespace

std::string value_label(const std::string& key, const YAML::Node& value) {
  const std::string leaf = key.substr(key.rfind('.') + 1);
  if (value.IsSequence()) {
    std::string joined;
    for (size_t i = 0; i < value.size(); ++i)
      joined += (i ? "_" : "") + (value[i].IsScalar() ? value[i].Scalar() : std::string("x"));
    return sanitize_name(leaf + joined);
  }
  if (value.IsMap()) {
    // A whole section (e.g. one energy source): name it by what tells its values apart.
    if (value["name"] && value["name"].IsScalar()) return sanitize_name(value["name"].Scalar());
    if (value["file"] && value["file"].IsScalar())
      return sanitize_name(fs::path(value["file"].Scalar()).stem().string());
    if (value["type"] && value["type"].IsScalar()) return sanitize_name(value["type"].Scalar());
    // Otherwise its scalar values, in order ({strategy: hawaii, kernel: lea-fir}: hawaii_lea-fir).
    std::string joined;
    for (const auto& kv : value)
      if (kv.second.IsScalar()) joined += (joined.empty() ? "" : "_") + kv.second.Scalar();
    if (!joined.empty()) return sanitize_name(joined);
  }
  if (!value.IsScalar()) return sanitize_name(leaf);
  const std::string s = value.Scalar();
  if (leaf == "file" || leaf == "firmware") return sanitize_name(fs::path(s).stem().string());
  const Unit unit = key_unit(key);
  if (unit != Unit::None) {
    if (auto q = parse_quantity(s, unit)) return sanitize_name(format_quantity(*q, unit));
  }
  if (is_number(s) || s == "true" || s == "false") return sanitize_name(leaf + s);
  return sanitize_name(s);
}

namespace {

// A YAML value as JSON, scalars as written (for the echo).
json yaml_to_json(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  if (n.IsSequence()) {
    json a = json::array();
    for (const auto& v : n) a.push_back(yaml_to_json(v));
    return a;
  }
  if (n.IsMap()) {
    json o = json::object();
    for (const auto& kv : n) o[kv.first.Scalar()] = yaml_to_json(kv.second);
    return o;
  }
  return nullptr;
}

}  // namespace

json Experiment::echo() const {
  json sweep = json::object();
  for (const auto& a : axes) sweep[a.key] = a.labels;
  json exclude = json::array();
  for (const auto& e : exclusions) {
    json entry = json::object();
    for (const auto& k : e.keys) entry[k.path] = yaml_to_json(k.value.node);
    exclude.push_back(entry);
  }
  return {{"file", fs::absolute(file).lexically_normal().string()},
          {"name", name},
          {"set", sets},
          {"sweep", sweep},
          {"exclude", exclude},
          {"excluded", excluded},
          {"baseline", to_string(baseline)},
          {"runs", runs.size()}};
}

namespace {

// A dotted key path: no empty part.
bool valid_key_path(const std::string& key) {
  return !key.empty() && key.front() != '.' && key.back() != '.' &&
         key.find("..") == std::string::npos;
}

// One axis from a YAML list (or a single scalar via --set) at `where`.
SweepAxis make_axis(const ConfigDocument& doc, const std::string& key, const Located& key_at,
                    const Located& list) {
  SweepAxis axis;
  axis.key = key;
  auto fail = [&](const Located& at, const std::string& msg) {
    throw ConfigError(where(doc, at) + ": sweep." + key + ": " + msg);
  };
  if (!valid_key_path(key)) fail(key_at, "expected a dotted key path such as workload.strategy");
  const std::string first = key.substr(0, key.find('.'));
  if (first == "sweep" || first == "name" || first == "slurm" || first == "exclude")
    fail(key_at, "'" + first +
                     "' cannot be swept; expected a key such as workload.strategy or "
                     "platform.capacitor.capacitance");
  if (list.node.IsSequence()) {
    if (list.node.size() == 0) fail(list, "expected a non-empty list of values, got an empty list");
    for (size_t i = 0; i < list.node.size(); ++i)
      axis.values.push_back(Located{list.node[i], list.origin, ""});
  } else if (list.node.IsScalar()) {
    axis.values.push_back(list);  // a single value: an axis of one
  } else {
    fail(list, "expected a list of values, e.g. [sonic, hawaii], got " +
                   std::string(list.node.IsMap() ? "a mapping (write nested keys dotted: a.b.c)"
                                                 : "nothing"));
  }
  for (size_t i = 0; i < axis.values.size(); ++i)
    axis.values[i].context =
        "(sweep value " + std::to_string(i + 1) + " of " + std::to_string(axis.values.size()) + ")";
  // Labels must be distinct within an axis (two files with the same stem, 1e-4 vs 100uF).
  std::map<std::string, int> seen;
  for (const auto& v : axis.values) {
    std::string label = value_label(key, v.node);
    if (int n = ++seen[label]; n > 1) label += "_" + std::to_string(n);
    axis.labels.push_back(label);
  }
  axis.key_at = key_at;
  axis.key_at.context = "(in sweep)";
  return axis;
}

// True if `prefix` is `key` or a dotted ancestor of it (workload covers workload.strategy).
bool covers(const std::string& prefix, const std::string& key) {
  return key.size() >= prefix.size() && key.compare(0, prefix.size(), prefix) == 0 &&
         (key.size() == prefix.size() || key[prefix.size()] == '.');
}

// `node` below the dotted `path` (relative), an undefined node if absent.
YAML::Node descend(const YAML::Node& node, const std::string& path) {
  YAML::Node cur;
  cur.reset(node);
  size_t pos = 0;
  while (pos < path.size()) {
    const size_t dot = std::min(path.find('.', pos), path.size());
    if (!cur.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    const YAML::Node child = cur[path.substr(pos, dot - pos)];
    if (!child) return YAML::Node(YAML::NodeType::Undefined);
    cur.reset(child);
    pos = dot + 1;
  }
  return cur;
}

// Whether a run's value of `key` is the excluded one: scalars as written, or equal as
// quantities of the key's unit (1e-4 and 100uF), lists element by element.
bool value_matches(const std::string& key, const YAML::Node& want, const YAML::Node& got) {
  if (!got || got.IsNull()) return false;
  if (want.IsSequence()) {
    if (!got.IsSequence() || got.size() != want.size()) return false;
    for (size_t i = 0; i < want.size(); ++i)
      if (!value_matches(key, want[i], got[i])) return false;
    return true;
  }
  if (!got.IsScalar()) return false;
  if (want.Scalar() == got.Scalar()) return true;
  const Unit unit = key_unit(key);
  const auto a = parse_quantity(want.Scalar(), unit), b = parse_quantity(got.Scalar(), unit);
  return a && b && (*a == *b || std::abs(*a - *b) <= 1e-12 * std::max(std::abs(*a), std::abs(*b)));
}

// One `exclude` entry (a mapping) flattened into dotted keys, checked for shape.
SweepExclusion make_exclusion(const ConfigDocument& doc, const Located& entry, size_t n,
                              size_t of) {
  SweepExclusion ex;
  ex.at = entry;
  ex.at.context = "(exclude entry " + std::to_string(n) + " of " + std::to_string(of) + ")";
  const std::string label = "exclude[" + std::to_string(n) + "]";
  if (!entry.node.IsMap() || entry.node.size() == 0)
    throw ConfigError(where(doc, entry) + ": " + label +
                      ": expected a mapping of dotted key: value, e.g. {workload.strategy: "
                      "sonic, platform.nvm.kind: spi-fram}, got " +
                      (entry.node.IsMap() ? std::string("an empty mapping")
                       : entry.node.IsSequence()
                           ? "a list"
                           : "'" + (entry.node.IsScalar() ? entry.node.Scalar() : "") + "'"));
  std::function<void(const std::string&, const YAML::Node&, const YAML::Node&)> add =
      [&](const std::string& key, const YAML::Node& key_node, const YAML::Node& value) {
        const Located at{key_node, entry.origin, ""};
        auto fail = [&](const std::string& msg) {
          throw ConfigError(where(doc, at) + ": exclude." + key + ": " + msg);
        };
        if (!valid_key_path(key)) fail("expected a dotted key path such as workload.strategy");
        if (value.IsMap()) {
          if (value.size() == 0)
            fail("expected a value or a mapping of sub-keys, got an empty mapping");
          for (const auto& kv : value) add(key + "." + kv.first.Scalar(), kv.first, kv.second);
          return;
        }
        if (!value.IsScalar() && !value.IsSequence()) fail("expected a value, got nothing");
        for (const auto& k : ex.keys)
          if (k.path == key) fail("expected each key once in an entry, got it twice");
        ex.keys.push_back({key, Located{value, entry.origin, ""}, at});
      };
  for (const auto& kv : entry.node) add(kv.first.Scalar(), kv.first, kv.second);
  return ex;
}

}  // namespace

Experiment expand_experiment(const ConfigDocument& doc, const std::vector<std::string>& sets) {
  Experiment ex;
  ex.file = doc.file;
  ex.sets = sets;

  // --set arguments: plain keys override the file; sweep.KEY replaces or adds an axis.
  Overrides base;
  std::vector<std::pair<std::string, std::pair<Located, Located>>> set_axes;  // key, (key, list)
  // reset(), not operator=: assigning to a Node writes through to the document.
  YAML::Node sweep_root;
  if (const YAML::Node& root = doc.root; root["sweep"]) sweep_root.reset(root["sweep"]);
  Located sweep_at{sweep_root, "", ""};
  YAML::Node exclude_root;
  if (const YAML::Node& root = doc.root; root["exclude"]) exclude_root.reset(root["exclude"]);
  Located exclude_at{exclude_root, "", ""};
  bool sweep_replaced = false;  // by --set sweep=...
  for (const std::string& arg : sets) {
    const std::string origin = "--set " + arg;
    const auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ConfigError(origin + ": expected key=value, e.g. --set workload.inferences=3");
    std::string key = arg.substr(0, eq);
    while (!key.empty() && key.back() == ' ') key.pop_back();
    const YAML::Node value = parse_yaml_value(arg.substr(eq + 1), origin);
    Located at{value, origin, ""};
    if (key == "sweep") {
      if (!value.IsNull() && !value.IsMap())
        throw ConfigError(origin + ": sweep: expected a mapping of key: [values], or null");
      sweep_root.reset(value);
      sweep_at = at;
      set_axes.clear();
      sweep_replaced = true;
    } else if (key == "exclude") {
      if (!value.IsNull() && !value.IsSequence())
        throw ConfigError(origin + ": exclude: expected a list of {key: value} entries, or null");
      exclude_root.reset(value);
      exclude_at = at;
    } else if (key.rfind("sweep.", 0) == 0) {
      set_axes.push_back({key.substr(6), {at, at}});
    } else {
      base[key] = Override{at, at};
    }
  }

  // Axes from the file (or the --set sweep mapping), in order.
  if (sweep_root && !sweep_root.IsNull()) {
    if (!sweep_root.IsMap())
      throw ConfigError(where(doc, sweep_at) +
                        ": sweep: expected a mapping of dotted key: [values], e.g. "
                        "workload.strategy: [sonic, hawaii]");
    for (const auto& kv : sweep_root)
      ex.axes.push_back(make_axis(doc, kv.first.Scalar(), Located{kv.first, sweep_at.origin, ""},
                                  Located{kv.second, sweep_at.origin, ""}));
  }
  for (const auto& [key, at] : set_axes) {
    SweepAxis axis = make_axis(doc, key, at.first, at.second);
    bool replaced = false;
    for (auto& a : ex.axes)
      if (a.key == key) a = axis, replaced = true;
    if (!replaced) ex.axes.push_back(axis);
  }
  // A --set of a swept key pins it: the axis goes away.
  for (auto it = ex.axes.begin(); it != ex.axes.end();)
    it = base.count(it->key) ? ex.axes.erase(it) : it + 1;

  size_t total = 1;
  for (const auto& a : ex.axes) {
    total *= a.values.size();
    if (total > kMaxRuns)
      throw ConfigError(doc.file + ": sweep: the cross product has more than " +
                        std::to_string(kMaxRuns) + " runs; split the experiment");
  }

  // Exclusions: each key must be one that the sweep varies (an axis, a key below a section
  // axis, or a section above axes), or one that a --set pins.
  std::vector<std::string> known;  // axis keys of the file and of --set, and pinned keys
  if (const YAML::Node& fs_ = doc.root["sweep"]; fs_ && fs_.IsMap())
    for (const auto& kv : fs_)
      if (kv.first.IsScalar()) known.push_back(kv.first.Scalar());
  for (const auto& a : ex.axes) known.push_back(a.key);
  for (const auto& [k, ov] : base) known.push_back(k);
  if (exclude_root && !exclude_root.IsNull()) {
    if (!exclude_root.IsSequence())
      throw ConfigError(where(doc, exclude_at) +
                        ": exclude: expected a list of {key: value} entries, e.g. "
                        "- {workload.strategy: sonic, platform.nvm.kind: spi-fram}");
    for (size_t i = 0; i < exclude_root.size(); ++i) {
      SweepExclusion e = make_exclusion(doc, Located{exclude_root[i], exclude_at.origin, ""}, i + 1,
                                        exclude_root.size());
      for (const auto& k : e.keys) {
        bool ok = false;
        for (const auto& kn : known) ok = ok || covers(kn, k.path) || covers(k.path, kn);
        if (!ok) {
          std::string list;
          for (const auto& a : ex.axes) list += (list.empty() ? "" : ", ") + a.key;
          throw ConfigError(where(doc, k.at) + ": exclude." + k.path +
                            ": expected a key that the sweep varies (" +
                            (list.empty() ? std::string("the sweep has no axes") : list) +
                            "), got '" + k.path + "'");
        }
      }
      ex.exclusions.push_back(std::move(e));
    }
  }
  // A run's value of an excluded key: the most specific axis or --set that covers it (the one
  // parse_config applies), else the file.
  auto run_value = [&](const std::string& key, const std::vector<size_t>& pick) {
    size_t best = 0;
    YAML::Node from;
    for (size_t a = 0; a < ex.axes.size(); ++a)
      if (covers(ex.axes[a].key, key) && ex.axes[a].key.size() >= best) {
        best = ex.axes[a].key.size();
        from.reset(
            descend(ex.axes[a].values[pick[a]].node, key.substr(std::min(best + 1, key.size()))));
      }
    for (const auto& [k, ov] : base)
      if (covers(k, key) && k.size() >= best) {
        best = k.size();
        from.reset(descend(ov.value.node, key.substr(std::min(best + 1, key.size()))));
      }
    if (best == 0) from.reset(descend(doc.root, key));
    return from;
  };

  std::set<std::string> names;
  for (size_t index = 0; index < total; ++index) {
    Overrides ov = base;
    RunSpec spec;
    spec.index = static_cast<int>(ex.runs.size());
    std::vector<std::string> labels;
    // The first axis varies slowest: index is a mixed-radix number, last axis least significant.
    size_t rest = index;
    std::vector<size_t> pick(ex.axes.size());
    for (size_t a = ex.axes.size(); a-- > 0;) {
      pick[a] = rest % ex.axes[a].values.size();
      rest /= ex.axes[a].values.size();
    }
    // Dropped before parse_config: an entry may name a combination that is refused.
    bool drop = false;
    for (auto& e : ex.exclusions) {
      bool all = true;
      for (const auto& k : e.keys) {
        const YAML::Node got = run_value(k.path, pick);
        all = all && value_matches(k.path, k.value.node, got);
      }
      if (all) ++e.matched, drop = true;
    }
    if (drop) {
      ++ex.excluded;
      continue;
    }
    for (size_t a = 0; a < ex.axes.size(); ++a) {
      const SweepAxis& axis = ex.axes[a];
      ov[axis.key] = Override{axis.values[pick[a]], axis.key_at};
      spec.params.emplace_back(axis.key, axis.labels[pick[a]]);
      labels.push_back(axis.labels[pick[a]]);
    }
    spec.config = parse_config(doc, ov);
    std::string name;
    for (const auto& l : labels) name += (name.empty() ? "" : "-") + l;
    if (name.empty()) name = spec.config.name;
    name = sanitize_name(name);
    if (names.count(name)) name = sanitize_name(name + "-" + std::to_string(spec.index));
    names.insert(name);
    spec.name = name;
    ex.runs.push_back(std::move(spec));
  }
  // An entry of the file that matches nothing is a typo, unless a --set changed the sweep or
  // pinned or re-swept a key it names (then it may simply not apply).
  for (const auto& e : ex.exclusions) {
    if (e.matched) continue;
    const bool from_file = exclude_at.origin.empty();  // not from --set exclude=...
    bool narrowed = sweep_replaced;
    for (const auto& k : e.keys) {
      for (const auto& [key, at] : set_axes)
        narrowed = narrowed || covers(key, k.path) || covers(k.path, key);
      for (const auto& [key, ov] : base)
        narrowed = narrowed || covers(key, k.path) || covers(k.path, key);
    }
    if (from_file && narrowed) continue;
    std::string text;
    for (const auto& k : e.keys)
      text += (text.empty() ? "" : ", ") + k.path + ": " + yaml_to_json(k.value.node).dump();
    throw ConfigError(where(doc, e.at) + ": exclude: expected an entry that matches a run of the " +
                      "sweep, got one that matches none ({" + text + "}) " + e.at.context);
  }
  if (ex.runs.empty()) {
    std::string by;
    for (const auto& e : ex.exclusions)
      if (e.matched) by += (by.empty() ? "" : ", ") + where(doc, e.at);
    throw ConfigError(where(doc, exclude_at) +
                      ": exclude: expected a sweep with runs left, got every run excluded (by " +
                      by + ")");
  }
  ex.name = ex.runs.front().config.name;
  ex.baseline = ex.runs.front().config.baseline;
  ex.slurm = ex.runs.front().config.slurm;
  return ex;
}

Experiment load_experiment(const std::string& path, const std::vector<std::string>& sets) {
  return expand_experiment(load_config_document(path), sets);
}

}  // namespace ipsim
