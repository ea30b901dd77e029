#pragma once
// GdbServer: a GDB remote serial protocol stub on a local TCP port (127.0.0.1 only), for
// `ipsim exec --gdb PORT` and `ipsim run --gdb PORT`; see docs/debugging.md.
//
// It runs in the CPU's SystemC thread: while GDB has the target stopped, the server blocks in
// that thread without calling wait(), so simulated time, the capacitor and the energy books
// stand still. It stops the target before the first instruction, at breakpoints (Z0/Z1, any
// number), after a single step, after the instruction that hit a watchpoint (Z2 write, Z3
// read, Z4 access, on CPU data accesses to SRAM and FRAM), on firmware faults (SIGSEGV, with
// the fault's PC, address and cycle as console output), and, unless turned off, at every
// brown-out and at the reboot that follows. Monitor commands: power, fail, reset, regs,
// power-stops on|off, help.
//
// Registers: 16 registers, R3 reads 0. Clients that announce themselves with qSupported (GDB,
// TI's msp430-elf-gdb) get 32-bit slots holding the 20-bit values (GDB's msp430-tdep.c
// declares its 16 raw registers 32-bit for MSP430 and MSP430X alike); clients that do not (mspdebug's gdbc driver) get 16-bit slots, which
// is what they parse. `monitor regs` always shows the 20-bit values.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "models/cpu/msp430_core.h"
#include "models/elf_image.h"

namespace ipsim {

class Platform;

class GdbServer : public CoreObserver {
 public:
  // Binds 127.0.0.1:port (0: any free port) and listens; throws std::runtime_error if it
  // cannot. Prints "ipsim: GDB server listening on 127.0.0.1:PORT" on stderr.
  GdbServer(Platform& platform, int port, bool stop_on_power);
  ~GdbServer() override;
  GdbServer(const GdbServer&) = delete;
  GdbServer& operator=(const GdbServer&) = delete;

  int port() const { return m_port; }
  void wait_for_client();  // blocks until GDB connects

  // Msp430Cpu::on_stop: serves GDB until it resumes (true) or detaches or kills (false).
  bool on_stop(StopReason reason);
  // Platform::on_power_event.
  void event(const char* what);
  // After the run: tells a waiting GDB how it ended and closes the connection.
  void finished(const std::string& reason, int exit_code);

  bool before_insn(uint32_t pc, bool first) override;
  void after_insn(uint32_t, uint64_t, bool) override {}
  void on_interrupt(unsigned, uint32_t) override {}
  bool on_watch(uint32_t addr, unsigned size, bool write) override;

 private:
  struct Watch {
    uint32_t addr, len;
    int type;  // 2 write, 3 read, 4 access
  };
  bool serve(const std::string& stop_reply);  // true: resume
  bool handle(const std::string& packet, bool& resume);
  std::string monitor(const std::string& command);
  std::string read_registers() const;
  bool write_registers(const std::string& hex);
  void set_watch(const Watch& w, bool on);
  bool poll_interrupt();
  bool read_packet(std::string& out);  // false: connection closed
  void send_packet(const std::string& data);
  void send_console(const std::string& text);  // an 'O' packet, to clients that take them

  Platform& m_platform;
  int m_listen_fd = -1;
  int m_fd = -1;
  int m_port = 0;
  bool m_stop_on_power;
  bool m_ack = true;
  bool m_gdb = false;       // the client sent qSupported
  bool m_attached = false;  // connected and not detached
  bool m_waiting = false;   // the client waits for a stop reply (after c or s)
  bool m_serving = false;   // inside serve(): power events are not stops
  bool m_initial = true;    // stop before the first instruction
  bool m_stepping = false;
  bool m_interrupted = false;
  bool m_killed = false;
  uint32_t m_poll_count = 0;
  std::string m_last_stop = "S05";
  std::string m_watch_reply;
  std::string m_inbuf;
  std::set<uint32_t> m_breakpoints;
  std::vector<Watch> m_watches;
  std::vector<unsigned> m_page_watchers;  // watches per 256-byte page
};

}  // namespace ipsim
