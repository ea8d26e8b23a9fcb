#!/usr/bin/env python3
"""Host-side check for tool_bad_args: the man page docs/subzero.8 renders without a
warning, and it and the bash completion name every command the guest's `subzero help`
listed (the tool's dispatch table)."""
import os
import re
import shutil
import subprocess
import sys

from hostcheck import check

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..")
man = os.path.join(ROOT, "docs", "subzero.8")
completion = os.path.join(ROOT, "tools", "subzero.bash-completion")
commands = open(os.path.join(sys.argv[1], "commands")).read().split()
check(len(commands) >= 11, f"the guest listed {commands}")

check(shutil.which("groff") is not None, "no groff (scripts/deps.sh installs groff-base)")
r = subprocess.run(["groff", "-z", "-ww", "-man", man], capture_output=True, text=True)
check(r.returncode == 0 and not r.stderr.strip(), f"groff warns: {r.stderr.strip()[:300]}")
text = open(man).read()
sections = re.findall(r"^\.SS (\S+)", text, re.M)
for c in commands:
    check(c in sections, f"the man page has no section for '{c}' (it has {sections})")
for code in range(5):
    check(re.search(rf"^\.B {code}$", text, re.M), f"exit code {code} not in the man page")
comp = open(completion).read()
listed = re.search(r'commands="([^"]*)"', comp).group(1).split()
check(sorted(listed) == sorted(commands),
      f"completion lists {sorted(listed)}, the tool {sorted(commands)}")
print(f"man page and completion cover the {len(commands)} commands: {' '.join(commands)}")
