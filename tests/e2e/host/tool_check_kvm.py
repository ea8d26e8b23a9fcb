#!/usr/bin/env python3
"""Host-side check of `subzero check --json` while a KVM VM is open in the guest: KVM
is the blocker, the VM is counted, and the verdict is 'cannot load'."""
import json
import os
import sys

from hostcheck import check

with open(os.path.join(sys.argv[1], "check_kvm.json")) as f:
    doc = json.load(f)
kvm = doc["system"]["kvm"]
check(kvm["kvm_intel_loaded"] is True, "kvm_intel not reported loaded")
check(kvm["vms"] >= 1, f"{kvm['vms']} VMs counted, kvm-hold holds one")
check(doc["can_load"] is False and doc["verdict"] == "subzero cannot load",
      f"verdict {doc['verdict']}")
check(any(b["what"].startswith("KVM holds VMX") and "rmmod kvm_intel" in b["fix"]
          for b in doc["blockers"]), f"no KVM blocker in {doc['blockers']}")
check(all(c["vmx"] for c in doc["cpus"]), "a CPU without VMX")
print(f"check_kvm.json: {kvm['vms']} VM(s), blockers: {[b['what'] for b in doc['blockers']]}")
