// Names of the compiler helpers written in portable C. On the MSP430 they carry the EABI
// names clang calls (facts §2.6); on the host the same source compiles under an ipsim_rt
// prefix so unit tests can compare them with host arithmetic without clashing with the
// host's libgcc/libc.
#pragma once

#ifdef __MSP430__
#define IPSIM_RT(name) name
#else
#define IPSIM_RT(name) ipsim_rt##name
#endif
