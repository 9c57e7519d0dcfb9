/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VT-d interrupt remapping domain: IRTE contents and update order, the
 * remappable message format, blocks for multi-message MSI, affinity
 * changes behind an immutable message, and every error path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model.h"

#define RID   0x18u
#define HI_SV (MSIDOM_BM_IRTE_SVT_RID | RID)

struct rec {
	struct msidom_msg last[64];
	int writes;
};

static int rec_write(struct msidom_irq_data *data, const struct msidom_msg *msg)
{
	struct rec *r = msidom_domain_priv(msidom_irq_data_domain(data));

	if (msidom_irq_data_hwirq(data) < 64)
		r->last[msidom_irq_data_hwirq(data)] = *msg;
	r->writes++;
	return 0;
}

static const struct msidom_chip_ops rec_chip = { .sz = sizeof(struct msidom_chip_ops),
						 .write_msg = rec_write };

/* A device whose storage changes only when a batch ends (like an IMS queue). */
static void rec_lock(struct msidom_domain *d)
{
	(void)d;
}

static int rec_sync(struct msidom_domain *d)
{
	(void)d;
	return 0;
}

static const struct msidom_chip_ops rec_batch_chip = { .sz = sizeof(struct msidom_chip_ops),
						       .write_msg = rec_write,
						       .bus_lock = rec_lock,
						       .bus_sync_unlock = rec_sync };
static const struct msidom_chip_ops *tmpl_chip = &rec_chip;

struct fix {
	struct model m;
	struct msidom_ctx *ctx;
	struct msidom_domain *vec, *ir, *dd;
	struct msidom_device *dev;
	uint64_t *irt;
	uint32_t entries;
	struct rec rec;
};

static int setup_cfg(struct fix *f, uint32_t entries, bool store128, bool x2apic,
		     uint32_t tmpl_flags, uint32_t hwsize)
{
	uint32_t ids[2] = { 0, 300 };
	MSIDOM_OPTS(msidom_bm_x86_vector_config, vc, .ncpus = 2, .apic_ids = ids);
	MSIDOM_OPTS(msidom_bm_vtd_ir_config, ic, .entries = entries, .x2apic = x2apic,
		    .source_validation = true);
	MSIDOM_OPTS(msidom_device_info, di, .name = "0000:00:03.0", .requester_id = RID);
	MSIDOM_OPTS(msidom_template, t, .name = "TEST", .bus = MSIDOM_BUS_PCI_MSIX,
		    .flags = tmpl_flags, .hwsize = hwsize, .chip = tmpl_chip);

	memset(&f->rec, 0, sizeof(f->rec));
	model_init(&f->m, store128, true);
	f->ctx = test_ctx();
	f->entries = entries;
	f->irt = aligned_alloc(4096, entries * 16u < 4096u ? 4096u : entries * 16u);
	assert_non_null(f->irt);
	memset(f->irt, 0xaa, entries * 16u);
	f->m.irt = f->irt;
	f->m.irt_entries = entries;
	ic.table = f->irt;
	ic.platform = &f->m.plat;
	assert_int_equal(msidom_bm_x86_vector_domain_create(f->ctx, &vc, &f->vec), 0);
	assert_int_equal(msidom_bm_vtd_ir_domain_create(f->ctx, &ic, f->vec, &f->ir), 0);
	for (uint32_t i = 0; i < entries * 2u; i++)
		assert_true(f->irt[i] == 0);
	assert_int_equal(msidom_device_create(f->ctx, &di, &f->dev), 0);
	t.priv = &f->rec;
	return msidom_device_domain_create(f->dev, MSIDOM_DEFAULT_DOMAIN, &t, f->ir, &f->dd);
}

static void setup(struct fix *f, uint32_t entries, bool store128, bool x2apic)
{
	assert_int_equal(setup_cfg(f, entries, store128, x2apic, 0, 64), 0);
}

static void teardown(struct fix *f)
{
	msidom_device_destroy(f->dev);
	assert_int_equal(msidom_domain_destroy(f->ir), 0);
	assert_int_equal(msidom_domain_destroy(f->vec), 0);
	msidom_ctx_destroy(f->ctx);
	free(f->irt);
}

