/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86 vector domain: message format, vector allocation policy, affinity
 * changes and every error path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "model.h"

/* A bare device domain that records what it is asked to write. */
struct rec {
	struct msidom_msg last[64];
	int writes;
	int masks;
	/* During a write: was each hwirq mapped in the vector domain? */
	struct msidom_domain *vec;
	uint32_t watch_old, watch_new;
	bool old_mapped, new_mapped;
};

static int rec_write(struct msidom_irq_data *data, const struct msidom_msg *msg)
{
	struct rec *r = msidom_domain_priv(msidom_irq_data_domain(data));

	r->last[msidom_irq_data_hwirq(data)] = *msg;
	r->writes++;
	if (r->vec) {
		r->old_mapped = msidom_domain_find_virq(r->vec, r->watch_old) > 0;
		r->new_mapped = msidom_domain_find_virq(r->vec, r->watch_new) > 0;
	}
	return 0;
}

static int rec_mask(struct msidom_irq_data *data)
{
	struct rec *r = msidom_domain_priv(msidom_irq_data_domain(data));

	r->masks++;
	return 0;
}

static const struct msidom_chip_ops rec_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.write_msg = rec_write,
	.mask = rec_mask,
	.unmask = rec_mask,
};

struct fix {
	struct msidom_ctx *ctx;
	struct msidom_domain *vec;
	struct msidom_device *dev;
	struct msidom_domain *dd;
	struct rec rec;
};

static void setup_fix(struct fix *f, uint32_t ncpus, const uint64_t *reserved, bool ext)
{
	uint32_t ids[8] = { 0, 1, 2, 3, 300, 5, 6, 7 };
	MSIDOM_OPTS(msidom_bm_x86_vector_config, cfg, .ncpus = ncpus, .apic_ids = ids,
		    .reserved = reserved, .ext_dest_id = ext);
	MSIDOM_OPTS(msidom_device_info, di, .name = "0000:00:03.0", .requester_id = 0x18);
	MSIDOM_OPTS(msidom_template, t, .name = "TEST", .bus = MSIDOM_BUS_PCI_MSIX, .hwsize = 64,
		    .chip = &rec_chip);

	memset(f, 0, sizeof(*f));
	f->ctx = test_ctx();
	assert_int_equal(msidom_bm_x86_vector_domain_create(f->ctx, &cfg, &f->vec), 0);
	assert_int_equal(msidom_device_create(f->ctx, &di, &f->dev), 0);
	t.priv = &f->rec;
	assert_int_equal(
		msidom_device_domain_create(f->dev, MSIDOM_DEFAULT_DOMAIN, &t, f->vec, &f->dd), 0);
}

static void teardown_fix(struct fix *f)
{
	msidom_device_destroy(f->dev);
	assert_int_equal(msidom_domain_destroy(f->vec), 0);
	msidom_ctx_destroy(f->ctx);
}

static struct msidom_map alloc(struct fix *f, uint32_t index, const struct msidom_cpumask *aff,
			       bool managed)
{
	MSIDOM_OPTS(msidom_alloc_opts, o, .affinity = aff, .managed = managed, .unmasked = true);

	return msidom_msi_alloc_at(f->dev, MSIDOM_DEFAULT_DOMAIN, index, &o);
}

static void where(struct fix *f, uint32_t virq, uint32_t cpu, uint32_t vector)
{
	uint32_t c = 99;
	uint8_t v = 0;

	assert_int_equal(msidom_bm_x86_vector_lookup(f->vec, virq, &c, &v), 0);
	assert_int_equal(c, cpu);
	assert_int_equal(v, vector);
}

