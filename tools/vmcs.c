// SPDX-License-Identifier: GPL-2.0
/*
 * `subzero vmcs`: each CPU's VMCS as that CPU read it in VMX root, field by field in
 * the six groups of core/vmcs_fields.h, with control words, the exit reason and the
 * VM-instruction error decoded by name.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmcs_check.h"
#include "subzero.h"
#include "vmx_decode.h"
#include "vmcs.h"
#include "exit.h"

static const struct vmcs_field_desc *field_desc(u32 encoding)
{
	size_t i;

	for (i = 0; i < vmcs_nr_fields; i++)
		if (vmcs_field_descs[i].encoding == encoding)
			return &vmcs_field_descs[i];
	return NULL;
}

/* The control word a field holds, or -1. */
static int field_ctl(u32 encoding)
{
	switch (encoding) {
	case PIN_BASED_VM_EXEC_CONTROL:
		return VMX_CTL_PIN;
	case CPU_BASED_VM_EXEC_CONTROL:
		return VMX_CTL_PROC;
	case SECONDARY_VM_EXEC_CONTROL:
		return VMX_CTL_PROC2;
	case VM_EXIT_CONTROLS:
		return VMX_CTL_EXIT;
	case VM_ENTRY_CONTROLS:
		return VMX_CTL_ENTRY;
	default:
		return -1;
	}
}

/* The named bits of a control word, and the set bits without a name (reserved). */
static void print_ctl_bits(int ctl, u64 val)
{
	const struct vmx_ctl_desc *d = &vmx_ctl_descs[ctl];
	u64 unnamed = val & 0xffffffffULL;
	unsigned int bit;
	const char *name;
	char buf[96];

	out_arr("bits", OUT_INLINE);
	for (bit = 0; bit < 32; bit++) {
		if (!(val & (1ULL << bit)) || !(name = vmx_ctl_bit_name(ctl, bit)))
			continue;
		unnamed &= ~(1ULL << bit);
		snprintf(buf, sizeof(buf), "%s%s", d->prefix, name);
		out_str(NULL, buf);
		out_text(" {}");
	}
	out_end();
	out_hex("reserved_bits", unnamed);
	if (unnamed)
		out_text(" (reserved bits {reserved_bits})");
}

static void print_field_decoded(u32 enc, u64 val)
{
	int ctl = field_ctl(enc);
	const char *what = NULL;
	char buf[96];

	if (ctl >= 0) {
		print_ctl_bits(ctl, val);
		return;
	}
	if (enc == VM_EXIT_REASON) {
		snprintf(buf, sizeof(buf), "%s%s", exit_reason_name(val & 0xffff),
			 val & (1ULL << 31) ? " (VM-entry failure)" : "");
		what = buf;
	} else if (enc == VM_INSTRUCTION_ERROR && val) {
		what = vmcs_insn_error_name((u32)val);
	}
	if (!what)
		return;
	out_str("decoded", what);
	out_text(" {decoded}");
}

static int get_vmcs(int fd, unsigned int cpu, struct subzero_vmcs *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->size = sizeof(*vm);
	vm->cpu = cpu;
	return ioctl(fd, SUBZERO_IOC_VMCS, vm) ? -errno : 0;
}

static void print_field(const struct vmcs_field_desc *d, const struct subzero_vmcs_field *f)
{
	bool sup = f->flags & SUBZERO_VMCS_FIELD_SUPPORTED;

	out_obj(d->name, OUT_INLINE);
	out_hex("encoding", f->encoding);
	out_bool("supported", sup);
	out_text("    %-32s ", d->name);
	if (sup) {
		out_hex("value", f->value);
		/* as many hex digits as the field is wide */
		out_text("0x{value:0%dx}", d->width == 16 ? 4 : d->width == 32 ? 8 : 16);
		print_field_decoded(f->encoding, f->value);
		out_text("\n");
	} else {
		out_null("value");
		out_text("(not supported by this CPU)\n");
	}
	out_end();
}

