/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Review findings (review-bm): each test states a property the issue or
 * the public headers promise and fails while the backend breaks it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <libmsidom/msidom.h>
#include <libmsidom/provider.h>

#include "model.h"

/* Host-memory IMS entries: address lo, address hi, data, control. */
static uint32_t qmem[8][4];

static uint32_t entry_vector(int slot)
{
	return qmem[slot][2] & 0xffu;
}

static uint32_t entry_apic(int slot)
{
	return (qmem[slot][0] >> 12) & 0xffu;
}

/*
 * Issue 5.1: "an affinity change allocates the new vector, switches the
 * message, and releases the old vector only after the switch".
 *
 * Two affinity changes inside one caller batch on an IMS queue domain
 * (whose storage only records until the batch ends): the second change
 * makes the x86 vector domain commit the first one early
 * (x86_vector.c vector_set_affinity: "if (v->move_data)
 * vector_commit(v->move_data)"), so A's old vector is released while A's
 * entry still targets it, and it is immediately handed to B.
 */
static void test_batch_two_moves_keep_old_vector(void **state)
{
	uint32_t ids[2] = { 0, 1 };
	struct msidom_bm_x86_vector_config vc = { .ncpus = 2, .apic_ids = ids };
	struct msidom_device_info di = { .name = "0000:00:04.0" };
	struct msidom_ims_queue_config qc = { .base = qmem, .nr_entries = 8 };
	struct msidom_ims_info ii = { .hwsize = 0 };
	uint64_t only0 = 1, only1 = 2;
	struct msidom_cpumask m0 = { 2, &only0 }, m1 = { 2, &only1 };
	struct msidom_alloc_opts o0 = { .affinity = &m0, .unmasked = true };
	struct msidom_alloc_opts o1 = { .affinity = &m1, .unmasked = true };
	struct msidom_ctx *ctx = test_ctx();
	struct msidom_domain *vec, *ims;
	struct msidom_device *dev;
	struct msidom_map a, b;
	int64_t owner;

	(void)state;
	memset(qmem, 0, sizeof(qmem));
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &vc, &vec), 0);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_ims_queue_domain_create(dev, &ii, &qc, vec, &ims), 0);
	a = msidom_msi_alloc_at(dev, MSIDOM_SECONDARY_DOMAIN, 0, &o0);
	b = msidom_msi_alloc_at(dev, MSIDOM_SECONDARY_DOMAIN, 1, &o1);
	assert_int_equal(a.index, 0);
	assert_int_equal(b.index, 1);
	/* A: CPU 0 vector 32; B: CPU 1 vector 32. */
	assert_int_equal(entry_apic(0), 0);
	assert_int_equal(entry_vector(0), 32);
	assert_int_equal(entry_apic(1), 1);
	assert_int_equal(entry_vector(1), 32);

	assert_int_equal(msidom_domain_batch_begin(ims), 0);
	assert_int_equal(msidom_irq_set_affinity(ctx, a.virq, &m1), 0);
	assert_int_equal(msidom_irq_set_affinity(ctx, b.virq, &m0), 0);
	/* The batch is open: A's entry still holds CPU 0 vector 32 ... */
	assert_int_equal(entry_apic(0), 0);
	assert_int_equal(entry_vector(0), 32);
	/* ... so that vector must still belong to A (not released, not B's). */
	owner = msidom_domain_find_virq(vec, MSIDOM_BM_X86_HWIRQ(0, 32));
	assert_int_equal(owner, (int64_t)a.virq);
	assert_int_equal(msidom_domain_batch_end(ims), 0);

	msidom_device_destroy(dev);
	assert_int_equal(msidom_domain_destroy(vec), 0);
	msidom_ctx_destroy(ctx);
}

/*
 * Issue 5.1 / the brief's error rule: a failing set_affinity leaves the
 * state exactly as before. Here the failing call (no room on CPU 1)
 * commits another vector's unfinished move on its way out, releasing a
 * vector A's entry still targets.
 */
