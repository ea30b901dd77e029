# Extra sources of infer_<net>_depth_first_<kernel>.elf: the network's default slice plan for
# the kernel (written by kernels/host/df_plan_gen.c; the simulator replaces it with a plan for
# each run), the slice geometry shared with the host planner, and the LEA FC (and lea-mac
# conv) jobs shared with hawaii (on lea-mac then the FRAM input staging, depth_first_stage.c,
# linked after them so that their code keeps its place); on lea-fir also the LEA FIR and add operations (nn_conv_fir's
# loop with its weights kept across slices, depth_first_fir.c), selected by DF_LEA_FIR. The
# external-FRAM images (nvm_suffix _spi) have their own default plans,
# plans/<net>[_lea_fir]_spi_plan.c.
if(kernel STREQUAL "lea_fir")
  list(APPEND extra_sources ${CMAKE_CURRENT_SOURCE_DIR}/plans/${net}_lea_fir${nvm_suffix}_plan.c
       ${CMAKE_CURRENT_SOURCE_DIR}/depth_first_geometry.c
       ${CMAKE_CURRENT_SOURCE_DIR}/depth_first_fir.c
       ${CMAKE_CURRENT_SOURCE_DIR}/lea_kernels.c ${K}/runtime/nn_fir_lea.c)
  list(APPEND extra_definitions DF_LEA_FIR=1)
else()
  list(APPEND extra_sources ${CMAKE_CURRENT_SOURCE_DIR}/plans/${net}${nvm_suffix}_plan.c
       ${CMAKE_CURRENT_SOURCE_DIR}/depth_first_geometry.c
       ${CMAKE_CURRENT_SOURCE_DIR}/lea_kernels.c ${CMAKE_CURRENT_SOURCE_DIR}/depth_first_stage.c)
endif()
