#!/usr/bin/env python3
"""Host-side check of the lock test's JSON: `subzero status --json` after the lock
(every CPU locked, CR0 PE/WP/PG pinned, GDTR/IDTR held, the parts not enforced
said so), and
`subzero events --json` after sz_lock.ko (a refused lock event for each attempt the
guest reported refused, on the CPU it was made on, with the attempted value), and
the events of modules loaded under the lock: sz_lockmod init_write=1 (its init's
writes to its own text and rodata refused: held from COMING) and a load refused at
COMING (root refusing CPU 1's call, CPU 0's registration of that id released)."""
import json
import os
import re
import sys

from hostcheck import check

art = sys.argv[1]
with open(os.path.join(art, "status.json")) as f:
    status = json.load(f)
with open(os.path.join(art, "events.json")) as f:
    events = json.load(f)["events"]
attack = open(os.path.join(art, "attack.txt")).read()
ncpu = int(open(os.path.join(art, "nproc")).read())

for c in status["cpus"]:
    lock = c["lock"]
    check(lock["locked"] is True, f"CPU {c['cpu']} not locked: {lock}")
    check(int(lock["cr0_pinned"], 16) == 0x80010001, f"CPU {c['cpu']} CR0 pinned {lock['cr0_pinned']}")
    # the emulated Haswell has descriptor-table exiting
    check(lock["descriptor_tables"] is True, f"CPU {c['cpu']}: GDTR/IDTR not held: {lock}")
    check(lock["kernel_text_wx"] is True, f"CPU {c['cpu']}: kernel text W^X not on: {lock}")
    check(lock["mbec"] is False, f"CPU {c['cpu']}: Bochs has no mode-based execute control: {lock}")
    check(lock["kernel_exec_restricted"] is False, f"CPU {c['cpu']}: without MBEC kernel-mode execution is not restricted: {lock}")
    check(lock["wx_ept_tables"] <= 8, f"CPU {c['cpu']}: W^X took {lock['wx_ept_tables']} EPT tables")
    check(lock["wx_refused"] == 0, f"CPU {c['cpu']}: kernel text writes refused before the attacks")
check(len(status["cpus"]) == ncpu, f"{len(status['cpus'])} CPUs in status, guest has {ncpu}")

lock_ev = [e for e in events if e["kind"] == "lock"]
for e in lock_ev:
    check(set(e) == {"cpu", "kind", "what", "target", "value", "rip", "tsc", "outcome"},
          f"lock event keys {sorted(e)}")
locked = {e["cpu"] for e in lock_ev if e["what"] == "locked"}
check(locked == set(range(ncpu)), f"'locked' events from CPUs {sorted(locked)}")


def refused(what, cpu, **kw):
    return [e for e in lock_ev if e["what"] == what and e["cpu"] == cpu and
            e["outcome"] == "refused" and all(e[k] == v for k, v in kw.items())]


WP, LSTAR, SYSENTER_EIP = 1 << 16, 0xc0000082, 0x176
n = 0
for m in re.finditer(r"sz_lock: PASS (\S+) cpu(\d+):(.*)", attack):
    name, cpu = m.group(1), int(m.group(2))
    if name in ("text_alias_write", "syscall_table_write", "idt_table_write"):
        # the write's page (event target) and the kernel's linear address (value: vmap alias)
        pa = int(re.search(r"PA (0x[0-9a-f]+)", m.group(3)).group(1), 16)
        check(refused("ktext", cpu, target=pa & ~0xfff), f"{name} on CPU {cpu}: no refused ktext event for {pa:#x}")
        n += 1
        continue
    want = {"cr0_wp": ("cr0", {"target": WP}), "lstar": ("msr", {"target": LSTAR}),
            "sysenter_eip": ("msr", {"target": SYSENTER_EIP}),
            "devirt_code_reuse": ("devirt", {"target": 0}),
            "idt_base": ("idtr", {}), "gdt_base": ("gdtr", {})}.get(name)
    if not want:
        continue
    check(refused(want[0], cpu, **want[1]), f"{name} on CPU {cpu}: no refused {want[0]} event")
    n += 1