static void test_compose(void **state)
{
	struct msidom_msg msg;

	(void)state;
	assert_int_equal(msidom_bm_x86_compose_msi(1, 0x30, false, &msg), 0);
	assert_int_equal(msg.address_lo, 0xfee01000u);
	assert_int_equal(msg.address_hi, 0);
	assert_int_equal(msg.data, 0x30);
	assert_int_equal(msidom_bm_x86_compose_msi(255, 0xff, false, &msg), 0);
	assert_int_equal(msg.address_lo, 0xfeeff000u);
	/* APIC id 0x1234: bits 7:0 in 19:12, bits 14:8 in 11:5. */
	assert_int_equal(msidom_bm_x86_compose_msi(0x1234, 0x41, true, &msg), 0);
	assert_int_equal(msg.address_lo, 0xfee00000u | (0x34u << 12) | (0x12u << 5));
	assert_int_equal(msg.data, 0x41);
	assert_int_equal(msidom_bm_x86_compose_msi(32767, 0x20, true, &msg), 0);
	assert_int_equal(msg.address_lo, 0xfee00000u | (0xffu << 12) | (0x7fu << 5));
	assert_int_equal(msidom_bm_x86_compose_msi(256, 0x30, false, &msg), -MSIDOM_EINVAL);
	assert_int_equal(msidom_bm_x86_compose_msi(32768, 0x30, true, &msg), -MSIDOM_EINVAL);
	assert_int_equal(msidom_bm_x86_compose_msi(0, 31, false, &msg), -MSIDOM_EINVAL);
	assert_int_equal(msidom_bm_x86_compose_msi(0, 32, false, NULL), -MSIDOM_EINVAL);
}

static void test_create_errors(void **state)
{
	struct msidom_ctx *ctx = test_ctx();
	uint32_t ids[3] = { 0, 1, 1 };
	uint64_t all[4] = { ~0ull, ~0ull, ~0ull, ~0ull };
	MSIDOM_OPTS(msidom_bm_x86_vector_config, cfg, .ncpus = 3, .apic_ids = ids);
	struct msidom_domain *d = (void *)1;
	size_t mem = msidom_ctx_mem_bytes(ctx);

	(void)state;
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &cfg, &d), -MSIDOM_EINVAL);
	assert_null(d);
	assert_non_null(strstr(test_last_log(), "share APIC id 1"));
	cfg.ncpus = 0;
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &cfg, &d), -MSIDOM_EINVAL);
	cfg.ncpus = MSIDOM_BM_X86_MAX_CPUS + 1;
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &cfg, &d), -MSIDOM_EINVAL);
	cfg.ncpus = 2;
	cfg.apic_ids = NULL;
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &cfg, &d), -MSIDOM_EINVAL);
	cfg.apic_ids = ids;
	cfg.reserved = all;
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &cfg, &d), -MSIDOM_EINVAL);
	assert_non_null(strstr(test_last_log(), "every vector is reserved"));
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, NULL, &d), -MSIDOM_EINVAL);
	assert_int_equal(msidom_bm_x86_vector_domain_create(NULL, &cfg, &d), -MSIDOM_EINVAL);
	assert_int_equal(msidom_ctx_mem_bytes(ctx), mem);
	/* Queries reject other domains. */
	assert_int_equal(msidom_bm_x86_vector_load(NULL, 0), -MSIDOM_EINVAL);
	cfg.reserved = NULL;
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &cfg, &d), 0);
	assert_string_equal(msidom_domain_name(d), "VECTOR");
	assert_int_equal(msidom_domain_flags(d), MSIDOM_DOMAIN_MSI_PARENT);
	assert_int_equal(msidom_domain_hwsize(d), 512);
	assert_int_equal(msidom_bm_x86_vector_load(d, 2), -MSIDOM_EINVAL);
	assert_int_equal(msidom_domain_destroy(d), 0);
	assert_int_equal(msidom_ctx_mem_bytes(ctx), mem);
	msidom_ctx_destroy(ctx);
}

