/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Virtual MSI-X: capability, table and PBA emulation driven by guest
 * access sequences shaped like real drivers', with emulated backings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void test_create_args(void **state)
{
	struct vfx *t = *state;
	MSIDOM_OPTS(msidom_vmm_config, cfg, .type = MSIDOM_VMM_MSIX, .nvec = 8);
	struct msidom_vmm_fn *fn = NULL;
	unsigned int errors = t->h.nerr;

	assert_int_equal(msidom_vmm_fn_create(NULL, &cfg, &fn), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_fn_create(t->ctx, NULL, &fn), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_fn_create(t->ctx, &cfg, NULL), -MSIDOM_EINVAL);
	cfg.nvec = 0;
	assert_int_equal(msidom_vmm_fn_create(t->ctx, &cfg, &fn), -MSIDOM_EINVAL);
	cfg.nvec = MSIDOM_VMM_MSIX_MAX + 1;
	assert_int_equal(msidom_vmm_fn_create(t->ctx, &cfg, &fn), -MSIDOM_EINVAL);
	cfg.type = MSIDOM_VMM_MSI;
	cfg.nvec = 3;
	assert_int_equal(msidom_vmm_fn_create(t->ctx, &cfg, &fn), -MSIDOM_EINVAL);
	cfg.nvec = 64;
	assert_int_equal(msidom_vmm_fn_create(t->ctx, &cfg, &fn), -MSIDOM_EINVAL);
	cfg.type = (enum msidom_vmm_type)7;
	cfg.nvec = 1;
	assert_int_equal(msidom_vmm_fn_create(t->ctx, &cfg, &fn), -MSIDOM_EINVAL);
	assert_null(fn);
	/* Every refusal says why. */
	assert_true(t->h.nerr >= errors + 6);
	assert_int_equal(msidom_ctx_mem_bytes(t->ctx), t->mem0);

	/* Out of memory at each allocation: clean failure, nothing leaked. */
	cfg.type = MSIDOM_VMM_MSIX;
	cfg.nvec = 2048;
	for (long n = 1; n <= 2; n++) {
		t->h.fail_at = n;
		assert_int_equal(msidom_vmm_fn_create(t->ctx, &cfg, &fn), -MSIDOM_ENOMEM);
		assert_int_equal(msidom_ctx_mem_bytes(t->ctx), t->mem0);
	}
	t->h.fail_at = 0;
	assert_int_equal(msidom_vmm_fn_create(t->ctx, &cfg, &fn), 0);
	assert_int_equal(msidom_vmm_table_size(fn), 2048 * 16);
	assert_int_equal(msidom_vmm_pba_size(fn), 256);
	msidom_vmm_fn_destroy(fn);
	msidom_vmm_fn_destroy(NULL);
	assert_int_equal(msidom_ctx_mem_bytes(t->ctx), t->mem0);
}

