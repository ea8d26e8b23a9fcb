#!/usr/bin/env python3
"""`make lint`: checkpatch over core/ and linux/, failing on what it finds.

    lint.py CACHE_DIR [--ignore TYPE,TYPE...] [FILE...]

Runs the kernel's scripts/checkpatch.pl (--no-tree --file, kernel style, errors and
warnings; not --strict) on every .c, .h and .S file under core/ and linux/ (or the files
named).  Types in --ignore are skipped everywhere (the Makefile says why for each).
A single flagged line may be let through by scripts/checkpatch.allow, which names the
file, the type, text the line contains, and why; an entry that lets nothing through is
itself an error, so the list cannot outlive its reasons.  Prints every finding left and
one line 'lint: N files, N findings (N allowed)'; exits 1 if any finding is left.

checkpatch.pl is taken from $CHECKPATCH, else the scripts/ of installed kernel headers
or sources that ship it, else CACHE_DIR/checkpatch/, where it is fetched once from
Debian's linux-source package (checkpatch.pl with its spelling.txt and
const_structs.checkpatch; nothing is installed).
"""
import glob
import os
import re
import subprocess
import sys
import tarfile
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALLOW = os.path.join(ROOT, "scripts", "checkpatch.allow")
NEEDED = ("checkpatch.pl", "spelling.txt", "const_structs.checkpatch")


def die(msg):
    print(f"lint: {msg}", file=sys.stderr)
    sys.exit(2)


def find_checkpatch(cache):
    if os.environ.get("CHECKPATCH"):
        return os.environ["CHECKPATCH"]
    cands = []
    if os.environ.get("KDIR"):
        cands.append(os.path.join(os.environ["KDIR"], "scripts"))
    cands.append(f"/lib/modules/{os.uname().release}/build/scripts")
    cands += sorted(glob.glob("/usr/src/linux-headers-*/scripts"))
    cands += sorted(glob.glob("/usr/src/linux-source-*/scripts"))
    cands.append(os.path.join(cache, "checkpatch"))
    for d in cands:
        if os.path.isfile(os.path.join(d, "checkpatch.pl")):
            return os.path.join(d, "checkpatch.pl")
    return fetch_checkpatch(os.path.join(cache, "checkpatch"))


def fetch_checkpatch(dest):
    """checkpatch.pl from Debian's linux-source-<version> .deb (downloaded, not installed)."""
    out = subprocess.run(["apt-cache", "depends", "linux-source"], capture_output=True,
                         text=True).stdout
    m = re.search(r"Depends: (linux-source-[0-9.]+)", out)
    if not m:
        die("no checkpatch.pl found (kernel headers' or sources' scripts/, $CHECKPATCH), "
            "and apt-cache depends linux-source names no linux-source-<version> to take "
            "it from: run apt-get update, or set CHECKPATCH=/path/to/checkpatch.pl")
    pkg = m.group(1)
    print(f"lint: fetching checkpatch.pl from Debian's {pkg} (once, into {dest})")
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run(["apt-get", "download", "-q", pkg], cwd=tmp,
                           capture_output=True, text=True)
        debs = glob.glob(os.path.join(tmp, f"{pkg}_*.deb"))
        if r.returncode != 0 or not debs:
            die(f"apt-get download {pkg} failed: {r.stderr.strip()[-300:]}")
        r = subprocess.run(["dpkg-deb", "-x", debs[0], os.path.join(tmp, "x")],
                           capture_output=True, text=True)
        if r.returncode != 0:
            die(f"dpkg-deb -x {os.path.basename(debs[0])} failed: {r.stderr.strip()}")
        tars = glob.glob(os.path.join(tmp, "x", "usr", "src", "linux-source-*.tar.*"))
        if not tars:
            die(f"{pkg} holds no linux-source tarball")
        want = {}
        with tarfile.open(tars[0]) as t:
            for member in t:
                parts = member.name.split("/")
                if len(parts) == 3 and parts[1] == "scripts" and parts[2] in NEEDED:
                    want[parts[2]] = t.extractfile(member).read()
                    if len(want) == len(NEEDED):
                        break
        missing = [n for n in NEEDED if n not in want]
        if missing:
            die(f"{pkg}'s tarball has no scripts/{', '.join(missing)}")
        os.makedirs(dest, exist_ok=True)
        for name, data in want.items():
            with open(os.path.join(dest, name), "wb") as f:
                f.write(data)
        os.chmod(os.path.join(dest, "checkpatch.pl"), 0o755)
    return os.path.join(dest, "checkpatch.pl")


def read_allow():
    """Entries: (file, type, text, reason, line number in checkpatch.allow)."""
    entries = []
    with open(ALLOW) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            cols = [c for c in cols if c != ""]
            if len(cols) != 4:
                die(f"{ALLOW}:{n}: want 4 tab-separated columns "
                    "(file, TYPE, text of the line, why), got {len(cols)}")
            entries.append((cols[0], cols[1], cols[2], cols[3], n))
    return entries


def main():
    args = sys.argv[1:]
    if not args:
        die("usage: lint.py CACHE_DIR [--ignore TYPES] [FILE...]")
    cache = args.pop(0)
    ignore = ""
    if args[:1] == ["--ignore"]:
        ignore = args[1]
        args = args[2:]
    os.chdir(ROOT)
    files = args or sorted(f for d in ("core", "linux")
                           for f in glob.glob(f"{d}/**/*", recursive=True)
                           if re.search(r"\.[chS]$", f))
    checkpatch = find_checkpatch(cache)
    cmd = ["perl", checkpatch, "--no-tree", "--file", "--terse", "--show-types",
           "--no-summary", "--color=never"]
    if ignore:
        cmd += ["--ignore", ignore]
    out = subprocess.run(cmd + files, capture_output=True, text=True)
    findings = [m for m in (re.match(r"^(.+?):(\d+): (?:ERROR|WARNING|CHECK):([A-Z0-9_]+):", line)
                            for line in out.stdout.splitlines()) if m]
    # checkpatch exits 1 on findings; 1 without any, or anything else, is a failure to run.
    if out.returncode not in (0, 1) or (out.returncode == 1 and not findings):
        die(f"checkpatch failed to run ({out.returncode}): "
            f"{(out.stderr or out.stdout).strip()[-400:]}")
    allow = read_allow()
    used = set()
    left = []
    allowed = 0
    for m in findings:
        path, num, typ = m.group(1), int(m.group(2)), m.group(3)
        try:
            with open(path) as f:
                text = f.read().splitlines()[num - 1]
        except (OSError, IndexError):
            text = ""
        hit = [e for e in allow if e[0] == path and e[1] == typ and e[2] in text]
        if hit:
            allowed += 1
            used.update(e[4] for e in hit)
        else:
            left.append(m.string)
    for line in left:
        print(line)
    stale = [e for e in allow if e[4] not in used and (not args or e[0] in files)]
    for e in stale:
        print(f"scripts/checkpatch.allow:{e[4]}: lets nothing through "
              f"({e[0]} {e[1]} '{e[2]}'): remove it")
    print(f"lint: {len(files)} files, {len(left)} findings ({allowed} allowed by "
          f"scripts/checkpatch.allow{', ignored types: ' + ignore if ignore else ''})")
    return 1 if left or stale else 0


if __name__ == "__main__":
    sys.exit(main())