/* Least-loaded CPU of the mask, lowest free vector, reserved vectors skipped. */
static void test_alloc_policy(void **state)
{
	uint64_t res[4] = { 1ull << 33, 0, 0, 0 }; /* vector 0x21 */
	uint64_t only1 = 1u << 1, cpus23 = (1u << 2) | (1u << 3);
	struct msidom_cpumask m1 = { 2, &only1 }, m23 = { 4, &cpus23 };
	struct fix f;
	struct msidom_map a, b, c, d, e;

	(void)state;
	setup_fix(&f, 4, res, false);
	a = alloc(&f, 0, NULL, false);
	b = alloc(&f, 1, NULL, false);
	assert_int_equal(a.index, 0);
	assert_int_equal(b.index, 1);
	where(&f, a.virq, 0, 32);
	where(&f, b.virq, 1, 32);
	c = alloc(&f, 2, &m1, false);
	where(&f, c.virq, 1, 34); /* 33 reserved */
	d = alloc(&f, 3, &m23, false);
	where(&f, d.virq, 2, 32);
	e = alloc(&f, 4, NULL, false);
	where(&f, e.virq, 3, 32);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 1);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 1), 2);
	/* The message the device got: APIC id of CPU 1, vector 34. */
	assert_int_equal(f.rec.last[2].address_lo, 0xfee01000u);
	assert_int_equal(f.rec.last[2].data, 34);
	/* Dispatch by (cpu, vector). */
	assert_int_equal(msidom_domain_find_virq(f.vec, MSIDOM_BM_X86_HWIRQ(1, 34)), c.virq);
	/* Freeing releases the vector for reuse. */
	assert_int_equal(msidom_msi_free(f.dev, MSIDOM_DEFAULT_DOMAIN, 2), 0);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 1), 1);
	assert_int_equal(msidom_domain_find_virq(f.vec, MSIDOM_BM_X86_HWIRQ(1, 34)),
			 -MSIDOM_ENOENT);
	assert_int_equal(msidom_bm_x86_vector_lookup(f.vec, c.virq, NULL, NULL), -MSIDOM_ENOENT);
	teardown_fix(&f);
}

static void test_exhaustion(void **state)
{
	/* Only vectors 0xfe and 0xff are left. */
	uint64_t res[4] = { ~0ull, ~0ull, ~0ull, ~0ull >> 2 };
	uint64_t none = 1u << 5;
	struct msidom_cpumask bad = { 6, &none };
	struct fix f;
	struct msidom_map a, b, c;
	size_t mem;
	int writes;

	(void)state;
	setup_fix(&f, 1, res, false);
	a = alloc(&f, MSIDOM_INDEX_ANY, NULL, false);
	b = alloc(&f, MSIDOM_INDEX_ANY, NULL, false);
	where(&f, a.virq, 0, 0xfe);
	where(&f, b.virq, 0, 0xff);
	mem = msidom_ctx_mem_bytes(f.ctx);
	writes = f.rec.writes;
	c = alloc(&f, MSIDOM_INDEX_ANY, NULL, false);
	assert_int_equal(c.index, -MSIDOM_ENOSPC);
	assert_int_equal(c.virq, 0);
	assert_int_equal(f.rec.writes, writes);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 2);
	assert_int_equal(msidom_domain_mapped(f.vec), 2);
	assert_int_equal(msidom_ctx_mem_bytes(f.ctx), mem);
	/* A mask naming no CPU of the domain. */
	assert_int_equal(msidom_msi_free(f.dev, MSIDOM_DEFAULT_DOMAIN, 1), 0);
	writes = f.rec.writes;
	c = alloc(&f, MSIDOM_INDEX_ANY, &bad, false);
	assert_int_equal(c.index, -MSIDOM_EINVAL);
	assert_int_equal(f.rec.writes, writes);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 1);
	teardown_fix(&f);
}

