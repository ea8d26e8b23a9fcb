#!/usr/bin/env python3
"""Host-side check of the EPT map against the MTRRs (test ept_map).

The guest sent its MTRR MSRs (default type, fixed ranges), the kernel's /proc/mtrr
(variable ranges as Linux sees them), /proc/iomem, and for a set of guest-physical
addresses what every CPU's EPT says (`subzero ept ADDR --json`).  Here the memory type
of each address is worked out by the SDM's rules (Vol. 3A, 11.11.4.1: fixed ranges
below 1 MiB when enabled, then the variable ranges: UC wins, WT beats WB, no match
means the default type; MTRRs disabled means UC) and must equal the EPT leaf's type,
on every CPU; the map must be the identity; RAM and MMIO must both be covered; and
large pages must be in use where the types allow."""
import json
import os
import re
import sys

from hostcheck import check

UC, WC, WT, WP, WB = 0, 1, 4, 5, 6
NAMES = {"UC": UC, "WC": WC, "WT": WT, "WP": WP, "WB": WB}
PROC_TYPES = {"uncachable": UC, "write-combining": WC, "write-through": WT,
              "write-protect": WP, "write-back": WB}

art = sys.argv[1]


msrs = {}
for line in open(os.path.join(art, "mtrr_msrs")):
    k, v = line.split()
    msrs[int(k, 16)] = int(v, 16)
deftype = msrs[0x2ff]
enabled, fixed_on, default = bool(deftype >> 11 & 1), bool(deftype >> 10 & 1), deftype & 0xff

variable = []		# (base, size, type) from the kernel's /proc/mtrr
for line in open(os.path.join(art, "proc_mtrr")):
    m = re.search(r"base=(0x[0-9a-f]+).*size=\s*(\d+)([MK])B.*: ([a-z-]+)", line)
    if m:
        size = int(m.group(2)) << (20 if m.group(3) == "M" else 10)
        variable.append((int(m.group(1), 16), size, PROC_TYPES[m.group(4)]))


def fixed_type(addr):
    """The fixed-range MTRR type of an address below 1 MiB (SDM Table 11-9)."""
    if addr < 0x80000:
        msr, off = 0x250, addr >> 16
    elif addr < 0xc0000:
        msr, off = 0x258 + ((addr - 0x80000) >> 17), ((addr - 0x80000) >> 14) & 7
    else:
        msr, off = 0x268 + ((addr - 0xc0000) >> 15), ((addr - 0xc0000) >> 12) & 7
    return msrs[msr] >> (8 * off) & 0xff


def mtrr_type(addr):
    if not enabled:
        return UC
    if fixed_on and addr < 0x100000:
        return fixed_type(addr)
    hits = {t for base, size, t in variable if base <= addr < base + size}
    if not hits:
        return default
    if len(hits) == 1:
        return hits.pop()
    if UC in hits:
        return UC
    if hits == {WT, WB}:
        return WT
    return UC


ram = []
for line in open(os.path.join(art, "iomem")):
    m = re.match(r"([0-9a-f]+)-([0-9a-f]+) : System RAM", line)
    if m:
        ram.append((int(m.group(1), 16), int(m.group(2), 16)))

status = json.load(open(os.path.join(art, "ept_status.json")))
for c in status["cpus"]:
    check(c["ept_pages"] > 0 and c["eptp"] != 0, f"CPU {c['cpu']}: no EPT ({c})")
    check(c["ept_pages"] <= c["ept_pool_pages"], f"CPU {c['cpu']}: more pages than the pool")

checked, kinds, sizes = 0, set(), set()
for line in open(os.path.join(art, "ept_query")):
    addr_s, doc = line.split(" ", 1)
    addr = int(addr_s, 16)
    want = mtrr_type(addr)
    is_ram = any(lo <= addr <= hi for lo, hi in ram)
    kinds.add("RAM" if is_ram else "MMIO")
    answers = json.loads(doc)
    check(len(answers) == len(status["cpus"]), f"{addr_s}: {len(answers)} CPUs answered")
    for a in answers:
        got = NAMES.get(a["memtype"])
        check(got == want, f"{addr_s} ({'RAM' if is_ram else 'MMIO'}) CPU {a['cpu']}: EPT "
              f"type {a['memtype']}, MTRRs say {want}")
        check(a["hpa"] == addr, f"{addr_s} CPU {a['cpu']}: maps to {a['hpa']:#x}, not itself")
        check(a["perm"] == "rwx", f"{addr_s} CPU {a['cpu']}: permissions {a['perm']}")
        sizes.add(a["page_size"])
        checked += 1
check(kinds == {"RAM", "MMIO"}, f"only {kinds} addresses were checked")
check(max(sizes) >= 2 << 20, f"no large page in use: sizes {sizes}")
print(f"ept_map: {checked} answers agree with the MTRRs (default type {default}, "
      f"{len(variable)} variable ranges); page sizes {sorted(sizes)}")
