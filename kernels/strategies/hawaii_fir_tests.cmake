# Test images of hawaii on lea-fir (tests/strategies/hawaii_fir), from hawaii_fir.c:
#   hawaii_fir_test_<net>             HAWAII's pacing (TA1CCR0 6 + Kw for a FIR, 2 for an add)
#   hawaii_fir_test_<net>_slow_pacing  periods far longer than the LEA needs (CCR0 30 + Kw, 8)
#   hawaii_fir_test_<net>_fast_pacing  FIR periods shorter than the LEA needs (CCR0 Kw, 1)
#   hawaii_fir_test_kws_unguarded      fast pacing, trusted as HAWAII's code does
#                                      (LEA_PACED_TRUST_PACING): the negative control
# Included from CMakeLists.txt; uses its K, IPSIM_NETWORKS and IPSIM_NET_<net>_BUFS.
set(HF_TEST_PACINGS "default:6:2" "slow_pacing:30:8" "fast_pacing:0:1")
foreach(net IN LISTS IPSIM_NETWORKS)
  list(GET IPSIM_NET_${net}_BUFS 0 buf_a)
  list(GET IPSIM_NET_${net}_BUFS 1 buf_b)
  set(hf_sources ${K}/apps/infer_main.c ${CMAKE_CURRENT_SOURCE_DIR}/hawaii_fir.c
                 ${CMAKE_CURRENT_SOURCE_DIR}/strategy_buffers.c ${K}/networks/${net}/${net}.c
                 ${CMAKE_CURRENT_SOURCE_DIR}/lea_kernels.c ${K}/nn/nn_conv_fir.c)
  set(hf_defs INFER_NET=nn_net_${net} FMAP_A_WORDS=${buf_a} FMAP_B_WORDS=${buf_b})
  foreach(pacing IN LISTS HF_TEST_PACINGS)
    string(REPLACE ":" ";" p ${pacing})
    list(GET p 0 label)
    list(GET p 1 fir_base)
    list(GET p 2 add_ccr0)
    set(name hawaii_fir_test_${net}_${label})
    if(label STREQUAL "default")
      set(name hawaii_fir_test_${net})
    endif()
    ipsim_firmware(${name} SOURCES ${hf_sources} LIBRARIES ipsim_nn
      DEFINITIONS ${hf_defs} HF_FIR_CCR0_BASE=${fir_base} HF_ADD_CCR0=${add_ccr0})
  endforeach()
  if(net STREQUAL "kws")
    # lea_paced.c as a source here takes precedence over the runtime archive's member.
    ipsim_firmware(hawaii_fir_test_kws_unguarded
      SOURCES ${hf_sources} ${K}/runtime/lea_paced.c LIBRARIES ipsim_nn
      DEFINITIONS ${hf_defs} HF_FIR_CCR0_BASE=0 HF_ADD_CCR0=1 LEA_PACED_TRUST_PACING)
  endif()
endforeach()