/* An APIC id above 255 needs the extended destination id. */
static void test_ext_dest(void **state)
{
	uint64_t cpu4 = 1u << 4;
	struct msidom_cpumask m4 = { 5, &cpu4 };
	struct fix f;
	struct msidom_map a;

	(void)state;
	setup_fix(&f, 5, NULL, false);
	a = alloc(&f, 0, &m4, false);
	assert_int_equal(a.index, -MSIDOM_EINVAL);
	assert_int_equal(f.rec.writes, 0);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 4), 0);
	teardown_fix(&f);

	setup_fix(&f, 5, NULL, true);
	a = alloc(&f, 0, &m4, false);
	assert_int_equal(a.index, 0);
	assert_int_equal(f.rec.last[0].address_lo, 0xfee00000u | (300u & 0xff) << 12 | (1u << 5));
	teardown_fix(&f);
}

static int handled;

static void handler(uint32_t virq, void *arg)
{
	(void)virq;
	(void)arg;
	handled++;
}

/* New vector first, both mapped while the message switches, old released after. */
static void test_affinity(void **state)
{
	uint64_t only1 = 1u << 1, only0 = 1u;
	struct msidom_cpumask m1 = { 2, &only1 }, m0 = { 1, &only0 };
	struct fix f;
	struct msidom_map a, b;

	(void)state;
	setup_fix(&f, 2, NULL, false);
	a = alloc(&f, 0, &m0, false);
	where(&f, a.virq, 0, 32);
	assert_int_equal(msidom_irq_set_handler(f.ctx, a.virq, handler, NULL), 0);
	f.rec.vec = f.vec;
	f.rec.watch_old = MSIDOM_BM_X86_HWIRQ(0, 32);
	f.rec.watch_new = MSIDOM_BM_X86_HWIRQ(1, 32);
	f.rec.masks = 0;
	assert_int_equal(msidom_irq_set_affinity(f.ctx, a.virq, &m1), 0);
	assert_true(f.rec.old_mapped);
	assert_true(f.rec.new_mapped);
	assert_int_equal(f.rec.masks, 2); /* masked across the rewrite */
	where(&f, a.virq, 1, 32);
	assert_int_equal(f.rec.last[0].address_lo, 0xfee01000u);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 0);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 1), 1);
	assert_int_equal(msidom_desc_cpu(msidom_irq_desc(f.ctx, a.virq)), 1);
	handled = 0;
	assert_int_equal(msidom_handle(f.vec, MSIDOM_BM_X86_HWIRQ(0, 32)), -MSIDOM_ENOENT);
	assert_int_equal(msidom_handle(f.vec, MSIDOM_BM_X86_HWIRQ(1, 32)), 0);
	assert_int_equal(handled, 1);
	/* Already on an allowed CPU: nothing moves. */
	f.rec.vec = NULL;
	assert_int_equal(msidom_irq_set_affinity(f.ctx, a.virq, NULL), 0);
	where(&f, a.virq, 1, 32);
	/* Managed vectors never move and nothing changes. */
	b = alloc(&f, 1, &m0, true);
	where(&f, b.virq, 0, 32);
	assert_int_equal(msidom_irq_set_affinity(f.ctx, b.virq, &m1), -MSIDOM_EPERM);
	where(&f, b.virq, 0, 32);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 1), 1);
	teardown_fix(&f);
}

/* Moving to a full CPU fails with nothing changed. */
static void test_affinity_full(void **state)
{
	uint64_t res[4] = { ~0ull, ~0ull, ~0ull, ~0ull >> 1 }; /* only 0xff */
	uint64_t only1 = 2, only0 = 1;
	struct msidom_cpumask m1 = { 2, &only1 }, m0 = { 1, &only0 };
	struct fix f;
	struct msidom_map a, b;
	int writes;

	(void)state;
	setup_fix(&f, 2, res, false);
	a = alloc(&f, 0, &m0, false);
	b = alloc(&f, 1, &m1, false);
	where(&f, a.virq, 0, 0xff);
	where(&f, b.virq, 1, 0xff);
	writes = f.rec.writes;
	assert_int_equal(msidom_irq_set_affinity(f.ctx, a.virq, &m1), -MSIDOM_ENOSPC);
	where(&f, a.virq, 0, 0xff);
	/* The revert may rewrite the unchanged message; what the device holds stays. */
	assert_true(f.rec.writes <= writes + 1);
	assert_int_equal(f.rec.last[0].address_lo, 0xfee00000u);
	assert_int_equal(f.rec.last[0].data, 0xff);
	assert_int_equal(msidom_domain_mapped(f.vec), 2);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 1);
	teardown_fix(&f);
}