static struct msidom_map alloc(struct fix *f, uint32_t index, uint32_t cpu)
{
	uint64_t bits = 1ull << cpu;
	struct msidom_cpumask mask = { 64, &bits };
	MSIDOM_OPTS(msidom_alloc_opts, o, .affinity = &mask, .unmasked = true);

	return msidom_msi_alloc_at(f->dev, MSIDOM_DEFAULT_DOMAIN, index, &o);
}

static uint64_t lower(uint32_t vector, uint32_t dst)
{
	return MSIDOM_BM_IRTE_P | ((uint64_t)vector << 16) | ((uint64_t)dst << 32);
}

static uint32_t handle_addr(uint32_t idx)
{
	return 0xfee00000u | ((idx & 0x7fffu) << 5) | 0x18u | (((idx >> 15) & 1u) << 2);
}

static void test_create_errors(void **state)
{
	struct msidom_ctx *ctx = test_ctx();
	uint32_t ids[1] = { 0 };
	MSIDOM_OPTS(msidom_bm_x86_vector_config, vc, .ncpus = 1, .apic_ids = ids);
	MSIDOM_OPTS(msidom_bm_doorbell_config, dc, .doorbell = 0x1000, .count = 8);
	struct model m;
	uint64_t *irt = aligned_alloc(4096, 4096);
	MSIDOM_OPTS(msidom_bm_vtd_ir_config, ic, .table = irt, .entries = 256, .platform = &m.plat);
	struct msidom_domain *vec, *db, *ir = (void *)1;
	size_t mem;

	(void)state;
	model_init(&m, false, false);
	memset(irt, 0xaa, 4096);
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &vc, &vec), 0);
	assert_int_equal(msidom_bm_doorbell_domain_create(ctx, &dc, &db), 0);
	mem = msidom_ctx_mem_bytes(ctx);
	ic.entries = 3;
	assert_int_equal(msidom_bm_vtd_ir_domain_create(ctx, &ic, vec, &ir), -MSIDOM_EINVAL);
	assert_null(ir);
	ic.entries = 1;
	assert_int_equal(msidom_bm_vtd_ir_domain_create(ctx, &ic, vec, &ir), -MSIDOM_EINVAL);
	ic.entries = 131072;
	assert_int_equal(msidom_bm_vtd_ir_domain_create(ctx, &ic, vec, &ir), -MSIDOM_EINVAL);
	ic.entries = 256;
	ic.table = (char *)irt + 8;
	assert_int_equal(msidom_bm_vtd_ir_domain_create(ctx, &ic, vec, &ir), -MSIDOM_EINVAL);
	ic.table = irt;
	ic.platform = NULL;
	assert_int_equal(msidom_bm_vtd_ir_domain_create(ctx, &ic, vec, &ir), -MSIDOM_EINVAL);
	ic.platform = &m.plat;
	assert_int_equal(msidom_bm_vtd_ir_domain_create(ctx, &ic, db, &ir), -MSIDOM_EINVAL);
	assert_non_null(strstr(test_last_log(), "x86 vector domain"));
	assert_int_equal(msidom_bm_vtd_ir_domain_create(ctx, &ic, NULL, &ir), -MSIDOM_EINVAL);
	assert_int_equal(msidom_ctx_mem_bytes(ctx), mem);
	for (int i = 0; i < 512; i++)
		assert_true(irt[i] == 0xaaaaaaaaaaaaaaaaull);
	assert_int_equal(msidom_bm_vtd_ir_used(vec), -MSIDOM_EINVAL);
	/* 65536 entries is the maximum and fine. */
	free(irt);
	irt = aligned_alloc(4096, 65536u * 16u);
	ic.table = irt;
	ic.entries = 65536;
	assert_int_equal(msidom_bm_vtd_ir_domain_create(ctx, &ic, vec, &ir), 0);
	assert_string_equal(msidom_domain_name(ir), "INTEL-IR");
	assert_int_equal(msidom_domain_flags(ir), MSIDOM_DOMAIN_ISOLATED_MSI |
							  MSIDOM_DOMAIN_IMMUTABLE |
							  MSIDOM_DOMAIN_MSI_PARENT);
	assert_int_equal(msidom_domain_bus(ir), MSIDOM_BUS_REMAP);
	assert_int_equal(msidom_domain_hwsize(ir), 65536);
	assert_int_equal(msidom_bm_vtd_ir_used(ir), 0);
	assert_int_equal(msidom_domain_destroy(ir), 0);
	assert_int_equal(msidom_domain_destroy(db), 0);
	assert_int_equal(msidom_domain_destroy(vec), 0);
	msidom_ctx_destroy(ctx);
	free(irt);
}

