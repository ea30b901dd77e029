; Reads 0x1B00, which is vacant on the FR5994 (between TLV and SRAM): the run must fault.
        .text
        .global _start
_start: mov     #0x5a80, &0x015c
        mov     #0x2c00, r1
        mov     #0x1234, r12
bad:    mov     &0x1b00, r12
        jmp     .
