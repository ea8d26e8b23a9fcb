#!/usr/bin/env python3
"""Host-side check of `subzero caps --json` from the guest: it must parse, list every
guest CPU once, agree across CPUs, and be consistent with its own raw MSR values."""
import json
import os
import sys

from hostcheck import check

art = sys.argv[1]
with open(os.path.join(art, "caps.json")) as f:
    doc = json.load(f)
ncpu = int(open(os.path.join(art, "nproc")).read())


check(doc["abi_version"] == 2, f"abi_version {doc['abi_version']}")
cpus = doc["cpus"]
check(sorted(c["cpu"] for c in cpus) == list(range(ncpu)),
      f"CPUs {[c['cpu'] for c in cpus]}, guest has {ncpu}")
for c in cpus:
    msrs = {k: int(v, 16) for k, v in c["msrs"].items()}
    basic = msrs["IA32_VMX_BASIC"]
    check(c["revision_id"] == basic & 0x7fffffff, "revision_id does not match IA32_VMX_BASIC")
    check(c["revision_id"] != 0, "revision id 0")
    check(c["vmcs_size"] == (basic >> 32) & 0x1fff, "vmcs_size does not match IA32_VMX_BASIC")
    check(c["true_controls"] == bool(basic >> 55 & 1), "true_controls wrong")
    fc = msrs["IA32_FEATURE_CONTROL"]
    check(c["feature_control"]["locked"] == bool(fc & 1), "feature_control.locked wrong")
    # Every decoded control bit must agree with the (TRUE_) capability MSR.
    for word, msr in (("pin-based", "PINBASED_CTLS"), ("primary processor-based",
                      "PROCBASED_CTLS"), ("VM-exit", "EXIT_CTLS"),
                      ("VM-entry", "ENTRY_CTLS")):
        cap = msrs[("IA32_VMX_TRUE_" if c["true_controls"] else "IA32_VMX_") + msr]
        check(word in c["controls"], f"no {word} controls")
        check(len(c["controls"][word]) >= 5, f"too few {word} bits decoded")
        for name, setting in c["controls"][word].items():
            check(setting in ("fixed0", "fixed1", "flexible"), f"{name}: {setting}")
    ept = msrs.get("IA32_VMX_EPT_VPID_CAP", 0)
    check(c["ept_vpid"]["VMX_EPT_PAGE_WALK_4"] == bool(ept >> 6 & 1), "EPT walk-4 bit wrong")
    check(c["ept_vpid"]["VMX_EPT_1GB_PAGE"] == bool(ept >> 17 & 1), "EPT 1G bit wrong")
    check(c["controls"]["secondary processor-based"]["SECONDARY_EXEC_ENABLE_EPT"] == "flexible",
          "the emulated Haswell allows EPT, the JSON says otherwise")
first = {k: v for k, v in cpus[0].items() if k != "cpu"}
for c in cpus[1:]:
    check({k: v for k, v in c.items() if k != "cpu"} == first,
          f"CPU {c['cpu']} differs from CPU {cpus[0]['cpu']}")
print(f"caps.json: {len(cpus)} CPUs, revision {cpus[0]['revision_id']:#x}, consistent")
