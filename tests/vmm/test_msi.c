/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Virtual MSI: the capability in its four layouts, multiple messages,
 * per-vector masking and pending bits, driven like Linux's
 * msi_capability_init() and a guest that writes garbage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void cfgw(struct msidom_vmm_fn *fn, uint32_t off, uint32_t size, uint32_t v)
{
	assert_int_equal(msidom_vmm_cfg_write(fn, off, size, v), 0);
}

static uint32_t cfgr(struct msidom_vmm_fn *fn, uint32_t off, uint32_t size)
{
	uint32_t v = 0xdead;

	assert_int_equal(msidom_vmm_cfg_read(fn, off, size, &v), 0);
	return v;
}

static void test_layouts(void **state)
{
	struct vfx *t = *state;
	static const struct {
		bool is64, maskable;
		uint32_t size, data_at, mask_at;
	} lay[] = {
		{ false, false, 10, 8, 0 },
		{ true, false, 14, 12, 0 },
		{ false, true, 20, 8, 12 },
		{ true, true, 24, 12, 16 },
	};

	for (unsigned int l = 0; l < 4; l++) {
		struct msidom_vmm_fn *fn = mk_msi(t->ctx, &t->r, 4, lay[l].is64, lay[l].maskable);
		uint32_t ctrl =
			2u << 1 | (lay[l].is64 ? 1u << 7 : 0) | (lay[l].maskable ? 1u << 8 : 0);
		uint32_t v;

		assert_int_equal(msidom_vmm_cfg_size(fn), lay[l].size);
		assert_int_equal(cfgr(fn, 0, 4), 0x05u | ctrl << 16);
		cfgw(fn, 4, 4, 0xfee01003u);
		assert_int_equal(cfgr(fn, 4, 4), 0xfee01000u); /* bits 1:0 read 0 */
		cfgw(fn, lay[l].data_at, 2, 0x4041);
		assert_int_equal(cfgr(fn, lay[l].data_at, 2), 0x4041);
		if (lay[l].data_at + 4 <= lay[l].size) {
			/* Extended message data is not offered: upper half reads 0. */
			cfgw(fn, lay[l].data_at, 4, 0xffff4041u);
			assert_int_equal(cfgr(fn, lay[l].data_at, 4), 0x4041);
		}
		if (lay[l].is64) {
			cfgw(fn, 8, 4, 0x12);
			assert_int_equal(cfgr(fn, 8, 4), 0x12);
		}
		if (lay[l].maskable) {
			cfgw(fn, lay[l].mask_at, 4, 0xffffffffu);
			assert_int_equal(cfgr(fn, lay[l].mask_at, 4), 0xf); /* 4 vectors */
			cfgw(fn, lay[l].mask_at + 4, 4, 0xffffffffu);       /* pending: RO */
			assert_int_equal(cfgr(fn, lay[l].mask_at + 4, 4), 0);
		}
		/* Past the end of this layout: refused, reads 0. */
		assert_int_equal(msidom_vmm_cfg_read(fn, lay[l].size, 2, &v), -MSIDOM_EINVAL);
		assert_int_equal(v, 0);
		/* MSI functions have no table. */
		assert_int_equal(msidom_vmm_table_size(fn), 0);
		assert_int_equal(msidom_vmm_pba_size(fn), 0);
		assert_int_equal(msidom_vmm_table_write(fn, 0, 4, 0), -MSIDOM_EINVAL);
		msidom_vmm_fn_destroy(fn);
	}
}

/* Linux msi_capability_init(): mask all, write message, MME, enable. */
static void test_linux_multi_message(void **state)
{
	struct vfx *t = *state;
	struct msidom_vmm_fn *fn = mk_msi(t->ctx, &t->r, 8, true, true);
	struct msidom_vmm_stats st = { .sz = sizeof(struct msidom_vmm_stats) };
	uint32_t ctrl;

	cfgw(fn, 16, 4, 0xff);
	cfgw(fn, 4, 4, 0xfee02000u);
	cfgw(fn, 8, 4, 0);
	cfgw(fn, 12, 2, 0x4060);
	/* MME is 0: only message 0 exists (address low, then data changed). */
	assert_int_equal(t->r.nroutes, 2);
	assert_true(t->r.gsi[0].masked);
	assert_int_equal(t->r.gsi[1].msg.data, 0);
	ctrl = cfgr(fn, 2, 2);
	assert_int_equal((ctrl >> 1) & 7, 3); /* 8 capable */
	/* Ask for 16: clamped to the 8 the function offers. */
	cfgw(fn, 2, 2, (ctrl & ~0x70u) | 4u << 4 | 1u);
	assert_int_equal((cfgr(fn, 2, 2) >> 4) & 7, 3);
	assert_int_equal(msidom_vmm_get_stats(fn, &st), 0);
	assert_true(st.enabled);
	assert_int_equal(st.msi_enabled_vectors, 8);
	assert_int_equal(t->r.nroutes, 2 + 7); /* messages 1..7 appear, all masked */
	for (uint32_t i = 0; i < 8; i++) {
		assert_true(t->r.gsi[i].masked);
		assert_int_equal(t->r.gsi[i].msg.address_lo, 0xfee02000u);
		assert_int_equal(t->r.gsi[i].msg.data, 0x4060u | i);
	}
	rec_clear(&t->r);
	/* Per-vector unmask (pci_msi_unmask: a dword write of the mask bits). */
	for (uint32_t i = 0; i < 8; i++) {
		cfgw(fn, 16, 4, 0xffu & ~((2u << i) - 1u));
		assert_int_equal(t->r.nroutes, i + 1);
		assert_false(t->r.gsi[i].masked);
	}
	/* A masked message fires: pending bit, then one delivery on unmask. */
	cfgw(fn, 16, 1, 1u << 5);
	assert_int_equal(msidom_vmm_fire(fn, 5), 0);
	assert_int_equal(cfgr(fn, 20, 4), 1u << 5);
	assert_int_equal(msidom_vmm_fire(fn, 4), 1);
	assert_int_equal(t->r.delivered[0].msg.data, 0x4064u);
	cfgw(fn, 16, 1, 0);
	assert_int_equal(t->r.ndelivered, 2);
	assert_int_equal(t->r.delivered[1].vector, 5);
	assert_int_equal(t->r.delivered[1].msg.data, 0x4065u);
	assert_int_equal(cfgr(fn, 20, 4), 0);

	/* Fewer messages: the dropped ones lose their route. */
	rec_clear(&t->r);
	cfgw(fn, 2, 2, (cfgr(fn, 2, 2) & ~0x70u) | 1u << 4);
	assert_int_equal(t->r.nroutes, 6); /* 0 and 1 keep their data; 2..7 go away */
	assert_int_equal(t->r.gsi[1].msg.data, 0x4061u);
	assert_false(t->r.gsi[1].masked);
	assert_true(t->r.gsi[7].masked);
	assert_int_equal(t->r.gsi[7].msg.data, 0);
	assert_int_equal(msidom_vmm_fire(fn, 7), 0);
	/* Disable and enable with all 8 again: 7's pending is delivered. */
	cfgw(fn, 2, 1, (uint8_t)cfgr(fn, 2, 1) & ~1u);
	assert_int_equal(msidom_vmm_fire(fn, 0), 0);
	rec_clear(&t->r);
	cfgw(fn, 2, 2, (cfgr(fn, 2, 2) & ~0x70u) | 3u << 4 | 1u);
	assert_int_equal(t->r.ndelivered, 2);
	assert_int_equal(t->r.per_vec_deliveries[0], 1);
	assert_int_equal(t->r.per_vec_deliveries[7], 1);
	msidom_vmm_fn_destroy(fn);
}

