#include "sim/gdb_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "models/mem_map.h"
#include "sim/platform.h"

namespace ipsim {

namespace {

const char* const kHex = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string to_hex(const std::string& bytes) {
  std::string s;
  for (unsigned char b : bytes) s.push_back(kHex[b >> 4]), s.push_back(kHex[b & 15]);
  return s;
}

bool from_hex(const std::string& hex, std::string& out) {
  if (hex.size() % 2) return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

// Little-endian hex of the low `bytes` bytes of v (the target's byte order).
std::string le_hex(uint32_t v, unsigned bytes) {
  std::string s;
  for (unsigned i = 0; i < bytes; ++i, v >>= 8)
    s.push_back(kHex[(v >> 4) & 15]), s.push_back(kHex[v & 15]);
  return s;
}

bool parse_le_hex(const std::string& hex, uint32_t& v) {
  std::string bytes;
  if (hex.empty() || hex.size() > 8 || !from_hex(hex, bytes)) return false;
  v = 0;
  for (size_t i = bytes.size(); i-- > 0;) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return true;
}

bool parse_number(const std::string& text, uint32_t& v) {
  if (text.empty() || text.size() > 8) return false;
  v = 0;
  for (char c : text) {
    const int d = hex_value(c);
    if (d < 0) return false;
    v = v * 16 + static_cast<uint32_t>(d);
  }
  return true;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

}  // namespace

GdbServer::GdbServer(Platform& platform, int port, bool stop_on_power)
    : m_platform(platform), m_stop_on_power(stop_on_power), m_page_watchers(kNumPages, 0) {
  if (port < 0 || port > 65535)
    throw std::runtime_error("--gdb " + std::to_string(port) + ": expected a TCP port 0-65535");
  m_listen_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (m_listen_fd < 0)
    throw std::runtime_error(std::string("--gdb: socket: ") + std::strerror(errno));
  const int one = 1;
  ::setsockopt(m_listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // local only: the stub has no authentication
  if (::bind(m_listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 ||
      ::listen(m_listen_fd, 1) < 0) {
    const std::string why = std::strerror(errno);
    ::close(m_listen_fd);
    throw std::runtime_error("--gdb " + std::to_string(port) +
                             ": cannot listen on 127.0.0.1: " + why);
  }
  socklen_t len = sizeof addr;
  ::getsockname(m_listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
  m_port = ntohs(addr.sin_port);
  std::fprintf(stderr, "ipsim: GDB server listening on 127.0.0.1:%d\n", m_port);
  std::fflush(stderr);
}

GdbServer::~GdbServer() {
  if (m_fd >= 0) ::close(m_fd);
  if (m_listen_fd >= 0) ::close(m_listen_fd);
}

void GdbServer::wait_for_client() {
  for (;;) {
    m_fd = ::accept(m_listen_fd, nullptr, nullptr);
    if (m_fd >= 0) break;
    if (errno != EINTR)
      throw std::runtime_error(std::string("--gdb: accept: ") + std::strerror(errno));
  }
  ::close(m_listen_fd);
  m_listen_fd = -1;
  const int one = 1;
  ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  m_attached = true;
}

// ---- packets ------------------------------------------------------------------------------

bool GdbServer::read_packet(std::string& out) {
  enum { kIdle, kData, kSum1, kSum2 } state = kIdle;
  out.clear();
  for (;;) {
    if (m_inbuf.empty()) {
      char buf[4096];
      const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      m_inbuf.assign(buf, static_cast<size_t>(n));
    }
    const char c = m_inbuf[0];
    m_inbuf.erase(0, 1);
    switch (state) {
      case kIdle:
        if (c == '$')
          state = kData;
        else if (c == 0x03)
          m_interrupted = true;  // ^C while stopped: nothing to interrupt
        break;                   // '+' and '-' acks are ignored
      case kData:
        if (c == '#')
          state = kSum1;
        else
          out.push_back(c);
        break;
      case kSum1:
        state = kSum2;
        break;
      case kSum2:
        if (m_ack) ::send(m_fd, "+", 1, MSG_NOSIGNAL);
        return true;
    }
  }
}

void GdbServer::send_packet(const std::string& data) {
  unsigned sum = 0;
  for (unsigned char c : data) sum += c;
  std::string frame = "$" + data + "#";
  frame.push_back(kHex[(sum >> 4) & 15]);
  frame.push_back(kHex[sum & 15]);
  for (size_t sent = 0; sent < frame.size();) {
    const ssize_t n = ::send(m_fd, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the reader sees the closed connection
    sent += static_cast<size_t>(n);
  }
  if (!m_ack) return;
  // Wait for the client's '+' ('-' asks for a resend); other bytes stay for read_packet.
  for (;;) {
    if (m_inbuf.empty()) {
      char buf[4096];
      const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      m_inbuf.assign(buf, static_cast<size_t>(n));
    }
    if (m_inbuf[0] == '+') {
      m_inbuf.erase(0, 1);
      return;
    }
    if (m_inbuf[0] == '-') {
      m_inbuf.erase(0, 1);
      ::send(m_fd, frame.data(), frame.size(), MSG_NOSIGNAL);
      continue;
    }
    return;
  }
}

void GdbServer::send_console(const std::string& text) {
  // gdbc (no qSupported) would take an 'O' packet for the stop reply itself.
  if (m_gdb && m_waiting) send_packet("O" + to_hex(text));
}

bool GdbServer::poll_interrupt() {
  char c;
  if (::recv(m_fd, &c, 1, MSG_DONTWAIT | MSG_PEEK) != 1 || c != 0x03) return false;
  ::recv(m_fd, &c, 1, 0);
  return true;
}

// ---- observer ------------------------------------------------------------------------------

bool GdbServer::before_insn(uint32_t pc, bool first) {
  if (!m_attached) return false;
  if (m_initial) {
    m_initial = false;
    return true;
  }
  if (first) return false;  // resuming: the instruction we stopped before runs
  if (m_stepping) return true;
  if (!m_breakpoints.empty() && m_breakpoints.count(pc)) return true;
  if (++m_poll_count >= 65536) {
    m_poll_count = 0;
    if (poll_interrupt()) return m_interrupted = true;
  }
  return false;
}

bool GdbServer::on_watch(uint32_t addr, unsigned size, bool write) {
  if (!m_attached || m_serving) return false;
  for (const Watch& w : m_watches) {
    if (addr + size <= w.addr || addr >= w.addr + w.len) continue;
    if ((w.type == 2 && !write) || (w.type == 3 && write)) continue;
    static const char* const kinds[] = {"", "", "watch", "rwatch", "awatch"};
    char buf[48];
    std::snprintf(buf, sizeof buf, "T05%s:%x;", kinds[w.type], std::max(addr, w.addr));
    m_watch_reply = buf;
    return true;
  }
  return false;
}

bool GdbServer::on_stop(StopReason reason) {
  if (!m_attached) return false;
  std::string reply = "S05";  // SIGTRAP
  if (reason == StopReason::kFault) {
    reply = "S0b";  // SIGSEGV
    send_console("ipsim: firmware fault: " + m_platform.fault_message() + "\n");
  } else if (!m_watch_reply.empty()) {
    reply = m_watch_reply;
  } else if (m_interrupted) {
    reply = "S02";  // SIGINT
  }
  m_watch_reply.clear();
  m_interrupted = false;
  m_stepping = false;
  return serve(reply);
}

void GdbServer::event(const char* what) {
  // Before the first instruction (a node that starts uncharged powers up first) the initial
  // stop is still to come.
  if (!m_attached || m_serving || !m_stop_on_power || m_initial) return;
  const std::string e = what;
  if (e != "brown-out" && e != "reboot") return;
  char buf[160];
  std::snprintf(buf, sizeof buf, "ipsim: %s at cycle %" PRIu64 ", %.6f s, Vcap %.3f V\n", what,
                m_platform.core().cycles(), m_platform.sim_time_s(), m_platform.power().voltage());
  send_console(buf);
  m_stepping = false;
  if (!serve("S05")) {
    // Killed or detached while the power was off: the run ends (detach) or goes on without us.
    if (m_killed) m_platform.cpu().finish("killed");
  }
}

void GdbServer::finished(const std::string& reason, int exit_code) {
  if (m_fd < 0) return;
  if (m_attached && m_waiting) {
    if (reason != "exit") send_console("ipsim: run ended: " + reason + "\n");
    send_packet("W" + le_hex(static_cast<uint32_t>(reason == "exit" ? exit_code & 0xFF : 0), 1));
  }
  ::close(m_fd);
  m_fd = -1;
  m_attached = false;
}

// ---- serving -------------------------------------------------------------------------------

bool GdbServer::serve(const std::string& stop_reply) {
  m_last_stop = stop_reply;
  if (m_waiting) send_packet(stop_reply);
  m_waiting = false;
  m_serving = true;
  std::string packet;
  bool resume = false;
  while (read_packet(packet)) {
    if (!handle(packet, resume)) break;
    if (resume) {
      m_serving = false;
      m_waiting = true;
      return true;
    }
  }
  // Detached, killed, or the connection closed (taken as a detach).
  m_serving = false;
  m_attached = false;
  for (const Watch& w : std::vector<Watch>(m_watches)) set_watch(w, false);
  m_watches.clear();
  m_breakpoints.clear();
  if (m_killed) {
    m_platform.cpu().finish("killed");
    return false;
  }
  return m_platform.core().fault().kind == Fault::Kind::kNone;  // a faulted core cannot go on
}

std::string GdbServer::read_registers() const {
  const unsigned width = m_gdb ? 4 : 2;
  std::string s;
  for (unsigned r = 0; r < 16; ++r) s += le_hex(r == 3 ? 0 : m_platform.core().reg(r), width);
  return s;
}

bool GdbServer::write_registers(const std::string& hex) {
  const unsigned width = m_gdb ? 4 : 2;
  if (hex.size() < 16 * width * 2) return false;
  for (unsigned r = 0; r < 16; ++r) {
    uint32_t v;
    if (!parse_le_hex(hex.substr(r * width * 2, width * 2), v)) return false;
    if (r != 3) m_platform.core().set_reg(r, v);
  }
  return true;
}

void GdbServer::set_watch(const Watch& w, bool on) {
  Msp430Core& core = m_platform.core();
  for (uint32_t page = w.addr >> kPageShift;
       page <= ((w.addr + w.len - 1) >> kPageShift) && page < kNumPages; ++page) {
    if (on && m_page_watchers[page]++ == 0) core.set_page_watched(page, true);
    if (!on && m_page_watchers[page] && --m_page_watchers[page] == 0)
      core.set_page_watched(page, false);
  }
}

// Returns false to end serving (detach or kill); sets resume for c and s.
bool GdbServer::handle(const std::string& p, bool& resume) {
  Msp430Core& core = m_platform.core();
  if (p.empty()) return send_packet(""), true;
  const char cmd = p[0];
  const std::string arg = p.substr(1);
  switch (cmd) {
    case '?':
      send_packet(m_last_stop);
      return true;
    case 'g':
      send_packet(read_registers());
      return true;
    case 'G':
      send_packet(write_registers(arg) ? "OK" : "E01");
      return true;
    case 'p': {
      uint32_t n;
      if (!parse_number(arg, n) || n >= 16) return send_packet("E01"), true;
      send_packet(le_hex(n == 3 ? 0 : core.reg(n), m_gdb ? 4 : 2));
      return true;
    }
    case 'P': {
      const auto eq = arg.find('=');
      uint32_t n, v;
      if (eq == std::string::npos || !parse_number(arg.substr(0, eq), n) || n >= 16 ||
          !parse_le_hex(arg.substr(eq + 1), v))
        return send_packet("E01"), true;
      if (n != 3) core.set_reg(n, v);
      send_packet("OK");
      return true;
    }
    case 'm': {
      const auto parts = split(arg, ',');
      uint32_t addr, len;
      if (parts.size() != 2 || !parse_number(parts[0], addr) || !parse_number(parts[1], len) ||
          len > 4096)
        return send_packet("E01"), true;
      try {
        const std::vector<uint8_t> bytes = m_platform.read_memory(addr, len);
        send_packet(to_hex(std::string(bytes.begin(), bytes.end())));
      } catch (const std::exception&) {
        send_packet("E14");  // EFAULT: not SRAM or FRAM
      }
      return true;
    }
    case 'M': {
      const auto colon = arg.find(':');
      const auto parts = split(arg.substr(0, colon), ',');
      uint32_t addr, len;
      std::string bytes;
      if (colon == std::string::npos || parts.size() != 2 || !parse_number(parts[0], addr) ||
          !parse_number(parts[1], len) || !from_hex(arg.substr(colon + 1), bytes) ||
          bytes.size() != len)
        return send_packet("E01"), true;
      try {
        m_platform.write_memory(addr, std::vector<uint8_t>(bytes.begin(), bytes.end()));
        send_packet("OK");
      } catch (const std::exception&) {
        send_packet("E14");
      }
      return true;
    }
    case 'c':
    case 's': {
      uint32_t addr;
      if (!arg.empty() && parse_number(arg, addr)) core.set_reg(0, addr);
      m_stepping = cmd == 's';
      resume = true;
      return true;
    }
    case 'Z':
    case 'z': {
      const auto parts = split(arg, ',');
      uint32_t type, addr, len = 2;
      if (parts.size() < 2 || !parse_number(parts[0], type) || !parse_number(parts[1], addr) ||
          (parts.size() > 2 && !parse_number(parts[2], len)) || type > 4)
        return send_packet("E01"), true;
      addr &= kMask20;
      if (type <= 1) {
        if (cmd == 'Z')
          m_breakpoints.insert(addr & ~1u);
        else
          m_breakpoints.erase(addr & ~1u);
        send_packet("OK");
        return true;
      }
      if (len == 0 || len > 0x10000) return send_packet("E01"), true;
      const Watch w{addr, len, static_cast<int>(type)};
      if (cmd == 'Z') {
        m_watches.push_back(w);
        set_watch(w, true);
      } else {
        for (size_t i = 0; i < m_watches.size(); ++i)
          if (m_watches[i].addr == w.addr && m_watches[i].len == w.len &&
              m_watches[i].type == w.type) {
            set_watch(m_watches[i], false);
            m_watches.erase(m_watches.begin() + static_cast<long>(i));
            break;
          }
      }
      send_packet("OK");
      return true;
    }
    case 'D':
      send_packet("OK");
      return false;
    case 'k':
      m_killed = true;
      return false;
    case 'r':
    case 'R':
      m_platform.reset_node();
      send_packet("OK");
      return true;
    case 'H':
    case 'T':
    case '!':
      send_packet("OK");
      return true;
    case 'v':
      if (p == "vKill;1" || p.rfind("vKill", 0) == 0) {
        send_packet("OK");
        m_killed = true;
        return false;
      }
      send_packet("");  // vCont? and the rest: not supported, GDB falls back to c and s
      return true;
    case 'Q':
      if (p == "QStartNoAckMode") {
        send_packet("OK");
        m_ack = false;
        return true;
      }
      send_packet("");
      return true;
    case 'q':
      if (p.rfind("qSupported", 0) == 0) {
        m_gdb = true;
        send_packet("PacketSize=2000;QStartNoAckMode+;hwbreak+;swbreak+");
      } else if (p == "qAttached") {
        send_packet("1");
      } else if (p == "qfThreadInfo") {
        send_packet("m1");
      } else if (p == "qsThreadInfo") {
        send_packet("l");
      } else if (p == "qC") {
        send_packet("QC1");
      } else if (p.rfind("qRcmd,", 0) == 0) {
        std::string command;
        if (!from_hex(p.substr(6), command)) return send_packet("E01"), true;
        const std::string out = monitor(command);
        // Output as 'O' packets for GDB; as the reply itself for clients without qSupported.
        if (m_gdb) {
          if (!out.empty()) send_packet("O" + to_hex(out));
          send_packet("OK");
        } else {
          send_packet(out.empty() ? "OK" : to_hex(out));
        }
      } else {
        send_packet("");
      }
      return true;
    default:
      send_packet("");
      return true;
  }
}

std::string GdbServer::monitor(const std::string& command) {
  char buf[512];
  PowerController& power = m_platform.power();
  Msp430Core& core = m_platform.core();
  if (command == "power") {
    std::snprintf(buf, sizeof buf,
                  "Vcap %.4f V, %s, power failures %" PRIu64 ", boots %" PRIu64 ", resets %" PRIu64
                  ", cycle %" PRIu64 ", time %.6f s, consumed %.6g J\n",
                  power.voltage(), core.sleeping() ? "on (CPU in a low-power mode)" : "on",
                  power.power_failures(), m_platform.boots(), m_platform.resets(), core.cycles(),
                  m_platform.sim_time_s(), power.energy().consumed);
    return buf;
  }
  if (command == "fail") {
    power.cut_power_now();
    return "power will be cut before the next instruction (continue to see the brown-out)\n";
  }
  if (command == "reset") {
    m_platform.reset_node();
    std::snprintf(buf, sizeof buf,
                  "node reset (BOR): FRAM kept, SRAM and registers lost; PC %05X\n", core.reg(0));
    return buf;
  }
  if (command == "regs") {
    std::string out;
    for (unsigned r = 0; r < 16; ++r) {
      std::snprintf(buf, sizeof buf, "R%-2u %05X%s", r, r == 3 ? 0 : core.reg(r),
                    r % 4 == 3 ? "\n" : "  ");
      out += buf;
    }
    return out;
  }
  if (command == "power-stops on" || command == "power-stops off") {
    m_stop_on_power = command == "power-stops on";
    return std::string("brown-out and reboot stops ") + (m_stop_on_power ? "on\n" : "off\n");
  }
  if (command == "help" || command.empty())
    return "monitor commands: power, fail, reset, regs, power-stops on|off\n";
  return "unknown monitor command '" + command + "' (try: monitor help)\n";
}

}  // namespace ipsim
