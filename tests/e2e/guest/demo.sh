# What `make demo` shows: subzero sliding under the running kernel on every CPU, and
# its control plane: status, exit statistics, each CPU's VMCS, EPT, watch and protect, the
# log, detach/attach.
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
say "subzero vmcs --check   (the VM-entry rules of SDM Vol. 3C chapter 27, on each CPU's live VMCS)"
subzero vmcs --check
say "subzero ept   (each CPU's own EPT: an identity map with the MTRRs' memory types)"
for a in 0x0 0xa0000 0x100000 0xfee00000; do subzero ept $a; done
say "subzero watch   (a page of the test module's data: its writes are recorded, then complete)"
modload /e2e/sz_test.ko test=watch
data=$(dmesg | sed -n 's/.*watch data pa=\([0-9a-f]*\).*/0x\1/p' | tail -n 1)
subzero watch add "$data" --access w && subzero watch list
taskset -c 1 sh -c 'echo 3 > /sys/module/sz_test/parameters/writes'
subzero watch events
subzero watch del "$data"
rmmod sz_test
say "subzero protect   (kernel text: a write through a writable alias is recorded and discarded)"
text=$(printf '0x%x' 0x$(awk '/Kernel code/ { print $1 }' /proc/iomem | head -n 1 | cut -d- -f1))
subzero protect add "$text" && subzero protect list
modload /e2e/sz_test.ko "test=poke pa=$text" && dmesg | grep 'sz_test: ok' | tail -n 1
rmmod sz_test
subzero watch events
subzero protect del "$text"
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
