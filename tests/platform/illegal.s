; An MSP430X extension word cannot prefix a jump: the CPU must fault on it.
        .text
        .global _start
_start: mov     #0x5a80, &0x015c        ; stop the watchdog
        mov     #0x2c00, r1
        nop
bad:    .word   0x1800, 0x3fff          ; extension word + JMP $
        jmp     bad
