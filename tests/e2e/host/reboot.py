#!/usr/bin/env python3
"""Host-side check of reboot: before the reset, subzero's reboot notifier took every
CPU out of VMX (Bochs would reset them anyway, so the second boot alone shows less)."""
import sys

from lifecycle_reset import left_vmx_before_next_boot

left_vmx_before_next_boot(sys.argv[1], "  rebooting with subzero loaded")