static void test_capability(void **state)
{
	struct vfx *t = *state;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, 5, 0, 0);
	struct msidom_vmm_stats st = { .sz = sizeof(struct msidom_vmm_stats) };
	uint32_t v;

	assert_int_equal(msidom_vmm_cfg_size(fn), 12);
	/* id 0x11, next 0x70, table size 5 - 1, disabled. */
	assert_int_equal(g_cfg32(fn, 0), 0x11u | 0x70u << 8 | 4u << 16);
	assert_int_equal(g_cfg32(fn, 4), 0x2003u);
	assert_int_equal(g_cfg32(fn, 8), 0x3003u);
	assert_int_equal(msidom_vmm_cfg_read(fn, 1, 1, &v), 0);
	assert_int_equal(v, 0x70);
	assert_int_equal(msidom_vmm_cfg_read(fn, 2, 2, &v), 0);
	assert_int_equal(v, 4);

	/* Read-only fields keep their value whatever the guest writes. */
	assert_int_equal(msidom_vmm_cfg_write(fn, 0, 4, 0x3fff0000u | 0xffffu), 0);
	assert_int_equal(msidom_vmm_cfg_write(fn, 4, 4, 0), 0);
	assert_int_equal(msidom_vmm_cfg_write(fn, 8, 4, 0xffffffffu), 0);
	assert_int_equal(g_cfg32(fn, 0), 0x11u | 0x70u << 8 | 4u << 16);
	assert_int_equal(g_cfg32(fn, 4), 0x2003u);
	assert_int_equal(g_cfg32(fn, 8), 0x3003u);

	/* Enable and function mask through the top byte alone. */
	assert_int_equal(msidom_vmm_cfg_write(fn, 3, 1, 0xc0), 0);
	assert_int_equal(g_cfg32(fn, 0) >> 16, 0xc004u);
	assert_int_equal(msidom_vmm_cfg_write(fn, 2, 1, 0x00), 0); /* RO byte */
	assert_int_equal(g_cfg32(fn, 0) >> 16, 0xc004u);
	g_msix_ctrl(fn, false, false);
	assert_int_equal(g_cfg32(fn, 0) >> 16, 0x0004u);

	/* Refused: past the capability, misaligned, odd sizes. */
	assert_int_equal(msidom_vmm_cfg_read(fn, 12, 4, &v), -MSIDOM_EINVAL);
	assert_int_equal(v, 0);
	assert_int_equal(msidom_vmm_cfg_read(fn, 2, 4, &v), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_cfg_read(fn, 1, 2, &v), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_cfg_read(fn, 0, 3, &v), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_cfg_write(fn, 3, 2, 0xffff), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_cfg_write(fn, 0xffffffffu, 4, 0xffff), -MSIDOM_EINVAL);
	assert_int_equal(g_cfg32(fn, 0) >> 16, 0x0004u);
	assert_int_equal(msidom_vmm_get_stats(fn, &st), 0);
	assert_int_equal(st.bad_accesses, 6);
	assert_int_equal(t->r.nroutes, 0);
	msidom_vmm_fn_destroy(fn);
}

/* Linux: enable + function mask, mask all, program, unmask function, then entries. */
static void test_linux_sequence(void **state)
{
	struct vfx *t = *state;
	const uint32_t n = 4;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, n, 0, 0);
	struct msidom_vmm_vector_info info = { .sz = sizeof(struct msidom_vmm_vector_info) };

	g_msix_ctrl(fn, true, true);
	for (uint32_t i = 0; i < n; i++)
		g_mask(fn, i, true);
	/* Masking masked entries and enabling under function mask: no route change. */
	assert_int_equal(t->r.nroutes, 0);

	for (uint32_t i = 0; i < n; i++)
		g_entry(fn, i, T_ADDR(i), T_DATA(i));
	/* Address low, address high (0: no change), data: two changes each. */
	assert_int_equal(t->r.nroutes, 2 * n);
	for (uint32_t i = 0; i < n; i++) {
		assert_true(t->r.gsi[i].masked);
		assert_int_equal(t->r.gsi[i].msg.address_lo, (uint32_t)T_ADDR(i));
		assert_int_equal(t->r.gsi[i].msg.data, T_DATA(i));
		assert_int_equal(t->r.gsi[i].backing, MSIDOM_VMM_BACKING_EMULATED);
		assert_int_equal(t->r.gsi[i].host_fd, -1);
	}
	/* Programming the same again changes nothing, so calls nothing. */
	rec_clear(&t->r);
	for (uint32_t i = 0; i < n; i++)
		g_entry(fn, i, T_ADDR(i), T_DATA(i));
	g_msix_ctrl(fn, true, true);
	assert_int_equal(t->r.nroutes, 0);

	g_msix_ctrl(fn, true, false);
	assert_int_equal(t->r.nroutes, 0); /* every entry still masked */
	for (uint32_t i = 0; i < n; i++) {
		g_mask(fn, i, false);
		assert_int_equal(t->r.nroutes, i + 1);
		assert_false(t->r.routes[i].masked);
		assert_int_equal(t->r.routes[i].vector, i);
		/* Unmasking again: nothing. */
		g_mask(fn, i, false);
		assert_int_equal(t->r.nroutes, i + 1);
	}
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(msidom_vmm_fire(fn, i), 1);
		assert_int_equal(t->r.delivered[i].vector, i);
		assert_int_equal(t->r.delivered[i].msg.data, T_DATA(i));
		assert_int_equal(t->r.delivered[i].msg.address_lo, (uint32_t)T_ADDR(i));
	}
	assert_int_equal(msidom_vmm_get_vector_info(fn, 2, &info), 0);
	assert_false(info.route.masked);
	assert_false(info.guest_masked);
	assert_false(info.pending);
	assert_int_equal(msidom_vmm_get_vector_info(fn, n, &info), -MSIDOM_ERANGE);
	assert_int_equal(msidom_vmm_fire(fn, n), -MSIDOM_ERANGE);
	assert_int_equal(msidom_vmm_fire(NULL, 0), -MSIDOM_EINVAL);

	/* Table reads give back what was written; reserved bits read 0. */
	assert_int_equal(g_table32(fn, 16 * 3 + 0), (uint32_t)T_ADDR(3));
	assert_int_equal(g_table32(fn, 16 * 3 + 8), T_DATA(3));
	assert_int_equal(msidom_vmm_table_write(fn, 16 * 3 + 12, 4, 0xfffffffe), 0);
	assert_int_equal(g_table32(fn, 16 * 3 + 12), 0);
	msidom_vmm_fn_destroy(fn);
}

