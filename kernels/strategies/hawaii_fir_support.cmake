# Extra sources of infer_<net>_hawaii_lea_fir.elf: FC neurons as in hawaii.c (lea_kernels.c);
# the paced LEA streaming (runtime/lea_paced.c) comes from the runtime archive.
list(APPEND extra_sources ${CMAKE_CURRENT_SOURCE_DIR}/lea_kernels.c)
