# What `make demo` shows: subzero sliding under the running kernel on every CPU, and
# its control plane: status, exit statistics, each CPU's VMCS, the log, detach/attach.
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
say "subzero status   (per CPU: VPID, exits so far, time since launch)"
subzero status
say "subzero stats   (VM exits per CPU, by reason, with TSC cycles spent in VMX root)"
subzero stats
say "subzero stats --interval 1 --count 2   (rates per second, CPU 1 busy running CPUID)"
( while :; do taskset -c 1 cpuid-probe > /dev/null; done ) &
busy=$!
subzero stats --interval 1 --count 2
kill $busy
wait $busy 2> /dev/null
for cpu in $(seq 0 $((ncpu - 1))); do
	say "subzero vmcs --cpu $cpu   (CPU $cpu's VMCS, read by CPU $cpu in VMX root, in six groups)"
	subzero vmcs --cpu "$cpu"
done
say "subzero log   (what the hypervisor logged from VMX root)"
subzero log
say "subzero detach   (every CPU leaves VMX; the module stays loaded)"
subzero detach && subzero status
for cpu in $(seq 0 $((ncpu - 1))); do taskset -c "$cpu" cpuid-probe; done
say "subzero attach   (and back)"
subzero attach && subzero status
say "subzero caps --cpu 0   (the VMX capabilities, decoded; every CPU has the same)"
subzero caps --cpu 0 | head -n 30
say "rmmod subzero   (every CPU leaves VMX again)"
rmmod subzero && dmesg | grep subzero | tail -n 3
for cpu in $(seq 0 $((ncpu - 1))); do taskset -c "$cpu" cpuid-probe; done
