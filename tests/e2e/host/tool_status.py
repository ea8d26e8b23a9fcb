#!/usr/bin/env python3
"""Host-side check of `subzero status --json`: attached, every guest CPU listed once,
online and virtualized with VPID cpu + 1, exits counted, a positive time since launch
that agrees with the TSC numbers, and EPT table pages in use."""
import json
import os
import sys

from hostcheck import check

art = sys.argv[1]
with open(os.path.join(art, "status.json")) as f:
    doc = json.load(f)
ncpu = int(open(os.path.join(art, "nproc")).read())


check(doc["abi_version"] == 2, f"abi_version {doc['abi_version']}")
check(doc["attached"] is True, "not attached")
check(doc["tsc_khz"] > 0, f"tsc_khz {doc['tsc_khz']}")
check(doc["alloc_count"] > 0, f"alloc_count {doc['alloc_count']} while loaded")
check(doc["nr_cpus_online"] == ncpu, f"nr_cpus_online {doc['nr_cpus_online']}, guest has {ncpu}")
check(doc["nr_virtualized"] == ncpu, f"nr_virtualized {doc['nr_virtualized']}")
cpus = doc["cpus"]
check([c["cpu"] for c in cpus] == list(range(ncpu)), f"CPUs {[c['cpu'] for c in cpus]}")
for c in cpus:
    n = c["cpu"]
    check(c["online"] is True and c["virtualized"] is True, f"CPU {n} not online+virtualized")
    check(c["vpid"] == n + 1, f"CPU {n} VPID {c['vpid']}")
    check(c["exits"] > 0, f"CPU {n}: no exits")
    check(c["launch_tsc"] > 0, f"CPU {n}: launch_tsc 0")
    check(0 < c["uptime_s"] < 3600, f"CPU {n}: uptime {c['uptime_s']}")
    check(c["ept_pages"] > 0, f"CPU {n}: ept_pages {c['ept_pages']}: EPT is on, its tables are pages")
# Both CPUs were virtualized by the same load: launched within a second of each other.
ups = [c["uptime_s"] for c in cpus]
check(max(ups) - min(ups) < 1, f"launch times far apart: {ups}")
print(f"status.json: {ncpu} CPUs attached and virtualized, up {min(ups):.3f} s")
