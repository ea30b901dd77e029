# Peripheral models (MPY32, DMA, Timer_A, LEA). Included from models/CMakeLists.txt after
# ipsim_models is defined; tests/peripherals includes it too while the lead's include is absent.
include_guard(GLOBAL)
target_sources(ipsim_models PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/mpy32.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lea_ops.cpp
  ${CMAKE_CURRENT_LIST_DIR}/lea.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dma.cpp
  ${CMAKE_CURRENT_LIST_DIR}/timer_a.cpp
)
