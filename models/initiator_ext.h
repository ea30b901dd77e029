#pragma once
// Tags a TLM transaction with the initiator that issued it, so Fram can split its NVM
// counters by CPU, DMA and LEA (design.md §4).
#include <tlm>

#include "models/nvm_counters.h"

namespace ipsim {

struct InitiatorExtension : tlm::tlm_extension<InitiatorExtension> {
  Initiator who = Initiator::kCpu;
  explicit InitiatorExtension(Initiator w = Initiator::kCpu) : who(w) {}
  tlm::tlm_extension_base* clone() const override { return new InitiatorExtension(who); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    who = static_cast<const InitiatorExtension&>(other).who;
  }
};

inline Initiator initiator_of(tlm::tlm_generic_payload& trans) {
  InitiatorExtension* ext = nullptr;
  trans.get_extension(ext);
  return ext ? ext->who : Initiator::kCpu;
}

}  // namespace ipsim
