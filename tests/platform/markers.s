; Writes user markers in a tight loop, forever: exec must stay within bounded memory.
        .text
        .global _start
_start: mov     #0x5a80, &0x015c        ; stop the watchdog
loop:   mov     #7, &0x0f02             ; DBG_MARKER = USER
        jmp     loop