/* A driver that programs before it enables: mask all, program, enable, unmask one by one. */
static void test_program_then_enable(void **state)
{
	struct vfx *t = *state;
	const uint32_t n = 3;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, n, 0, 0);

	for (uint32_t i = 0; i < n; i++)
		g_mask(fn, i, true);
	for (uint32_t i = 0; i < n; i++)
		g_entry(fn, i, T_ADDR(i), T_DATA(i));
	/* An interrupt before enable is held, not lost and not delivered. */
	assert_int_equal(msidom_vmm_fire(fn, 1), 0);
	assert_true(g_pba(fn, 1));
	g_msix_ctrl(fn, true, false);
	assert_int_equal(t->r.ndelivered, 0);
	rec_clear(&t->r);
	g_mask(fn, 0, false);
	g_mask(fn, 1, false);
	assert_int_equal(t->r.nroutes, 2);
	/* Vector 1's pending bit is delivered once, after its route went live. */
	assert_int_equal(t->r.ndelivered, 1);
	assert_int_equal(t->r.delivered[0].vector, 1);
	assert_false(g_pba(fn, 1));
	g_mask(fn, 1, true);
	g_mask(fn, 1, false);
	assert_int_equal(t->r.ndelivered, 1);
	msidom_vmm_fn_destroy(fn);
}

/* 8-byte accesses: one access, one change, one callback. */
static void test_qword_access(void **state)
{
	struct vfx *t = *state;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, 2, 0, 0);
	uint64_t v;

	g_msix_ctrl(fn, true, false);
	assert_int_equal(msidom_vmm_table_write(fn, 16, 8, 0x00000001fee01000ull), 0);
	assert_int_equal(t->r.nroutes, 1);
	assert_int_equal(t->r.gsi[1].msg.address_hi, 1);
	/* Data and unmask in a single write. */
	assert_int_equal(msidom_vmm_table_write(fn, 24, 8, 0x0000000000004055ull), 0);
	assert_int_equal(t->r.nroutes, 2);
	assert_false(t->r.gsi[1].masked);
	assert_int_equal(t->r.gsi[1].msg.data, 0x4055);
	assert_int_equal(msidom_vmm_table_read(fn, 16, 8, &v), 0);
	assert_int_equal(v, 0x00000001fee01000ull);
	assert_int_equal(msidom_vmm_table_read(fn, 24, 8, &v), 0);
	assert_int_equal(v, 0x4055);
	assert_int_equal(msidom_vmm_table_read(fn, 0, 8, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(msidom_vmm_table_read(fn, 8, 8, &v), 0);
	assert_int_equal(v, 1ull << 32); /* entry 0 still masked */
	msidom_vmm_fn_destroy(fn);
}

/* Pending bits: set when a masked vector fires, delivered once on unmask. */
static void test_pending(void **state)
{
	struct vfx *t = *state;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, 70, 0, 0);
	struct msidom_vmm_stats st = { .sz = sizeof(struct msidom_vmm_stats) };
	uint64_t v;

	g_linux_msix_setup(fn, 70);
	rec_clear(&t->r);
	assert_int_equal(msidom_vmm_fire(fn, 65), 0);
	assert_int_equal(msidom_vmm_fire(fn, 65), 0);
	assert_int_equal(msidom_vmm_fire(fn, 3), 0);
	assert_int_equal(t->r.ndelivered, 0);
	assert_int_equal(msidom_vmm_pba_read(fn, 0, 8, &v), 0);
	assert_int_equal(v, 1ull << 3);
	assert_int_equal(msidom_vmm_pba_read(fn, 8, 4, &v), 0);
	assert_int_equal(v, 1ull << 1);
	assert_int_equal(msidom_vmm_pba_read(fn, 12, 4, &v), 0);
	assert_int_equal(v, 0);
	/* The PBA is read-only. */
	assert_int_equal(msidom_vmm_pba_write(fn, 0, 8, 0), 0);
	assert_true(g_pba(fn, 3));
	/* PBA bounds: 70 vectors -> 16 bytes. */
	assert_int_equal(msidom_vmm_pba_read(fn, 16, 4, &v), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_pba_write(fn, 16, 4, 0), -MSIDOM_EINVAL);

	g_mask(fn, 65, false);
	assert_int_equal(t->r.ndelivered, 1); /* two fires, one latch, one delivery */
	assert_int_equal(t->r.delivered[0].vector, 65);
	assert_false(g_pba(fn, 65));
	assert_true(g_pba(fn, 3));
	assert_int_equal(msidom_vmm_fire(fn, 65), 1);
	assert_int_equal(t->r.ndelivered, 2);
	assert_int_equal(msidom_vmm_get_stats(fn, &st), 0);
	assert_int_equal(st.latched, 3);
	assert_int_equal(st.delivered, 2);
	msidom_vmm_fn_destroy(fn);
}