static void test_failed_move_commits_other(void **state)
{
	uint32_t ids[2] = { 0, 1 };
	uint64_t res[4] = { ~0ull, ~0ull, ~0ull, ~0ull >> 2 }; /* only 0xfe, 0xff */
	struct msidom_bm_x86_vector_config vc = { .ncpus = 2, .apic_ids = ids, .reserved = res };
	struct msidom_device_info di = { .name = "0000:00:04.0" };
	struct msidom_ims_queue_config qc = { .base = qmem, .nr_entries = 8 };
	struct msidom_ims_info ii = { .hwsize = 0 };
	uint64_t only0 = 1, only1 = 2;
	struct msidom_cpumask m0 = { 2, &only0 }, m1 = { 2, &only1 };
	struct msidom_alloc_opts o0 = { .affinity = &m0, .unmasked = true };
	struct msidom_alloc_opts o1 = { .affinity = &m1, .unmasked = true };
	struct msidom_ctx *ctx = test_ctx();
	struct msidom_domain *vec, *ims;
	struct msidom_device *dev;
	struct msidom_map a, b, c;

	(void)state;
	memset(qmem, 0, sizeof(qmem));
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &vc, &vec), 0);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_ims_queue_domain_create(dev, &ii, &qc, vec, &ims), 0);
	a = msidom_msi_alloc_at(dev, MSIDOM_SECONDARY_DOMAIN, 0, &o0); /* CPU0 0xfe */
	b = msidom_msi_alloc_at(dev, MSIDOM_SECONDARY_DOMAIN, 1, &o1); /* CPU1 0xfe */
	c = msidom_msi_alloc_at(dev, MSIDOM_SECONDARY_DOMAIN, 2, &o0); /* CPU0 0xff */
	assert_true(a.index == 0 && b.index == 1 && c.index == 2);

	assert_int_equal(msidom_domain_batch_begin(ims), 0);
	/* A moves to CPU 1 (0xff there), its old CPU0/0xfe is held. */
	assert_int_equal(msidom_irq_set_affinity(ctx, a.virq, &m1), 0);
	/* C cannot move to CPU 1 (full): must fail and change nothing. */
	assert_int_equal(msidom_irq_set_affinity(ctx, c.virq, &m1), -MSIDOM_ENOSPC);
	assert_int_equal(entry_vector(0), 0xfe);
	assert_int_equal(msidom_domain_find_virq(vec, MSIDOM_BM_X86_HWIRQ(0, 0xfe)),
			 (int64_t)a.virq);
	assert_int_equal(msidom_bm_x86_vector_load(vec, 0), 2);
	assert_int_equal(msidom_domain_batch_end(ims), 0);

	msidom_device_destroy(dev);
	assert_int_equal(msidom_domain_destroy(vec), 0);
	msidom_ctx_destroy(ctx);
}

/*
 * Issue 5.3 / 5.4 (multi-message MSI, "naturally aligned power-of-two
 * blocks"): a multi-message MSI function replaces the low log2(n) bits of
 * the message data with the message number (PCI Local Bus spec, MSI
 * Multiple Message Enable). On a doorbell root data = base + hwirq, so the
 * block must be aligned in data space, not only in hwirq space. With
 * base = 2 the block at hwirq 0..3 gets data 2..5 and message 3 writes
 * (2 & ~3) | 3 = 3, i.e. hwirq 1 (doorbell.c db_alloc/find_block).
 */
