#!/usr/bin/env python3
"""Turn what the bench guest measured (bench.txt, tests/e2e/guest/tests/bench.sh) into
bench/results.md and print it.

    scripts/bench-report.py RAW OUTDIR

RAW is the guest's artifact; OUTDIR gets raw.txt (a copy of it) and results.md.  If
OUTDIR/raw-before.txt exists (a run of an earlier exit path, kept on purpose), the
CPUID exit cost it measured is shown next to this run's.  Nothing here is a constant:
every figure comes from RAW, and what RAW lacks is reported as not measured.
"""
import os
import re
import shutil
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def reason_names():
    names = {}
    with open(os.path.join(ROOT, "core", "exit.h")) as f:
        for line in f:
            m = re.match(r"#define EXIT_REASON_(\w+)\s+(\d+)\s*$", line)
            if m and m.group(1) != "MAX":
                names[int(m.group(2))] = m.group(1)
    return names


NAMES = reason_names()


def parse(path):
    """[(kind, {key: value}, line)] in file order."""
    recs = []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            kind, _, rest = line.partition(" ")
            kv = dict(re.findall(r"(\w+)=(\S*)", rest))
            recs.append((kind, kv, rest))
    return recs


def num(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return float(v)


class Run:
    """One guest run's measurements."""

    def __init__(self, path):
        self.recs = parse(path)
        self.meta = next((kv for k, kv, _ in self.recs if k == "meta"), {})
        self.bcpu = self.meta.get("bench_cpu", "1")

    def of(self, kind, **want):
        return [kv for k, kv, _ in self.recs
                if k == kind and all(kv.get(a) == b for a, b in want.items())]

    def kloop(self, state, op):
        """Ticks per iteration of the kernel loop (the fastest of its runs)."""
        runs = self.of("kloop", state=state, op=op)
        if not runs:
            return None
        return min(num(r["ticks"]) / num(r["n"]) for r in runs)

    def kexits(self, state, op):
        """subzero's own view of the loop's CPU: root TSC per exit, exits."""
        e = self.of("kexits", state=state, op=op, cpu=self.bcpu)
        if not e:
            return None
        e = e[0]
        total = num(e["total"])
        return (num(e["root_tsc"]) / total if total else None), total, e

    def uloop(self, state):
        u = self.of("uloop", state=state)
        return num(u[0]["min"]) / num(u[0]["n"]) if u else None

    def work(self, state):
        """{rep: [(phase record, {cpu: exits record})]} of the workload runs."""
        reps = {}
        cur = None
        for k, kv, _ in self.recs:
            if k != "wk" or kv.get("state") != state:
                continue
            if "phase" in kv:
                cur = (kv, {})
                reps.setdefault(kv["rep"], []).append(cur)
            elif "root_tsc" in kv and cur is not None:
                cur[1][kv["cpu"]] = kv
        return reps

    def timed(self, state, what):
        return [num(kv["ticks"]) for kv in self.of("timed", state=state, what=what)]

    def texits(self, state, what):
        return self.of("texits", state=state, what=what)


def f0(x, unit=""):
    return "n/a" if x is None else f"{x:,.0f}{unit}"


def f1(x):
    return "n/a" if x is None else f"{x:,.1f}"


def by_reason(kv):
    return {NAMES.get(int(k[1:]), k): num(v) for k, v in kv.items() if re.fullmatch(r"r\d+", k)}


def fmt_reasons(d):
    return ", ".join(f"{k} {v:,}" for k, v in sorted(d.items(), key=lambda x: -x[1])) or "none"


def git_describe():
    try:
        h = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                           capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--",
                                "core", "linux", "tests/e2e"],
                               capture_output=True, text=True).stdout.strip()
        return h + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def exit_costs(r, out):
    bare_off, bare_on = r.kloop("off", "bare"), r.kloop("on", "bare")
    out.append("| exit | without subzero | with subzero | cost per exit "
               "(difference) | subzero's handler (root_tsc / exits) |")
    out.append("| --- | ---: | ---: | ---: | ---: |")
    rows = [("CPUID (leaf 0), kernel loop", "cpuid", "cpuid"),
            ("RDMSR IA32_FEATURE_CONTROL (0x3a), kernel loop", "rdmsr", "rdmsr"),
            ("VMCALL (ping), kernel loop", "vmcall", None)]
    costs = {}
    for label, op, off_op in rows:
        on = r.kloop("on", op)
        off = r.kloop("off", off_op) if off_op else bare_off
        diff = on - off if on is not None and off is not None else None
        costs[op] = diff
        x = r.kexits("on", op)
        cross = f"{f1(x[0])} ({x[1]:,} exits on CPU {r.bcpu})" if x and x[0] else "n/a"
        off_s = f1(off) if off_op else f"{f1(off)} (bare loop: VMCALL is #UD)"
        out.append(f"| {label} | {off_s} | {f1(on)} | **{f1(diff)}** | {cross} |")
    uon, uoff = r.uloop("on"), r.uloop("off")
    udiff = uon - uoff if uon is not None and uoff is not None else None
    ux = r.of("uexits", state="on", cpu=r.bcpu)
    ucross = "n/a"
    if ux and num(ux[0]["total"]):
        ucross = f"{f1(num(ux[0]['root_tsc']) / num(ux[0]['total']))} " \
                 f"({num(ux[0]['total']):,} exits on CPU {r.bcpu})"
    out.append(f"| CPUID (leaf 0), user-mode loop | {f1(uoff)} | {f1(uon)} | {f1(udiff)} | "
               f"{ucross} |")
    plain = [num(kv["ticks"]) / num(kv["n"]) for kv in r.of("wwrite", state="plain")
             if kv.get("ticks")]
    watched = [(num(kv["ticks"]) / num(kv["n"]), kv.get("events")) for kv in
               r.of("wwrite", state="watched") if kv.get("ticks")]
    if plain and watched:
        wp, (ww, wev) = min(plain), min(watched)
        out.append(f"| write to an EPT-watched page (EPT violation + single step: 2 exits), "
                   f"kernel loop | {f1(wp)} (not watched) | {f1(ww)} | **{f1(ww - wp)}** | "
                   f"n/a ({wev} events for 200 writes) |")
    else:
        watch = r.of("feature")
        present = any(kv.get("watch") == "present" for kv in watch)
        out.append("| write to an EPT-watched page | n/a | n/a | "
                   + ("n/a (the measurement failed: see raw.txt)"
                      if present else "n/a (needs EPT watch)") + " | n/a |")
    out.append("")
    out.append(f"All figures are TSC ticks per loop iteration (the fastest of the runs), "
               f"on CPU {r.bcpu}. Kernel loops: sz_test.ko `test=bench`, "
               f"{r.meta.get('kn', '?')} iterations, interrupts off. The bare loop (the same "
               f"loop with no instruction in it) costs {f1(bare_off)} without subzero and "
               f"{f1(bare_on)} with it. Without subzero VMCALL raises #UD, so its \"without\" "
               f"figure is the bare loop: its difference is the whole cost of the VMCALL "
               f"round trip. The last column is subzero's own counter: TSC ticks spent in the "
               f"C exit handler (it excludes the VM exit, the assembly stub and VMRESUME), per "
               f"exit, over the exits CPU {r.bcpu} took during the loop.")
    return costs


