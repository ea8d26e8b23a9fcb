// SPDX-License-Identifier: GPL-2.0
/*
 * pvh-shim: from multiboot to the Linux PVH entry point, decompressing the kernel.
 *
 * Bochs spends 40-60 s running the kernel's own XZ decompressor, and GRUB needs ~17
 * emulated instructions per byte it reads from the CD, so mkkernel.py stores the
 * kernel's loadable image LZ4-compressed behind this shim.  Here we
 *  1. copy what we need from the multiboot information (command line, memory map, the
 *     initramfs module) into our own memory, above the kernel's;
 *  2. decompress the image to its physical load address and zero its bss;
 *  3. build a struct hvm_start_info (Xen's public/arch-x86/hvm/start_info.h, version 1,
 *     which carries the memory map) and return it for the kernel's PVH entry
 *     (arch/x86/platform/pvh/head.S), which wants 32-bit protected mode with paging
 *     off: the state multiboot left us in.
 * Anything unexpected stops the boot with a message on COM1.
 */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

struct shim_params {			/* pvh-shim.S, filled in by mkkernel.py */
	u32 payload_off;		/* LZ4 frame, from the start of the shim */
	u32 payload_len;
	u32 kernel_start;		/* physical load address of the image */
	u32 kernel_end;			/* end of its memory, bss included */
	u32 pvh_entry;
	u32 image_len;			/* decompressed size */
};

struct mb_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
};

struct mb_module {
	u32 mod_start, mod_end, string, reserved;
};

struct hvm_start_info {
	u32 magic, version, flags, nr_modules;
	u64 modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	u32 memmap_entries, reserved;
};

struct hvm_modlist_entry {
	u64 paddr, size, cmdline_paddr, reserved;
};

struct hvm_memmap_entry {
	u64 addr, size;
	u32 type, reserved;
};

#define MB_BOOTLOADER_MAGIC	0x2badb002
#define MBI_CMDLINE		(1 << 2)
#define MBI_MODS		(1 << 3)
#define MBI_MMAP		(1 << 6)
#define HVM_START_MAGIC		0x336ec578
#define MEMMAP_MAX		64
#define CMDLINE_MAX		2048

extern struct shim_params shim_params;
extern const u8 shim_base[];
u32 shim_main(u32 magic, struct mb_info *mbi);

static struct hvm_start_info start_info;
static struct hvm_modlist_entry modlist;
static struct hvm_memmap_entry memmap[MEMMAP_MAX];
static char cmdline[CMDLINE_MAX];

static void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void die(const char *msg)
{
	const char *p;

	for (p = "pvh-shim: "; *p; p++) {
		while (!(inb(0x3fd) & 0x20))
			;
		outb(0x3f8, *p);
	}
	for (p = msg; *p; p++) {
		while (!(inb(0x3fd) & 0x20))
			;
		outb(0x3f8, *p);
	}
	for (;;)
		asm volatile("cli; hlt");
}

/* Forward byte copy: rep movsb is also right for LZ4's overlapping matches. */
static u8 *copy(u8 *dst, const u8 *src, u32 n)
{
	asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

static u32 get32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

/* One LZ4 block (lz4's doc/lz4_Block_format.md) into out; returns the new end. */
static u8 *lz4_block(const u8 *in, const u8 *end, u8 *out, const u8 *out_start)
{
	while (in < end) {
		u32 token = *in++, len = token >> 4, off;
		const u8 *match;
		u8 b;

		if (len == 15)
			do {
				b = *in++;
				len += b;
			} while (b == 255);
		out = copy(out, in, len);
		in += len;
		if (in >= end)
			break;			/* the last sequence has literals only */
		off = in[0] | in[1] << 8;
		in += 2;
		match = out - off;
		if (!off || match < out_start)
			die("corrupt LZ4 data\r\n");
		len = token & 15;
		if (len == 15)
			do {
				b = *in++;
				len += b;
			} while (b == 255);
		out = copy(out, match, len + 4);
	}
	return out;
}

/* An LZ4 frame (lz4's doc/lz4_Frame_format.md) with linked or independent blocks. */
static u8 *lz4_frame(const u8 *in, u32 len, u8 *out)
{
	const u8 *end = in + len;
	u8 *start = out, flg;
	u32 bsize;

	if (len < 7 || get32(in) != 0x184d2204)
		die("kernel payload is not an LZ4 frame\r\n");
	flg = in[4];
	in += 6 + ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0) + 1;
	while (in + 4 <= end && (bsize = get32(in)) != 0) {
		in += 4;
		if (bsize & 0x80000000) {
			bsize &= 0x7fffffff;
			out = copy(out, in, bsize);
		} else {
			out = lz4_block(in, in + bsize, out, start);
		}
		in += bsize + ((flg & 0x10) ? 4 : 0);
	}
	return out;
}