static void test_doorbell_multi_msi_data_aligned(void **state)
{
	struct msidom_ctx *ctx = test_ctx();
	struct msidom_bm_doorbell_config cfg = { .doorbell = 0x8080040ull, .base = 2, .count = 64 };
	struct msidom_device_info di = { .name = "0000:00:03.0" };
	struct msidom_alloc_opts o = { .unmasked = true };
	struct msidom_domain *db, *dd;
	struct msidom_device *dev;
	struct model m;
	struct msidom_bm_pci_config pc = { .sbdf = SBDF, .platform = &m.plat };
	uint32_t data0;
	uint16_t cap;
	int fn;

	(void)state;
	model_init(&m, false, false);
	fn = model_add_fn(&m, SBDF);
	cap = model_msi_cap(&m, fn, 2, true, true); /* 4 messages, 64-bit, mask bits */
	assert_int_equal(msidom_bm_doorbell_domain_create(ctx, &cfg, &db), 0);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_bm_pci_msi_domain_create(dev, &pc, db, &dd), 0);
	assert_int_equal(msidom_msi_alloc_range(dev, MSIDOM_DEFAULT_DOMAIN, 0, 3, &o), 0);
	data0 = model_cfg(&m, fn, (uint16_t)(cap + 12), 2);
	/* The low log2(4) bits of the programmed data must be free for the message number. */
	assert_int_equal(data0 & 3u, 0);
	for (uint32_t i = 0; i < 4; i++) {
		/* What the function really sends for message i ... */
		uint32_t sent = (data0 & ~3u) | i;
		/* ... must reach the virq of index i. */
		assert_int_equal(msidom_domain_find_virq(db, sent - cfg.base),
				 msidom_msi_virq(dev, MSIDOM_DEFAULT_DOMAIN, i));
	}
	msidom_device_destroy(dev);
	assert_int_equal(msidom_domain_destroy(db), 0);
	msidom_ctx_destroy(ctx);
}

/*
 * Issue 5 "Bad input ... -> a negative errno with nothing programmed":
 * a 32-bit-only MSI capability cannot carry a doorbell above 4 GiB.
 * pci_msi.c write_addr_data() silently drops address_hi, so the function
 * would write to the truncated address 0x08080040.
 */
static void test_msi32_rejects_high_address(void **state)
{
	struct msidom_ctx *ctx = test_ctx();
	struct msidom_bm_doorbell_config cfg = { .doorbell = 0x8080040ull | (1ull << 32),
						 .base = 64,
						 .count = 8 };
	struct msidom_device_info di = { .name = "0000:00:03.0" };
	struct msidom_alloc_opts o = { .unmasked = true };
	struct msidom_domain *db, *dd;
	struct msidom_device *dev;
	struct model m;
	struct msidom_bm_pci_config pc = { .sbdf = SBDF, .platform = &m.plat };
	struct msidom_map a;
	uint16_t cap;
	int fn;

	(void)state;
	model_init(&m, false, false);
	fn = model_add_fn(&m, SBDF);
	cap = model_msi_cap(&m, fn, 0, false, false); /* 1 message, 32-bit only */
	assert_int_equal(msidom_bm_doorbell_domain_create(ctx, &cfg, &db), 0);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_bm_pci_msi_domain_create(dev, &pc, db, &dd), 0);
	model_clear_log(&m);
	a = msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, 0, &o);
	assert_true(a.index < 0);
	assert_int_equal(model_cfg(&m, fn, (uint16_t)(cap + 2), 2) & 1u, 0); /* not enabled */
	msidom_device_destroy(dev);
	assert_int_equal(msidom_domain_destroy(db), 0);
	msidom_ctx_destroy(ctx);
}

/*
 * Issue 5.1/5.4: a PCI MSI function without per-vector mask bits (edu)
 * cannot be masked across the message switch, and the three config
 * writes (address low, address high, data) are not atomic. When the move
 * changes both the CPU and the vector, the device may send the
 * intermediate pair (new destination, old vector) - here CPU 1 vector 32,
 * which belongs to another device - so the interrupt is delivered to the
 * wrong handler. Linux avoids this in x86 msi_set_affinity() (commit
 * "x86/apic/msi: Plug non-maskable MSI affinity race") by going through
 * an interim (old CPU, new vector) step. Every intermediate (address,
 * data) pair the function can observe must target a vector of this
 * interrupt.
 */
