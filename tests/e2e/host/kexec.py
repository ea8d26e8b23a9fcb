#!/usr/bin/env python3
"""Host-side check of kexec: before the jump, subzero's reboot notifier (kernel_kexec
runs it) took every CPU out of VMX."""
import sys

from lifecycle_reset import left_vmx_before_next_boot

left_vmx_before_next_boot(sys.argv[1], "  kexec into the same kernel with subzero loaded")
