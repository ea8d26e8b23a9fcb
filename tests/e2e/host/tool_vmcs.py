#!/usr/bin/env python3
"""Host-side check of `subzero vmcs --json`: every CPU's VMCS in the six groups, the
values that must be what subzero set up (non-zero CR3s, RIPs and RSPs, VPID = CPU + 1,
the shared MSR bitmap and exit stub, each CPU's own root page tables, GDT, TSS and IDT
(issue 13: hidden, per CPU), the snapshot VMCALL as the exit reason), control
words decoded into bit names that add up to the value, and fields the emulated
CPU's VMREAD refuses marked unsupported rather than shown as 0."""
import json
import os
import sys

from hostcheck import check

art = sys.argv[1]
with open(os.path.join(art, "vmcs.json")) as f:
    doc = json.load(f)
ncpu = int(open(os.path.join(art, "nproc")).read())

GROUPS = ["guest-state area", "host-state area", "VM-execution control fields",
          "VM-exit control fields", "VM-entry control fields", "VM-exit information fields"]


check(doc["abi_version"] == 2, "abi_version")
check(doc["groups"] == GROUPS, f"groups {doc['groups']}")
cpus = doc["cpus"]
check([c["cpu"] for c in cpus] == list(range(ncpu)), f"CPUs {[c['cpu'] for c in cpus]}")
fields = []
for c in cpus:
    n = c["cpu"]
    check(list(c["groups"]) == GROUPS, f"CPU {n}: groups {list(c['groups'])}")
    f = {}
    for g, members in c["groups"].items():
        check(len(members) > 0, f"CPU {n}: group {g} empty")
        for name, x in members.items():
            check(name not in f, f"CPU {n}: {name} twice")
            f[name] = dict(x, group=g)
    check(len(f) == c["nr_fields"], f"CPU {n}: {len(f)} fields shown, {c['nr_fields']} sent")
    sup = [k for k, x in f.items() if x["supported"]]
    check(len(sup) == c["nr_supported"] and 100 <= len(sup) < len(f),
          f"CPU {n}: {len(sup)} of {len(f)} supported")
    for k, x in f.items():
        check((x["value"] is None) != x["supported"], f"CPU {n}: {k} value/supported mismatch")
    # Fields newer than Bochs itself: no CPU's VMREAD knows them.
    for k in ("TERTIARY_VM_EXEC_CONTROL", "SECONDARY_VM_EXIT_CONTROLS", "SHARED_EPT_POINTER"):
        check(not f[k]["supported"], f"CPU {n}: {k} supported by the emulator?")
    # Fields a Haswell lacks.  Bochs removes them from the VMCS layout of the first CPU
    # only (init_VMCS() guards its per-CPU map with one static "vmcs_map_ready"), so
    # only CPU 0's VMREAD refuses them; the dump shows what VMREAD says on each CPU.
    if n == 0:
        for k in ("GUEST_IA32_FRED_CONFIG", "HOST_S_CET", "PML_ADDRESS", "TSC_MULTIPLIER"):
            check(not f[k]["supported"], f"CPU 0: {k} supported on an emulated Haswell?")
    v = {k: int(x["value"], 16) for k, x in f.items() if x["supported"]}
    for k in ("GUEST_CR0", "GUEST_CR3", "GUEST_CR4", "GUEST_RIP", "GUEST_RSP", "GUEST_GDTR_BASE",
              "GUEST_IDTR_BASE", "GUEST_TR_BASE", "HOST_CR0", "HOST_CR3", "HOST_CR4",
              "HOST_RIP", "HOST_RSP", "HOST_GDTR_BASE", "HOST_TR_BASE", "MSR_BITMAP",
              "GUEST_IA32_EFER", "HOST_IA32_EFER"):
        check(v.get(k, 0) != 0, f"CPU {n}: {k} is {v.get(k)}")
    check(f["GUEST_CR3"]["group"] == "guest-state area", "GUEST_CR3 grouped wrong")
    check(f["HOST_CR3"]["group"] == "host-state area", "HOST_CR3 grouped wrong")
    check(f["VM_EXIT_REASON"]["group"] == "VM-exit information fields", "exit reason grouped")
    check(f["VM_ENTRY_CONTROLS"]["group"] == "VM-entry control fields", "entry ctls grouped")
    check(f["VM_EXIT_CONTROLS"]["group"] == "VM-exit control fields", "exit ctls grouped")
    check(v["VIRTUAL_PROCESSOR_ID"] == n + 1, f"CPU {n}: VPID {v['VIRTUAL_PROCESSOR_ID']}")
    check(v["VMCS_LINK_POINTER"] == 2**64 - 1, f"CPU {n}: VMCS link pointer")
    check(v["VM_EXIT_REASON"] == 18 and f["VM_EXIT_REASON"]["decoded"] == "VMCALL",
          f"CPU {n}: exit reason {f['VM_EXIT_REASON']}")
    check(v["GUEST_CR4"] & 0x2000 and not v["CR4_READ_SHADOW"] & 0x2000,
          f"CPU {n}: CR4.VMXE should be set, and hidden by the shadow")
    check(v["GUEST_IA32_EFER"] & 0x500 == 0x500, f"CPU {n}: guest not in long mode")
    check(v["HOST_CR3"] & 0xfff == 0, f"CPU {n}: HOST_CR3 {v['HOST_CR3']:#x}")
    check(v["GUEST_RIP"] >> 47 == 0x1ffff, f"CPU {n}: GUEST_RIP {v['GUEST_RIP']:#x} not kernel")
    # Control words: the decoded names (and unnamed reserved bits) give the value back.
    bit = {}
    for k in ("PIN_BASED_VM_EXEC_CONTROL", "CPU_BASED_VM_EXEC_CONTROL",
              "SECONDARY_VM_EXEC_CONTROL", "VM_EXIT_CONTROLS", "VM_ENTRY_CONTROLS"):
        x = f[k]
        check("bits" in x and "reserved_bits" in x, f"CPU {n}: {k} not decoded")
        bit[k] = set(x["bits"])
        check(len(bit[k]) == len(x["bits"]), f"{k}: a bit named twice")
    check({"CPU_BASED_USE_MSR_BITMAPS", "CPU_BASED_ACTIVATE_SECONDARY_CONTROLS"} <=
          bit["CPU_BASED_VM_EXEC_CONTROL"], f"CPU {n}: primary {bit['CPU_BASED_VM_EXEC_CONTROL']}")
    check("SECONDARY_EXEC_ENABLE_VPID" in bit["SECONDARY_VM_EXEC_CONTROL"], "no ENABLE_VPID")
    check({"VM_EXIT_HOST_ADDR_SPACE_SIZE", "VM_EXIT_LOAD_IA32_EFER", "VM_EXIT_SAVE_IA32_EFER"} <=
          bit["VM_EXIT_CONTROLS"], f"CPU {n}: exit controls {bit['VM_EXIT_CONTROLS']}")
    check({"VM_ENTRY_IA32E_MODE", "VM_ENTRY_LOAD_IA32_EFER"} <= bit["VM_ENTRY_CONTROLS"],
          f"CPU {n}: entry controls {bit['VM_ENTRY_CONTROLS']}")
    check("PIN_BASED_EXT_INTR_MASK" not in bit["PIN_BASED_VM_EXEC_CONTROL"],
          "external interrupts must not exit")
    check(int(f["PIN_BASED_VM_EXEC_CONTROL"]["reserved_bits"], 16) == 0x16,
          "pin-based default-1 bits 1, 2, 4 should show as reserved")
    check(int(f["GUEST_CR0"]["value"], 16) & 0x80000001 == 0x80000001, "guest CR0.PE/PG")
    fields.append(v)
for k in ("HOST_RIP", "MSR_BITMAP", "HOST_CR0"):
    check(len({v[k] for v in fields}) == 1, f"{k} differs between CPUs")
# Root runs on its own page tables and descriptor tables, one set per CPU (sealed:
# core/host_pt.c, core/seal.c), never on the kernel's page tables.
for k in ("HOST_CR3", "HOST_GDTR_BASE", "HOST_TR_BASE", "HOST_IDTR_BASE"):
    check(len({v[k] for v in fields}) == ncpu, f"CPUs share {k}")
for n, v in enumerate(fields):
    check(v["HOST_CR3"] & ~0xfff != v["GUEST_CR3"] & 0x000ffffffffff000 & ~0x1000,
          f"CPU {n}: HOST_CR3 {v['HOST_CR3']:#x} is the guest's page table")
check(len({v["HOST_RSP"] for v in fields}) == ncpu, "CPUs share a host stack")
print(f"vmcs.json: {ncpu} CPUs, six groups, {cpus[0]['nr_supported']} of "
      f"{cpus[0]['nr_fields']} fields supported, controls decoded")