static void test_msi_nomask_move_intermediate(void **state)
{
	uint32_t ids[2] = { 0, 1 };
	struct msidom_bm_x86_vector_config vc = { .ncpus = 2, .apic_ids = ids };
	struct msidom_device_info di = { .name = "0000:00:03.0" }, di2 = { .name = "other" };
	struct msidom_template t = { .name = "T", .hwsize = 1 };
	uint64_t only0 = 1, only1 = 2;
	struct msidom_cpumask m0 = { 2, &only0 }, m1 = { 2, &only1 };
	struct msidom_alloc_opts o0 = { .affinity = &m0, .unmasked = true };
	struct msidom_alloc_opts o1 = { .affinity = &m1, .unmasked = true };
	struct msidom_ctx *ctx = test_ctx();
	struct msidom_domain *vec, *dd, *dd2;
	struct msidom_device *dev, *dev2;
	struct model m;
	struct msidom_bm_pci_config pc = { .sbdf = SBDF, .platform = &m.plat };
	struct msidom_map a, b;
	uint32_t lo, data;
	uint16_t cap;
	int fn;

	(void)state;
	model_init(&m, false, false);
	fn = model_add_fn(&m, SBDF);
	cap = model_msi_cap(&m, fn, 0, true, false); /* edu: 1 message, 64-bit, no mask bits */
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &vc, &vec), 0);
	assert_int_equal(msidom_device_create(ctx, &di2, &dev2), 0);
	assert_int_equal(msidom_device_domain_create(dev2, MSIDOM_DEFAULT_DOMAIN, &t, vec, &dd2),
			 0);
	b = msidom_msi_alloc_at(dev2, MSIDOM_DEFAULT_DOMAIN, 0, &o1); /* CPU 1 vector 32 */
	assert_int_equal(b.index, 0);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_bm_pci_msi_domain_create(dev, &pc, vec, &dd), 0);
	a = msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, 0, &o0); /* CPU 0 vector 32 */
	assert_int_equal(a.index, 0);
	lo = model_cfg(&m, fn, (uint16_t)(cap + 4), 4);
	data = model_cfg(&m, fn, (uint16_t)(cap + 12), 2);
	assert_int_equal(lo, 0xfee00000u);
	assert_int_equal(data, 32);

	model_clear_log(&m);
	assert_int_equal(msidom_irq_set_affinity(ctx, a.virq, &m1), 0);
	/* Replay the config writes: each state in between must still reach A. */
	for (int i = 0; i < m.nlog; i++) {
		const struct ev *e = &m.log[i];
		uint32_t cpu;
		int64_t owner;

		if (e->kind != EV_CFG_W)
			continue;
		if (e->addr == cap + 4u)
			lo = (uint32_t)e->val;
		else if (e->addr == cap + 12u)
			data = (uint32_t)e->val;
		else
			continue;
		cpu = (lo >> 12) & 0xffu; /* APIC id == CPU index here */
		owner = msidom_domain_find_virq(vec, MSIDOM_BM_X86_HWIRQ(cpu, data & 0xffu));
		/* Old and new vector of A are both mapped during the switch. */
		print_message("after write %d: CPU %u vector %u -> virq %lld\n", i, cpu,
			      data & 0xffu, (long long)owner);
		assert_true(owner == (int64_t)a.virq || owner < 0);
		assert_true(owner != (int64_t)b.virq);
	}
	msidom_device_destroy(dev);
	msidom_device_destroy(dev2);
	assert_int_equal(msidom_domain_destroy(vec), 0);
	msidom_ctx_destroy(ctx);
}

/* What an MSI function without mask bits can send while it is rewritten. */
static struct {
	struct model *m;
	struct msidom_domain *vec;
	uint16_t cap;
	int states, bad;
	int (*pci_write)(void *opaque, uint32_t sbdf, uint16_t offset, uint8_t size, uint32_t val);
} live;

static int hits_a, hits_b;

static void handler_a(uint32_t virq, void *arg)
{
	(void)virq;
	(void)arg;
	hits_a++;
}