static void print_vmcs(const struct subzero_vmcs *vm, const struct subzero_info *info)
{
	unsigned int g, i, nsup = 0;
	const struct vmcs_field_desc *d;

	for (i = 0; i < vm->nr_fields; i++)
		nsup += !!(vm->fields[i].flags & SUBZERO_VMCS_FIELD_SUPPORTED);
	out_obj(NULL, OUT_LINES);
	out_u64("cpu", vm->cpu);
	out_u64("tsc", vm->tsc);
	out_double("time_s", tsc_seconds(vm->tsc, info), 6);
	out_u64("nr_fields", vm->nr_fields);
	out_u64("nr_supported", nsup);
	out_text("CPU {cpu}: VMCS read in VMX root at {time_s} s (TSC), {nr_supported} of "
		 "{nr_fields} fields supported by this CPU\n");
	out_obj("groups", OUT_LINES);
	for (g = 0; g < VMCS_GROUP_NR; g++) {
		out_obj(vmcs_group_names[g], OUT_LINES);
		out_text("  %s:\n", vmcs_group_names[g]);
		for (i = 0; i < vm->nr_fields && i < SUBZERO_VMCS_MAX_FIELDS; i++) {
			d = field_desc(vm->fields[i].encoding);
			if (d && d->group == g)
				print_field(d, &vm->fields[i]);
		}
		out_end();
	}
	out_end();
	out_end();
}

int cmd_vmcs(int argc, char **argv)
{
	struct subzero_info info;
	struct subzero_vmcs *vm;
	unsigned int cpu, g, shown = 0, broken = 0;
	struct vmx_caps caps;
	struct opts o;
	int fd, ret;

	fd = cmd_start("vmcs", argc, argv, OPT_JSON | OPT_CPU | OPT_CHECK, 0, &o, &info);
	if (fd < 0)
		return o.rc;
	vm = malloc(sizeof(*vm));
	if (!vm) {
		ret = fail(EXIT_FAIL, "vmcs: out of memory");
		goto out;
	}
	out_obj(NULL, OUT_LINES);
	out_u64("abi_version", info.abi_version);
	out_u64("tsc_khz", info.tsc_khz);
	if (!o.check) {
		out_arr("groups", OUT_INLINE);
		for (g = 0; g < VMCS_GROUP_NR; g++)
			out_str(NULL, vmcs_group_names[g]);
		out_end();
	}
	out_arr("cpus", OUT_LINES);
	for (cpu = o.first; cpu < o.end; cpu++) {
		ret = get_vmcs(fd, cpu, vm);
		if (ret == -ENXIO && !o.one) {
			out_text("CPU %u: not virtualized: no VMCS\n", cpu);
			continue;
		}
		if (ret == -ENXIO) {
			ret = fail(EXIT_FAIL, "vmcs: CPU %u is not virtualized (offline, or subzero "
				   "is detached): it has no VMCS", cpu);
			goto out;
		}
		if (ret) {
			ret = fail(EXIT_FAIL, "vmcs: CPU %u: %s", cpu, strerror(-ret));
			goto out;
		}
		if (o.check) {
			/* the VM-entry checks (core/entry_check.c) on the dumped fields */
			ret = get_caps(fd, cpu, &caps);
			if (ret) {
				ret = fail(EXIT_FAIL, "vmcs: CPU %u: no capabilities (%d)", cpu, ret);
				goto out;
			}
			vmcs_check_cpuid(&caps);
			broken += !!vmcs_check_print(vm, &caps, tsc_seconds(vm->tsc, &info));
			shown++;
			continue;
		}
		print_vmcs(vm, &info);
		shown++;
	}
	out_end();
	out_end();
	ret = shown ? EXIT_OK : fail(EXIT_FAIL, "vmcs: no CPU is virtualized (is subzero "
				     "detached?)");
	if (!ret && broken)
		ret = EXIT_FAIL;	/* --check: some VMCS breaks a VM-entry rule */
out:
	free(vm);
	close(fd);
	return ret;
}
