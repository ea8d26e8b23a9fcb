#!/usr/bin/env python3
"""Host-side check of triple_fault: on the first boot's console, subzero's report of
the unhandled exit on CPU 0, its VMCS dump with all six groups (showing the empty IDT
the test loaded), then the kernel panic naming the exit; the second boot follows (the
harness counts the boots)."""
import os
import re
import sys

from hostcheck import check

with open(os.path.join(sys.argv[1], "..", "serial.log"), errors="replace") as f:
    text = f.read().replace("\r", "")
boots = [m.start() for m in re.finditer(r"^E2E-BOOTED", text, re.M)]
check(len(boots) >= 2, "no second boot after the panic")
first = text[boots[0]:boots[1]]
report = first.find("CPU 0: unhandled VM exit 2 (TRIPLE_FAULT)")
check(report >= 0, "no report of the unhandled exit on the console")
for g in ("guest-state area", "host-state area", "VM-execution control fields",
          "VM-exit control fields", "VM-entry control fields", "VM-exit information fields"):
    check(first.find(f"CPU 0 VMCS {g}:", report) > report, f"the dump lacks the group '{g}'")
check(re.search(r" GUEST_IDTR_LIMIT=0( |$)", first, re.M), "the dump does not show GUEST_IDTR_LIMIT = 0")
panic = first.find("Kernel panic - not syncing: subzero: CPU 0: unhandled VM exit 2 (TRIPLE_FAULT)")
check(panic > report, "no kernel panic naming the exit after the dump")