static void handler_b(uint32_t virq, void *arg)
{
	(void)virq;
	(void)arg;
	hits_b++;
}

/* After every address/data write, the function fires once with what it holds. */
static int live_write(void *opaque, uint32_t sbdf, uint16_t offset, uint8_t size, uint32_t val)
{
	int ret = live.pci_write(opaque, sbdf, offset, size, val);
	uint32_t lo, data;

	if (ret || (offset != live.cap + 4u && offset != live.cap + 12u))
		return ret;
	lo = model_cfg(live.m, 0, (uint16_t)(live.cap + 4), 4);
	data = model_cfg(live.m, 0, (uint16_t)(live.cap + 12), 2);
	live.states++;
	/* APIC id == CPU index here; dispatch is lock-free, so legal in here. */
	if (msidom_handle(live.vec, MSIDOM_BM_X86_HWIRQ((lo >> 12) & 0xffu, data & 0xffu)))
		live.bad++;
	return 0;
}

/*
 * Bug 5, checked while the move runs: every state the function passes
 * through reaches A's handler (the (old CPU, new vector) pair is held for
 * A during the switch), never B's, never nothing.
 */
static void test_msi_nomask_move_live_states(void **state)
{
	uint32_t ids[2] = { 0, 1 };
	struct msidom_bm_x86_vector_config vc = { .ncpus = 2, .apic_ids = ids };
	struct msidom_device_info di = { .name = "0000:00:03.0" }, di2 = { .name = "other" };
	struct msidom_template t = { .name = "T", .hwsize = 1 };
	uint64_t only0 = 1, only1 = 2;
	struct msidom_cpumask m0 = { 2, &only0 }, m1 = { 2, &only1 };
	struct msidom_alloc_opts o0 = { .affinity = &m0, .unmasked = true };
	struct msidom_alloc_opts o1 = { .affinity = &m1, .unmasked = true };
	struct msidom_ctx *ctx = test_ctx();
	struct msidom_domain *vec, *dd, *dd2;
	struct msidom_device *dev, *dev2;
	struct model m;
	struct msidom_bm_pci_config pc = { .sbdf = SBDF, .platform = &m.plat };
	struct msidom_map a, b;
	uint32_t cpu = 9;
	uint8_t v = 0;
	int fn;

	(void)state;
	model_init(&m, false, false);
	fn = model_add_fn(&m, SBDF);
	assert_int_equal(fn, 0);
	live.cap = model_msi_cap(&m, fn, 0, true, false);
	live.m = &m;
	live.pci_write = m.plat.pci_write;
	live.states = live.bad = 0;
	m.plat.pci_write = live_write;
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &vc, &vec), 0);
	live.vec = vec;
	assert_int_equal(msidom_device_create(ctx, &di2, &dev2), 0);
	assert_int_equal(msidom_device_domain_create(dev2, MSIDOM_DEFAULT_DOMAIN, &t, vec, &dd2),
			 0);
	b = msidom_msi_alloc_at(dev2, MSIDOM_DEFAULT_DOMAIN, 0, &o1); /* CPU 1 vector 32 */
	assert_int_equal(b.index, 0);
	assert_int_equal(msidom_irq_set_handler(ctx, b.virq, handler_b, NULL), 0);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_bm_pci_msi_domain_create(dev, &pc, vec, &dd), 0);
	a = msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, 0, &o0); /* CPU 0 vector 32 */
	assert_int_equal(a.index, 0);
	assert_int_equal(msidom_irq_set_handler(ctx, a.virq, handler_a, NULL), 0);

	live.states = live.bad = 0;
	hits_a = hits_b = 0;
	assert_int_equal(msidom_irq_set_affinity(ctx, a.virq, &m1), 0);
	assert_true(live.states >= 2);
	assert_int_equal(live.bad, 0);
	assert_int_equal(hits_b, 0);
	assert_int_equal(hits_a, live.states);
	/* Afterwards only the final vector is A's; the interim pair is free again. */
	assert_int_equal(msidom_bm_x86_vector_lookup(vec, a.virq, &cpu, &v), 0);
	assert_int_equal(cpu, 1);
	assert_int_equal(v, 33);
	assert_int_equal(msidom_bm_x86_vector_load(vec, 0), 0);
	assert_int_equal(msidom_bm_x86_vector_load(vec, 1), 2);
	assert_int_equal(msidom_domain_mapped(vec), 2);
	msidom_device_destroy(dev);
	msidom_device_destroy(dev2);
	assert_int_equal(msidom_domain_destroy(vec), 0);
	msidom_ctx_destroy(ctx);
}