/* Host-memory IMS entries (address lo, address hi, data, control) of a queue domain. */
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
 * An IMS queue domain (entries in qmem, which only change when a batch
 * ends) of one device on an x86 vector domain of @ncpus CPUs, APIC id =
 * CPU index; cpu[n] is the mask of CPU n alone.
 */
struct queue_fix {
	struct msidom_ctx *ctx;
	struct msidom_domain *vec, *ims;
	struct msidom_device *dev;
	uint64_t bits[3];
	struct msidom_cpumask cpu[3];
};

static void queue_setup(struct queue_fix *f, uint32_t ncpus, const uint64_t *reserved)
{
	uint32_t ids[3] = { 0, 1, 2 };
	MSIDOM_OPTS(msidom_bm_x86_vector_config, vc, .ncpus = ncpus, .apic_ids = ids,
		    .reserved = reserved);
	MSIDOM_OPTS(msidom_device_info, di, .name = "0000:00:04.0");
	MSIDOM_OPTS(msidom_ims_queue_config, qc, .base = qmem, .nr_entries = 8);
	MSIDOM_OPTS(msidom_ims_info, ii, .hwsize = 0);

	memset(qmem, 0, sizeof(qmem));
	for (uint32_t c = 0; c < 3; c++) {
		f->bits[c] = 1ull << c;
		f->cpu[c] = (struct msidom_cpumask){ ncpus, &f->bits[c] };
	}
	f->ctx = test_ctx();
	assert_int_equal(msidom_bm_x86_vector_domain_create(f->ctx, &vc, &f->vec), 0);
	assert_int_equal(msidom_device_create(f->ctx, &di, &f->dev), 0);
	assert_int_equal(msidom_ims_queue_domain_create(f->dev, &ii, &qc, f->vec, &f->ims), 0);
}

/* An unmasked interrupt at @index on @cpu (asserts success). */
static struct msidom_map queue_alloc(struct queue_fix *f, uint32_t index, uint32_t cpu)
{
	MSIDOM_OPTS(msidom_alloc_opts, o, .affinity = &f->cpu[cpu], .unmasked = true);
	struct msidom_map m = msidom_msi_alloc_at(f->dev, MSIDOM_SECONDARY_DOMAIN, index, &o);

	assert_int_equal(m.index, (int32_t)index);
	return m;
}

static void queue_teardown(struct queue_fix *f)
{
	msidom_device_destroy(f->dev);
	assert_int_equal(msidom_domain_destroy(f->vec), 0);
	msidom_ctx_destroy(f->ctx);
}

/*
 * An affinity change allocates the new vector, switches the message and
 * releases the old vector only after the switch. Two changes inside one
 * caller batch on an IMS queue domain: the second change must not commit
 * the first one early, or A's old vector would be released while A's
 * entry still targets it, and handed to B at once.
 */
static void test_two_moves_in_a_batch_keep_each_old_vector_until_its_end(void **state)
{
	struct queue_fix f;
	struct msidom_map a, b;

	(void)state;
	queue_setup(&f, 2, NULL);
	a = queue_alloc(&f, 0, 0);
	b = queue_alloc(&f, 1, 1);
	/* A: CPU 0 vector 32; B: CPU 1 vector 32. */
	assert_int_equal(entry_apic(0), 0);
	assert_int_equal(entry_vector(0), 32);
	assert_int_equal(entry_apic(1), 1);
	assert_int_equal(entry_vector(1), 32);

	assert_int_equal(msidom_domain_batch_begin(f.ims), 0);
	assert_int_equal(msidom_irq_set_affinity(f.ctx, a.virq, &f.cpu[1]), 0);
	assert_int_equal(msidom_irq_set_affinity(f.ctx, b.virq, &f.cpu[0]), 0);
	/* The batch is open: A's entry still holds CPU 0 vector 32 ... */
	assert_int_equal(entry_apic(0), 0);
	assert_int_equal(entry_vector(0), 32);
	/* ... so that vector must still belong to A (not released, not B's). */
	assert_int_equal(msidom_domain_find_virq(f.vec, MSIDOM_BM_X86_HWIRQ(0, 32)),
			 (int64_t)a.virq);
	assert_int_equal(msidom_domain_batch_end(f.ims), 0);
	queue_teardown(&f);
}

