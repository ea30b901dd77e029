# Extra sources of infer_<net>_depth_first_<kernel>.elf: the network's default slice plan
# (written by kernels/host/df_plan_gen.c; the simulator replaces it with a plan for each run),
# the slice geometry shared with the host planner, and the LEA conv/FC jobs shared with hawaii.
list(APPEND extra_sources ${CMAKE_CURRENT_SOURCE_DIR}/plans/${net}_plan.c
     ${CMAKE_CURRENT_SOURCE_DIR}/depth_first_geometry.c
     ${CMAKE_CURRENT_SOURCE_DIR}/lea_kernels.c)