static void test_irta(void **state)
{
	(void)state;
	assert_true(msidom_bm_vtd_irta_value(0x12345000, 256, false) == 0x12345007ull);
	assert_true(msidom_bm_vtd_irta_value(0x812345000ull, 65536, true) == 0x81234580full);
	assert_true(msidom_bm_vtd_irta_value(0x12345000, 2, false) == 0x12345000ull);
	assert_true(msidom_bm_vtd_irta_value(0x12345100, 256, false) == 0);
	assert_true(msidom_bm_vtd_irta_value(0x12345000, 3, false) == 0);
	assert_true(msidom_bm_vtd_irta_value(0x12345000, 131072, false) == 0);
}

/* Upper half, barrier, lower half with Present, barrier, invalidation. */
static void test_entry_order(void **state)
{
	struct fix f;
	struct msidom_map a, b;

	(void)state;
	setup(&f, 256, false, false);
	assert_string_equal(msidom_domain_name(f.dd), "IR-TEST-0000:00:03.0");
	assert_int_equal(msidom_device_msi_isolated(f.dev), 1);
	f.m.watch = 0;
	a = alloc(&f, 0, 0);
	assert_int_equal(a.index, 0);
	EXPECT_LOG(&f.m, BARRIER(0, 0, HI_SV), BARRIER(0, lower(32, 0), HI_SV), INVAL(0, 1));
	assert_true(f.irt[0] == lower(32, 0));
	assert_true(f.irt[1] == HI_SV);
	assert_int_equal(f.rec.last[0].address_lo, handle_addr(0));
	assert_int_equal(f.rec.last[0].address_hi, 0);
	assert_int_equal(f.rec.last[0].data, 0);
	model_clear_log(&f.m);
	b = alloc(&f, 1, 0);
	assert_int_equal(b.index, 1);
	assert_true(f.irt[2] == lower(33, 0));
	assert_int_equal(f.rec.last[1].address_lo, handle_addr(1));
	assert_int_equal(msidom_bm_vtd_ir_used(f.ir), 2);
	/* Free: Present goes first, then the upper half. */
	model_clear_log(&f.m);
	f.m.watch = 0;
	assert_int_equal(msidom_msi_free(f.dev, MSIDOM_DEFAULT_DOMAIN, 0), 0);
	EXPECT_LOG(&f.m, BARRIER(0, 0, HI_SV), BARRIER(0, 0, 0), INVAL(0, 1));
	assert_int_equal(msidom_bm_vtd_ir_used(f.ir), 1);
	assert_true(f.irt[2] == lower(33, 0)); /* the other stays live */
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 1);
	teardown(&f);
}

static void test_store128(void **state)
{
	struct fix f;
	struct msidom_map a;

	(void)state;
	setup(&f, 16, true, false);
	a = alloc(&f, 5, 0);
	assert_int_equal(a.index, 5);
	EXPECT_LOG(&f.m, STORE(0, lower(32, 0), HI_SV), INVAL(0, 1));
	model_clear_log(&f.m);
	assert_int_equal(msidom_msi_free(f.dev, MSIDOM_DEFAULT_DOMAIN, 5), 0);
	EXPECT_LOG(&f.m, STORE(0, 0, 0), INVAL(0, 1));
	/* A failing store: nothing allocated, nothing live. */
	f.m.fail_store128 = 1;
	model_clear_log(&f.m);
	a = alloc(&f, 5, 0);
	assert_int_equal(a.index, -MSIDOM_EIO);
	assert_int_equal(msidom_bm_vtd_ir_used(f.ir), 0);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 0);
	assert_int_equal(f.rec.writes, 2); /* the first alloc and its free */
	teardown(&f);
}