/*
 * A failing set_affinity leaves the state exactly as before: here the
 * failing call (no room on CPU 1) must not commit another vector's
 * unfinished move on its way out, which would release a vector A's entry
 * still targets.
 */
static void test_failed_move_leaves_another_pending_move_alone(void **state)
{
	static const uint64_t only_fe_ff[4] = { ~0ull, ~0ull, ~0ull, ~0ull >> 2 };
	struct queue_fix f;
	struct msidom_map a, c;

	(void)state;
	queue_setup(&f, 2, only_fe_ff);
	a = queue_alloc(&f, 0, 0); /* CPU0 0xfe */
	queue_alloc(&f, 1, 1);     /* CPU1 0xfe */
	c = queue_alloc(&f, 2, 0); /* CPU0 0xff */

	assert_int_equal(msidom_domain_batch_begin(f.ims), 0);
	/* A moves to CPU 1 (0xff there), its old CPU0/0xfe is held. */
	assert_int_equal(msidom_irq_set_affinity(f.ctx, a.virq, &f.cpu[1]), 0);
	/* C cannot move to CPU 1 (full): must fail and change nothing. */
	assert_int_equal(msidom_irq_set_affinity(f.ctx, c.virq, &f.cpu[1]), -MSIDOM_ENOSPC);
	assert_int_equal(entry_vector(0), 0xfe);
	assert_int_equal(msidom_domain_find_virq(f.vec, MSIDOM_BM_X86_HWIRQ(0, 0xfe)),
			 (int64_t)a.virq);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 2);
	assert_int_equal(msidom_domain_batch_end(f.ims), 0);
	queue_teardown(&f);
}

/*
 * Per-interrupt moves: moving an interrupt whose previous move in the
 * same batch is not committed yet fails with -EBUSY and changes nothing;
 * going back to the old CPU is allowed and cancels the move.
 */
static void test_second_move_in_a_batch_is_busy_and_moving_back_cancels(void **state)
{
	struct queue_fix f;
	struct msidom_map a;
	uint32_t cpu = 9;
	uint8_t v = 0;
	size_t mem;

	(void)state;
	queue_setup(&f, 3, NULL);
	a = queue_alloc(&f, 0, 0);

	assert_int_equal(msidom_domain_batch_begin(f.ims), 0);
	assert_int_equal(msidom_irq_set_affinity(f.ctx, a.virq, &f.cpu[1]), 0);
	mem = msidom_ctx_mem_bytes(f.ctx);
	assert_int_equal(msidom_irq_set_affinity(f.ctx, a.virq, &f.cpu[2]), -MSIDOM_EBUSY);
	assert_int_equal(msidom_ctx_mem_bytes(f.ctx), mem);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 1);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 1), 1);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 2), 0);
	assert_int_equal(msidom_domain_find_virq(f.vec, MSIDOM_BM_X86_HWIRQ(0, 32)),
			 (int64_t)a.virq);
	assert_int_equal(msidom_domain_find_virq(f.vec, MSIDOM_BM_X86_HWIRQ(1, 32)),
			 (int64_t)a.virq);
	/* The lookup reports the new target, not the old vector of the lower CPU. */
	assert_int_equal(msidom_bm_x86_vector_lookup(f.vec, a.virq, &cpu, &v), 0);
	assert_int_equal(cpu, 1);
	assert_int_equal(v, 32);
	/* Back to CPU 0 before the batch ends: the new vector goes, the old stays. */
	assert_int_equal(msidom_irq_set_affinity(f.ctx, a.virq, &f.cpu[0]), 0);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 1), 0);
	assert_int_equal(msidom_domain_batch_end(f.ims), 0);
	assert_int_equal(entry_apic(0), 0);
	assert_int_equal(entry_vector(0), 32);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 1);
	assert_int_equal(msidom_domain_mapped(f.vec), 1);
	/* Outside a batch each move commits at once, so a second one is fine. */
	assert_int_equal(msidom_irq_set_affinity(f.ctx, a.virq, &f.cpu[1]), 0);
	assert_int_equal(msidom_irq_set_affinity(f.ctx, a.virq, &f.cpu[2]), 0);
	assert_int_equal(entry_apic(0), 2);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 0);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 1), 0);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 2), 1);
	queue_teardown(&f);
}

