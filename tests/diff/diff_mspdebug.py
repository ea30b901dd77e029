#!/usr/bin/env python3
"""Differential test of ipsim's CPU against `mspdebug sim` on the base MSP430 ISA.

Each seed gives one random instruction sequence (Format I ops in .w and .b, RRC RRA SWPB SXT
PUSH POP CALL, every addressing mode, forward conditional jumps), wrapped in a program that
stops the watchdog, fills the scratch SRAM 0x1C00-0x1FFF and R4-R15/SR from the seed, runs the
sequence and ends at the global label `done_<seed>`. Up to 8 sequences share one assembler and
linker run (fixed slot per seed, see link.ld); each gets its own ELF copy whose reset vector
points at its `_start_<seed>`. The ELF runs in both simulators (`ipsim exec --stop-at
done_<seed>`, mspdebug `setbreak`); R4-R15, SP, PC, SR and the scratch memory must agree.

Restrictions that keep the comparison meaningful (each one works around a place where
mspdebug 0.22's simulator is not an MSP430, or where the hardware is undefined):
  * word accesses use even addresses only (mspdebug reads words at odd addresses unaligned);
  * no PUSH.B (mspdebug zeroes the high byte of the pushed word);
  * DADD only on valid BCD operands (the result is undefined otherwise), and V is cleared
    right after each DADD (V is undefined after DADD);
  * writes to SR only through BIS/BIC of C, Z, N, V; no writes to PC or SP other than
    PUSH/POP/CALL/RET; pointers are re-masked into 0x1C40-0x1E3E before use, so every
    access stays inside 0x1C00-0x1EFF (the stack lives in 0x1F00-0x1FFF);
  * cycles are not compared: mspdebug's timing model is its own and it counts no
    instructions.

Usage:
  diff_mspdebug.py --ipsim build/ipsim --seeds 0:250 [--work DIR] [--keep]
  diff_mspdebug.py --ipsim build/ipsim --seed 17 --keep      # rerun one case
  diff_mspdebug.py --mspdebug-only --seeds 0:100             # generator + mspdebug only
"""

import argparse
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LINKER_SCRIPT = os.path.join(HERE, "link.ld")

SCRATCH_LO = 0x1C00          # filled from the seed, dumped and compared
SCRATCH_HI = 0x2000          # exclusive; the stack grows down from here
DATA_HI = 0x1F00             # data accesses stay below; 0x1F00-0x1FFF is the stack
PTR_BASE = 0x1C40            # pointers are (r & 0x01FE) + PTR_BASE: 0x1C40-0x1E3E
PTR_MASK = 0x01FE
MAX_DRIFT = 0x20             # bytes a pointer may advance by @Rn+ before it is re-masked
IDX_MIN, IDX_MAX = -0x40, 0x7F
MAX_PUSH = 40
CTAB_WORDS = 16

SLOTS, SLOT_BASE, SLOT_SIZE = 8, 0x4400, 0x1400   # must match link.ld

GP = list(range(4, 16))
FMT1 = ["mov", "add", "addc", "subc", "sub", "cmp", "bit", "bic", "bis", "xor", "and"]
FMT1_OPC = {"mov": 4, "add": 5, "addc": 6, "subc": 7, "sub": 8, "cmp": 9, "dadd": 10,
            "bit": 11, "bic": 12, "bis": 13, "xor": 14, "and": 15}
NO_WRITE = {"cmp", "bit"}
FMT2_OPC = {"rrc": 0x1000, "swpb": 0x1080, "rra": 0x1100, "sxt": 0x1180, "push": 0x1200,
            "call": 0x1280}
JUMPS = ["jne", "jeq", "jnc", "jc", "jn", "jge", "jl", "jmp"]
FLAG_BITS = [0x1, 0x2, 0x4, 0x100]          # C Z N V; never GIE/CPUOFF/OSCOFF/SCG
CG_VALUES = [0, 1, 2, 4, 8, -1]


def h(v):
    return "0x%04x" % (v & 0xFFFF)


def slot_of(seed):
    return seed % SLOTS


def slot_addr(seed):
    return SLOT_BASE + slot_of(seed) * SLOT_SIZE