static void test_enospc(void **state)
{
	struct fix f;
	struct msidom_map a;
	size_t mem;
	int nlog;

	(void)state;
	setup(&f, 2, false, false);
	assert_int_equal(alloc(&f, 0, 0).index, 0);
	assert_int_equal(alloc(&f, 1, 0).index, 1);
	mem = msidom_ctx_mem_bytes(f.ctx);
	nlog = f.m.nlog;
	a = alloc(&f, 2, 0);
	assert_int_equal(a.index, -MSIDOM_ENOSPC);
	assert_non_null(strstr(test_last_log(), "no free remapping table entry"));
	assert_int_equal(f.m.nlog, nlog);
	assert_int_equal(f.rec.writes, 2);
	assert_int_equal(msidom_bm_vtd_ir_used(f.ir), 2);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 2);
	assert_int_equal(msidom_domain_mapped(f.vec), 2);
	assert_int_equal(msidom_ctx_mem_bytes(f.ctx), mem);
	teardown(&f);
}

/* The message is immutable: only the IRTE's lower half changes. */
static void test_affinity(void **state)
{
	uint64_t cpu1 = 2;
	struct msidom_cpumask m1 = { 2, &cpu1 };
	struct fix f;
	struct msidom_map a;
	uint32_t cpu = 9;
	uint8_t vec = 0;

	(void)state;
	setup(&f, 16, false, true);
	a = alloc(&f, 0, 0);
	assert_true(f.irt[0] == lower(32, 0)); /* x2APIC: full destination id */
	model_clear_log(&f.m);
	assert_int_equal(msidom_irq_set_affinity(f.ctx, a.virq, &m1), 0);
	EXPECT_LOG(&f.m, INVAL(0, 1));
	assert_true(f.irt[0] == lower(32, 300));
	assert_true(f.irt[1] == HI_SV);
	assert_int_equal(f.rec.writes, 1); /* no device write */
	assert_int_equal(msidom_bm_x86_vector_lookup(f.vec, a.virq, &cpu, &vec), 0);
	assert_int_equal(cpu, 1);
	assert_int_equal(vec, 32);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 0);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 1), 1);
	/* Invalidation failure: the entry and the vector go back. */
	f.m.fail_inval = 1;
	cpu1 = 1;
	model_clear_log(&f.m);
	assert_int_equal(msidom_irq_set_affinity(f.ctx, a.virq, &m1), -MSIDOM_EIO);
	assert_true(f.irt[0] == lower(32, 300));
	assert_int_equal(msidom_bm_x86_vector_lookup(f.vec, a.virq, &cpu, &vec), 0);
	assert_int_equal(cpu, 1);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 0);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 1), 1);
	f.m.fail_inval = 0;
	teardown(&f);
}

/* xAPIC-mode remapping cannot reach APIC id 300; invalidation failures undo. */
static void test_activate_errors(void **state)
{
	struct fix f;
	struct msidom_map a;

	(void)state;
	setup(&f, 16, false, false);
	a = alloc(&f, 0, 1);
	assert_int_equal(a.index, -MSIDOM_EINVAL);
	assert_non_null(strstr(test_last_log(), "x2APIC"));
	assert_int_equal(f.m.nlog, 0);
	assert_int_equal(f.rec.writes, 0);
	assert_int_equal(msidom_bm_vtd_ir_used(f.ir), 0);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 1), 0);
	f.m.fail_inval = 1;
	f.m.watch = 0;
	a = alloc(&f, 0, 0);
	assert_int_equal(a.index, -MSIDOM_EIO);
	assert_true(f.irt[0] == 0 && f.irt[1] == 0);
	assert_int_equal(msidom_bm_vtd_ir_used(f.ir), 0);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 0);
	assert_int_equal(f.rec.writes, 0);
	teardown(&f);
}