def kvm_section(r, sz_cpuid, out):
    k = r.of("kvm")
    notes = [rest for kind, _, rest in r.recs if kind == "kvmnote"]
    if k and k[0].get("status") == "ok":
        k = k[0]
        per = num(k["per_exit"])
        ratio = sz_cpuid / per if sz_cpuid and per > 0 else None
        out.append("| | ticks per CPUID exit |")
        out.append("| --- | ---: |")
        out.append(f"| KVM (kvm-intel, real-mode vCPU, /dev/kvm) | {f1(per)} |")
        out.append(f"| subzero (kernel loop, difference above) | {f1(sz_cpuid)} |")
        out.append(f"| ratio subzero / KVM | {'n/a' if ratio is None else f'{ratio:.2f}'} |")
        out.append("")
        out.append(f"KVM: `kvm-bench {k['n']} {k['reps']}` on CPU {r.bcpu} after subzero was "
                   f"unloaded: TSC read around KVM_RUN, a guest loop of {k['n']} CPUIDs "
                   f"({f0(num(k['cpuid_min']))} ticks, fastest of {k['reps']}) minus the same "
                   f"loop with a NOP ({f0(num(k['empty_min']))} ticks). KVM handles CPUID "
                   f"in the kernel; no exit reaches user space before the final OUT.")
    else:
        st = k[0].get("status", "?") if k else "not run"
        out.append(f"KVM could not be measured: {st}.")
        for n in notes:
            out.append(f"    {n}")


