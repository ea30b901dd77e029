; Multiply helpers on the MPY32 (facts §4.1, base 0x04C0) for clang -mhwmult=f5series
; (facts §2.6). Each one runs with interrupts off, so an ISR that multiplies cannot corrupt
; the multiplier mid-sequence: PUSH SR, DINT, NOP (DINT needs one instruction to take
; effect), the MPY32 accesses, then RETI pops SR (restoring GIE) and returns in one go.
; Results are read right after the last operand write: a MOV &abs,Rn takes 3 cycles, when
; the 16x16 result and RES0/RES1 of a 32x32 are ready (facts §4.1 Table 5-5).
; Plain EABI calling convention: operands in R12..R15, result in R12(..R15).

#define MPY     0x04C0
#define MPYS    0x04C2
#define OP2     0x04C8
#define RESLO   0x04CA
#define RESHI   0x04CC
#define MPY32L  0x04D0
#define MPY32H  0x04D2
#define MPYS32L 0x04D4
#define MPYS32H 0x04D6
#define OP2L    0x04E0
#define OP2H    0x04E2
#define RES0    0x04E4
#define RES1    0x04E6
#define RES2    0x04E8
#define RES3    0x04EA

.macro FUNC name
        .section .text.\name,"ax",@progbits
        .global \name
        .type   \name,@function
        .balign 2
\name:
.endm

; int16 = int16 * int16 (low word)
FUNC __mspabi_mpyi_f5hw
        push    r2
        dint
        nop
        mov     r12, &MPY
        mov     r13, &OP2
        mov     &RESLO, r12
        reti
        .size   __mspabi_mpyi_f5hw, .-__mspabi_mpyi_f5hw

; int32 = int16 * int16 (signed, widening)
FUNC __mspabi_mpysl_f5hw
        push    r2
        dint
        nop
        mov     r12, &MPYS
        mov     r13, &OP2
        mov     &RESLO, r12
        mov     &RESHI, r13
        reti
        .size   __mspabi_mpysl_f5hw, .-__mspabi_mpysl_f5hw

; uint32 = uint16 * uint16 (widening)
FUNC __mspabi_mpyul_f5hw
        push    r2
        dint
        nop
        mov     r12, &MPY
        mov     r13, &OP2
        mov     &RESLO, r12
        mov     &RESHI, r13
        reti
        .size   __mspabi_mpyul_f5hw, .-__mspabi_mpyul_f5hw

; int32 = int32 (R12:R13) * int32 (R14:R15), low 32 bits
FUNC __mspabi_mpyl_f5hw
        push    r2
        dint
        nop
        mov     r12, &MPY32L
        mov     r13, &MPY32H
        mov     r14, &OP2L
        mov     r15, &OP2H
        mov     &RES0, r12
        mov     &RES1, r13
        reti
        .size   __mspabi_mpyl_f5hw, .-__mspabi_mpyl_f5hw

; int64 (R12..R15) = int32 (R12:R13) * int32 (R14:R15), signed
FUNC __mspabi_mpysll_f5hw
        push    r2
        dint
        nop
        mov     r12, &MPYS32L
        mov     r13, &MPYS32H
        mov     r14, &OP2L
        mov     r15, &OP2H
        mov     &RES0, r12
        mov     &RES1, r13
        mov     &RES2, r14
        mov     &RES3, r15
        reti
        .size   __mspabi_mpysll_f5hw, .-__mspabi_mpysll_f5hw

; uint64 (R12..R15) = uint32 (R12:R13) * uint32 (R14:R15)
FUNC __mspabi_mpyull_f5hw
        push    r2
        dint
        nop
        mov     r12, &MPY32L
        mov     r13, &MPY32H
        mov     r14, &OP2L
        mov     r15, &OP2H
        mov     &RES0, r12
        mov     &RES1, r13
        mov     &RES2, r14
        mov     &RES3, r15
        reti
        .size   __mspabi_mpyull_f5hw, .-__mspabi_mpyull_f5hw