class Operand:
    """One addressing-mode operand. kind: reg idx abs sym ctab ind inc imm."""

    def __init__(self, kind, reg=None, val=0, label=None):
        self.kind, self.reg, self.val, self.label = kind, reg, val, label

    def is_mem(self):
        return self.kind not in ("reg", "imm")

    def asm(self):
        k = self.kind
        if k == "reg":
            return "r%d" % self.reg
        if k == "idx":
            return "%d(r%d)" % (self.val, self.reg)
        if k == "abs":
            return "&" + h(self.val)
        if k == "ctab":
            return "ctab+%d" % self.val
        if k == "sym":
            return "SRAM[%s]" % h(self.val)       # only ever emitted via .word
        if k == "ind":
            return "@r%d" % self.reg
        if k == "inc":
            return "@r%d+" % self.reg
        if k == "imm":
            return "#%d" % self.val
        raise ValueError(k)

    def src_fields(self, byte):
        """(As, reg, extension word expression or None) as a source."""
        k = self.kind
        if k == "reg":
            return 0, self.reg, None
        if k == "idx":
            return 1, self.reg, str(self.val & 0xFFFF)
        if k == "abs":
            return 1, 2, h(self.val)
        if k == "sym":
            return 1, 0, "%s + 0x10000 - 0x4400 - (. - _start)" % h(self.val)
        if k == "ctab":
            return 1, 0, "ctab+%d - ." % self.val
        if k == "ind":
            return 2, self.reg, None
        if k == "inc":
            return 3, self.reg, None
        if k == "imm":
            v = self.val & (0xFF if byte else 0xFFFF)
            cg = {0: (0, 3), 1: (1, 3), 2: (2, 3), 4: (2, 2), 8: (3, 2),
                  (0xFF if byte else 0xFFFF): (3, 3)}
            if v in cg:
                return cg[v][0], cg[v][1], None
            return 3, 0, h(self.val)
        raise ValueError(k)

    def dst_fields(self):
        k = self.kind
        if k == "reg":
            return 0, self.reg, None
        if k == "idx":
            return 1, self.reg, str(self.val & 0xFFFF)
        if k == "abs":
            return 1, 2, h(self.val)
        if k == "sym":
            return 1, 0, "%s + 0x10000 - 0x4400 - (. - _start)" % h(self.val)
        raise ValueError(k)


def words_lines(text, words):
    """A hand-encoded instruction: a comment with its mnemonic, one .word per word (so that
    `.` in an expression is the address of that very word)."""
    out = ["    ; %s   (hand-encoded)" % text]
    for w in words:
        out.append("    .word %s" % (h(w) if isinstance(w, int) else w))
    return out


def fmt1_lines(op, byte, src, dst):
    sfx = ".b" if byte else ""
    text = "%s%s %s, %s" % (op, sfx, src.asm(), dst.asm())
    # clang 14 rejects MOV @Rn+,mem and cannot encode symbolic addresses outside the section
    need_words = (src.kind == "sym" or dst.kind == "sym" or
                  (op == "mov" and src.kind == "inc" and dst.is_mem()))
    if not need_words:
        return ["    " + text]
    a_s, sreg, sext = src.src_fields(byte)
    a_d, dreg, dext = dst.dst_fields()
    w = (FMT1_OPC[op] << 12) | (sreg << 8) | (a_d << 7) | ((1 if byte else 0) << 6) | \
        (a_s << 4) | dreg
    return words_lines(text, [w] + [e for e in (sext, dext) if e is not None])


def fmt2_lines(op, byte, opnd):
    sfx = ".b" if byte else ""
    text = "%s%s %s" % (op, sfx, opnd.asm())
    # clang 14 accepts PUSH only with a register or an immediate
    need_words = opnd.kind == "sym" or (op == "push" and opnd.kind not in ("reg", "imm"))
    if not need_words:
        return ["    " + text]
    a_s, reg, ext = opnd.src_fields(byte)
    w = FMT2_OPC[op] | ((1 if byte else 0) << 6) | (a_s << 4) | reg
    return words_lines(text, [w] + ([ext] if ext is not None else []))


