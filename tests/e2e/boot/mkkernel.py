#!/usr/bin/env python3
"""Turn Debian's compressed bzImage into a multiboot image that boots in seconds.

Bochs spends 40-60 s of wall time running the kernel's own XZ decompressor, and GRUB
reads from the emulated CD at ~17 emulated instructions a byte.  So the vmlinux ELF
inside the bzImage is decompressed here, laid out flat at its physical load address,
LZ4-compressed (cheap to undo), and put behind pvh-shim (pvh-shim.S + shim.c), which
GRUB loads with `multiboot` at SHIM_BASE.  The shim decompresses the kernel and enters
its PVH entry point.

usage: mkkernel.py BZIMAGE SHIM.bin OUT
"""
import lzma
import struct
import subprocess
import sys

SHIM_BASE = 0x8000000            # shim.lds
PARAMS_OFF = 32                  # pvh-shim.S: struct shim_params after the header
ENTRY_OFF = 56                   # pvh-shim.S: _start
XEN_ELFNOTE_PHYS32_ENTRY = 18


def extract_vmlinux(bz):
    """The payload of a bzImage: the setup header says where it is (payload_offset and
    payload_length, Documentation/arch/x86/boot.rst); Debian compresses it with XZ
    (generic, rt), LZ4 (cloud) or ZSTD (6.12)."""
    setup_sects = bz[0x1f1] or 4
    off, length = struct.unpack_from("<II", bz, 0x248)
    payload = bz[(setup_sects + 1) * 512 + off:][:length]
    if payload.startswith(b"\xfd7zXZ\x00"):
        data = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload)
    elif payload[:4] in (b"\x02\x21\x4c\x18", b"\x28\xb5\x2f\xfd"):
        tool = ["lz4", "-dc"] if payload[0] == 2 else ["zstd", "-dcq"]
        # The kernel's LZ4 stream is followed by its length: lz4 stops at the end.
        r = subprocess.run(tool, input=payload, capture_output=True)
        data = r.stdout
    else:
        sys.exit(f"mkkernel: payload compressed with an unknown method ({payload[:4].hex()})")
    if data[:4] != b"\x7fELF":
        sys.exit("mkkernel: the payload did not decompress to an ELF file")
    return data


def pvh_entry(elf, phoff, phnum, phentsize):
    for i in range(phnum):
        p_type, _, p_off, _, _, p_filesz, _, _ = struct.unpack_from(
            "<IIQQQQQQ", elf, phoff + i * phentsize)
        if p_type != 4:                  # PT_NOTE
            continue
        off, end = p_off, p_off + p_filesz
        while off + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, off)
            name = elf[off + 12:off + 12 + namesz].rstrip(b"\0")
            desc = off + 12 + ((namesz + 3) & ~3)
            if name == b"Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                return struct.unpack_from("<I", elf, desc)[0]
            off = desc + ((descsz + 3) & ~3)
    sys.exit("mkkernel: kernel has no PVH entry note (CONFIG_PVH=y expected)")


def main():
    bz_path, shim_path, out_path = sys.argv[1:4]
    elf = extract_vmlinux(open(bz_path, "rb").read())
    if elf[4] != 2 or struct.unpack_from("<H", elf, 18)[0] != 62:
        sys.exit("mkkernel: not an x86-64 ELF")
    phoff, = struct.unpack_from("<Q", elf, 32)
    phentsize, phnum = struct.unpack_from("<HH", elf, 54)

    loads = []
    for i in range(phnum):
        p_type, _, p_off, _, p_paddr, p_filesz, p_memsz, _ = struct.unpack_from(
            "<IIQQQQQQ", elf, phoff + i * phentsize)
        if p_type == 1 and p_memsz:
            loads.append((p_paddr, p_off, p_filesz, p_memsz))
    loads.sort()
    base = loads[0][0]
    mem_end = max(pa + ms for pa, _, _, ms in loads)
    if mem_end > SHIM_BASE:
        sys.exit(f"mkkernel: kernel ends at {mem_end:#x}, above the shim at {SHIM_BASE:#x}")

    image = bytearray(max(pa + fs for pa, _, fs, _ in loads) - base)
    for pa, off, fs, _ in loads:
        image[pa - base:pa - base + fs] = elf[off:off + fs]
    # .bss, .brk and .init.scratch are stored as zeros at the end of the last segment;
    # the shim zeroes everything up to mem_end anyway.
    image = bytes(image.rstrip(b"\0"))
    payload = subprocess.run(["lz4", "-9", "-BD", "--no-frame-crc", "-c"], input=image,
                             check=True, capture_output=True).stdout

    shim = bytearray(open(shim_path, "rb").read())
    if struct.unpack_from("<I", shim, 0)[0] != 0x1badb002 or shim[ENTRY_OFF:ENTRY_OFF + 2] != b"\xfa\xfc":
        sys.exit("mkkernel: shim layout is not what pvh-shim.S promises")
    total = len(shim) + len(payload)
    struct.pack_into("<5I", shim, 12, SHIM_BASE, SHIM_BASE, SHIM_BASE + total, 0,
                     SHIM_BASE + ENTRY_OFF)
    struct.pack_into("<6I", shim, PARAMS_OFF, len(shim), len(payload), base, mem_end,
                     pvh_entry(elf, phoff, phnum, phentsize), len(image))
    with open(out_path, "wb") as f:
        f.write(shim)
        f.write(payload)
    print(f"mkkernel: {out_path}: kernel {base:#x}-{mem_end:#x}, image {len(image) >> 20} MiB, "
          f"LZ4 {len(payload) >> 20} MiB")


main()