/*
 * Per-interrupt moves: moving an interrupt whose previous move in the
 * same batch is not committed yet fails with -EBUSY and changes nothing;
 * going back to the old CPU is allowed and cancels the move.
 */
static void test_batch_move_twice(void **state)
{
	uint32_t ids[3] = { 0, 1, 2 };
	struct msidom_bm_x86_vector_config vc = { .ncpus = 3, .apic_ids = ids };
	struct msidom_device_info di = { .name = "0000:00:04.0" };
	struct msidom_ims_queue_config qc = { .base = qmem, .nr_entries = 8 };
	struct msidom_ims_info ii = { .hwsize = 0 };
	uint64_t only0 = 1, only1 = 2, only2 = 4;
	struct msidom_cpumask m0 = { 3, &only0 }, m1 = { 3, &only1 }, m2 = { 3, &only2 };
	struct msidom_alloc_opts o0 = { .affinity = &m0, .unmasked = true };
	struct msidom_ctx *ctx = test_ctx();
	struct msidom_domain *vec, *ims;
	struct msidom_device *dev;
	struct msidom_map a;
	uint32_t cpu = 9;
	uint8_t v = 0;
	size_t mem;

	(void)state;
	memset(qmem, 0, sizeof(qmem));
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &vc, &vec), 0);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_ims_queue_domain_create(dev, &ii, &qc, vec, &ims), 0);
	a = msidom_msi_alloc_at(dev, MSIDOM_SECONDARY_DOMAIN, 0, &o0);
	assert_int_equal(a.index, 0);

	assert_int_equal(msidom_domain_batch_begin(ims), 0);
	assert_int_equal(msidom_irq_set_affinity(ctx, a.virq, &m1), 0);
	mem = msidom_ctx_mem_bytes(ctx);
	assert_int_equal(msidom_irq_set_affinity(ctx, a.virq, &m2), -MSIDOM_EBUSY);
	assert_int_equal(msidom_ctx_mem_bytes(ctx), mem);
	assert_int_equal(msidom_bm_x86_vector_load(vec, 0), 1);
	assert_int_equal(msidom_bm_x86_vector_load(vec, 1), 1);
	assert_int_equal(msidom_bm_x86_vector_load(vec, 2), 0);
	assert_int_equal(msidom_domain_find_virq(vec, MSIDOM_BM_X86_HWIRQ(0, 32)), (int64_t)a.virq);
	assert_int_equal(msidom_domain_find_virq(vec, MSIDOM_BM_X86_HWIRQ(1, 32)), (int64_t)a.virq);
	/* The lookup reports the new target, not the old vector of the lower CPU. */
	assert_int_equal(msidom_bm_x86_vector_lookup(vec, a.virq, &cpu, &v), 0);
	assert_int_equal(cpu, 1);
	assert_int_equal(v, 32);
	/* Back to CPU 0 before the batch ends: the new vector goes, the old stays. */
	assert_int_equal(msidom_irq_set_affinity(ctx, a.virq, &m0), 0);
	assert_int_equal(msidom_bm_x86_vector_load(vec, 1), 0);
	assert_int_equal(msidom_domain_batch_end(ims), 0);
	assert_int_equal(entry_apic(0), 0);
	assert_int_equal(entry_vector(0), 32);
	assert_int_equal(msidom_bm_x86_vector_load(vec, 0), 1);
	assert_int_equal(msidom_domain_mapped(vec), 1);
	/* Outside a batch each move commits at once, so a second one is fine. */
	assert_int_equal(msidom_irq_set_affinity(ctx, a.virq, &m1), 0);
	assert_int_equal(msidom_irq_set_affinity(ctx, a.virq, &m2), 0);
	assert_int_equal(entry_apic(0), 2);
	assert_int_equal(msidom_bm_x86_vector_load(vec, 0), 0);
	assert_int_equal(msidom_bm_x86_vector_load(vec, 1), 0);
	assert_int_equal(msidom_bm_x86_vector_load(vec, 2), 1);
	msidom_device_destroy(dev);
	assert_int_equal(msidom_domain_destroy(vec), 0);
	msidom_ctx_destroy(ctx);
}

