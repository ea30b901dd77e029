# Extra sources of infer_<net>_depth_first_<kernel>.elf: the network's generated slice plan
# (scripts/plan_slices.py; the plan depends on the capacitor it was generated for) and the
# LEA conv/FC jobs shared with hawaii.
list(APPEND extra_sources ${CMAKE_CURRENT_SOURCE_DIR}/plans/${net}_plan.c
     ${CMAKE_CURRENT_SOURCE_DIR}/lea_kernels.c)