/*
 * A guest rewriting its table frees an interrupt and allocates the same
 * index again (explicitly, then as ANY) inside one batch: the new
 * interrupt gets another vector, because the entry still targets the old
 * one until the batch ends, and the old vector is released after that.
 */
static void test_free_and_realloc_of_one_index_in_a_batch_gets_a_fresh_vector(void **state)
{
	struct queue_fix f;
	struct msidom_map a, b;

	(void)state;
	queue_setup(&f, 1, NULL);
	a = queue_alloc(&f, 0, 0);
	assert_int_equal(entry_vector(0), 32);

	assert_int_equal(msidom_domain_batch_begin(f.ims), 0);
	assert_int_equal(msidom_msi_free(f.dev, MSIDOM_SECONDARY_DOMAIN, 0), 0);
	b = queue_alloc(&f, 0, 0);
	assert_int_not_equal(b.virq, 0);
	/* The entry still holds vector 32, which still belongs to the old interrupt. */
	assert_int_equal(entry_vector(0), 32);
	assert_int_equal(msidom_domain_find_virq(f.vec, MSIDOM_BM_X86_HWIRQ(0, 32)),
			 (int64_t)a.virq);
	assert_int_equal(msidom_msi_free(f.dev, MSIDOM_SECONDARY_DOMAIN, 0), 0);
	MSIDOM_OPTS(msidom_alloc_opts, o, .affinity = &f.cpu[0], .unmasked = true);
	b = msidom_msi_alloc_at(f.dev, MSIDOM_SECONDARY_DOMAIN, MSIDOM_INDEX_ANY, &o);
	assert_int_equal(b.index, 0);
	assert_int_equal(msidom_domain_batch_end(f.ims), 0);

	assert_int_equal(entry_vector(0), 34);
	assert_int_equal(msidom_domain_find_virq(f.vec, MSIDOM_BM_X86_HWIRQ(0, 34)),
			 (int64_t)b.virq);
	assert_int_equal(msidom_domain_find_virq(f.vec, MSIDOM_BM_X86_HWIRQ(0, 32)),
			 -MSIDOM_ENOENT);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 1);
	assert_int_equal(msidom_domain_mapped(f.vec), 1);
	queue_teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compose),
		cmocka_unit_test(test_free_and_realloc_of_one_index_in_a_batch_gets_a_fresh_vector),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_alloc_policy),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_ext_dest),
		cmocka_unit_test(test_affinity),
		cmocka_unit_test(test_affinity_full),
		cmocka_unit_test(test_two_moves_in_a_batch_keep_each_old_vector_until_its_end),
		cmocka_unit_test(test_failed_move_leaves_another_pending_move_alone),
		cmocka_unit_test(test_second_move_in_a_batch_is_busy_and_moving_back_cancels),
	};

	return cmocka_run_group_tests_name("baremetal-x86", tests, NULL, NULL);
}
