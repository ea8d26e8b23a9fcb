# EPT is on for every CPU, an identity map, with the memory types the MTRRs give: for
# RAM and for MMIO.  The guest sends its view (the kernel's /proc/mtrr and /proc/iomem,
# the MTRR MSRs) and what each CPU's EPT says for a set of addresses; the host check
# (host/ept_map.py) works out the type each address must have and compares.
insmod /e2e/msr.ko 2>/dev/null || true
rdmsr() { # CPU MSR -> 0x...
	v=$(dd if=/dev/cpu/$1/msr bs=8 count=1 skip=$(($2)) iflag=skip_bytes 2>/dev/null |
	    od -A n -t x8 | tr -d ' ')
	echo "0x$v"
}
: > /tmp/mtrr_msrs
for m in 0xfe 0x2ff 0x250 0x258 0x259 0x268 0x269 0x26a 0x26b 0x26c 0x26d 0x26e 0x26f; do
	echo "$m $(rdmsr 0 $m)" >> /tmp/mtrr_msrs
done
sz_load
ncpu=$(nproc)
subzero status --json > /tmp/ept_status.json || fail "status --json failed"
cat /proc/mtrr > /tmp/proc_mtrr
cat /proc/iomem > /tmp/iomem
# RAM: the first page above 1 MiB, one in the middle, the last page of the last range
ram=$(sed -n 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) : System RAM$/\1-\2/p' /proc/iomem | tail -n 1)
lo=$((0x${ram%-*})); hi=$((0x${ram#*-}))
addrs="0x0 0x9f000 0xa0000 0xb8000 0xc0000 0xe0000 0xf0000 0x100000 0x1000000
       $(printf '0x%x' $(( (lo + hi) / 2 & ~0xfff ))) $(printf '0x%x' $(( (hi & ~0xfff) )))
       0xc0000000 0xe0000000 0xfec00000 0xfee00000 0xffff0000 0x100000000 0x4000000000"
: > /tmp/ept_query
for a in $addrs; do
	subzero ept "$a" --json > /tmp/q || fail "subzero ept $a: $(cat /tmp/q)"
	echo "$a $(tr -d '\n' < /tmp/q)" >> /tmp/ept_query
done
head -n 3 /tmp/ept_query | sed 's/^/  /'
# Each CPU answers for itself; both must have an EPT.
[ "$(grep -o '"cpu": ' /tmp/ept_query | wc -l)" = $((ncpu * $(grep -c . /tmp/ept_query))) ] ||
	fail "not every CPU answered: $(head -n 1 /tmp/ept_query)"
artifact mtrr_msrs /tmp/mtrr_msrs
artifact proc_mtrr /tmp/proc_mtrr
artifact iomem /tmp/iomem
artifact ept_query /tmp/ept_query
artifact ept_status.json /tmp/ept_status.json
# Negative: beyond the map, and a bad address.
expect_fail subzero ept 0xffffffffffff000
echo "$out" | grep -q "beyond the EPT's map" || fail "beyond the map: $out"
expect_fail subzero ept nonsense
sz_unload
