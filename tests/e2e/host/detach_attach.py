#!/usr/bin/env python3
"""Host-side check of `subzero status --json` after detach (no CPU virtualized, module
still loaded with its allocations) and after attach (every CPU again, counters fresh)."""
import json
import os
import sys

from hostcheck import check

art = sys.argv[1]
ncpu = int(open(os.path.join(art, "nproc")).read())
with open(os.path.join(art, "status-detached.json")) as f:
    det = json.load(f)
with open(os.path.join(art, "status-attached.json")) as f:
    att = json.load(f)


check(det["attached"] is False and det["nr_virtualized"] == 0, "detached status")
check(det["alloc_count"] > 0, "the module's own allocations are gone while detached?")
check(len(det["cpus"]) == ncpu, "CPUs missing")
for c in det["cpus"]:
    check(c["virtualized"] is False and "vpid" not in c, f"detached CPU {c}")
check(att["attached"] is True and att["nr_virtualized"] == ncpu, "attached status")
# Every possible CPU's state is allocated at load (so all of it is hidden from every
# guest before any CPU is launched): detach frees nothing and attach allocates nothing.
check(att["alloc_count"] == det["alloc_count"],
      f"allocations changed across attach: {det['alloc_count']} -> {att['alloc_count']}")
for c in att["cpus"]:
    check(c["virtualized"] and c["vpid"] == c["cpu"] + 1 and c["exits"] > 0, f"CPU {c}")
print(f"detach/attach: {ncpu} CPUs out, then in again")
