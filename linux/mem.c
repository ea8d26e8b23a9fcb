// SPDX-License-Identifier: GPL-2.0
/*
 * subzero: the hypervisor's memory, set up at load before any CPU is virtualized and
 * freed at unload after every CPU has left VMX.  The module's own code and data as
 * root sees them (sealed text, core/seal.h), the RAM map, whether and how far to map
 * EPT (core/ decides: ept_usable(), ept_map_covers()), and every possible CPU's state
 * with the hypervisor's pages hidden from every guest (core/private.h).  main.c calls
 * these in that order.
 */
#define pr_fmt(fmt) "subzero: " fmt

#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/static_call.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "../core/os.h"
#include "../core/private.h"
#include "../core/seal.h"
#include "os_linux.h"
#include "sz.h"

/* The end of the highest RAM or MMIO range the kernel knows (for ept_map_covers()). */
static u64 sz_mem_end(void)
{
	struct resource *r;
	u64 end = 0;

	for (r = iomem_resource.child; r; r = r->sibling)
		end = max_t(u64, end, r->end + 1);
	return end;
}

/*
 * The RAM map root checks watched pages against (never MMIO): "System RAM" as the
 * kernel has it now.  Memory added later is not in it, and cannot be watched.
 */
int sz_ram_setup(void)
{
	static struct ram_map map;
	struct resource *r;
	int ret;

	/* walk_system_ram_res() is not exported: the top level of iomem, as above. */
	memset(&map, 0, sizeof(map));
	for (r = iomem_resource.child; r; r = r->sibling) {
		if ((r->flags & IORESOURCE_SYSTEM_RAM) != IORESOURCE_SYSTEM_RAM)
			continue;
		ret = ram_map_add(&map, r->start, r->end + 1);
		if (ret) {
			pr_err("the RAM map has more than %u ranges\n", RAM_MAP_MAX);
			return ret;
		}
	}
	vmx_ram_map_setup(&map);
	return 0;
}

/*
 * The module's own code and read-only data (its core layout: the init sections are
 * freed after load and issue no hypercall): policy hypercalls are accepted only from
 * this code, and every EPT maps it read/execute-only (core/seal.h).  The kernel wrote
 * it for the last time before init (relocations, alternatives, jump labels); it is
 * freed at unload, after every CPU has left VMX.
 */
/* core/arch/root_text.S, root_text_end.S: root's code, page aligned, linked last */
extern const char sz_root_text_start[], sz_root_text_end[];

/*
 * The kernel patches the module's jump labels (pr_debug, tracepoints) and static calls
 * after load; one inside root's sealed code would make text_poke() BUG.  Link order
 * keeps them out (core/ has none); this says so at load if that ever changes.
 */
static int sz_root_text_unpatched(void)
{
	unsigned long lo = (unsigned long)sz_root_text_start;
	unsigned long hi = (unsigned long)sz_root_text_end;
	unsigned long a;
	unsigned int i;

#ifdef CONFIG_JUMP_LABEL
	for (i = 0; i < THIS_MODULE->num_jump_entries; i++) {
		a = jump_entry_code(&THIS_MODULE->jump_entries[i]);
		if (a >= lo && a < hi)
			goto bad;
	}
#endif
#ifdef CONFIG_HAVE_STATIC_CALL_INLINE
	for (i = 0; i < THIS_MODULE->num_static_call_sites; i++) {
		const struct static_call_site *site = &THIS_MODULE->static_call_sites[i];

		a = (unsigned long)&site->addr + site->addr;
		if (a >= lo && a < hi)
			goto bad;
	}
#endif
	return 0;
bad:
	pr_err("a patch site (jump label or static call) at %pS lies in root's sealed code\n",
	       (void *)a);
	return -EINVAL;
}

/*
 * The module's memory as struct seal_text describes it: code, read-only data (apart
 * from the code from Linux 6.4, in THIS_MODULE->mem[]; right after it before) and
 * the writable data and bss.
 */
struct sz_module_mem {
	unsigned long text, text_size, ro, ro_size, data, data_size;
};

static void sz_module_mem(struct sz_module_mem *m)
{
#ifdef for_each_mod_mem_type	/* 6.4 and later: struct module_memory */
	const struct module_memory *mem = THIS_MODULE->mem;

	m->text = (unsigned long)mem[MOD_TEXT].base;
	m->text_size = PAGE_ALIGN(mem[MOD_TEXT].size);
	m->ro = (unsigned long)mem[MOD_RODATA].base;
	m->ro_size = mem[MOD_RODATA].size;
	m->data = (unsigned long)mem[MOD_DATA].base;
	m->data_size = mem[MOD_DATA].size;
#else
	/* one allocation: code, read-only data, read-only after init, data and bss */
	const struct module_layout *l = &THIS_MODULE->core_layout;

	m->text = (unsigned long)l->base;
	m->text_size = l->text_size;
	m->ro = 0;			/* follows the code */
	m->ro_size = l->ro_size - l->text_size;
	m->data = m->text + PAGE_ALIGN(l->ro_size);
	m->data_size = PAGE_ALIGN(l->size) - PAGE_ALIGN(l->ro_size);
#endif
}

