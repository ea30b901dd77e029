// libsystemc references sc_main; Catch2 owns main(). Weak, so a shared definition elsewhere
// (e.g. in ipsim_catch_main) takes precedence without a duplicate-symbol error.
extern "C" __attribute__((weak)) int sc_main(int, char**) {
  return 0;
}
