#!/usr/bin/env python3
"""Host-side check of `subzero watch events --json` (test ept_watch): it parses, and holds
exactly the 3 writes the test module made on CPU 1 to the watched page, each with the
writing instruction's RIP, a valid linear address in the kernel's direct map, rising
TSCs, and nothing discarded."""
import json
import os
import sys

from hostcheck import check

art = sys.argv[1]
doc = json.load(open(os.path.join(art, "watch_events.json")))
data, rip = (int(x, 16) for x in open(os.path.join(art, "watch_expect")).read().split())


ev = doc["events"]
check(doc["dropped"] == 0, f"dropped {doc['dropped']}")
check(len(ev) == 3, f"{len(ev)} events for 3 writes: {ev}")
for i, e in enumerate(ev):
    check(e["cpu"] == 1 and e["kind"] == "watch" and e["access"] == "-w-",
          f"event {i}: {e}")
    check(data <= e["gpa"] < data + 4096,
          f"event {i}: gpa {e['gpa']:#x} outside the page {data:#x}")
    check(e["rip"] == rip, f"event {i}: rip {e['rip']:#x}, the write is at {rip:#x}")
    check(e["gla"] is not None and e["gla"] >= 0xffff800000000000, f"event {i}: gla {e['gla']}")
    check(e["gla"] & 0xfff == e["gpa"] & 0xfff, f"event {i}: gla and gpa differ in the page offset")
    check(e["discarded"] is False, f"event {i} discarded")
tscs = [e["tsc"] for e in ev]
check(tscs == sorted(tscs) and len(set(tscs)) == 3, f"TSCs not rising: {tscs}")
print(f"watch_events.json: 3 writes recorded at rip {rip:#x} in page {data:#x}")
