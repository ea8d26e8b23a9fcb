#!/usr/bin/env python3
"""Host-side check of test ept_multi (issue 11, item 7): one instruction on two watched
or protected pages records each page.
 - 10 unaligned 8-byte stores across pages a and b (both write-watched), on CPU 1: for
   each, one write event at a + 0xffc and one at b + 0, both at the store's RIP; nothing
   else, nothing dropped;
 - REP MOVSQ of 8 quadwords from a read-watched page to a protected one, on CPU 1: one
   read of each source quadword (offsets 0, 8, ... 56, once each) and one discarded
   write of each destination quadword, all at the REP MOVSQ's RIP."""
import json
import os
import sys

from hostcheck import check

art = sys.argv[1]
a, b, srip, src, dst, mrip = (int(x, 16) for x in
                              open(os.path.join(art, "multi_expect")).read().split())

doc = json.load(open(os.path.join(art, "straddle.json")))
ev = doc["events"]
check(doc["dropped"] == 0, f"straddle: dropped {doc['dropped']}")
check(len(ev) == 20, f"straddle: {len(ev)} events for 10 stores on two pages: {ev[:4]}")
for i, e in enumerate(ev):
    check(e["cpu"] == 1 and e["kind"] == "watch" and e["access"] == "-w-" and
          not e["discarded"], f"straddle event {i}: {e}")
    check(e["rip"] == srip, f"straddle event {i}: rip {e['rip']:#x}, the store is at {srip:#x}")
on_a = [e for e in ev if e["gpa"] == a + 0xffc]
on_b = [e for e in ev if e["gpa"] == b]
check(len(on_a) == 10 and len(on_b) == 10,
      f"straddle: {len(on_a)} events at {a + 0xffc:#x}, {len(on_b)} at {b:#x} (want 10 each)")
# each store: both pages, one after the other (the step opens the second within the first)
for i in range(0, 20, 2):
    check({ev[i]["gpa"], ev[i + 1]["gpa"]} == {a + 0xffc, b},
          f"straddle: events {i}, {i + 1} are not one store's two pages: {ev[i]}, {ev[i + 1]}")

doc = json.load(open(os.path.join(art, "movs.json")))
ev = doc["events"]
check(doc["dropped"] == 0, f"movs: dropped {doc['dropped']}")
reads = [e for e in ev if e["kind"] == "watch"]
writes = [e for e in ev if e["kind"] == "protect"]
check(len(ev) == 16 and len(reads) == 8 and len(writes) == 8,
      f"movs: {len(reads)} reads, {len(writes)} writes, {len(ev)} events in all (want 8, 8)")
for e in ev:
    check(e["cpu"] == 1 and e["rip"] == mrip, f"movs: event not on CPU 1 at {mrip:#x}: {e}")
for e in reads:
    check(e["access"] == "r--" and not e["discarded"], f"movs: read event {e}")
for e in writes:
    check(e["access"] == "-w-" and e["discarded"], f"movs: write event not discarded: {e}")
check(sorted(e["gpa"] for e in reads) == [src + 8 * i for i in range(8)],
      f"movs: read GPAs {[hex(e['gpa']) for e in reads]}")
check(sorted(e["gpa"] for e in writes) == [dst + 8 * i for i in range(8)],
      f"movs: write GPAs {[hex(e['gpa']) for e in writes]}")
print(f"ept_multi: 10 stores across {a:#x}/{b:#x} recorded on both pages; REP MOVSQ "
      f"{src:#x} -> {dst:#x}: 8 reads, 8 discarded writes")
