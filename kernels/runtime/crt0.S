; ipsim C runtime start-up for the MSP430FR5994 (design.md §5, facts §2.5 reset).
; Reset enters _start with SR = 0, SP undefined and the watchdog running.
; .data and .bss are re-initialised at every boot; .persistent (FRAM) is never touched here:
; it holds the state that must survive power failures.

#define WDTCTL 0x015C
#define WDTPW_WDTHOLD 0x5A80
#define DBG_EXIT 0x0F00

        .section .text._start,"ax",@progbits
        .global _start
        .type   _start,@function
_start:
        ; facts §4.6: the WDT runs after every BOR; stop it before anything slow.
        mov     #WDTPW_WDTHOLD, &WDTCTL
        ; Stack tops out at the end of CPU-only SRAM (0x2C00); LEA RAM stays free.
        mov     #__stack_top, r1

        ; copy the .data image from FRAM to SRAM (word-aligned by the linker script)
        mov     #__data_load_start, r12
        mov     #__data_start, r13
        mov     #__data_end, r14
        jmp     .Lcopy_test
.Lcopy:
        ; the integrated assembler rejects MOV @Rn+ to a memory destination (design.md §5)
        mov     @r12+, r15
        mov     r15, 0(r13)
        incd    r13
.Lcopy_test:
        cmp     r14, r13
        jlo     .Lcopy

        ; zero .bss
        mov     #__bss_start, r13
        mov     #__bss_end, r14
        jmp     .Lzero_test
.Lzero:
        clr     0(r13)
        incd    r13
.Lzero_test:
        cmp     r14, r13
        jlo     .Lzero

        ; optional hook (weak): runs after .data/.bss, before main
        mov     #__ipsim_boot_hook, r12
        tst     r12
        jz      .Lno_hook
        call    r12
.Lno_hook:
        call    #main
        call    #exit                   ; r12 = main's return value
        .size   _start, .-_start

        .weak   __ipsim_boot_hook

; void exit(int code): report the code to the debug mailbox, then sleep in LPM4 with
; interrupts off, forever.
        .section .text.exit,"ax",@progbits
        .global exit
        .type   exit,@function
exit:
        mov     r12, &DBG_EXIT
.Lsleep:
        dint
        nop
        bis     #0xF0, r2               ; LPM4 = SCG1|SCG0|OSCOFF|CPUOFF (facts §2.1)
        nop
        jmp     .Lsleep
        .size   exit, .-exit

; Reset vector (facts §1.3: vector 55 at 0xFFFE). clang puts interrupt(N) in
; __interrupt_vector_N, so the reset vector uses the same scheme.
        .section __interrupt_vector_55,"ax",@progbits
        .word   _start
