# What `make demo` shows: subzero loading under the running kernel on every CPU.
say() { echo; echo "### $*"; }
say "guest: $(uname -sr), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
grep -m1 '^vmx flags' /proc/cpuinfo
say "insmod subzero.ko"
insmod /e2e/subzero.ko && dmesg | grep subzero
say "subzero caps   (the VMX capabilities of each CPU, decoded)"
subzero caps
say "rmmod subzero"
rmmod subzero && dmesg | grep subzero | tail -n 1