/* Bug 4: data wider than the 16-bit Message Data register is refused too. */
static void test_msi_rejects_wide_data(void **state)
{
	struct msidom_ctx *ctx = test_ctx();
	struct msidom_bm_doorbell_config cfg = { .doorbell = 0x8080040ull,
						 .base = 0x10000,
						 .count = 8 };
	struct msidom_device_info di = { .name = "0000:00:03.0" };
	struct msidom_alloc_opts o = { .unmasked = true };
	struct msidom_domain *db, *dd;
	struct msidom_device *dev;
	struct model m;
	struct msidom_bm_pci_config pc = { .sbdf = SBDF, .platform = &m.plat };
	struct msidom_map a;
	size_t mem;
	uint16_t cap;
	int fn;

	(void)state;
	model_init(&m, false, false);
	fn = model_add_fn(&m, SBDF);
	cap = model_msi_cap(&m, fn, 0, true, true);
	assert_int_equal(msidom_bm_doorbell_domain_create(ctx, &cfg, &db), 0);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_bm_pci_msi_domain_create(dev, &pc, db, &dd), 0);
	mem = msidom_ctx_mem_bytes(ctx);
	test_clear_log();
	a = msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, 0, &o);
	assert_int_equal(a.index, -MSIDOM_EINVAL);
	assert_non_null(strstr(test_last_log(), "does not fit"));
	assert_int_equal(model_cfg(&m, fn, (uint16_t)(cap + 2), 2) & 1u, 0);
	assert_int_equal(msidom_ctx_mem_bytes(ctx), mem);
	msidom_device_destroy(dev);
	assert_int_equal(msidom_domain_destroy(db), 0);
	msidom_ctx_destroy(ctx);
}

/*
 * Issue 5 "a missing or malformed capability -> -EINVAL": the PCI spec
 * lets the MSI-X table and PBA share a BAR (even a 4 KiB page) but they
 * must not overlap. pci_msix.c msidom_bm_pci_msix_domain_create() checks each
 * against its BAR only, so a PBA inside the table is accepted and the
 * library later programs entries over the pending bits.
 */
static void test_msix_table_pba_overlap(void **state)
{
	uint32_t ids[1] = { 0 };
	struct msidom_bm_x86_vector_config vc = { .ncpus = 1, .apic_ids = ids };
	struct msidom_device_info di = { .name = "0000:00:03.0" };
	struct msidom_ctx *ctx = test_ctx();
	struct msidom_domain *vec, *dd = NULL;
	struct msidom_device *dev;
	struct model m;
	uint64_t sizes[6] = { 0x4000 };
	struct msidom_bm_pci_config pc = { .sbdf = SBDF, .platform = &m.plat, .bar_sizes = sizes };
	int fn;

	(void)state;
	model_init(&m, false, false);
	fn = model_add_fn(&m, SBDF);
	model_set_bar(&m, fn, 0, MMIO_BASE, 0x4000, true);
	/* 64 entries = 0x400 bytes at 0x2000; the PBA at 0x2100 lies inside. */
	model_msix_cap(&m, fn, 64, 0x2000, 0x2100);
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &vc, &vec), 0);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_bm_pci_msix_domain_create(dev, &pc, vec, &dd), -MSIDOM_EINVAL);
	msidom_device_destroy(dev);
	assert_int_equal(msidom_domain_destroy(vec), 0);
	msidom_ctx_destroy(ctx);
}

