#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The two layout rules of README.Coding that a reader sees first.

Over every .c and .h file below the given folders of SOURCE_ROOT:
  - no line is wider than 80 columns (a tab counts up to the next
    multiple of 8);
  - a function's parameter list that does not fit on one line has one
    parameter per line: in a declaration or definition that spans
    several lines, no line holds the end of one parameter and the start
    of the next (calls are not checked).

Comments and string literals are blanked before the second check, and
preprocessor lines are left out.  The test names every offending line.

usage: check_style.py SOURCE_ROOT FOLDER...
"""
import os
import re
import sys

WIDTH = 80
# a top-level line that starts a declarator: "type name(" or "name("
DECL_START = re.compile(r"^[A-Za-z_][^=;]*\b[A-Za-z_]\w*\s*\(")


def blank(text):
    """Comments and literals as spaces; newlines and offsets kept."""
    out = []
    i = 0
    n = len(text)
    while i < n:
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text[i] in "\"'":
            q = text[i]
            j = i + 1
            while j < n and text[j] != q and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
        else:
            out.append(text[i])
            i += 1
            continue
        out.append(re.sub(r"[^\n]", " ", text[i:j]))
        i = j
    return "".join(out)


def code_lines(text):
    lines = blank(text).split("\n")
    continued = False
    for k, line in enumerate(lines):
        if continued or line.lstrip().startswith("#"):
            continued = line.endswith("\\")
            lines[k] = ""
    return lines


def is_attribute(before):
    """A group opened after an attribute macro, PRINTF_ATTRIBUTE(3, 4)."""
    m = re.search(r"(\w+)\s*$", before)
    return m is not None and (m.group(1).startswith("__attribute") or
                              re.fullmatch(r"[A-Z][A-Z0-9_]*", m.group(1))
                              is not None)


def packed_parameters(lines):
    """Line numbers (0-based) where one line holds two parameters."""
    found = []
    depth = 0
    k = 0
    while k < len(lines):
        line = lines[k]
        if depth == 0 and DECL_START.match(line):
            span = []
            parens = 0
            j = k
            while j < len(lines):
                parens += lines[j].count("(") - lines[j].count(")")
                span.append(j)
                if parens <= 0:
                    break
                j += 1
            if len(span) > 1:
                parens = 0
                attribute = False
                for j in span:
                    for col, ch in enumerate(lines[j]):
                        if ch == "(":
                            if parens == 0:
                                attribute = is_attribute(lines[j][:col])
                            parens += 1
                        elif ch == ")":
                            parens -= 1
                        elif (ch == "," and parens == 1 and
                              not attribute and
                              lines[j][col + 1:].strip()):
                            found.append(j)
                            break
            for j in span:
                depth += lines[j].count("{") - lines[j].count("}")
            k = span[-1] + 1
            continue
        depth += line.count("{") - line.count("}")
        k += 1
    return found


def sources(root, folders):
    for folder in folders:
        for top, dirs, files in os.walk(os.path.join(root, folder)):
            dirs[:] = sorted(d for d in dirs if not d.startswith("build"))
            for name in sorted(files):
                if name.endswith((".c", ".h")):
                    yield os.path.join(top, name)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    root = sys.argv[1]
    bad = 0
    for path in sources(root, sys.argv[2:]):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        raw = text.split("\n")
        for k, line in enumerate(raw):
            if len(line.expandtabs(8)) > WIDTH:
                print(f"{rel}:{k + 1}: wider than {WIDTH} columns")
                bad += 1
        for k in packed_parameters(code_lines(text)):
            print(f"{rel}:{k + 1}: two parameters on one line: "
                  f"{raw[k].strip()}")
            bad += 1
    if bad:
        print(f"{bad} line(s) against README.Coding's layout")
        sys.exit(1)


if __name__ == "__main__":
    main()