def phase_table(rep, out):
    """One workload run's phases: operations, the kernel's counts, subzero's exits."""
    out.append("| phase | operations | context switches | page faults | exits (all CPUs) "
               "| exits per operation | by reason |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for ph, cpus in rep:
        if ph["phase"] == "all":
            continue
        allc = cpus.get("all", {})
        total = num(allc.get("total", 0))
        ops = num(ph["ops"])
        out.append(f"| {ph['phase']} | {ops:,} | {num(ph['ctxt']):,} | "
                   f"{num(ph['pgfault']):,} | {total:,} | {total / ops:.3f} | "
                   f"{fmt_reasons(by_reason(allc))} |")


def work_section(r, out):
    reps = r.work("on")
    if not reps:
        out.append("Not measured (no workload run with subzero).")
        return
    first = sorted(reps)[0]
    out.append(f"With subzero loaded, one run of `sz-bench work all {r.meta.get('wn', '?')}` "
               f"on CPU {r.bcpu} (run {first} of {len(reps)}; the others agree, see raw.txt). "
               f"Exits are summed over all CPUs; context switches and page faults are the "
               f"kernel's own counts (/proc/stat ctxt, /proc/vmstat pgfault) over the phase.")
    out.append("")
    phase_table(reps[first], out)
    idle = r.texits("on", "idle")
    idle_all = next((kv for kv in idle if kv.get("cpu") == "all"), None)
    if idle_all:
        out.append(f"| idle (`sleep 2`, counting the start of `sleep` itself) | - | - | - | "
                   f"{num(idle_all['total']):,} | - | {fmt_reasons(by_reason(idle_all))} |")
    # The figure the goal is about: exits per syscall, context switch, page fault, in
    # the phases that run no new program (exec and shell start programs, whose own
    # CPUID instructions exit by design).
    sc = cs = pf = ex = 0
    for ph, cpus in reps[first]:
        if ph["phase"] in ("syscall", "pipe", "fork", "fault", "file"):
            ex += num(cpus.get("all", {}).get("total", 0))
            cs += num(ph["ctxt"])
            pf += num(ph["pgfault"])
            sc += num(ph["ops"]) if ph["phase"] in ("syscall", "file") else 0
    execs = [(ph, cpus) for ph, cpus in reps[first] if ph["phase"] == "exec"]
    out.append("")
    out.append(f"In the phases that start no program (syscall, pipe, fork, fault, file): "
               f"{sc:,} syscalls, {cs:,} context switches and {pf:,} page faults caused "
               f"**{ex:,} exits** ({ex / max(1, sc + cs + pf):.4f} per operation).")
    if execs:
        ph, cpus = execs[0]
        allc = cpus.get("all", {})
        other = {k: v for k, v in by_reason(allc).items() if k not in ("CPUID", "XSETBV")}
        out.append(f"Starting a program costs {num(allc.get('total', 0)) / num(ph['ops']):.0f} "
                   f"exits, all of them the program's own CPUID instructions (static glibc "
                   f"reads CPUID at start-up; CPUID exits unconditionally under VMX)"
                   + (f"; other reasons: {fmt_reasons(other)}" if other else "") + ".")


def overhead_section(r, out):
    def totals(state):
        return [num(p["sum"]) for rep in r.work(state).values() for p, _ in rep
                if p["phase"] == "all"]

    def phase_ticks(state):
        d = {}
        for rep in r.work(state).values():
            for p, _ in rep:
                if p["phase"] != "all":
                    d.setdefault(p["phase"], []).append(num(p["ticks"]))
        return d

    off, on = totals("off"), totals("on")
    if not off or not on:
        out.append("Not measured.")
        return
    moff, mon = statistics.median(off), statistics.median(on)
    out.append("| | without subzero | with subzero | overhead |")
    out.append("| --- | ---: | ---: | ---: |")
    out.append(f"| whole workload, median of {len(off)}/{len(on)} runs (ticks) | {f0(moff)} | "
               f"{f0(mon)} | **{100 * (mon - moff) / moff:+.2f}%** |")
    poff, pon = phase_ticks("off"), phase_ticks("on")
    for ph in poff:
        if ph in pon:
            a, b = statistics.median(poff[ph]), statistics.median(pon[ph])
            out.append(f"| {ph} (median) | {f0(a)} | {f0(b)} | {100 * (b - a) / a:+.2f}% |")
    out.append("")
    spread = max((max(xs) - min(xs)) / statistics.median(xs) for xs in (off, on))
    # Phases that took no exit in any run: whatever they moved by is noise.
    quiet = {p["phase"] for rep in r.work("on").values() for p, c in rep} - \
            {p["phase"] for rep in r.work("on").values() for p, c in rep
             if num(c.get("all", {}).get("total", 0))}
    moves = [abs(statistics.median(pon[ph]) - statistics.median(poff[ph])) /
             statistics.median(poff[ph]) for ph in quiet if ph in poff and ph in pon]
    out.append("Every run (ticks): without " + ", ".join(f0(x) for x in off) +
               "; with " + ", ".join(f0(x) for x in on) + f". Runs of the same kind differ "
               f"by up to {100 * spread:.2f}%: the noise floor of the whole-workload "
               f"figure. A single phase is noisier (a timer interrupt or a kernel worker "
               f"landing in it weighs more)"
               + (f": the phases that took no exit at all ({', '.join(sorted(quiet))}) "
                  f"moved by up to {100 * max(moves):.2f}%." if moves else "."))
    # What the exits alone should cost: exits during the workload x cost per CPUID exit.
    alls = [c.get("all", {}) for rep in r.work("on").values() for p, c in rep
            if p["phase"] == "all"]
    on_c, off_c = r.kloop("on", "cpuid"), r.kloop("off", "cpuid")
    if alls and on_c is not None and off_c is not None:
        n = statistics.median(num(a.get("total", 0)) for a in alls)
        cost = n * (on_c - off_c)
        out.append(f"Expected from the exits alone: {n:,.0f} exits a run (median; by "
                   f"reason in the first run: {fmt_reasons(by_reason(alls[0]))}) x "
                   f"{on_c - off_c:.0f} ticks (a CPUID exit) = {cost:,.0f} ticks, "
                   f"{100 * cost / moff:.2f}% of the workload.")


def lock_section(r, out):
    """The workload with `subzero lock` on (issue 14): its exits and its overhead."""
    reps, off = r.work("locked"), [num(p["sum"]) for rep in r.work("off").values()
                                   for p, _ in rep if p["phase"] == "all"]
    if not reps or not off:
        out.append("Not measured (no workload run with the lock on).")
        return
    locked = [num(p["sum"]) for rep in reps.values() for p, _ in rep if p["phase"] == "all"]
    first = sorted(reps)[0]
    out.append(f"subzero loaded again with the lock on (`insmod subzero.ko lock=1`: pinned "
               f"control registers, locked MSRs, descriptor-table exiting, kernel text W^X), "
               f"then `sz-bench work all {r.meta.get('wn', '?')}` {len(locked)} times on CPU "
               f"{r.bcpu}. Exits summed over all CPUs, run {first}:")
    out.append("")
    phase_table(reps[first], out)
    quiet = sum(num(cpus.get("all", {}).get("total", 0)) for ph, cpus in reps[first]
                if ph["phase"] in ("syscall", "pipe", "fork", "fault", "file"))
    out.append("")
    moff, mlk = statistics.median(off), statistics.median(locked)
    out.append(f"Exits in the phases that start no program (syscall, pipe, fork, fault, "
               f"file) with the lock on: **{quiet:,}**.")
    out.append("")
    out.append("| | without subzero | with the lock | overhead |")
    out.append("| --- | ---: | ---: | ---: |")
    out.append(f"| whole workload, median of {len(off)}/{len(locked)} runs (ticks) | "
               f"{f0(moff)} | {f0(mlk)} | **{100 * (mlk - moff) / moff:+.2f}%** |")
    out.append("")
    out.append("Every run with the lock (ticks): " + ", ".join(f0(x) for x in locked) + ".")
    # spaces recorded as '~' (older raw data: as '_', commas dropped)
    stats = [t.replace("~", " ") if "~" in t else t.replace("_", " ")
             for t in (kv.get("text", "") for kv in r.of("lockstat"))]
    if stats:
        out.append("")
        out.append("CPU 0's lock counters after the runs (`subzero status`): " +
                   "; ".join(f"`{t}`" for t in stats) + ".")


def load_section(r, out):
    ins, rm = r.timed("off", "insmod"), r.timed("on", "rmmod")
    out.append("| | median (ticks) | every run |")
    out.append("| --- | ---: | --- |")
    for label, xs in (("insmod subzero.ko (load + virtualize every CPU)", ins),
                      ("rmmod subzero (devirtualize every CPU + unload)", rm)):
        out.append(f"| {label} | {f0(statistics.median(xs)) if xs else 'n/a'} | "
                   f"{', '.join(f0(x) for x in xs) or 'not measured'} |")
    out.append("")
    mem_all = r.of("mem", state="all_cpus")
    mem_one = r.of("mem", state="cpu1_offline")
    sizes = r.of("sizes")
    if not mem_all:
        out.append("Memory: not measured.")
        return
    a = mem_all[0]
    out.append("| memory | bytes | allocations |")
    out.append("| --- | ---: | ---: |")
    out.append(f"| total, {a['cpus']} CPUs virtualized (measured: SUBZERO_IOC_INFO) | "
               f"{num(a['alloc_bytes']):,} | {num(a['alloc_count']):,} |")
    if mem_one:
        o = mem_one[0]
        per = num(a["alloc_bytes"]) - num(o["alloc_bytes"])
        if per == 0:
            # Every possible CPU's state is allocated at load (so that all of it can be
            # hidden from every guest before any CPU is launched) and kept offline.
            out.append(f"| with CPU 1 offline (measured) | {num(o['alloc_bytes']):,} | "
                       f"{num(o['alloc_count']):,} |")
            out.append(f"| per CPU, on average (the total / {a['cpus']}: every possible "
                       f"CPU's state is allocated at load and kept while it is offline) | "
                       f"{num(a['alloc_bytes']) // int(a['cpus']):,} | |")
        else:
            out.append(f"| per CPU (measured: the total less the total with CPU 1 offline) | "
                       f"{per:,} | {num(a['alloc_count']) - num(o['alloc_count']):,} |")
            shared = num(a["alloc_bytes"]) - int(a["cpus"]) * per
            out.append(f"| shared (the total less every CPU's share) | {shared:,} | "
                       f"{num(a['alloc_count']) - int(a['cpus']) * (num(a['alloc_count']) - num(o['alloc_count'])):,} |")
    eptr = r.of("ept")
    feat = r.of("feature")
    ept = any(kv.get("ept") == "present" for kv in feat)
    if eptr:
        for e in eptr:
            out.append(f"| EPT of CPU {e['cpu']}: {e['pages']} table pages in use, a pool of "
                       f"{e['pool']} (in the total) | {num(e['pool']) * 4096:,} | |")
    else:
        out.append(f"| EPT tables | {'present, not recorded in this run' if ept else 'n/a until EPT lands'} | |")
    if sizes:
        s = sizes[0]
        page = num(s["page"])
        out.append("")
        out.append(f"From the code (core/vmx.c `vmx_vcpu_alloc`, linux/main.c `sz_init`, "
                   f"linux/os_linux.c): per CPU a VMXON region ({page:,}), a VMCS ({page:,}), "
                   f"a host stack ({num(s['host_stack']):,}) and a `struct vcpu` "
                   f"({num(s['vcpu']):,} bytes, of which the log ring is "
                   f"{num(s['log_ring']):,}; kzalloc gives it its size class, which the "
                   f"measured figure includes); shared: the MSR bitmap, the host IDT and the "
                   f"host page-table root, a page each. Not counted: linux/main.c's per-CPU "
                   f"`struct sz_cpu` array (kcalloc, capabilities as read at load).")


def before_after(r, before, out):
    def fig(run):
        on, off = run.kloop("on", "cpuid"), run.kloop("off", "cpuid")
        x = run.kexits("on", "cpuid")
        return (on - off if on is not None and off is not None else None), (x[0] if x else None)

    now, now_root = fig(r)
    out.append("| CPUID exit | cost per exit (ticks) | in the C handler (root_tsc / exit) |")
    out.append("| --- | ---: | ---: |")
    if before:
        b, b_root = fig(before)
        src = before.of("source")
        out.append(f"| before (exit path of {src[0]['commit'] if src else '?'}; "
                   f"bench/raw-before.txt) | {f1(b)} | {f1(b_root)} |")
    out.append(f"| now ({r.of('source')[0]['commit']}) | **{f1(now)}** | {f1(now_root)} |")
    out.append("")
    out.append("Cost per exit: the kernel CPUID loop with subzero less without (section 1): "
               "every tick the CPU spends outside the guest for one CPUID, less what CPUID "
               "costs natively. Handler: subzero's root_tsc counter, the C part only"
               + (f"; the other {now - now_root:.0f} ticks are the exit stub (saving and "
                  f"restoring 16 registers, the call), the handler's entry and return, "
                  f"VMRESUME and the VM exit itself." if now is not None and now_root else "."))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    raw, outdir = sys.argv[1], sys.argv[2]
    if not os.path.exists(raw):
        sys.exit(f"bench-report: {raw} missing: the benchmark did not finish (see the "
                 f"console log next to it)")
    os.makedirs(outdir, exist_ok=True)
    r = Run(raw)
    if not r.of("source"):
        # Which code measured it: kept with the copy, so an old raw file says so.
        with open(raw, "a") as f:
            f.write(f"source commit={git_describe()}\n")
        r = Run(raw)
    if os.path.abspath(raw) != os.path.abspath(os.path.join(outdir, "raw.txt")):
        shutil.copy(raw, os.path.join(outdir, "raw.txt"))
    bpath = os.path.join(outdir, "raw-before.txt")
    before = Run(bpath) if os.path.exists(bpath) else None

    out = ["# subzero benchmark", ""]
    model = (r.of("cpu") or [{}])[0].get("model", "?").replace("_", " ")
    if r.meta.get("where", "emulator") == "emulator":
        out.append(f"`make bench`: one boot of Debian's kernel {r.meta.get('kernel', '?')} in "
                   f"Bochs (corei7_haswell_4770, {r.meta.get('cpus', '?')} CPUs, `clock: "
                   f"sync=none`): subzero at {r.of('source')[0]['commit']}. Unit: **emulated "
                   f"ticks** (guest TSC, which advances with emulated instructions: "
                   f"deterministic and machine-independent, but not real cycles; see the "
                   f"README, \"Performance\"). Raw data: `raw.txt` next to this file.")
    else:
        out.append(f"`scripts/bench-host.sh` on {model} ({r.meta.get('cpus', '?')} CPUs), "
                   f"kernel {r.meta.get('kernel', '?')}: subzero at "
                   f"{r.of('source')[0]['commit']}. Unit: TSC ticks (the TSC's fixed rate, "
                   f"not core cycles). Raw data: `raw.txt` next to this file.")
    out.append("")
    out.append("## 1. Cost per exit")
    out.append("")
    costs = exit_costs(r, out)
    out.append("")
    out.append("## 2. KVM on the same emulated machine")
    out.append("")
    kvm_section(r, costs.get("cpuid"), out)
    out.append("")
    out.append("## 3. Steady-state exits")
    out.append("")
    work_section(r, out)
    out.append("")
    out.append("## 4. Overhead on the workload")
    out.append("")
    overhead_section(r, out)
    out.append("")
    out.append("## 5. Load, unload, memory")
    out.append("")
    load_section(r, out)
    out.append("")
    out.append("## 6. The CPUID exit path, before and after")
    out.append("")
    before_after(r, before, out)
    out.append("")
    out.append("## 7. With the lock on")
    out.append("")
    lock_section(r, out)
    out.append("")
    text = "\n".join(out)
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write(text)
    print(text)
    print(f"bench: written {os.path.relpath(os.path.join(outdir, 'results.md'), os.getcwd())}")


if __name__ == "__main__":
    main()
