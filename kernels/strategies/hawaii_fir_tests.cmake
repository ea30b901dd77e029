# Test images of hawaii on lea-fir with other pacings than HAWAII's (TA1CCR0 6 + Kw for a FIR,
# 2 for an add; that one is infer_<net>_hawaii_lea_fir.elf), for tests/strategies/hawaii_fir:
#   hawaii_fir_test_<net>_slow_pacing  periods far longer than the LEA needs (CCR0 30 + Kw, 8)
#   hawaii_fir_test_<net>_fast_pacing  FIR periods shorter than the LEA needs (CCR0 Kw, 1)
#   hawaii_fir_test_kws_unguarded      fast pacing, trusted as HAWAII's code does
#                                      (LEA_PACED_TRUST_PACING): the negative control
#   hawaii_fir_test_kws_spi_claim_first  the external-FRAM image with each job's counter
#                                      stored before its transfer (HF_TEST_CLAIM_FIRST): the
#                                      negative control of its failure tests
# Same sources as infer_<net>_hawaii_lea_fir.elf. Included from CMakeLists.txt (its K,
# IPSIM_NET_<net>_BUFS).
foreach(variant kws:slow_pacing:30:1:0 kws:fast_pacing:0:1:0 mnist:fast_pacing:0:1:0
                kws:unguarded:0:1:1)
  string(REPLACE ":" ";" v ${variant})
  list(GET v 0 net)
  list(GET v 1 label)
  list(GET v 2 fir_base)
  list(GET v 3 add_ccr0)
  list(GET v 4 unguarded)
  if(label STREQUAL "slow_pacing")
    set(add_ccr0 8)
  endif()
  list(GET IPSIM_NET_${net}_BUFS 0 buf_a)
  list(GET IPSIM_NET_${net}_BUFS 1 buf_b)
  set(sources ${K}/apps/infer_main.c ${CMAKE_CURRENT_SOURCE_DIR}/hawaii_fir.c
              ${CMAKE_CURRENT_SOURCE_DIR}/strategy_buffers.c ${K}/networks/${net}/${net}.c
              ${CMAKE_CURRENT_SOURCE_DIR}/lea_kernels.c ${K}/runtime/nn_fir_lea.c)
  set(defs INFER_NET=nn_net_${net} FMAP_A_WORDS=${buf_a} FMAP_B_WORDS=${buf_b}
           HF_FIR_CCR0_BASE=${fir_base} HF_ADD_CCR0=${add_ccr0})
  if(unguarded)
    # lea_paced.c as a source here takes precedence over the runtime archive's member.
    list(APPEND sources ${K}/runtime/lea_paced.c)
    list(APPEND defs LEA_PACED_TRUST_PACING)
  endif()
  ipsim_firmware(hawaii_fir_test_${net}_${label} SOURCES ${sources} LIBRARIES ipsim_nn
    DEFINITIONS ${defs})
endforeach()
list(GET IPSIM_NET_kws_BUFS 0 buf_a)
list(GET IPSIM_NET_kws_BUFS 1 buf_b)
ipsim_firmware(hawaii_fir_test_kws_spi_claim_first
  SOURCES ${K}/apps/infer_main.c ${CMAKE_CURRENT_SOURCE_DIR}/hawaii_fir.c
          ${CMAKE_CURRENT_SOURCE_DIR}/strategy_buffers.c ${K}/networks/kws/kws.c
          ${CMAKE_CURRENT_SOURCE_DIR}/lea_kernels.c ${K}/runtime/nn_fir_lea.c
  LIBRARIES ipsim_nn
  DEFINITIONS INFER_NET=nn_net_kws FMAP_A_WORDS=${buf_a} FMAP_B_WORDS=${buf_b}
              IPSIM_NVM_SPI=1 HF_TEST_CLAIM_FIRST)
