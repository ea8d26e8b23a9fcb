"""What every host-side check shares (not a check itself: no test is called hostcheck)."""
import sys


def check(cond, why):
    """Fail the check with @why (printed: the harness shows the last line)."""
    if not cond:
        print(why)
        sys.exit(1)
