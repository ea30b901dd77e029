; Code a profile must not book by whole blocks: a function that falls through into the next
; one, and a return by hand (pop the return address, then branch) that raises SP above the
; caller's frame in the middle of straight-line code. tests/firmware/compare_block_step.py
; profiles it with and without block runs.
        .text
        .global _start
        .type   _start,@function
_start: mov     #0x5a80, &0x015c        ; stop the watchdog
        mov     #0x2c00, r1
        mov     #200, r10
1:      call    #outer
        call    #by_hand
        dec     r10
        jnz     1b
        mov     #0, &0x0f00             ; DBG_EXIT
2:      jmp     2b
        .size   _start, .-_start

        .type   outer,@function
outer:  mov     #3, r12
        add     r12, r13
        .size   outer, .-outer
        .type   inner,@function
inner:  add     #1, r12                 ; outer falls through to here
        rla     r13
        ret
        .size   inner, .-inner

        .type   by_hand,@function
by_hand:
        push    r11
        mov     #7, r11
        pop     r11
        pop     r15                     ; the return address: the caller's frame ends here
        add     #1, r14
        xor     r14, r13
        br      r15
        .size   by_hand, .-by_hand