/*
 * Issue 5.2/5.4, multi-message MSI through VT-d on a function without
 * mask bits: pci_msi.c enables MSI (with MME = 4) when index 0 is
 * activated, before the IRTEs of messages 1..3 are written. In that
 * window the function may send message 3, which hits a non-present IRTE
 * (a remapping fault, the interrupt is lost). Linux enables MSI only
 * after every message is set up (msi_capability_init). Every IRTE of the
 * block must be present before the enable bit is written.
 */
static void test_msi_multi_enable_after_all_irtes(void **state)
{
	uint32_t ids[1] = { 0 };
	struct msidom_bm_x86_vector_config vc = { .ncpus = 1, .apic_ids = ids };
	struct msidom_bm_vtd_ir_config ic = { .entries = 16 };
	struct msidom_device_info di = { .name = "0000:00:03.0", .requester_id = 0x18 };
	struct msidom_alloc_opts o = { .unmasked = true };
	struct msidom_ctx *ctx = test_ctx();
	struct msidom_domain *vec, *ir, *dd;
	struct msidom_device *dev;
	static _Alignas(4096) uint64_t irt[32];
	struct model m;
	struct msidom_bm_pci_config pc = { .sbdf = SBDF, .platform = &m.plat };
	bool last_present = false;
	int enable_at = -1, present_at = -1;
	uint16_t cap;
	int fn;

	(void)state;
	model_init(&m, false, false);
	fn = model_add_fn(&m, SBDF);
	cap = model_msi_cap(&m, fn, 2, true, false); /* 4 messages, 64-bit, no mask bits */
	m.irt = irt;
	m.irt_entries = 16;
	m.watch = 3; /* barriers snapshot the block's last entry */
	ic.table = irt;
	ic.platform = &m.plat;
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &vc, &vec), 0);
	assert_int_equal(msidom_bm_vtd_ir_domain_create(ctx, &ic, vec, &ir), 0);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_bm_pci_msi_domain_create(dev, &pc, ir, &dd), 0);
	model_clear_log(&m);
	assert_int_equal(msidom_msi_alloc_range(dev, MSIDOM_DEFAULT_DOMAIN, 0, 3, &o), 0);
	for (int i = 0; i < m.nlog; i++) {
		const struct ev *e = &m.log[i];

		if (e->kind == EV_BARRIER && (e->val & MSIDOM_BM_IRTE_P) && !last_present) {
			present_at = i;
			last_present = true;
		}
		if (e->kind == EV_CFG_W && e->addr == cap + 2u && (e->val & 1u) && enable_at < 0)
			enable_at = i;
	}
	print_message("IRTE 3 present at event %d, MSI enabled at event %d\n", present_at,
		      enable_at);
	assert_true(present_at >= 0 && enable_at >= 0);
	assert_true(present_at < enable_at);
	msidom_device_destroy(dev);
	assert_int_equal(msidom_domain_destroy(ir), 0);
	assert_int_equal(msidom_domain_destroy(vec), 0);
	msidom_ctx_destroy(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_two_moves_keep_old_vector),
		cmocka_unit_test(test_failed_move_commits_other),
		cmocka_unit_test(test_doorbell_multi_msi_data_aligned),
		cmocka_unit_test(test_msi32_rejects_high_address),
		cmocka_unit_test(test_msi_nomask_move_intermediate),
		cmocka_unit_test(test_msi_nomask_move_live_states),
		cmocka_unit_test(test_batch_move_twice),
		cmocka_unit_test(test_msi_rejects_wide_data),
		cmocka_unit_test(test_msix_table_pba_overlap),
		cmocka_unit_test(test_msi_multi_enable_after_all_irtes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
