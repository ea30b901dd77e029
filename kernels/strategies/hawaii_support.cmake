# Extra sources of infer_<net>_hawaii_lea_mac.elf: the LEA conv/FC jobs shared with depth-first.
list(APPEND extra_sources ${CMAKE_CURRENT_SOURCE_DIR}/lea_kernels.c)