/* Physical addresses of the @nr pages from @va, into @pa. */
static int sz_module_pages(unsigned long va, unsigned int nr, u64 *pa)
{
	struct page *pg;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		pg = vmalloc_to_page((void *)(va + i * PAGE_SIZE));
		if (!pg)
			return -EFAULT;
		pa[i] = page_to_phys(pg);
	}
	return 0;
}

int sz_text_setup(void)
{
	static struct seal_text t;
	struct sz_module_mem m;
	unsigned int code;
	int ret;

	sz_module_mem(&m);
	memset(&t, 0, sizeof(t));
	t.text_start = m.text;
	t.text_end = m.text + m.text_size;
	t.root_start = (unsigned long)sz_root_text_start;
	t.root_end = (unsigned long)sz_root_text_end;
	if (sz_root_text_unpatched())
		return -EINVAL;
	t.ro_start = m.ro;
	t.ro_end = (m.ro ? m.ro : t.text_end) + m.ro_size;
	code = DIV_ROUND_UP(m.text_size, PAGE_SIZE);
	t.nr = m.ro ? code + DIV_ROUND_UP(m.ro_size, PAGE_SIZE) :
		      DIV_ROUND_UP(t.ro_end - t.text_start, PAGE_SIZE);
	if (t.nr > SEAL_TEXT_PAGES) {
		pr_err("the module's text is %u pages, more than %u\n", t.nr, SEAL_TEXT_PAGES);
		return -E2BIG;
	}
	if (m.ro)
		ret = sz_module_pages(m.text, code, t.pa) ?:
		      sz_module_pages(m.ro, t.nr - code, t.pa + code);
	else
		ret = sz_module_pages(m.text, t.nr, t.pa);
	if (ret)
		return ret;
	/* the writable rest (before 6.4 also read-only-after-init data): root's data */
	t.data_start = m.data;
	t.data_nr = PAGE_ALIGN(m.data_size) / PAGE_SIZE;
	if (t.data_nr > SEAL_DATA_PAGES) {
		pr_err("the module's data is %u pages, more than %u\n", t.data_nr,
		       SEAL_DATA_PAGES);
		return -E2BIG;
	}
	ret = sz_module_pages(t.data_start, t.data_nr, t.data_pa);
	return ret ?: vmx_text_setup(&t);
}

int sz_ept_setup(const struct vmx_caps *config)
{
	struct mtrr_state m;
	const char *missing = NULL;
	u64 end, limit;
	int ret;

	if (!ept_usable(config, &missing)) {
		pr_info("EPT: the CPU lacks %s: running without EPT (no watch or protect)\n",
			missing);
		return 0;
	}
	ret = mtrr_read(&m);
	if (ret) {
		pr_err("EPT: cannot read the MTRRs: %d\n", ret);
		return ret;
	}
	end = sz_mem_end();
	if (!ept_map_covers(config, m.phys_bits, end, &limit)) {
		pr_info("EPT: memory or MMIO up to %#llx, beyond what this CPU's EPT maps (%#llx, no 5-level walk): running without EPT (no watch or protect)\n", end, limit);
		return 0;
	}
	vmx_ept_setup(&m, limit);
	return 0;
}

void sz_free_all(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		if (!sz_mem[cpu])
			continue;
		vmx_vcpu_free(sz_mem[cpu]);
		vmx_vcpu_delete(sz_mem[cpu]);
		sz_mem[cpu] = NULL;
	}
}

/*
 * Every possible CPU's state, and then, in every CPU's EPT, every page only the
 * hypervisor may touch mapped away (core/private.h says which).
 */
int sz_alloc_all(const struct vmx_caps *config, u64 msr_bitmap_pa)
{
	unsigned int cpu;
	struct vcpu *v;
	int ret;

	for_each_possible_cpu(cpu) {
		v = vmx_vcpu_new();	/* in pages: core/seal.h classifies each */
		if (!v) {
			ret = -ENOMEM;
			goto err;
		}
		ret = vmx_vcpu_alloc(v, cpu, config, msr_bitmap_pa);
		if (ret) {
			vmx_vcpu_delete(v);
			goto err;
		}
		sz_mem[cpu] = v;
	}
	ret = vmx_hide_private(sz_mem, nr_cpu_ids);
	if (ret) {
		pr_err("EPT: hiding the hypervisor's pages failed: %d\n", ret);
		goto err;
	}
	/* after hiding, which grows the EPT pools: what each CPU's hypervisor owns */
	for_each_possible_cpu(cpu) {
		unsigned int pages[MEM_CLASSES];

		seal_count(sz_mem[cpu], pages);
		pr_info("CPU %u: hypervisor memory: %u pages hidden, %u guest read-only, %u guest read-write\n",
			cpu, pages[MEM_HIDDEN], pages[MEM_GUEST_RO], pages[MEM_GUEST_RW]);
	}
	return 0;

err:
	sz_free_all();
	return ret;
}
