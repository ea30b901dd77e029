; Leaves the watchdog running: after its interval (SMCLK/2^15, about 32.8 ms at 1 MHz) it
; resets the part. The program counts boots in FRAM and exits on the third boot.
        .text
        .global _start
_start: mov     #0x2c00, r1
        inc     &boots
        cmp     #3, &boots
        jeq     done
spin:   jmp     spin
done:   mov     #0x5a80, &0x015c
        mov     &0x019e, r13            ; SYSRSTIV: why the last reset happened
        mov     &boots, &0x0f00         ; DBG_EXIT with the boot count
        jmp     .
        .data
        .p2align 1
        .global boots
boots:  .word   0
