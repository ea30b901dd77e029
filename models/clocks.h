#pragma once
// What peripherals need from the clock system: the present frequencies of MCLK, SMCLK and
// ACLK (facts §4.5). ClockSystem implements it; tests can use FixedClocks.
#include <functional>
#include <vector>

namespace ipsim {

class Clocks {
 public:
  virtual ~Clocks() = default;
  virtual double mclk_hz() const = 0;
  virtual double smclk_hz() const = 0;
  virtual double aclk_hz() const = 0;
  // Called after any frequency changes (timers reschedule their next event).
  void on_change(std::function<void()> hook) { m_listeners.push_back(std::move(hook)); }

 protected:
  void notify_change() {
    for (auto& hook : m_listeners) hook();
  }

 private:
  std::vector<std::function<void()>> m_listeners;
};

class FixedClocks : public Clocks {
 public:
  FixedClocks(double mclk_hz, double smclk_hz, double aclk_hz)
      : m_mclk(mclk_hz), m_smclk(smclk_hz), m_aclk(aclk_hz) {}
  double mclk_hz() const override { return m_mclk; }
  double smclk_hz() const override { return m_smclk; }
  double aclk_hz() const override { return m_aclk; }
  void set(double mclk_hz, double smclk_hz, double aclk_hz) {
    m_mclk = mclk_hz, m_smclk = smclk_hz, m_aclk = aclk_hz;
    notify_change();
  }

 private:
  double m_mclk, m_smclk, m_aclk;
};

}  // namespace ipsim
