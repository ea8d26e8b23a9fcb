#!/usr/bin/env python3
"""Host-side check of `subzero log --json` and `log -f --json`: consecutive sequence
numbers from 0, each line with its CPU and a TSC time, the three VMCS snapshot lines
of the test on the CPUs that took them, nothing lost."""
import json
import os
import re
import sys

from hostcheck import check

art = sys.argv[1]
with open(os.path.join(art, "log.json")) as f:
    doc = json.load(f)
with open(os.path.join(art, "follow.json")) as f:
    follow = [json.loads(line) for line in f if line.strip()]


lines = doc["lines"]
check(doc["tsc_khz"] > 0, "tsc_khz")
check(len(lines) >= 3, f"{len(lines)} lines")
check([x["seq"] for x in lines] == list(range(len(lines))), "sequence numbers not 0, 1, 2...")
check(doc["next_seq"] == len(lines) and doc["oldest_seq"] == 0 and doc["lost"] == 0,
      f"next_seq {doc['next_seq']} oldest {doc['oldest_seq']} lost {doc['lost']}")
snaps = []
for x in lines:
    check(x["text"] and x["tsc"] > 0 and x["time_s"] > 0, f"line {x}")
    check(abs(x["time_s"] - x["tsc"] / (doc["tsc_khz"] * 1000)) < 1e-3, "time_s is not TSC time")
    m = re.match(r"CPU (\d+): VMCS snapshot, (\d+) fields not supported by the CPU$", x["text"])
    if m:
        check(int(m.group(1)) == x["cpu"], f"line from CPU {x['cpu']} says {x['text']}")
        snaps.append(x["cpu"])
check(snaps == [1, 0, 1], f"snapshot lines from CPUs {snaps}, want 1, 0, 1")
times = [x["tsc"] for x in lines]
check(times == sorted(times), "lines not in time order")
check([x["seq"] for x in follow] == [0, 1, 2] and follow == lines[:3],
      "log -f --json did not give the same first lines")
print(f"log.json: {len(lines)} lines, snapshots from CPUs {snaps}")
