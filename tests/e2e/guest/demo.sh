# What `make demo` shows: subzero sliding under the running kernel on every CPU.
say() { echo; echo "### $*"; }
ncpu=$(nproc)
say "guest: $(uname -sr), $ncpu CPUs:$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
grep -m1 '^vmx flags' /proc/cpuinfo
say "before: what CPUID says on each CPU"
for cpu in $(seq 0 $((ncpu - 1))); do taskset -c "$cpu" cpuid-probe; done
say "insmod subzero.ko   (every CPU enters VMX; the running kernel becomes its guest)"
insmod /e2e/subzero.ko && dmesg | grep subzero
say "after: CPUID on each CPU is answered by subzero, from VMX root"
for cpu in $(seq 0 $((ncpu - 1))); do taskset -c "$cpu" cpuid-probe; done
say "subzero stats   (VM exits per CPU, by reason)"
subzero stats
say "subzero caps --cpu 0   (the VMX capabilities, decoded; every CPU has the same)"
subzero caps --cpu 0
say "rmmod subzero   (every CPU leaves VMX again)"
rmmod subzero && dmesg | grep subzero | tail -n 3
for cpu in $(seq 0 $((ncpu - 1))); do taskset -c "$cpu" cpuid-probe; done