check(n >= 8 * ncpu, f"only {n} refused attempts matched to events")
# the refused LIDT/LGDT's event carries the base attempted
for m in re.finditer(r"sz_lock: PASS (idt|gdt)_base cpu(\d+): L[IG]DT to (0x[0-9a-f]+)", attack):
    what, cpu, base = m.group(1) + "r", int(m.group(2)), int(m.group(3), 16)
    check(refused(what, cpu, value=base), f"{what} on CPU {cpu}: no refused event for {base:#x}")
for name in ("idt_base", "gdt_base", "dt_reads", "ltr_reload", "idt_table_write"):
    got = {int(c) for c in re.findall(rf"sz_lock: PASS {name} cpu(\d+):", attack)}
    check(got == set(range(ncpu)), f"{name} passed on CPUs {sorted(got)} of {ncpu}")


def lock_events(name):
    with open(os.path.join(art, name)) as f:
        return [e for e in json.load(f)["events"] if e["kind"] == "lock"]


# sz_lockmod init_write=1: a refused ktext event at its text page and at its rodata page
txt = open(os.path.join(art, "initwrite.txt")).read()
m = re.search(r"sz_lockmod: loaded, text pa (0x[0-9a-f]+) rodata pa (0x[0-9a-f]+)", txt)
check(m is not None, f"no load line of sz_lockmod init_write=1: {txt!r}")
ev = lock_events("initwrite.json")
for what, pa in zip(("text", "rodata"), m.groups() if m else ()):
    page = int(pa, 16) & ~0xfff
    check([e for e in ev if e["what"] == "ktext" and e["outcome"] == "refused" and e["target"] == page],
          f"init's write to its {what} (page {page:#x}): no refused ktext event")

# A load refused at COMING (test_mod_refuse_cpu=1): CPU 1's root refused the call
# (a misaligned argument address, -EFAULT), CPU 0 registered the id and released it
ev = lock_events("modrefuse.json")
# executable grants (lock_exec.c, test_exec_grants=1) share the module runs' ids and
# events: the refused module's init text was granted at set_memory_x, before COMING,
# and released when the failed load freed it; those ids are not the module's
grants = set()
if os.path.exists(os.path.join(art, "modrefuse.txt")):
    grants = {int(g) for g in re.findall(r"lock: executable grant (\d+): ",
                                         open(os.path.join(art, "modrefuse.txt")).read())}
ev = [e for e in ev if not (e["what"] in ("module_add", "module_release") and
                            e["outcome"] == "allowed" and e["target"] in grants)]
EFAULT = (1 << 64) - 14
check([e for e in ev if e["what"] == "module_add" and e["cpu"] == 1 and e["outcome"] == "refused"
       and e["value"] == EFAULT], f"no refused module_add (-EFAULT) on CPU 1: {ev}")
added = [e for e in ev if e["what"] == "module_add" and e["cpu"] == 0 and e["outcome"] == "allowed"]
check(len(added) == 1, f"CPU 0: {len(added)} module_add events, want 1: {ev}")
if added:
    mid = added[0]["target"]
    check([e for e in ev if e["what"] == "module_release" and e["cpu"] == 0 and e["outcome"] == "allowed"
           and e["target"] == mid], f"CPU 0 did not release module id {mid}: {ev}")
check(not [e for e in ev if e["what"] in ("module_add", "module_release") and e["cpu"] == 1
           and e["outcome"] == "allowed"], f"CPU 1 registered or released something: {ev}")
print(f"lock: {ncpu} CPUs locked; {len(lock_ev)} lock events, {n} refusals matched to their events;"
      " a module's init writes refused from COMING; a refused load released on CPU 0")
