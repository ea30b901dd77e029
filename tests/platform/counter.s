; Counts loop iterations in FRAM (kept across power failures) and in SRAM (cleared at boot),
; and marks every boot. MCLK stays at its 1 MHz reset value.
        .text
        .global _start
_start: mov     #0x5a80, &0x015c        ; stop the watchdog
        mov     #0x2c00, r1
        clr     &sram_count
        clr     &sram_count+2
        inc     &fram_boots
        mov     &fram_boots, &0x0f04    ; DBG_ARG
        mov     #6, &0x0f02             ; DBG_MARKER = BOOT
loop:   inc     &fram_count
        adc     &fram_count+2
        inc     &sram_count
        adc     &sram_count+2
        jmp     loop

        .data                           ; linked into FRAM by min.ld: persistent
        .p2align 1
        .global fram_count, fram_boots
fram_count: .long 0
fram_boots: .word 0
        .bss
        .p2align 1
        .global sram_count
sram_count: .long 0
