// SPDX-License-Identifier: GPL-2.0
/*
 * sz_lockmod: a module whose text and read-only data the lock must hold (issue 14,
 * point 4), from MODULE_STATE_COMING (before its init runs) until it is unloaded, and
 * its read-only-after-init data from LIVE.  Test only.  At load it prints where its
 * text and rodata are (physical).  Parameters read by its init:
 *   init_write=1 its init writes its own text and a const through vmap() aliases:
 *                with the lock both writes must be discarded already ("sz_lockmod:
 *                PASS init_text_write: ..."); and it sets its __ro_after_init
 *                variable directly, which must still work (not held before LIVE);
 *   init_fail=1  its init fails with -EDOM (the loader's GOING must release it).
 * After it is live, writing these makes it act:
 *   selfwrite=1  write its own text, a const and its __ro_after_init variable
 *                through vmap() aliases: with the lock every write must be discarded
 *                ("sz_lockmod: PASS self_text_write: ...");
 *   flip=1       enable and disable a static key whose jump label is in its own text
 *                (text_poke() patching it), checking the branch each time.
 * Its symbol sz_lockmod_victim is the target sz_lock.ko mod_sym= writes from outside.
 */
#include <linux/io.h>
#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/vmalloc.h>

static DEFINE_STATIC_KEY_FALSE(sz_lockmod_key);
static const u64 sz_lockmod_const = 0x5a5a5a5a5a5a5a5aULL;
static u64 sz_lockmod_rai __ro_after_init = 0x3c3c3c3c3c3c3c3cULL;
static bool init_write;
module_param(init_write, bool, 0444);
static bool init_fail;
module_param(init_fail, bool, 0444);

/* Never called: its bytes are the target of the writes. */
int sz_lockmod_victim(int x);
noinline int sz_lockmod_victim(int x)
{
	return x * 3 + 7;
}
EXPORT_SYMBOL_GPL(sz_lockmod_victim);

static noinline int sz_lockmod_branch(void)
{
	if (static_branch_unlikely(&sz_lockmod_key))
		return 1;
	return 0;
}

static phys_addr_t sz_pa(const void *p)
{
	return page_to_phys(vmalloc_to_page(p)) + offset_in_page(p);
}

/* Write 8 bytes at @p through an alias of its page; PASS if they did not change. */
static void sz_write(const char *name, const void *p, u64 val)
{
	struct page *pg = vmalloc_to_page(p);
	u64 old = READ_ONCE(*(const u64 *)p), now;
	void *alias = vmap(&pg, 1, VM_MAP, PAGE_KERNEL);
	u64 *via;

	if (!alias) {
		pr_info("sz_lockmod: FAIL %s: no alias\n", name);
		return;
	}
	via = (u64 *)((char *)alias + offset_in_page(p));
	WRITE_ONCE(*via, val);
	now = READ_ONCE(*(const u64 *)p);
	if (now != old) {
		WRITE_ONCE(*via, old);
		pr_info("sz_lockmod: FAIL %s: PA %#llx %#llx -> %#llx through the alias: the write went through\n",
			name, (u64)sz_pa(p), old, now);
	} else {
		pr_info("sz_lockmod: PASS %s: write to PA %#llx through an alias discarded, still %#llx\n",
			name, (u64)sz_pa(p), old);
	}
	vunmap(alias);
}

static int sz_selfwrite_set(const char *val, const struct kernel_param *kp)
{
	sz_write("self_text_write", (const void *)sz_lockmod_victim, 0xcccccccccccccccc);
	sz_write("self_rodata_write", &sz_lockmod_const, 0x1111111111111111);
	sz_write("self_ro_after_init_write", &sz_lockmod_rai, 0x2222222222222222);
	return 0;
}

static int sz_flip_set(const char *val, const struct kernel_param *kp)
{
	int on, off;

	static_branch_enable(&sz_lockmod_key);
	on = sz_lockmod_branch();
	static_branch_disable(&sz_lockmod_key);
	off = sz_lockmod_branch();
	pr_info("sz_lockmod: %s static_key_flip: branch %d enabled, %d disabled\n",
		on == 1 && off == 0 ? "PASS" : "FAIL", on, off);
	return 0;
}

static const struct kernel_param_ops sz_selfwrite_ops = { .set = sz_selfwrite_set };
static const struct kernel_param_ops sz_flip_ops = { .set = sz_flip_set };
module_param_cb(selfwrite, &sz_selfwrite_ops, NULL, 0200);
module_param_cb(flip, &sz_flip_ops, NULL, 0200);

static int __init sz_lockmod_init(void)
{
	u64 want = 0x4b4b4b4b4b4b4b4bULL;

	pr_info("sz_lockmod: loaded, text pa %#llx rodata pa %#llx\n",
		(u64)sz_pa((const void *)sz_lockmod_victim), (u64)sz_pa(&sz_lockmod_const));
	if (init_write) {
		/* the module's text and rodata are held from COMING: before this runs */
		sz_write("init_text_write", (const void *)sz_lockmod_victim, 0xcccccccccccccccc);
		sz_write("init_rodata_write", &sz_lockmod_const, 0x1111111111111111);
		/* ro_after_init data is the init's to set: held from LIVE only */
		WRITE_ONCE(sz_lockmod_rai, want);
		pr_info("sz_lockmod: %s init_ro_after_init_set: %#llx\n",
			READ_ONCE(sz_lockmod_rai) == want ? "PASS" : "FAIL",
			READ_ONCE(sz_lockmod_rai));
	}
	if (init_fail) {
		pr_info("sz_lockmod: init fails (init_fail=1)\n");
		return -EDOM;
	}
	return 0;
}

static void __exit sz_lockmod_exit(void)
{
}

module_init(sz_lockmod_init);
module_exit(sz_lockmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("test only: a module whose text the lock holds");
