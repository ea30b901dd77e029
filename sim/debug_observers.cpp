#include "sim/debug_observers.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "sim/platform.h"

namespace ipsim {

// ---- ObserverChain ----------------------------------------------------------------------

bool ObserverChain::before_insn(uint32_t pc, bool first) {
  bool stop = false;
  for (CoreObserver* o : m_list) stop |= o->before_insn(pc, first);
  return stop;
}
void ObserverChain::after_insn(uint32_t pc, uint64_t start_cycle, bool is_call) {
  for (CoreObserver* o : m_list) o->after_insn(pc, start_cycle, is_call);
}
void ObserverChain::on_interrupt(unsigned vector, uint32_t from_pc) {
  for (CoreObserver* o : m_list) o->on_interrupt(vector, from_pc);
}
bool ObserverChain::on_watch(uint32_t addr, unsigned size, bool write) {
  bool stop = false;
  for (CoreObserver* o : m_list) stop |= o->on_watch(addr, size, write);
  return stop;
}

// ---- InstructionTrace -------------------------------------------------------------------

namespace {
const char* const kRegNames[16] = {"PC", "SP", "SR",  "R3",  "R4",  "R5",  "R6",  "R7",
                                   "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"};
}

InstructionTrace::InstructionTrace(Msp430Core& core, std::string path, uint64_t limit)
    : m_core(core), m_path(std::move(path)), m_limit(limit) {
  m_file = std::fopen((m_path + ".tmp").c_str(), "w");
  if (!m_file) throw std::runtime_error("--trace " + m_path + ": cannot open for writing");
  std::fprintf(m_file, "# cycle PC instruction ; registers changed (hex)\n");
}

InstructionTrace::~InstructionTrace() {
  if (m_file) std::fclose(m_file);
}

bool InstructionTrace::full() {
  if (m_lines < m_limit) return false;
  if (!m_cut) {
    std::fprintf(m_file, "# trace limit of %" PRIu64 " instructions reached\n", m_limit);
    m_cut = true;
  }
  return true;
}

bool InstructionTrace::before_insn(uint32_t, bool) {
  if (m_lines < m_limit)
    for (unsigned r = 0; r < 16; ++r) m_before[r] = m_core.reg(r);
  return false;
}

void InstructionTrace::after_insn(uint32_t pc, uint64_t start_cycle, bool) {
  if (full()) return;
  ++m_lines;
  const Msp430Core::InsnInfo info = m_core.inspect(pc);
  std::fprintf(m_file, "%12" PRIu64 " %05X  %-34s", start_cycle, pc, info.text.c_str());
  bool any = false;
  for (unsigned r = 1; r < 16; ++r) {
    const uint32_t v = m_core.reg(r);
    if (v == m_before[r]) continue;
    std::fprintf(m_file, "%s %s=%05X", any ? "" : " ;", kRegNames[r], v);
    any = true;
  }
  // The PC always changes; say so only when it did not go to the next instruction.
  if (m_core.reg(0) != ((pc + info.length) & 0xFFFFF))
    std::fprintf(m_file, "%s PC=%05X", any ? "" : " ;", m_core.reg(0));
  std::fputc('\n', m_file);
}

void InstructionTrace::on_interrupt(unsigned vector, uint32_t from_pc) {
  if (full()) return;
  std::fprintf(m_file, "%12" PRIu64 " interrupt vector %u at PC %05X -> %05X\n", m_core.cycles(),
               vector, from_pc, m_core.reg(0));
}

void InstructionTrace::event(const char* what) {
  if (full()) return;
  std::fprintf(m_file, "%12" PRIu64 " %s (PC %05X)\n", m_core.cycles(), what, m_core.reg(0));
}

void InstructionTrace::finish() {
  if (!m_file) return;
  const bool ok = std::fflush(m_file) == 0 && !std::ferror(m_file);
  std::fclose(m_file);
  m_file = nullptr;
  if (!ok) throw std::runtime_error("--trace " + m_path + ": write failed");
  std::filesystem::rename(m_path + ".tmp", m_path);
}

// ---- Profiler ---------------------------------------------------------------------------

Profiler::Profiler(Platform& platform, const ElfImage& image) : m_platform(platform) {
  for (const ElfSymbol& s : image.symbols()) {
    if (!s.is_function || s.size == 0) continue;
    // Aliases (same start) keep the first name; overlapping symbols keep the outer one.
    if (!m_ranges.empty() && s.addr < m_ranges.back().second) continue;
    Row row;
    row.name = s.name;
    row.addr = s.addr;
    m_rows.push_back(row);
    m_ranges.push_back({s.addr, s.addr + s.size});
  }
  Row none;
  none.name = "<no symbol>";
  m_rows.push_back(none);
  m_active.assign(m_rows.size(), 0);
  m_slice_cycles.assign(m_rows.size(), 0);
  m_since_progress.assign(m_rows.size(), 0);
  m_last_func = static_cast<unsigned>(m_rows.size() - 1);
}

unsigned Profiler::function_at(uint32_t pc) {
  if (m_last_func < m_ranges.size() && pc >= m_ranges[m_last_func].first &&
      pc < m_ranges[m_last_func].second)
    return m_last_func;
  auto it = std::upper_bound(
      m_ranges.begin(), m_ranges.end(), pc,
      [](uint32_t a, const std::pair<uint32_t, uint32_t>& r) { return a < r.first; });
  unsigned f = static_cast<unsigned>(m_rows.size() - 1);
  if (it != m_ranges.begin() && pc < std::prev(it)->second)
    f = static_cast<unsigned>(std::prev(it) - m_ranges.begin());
  m_last_func = f;
  return f;
}

// Everything since the last booking (the instruction, DMA stalls, FRAM data traffic) goes to
// func.
void Profiler::book_cycles(unsigned func) {
  Msp430Core& core = m_platform.core();
  const uint64_t now = core.cycles();
  const uint64_t dc = now - m_last_cycles;
  m_last_cycles = now;
  Row& row = m_rows[func];
  row.cycles += dc;
  const NvmCounters& nvm = m_platform.fram().counters();
  const uint64_t rd = nvm.unfolded_bytes(NvmOp::kRead), wr = nvm.unfolded_bytes(NvmOp::kWrite);
  row.fram_read_bytes += rd - m_last_read;
  row.fram_write_bytes += wr - m_last_write;
  m_last_read = rd;
  m_last_write = wr;
  if (!m_slice_cycles[func]) m_slice_touched.push_back(func);
  m_slice_cycles[func] += dc;
  if (!m_since_progress[func]) m_progress_touched.push_back(func);
  m_since_progress[func] += dc;
}

void Profiler::push(unsigned func, uint64_t now) {
  m_stack.push_back({func, m_platform.core().reg(1), now});
  ++m_active[func];
  ++m_rows[func].calls;
}

void Profiler::pop_returned(uint32_t sp, uint64_t now) {
  // The root frame (sp above any stack) never pops.
  while (m_stack.size() > 1 && sp > m_stack.back().sp) {
    const Frame f = m_stack.back();
    m_stack.pop_back();
    if (--m_active[f.func] == 0) m_rows[f.func].inclusive_cycles += now - f.entry_cycles;
  }
}

std::vector<uint32_t> Profiler::run_breaks() const {
  std::vector<uint32_t> bounds;
  for (const auto& [begin, end] : m_ranges) bounds.push_back(begin), bounds.push_back(end);
  return bounds;
}

void Profiler::after_run(uint32_t pc, unsigned n, uint64_t start_cycle, bool is_call) {
  Msp430Core& core = m_platform.core();
  if (!m_started) {
    m_started = true;
    m_last_cycles = start_cycle;
    m_stack.push_back({function_at(pc), 0xFFFFFFFF, start_cycle});
    ++m_active[m_stack.back().func];
  }
  const unsigned func = function_at(pc);
  m_current = func;
  book_cycles(func);
  m_rows[func].instructions += n;
  const uint64_t now = core.cycles();
  const uint64_t progress = m_platform.power().cycles_at_progress();
  if (progress != m_progress_seen) {
    // A new progress marker during this instruction (a run's last: a marker write ends a run):
    // the cycles after it start the count.
    for (unsigned f : m_progress_touched) m_since_progress[f] = 0;
    m_progress_touched.clear();
    if (now > progress) m_since_progress[func] = now - progress, m_progress_touched.push_back(func);
    m_progress_seen = progress;
  }
  pop_returned(core.reg(1), now);
  if (is_call) push(function_at(core.reg(0)), now);
}

void Profiler::on_interrupt(unsigned, uint32_t) {
  if (!m_started) return;
  book_cycles(m_current);
  push(function_at(m_platform.core().reg(0)), m_platform.core().cycles());
}

void Profiler::after_slice() {
  if (!m_started) return;
  book_cycles(m_current);
  const uint64_t lea = m_platform.lea().busy_cycles();
  m_rows[m_current].lea_cycles += lea - m_last_lea;
  m_last_lea = lea;
  const double energy = m_platform.power().energy().consumed;
  const double de = energy - m_last_energy;
  m_last_energy = energy;
  uint64_t sum = 0;
  for (unsigned f : m_slice_touched) sum += m_slice_cycles[f];
  if (sum == 0) {
    m_rows[m_current].energy_j += de;  // a sleep or an off period
  } else {
    for (unsigned f : m_slice_touched)
      m_rows[f].energy_j += de * static_cast<double>(m_slice_cycles[f]) / static_cast<double>(sum);
  }
  for (unsigned f : m_slice_touched) m_slice_cycles[f] = 0;
  m_slice_touched.clear();
}

void Profiler::event(const char* what) {
  if (!m_started) return;
  book_cycles(m_current);
  const std::string e = what;
  if (e == "brown-out") {
    for (unsigned f : m_progress_touched) {
      m_rows[f].reexec_cycles += m_since_progress[f];
      m_since_progress[f] = 0;
    }
    m_progress_touched.clear();
    m_progress_seen = m_platform.power().cycles_at_progress();
  }
  if (e == "brown-out" || e == "reset") {
    // Execution restarts at the reset vector: close every frame but the root.
    const uint64_t now = m_platform.core().cycles();
    pop_returned(0xFFFFFFF0, now);
  }
}

void Profiler::finish() {
  if (!m_started) return;
  after_slice();
  const uint64_t now = m_platform.core().cycles();
  while (!m_stack.empty()) {
    const Frame f = m_stack.back();
    m_stack.pop_back();
    if (--m_active[f.func] == 0) m_rows[f.func].inclusive_cycles += now - f.entry_cycles;
  }
  m_started = false;
}

std::vector<Profiler::Row> Profiler::rows() const {
  std::vector<Row> out;
  for (const Row& r : m_rows)
    if (r.cycles || r.instructions || r.calls || r.energy_j != 0 || r.lea_cycles) out.push_back(r);
  std::stable_sort(out.begin(), out.end(),
                   [](const Row& a, const Row& b) { return a.cycles > b.cycles; });
  return out;
}

Profiler::Row Profiler::totals() const {
  Row t;
  t.name = "total";
  for (const Row& r : m_rows) {
    t.cycles += r.cycles;
    t.instructions += r.instructions;
    t.calls += r.calls;
    t.fram_read_bytes += r.fram_read_bytes;
    t.fram_write_bytes += r.fram_write_bytes;
    t.lea_cycles += r.lea_cycles;
    t.reexec_cycles += r.reexec_cycles;
    t.energy_j += r.energy_j;
  }
  return t;
}

std::string Profiler::flat_table(size_t max_rows) const {
  const Row t = totals();
  std::string out;
  char buf[320];
  std::snprintf(buf, sizeof buf, "%6s %12s %12s %12s %9s %10s %10s %10s %10s %11s  %s\n", "%time",
                "self cyc", "incl cyc", "insns", "calls", "energy uJ", "FRAM rd B", "FRAM wr B",
                "LEA cyc", "re-exec cyc", "function");
  out += buf;
  size_t n = 0;
  for (const Row& r : rows()) {
    if (n++ == max_rows) break;
    std::snprintf(
        buf, sizeof buf,
        "%6.2f %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %9" PRIu64 " %10.3f %10" PRIu64
        " %10" PRIu64 " %10" PRIu64 " %11" PRIu64 "  %s\n",
        t.cycles ? 100.0 * static_cast<double>(r.cycles) / static_cast<double>(t.cycles) : 0.0,
        r.cycles, r.inclusive_cycles, r.instructions, r.calls, r.energy_j * 1e6, r.fram_read_bytes,
        r.fram_write_bytes, r.lea_cycles, r.reexec_cycles, r.name.c_str());
    out += buf;
  }
  std::snprintf(buf, sizeof buf,
                "%6.2f %12" PRIu64 " %12s %12" PRIu64 " %9" PRIu64 " %10.3f %10" PRIu64
                " %10" PRIu64 " %10" PRIu64 " %11" PRIu64 "  %s\n",
                100.0, t.cycles, "", t.instructions, t.calls, t.energy_j * 1e6, t.fram_read_bytes,
                t.fram_write_bytes, t.lea_cycles, t.reexec_cycles, "total");
  out += buf;
  return out;
}

void Profiler::write_csv(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (!f) throw std::runtime_error("--profile " + path + ": cannot open for writing");
  std::fprintf(f,
               "function,address,self_cycles,inclusive_cycles,instructions,calls,energy_J,"
               "fram_read_bytes,fram_write_bytes,lea_busy_cycles,reexec_cycles\n");
  auto line = [f](const Row& r) {
    std::fprintf(f,
                 "%s,0x%05X,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.9g,%" PRIu64
                 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
                 r.name.c_str(), r.addr, r.cycles, r.inclusive_cycles, r.instructions, r.calls,
                 r.energy_j, r.fram_read_bytes, r.fram_write_bytes, r.lea_cycles, r.reexec_cycles);
  };
  for (const Row& r : rows()) line(r);
  const bool ok = std::fflush(f) == 0 && !std::ferror(f);
  std::fclose(f);
  if (!ok) throw std::runtime_error("--profile " + path + ": write failed");
  std::filesystem::rename(tmp, path);
}

}  // namespace ipsim
