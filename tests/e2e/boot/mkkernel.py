#!/usr/bin/env python3
"""Turn Debian's compressed bzImage into a multiboot image that boots in seconds.

Bochs spends 40-60 s of wall time running the kernel's own XZ decompressor, so we
decompress on the host instead: the vmlinux ELF inside the bzImage is laid out flat at its
physical load address, behind one page holding pvh-shim.S and a multiboot header (the
"a.out kludge" form, which tells the boot loader where to put the file and how much bss
follows).  GRUB loads that file with `multiboot`, the initramfs with `module`; the shim
turns GRUB's multiboot information into a PVH start_info and enters the kernel's PVH
entry point (32-bit protected mode, paging off: exactly what multiboot leaves).

usage: mkkernel.py BZIMAGE SHIM.bin OUT
"""
import lzma
import struct
import sys

SHIM_SIZE = 0x1000
SHIM_LINK = 0xfff000                    # pvh-shim.S's BASE
MB_MAGIC = 0x1BADB002
MB_FLAGS = (1 << 1) | (1 << 16)          # want memory map; a.out kludge addresses
XEN_ELFNOTE_PHYS32_ENTRY = 18


def extract_vmlinux(bz):
    """The payload of an XZ bzImage is one XZ stream; find it and decompress it."""
    pos = bz.find(b"\xfd7zXZ\x00")
    while pos >= 0:
        try:
            data = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(bz[pos:])
            if data[:4] == b"\x7fELF":
                return data
        except lzma.LZMAError:
            pass
        pos = bz.find(b"\xfd7zXZ\x00", pos + 1)
    sys.exit("mkkernel: no XZ-compressed ELF payload found (CONFIG_KERNEL_XZ expected)")


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
    file_end = max(pa + fs for pa, _, fs, _ in loads)
    mem_end = max(pa + ms for pa, _, _, ms in loads)

    image = bytearray(file_end - base)
    for pa, off, fs, _ in loads:
        image[pa - base:pa - base + fs] = elf[off:off + fs]

    # .bss, .brk and .init.scratch are stored as zeros at the end of the last segment;
    # leave them to the boot loader, which zeroes everything up to bss_end_addr.
    image = image.rstrip(b"\0")
    image += bytes(-len(image) % 4)

    shim = bytearray(open(shim_path, "rb").read())
    if len(shim) > SHIM_SIZE - 64:
        sys.exit("mkkernel: shim too large")
    load = base - SHIM_SIZE
    if load != SHIM_LINK:
        sys.exit(f"mkkernel: kernel loads at {base:#x}; pvh-shim.S is linked for "
                 f"{SHIM_LINK + SHIM_SIZE:#x}")
    # The shim reserves a 48-byte slot at its very end for the multiboot header and
    # reads the kernel's PVH entry point from the word after it.
    hdr = struct.pack("<IIIIIIII", MB_MAGIC, MB_FLAGS, (-(MB_MAGIC + MB_FLAGS)) & 0xffffffff,
                      load + SHIM_SIZE - 64, load, load + SHIM_SIZE + len(image),
                      mem_end, load)
    page = bytearray(SHIM_SIZE)
    page[:len(shim)] = shim
    page[SHIM_SIZE - 64:SHIM_SIZE - 32] = hdr
    page[SHIM_SIZE - 32:SHIM_SIZE - 28] = struct.pack("<I", pvh_entry(elf, phoff, phnum, phentsize))
    with open(out_path, "wb") as f:
        f.write(page)
        f.write(image)
    print(f"mkkernel: {out_path}: load {load:#x} file {len(image) >> 20} MiB "
          f"bss-end {mem_end:#x}")


main()