/*
 * No lost interrupts: for each step of a long guest sequence of disable,
 * enable, function mask and entry mask, fire at that step and check the
 * interrupt is delivered exactly once by the time the vector is live.
 */
enum step { S_EN, S_DIS, S_FM, S_FU, S_M, S_U, S_ENFM, S_NSTEPS };

static void apply(struct msidom_vmm_fn *fn, enum step s)
{
	switch (s) {
	case S_EN: g_msix_ctrl(fn, true, false); break;
	case S_DIS: g_msix_ctrl(fn, false, false); break;
	case S_FM: g_msix_ctrl(fn, true, true); break;
	case S_FU: g_msix_ctrl(fn, true, false); break;
	case S_M: g_mask(fn, 0, true); break;
	case S_U: g_mask(fn, 0, false); break;
	case S_ENFM: g_msix_ctrl(fn, true, true); break;
	case S_NSTEPS: break;
	}
}

static void test_no_lost_interrupts(void **state)
{
	struct vfx *t = *state;
	static const enum step seq[] = { S_EN,  S_U,  S_FM, S_DIS, S_ENFM, S_FU, S_M,
					 S_DIS, S_EN, S_FM, S_U,   S_FU,   S_M,  S_U,
					 S_DIS, S_M,  S_EN, S_FM,  S_U,    S_FU };
	const unsigned int nseq = sizeof(seq) / sizeof(seq[0]);

	for (unsigned int at = 0; at <= nseq; at++) {
		struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, 1, 0, 0);
		struct msidom_vmm_vector_info info = { .sz = sizeof(
							       struct msidom_vmm_vector_info) };
		bool fired_live = false;

		g_entry(fn, 0, T_ADDR(0), T_DATA(0));
		for (unsigned int i = 0; i < nseq; i++) {
			if (i == at) {
				assert_int_equal(msidom_vmm_get_vector_info(fn, 0, &info), 0);
				fired_live = !info.route.masked;
				assert_int_equal(msidom_vmm_fire(fn, 0), fired_live ? 1 : 0);
			}
			apply(fn, seq[i]);
		}
		if (at == nseq)
			assert_int_equal(msidom_vmm_fire(fn, 0), 1);
		/* The sequence ends live: exactly one delivery, nothing pending. */
		assert_int_equal(msidom_vmm_get_vector_info(fn, 0, &info), 0);
		assert_false(info.route.masked);
		assert_false(info.pending);
		assert_int_equal(t->r.per_vec_deliveries[0], 1);
		assert_int_equal(t->r.bad_callbacks, 0);
		msidom_vmm_fn_destroy(fn);
	}
}