class State:
    """What the generator knows statically: which registers hold in-range pointers
    (drift = bytes advanced since masking, parity = address parity or None) and the
    min/max number of words pushed."""

    def __init__(self):
        self.ptr = {}
        self.push_min = 0
        self.push_max = 0

    def copy(self):
        s = State()
        s.ptr = dict(self.ptr)
        s.push_min, s.push_max = self.push_min, self.push_max
        return s

    def merge(self, other):
        ptr = {}
        for r, (d1, p1) in self.ptr.items():
            if r in other.ptr:
                d2, p2 = other.ptr[r]
                ptr[r] = (max(d1, d2), p1 if p1 == p2 else None)
        self.ptr = ptr
        self.push_min = min(self.push_min, other.push_min)
        self.push_max = max(self.push_max, other.push_max)

    def written(self, reg):
        self.ptr.pop(reg, None)


class Generator:
    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        self.label_no = 0

    def label(self, stem):
        self.label_no += 1
        return ".L%s%d_s%d" % (stem, self.label_no, self.seed)

    # ---- operands -------------------------------------------------------------------

    def remask(self, st, reg, out):
        out.append("    and #%s, r%d" % (h(PTR_MASK), reg))
        out.append("    add #%s, r%d" % (h(PTR_BASE), reg))
        st.ptr[reg] = (0, 0)

    def pointer(self, st, byte, out, avoid=()):
        """A register usable as a base for an access of the given width, re-masked first
        when the generator cannot prove it is in range (and even, for words)."""
        r = self.rng
        cands = [g for g in GP if g not in avoid and g in st.ptr and st.ptr[g][0] <= MAX_DRIFT
                 and (byte or st.ptr[g][1] == 0)]
        if cands and r.random() < 0.7:
            return r.choice(cands)
        reg = r.choice([g for g in GP if g not in avoid])
        if not (reg in st.ptr and st.ptr[reg][0] <= MAX_DRIFT and (byte or st.ptr[reg][1] == 0)):
            self.remask(st, reg, out)
        return reg

    def data_addr(self, byte):
        a = self.rng.randrange(SCRATCH_LO, DATA_HI)
        return a if byte else a & ~1

    def imm(self, byte):
        r = self.rng
        x = r.random()
        if x < 0.45:
            return r.choice(CG_VALUES)
        if x < 0.6:
            v = r.choice([0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFE, 3, 0x10, 0x100])
            return v & 0xFF if byte else v
        return r.randrange(0x100) if byte else r.randrange(0x10000)

    def src_operand(self, st, byte, out, allow_inc=True):
        r = self.rng
        x = r.random()
        if x < 0.25:
            return Operand("reg", r.choice(GP))
        if x < 0.28:
            return Operand("reg", r.choice([0, 2, 3]))         # PC, SR, CG2 as a register
        if x < 0.46:
            return Operand("imm", val=self.imm(byte))
        if x < 0.57:
            reg = self.pointer(st, byte, out)
            v = r.randrange(IDX_MIN, IDX_MAX + 1)
            return Operand("idx", reg, v if byte else v & ~1)
        if x < 0.65:
            return Operand("abs", val=self.data_addr(byte))
        if x < 0.70:
            return Operand("sym", val=self.data_addr(byte))
        if x < 0.75:
            return Operand("ctab", val=r.randrange(CTAB_WORDS * 2 - 1) if byte
                           else 2 * r.randrange(CTAB_WORDS))
        if x < 0.87 or not allow_inc:
            return Operand("ind", self.pointer(st, byte, out))
        return Operand("inc", self.pointer(st, byte, out))

    def after_src(self, st, src, byte):
        if src.kind == "inc":
            d, p = st.ptr[src.reg]
            if byte:
                st.ptr[src.reg] = (d + 1, None if p is None else p ^ 1)
            else:
                st.ptr[src.reg] = (d + 2, p)

    def dst_operand(self, st, byte, out, src):
        """src has already been applied to st (a @Rn+ source increments first)."""
        r = self.rng
        x = r.random()
        if x < 0.55:
            return Operand("reg", r.choice(GP))
        if x < 0.75:
            avoid = ()
            if src.kind == "inc":
                reg = src.reg
                d, p = st.ptr[reg]
                if d <= MAX_DRIFT and (byte or p == 0) and r.random() < 0.5:
                    v = r.randrange(IDX_MIN, IDX_MAX + 1)
                    return Operand("idx", reg, v if byte else v & ~1)
                avoid = (reg,)
            reg = self.pointer(st, byte, out, avoid)
            v = r.randrange(IDX_MIN, IDX_MAX + 1)
            return Operand("idx", reg, v if byte else v & ~1)
        if x < 0.9:
            return Operand("abs", val=self.data_addr(byte))
        return Operand("sym", val=self.data_addr(byte))

    # ---- instructions -----------------------------------------------------------------

    def gen_fmt1(self, st, out, op=None):
        r = self.rng
        op = op or r.choice(FMT1)
        byte = r.random() < 0.35
        pre = []
        src = self.src_operand(st, byte, pre)
        # a re-mask emitted for src happens before the instruction: fine
        self.after_src(st, src, byte)
        dst = self.dst_operand(st, byte, pre, src)
        out.extend(pre)
        out.extend(fmt1_lines(op, byte, src, dst))
        if dst.kind == "reg" and op not in NO_WRITE:
            st.written(dst.reg)

    def gen_sr_op(self, st, out):
        r = self.rng
        bits = 0
        while not bits:
            bits = sum(b for b in FLAG_BITS if r.random() < 0.4)
        op = r.choice(["bis", "bic"])
        out.append("    %s #%s, r2" % (op, h(bits)))

    def gen_fmt2(self, st, out):
        r = self.rng
        op = r.choice(["rrc", "rra", "rrc", "rra", "swpb", "sxt"])
        byte = op in ("rrc", "rra") and r.random() < 0.35
        pre = []
        x = r.random()
        if x < 0.45:
            opnd = Operand("reg", r.choice(GP))
        elif x < 0.6:
            reg = self.pointer(st, byte, pre)
            v = r.randrange(IDX_MIN, IDX_MAX + 1)
            opnd = Operand("idx", reg, v if byte else v & ~1)
        elif x < 0.7:
            opnd = Operand("abs", val=self.data_addr(byte))
        elif x < 0.77:
            opnd = Operand("sym", val=self.data_addr(byte))
        elif x < 0.88:
            opnd = Operand("ind", self.pointer(st, byte, pre))
        else:
            opnd = Operand("inc", self.pointer(st, byte, pre))
        out.extend(pre)
        out.extend(fmt2_lines(op, byte, opnd))
        if opnd.kind == "reg":
            st.written(opnd.reg)
        self.after_src(st, opnd, byte)

    def gen_push(self, st, out):
        pre = []
        opnd = self.src_operand(st, False, pre)
        out.extend(pre)
        out.extend(fmt2_lines("push", False, opnd))
        self.after_src(st, opnd, False)
        st.push_min += 1
        st.push_max += 1

    def gen_pop(self, st, out):
        reg = self.rng.choice(GP)
        out.append("    pop r%d" % reg)
        st.written(reg)
        st.push_min -= 1
        st.push_max -= 1

    def gen_dadd(self, st, out):
        r = self.rng
        byte = r.random() < 0.35

        def bcd():
            return int("%04d" % r.randrange(10000), 16)

        pre = []
        dummy = Operand("imm", val=0)
        dst = self.dst_operand(st, byte, pre, dummy)
        out.extend(pre)
        wide = dst.kind == "reg" or not byte
        out.extend(fmt1_lines("mov", not wide,
                              Operand("imm", val=bcd() & (0xFFFF if wide else 0xFF)), dst))
        if r.random() < 0.5:
            src = Operand("imm", val=bcd() & (0xFF if byte else 0xFFFF))
        else:
            sreg = r.choice([g for g in GP if not (dst.kind in ("reg", "idx") and g == dst.reg)])
            out.append("    mov #%s, r%d" % (h(bcd()), sreg))
            st.written(sreg)
            src = Operand("reg", sreg)
        if r.random() < 0.3:
            out.append("    %s" % r.choice(["setc", "clrc"]))
        out.extend(fmt1_lines("dadd", byte, src, dst))
        out.append("    bic #0x0100, r2          ; V is undefined after DADD")
        if dst.kind == "reg":
            st.written(dst.reg)

    def gen_call(self, st, out):
        sub, after = self.label("sub"), self.label("after")
        out.append("    call #%s" % sub)
        out.append("    jmp %s" % after)
        out.append("%s:" % sub)
        inner = st.copy()
        inner.push_min = inner.push_max = 0          # no push/pop inside: keep RET honest
        for _ in range(self.rng.randint(1, 4)):
            self.gen_simple(inner, out)
        out.append("    ret")
        out.append("%s:" % after)
        st.ptr = inner.ptr

    def gen_jump(self, st, out, depth):
        skip = self.label("skip")
        out.append("    %s %s" % (self.rng.choice(JUMPS), skip))
        taken = st.copy()
        for _ in range(self.rng.randint(1, 4)):
            self.gen_item(st, out, depth + 1)
        out.append("%s:" % skip)
        st.merge(taken)

    def gen_simple(self, st, out):
        x = self.rng.random()
        if x < 0.62:
            self.gen_fmt1(st, out)
        elif x < 0.85:
            self.gen_fmt2(st, out)
        elif x < 0.93:
            self.gen_sr_op(st, out)
        else:
            self.gen_dadd(st, out)

    def gen_item(self, st, out, depth=0):
        r = self.rng
        x = r.random()
        if x < 0.08 and st.push_max < MAX_PUSH:
            self.gen_push(st, out)
        elif x < 0.12 and st.push_min > 0:
            self.gen_pop(st, out)
        elif x < 0.15 and depth == 0 and st.push_max < MAX_PUSH:
            self.gen_call(st, out)
        elif x < 0.27 and depth == 0:
            self.gen_jump(st, out, depth)
        else:
            self.gen_simple(st, out)

    # ---- whole program ----------------------------------------------------------------

    def program(self):
        r = self.rng
        n_items = r.randint(20, 60)
        regs = [r.randrange(0x10000) for _ in GP]
        flags = sum(b for b in FLAG_BITS if r.random() < 0.5)
        scratch = [r.randrange(0x10000) for _ in range((SCRATCH_HI - SCRATCH_LO) // 2)]
        ctab = [r.randrange(0x10000) for _ in range(CTAB_WORDS)]

        body = []
        st = State()
        for _ in range(n_items):
            self.gen_item(st, body)

        lines = [
            "; diff_mspdebug seed %d: %d items" % (self.seed, n_items),
            '    .section .slot%d,"ax",@progbits' % slot_of(self.seed),
            "    .global _start_%d" % self.seed,
            "    .global done_%d" % self.seed,
            "_start_%d:" % self.seed,
            "    mov #0x5a80, &0x015c       ; WDTCTL = WDTPW | WDTHOLD",
            "    mov #%s, r1" % h(SCRATCH_HI),
            "    mov #init_tab_%d, r4" % self.seed,
            "    mov #%s, r5" % h(SCRATCH_LO),
            ".Linit_s%d:" % self.seed,
            "    mov @r4+, r6",
            "    mov r6, 0(r5)",
            "    incd r5",
            "    cmp #%s, r5" % h(SCRATCH_HI),
            "    jne .Linit_s%d" % self.seed,
        ]
        lines += ["    mov #%s, r%d" % (h(v), g) for g, v in zip(GP, regs)]
        lines.append("    mov #%s, r2" % h(flags))
        lines.append("; ---- sequence ----")
        lines += body
        lines.append("; ---- end ----")
        lines += ["done_%d:" % self.seed, "    jmp done_%d" % self.seed, "    .p2align 1",
                  "ctab_%d:" % self.seed]
        lines += ["    .word %s" % h(v) for v in ctab]
        lines.append("init_tab_%d:" % self.seed)
        for i in range(0, len(scratch), 8):
            lines.append("    .word " + ", ".join(h(v) for v in scratch[i:i + 8]))
        lines.append("")
        text = "\n".join(lines)
        return text.replace("ctab+", "ctab_%d+" % self.seed).replace(
            "(. - _start)", "(. - _start_%d)" % self.seed).replace(
            "- 0x4400 -", "- %s -" % h(slot_addr(self.seed)))


# ---- build ------------------------------------------------------------------------------

def elf_symbols(path):
    """name -> value from an ELF32 little-endian symbol table."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 1:
        raise ValueError("%s: not an ELF32 file" % path)
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x2E)
    secs = [struct.unpack_from("<IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
    out = {}
    for s in secs:
        if s[1] != 2:                                  # SHT_SYMTAB
            continue
        strtab = secs[s[6]]
        for off in range(s[4], s[4] + s[5], 16):
            name, value = struct.unpack_from("<II", data, off)
            end = data.index(b"\0", strtab[4] + name)
            out[data[strtab[4] + name:end].decode()] = value
    return out


def elf_patch_reset(src, dst, entry):
    """Copy an ELF, pointing the reset vector (0xFFFE) at entry."""
    with open(src, "rb") as f:
        data = bytearray(f.read())
    phoff, = struct.unpack_from("<I", data, 0x1C)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x2A)
    for i in range(phnum):
        p_type, p_off, p_vaddr, p_paddr, p_filesz = struct.unpack_from(
            "<IIIII", data, phoff + i * phentsize)
        if p_type == 1 and p_paddr <= 0xFFFE and 0xFFFE + 2 <= p_paddr + p_filesz:
            struct.pack_into("<H", data, p_off + 0xFFFE - p_paddr, entry)
            break
    else:
        raise ValueError("%s: no loadable reset vector" % src)
    with open(dst, "wb") as f:
        f.write(data)


def build_batch(seeds, work, tools):
    """Assemble and link up to SLOTS sequences (distinct slots) into one image, then give
    every sequence its own ELF: a copy whose reset vector points at its _start."""
    assert len({slot_of(x) for x in seeds}) == len(seeds)
    progs = {x: Generator(x).program() for x in seeds}
    base = os.path.join(work, "batch%d" % seeds[0])
    with open(base + ".s", "w") as f:
        for x in seeds:
            f.write(progs[x])
        f.write('    .section .vectors,"ax",@progbits\n    .word _start_%d\n' % seeds[0])
    r = subprocess.run([tools["clang"], "--target=msp430", "-c", base + ".s", "-o", base + ".o"],
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("seeds %s: assembler failed:\n%s" % (seeds, r.stderr))
    r = subprocess.run([tools["lld"], "-T", LINKER_SCRIPT, base + ".o", "-o", base + ".elf"],
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("seeds %s: linker failed:\n%s" % (seeds, r.stderr))
    syms = elf_symbols(base + ".elf")
    cases = []
    for x in seeds:
        elf = os.path.join(work, "seed%d.elf" % x)
        elf_patch_reset(base + ".elf", elf, syms["_start_%d" % x])
        with open(os.path.join(work, "seed%d.s" % x), "w") as f:
            f.write(progs[x])
        cases.append({"seed": x, "asm": progs[x], "elf": elf, "image": base + ".elf",
                      "start": syms["_start_%d" % x], "done": syms["done_%d" % x],
                      "done_sym": "done_%d" % x})
    return cases


def batches(seeds):
    """Groups of at most SLOTS seeds with pairwise different slots, in seed order."""
    out, cur = [], []
    for x in seeds:
        if any(slot_of(y) == slot_of(x) for y in cur):
            out.append(cur)
            cur = []
        cur.append(x)
    if cur:
        out.append(cur)
    return out


# ---- mspdebug -------------------------------------------------------------------------

REG_RE = re.compile(r"\(\s*(PC|SP|SR|R\d+):\s*([0-9a-fA-F]+)\)")
MD_RE = re.compile(r"^\s*([0-9a-fA-F]+):((?:\s[0-9a-fA-F]{2})+)")


def mspdebug_script(cases):
    cmds = []
    for c in cases:
        cmds += ["prog %s" % c["elf"], "reset", "delbreak", "setbreak 0x%x" % c["done"], "run",
                 "regs", "md 0x%x %d" % (SCRATCH_LO, SCRATCH_HI - SCRATCH_LO)]
    return "\n".join(cmds) + "\n"


def parse_mspdebug(out, cases):
    """Split the transcript at each `prog` command echo and read `regs` and `md`."""
    chunks = re.split(r"^\(mspdebug\) prog .*$", out, flags=re.M)[1:]
    results = []
    for c, chunk in zip(cases, chunks):
        regs, mem = {}, bytearray()
        m = re.search(r"^\(mspdebug\) regs\s*$(.*?)^\(mspdebug\)", chunk, re.M | re.S)
        if m:
            for name, val in REG_RE.findall(m.group(1)):
                regs[name.lower()] = int(val, 16)
        m = re.search(r"^\(mspdebug\) md .*?$(.*?)(?:^\(mspdebug\)|\Z)", chunk, re.M | re.S)
        if m:
            for line in m.group(1).splitlines():
                mm = MD_RE.match(line)
                if mm:
                    mem += bytes(int(b, 16) for b in mm.group(2).split())
        ok = regs.get("pc") == c["done"] and len(mem) == SCRATCH_HI - SCRATCH_LO
        results.append({"regs": regs, "mem": bytes(mem), "ok": ok,
                        "log": chunk if not ok else ""})
    while len(results) < len(cases):
        results.append({"regs": {}, "mem": b"", "ok": False, "log": "no output"})
    return results


def run_mspdebug(cases, tools, timeout):
    """One mspdebug process for the whole batch; if it hangs (a sequence that never reaches
    `done`), rerun the cases one by one so that only the culprit fails."""
    try:
        r = subprocess.run([tools["mspdebug"], "-n", "sim"], input=mspdebug_script(cases),
                           capture_output=True, text=True, timeout=timeout)
        return parse_mspdebug(r.stdout, cases)
    except subprocess.TimeoutExpired:
        if len(cases) == 1:
            return [{"regs": {}, "mem": b"", "ok": False,
                     "log": "mspdebug did not reach done within %gs" % timeout}]
        out = []
        for c in cases:
            out += run_mspdebug([c], tools, 5.0)
        return out


# ---- ipsim ----------------------------------------------------------------------------

def run_ipsim(case, ipsim, timeout):
    key = "0x%x:%d" % (SCRATCH_LO, SCRATCH_HI - SCRATCH_LO)
    cmd = [ipsim, "exec", case["elf"], "--stop-at", case["done_sym"], "--max-cycles", "2000000",
           "--dump", key, "--json"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"ok": False, "log": "ipsim timed out after %gs: %s" % (timeout, " ".join(cmd))}
    try:
        j = json.loads(r.stdout)
    except ValueError:
        return {"ok": False, "log": "ipsim exit %d, no JSON:\n%s\n%s" % (
            r.returncode, r.stdout[-2000:], r.stderr[-2000:])}
    regs = {k: int(v) for k, v in j.get("registers", {}).items()}
    mem = bytes.fromhex(j.get("dumps", {}).get(key, ""))
    ok = (j.get("stop_reason") == "breakpoint" and len(mem) == SCRATCH_HI - SCRATCH_LO)
    return {"ok": ok, "regs": regs, "mem": mem, "json": j,
            "log": "" if ok else "stop_reason=%r exit=%d stderr=%s" % (
                j.get("stop_reason"), r.returncode, r.stderr[-2000:])}


COMPARED = ["pc", "sp", "sr"] + ["r%d" % i for i in GP]


def fmt_regs(regs):
    return "  ".join("%s=%s" % (k, h(regs[k]) if k in regs else "----") for k in COMPARED)


def compare(case, md, ip):
    """A list of difference descriptions (empty if the runs agree)."""
    diffs = []
    for k in COMPARED:
        a, b = md["regs"].get(k), ip["regs"].get(k)
        if a is None or b is None or (a & 0xFFFF) != (b & 0xFFFF):
            diffs.append("%s: mspdebug=%s ipsim=%s" % (
                k, "?" if a is None else h(a), "?" if b is None else h(b)))
    for i, (a, b) in enumerate(zip(md["mem"], ip["mem"])):
        if a != b:
            diffs.append("mem[%s]: mspdebug=%02x ipsim=%02x" % (h(SCRATCH_LO + i), a, b))
    return diffs


def report(case, text, md=None, ip=None):
    print("=" * 78)
    print("seed %d: %s" % (case["seed"], text))
    print("rerun: %s --ipsim IPSIM --seed %d --keep" % (sys.argv[0], case["seed"]))
    if md is not None and md.get("regs"):
        print("mspdebug: " + fmt_regs(md["regs"]))
    if ip is not None and ip.get("regs"):
        print("ipsim:    " + fmt_regs(ip["regs"]) + "  (instructions=%s cycles=%s)" % (
            ip["json"].get("instructions"), ip["json"].get("cycles")))
    print("---- assembly ----")
    print("(file: seed%d.s; stop symbol %s at 0x%x)" % (case["seed"], case["done_sym"],
                                                      case["done"]))
    seq = case["asm"].split("; ---- sequence ----")[-1].split("; ---- end ----")[0]
    print(seq.strip("\n"))
    print("-" * 78)


def find_tool(names):
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ipsim", help="path to the ipsim binary")
    ap.add_argument("--seeds", default="0:250", help="A:B runs seeds A..B-1")
    ap.add_argument("--seed", type=int, help="run only this seed")
    ap.add_argument("--work", help="directory for the generated files (default: temporary)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--mspdebug-only", action="store_true",
                    help="run only mspdebug and check every sequence reaches done")
    ap.add_argument("--batch", type=int, default=50, help="programs per mspdebug process")
    ap.add_argument("--print-asm", action="store_true", help="print the program and exit")
    args = ap.parse_args()

    if args.seed is not None:
        seeds = [args.seed]
    else:
        a, b = (int(x, 0) for x in args.seeds.split(":"))
        seeds = list(range(a, b))
    if args.print_asm:
        for x in seeds:
            print(Generator(x).program())
        return 0

    tools = {"clang": find_tool(["clang-14", "clang"]),
             "lld": find_tool(["ld.lld-14", "ld.lld"]),
             "mspdebug": find_tool(["mspdebug"])}
    missing = [k for k, v in tools.items() if not v]
    if missing:
        print("missing tools: %s" % ", ".join(missing))
        return 2
    if not args.mspdebug_only:
        if not args.ipsim:
            print("--ipsim PATH is required (or --mspdebug-only)")
            return 2
        if not os.access(args.ipsim, os.X_OK):
            print("ipsim binary not found or not executable: %s" % args.ipsim)
            return 2

    if args.work:
        work = os.path.abspath(args.work)
        if not args.keep and os.path.isdir(work):
            shutil.rmtree(work)
        os.makedirs(work, exist_ok=True)
    else:
        work = tempfile.mkdtemp(prefix="diff_mspdebug_")

    t0 = time.time()
    failures = 0
    groups = batches(seeds)
    for i in range(0, len(groups), max(1, args.batch // SLOTS)):
        cases = []
        for g in groups[i:i + max(1, args.batch // SLOTS)]:
            cases += build_batch(g, work, tools)
        mds = run_mspdebug(cases, tools, timeout=60.0)
        for case, md in zip(cases, mds):
            if not md["ok"]:
                failures += 1
                report(case, "mspdebug did not stop at done (0x%x)\n%s" % (
                    case["done"], md["log"][-3000:]), md)
                continue
            if args.mspdebug_only:
                continue
            ip = run_ipsim(case, args.ipsim, timeout=20.0)
            if not ip["ok"]:
                failures += 1
                report(case, "ipsim did not stop at done: " + ip["log"], md,
                       ip if "json" in ip else None)
                continue
            diffs = compare(case, md, ip)
            if diffs:
                failures += 1
                report(case, "%d differences" % len(diffs), md, ip)
                print("\n".join(diffs[:64]))
                if len(diffs) > 64:
                    print("... %d more" % (len(diffs) - 64))
    dt = time.time() - t0
    what = "mspdebug-only" if args.mspdebug_only else "ipsim vs mspdebug"
    print("%s: %d sequences, %d failed, %.1f s" % (what, len(seeds), failures, dt))
    if args.keep or failures:
        print("generated files kept in %s" % work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
