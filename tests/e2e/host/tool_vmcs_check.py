#!/usr/bin/env python3
"""Host-side check of `subzero vmcs --check --json`: one verdict per CPU, each with the
number of rules checked and an empty list of violations (a live VMCS passes)."""
import json
import os
import sys

from hostcheck import check

art = sys.argv[1]
with open(os.path.join(art, "vmcs_check.json")) as f:
    doc = json.load(f)
ncpu = int(open(os.path.join(art, "nproc")).read())

check(doc["abi_version"] == 2, "abi_version")
cpus = doc["cpus"]
check([c["cpu"] for c in cpus] == list(range(ncpu)), f"CPUs {[c['cpu'] for c in cpus]}")
for c in cpus:
    n = c["cpu"]
    check(c["rules"] >= 100, f"CPU {n}: only {c['rules']} rules")
    check(c["broken"] == 0 and c["violations"] == [],
          f"CPU {n}: broken rules {c['violations']}")
    check(c["tsc"] > 0 and c["time_s"] > 0, f"CPU {n}: no time")
print(f"{ncpu} CPUs, {cpus[0]['rules']} rules each, none broken")