/* A guest driver reload: unbind (mask, disable), rebind with new messages. */
static void test_driver_reload(void **state)
{
	struct vfx *t = *state;
	const uint32_t n = 5;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, n, 0, 0);
	struct msidom_vmm_stats st = { .sz = sizeof(struct msidom_vmm_stats) };

	g_linux_msix_setup(fn, n);
	for (uint32_t i = 0; i < n; i++)
		g_mask(fn, i, false);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(msidom_vmm_fire(fn, i), 1);

	/* Unload: pci_free_irq_vectors masks every entry and disables MSI-X. */
	for (uint32_t i = 0; i < n; i++)
		g_mask(fn, i, true);
	g_msix_ctrl(fn, false, false);
	/* The device raises one while the driver is away: kept. */
	assert_int_equal(msidom_vmm_fire(fn, 2), 0);

	/* Reload, with different vectors (a new CPU / IDT vector). */
	rec_clear(&t->r);
	g_msix_ctrl(fn, true, true);
	for (uint32_t i = 0; i < n; i++)
		g_mask(fn, i, true);
	for (uint32_t i = 0; i < n; i++)
		g_entry(fn, i, T_ADDR(i + 1), T_DATA(i + 100));
	g_msix_ctrl(fn, true, false);
	assert_int_equal(t->r.ndelivered, 0);
	/* The new driver uses only 3 vectors. */
	for (uint32_t i = 0; i < 3; i++)
		g_mask(fn, i, false);
	assert_int_equal(t->r.ndelivered, 1);
	assert_int_equal(t->r.delivered[0].vector, 2);
	assert_int_equal(t->r.delivered[0].msg.data, T_DATA(102));
	for (uint32_t i = 0; i < 3; i++)
		assert_false(t->r.gsi[i].masked);
	for (uint32_t i = 3; i < n; i++)
		assert_true(t->r.gsi[i].masked);
	assert_int_equal(msidom_vmm_fire(fn, 4), 0);
	assert_int_equal(msidom_vmm_get_stats(fn, &st), 0);
	assert_true(st.enabled);
	assert_false(st.function_masked);
	assert_int_equal(st.bad_accesses, 0);

	/* FLR: back to reset state, pending dropped, entries masked and zero. */
	rec_clear(&t->r);
	assert_int_equal(msidom_vmm_fn_reset(fn), 0);
	assert_int_equal(t->r.nroutes, n); /* every message went to zero */
	assert_false(g_pba(fn, 4));
	assert_int_equal(g_table32(fn, 16 * 4 + 12), 1);
	assert_int_equal(g_table32(fn, 16 * 4 + 8), 0);
	assert_int_equal(g_cfg32(fn, 0) >> 16, n - 1);
	assert_int_equal(msidom_vmm_fn_reset(NULL), -MSIDOM_EINVAL);
	msidom_vmm_fn_destroy(fn);
}

