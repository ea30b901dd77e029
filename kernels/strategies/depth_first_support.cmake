# Extra sources of infer_<net>_depth_first_<kernel>.elf: the network's generated slice plan
# for the kernel (scripts/plan_slices.py; the plan depends on the capacitor it was generated
# for) and the LEA FC (and lea-mac conv) jobs shared with hawaii; on lea-fir also the LEA FIR
# and add operations (nn_conv_fir in ipsim_nn), selected by DF_LEA_FIR.
if(kernel STREQUAL "lea_fir")
  list(APPEND extra_sources ${CMAKE_CURRENT_SOURCE_DIR}/plans/${net}_lea_fir_plan.c
       ${CMAKE_CURRENT_SOURCE_DIR}/lea_kernels.c ${K}/runtime/nn_fir_lea.c)
  list(APPEND extra_definitions DF_LEA_FIR=1)
else()
  list(APPEND extra_sources ${CMAKE_CURRENT_SOURCE_DIR}/plans/${net}_plan.c
       ${CMAKE_CURRENT_SOURCE_DIR}/lea_kernels.c)
endif()
