# The experiment layer of ipsim_sim (config, sweep, results, run/sweep/merge/run-one commands).
# Included from sim/CMakeLists.txt after add_library(ipsim_sim ...).
target_sources(ipsim_sim PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sweep.cpp
  ${CMAKE_CURRENT_LIST_DIR}/results.cpp
  ${CMAKE_CURRENT_LIST_DIR}/run_command.cpp
  ${CMAKE_CURRENT_LIST_DIR}/digest.cpp
  ${CMAKE_CURRENT_LIST_DIR}/progress.cpp
  ${CMAKE_BINARY_DIR}/version/ipsim_version.cpp
  ${CMAKE_CURRENT_LIST_DIR}/df_plan.cpp
)
target_link_libraries(ipsim_sim PUBLIC yaml-cpp OpenSSL::Crypto ipsim_df_planner)
# Version and git commit, refreshed at every build (cmake/version.cmake).
add_custom_target(ipsim_version
  COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR} -DVERSION=${PROJECT_VERSION}
          -DOUT=${CMAKE_BINARY_DIR}/version/ipsim_version.cpp
          -P ${CMAKE_SOURCE_DIR}/cmake/version.cmake
  BYPRODUCTS ${CMAKE_BINARY_DIR}/version/ipsim_version.cpp
  COMMENT "ipsim version and git commit")
add_dependencies(ipsim_sim ipsim_version)
# Relative trace and firmware paths fall back to the source tree (override: $IPSIM_ROOT).
set_property(SOURCE ${CMAKE_CURRENT_LIST_DIR}/config.cpp APPEND PROPERTY
  COMPILE_DEFINITIONS IPSIM_PROJECT_ROOT="${CMAKE_SOURCE_DIR}")