/* A guest that writes garbage at every offset with every size. */
static void test_garbage_guest(void **state)
{
	struct vfx *t = *state;
	const uint32_t n = 3;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, n, 0, 0);
	uint64_t tsize = msidom_vmm_table_size(fn), psize = msidom_vmm_pba_size(fn);
	uint64_t bad = 0, v;
	uint32_t x = 0x12345678, cv;
	struct msidom_vmm_stats st = { .sz = sizeof(struct msidom_vmm_stats) };

	for (uint64_t off = 0; off < tsize + 64; off++) {
		for (uint32_t size = 0; size <= 16; size++) {
			bool ok =
				(size == 4 || size == 8) && off % size == 0 && off + size <= tsize;
			uint64_t garbage;

			x = x * 1103515245u + 12345u;
			garbage = (uint64_t)x << 32 | (x ^ 0xa5a5a5a5u);
			v = 0xdeadbeef;
			assert_int_equal(msidom_vmm_table_read(fn, off, size, &v),
					 ok ? 0 : -MSIDOM_EINVAL);
			if (!ok)
				assert_int_equal(v, 0);
			assert_int_equal(msidom_vmm_table_write(fn, off, size, garbage),
					 ok ? 0 : -MSIDOM_EINVAL);
			bad += ok ? 0 : 2;
			/* Reserved vector-control bits never read back. */
			if (ok && off % 16 == 12)
				assert_true(g_table32(fn, off) <= 1);
			ok = (size == 4 || size == 8) && off % size == 0 && off + size <= psize;
			assert_int_equal(msidom_vmm_pba_read(fn, off, size, &v),
					 ok ? 0 : -MSIDOM_EINVAL);
			assert_int_equal(msidom_vmm_pba_write(fn, off, size, garbage),
					 ok ? 0 : -MSIDOM_EINVAL);
			bad += ok ? 0 : 2;
		}
	}
	/* Huge offsets do not wrap around. */
	assert_int_equal(msidom_vmm_table_read(fn, UINT64_MAX - 3, 4, &v), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_table_write(fn, UINT64_MAX - 7, 8, 0), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_pba_read(fn, UINT64_MAX - 7, 8, &v), -MSIDOM_EINVAL);
	bad += 3;
	/* Config space, every offset and size, garbage included. */
	for (uint32_t off = 0; off < 64; off++) {
		for (uint32_t size = 0; size <= 8; size++) {
			bool ok = (size == 1 || size == 2 || size == 4) && off % size == 0 &&
				  off + size <= 12;

			x = x * 1103515245u + 12345u;
			assert_int_equal(msidom_vmm_cfg_read(fn, off, size, &cv),
					 ok ? 0 : -MSIDOM_EINVAL);
			assert_int_equal(msidom_vmm_cfg_write(fn, off, size, x),
					 ok ? 0 : -MSIDOM_EINVAL);
			bad += ok ? 0 : 2;
		}
	}
	assert_int_equal(msidom_vmm_get_stats(fn, &st), 0);
	assert_int_equal(st.bad_accesses, bad);
	/* Whatever state that left, the function still works normally. */
	g_linux_msix_setup(fn, n);
	rec_clear(&t->r);
	g_mask(fn, 1, false);
	assert_false(t->r.gsi[1].masked);
	assert_int_equal(msidom_vmm_fire(fn, 1), 1);
	assert_int_equal(t->r.delivered[t->r.ndelivered - 1].msg.data, T_DATA(1));
	assert_int_equal(t->r.bad_callbacks, 0);
	msidom_vmm_fn_destroy(fn);
	assert_int_equal(msidom_ctx_mem_bytes(t->ctx), t->mem0);
}

struct firer {
	struct msidom_vmm_fn *fn;
	atomic_bool stop;
	unsigned long fires;
	unsigned long delivered_at_fire;
	unsigned long bad_returns; /* counted here: cmocka asserts belong to main */
};

static void *fire_thread(void *arg)
{
	struct firer *f = arg;

	while (!atomic_load(&f->stop)) {
		int ret = msidom_vmm_fire(f->fn, f->fires % 2);

		if (ret != 0 && ret != 1)
			f->bad_returns++;
		f->delivered_at_fire += (unsigned long)ret;
		f->fires++;
	}
	return NULL;
}

/*
 * Host interrupts arrive on another thread while the guest toggles masks:
 * no delivery ever reaches a vector the VMM was told is masked, every
 * fire is either delivered or latched, and the last one is never lost.
 */
static void test_concurrent_fire(void **state)
{
	struct vfx *t = *state;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, 2, 0, 0);
	struct firer f = { .fn = fn };
	struct msidom_vmm_stats st = { .sz = sizeof(struct msidom_vmm_stats) };
	pthread_t th;

	g_linux_msix_setup(fn, 2);
	assert_int_equal(pthread_create(&th, NULL, fire_thread, &f), 0);
	for (int i = 0; i < 3000 || f.fires < 1000; i++) {
		switch (i % 6) {
		case 0: g_mask(fn, 0, false); break;
		case 1: g_msix_ctrl(fn, true, true); break;
		case 2: g_mask(fn, 1, i % 12 == 2); break;
		case 3: g_msix_ctrl(fn, false, false); break;
		case 4: g_msix_ctrl(fn, true, false); break;
		default: g_mask(fn, 0, true); break;
		}
	}
	atomic_store(&f.stop, true);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(msidom_vmm_get_stats(fn, &st), 0);
	assert_int_equal(f.bad_returns, 0);
	/* Each fire was delivered at once or latched: none vanished. */
	assert_int_equal(st.latched, f.fires - f.delivered_at_fire);
	assert_true(st.delivered >= f.delivered_at_fire);
	g_msix_ctrl(fn, true, false);
	g_mask(fn, 0, false);
	g_mask(fn, 1, false);
	assert_false(g_pba(fn, 0));
	assert_false(g_pba(fn, 1));
	assert_true(t->r.per_vec_deliveries[0] >= 1);
	assert_true(t->r.per_vec_deliveries[1] >= 1);
	assert_int_equal(t->r.bad_callbacks, 0);
	msidom_vmm_fn_destroy(fn);
}

