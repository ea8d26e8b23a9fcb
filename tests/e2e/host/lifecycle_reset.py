"""What host/reboot.py and host/kexec.py share (not a check itself)."""
import os
import re

from hostcheck import check


def left_vmx_before_next_boot(art, marker):
    """After @marker on the console, subzero's reboot notifier reported every CPU out of
    VMX before the next boot began."""
    with open(os.path.join(art, "..", "serial.log"), errors="replace") as f:
        text = f.read().replace("\r", "")
    at = text.find(marker)
    check(at >= 0, f"no '{marker.strip()}' on the console")
    nxt = text.find("E2E-BOOTED", at)
    check(nxt > at, "no boot after it")
    between = text[at:nxt]
    check(re.search(r"subzero: restart: every CPU has left VMX", between),
          "subzero did not report every CPU out of VMX before the reset: "
          + " | ".join(l for l in between.splitlines() if "subzero" in l)[-300:])
