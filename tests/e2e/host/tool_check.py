#!/usr/bin/env python3
"""Host-side check of `subzero check --json` from the guest: it parses, lists every
CPU once, and its verdict is the one the CPU model implies (the guest kernel's own
cpuinfo flags say whether there is VMX): with VMX no blocker, EPT and VPID used;
without, each CPU's missing VMX a blocker with a fix."""
import json
import os
import sys

from hostcheck import check

art = sys.argv[1]
with open(os.path.join(art, "check.json")) as f:
    doc = json.load(f)
ncpu = int(open(os.path.join(art, "nproc")).read())
flags = open(os.path.join(art, "cpuinfo_flags")).read().split()
vmx = "vmx" in flags

cpus = doc["cpus"]
check(sorted(c["cpu"] for c in cpus) == list(range(ncpu)),
      f"CPUs {[c['cpu'] for c in cpus]}, guest has {ncpu}")
check(doc["system"]["subzero_loaded"] is False, "subzero reported loaded")
check(doc["system"]["kvm"]["kvm_intel_loaded"] is False, "kvm_intel reported loaded")
check(isinstance(doc["warnings"], list), "warnings is not a list")
if vmx:
    check(doc["can_load"] is True and doc["verdict"] == "subzero can load",
          f"verdict {doc['verdict']} on a CPU with VMX")
    check(doc["blockers"] == [], f"blockers {doc['blockers']}")
    for c in cpus:
        check(c["vmx"] is True, f"CPU {c['cpu']}: no VMX")
        check(c["feature_control"] == {"locked": True, "vmxon_outside_smx": True},
              f"CPU {c['cpu']}: feature_control {c['feature_control']}")
        check(c["missing_controls"] == [], f"CPU {c['cpu']}: missing {c['missing_controls']}")
        f = c["features"]
        check(set(f) == {"ept", "vpid", "unrestricted_guest", "mtf", "ept_1g_pages", "mbec"},
              f"features {sorted(f)}")
        for name in ("ept", "vpid"):
            check(f[name] == {"available": True, "used": True}, f"{name}: {f[name]}")
        for name in ("unrestricted_guest", "mbec"):
            check(f[name]["used"] is False, f"{name} used: subzero does not use it")
        for name, v in f.items():
            check(not v["used"] or v["available"], f"{name} used but not available")
else:
    check(doc["can_load"] is False and doc["verdict"] == "subzero cannot load",
          f"verdict {doc['verdict']} without VMX")
    for c in cpus:
        check(c["vmx"] is False, f"CPU {c['cpu']} has VMX on a CPU model without it")
        check(any(b["what"] == f"CPU {c['cpu']}: no VMX (CPUID.1:ECX.VMX = 0)" and b["fix"]
                  for b in doc["blockers"]), f"CPU {c['cpu']}: no blocker for missing VMX")
print(f"check.json: {len(cpus)} CPUs, {doc['verdict']}, {len(doc['blockers'])} blockers, "
      f"{len(doc['warnings'])} warnings")