/* Multi-message MSI: one aligned block of entries, handle = block base. */
static void test_block(void **state)
{
	struct fix f;
	struct msidom_device *dev2;
	struct msidom_domain *dd2;
	MSIDOM_OPTS(msidom_device_info, di, .name = "0000:00:04.0", .requester_id = 0x20);
	MSIDOM_OPTS(msidom_template, t, .name = "TEST", .bus = MSIDOM_BUS_PCI_MSI, .hwsize = 1,
		    .chip = &rec_chip);
	struct rec r2 = { 0 };
	uint64_t cpu0 = 1;
	struct msidom_cpumask m0 = { 1, &cpu0 };
	MSIDOM_OPTS(msidom_alloc_opts, o, .affinity = &m0, .unmasked = true);

	(void)state;
	assert_int_equal(setup_cfg(&f, 16, false, false, MSIDOM_DOMAIN_CONTIGUOUS, 4), 0);
	/* Occupy entry 0 so the block cannot start there. */
	assert_int_equal(msidom_device_create(f.ctx, &di, &dev2), 0);
	t.priv = &r2;
	assert_int_equal(msidom_device_domain_create(dev2, MSIDOM_DEFAULT_DOMAIN, &t, f.ir, &dd2),
			 0);
	assert_int_equal(msidom_msi_alloc_at(dev2, MSIDOM_DEFAULT_DOMAIN, 0, &o).index, 0);
	test_clear_log();
	if (msidom_msi_alloc_range(f.dev, MSIDOM_DEFAULT_DOMAIN, 0, 3, &o))
		fail_msg("%s", test_last_log());
	assert_int_equal(f.rec.last[0].address_lo, handle_addr(4));
	assert_int_equal(f.rec.last[0].data, 0);
	for (uint32_t i = 0; i < 4; i++) {
		assert_true((f.irt[2 * (4 + i)] & MSIDOM_BM_IRTE_P) != 0);
		assert_true(msidom_domain_find_virq(f.ir, 4 + i) ==
			    msidom_msi_virq(f.dev, MSIDOM_DEFAULT_DOMAIN, i));
	}
	assert_int_equal(msidom_bm_vtd_ir_used(f.ir), 5);
	/* The vectors behind a block are independent: the remapper hides them. */
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 5);
	assert_int_equal(msidom_msi_free_all(f.dev, MSIDOM_DEFAULT_DOMAIN), 4);
	assert_int_equal(msidom_bm_vtd_ir_used(f.ir), 1);
	msidom_device_destroy(dev2);
	teardown(&f);
}

