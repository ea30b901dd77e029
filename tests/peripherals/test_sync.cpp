// catch_up_in_order: with a bus-access count it asks only the stepped source again unless a
// step crossed the bus, and steps the same items in the same order as asking every source.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "models/sync.h"

using namespace ipsim;
using sc_core::sc_time;

namespace {

// Items every `period` ns from `first`; a step of the item at `poke_at` moves `other`'s next
// item to `poke_to` through "the bus" (it counts a bus access).
struct Source : LazySource {
  std::string name;
  double first, period, until;
  double next;
  std::vector<std::string>* log;
  Source* other = nullptr;
  double poke_at = -1, poke_to = 0;
  uint64_t* bus = nullptr;
  Source(std::string n, double f, double p, double u, std::vector<std::string>* l)
      : name(std::move(n)), first(f), period(p), until(u), next(f), log(l) {}
  bool next_lazy(sc_time* at) const override {
    if (next > until) return false;
    *at = sc_time(next, sc_core::SC_NS);
    return true;
  }
  void step_lazy() override {
    log->push_back(name + "@" + std::to_string(static_cast<int>(next)));
    if (other && next == poke_at) other->next = poke_to, ++*bus;
    next += period;
  }
};

std::vector<std::string> run(bool counted) {
  std::vector<std::string> log;
  uint64_t bus = 0;
  Source a("a", 10, 10, 100, &log), b("b", 15, 20, 100, &log), c("c", 200, 1, 300, &log);
  a.other = &c, a.poke_at = 40, a.poke_to = 42, a.bus = &bus;  // c gets an item at 42
  LazySource* const sources[] = {&a, &b, &c};
  catch_up_in_order(sources, 3, sc_time(80, sc_core::SC_NS), counted ? &bus : nullptr);
  return log;
}

}  // namespace

TEST_CASE("catch_up_in_order steps the same items in order with a bus-access count", "[sync]") {
  const std::vector<std::string> reference = run(false), counted = run(true);
  CHECK(counted == reference);
  // c's item at 42 comes from a's step at 40; ties (a and b never tie here) keep the order.
  const std::vector<std::string> expected = {"a@10", "b@15", "a@20", "a@30", "b@35",
                                             "a@40", "c@42", "c@43", "c@44"};
  REQUIRE(reference.size() > expected.size());
  CHECK(std::vector<std::string>(reference.begin(), reference.begin() + 9) == expected);
}
