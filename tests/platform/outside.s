; A program whose data lies in vacant memory (0x1B00): the ELF loader must refuse it.
        .text
        .global _start
_start: jmp     .
        .section .vacant,"aw"
        .word   1
