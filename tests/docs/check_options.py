#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The smb.conf options: code, man page and README agree.

bpa_options[] in source/util/bpa_config.c is the one table the code
reads its bitspeerauth:* options through (options_dump prints it).
This test fails, saying what to add where, when
  - an option of the table is missing from docs/man/bitspeerauth.8.xml
    or from README.md's option table, or either gives another default
    (or, for a number, the man page another range);
  - the man page or README documents an option the table does not have;
  - code outside bpa_config.c reads an smb.conf option itself
    (lpcfg_parm_*/lp_parm_*), bypassing the table.

usage: check_options.py OPTIONS_DUMP SOURCE_ROOT
"""
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

TABLE = "bpa_options[] in source/util/bpa_config.c"
MAN = "docs/man/bitspeerauth.8.xml"
README = "README.md"


def code_options(dump):
    out = subprocess.run([dump], check=True, capture_output=True,
                         text=True).stdout
    opts = {}
    for line in out.splitlines():
        f = line.split("\t")
        o = {"type": f[1], "default": f[2]}
        if f[1] == "uint":
            o["min"], o["max"] = f[3], f[4]
        opts[f[0]] = o
    return opts


def text(e):
    return re.sub(r"\s+", " ", "".join(e.itertext())).strip()


def man_options(path):
    tree = ET.parse(path)
    opts = {}
    for ve in tree.iter("varlistentry"):
        term = ve.find("term")
        p = term.find("parameter") if term is not None else None
        if p is None or not text(p).startswith("bitspeerauth:"):
            continue
        name = text(p)[len("bitspeerauth:"):]
        o = {}
        for lit in ve.iter("literal"):
            role = lit.get("role")
            if role in ("default", "min", "max"):
                o[role] = text(lit)
        opts[name] = o
    return opts


def readme_options(path):
    opts = {}
    row = re.compile(r"^\|\s*`bitspeerauth:([^`]+)`\s*\|\s*`([^`]*)`\s*\|")
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = row.match(line)
            if m:
                opts[m.group(1)] = {"default": m.group(2)}
    return opts


def man_snippet(name, o):
    ident = "opt." + name.replace(" ", "-")
    value = {"bool": "yes|no", "uint": "<replaceable>number</replaceable>",
             "path": "<replaceable>path</replaceable>"}.get(
                 o["type"], "<replaceable>value</replaceable>")
    default = o["default"].replace("<", "&lt;").replace(">", "&gt;")
    s = ('<varlistentry id="%s">\n'
         '<term><parameter>bitspeerauth:%s</parameter> = %s</term>\n'
         '<listitem>\n<para>WHAT IT DOES.</para>\n'
         '<para>Default: <literal role="default">%s</literal>.'
         % (ident, name, value, default))
    if o["type"] == "uint":
        s += ('\nRange: <literal role="min">%s</literal> to\n'
              '<literal role="max">%s</literal>.' % (o["min"], o["max"]))
    return s + "</para>\n</listitem>\n</varlistentry>"


def direct_reads(root):
    bad = []
    pat = re.compile(r"\b(lpcfg_parm_\w+|lp_parm_\w+)\s*\(")
    for d, _, files in os.walk(os.path.join(root, "source")):
        for fn in sorted(files):
            if not fn.endswith((".c", ".h")):
                continue
            path = os.path.join(d, fn)
            rel = os.path.relpath(path, root)
            if rel == "source/util/bpa_config.c":
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                for no, line in enumerate(f, 1):
                    m = pat.search(line)
                    if m:
                        bad.append((rel, no, m.group(1)))
    return bad


def main():
    dump, root = sys.argv[1], sys.argv[2]
    code = code_options(dump)
    man = man_options(os.path.join(root, MAN))
    readme = readme_options(os.path.join(root, README))
    problems = []

    for name, o in code.items():
        full = "bitspeerauth:" + name
        if name not in man:
            problems.append(
                "%s is in %s but not documented in %s.\n"
                "  Add to the OPTIONS <variablelist> there:\n%s"
                % (full, TABLE, MAN,
                   "\n".join("    " + l for l in
                             man_snippet(name, o).splitlines())))
        else:
            m = man[name]
            for k in ("default", "min", "max"):
                if k not in o:
                    continue
                if k not in m:
                    problems.append(
                        "%s: %s gives no %s; add "
                        '<literal role="%s">%s</literal> to its '
                        "<varlistentry>" % (full, MAN, k, k, o[k]))
                elif m[k] != o[k]:
                    problems.append(
                        "%s: %s says %s %r, %s says %r: make them "
                        "agree" % (full, MAN, k, m[k], TABLE, o[k]))
        if name not in readme:
            problems.append(
                "%s is in %s but not in %s's option table (section "
                "\"The server module and its smb.conf options\").\n"
                "  Add the row:\n    | `%s` | `%s` | WHAT IT DOES |"
                % (full, TABLE, README, full, o["default"]))
        elif readme[name]["default"] != o["default"]:
            problems.append(
                "%s: %s says default %r, %s says %r: make them agree"
                % (full, README, readme[name]["default"], TABLE,
                   o["default"]))

    for where, opts in ((MAN, man), (README, readme)):
        for name in opts:
            if name not in code:
                problems.append(
                    "bitspeerauth:%s is documented in %s but %s has no "
                    "such option: add its row there (and a field in "
                    "struct bpa_config) or remove it from %s"
                    % (name, where, TABLE, where))

    for rel, no, fn in direct_reads(root):
        problems.append(
            "%s:%d reads an smb.conf option with %s(): read "
            "bitspeerauth options only through %s (a row there and a "
            "field in struct bpa_config, source/util/bpa_config.h), "
            "so that they are documented and tested" % (rel, no, fn, TABLE))

    for p in problems:
        print("FAIL: " + p)
    print("%d options in the code, %d in %s, %d in %s: %s"
          % (len(code), len(man), MAN, len(readme), README,
             "%d problem(s)" % len(problems) if problems else "agree"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