/* Handle bit 15 lives in address bit 2: fill half of a 65536-entry table. */
static void test_handle_bit15(void **state)
{
	enum { NCPUS = 148, N = 32769 };
	static uint32_t ids[NCPUS];
	MSIDOM_OPTS(msidom_bm_x86_vector_config, vc, .ncpus = NCPUS, .apic_ids = ids);
	MSIDOM_OPTS(msidom_bm_vtd_ir_config, ic, .entries = 65536, .x2apic = true);
	MSIDOM_OPTS(msidom_device_info, di, .name = "big");
	MSIDOM_OPTS(msidom_template, t, .name = "TEST", .bus = MSIDOM_BUS_PCI_MSIX, .hwsize = 65536,
		    .chip = &rec_chip);
	struct rec *r = calloc(1, sizeof(*r));
	struct msidom_ctx *ctx = test_ctx();
	struct msidom_domain *vec, *ir, *dd;
	struct msidom_device *dev;
	struct model *m = calloc(1, sizeof(*m));
	uint64_t *irt = aligned_alloc(4096, 65536u * 16u);
	struct msidom_map map = { 0, 0 };

	(void)state;
	for (uint32_t i = 0; i < NCPUS; i++)
		ids[i] = i;
	model_init(m, false, false);
	m->plat.barrier = NULL; /* the library's own fence; and no log to overflow */
	ic.table = irt;
	ic.platform = &m->plat;
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &vc, &vec), 0);
	assert_int_equal(msidom_bm_vtd_ir_domain_create(ctx, &ic, vec, &ir), 0);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	t.priv = r;
	assert_int_equal(msidom_device_domain_create(dev, MSIDOM_DEFAULT_DOMAIN, &t, ir, &dd), 0);
	for (uint32_t i = 0; i < N; i++) {
		map = msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, i, NULL);
		assert_int_equal(map.index, (int)i);
	}
	assert_int_equal(msidom_bm_vtd_ir_used(ir), N);
	{
		struct msidom_msg msg = msidom_desc_msg(msidom_desc_at(dd, N - 1));

		assert_int_equal(msg.address_lo, 0xfee00000u | 0x18u | 0x4u);
		assert_true((irt[2 * (N - 1)] & MSIDOM_BM_IRTE_P) != 0);
	}
	/* Every CPU got its share: least-loaded spreading. */
	for (uint32_t c = 0; c < NCPUS; c++) {
		int load = msidom_bm_x86_vector_load(vec, c);

		assert_true(load == N / NCPUS || load == N / NCPUS + 1);
	}
	msidom_device_destroy(dev);
	assert_int_equal(msidom_bm_vtd_ir_used(ir), 0);
	assert_int_equal(msidom_domain_destroy(ir), 0);
	assert_int_equal(msidom_domain_destroy(vec), 0);
	msidom_ctx_destroy(ctx);
	free(irt);
	free(m);
	free(r);
}

/*
 * Freeing an interrupt and allocating its index again inside one batch of
 * a device that updates its storage at the batch's end: the new interrupt
 * gets another IRTE (the device may still use the old one until then),
 * and the old IRTE is cleared and released once the batch ends.
 */
static void test_free_and_realloc_of_one_index_in_a_batch_gets_a_fresh_irte(void **state)
{
	struct fix f;
	struct msidom_map a, b;

	(void)state;
	tmpl_chip = &rec_batch_chip;
	setup(&f, 16, false, false);
	tmpl_chip = &rec_chip;
	a = alloc(&f, 0, 0);
	assert_int_equal(a.index, 0);
	assert_true(f.irt[0] & MSIDOM_BM_IRTE_P);

	assert_int_equal(msidom_domain_batch_begin(f.dd), 0);
	assert_int_equal(msidom_msi_free(f.dev, MSIDOM_DEFAULT_DOMAIN, 0), 0);
	b = alloc(&f, 0, 0);
	assert_int_equal(b.index, 0);
	assert_int_equal(msidom_domain_find_virq(f.ir, 0), (int64_t)a.virq);
	assert_int_equal(msidom_domain_find_virq(f.ir, 1), (int64_t)b.virq);
	assert_int_equal(msidom_msi_free(f.dev, MSIDOM_DEFAULT_DOMAIN, 0), 0);
	b = alloc(&f, MSIDOM_INDEX_ANY, 0);
	assert_int_equal(b.index, 0);
	assert_int_equal(msidom_domain_batch_end(f.dd), 0);

	assert_int_equal(msidom_domain_mapped(f.ir), 1);
	assert_int_equal(msidom_domain_find_virq(f.ir, 2), (int64_t)b.virq);
	assert_false(f.irt[0] & MSIDOM_BM_IRTE_P);
	assert_false(f.irt[2] & MSIDOM_BM_IRTE_P);
	assert_true(f.irt[4] & MSIDOM_BM_IRTE_P);
	assert_int_equal(f.rec.last[0].address_lo, handle_addr(2));
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 1);
	teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_and_realloc_of_one_index_in_a_batch_gets_a_fresh_irte),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_irta),
		cmocka_unit_test(test_entry_order),
		cmocka_unit_test(test_store128),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_affinity),
		cmocka_unit_test(test_activate_errors),
		cmocka_unit_test(test_block),
		cmocka_unit_test(test_handle_bit15),
	};

	return cmocka_run_group_tests_name("baremetal-vtd", tests, NULL, NULL);
}
