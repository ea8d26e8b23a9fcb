#!/usr/bin/env python3
"""The README's model table: what each emulated CPU model offers of what subzero can use,
from `subzero caps --json` as the e2e scenarios saved it
(build/e2e/<scenario>/artifacts/caps.json, test caps_json).

    scripts/model-table.py [build/e2e]
"""
import configparser
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "e2e")
cfg = configparser.ConfigParser()
cfg.read(os.path.join(ROOT, "tests", "e2e", "scenarios.cfg"))


def allowed(c, word, bit):
    return c["controls"][word].get(bit) in ("flexible", "fixed1")


COLS = [("EPT", lambda c: allowed(c, "secondary processor-based", "SECONDARY_EXEC_ENABLE_EPT")),
        ("VPID", lambda c: allowed(c, "secondary processor-based", "SECONDARY_EXEC_ENABLE_VPID")),
        ("unrestricted guest",
         lambda c: allowed(c, "secondary processor-based", "SECONDARY_EXEC_UNRESTRICTED_GUEST")),
        ("MTF", lambda c: allowed(c, "primary processor-based", "CPU_BASED_MONITOR_TRAP_FLAG")),
        ("1 GiB EPT pages", lambda c: c["ept_vpid"]["VMX_EPT_1GB_PAGE"]),
        ("EPT A/D bits", lambda c: c["ept_vpid"]["VMX_EPT_AD"])]

rows = {}
for name in cfg.sections():
    path = os.path.join(out, name, "artifacts", "caps.json")
    if not os.path.exists(path):
        continue
    model = cfg[name]["cpu"]
    c = json.load(open(path))["cpus"][0]
    rows[model] = ["yes" if f(c) else "no" for _, f in COLS]
print("| Bochs model | " + " | ".join(n for n, _ in COLS) + " |")
print("| --- |" + " :-: |" * len(COLS))
for model in sorted(rows):
    print(f"| `{model}` | " + " | ".join(rows[model]) + " |")
