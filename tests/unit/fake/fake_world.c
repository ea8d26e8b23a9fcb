// SPDX-License-Identifier: GPL-2.0
/* The shared fixture of fake_world.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "fake_world.h"
#include "fake_cpu.h"
#include "fake_os.h"
#include "mtrr.h"
#include "private.h"
#include "vmx.h"

void fake_world_cpu(struct vmx_caps *caps)
{
	static void *arena;

	fake_cpu_load(&fake_haswell);
	fake_os_fail_alloc_after(-1);
	vmx_caps_read(caps);
	if (!arena) {
		arena = mmap((void *)FAKE_ARENA, FAKE_ARENA_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		assert_ptr_equal(arena, (void *)FAKE_ARENA);
	}
	memset(arena, 0, FAKE_ARENA_SIZE);
	fake_os_page_arena(arena, FAKE_ARENA_SIZE);
}

void fake_world_ept(struct vmx_caps *caps)
{
	static struct ram_map ram;
	struct mtrr_state m;

	fake_world_cpu(caps);
	assert_int_equal(mtrr_read(&m), 0);
	vmx_ept_setup(&m, 1ULL << 39);
	memset(&ram, 0, sizeof(ram));
	assert_int_equal(ram_map_add(&ram, 0, 1ULL << 32), 0);
	vmx_ram_map_setup(&ram);
}
