#!/usr/bin/env python3
"""Compiles (and links) every C, C++ and Fortran code example of the user documentation.

Examples are fenced code blocks (```cpp, ```c, ```fortran, ...; see LANGS) in README.md and
docs/**/*.md, and fenced blocks inside the comments of the public headers (include/cairn/*),
whose lines are taken without their comment prefix (//, /*, *, !). A block that defines main()
(or, in Fortran, a program) is compiled as it is; any other block is a fragment and is compiled
as the body of main() after the public header and common standard headers. Names a fragment or
program uses without declaring them come from an HTML comment right before the block in
Markdown, shown to the compiler but not to the reader:

    <!-- example-context
    std::uint64_t nx = 64;
    -->

C++ examples are compiled with -std=c++17 (the public headers need no more). Blocks of other
languages (sh, cmake, ini, text, unmarked) are not compiled.

usage: check_examples.py --source-dir S --runtime-lib LIB [--fortran-lib LIB --fortran-mod DIR]
                         [--cxx mpicxx] [--cc mpicc] [--fc mpifort] [--work DIR] [--list]
"""
import argparse
import pathlib
import re
import subprocess
import sys

LANGS = {
    "cpp": "c++", "c++": "c++", "cxx": "c++", "cc": "c++", "c++17": "c++", "c++20": "c++",
    "c": "c",
    "fortran": "fortran", "f90": "fortran", "f": "fortran", "f08": "fortran",
}
FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([^\s`{]*)")
COMMENT = re.compile(r"^\s*(//+ ?|/\*+ ?|\*/|\* ?|!+ ?)?")
CONTEXT_OPEN = re.compile(r"^\s*<!--\s*example-context\s*$")


class Example:
    def __init__(self, path, line, lang, code, context):
        self.path, self.line, self.lang, self.code, self.context = path, line, lang, code, context

    def name(self, root):
        return f"{self.path.relative_to(root)}:{self.line}"


def blocks(path, lines):
    """Fenced blocks of a known language in `lines`, with the context comment before each."""
    out = []
    i = 0
    context = None
    while i < len(lines):
        line = lines[i]
        if CONTEXT_OPEN.match(line):
            j = i + 1
            body = []
            while j < len(lines) and "-->" not in lines[j]:
                body.append(lines[j])
                j += 1
            context = "\n".join(body)
            i = j + 1
            continue
        m = FENCE.match(line)
        if not m:
            if line.strip():
                context = None  # a context belongs to the block right after it
            i += 1
            continue
        indent, fence, info = m.group(1), m.group(2), m.group(3).lower()
        body = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence[0] * len(fence)):
            text = lines[j]
            body.append(text[len(indent):] if text.startswith(indent) else text.lstrip())
            j += 1
        if info in LANGS:
            out.append(Example(path, i + 1, LANGS[info], "\n".join(body) + "\n", context))
        context = None
        i = j + 1
    return out


def header_lines(path):
    """The lines of a header's comments, without their comment prefix ("" for code lines)."""
    result = []
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith(("//", "/*", "*", "!")):
            result.append(COMMENT.sub("", line, count=1).rstrip().removesuffix("*/").rstrip())
        else:
            result.append("")
    return result


def find_examples(root):
    found = []
    docs = [root / "README.md"] + sorted((root / "docs").rglob("*.md"))
    for p in docs:
        if p.is_file():
            found += blocks(p, p.read_text().splitlines())
    for p in sorted((root / "include" / "cairn").iterdir()):
        if p.suffix in (".hpp", ".h", ".f90"):
            found += blocks(p, header_lines(p))
    return found


def source_of(ex):
    ctx = (ex.context or "") + "\n"
    if ex.lang == "fortran":
        if re.search(r"^\s*program\s+\w+", ex.code, re.I | re.M):
            return ex.code, ".f90"
        return ("program example\n    use, intrinsic :: iso_c_binding\n    use cairn\n"
                "    implicit none\n" + ctx + ex.code + "end program example\n"), ".f90"
    program = re.search(r"\bmain\s*\(", ex.code) is not None
    if ex.lang == "c":
        head = "#include <cairn/cairn.h>\n#include <stdint.h>\n#include <stdio.h>\n"
        if program:
            return head + ctx + ex.code, ".c"
        return head + ctx + "int main(int argc, char** argv) {\n" + ex.code + \
            "(void)argc; (void)argv;\nreturn 0;\n}\n", ".c"
    head = ("#include <cairn/cairn.hpp>\n#include <mpi.h>\n#include <cstdint>\n#include <cstdio>\n"
            "#include <map>\n#include <string>\n#include <vector>\n")
    if program:
        return head + ctx + ex.code, ".cpp"
    return head + ctx + "int main(int argc, char** argv) {\n" + ex.code + \
        "(void)argc; (void)argv;\nreturn 0;\n}\n", ".cpp"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--runtime-lib")
    ap.add_argument("--fortran-lib")
    ap.add_argument("--fortran-mod")
    ap.add_argument("--cxx", default="mpicxx")
    ap.add_argument("--cc", default="mpicc")
    ap.add_argument("--fc", default="mpifort")
    ap.add_argument("--work", default="doc_examples")
    ap.add_argument("--list", action="store_true", help="list the examples and exit")
    a = ap.parse_args()
    root = pathlib.Path(a.source_dir).resolve()
    examples = find_examples(root)
    if a.list:
        for ex in examples:
            print(f"{ex.name(root)} {ex.lang}")
        return 0
    if not examples:
        print("FAIL: no code example found (is the source directory right?)")
        return 1
    work = pathlib.Path(a.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    inc = str(root / "include")
    lib = pathlib.Path(a.runtime_lib).resolve()
    link = [str(lib), f"-Wl,-rpath,{lib.parent}"]
    failed = []
    counts = {}
    for n, ex in enumerate(examples):
        src, ext = source_of(ex)
        f = work / f"example{n}{ext}"
        f.write_text(src)
        exe = str(work / f"example{n}")
        if ex.lang == "c++":
            cmd = [a.cxx, "-std=c++17", "-Wall", "-I", inc, "-DOMPI_SKIP_MPICXX=1", str(f),
                   "-o", exe] + link
        elif ex.lang == "c":
            cmd = [a.cc, "-std=c11", "-Wall", "-I", inc, str(f), "-o", exe] + link
        else:
            if not a.fortran_lib:
                print(f"FAIL: {ex.name(root)}: a Fortran example, but no Fortran bindings built")
                failed.append(ex)
                continue
            cmd = [a.fc, "-I", a.fortran_mod, str(f), "-o", exe, a.fortran_lib] + link
        r = subprocess.run(cmd, capture_output=True, text=True)
        counts[ex.lang] = counts.get(ex.lang, 0) + 1
        if r.returncode != 0:
            failed.append(ex)
            print(f"FAIL: {ex.name(root)} ({ex.lang}) does not compile: {' '.join(cmd)}")
            print(r.stdout + r.stderr)
            numbered = "\n".join(f"{i + 1:4} {t}" for i, t in enumerate(src.splitlines()))
            print(f"source as compiled ({f}):\n{numbered}")
        else:
            print(f"ok: {ex.name(root)} ({ex.lang})")
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    if failed:
        print(f"FAIL: {len(failed)} of {len(examples)} examples do not compile")
        return 1
    print(f"PASS: {len(examples)} examples compiled and linked ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
