#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""bitspeerauth(1) documents every command, option and subcommand of the
built tool.

The commands are what "bitspeerauth --help" lists; a command's options
what "bitspeerauth COMMAND --help" (popt) lists; its subcommands the
"bitspeerauth COMMAND SUB" lines of its usage message (the command run
without arguments).  Each must be in docs/man/bitspeerauth.1.xml: a
<refsect2 id="cmd.COMMAND">, in it an <option> for each option and a
<literal> in a <term> for each subcommand.

usage: check_tool.py BITSPEERAUTH SOURCE_ROOT
"""
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

MAN = "docs/man/bitspeerauth.1.xml"


def run(*argv):
    p = subprocess.run(list(argv), capture_output=True, text=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    return p.stdout + p.stderr


def text(e):
    return re.sub(r"\s+", " ", "".join(e.itertext())).strip()


def main():
    tool, root = sys.argv[1], sys.argv[2]
    tree = ET.parse(os.path.join(root, MAN))
    sections = {s.get("id"): s for s in tree.iter("refsect2")}
    problems = []

    out = run(tool, "--help")
    cmds = []
    after = False
    for line in out.splitlines():
        if line.startswith("Commands:"):
            after = True
            continue
        m = re.match(r"^  (\S+)\s", line)
        if after and m:
            cmds.append(m.group(1))
    if not cmds:
        problems.append("\"bitspeerauth --help\" listed no commands:\n"
                        + out)
    for cmd in cmds:
        sect = sections.get("cmd." + cmd)
        if sect is None:
            problems.append(
                "command %r is not in %s: add a <refsect2 id=\"cmd.%s\">"
                "<title>%s</title> to its COMMANDS section, describing "
                "it, its options and subcommands" % (cmd, MAN, cmd, cmd))
            continue
        opts = set(re.findall(r"(?<![\w-])(--[a-z0-9][a-z0-9-]*)",
                              run(tool, cmd, "--help")))
        have = {text(o) for o in sect.iter("option")}
        for o in sorted(opts - have):
            problems.append(
                "%s: option %s is not in %s: add "
                "<varlistentry><term><option>%s</option> ...</term>"
                "<listitem>...</listitem></varlistentry> to "
                "<refsect2 id=\"cmd.%s\">" % (cmd, o, MAN, o, cmd))
        subs = set(re.findall(r"^\s*(?:Usage: )?bitspeerauth %s "
                              r"([a-z][a-z0-9-]*)" % re.escape(cmd),
                              run(tool, cmd), re.M))
        terms = set()
        for t in sect.iter("term"):
            terms |= {text(lit) for lit in t.iter("literal")}
        for s in sorted(subs - terms):
            problems.append(
                "%s: subcommand %r is not in %s: add "
                "<varlistentry><term><literal>%s</literal> ...</term>"
                "<listitem>...</listitem></varlistentry> to "
                "<refsect2 id=\"cmd.%s\">" % (cmd, s, MAN, s, cmd))
        print("ok: %s: %d options, %d subcommands" % (cmd, len(opts),
                                                      len(subs)))
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
