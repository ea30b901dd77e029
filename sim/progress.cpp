#include "sim/progress.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace ipsim {

std::string progress_text(const RunProgress& p) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.1f s simulated, %u/%u inference%s, %llu power failure%s",
                p.sim_s, p.inferences, p.inferences_total, p.inferences_total == 1 ? "" : "s",
                p.power_failures, p.power_failures == 1 ? "" : "s");
  return buf;
}

std::string progress_file(const RunSpec& spec) {
  return spec.artifact_dir.empty() ? "" : spec.artifact_dir + ".progress";
}

void write_progress_file(const std::string& path, const RunProgress& p) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp);
    out << p.sim_s << ' ' << p.inferences << ' ' << p.inferences_total << ' ' << p.power_failures
        << '\n';
    if (!out) return;  // progress is best effort; the run goes on
  }
  std::rename(tmp.c_str(), path.c_str());
}

std::optional<RunProgress> read_progress_file(const std::string& path) {
  std::ifstream in(path);
  RunProgress p;
  if (in >> p.sim_s >> p.inferences >> p.inferences_total >> p.power_failures) return p;
  return std::nullopt;
}

void ProgressWriter::update(const RunProgress& p) {
  if (m_path.empty()) return;
  const auto now = std::chrono::steady_clock::now();
  if (m_written && now - m_last < m_period) return;
  m_written = true;
  m_last = now;
  write_progress_file(m_path, p);
}

ProgressWriter::~ProgressWriter() {
  if (!m_path.empty()) std::remove(m_path.c_str());
}

void CostModel::add(const nlohmann::json& run) {
  const auto host = run.find("host");
  if (host == run.end() || !host->is_object() || !host->contains("seconds") ||
      !(*host)["seconds"].is_number())
    return;
  const double s = (*host)["seconds"].get<double>();
  const std::string network = run.value("network", ""), strategy = run.value("strategy", "");
  auto add_to = [s](Mean& m) { m.sum += s, ++m.n; };
  add_to(m_by_kind[{network, strategy}]);
  add_to(m_by_network[network]);
  add_to(m_all);
}

std::optional<double> CostModel::expected(const RunSpec& spec) const {
  const std::string network = spec.config.workload.network;
  if (auto it = m_by_kind.find({network, to_string(spec.config.workload.strategy)});
      it != m_by_kind.end())
    return it->second.sum / it->second.n;
  if (auto it = m_by_network.find(network); it != m_by_network.end())
    return it->second.sum / it->second.n;
  if (m_all.n > 0) return m_all.sum / m_all.n;
  return std::nullopt;
}

}  // namespace ipsim
