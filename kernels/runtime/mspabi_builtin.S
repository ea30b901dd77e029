; Adapters for the helpers clang calls with the MSP430_BUILTIN convention (facts §2.6):
; operand 1 in R8-R11, operand 2 in R12-R15, result in R12-R15, R4-R10 preserved. They
; move the operands into the plain EABI convention (operand 1 in R12-R15, operand 2 on the
; stack, low word at the lowest address) and call the C implementation in mspabi_arith.c,
; which preserves R4-R10 itself.

.macro BUILTIN64 name, impl
        .section .text.\name,"ax",@progbits
        .global \name
        .type   \name,@function
        .balign 2
\name:
        push    r15
        push    r14
        push    r13
        push    r12
        mov     r8, r12
        mov     r9, r13
        mov     r10, r14
        mov     r11, r15
        call    #\impl
        add     #8, r1
        ret
        .size   \name, .-\name
.endm

BUILTIN64 __mspabi_divlli, ipsim_rt_divlli
BUILTIN64 __mspabi_remlli, ipsim_rt_remlli
BUILTIN64 __mspabi_divull, ipsim_rt_divull
BUILTIN64 __mspabi_remull, ipsim_rt_remull
; software 64x64 multiply, called under -mhwmult=none
BUILTIN64 __mspabi_mpyll, ipsim_rt_mpyll
