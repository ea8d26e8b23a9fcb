#!/usr/bin/env python3
"""Host-side check of `subzero stats --json` and `stats --interval --json`: per-CPU
exits by reason with time in root (total and mean) that add up, CPUID exits counted,
and interval reports with positive rates for the CPU kept busy with CPUIDs."""
import json
import os
import sys

from hostcheck import check

art = sys.argv[1]
with open(os.path.join(art, "stats.json")) as f:
    doc = json.load(f)
ncpu = int(open(os.path.join(art, "nproc")).read())


check(doc["abi_version"] == 2 and doc["tsc_khz"] > 0, "header")
cpus = doc["cpus"]
check([c["cpu"] for c in cpus] == list(range(ncpu)), f"CPUs {[c['cpu'] for c in cpus]}")
for c in cpus:
    n = c["cpu"]
    check(c["virtualized"] and c["online"], f"CPU {n} not virtualized")
    reasons = c["reasons"]
    check("CPUID" in reasons and reasons["CPUID"]["count"] > 0, f"CPU {n}: no CPUID exits")
    check(reasons["CPUID"]["reason"] == 10, "CPUID is reason 10")
    count = sum(r["count"] for r in reasons.values()) + c["exits_other"]
    check(count == c["exits"], f"CPU {n}: reasons add to {count}, exits {c['exits']}")
    for name, r in reasons.items():
        check(r["count"] > 0 and r["root_tsc"] > 0, f"CPU {n} {name}: {r}")
        check(r["mean_root_tsc"] == r["root_tsc"] // r["count"], f"CPU {n} {name}: mean wrong")
        # perf kvm stat's view: shares, min <= mean <= max, and the log2 histogram
        check(abs(r["exits_share"] - r["count"] / c["exits"]) < 1e-3,
              f"CPU {n} {name}: exits_share {r['exits_share']}")
        check(abs(r["root_share"] - r["root_tsc"] / c["root_tsc"]) < 1e-3,
              f"CPU {n} {name}: root_share {r['root_share']}")
        check(0 < r["min_root_tsc"] <= r["mean_root_tsc"] <= r["max_root_tsc"],
              f"CPU {n} {name}: min {r['min_root_tsc']} mean {r['mean_root_tsc']} "
              f"max {r['max_root_tsc']}")
        hist = r["hist_log2"]
        check(hist and all(b["count"] > 0 for b in hist), f"CPU {n} {name}: hist {hist}")
        froms = [b["from"] for b in hist]
        check(froms == sorted(set(froms)), f"CPU {n} {name}: buckets out of order {froms}")
        for b in hist:
            check(b["from"] == 0 or b["from"] & (b["from"] - 1) == 0,
                  f"CPU {n} {name}: bucket from {b['from']} not a power of two")
            check(b["to"] is None or b["to"] == max(2 * b["from"], 2),
                  f"CPU {n} {name}: bucket [{b['from']}, {b['to']})")
        check(hist[0]["from"] <= r["min_root_tsc"] < (hist[0]["to"] or 2**64),
              f"CPU {n} {name}: min {r['min_root_tsc']} not in the first bucket {hist[0]}")
        check(hist[-1]["from"] <= r["max_root_tsc"] < (hist[-1]["to"] or 2**64),
              f"CPU {n} {name}: max {r['max_root_tsc']} not in the last bucket {hist[-1]}")
        # Read right after the count, while the CPU may exit again.
        total = sum(b["count"] for b in hist)
        check(r["count"] <= total <= r["count"] * 1.01 + 5,
              f"CPU {n} {name}: histogram counts {total}, count {r['count']}")
    # Read while the CPU may exit again, so the two may differ by a few exits.
    total = sum(r["root_tsc"] for r in reasons.values()) + c["root_tsc_other"]
    check(c["root_tsc"] * 0.95 - 10**6 <= total <= c["root_tsc"] * 1.05 + 10**6,
          f"CPU {n}: root cycles by reason {total}, in all {c['root_tsc']}")
check(reasons and cpus[1]["reasons"]["CPUID"]["count"] >= 20, "CPU 1 had 10 cpuid-probes")

with open(os.path.join(art, "interval.json")) as f:
    reports = [json.loads(line) for line in f if line.strip()]
check([r["interval"] for r in reports] == [1, 2, 3], f"intervals {[r['interval'] for r in reports]}")
for r in reports:
    check(r["seconds"] == 0.5, f"interval length {r['seconds']}")
    check([c["cpu"] for c in r["cpus"]] == [1], "--cpu 1 reported other CPUs")
    c = r["cpus"][0]
    check(c["virtualized"] and c["exits_per_s"] > 0, f"interval {r['interval']}: {c}")
    check(0 < c["root_fraction"] < 1, f"root fraction {c['root_fraction']}")
    check(c["reasons"].get("CPUID", {}).get("per_s", 0) > 0,
          f"interval {r['interval']}: no CPUID rate while busy with CPUIDs")
    check(abs(sum(x["per_s"] for x in c["reasons"].values()) - c["exits_per_s"]) < 1,
          "reason rates do not add up")
print(f"stats.json: {ncpu} CPUs; interval.json: {len(reports)} reports, CPUID "
      f"{reports[-1]['cpus'][0]['reasons']['CPUID']['per_s']:.0f}/s on CPU 1")