/* Single message, no masking: the simplest device (like edu). */
static void test_single_message(void **state)
{
	struct vfx *t = *state;
	struct msidom_vmm_fn *fn = mk_msi(t->ctx, &t->r, 1, false, false);
	uint32_t v;

	cfgw(fn, 4, 4, 0xfee00000u);
	cfgw(fn, 8, 2, 0x4021);
	assert_int_equal(msidom_vmm_cfg_read(fn, 10, 2, &v), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_fire(fn, 0), 0);
	cfgw(fn, 2, 2, 1);
	assert_int_equal(t->r.ndelivered, 1);
	assert_int_equal(t->r.delivered[0].msg.data, 0x4021);
	assert_int_equal(msidom_vmm_fire(fn, 0), 1);
	/* Rewriting the message while enabled re-routes once. */
	rec_clear(&t->r);
	cfgw(fn, 8, 2, 0x4022);
	cfgw(fn, 8, 2, 0x4022);
	assert_int_equal(t->r.nroutes, 1);
	/* The data register is the last 2 bytes of this layout. */
	assert_int_equal(msidom_vmm_cfg_write(fn, 8, 4, 0xffff4023u), -MSIDOM_EINVAL);
	assert_int_equal(cfgr(fn, 8, 2), 0x4022);
	msidom_vmm_fn_destroy(fn);
}

static void test_garbage(void **state)
{
	struct vfx *t = *state;
	struct msidom_vmm_fn *fn = mk_msi(t->ctx, &t->r, 32, true, true);
	uint32_t x = 99, v, bad = 0;
	struct msidom_vmm_stats st = { .sz = sizeof(struct msidom_vmm_stats) };

	for (int round = 0; round < 4; round++) {
		for (uint32_t off = 0; off < 40; off++) {
			for (uint32_t size = 0; size <= 8; size++) {
				bool ok = (size == 1 || size == 2 || size == 4) &&
					  off % size == 0 && off + size <= 24;

				x = x * 1103515245u + 12345u;
				assert_int_equal(msidom_vmm_cfg_write(fn, off, size, x),
						 ok ? 0 : -MSIDOM_EINVAL);
				assert_int_equal(msidom_vmm_cfg_read(fn, off, size, &v),
						 ok ? 0 : -MSIDOM_EINVAL);
				bad += ok ? 0 : 2;
				if (!ok)
					assert_int_equal(v, 0);
			}
			for (uint32_t i = 0; i < 32; i += 7)
				msidom_vmm_fire(fn, i);
		}
	}
	assert_int_equal(msidom_vmm_get_stats(fn, &st), 0);
	assert_int_equal(st.bad_accesses, bad);
	/* RO fields survived. */
	assert_int_equal(cfgr(fn, 0, 1), 0x05);
	assert_int_equal((cfgr(fn, 2, 2) >> 1) & 7, 5);
	assert_int_equal(cfgr(fn, 2, 2) & 0x180, 0x180);
	/* Every delivery went to a vector the VMM had live. */
	assert_int_equal(t->r.bad_callbacks, 0);
	msidom_vmm_fn_destroy(fn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layouts, vfx_setup, vfx_teardown),
		cmocka_unit_test_setup_teardown(test_linux_multi_message, vfx_setup, vfx_teardown),
		cmocka_unit_test_setup_teardown(test_single_message, vfx_setup, vfx_teardown),
		cmocka_unit_test_setup_teardown(test_garbage, vfx_setup, vfx_teardown),
	};

	return cmocka_run_group_tests_name("vmm-msi", tests, NULL, NULL);
}
