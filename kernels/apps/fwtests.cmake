# Tests-as-firmware (kernels/apps/fwtest_*.c), listed once for both builds: the firmware
# project builds their MSP430 images, tests/firmware their host builds and the comparisons.
set(IPSIM_FWTESTS
  fwtest_intmath
  fwtest_muldiv
  fwtest_recursion
  fwtest_switch
  fwtest_funcptr
  fwtest_mem)
# Programs that need peripherals mspdebug does not model (LEA, DMA): host and ipsim only.
set(IPSIM_FWTESTS_IPSIM_ONLY
  fwtest_lea_conv)
