#!/usr/bin/python3
"""Every citation of the project's own design documents resolves to a section that exists.

Citations look like `design.md §7`, `design §3`, `hardware.md §5.1` or `facts §4.3` ("facts"
is the hardware fact sheet, docs/hardware.md). A bare `§N` right after a comma or a
parenthesis continues the citation before it on the same or an earlier line of the same
file (`facts §1.2 base addresses, §2.1 SR bits`); one after another document's name
(`SLAU367P §25`) is not ours and is not checked. Inside docs/design.md and docs/hardware.md
a bare `§N` means the document itself until another document is named.

usage: check_citations.py [ROOT]     (default: the repository this script is in)
       check_citations.py --self-test
Exit 1 and one line `FILE:LINE: cites DOC §N, ...` per dangling citation.
"""
import os
import re
import sys
import tempfile

DOCS = {"design.md": "docs/design.md", "design": "docs/design.md",
        "hardware.md": "docs/hardware.md", "hardware": "docs/hardware.md",
        "facts": "docs/hardware.md"}
SKIP_DIRS = {".git", "build", "results", "__pycache__", "node_modules"}
TEXT_EXT = {".c", ".h", ".cpp", ".hpp", ".S", ".s", ".ld", ".py", ".cmake", ".txt", ".md",
            ".yaml", ".yml", ".sh", ".json", ""}
HEADING = re.compile(r"^#{2,4}\s+(\d+(?:\.\d+)*)\.?\s")
CITE = re.compile(r"(?:([\w.\-]+)([ \t]*)|([,(;/&]|\band\b)[ \t]*|^[ \t/*#;-]*)§[ \t]*(\d+(?:\.\d+)*)")


def sections(path):
    found = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = HEADING.match(line)
            if m:
                found.add(m.group(1))
    return found


def citations(rel, text):
    """(line, doc path, section) for each citation of our documents in one file."""
    own = rel if rel in DOCS.values() else None
    current = own  # the document a bare § continues
    out = []
    for no, line in enumerate(text.splitlines(), 1):
        for m in CITE.finditer(line):
            word, number = m.group(1), m.group(4)
            if word is not None:
                if word.lower() in DOCS:
                    current = DOCS[word.lower()]
                elif re.fullmatch(r"[A-Z][A-Z0-9\-]*\d[A-Z0-9\-]*|[A-Z]{3,}", word):
                    current = None  # another document: SLAU367P §25, EABI §3.3.3
                # else plain prose ("see §3", "and §4.3"): continues the current document
            if current:
                out.append((no, current, number))
    return out


def check(root):
    docs = {}
    problems = []
    for doc in set(DOCS.values()):
        path = os.path.join(root, doc)
        if os.path.isfile(path):
            docs[doc] = sections(path)
    for dirpath, dirnames, files in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS
                             and not d.startswith("build"))
        for name in sorted(files):
            if os.path.splitext(name)[1] not in TEXT_EXT:
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if rel == os.path.join("tests", "docs", "check_citations.py"):
                continue  # its own examples
            try:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            except (UnicodeDecodeError, OSError):
                continue
            if "§" not in text:
                continue
            for no, doc, number in citations(rel, text):
                if doc not in docs:
                    problems.append("%s:%d: cites %s §%s, but %s does not exist"
                                    % (rel, no, doc, number, doc))
                elif number not in docs[doc]:
                    problems.append("%s:%d: cites %s §%s, but %s has no section %s"
                                    % (rel, no, doc, number, doc, number))
    return problems


def self_test():
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "docs"))
        os.makedirs(os.path.join(root, "src"))
        with open(os.path.join(root, "docs", "design.md"), "w") as f:
            f.write("# d\n## 1. One\n## 2. Two\nsee §2\n")
        with open(os.path.join(root, "docs", "hardware.md"), "w") as f:
            f.write("# h\n## 4. P\n### 4.1 MPY\n### 4.3 LEA\n")
        with open(os.path.join(root, "src", "a.h"), "w") as f:
            f.write("// design.md §2, facts §4.1 and §4.3, see §4.4\n"
                    "// SLAU367P §25 is TI's, EABI §3.3.3 too\n"
                    "// (facts §4.1 MPY32,\n"
                    "// §4.2 DMA)\n"
                    "// design §9\n")
        got = check(root)
        want = ["src/a.h:1: cites docs/hardware.md §4.4, but docs/hardware.md has no section 4.4",
                "src/a.h:4: cites docs/hardware.md §4.2, but docs/hardware.md has no section 4.2",
                "src/a.h:5: cites docs/design.md §9, but docs/design.md has no section 9"]
        if got != want:
            print("self-test FAILED:\n  got  %s\n  want %s" % (got, want))
            return 1
    print("check_citations self-test: OK")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    root = os.path.abspath(root)
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print("%d dangling citation(s): add the section or fix the citation" % len(problems))
        return 1
    print("check_citations: every citation of docs/design.md and docs/hardware.md resolves")
    return 0


if __name__ == "__main__":
    sys.exit(main())