/* Argument checks of the VMM-side calls. */
static void test_vmm_args(void **state)
{
	struct vfx *t = *state;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, 2, 0, 0);
	MSIDOM_OPTS(msidom_vmm_backing, b, .type = (enum msidom_vmm_backing_type)9);
	uint64_t v;
	uint32_t cv;

	assert_int_equal(msidom_vmm_table_read(NULL, 0, 4, &v), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_table_read(fn, 0, 4, NULL), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_table_write(NULL, 0, 4, 0), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_pba_read(NULL, 0, 4, &v), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_pba_write(NULL, 0, 4, 0), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_cfg_read(NULL, 0, 4, &cv), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_cfg_read(fn, 0, 4, NULL), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_cfg_write(NULL, 0, 4, 0), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_set_backing(NULL, 0, NULL), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_set_backing(fn, 2, NULL), -MSIDOM_ERANGE);
	assert_int_equal(msidom_vmm_set_backing(fn, 0, &b), -MSIDOM_EINVAL);
	b.type = MSIDOM_VMM_BACKING_IMS;
	assert_int_equal(msidom_vmm_set_backing(fn, 0, &b), -MSIDOM_ENODEV);
	b.type = MSIDOM_VMM_BACKING_VFIO;
	assert_true(msidom_vmm_set_backing(fn, 0, &b) < 0);
	assert_int_equal(msidom_vmm_set_backing(fn, 0, NULL), 0);
	assert_int_equal(msidom_vmm_set_quota(NULL, 1, 1), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_get_stats(NULL, NULL), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_get_stats(fn, NULL), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_get_vector_info(fn, 0, NULL), -MSIDOM_EINVAL);
	assert_int_equal(msidom_vmm_table_size(NULL), 0);
	assert_int_equal(msidom_vmm_cfg_size(NULL), 0);
	assert_string_equal(msidom_vmm_backing_name(MSIDOM_VMM_BACKING_IMS), "ims");
	assert_string_equal(msidom_vmm_backing_name(MSIDOM_VMM_BACKING_VFIO), "vfio");
	assert_string_equal(msidom_vmm_backing_name(MSIDOM_VMM_BACKING_EMULATED), "emulated");
	assert_string_equal(msidom_vmm_backing_name((enum msidom_vmm_backing_type)42), "?");
	assert_int_equal(t->r.nroutes, 0);
	msidom_vmm_fn_destroy(fn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_args, vfx_setup, vfx_teardown),
		cmocka_unit_test_setup_teardown(test_capability, vfx_setup, vfx_teardown),
		cmocka_unit_test_setup_teardown(test_linux_sequence, vfx_setup_threads,
						vfx_teardown),
		cmocka_unit_test_setup_teardown(test_program_then_enable, vfx_setup_threads,
						vfx_teardown),
		cmocka_unit_test_setup_teardown(test_qword_access, vfx_setup, vfx_teardown),
		cmocka_unit_test_setup_teardown(test_pending, vfx_setup, vfx_teardown),
		cmocka_unit_test_setup_teardown(test_no_lost_interrupts, vfx_setup_threads,
						vfx_teardown),
		cmocka_unit_test_setup_teardown(test_driver_reload, vfx_setup_threads,
						vfx_teardown),
		cmocka_unit_test_setup_teardown(test_garbage_guest, vfx_setup_threads,
						vfx_teardown),
		cmocka_unit_test_setup_teardown(test_vmm_args, vfx_setup, vfx_teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_fire, vfx_setup_threads,
						vfx_teardown),
	};

	return cmocka_run_group_tests_name("vmm-msix", tests, NULL, NULL);
}
