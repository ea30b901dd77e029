// One Catch2 main for every unit-test executable. SystemC's library refers to sc_main, so
// test programs that start the kernel themselves (sc_start) still need one to link.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

extern "C" int sc_main(int, char**) { return 0; }
