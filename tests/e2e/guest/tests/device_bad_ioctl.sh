# Bad ioctls get a clear errno and change nothing (tests/e2e/guest/ioctl-probe.c).
sz_load
ioctl-probe > /tmp/out 2>&1 || fail "$(tail -n 1 /tmp/out)"
cat /tmp/out
subzero caps > /dev/null || fail "caps fails after the bad ioctls"
sz_unload
