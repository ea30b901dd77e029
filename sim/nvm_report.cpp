#include "sim/nvm_report.h"

#include <map>
#include <regex>

namespace ipsim {

namespace {

constexpr Initiator kInitiators[] = {Initiator::kCpu, Initiator::kDma, Initiator::kLea};

struct Tally {
  uint64_t read_bytes = 0, reads = 0, write_bytes = 0, writes = 0, fetch_bytes = 0, fetches = 0;
  void add(NvmOp op, const NvmCounters::Cell& c) {
    switch (op) {
      case NvmOp::kRead:
        read_bytes += c.bytes, reads += c.accesses;
        break;
      case NvmOp::kWrite:
        write_bytes += c.bytes, writes += c.accesses;
        break;
      case NvmOp::kFetch:
        fetch_bytes += c.bytes, fetches += c.accesses;
        break;
    }
  }
  bool empty() const { return !(reads || writes || fetches); }
  nlohmann::json json() const {
    return {{"read_bytes", read_bytes},   {"reads", reads},
            {"write_bytes", write_bytes}, {"writes", writes},
            {"fetch_bytes", fetch_bytes}, {"fetches", fetches}};
  }
};

constexpr NvmOp kOps[] = {NvmOp::kFetch, NvmOp::kRead, NvmOp::kWrite};

// Symbol-name rules, first match wins (kernels/strategies/*.c).
struct KindRule {
  const char* pattern;
  const char* kind;
};
const KindRule kKindRules[] = {
    {"^fmap_", "feature_maps"},                      // ping-pong feature maps (all strategies)
    {"_inter$|_acc$|psum|partial", "feature_maps"},  // partial sums (sonic, layerwise)
    {"^df_tile|^df_out", "feature_maps"},            // depth-first group outputs
    {"_done$|_state$|_fp$|_stage$|_sel$|_ctx|_i$|_boots$|footprint|progress", "progress"},
};

}  // namespace

const char* nvm_kind(const std::string& symbol) {
  static const std::vector<std::pair<std::regex, const char*>> rules = [] {
    std::vector<std::pair<std::regex, const char*>> r;
    for (const KindRule& k : kKindRules) r.emplace_back(std::regex(k.pattern), k.kind);
    return r;
  }();
  for (const auto& [re, kind] : rules)
    if (std::regex_search(symbol, re)) return kind;
  return "other";
}

nlohmann::json nvm_report(const Fram& fram, const ElfImage& image) {
  const NvmCounters& counters = fram.counters();
  const FramCache& cache = fram.cache();
  Tally total;
  nlohmann::json by_initiator = nlohmann::json::object();
  for (Initiator who : kInitiators) {
    Tally t;
    for (NvmOp op : kOps) t.add(op, counters.total(who, op));
    for (NvmOp op : kOps) total.add(op, counters.total(who, op));
    by_initiator[initiator_name(who)] = t.json();
  }

  // Walk the counted chunks of FRAM word by word once, attributing each word to the symbol
  // that covers it.
  std::map<std::string, Tally> by_symbol;
  const auto attribute = [&](uint32_t begin, uint32_t end) {
    for (uint32_t addr = begin; addr < end; addr += 2) {
      if (!counters.touched(addr)) {  // to the next chunk
        const uint32_t chunk = NvmCounters::kChunkBytes;
        addr = addr - (addr - NvmCounters::kBase) % chunk + chunk - 2;
        continue;
      }
      Tally word;
      for (Initiator who : kInitiators)
        for (NvmOp op : kOps) word.add(op, counters.at(who, op, addr));
      if (word.empty()) continue;
      std::string key;
      if (const ElfSymbol* s = image.symbol_at(addr))
        key = s->name;
      else {
        const std::string section = image.section_at(addr);
        key = "[" + (section.empty() ? std::string("unnamed") : section) + "]";
      }
      Tally& t = by_symbol[key];
      t.read_bytes += word.read_bytes, t.reads += word.reads;
      t.write_bytes += word.write_bytes, t.writes += word.writes;
      t.fetch_bytes += word.fetch_bytes, t.fetches += word.fetches;
    }
  };
  attribute(kInfoFramBegin, kInfoFramEnd);
  attribute(kFramBegin, kFramEnd);

  nlohmann::json symbols = nlohmann::json::object();
  std::map<std::string, Tally> by_kind = {{"feature_maps", {}}, {"progress", {}}, {"other", {}}};
  for (const auto& [name, t] : by_symbol) {
    symbols[name] = t.json();
    Tally& k = by_kind[nvm_kind(name)];
    k.read_bytes += t.read_bytes, k.reads += t.reads;
    k.write_bytes += t.write_bytes, k.writes += t.writes;
    k.fetch_bytes += t.fetch_bytes, k.fetches += t.fetches;
  }
  nlohmann::json kinds = nlohmann::json::object();
  for (const auto& [name, t] : by_kind) kinds[name] = t.json();

  nlohmann::json out = total.json();
  out["by_initiator"] = by_initiator;
  out["by_symbol"] = symbols;
  out["by_kind"] = kinds;
  out["cache"] = {
      {"hits", cache.hits()}, {"misses", cache.misses()}, {"dma_misses", fram.transport_misses()}};
  return out;
}

nlohmann::json spi_fram_report(const SpiFram& fram, const ElfImage& image) {
  Tally total;
  total.add(NvmOp::kRead, fram.total_reads());
  total.add(NvmOp::kWrite, fram.total_writes());
  std::map<std::string, Tally> by_symbol;
  for (uint32_t addr = 0; addr < SpiFram::kBytes; ++addr) {
    const SpiFram::Cell& r = fram.reads_at(addr);
    const SpiFram::Cell& w = fram.writes_at(addr);
    if (!(r.accesses || r.bytes || w.accesses || w.bytes)) continue;
    const ElfSymbol* s = image.symbol_at(SpiFram::kElfBase + addr);
    Tally& t = by_symbol[s ? s->name : std::string("[.spifram]")];
    t.add(NvmOp::kRead, r);
    t.add(NvmOp::kWrite, w);
  }
  nlohmann::json symbols = nlohmann::json::object();
  std::map<std::string, Tally> by_kind = {{"feature_maps", {}}, {"progress", {}}, {"other", {}}};
  for (const auto& [name, t] : by_symbol) {
    symbols[name] = t.json();
    Tally& k = by_kind[nvm_kind(name)];
    k.read_bytes += t.read_bytes, k.reads += t.reads;
    k.write_bytes += t.write_bytes, k.writes += t.writes;
  }
  nlohmann::json kinds = nlohmann::json::object();
  for (const auto& [name, t] : by_kind) kinds[name] = t.json();
  nlohmann::json out = total.json();
  out.erase("fetch_bytes");
  out.erase("fetches");
  out["by_symbol"] = symbols;
  out["by_kind"] = kinds;
  out["protocol_errors"] = fram.protocol_errors();
  out["characters"] = fram.characters();  // bytes clocked while selected
  return out;
}

}  // namespace ipsim