/* memmove: the two ranges may overlap (the module moves up, over itself). */
static void move(u8 *to, const u8 *from, u32 n)
{
	if (to <= from) {
		copy(to, from, n);
		return;
	}
	while (n--)
		to[n] = from[n];
}

static void zero(u8 *p, u32 n)
{
	asm volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(0) : "memory");
}

u32 shim_main(u32 magic, struct mb_info *mbi)
{
	const struct shim_params *sp = &shim_params;
	u32 i, n = 0;
	u8 *end;

	if (magic != MB_BOOTLOADER_MAGIC)
		die("not started by a multiboot loader\r\n");

	start_info.magic = HVM_START_MAGIC;
	start_info.version = 1;

	/* 1. Take copies first: GRUB may have put these where the kernel goes. */
	if (mbi->flags & MBI_CMDLINE) {
		const char *c = (const char *)mbi->cmdline;

		if (*c == '/')			/* some loaders put the image path first */
			while (*c && *c != ' ')
				c++;
		while (*c == ' ')
			c++;
		for (i = 0; c[i] && i < CMDLINE_MAX - 1; i++)
			cmdline[i] = c[i];
		start_info.cmdline_paddr = (u32)cmdline;
	}
	if (!(mbi->flags & MBI_MMAP))
		die("no memory map from the boot loader\r\n");
	for (i = 0; i < mbi->mmap_length && n < MEMMAP_MAX; n++) {
		const u8 *e = (const u8 *)(mbi->mmap_addr + i);

		/* size (excluding itself), base_addr, length, type */
		memmap[n].addr = get32(e + 4) | (u64)get32(e + 8) << 32;
		memmap[n].size = get32(e + 12) | (u64)get32(e + 16) << 32;
		memmap[n].type = get32(e + 20);
		i += get32(e) + 4;
	}
	start_info.memmap_paddr = (u32)memmap;
	start_info.memmap_entries = n;
	if ((mbi->flags & MBI_MODS) && mbi->mods_count) {
		const struct mb_module *m = (const struct mb_module *)mbi->mods_addr;

		u32 start = m->mod_start, len = m->mod_end - m->mod_start;

		/*
		 * A large initramfs (one that carries a kernel to kexec) may be put where
		 * the kernel goes: move it to just above the kernel, below this shim.
		 */
		if (start < sp->kernel_end && start + len > sp->kernel_start) {
			u32 to = (sp->kernel_end + 0xfff) & ~0xfffU;

			if (to + len > (u32)shim_base)
				die("the initramfs was loaded where the kernel goes\r\n");
			move((u8 *)to, (const u8 *)start, len);
			start = to;
		}
		modlist.paddr = start;
		modlist.size = len;
		start_info.nr_modules = 1;
		start_info.modlist_paddr = (u32)&modlist;
	}

	/* 2. The kernel image, then its bss. */
	end = lz4_frame(shim_base + sp->payload_off, sp->payload_len, (u8 *)sp->kernel_start);
	if ((u32)end != sp->kernel_start + sp->image_len)
		die("kernel image decompressed to the wrong size\r\n");
	zero(end, sp->kernel_end - (u32)end);

	/* 3. The kernel's PVH entry takes it from here. */
	return (u32)&start_info;
}
