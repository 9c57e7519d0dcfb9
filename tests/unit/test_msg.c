/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Messages: activation composes and writes, deactivation writes
 * zero, set_affinity asks the parents and rewrites the message with the
 * vector masked across the update (not on IMMUTABLE), affinity_commit runs
 * after. Also masking, refresh and batches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sim.h"

#define DEF MSIDOM_DEFAULT_DOMAIN
#define SEC MSIDOM_SECONDARY_DOMAIN

static const struct msidom_alloc_opts unmasked = { .sz = sizeof(struct msidom_alloc_opts),
						   .unmasked = true };

static void assert_msg_is(const struct msidom_msg *m, uint32_t lo, uint32_t data)
{
	assert_int_equal(m->address_lo, lo);
	assert_int_equal(m->address_hi, 0);
	assert_int_equal(m->data, data);
}

static void test_activation_writes(void **state)
{
	struct sim *s = sim_new(NULL);
	uint32_t v0 = sim_alloc_virq(s, 0, NULL), v1 = sim_alloc_virq(s, 1, NULL);
	struct msidom_msg m0 = msidom_desc_msg(msidom_irq_desc(s->ctx, v0));

	(void)state;
	(void)v1;
	assert_msg_is(&m0, SIM_MSIX_ADDR, SIM_VEC_FIRST);
	assert_msg_is(&s->dev_lv.table[0], SIM_MSIX_ADDR, SIM_VEC_FIRST);
	assert_msg_is(&s->dev_lv.table[1], SIM_MSIX_ADDR, SIM_VEC_FIRST + 1);
	/* Deactivation writes a zeroed message to the device. */
	assert_int_equal(msidom_msi_free(s->dev, DEF, 0), 0);
	assert_msg_is(&s->dev_lv.table[0], 0, 0);
	assert_msg_is(&s->dev_lv.table[1], SIM_MSIX_ADDR, SIM_VEC_FIRST + 1);
	sim_free(s);
}

static void test_set_affinity_sequence(void **state)
{
	struct sim *s = sim_new(NULL);
	struct sim_mask cpu;
	uint32_t v = sim_alloc_virq(s, 4, &unmasked);
	struct msidom_desc *d = msidom_irq_desc(s->ctx, v);

	(void)state;
	assert_int_equal(msidom_irq_set_handler(s->ctx, v, sim_handler, s), 0);
	sim_log_clear(s);
	assert_int_equal(msidom_irq_set_affinity(s->ctx, v, sim_cpu(&cpu, 2)), 0);
	/*
	 * The nearest level with set_affinity (IR) forwards to VEC; the new
	 * message is written with the vector masked; once the batch reached
	 * the device, the old vector is released in commit, root first.
	 */
	assert_string_equal(sim_log(s), "bus_lock:DEV set_affinity:IR set_affinity:VEC mask:DEV "
					"compose:VEC write:DEV unmask:DEV sync:DEV commit:VEC "
					"commit:IR");
	assert_int_equal(msidom_desc_cpu(d), 2);
	assert_false(msidom_desc_masked(d));
	assert_int_equal(s->dev_lv.masked[4], 0);
	assert_msg_is(&s->dev_lv.table[4], SIM_MSIX_ADDR | 2u << 12, SIM_VEC_FIRST);
	{
		struct msidom_msg m = msidom_desc_msg(d);

		assert_memory_equal(&m, &s->dev_lv.table[4], sizeof(m));
	}
	/* The old vector is gone from the root's reverse map; the new one dispatches. */
	assert_int_equal(msidom_domain_find_virq(s->vec.d, SIM_VEC_FIRST), -MSIDOM_ENOENT);
	assert_int_equal(msidom_domain_find_virq(s->vec.d, 2 * 256 + SIM_VEC_FIRST), v);
	assert_int_equal(msidom_domain_mapped(s->vec.d), 1);
	assert_int_equal(s->vec.nr_used, 1);
	assert_int_equal(msidom_handle(s->vec.d, 2 * 256 + SIM_VEC_FIRST), 0);
	assert_int_equal(s->handled, 1);

	/* A masked vector is rewritten without mask/unmask around it. */
	assert_int_equal(msidom_irq_mask(s->ctx, v), 0);
	sim_log_clear(s);
	assert_int_equal(msidom_irq_set_affinity(s->ctx, v, sim_cpu(&cpu, 1)), 0);
	assert_string_equal(sim_log(s), "bus_lock:DEV set_affinity:IR set_affinity:VEC "
					"compose:VEC write:DEV sync:DEV commit:VEC commit:IR");
	assert_true(msidom_desc_masked(d));
	assert_msg_is(&s->dev_lv.table[4], SIM_MSIX_ADDR | 1u << 12, SIM_VEC_FIRST);

	/* NULL mask: any CPU (the vector domain picks CPU 0). */
	assert_int_equal(msidom_irq_set_affinity(s->ctx, v, NULL), 0);
	assert_int_equal(msidom_desc_cpu(d), 0);
	assert_int_equal(msidom_domain_mapped(s->vec.d), 1);
	sim_free(s);
}

static void test_set_affinity_immutable(void **state)
{
	struct sim *s = sim_new(
		&(struct sim_cfg){ .ir_compose = true, .ir_flags = MSIDOM_DOMAIN_IMMUTABLE });
	struct sim_mask cpu;
	uint32_t v = sim_alloc_virq(s, 0, &unmasked);
	struct msidom_msg before = s->dev_lv.table[0];

	(void)state;
	assert_msg_is(&before, SIM_IR_ADDR, 0);
	sim_log_clear(s);
	assert_int_equal(msidom_irq_set_affinity(s->ctx, v, sim_cpu(&cpu, 3)), 0);
	/* The remapping entry moves; the device's message never changes. */
	assert_string_equal(sim_log(s), "bus_lock:DEV set_affinity:IR set_affinity:VEC compose:VEC "
					"sync:DEV commit:VEC commit:IR");
	assert_memory_equal(&s->dev_lv.table[0], &before, sizeof(before));
	assert_msg_is(&s->ir.table[0], SIM_MSIX_ADDR | 3u << 12, SIM_VEC_FIRST);
	assert_int_equal(msidom_desc_cpu(msidom_irq_desc(s->ctx, v)), 3);
	assert_false(msidom_desc_masked(msidom_irq_desc(s->ctx, v)));
	sim_free(s);
}

/* Not immutable: the same composing IR level rewrites (masked). */
static void test_set_affinity_ir_mutable(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ir_compose = true });
	struct sim_mask cpu;
	uint32_t v = sim_alloc_virq(s, 0, &unmasked);

	(void)state;
	sim_log_clear(s);
	assert_int_equal(msidom_irq_set_affinity(s->ctx, v, sim_cpu(&cpu, 3)), 0);
	assert_string_equal(sim_log(s), "bus_lock:DEV set_affinity:IR set_affinity:VEC compose:VEC "
					"mask:DEV compose:IR compose:VEC write:DEV unmask:DEV "
					"sync:DEV commit:VEC commit:IR");
	sim_free(s);
}

static void test_set_affinity_errors(void **state)
{
	struct sim *s = sim_new(NULL);
	struct sim_mask cpu;
	uint32_t v = sim_alloc_virq(s, 0, &unmasked);
	uint32_t managed =
		sim_alloc_virq(s, 1,
			       &(struct msidom_alloc_opts){ .sz = sizeof(struct msidom_alloc_opts),
							    .managed = true });
	struct msidom_desc *d = msidom_irq_desc(s->ctx, v);
	struct msidom_cpumask empty = { 0, cpu.bits };
	struct msidom_cpumask nobits = { 64, NULL };
	uint64_t none = 0;
	struct msidom_cpumask zero = { 64, &none };

	(void)state;
	sim_log_clear(s);
	assert_int_equal(msidom_irq_set_affinity(s->ctx, managed, sim_cpu(&cpu, 1)), -MSIDOM_EPERM);
	assert_int_equal(msidom_irq_set_affinity(s->ctx, 999, sim_cpu(&cpu, 1)), -MSIDOM_ENOENT);
	assert_int_equal(msidom_irq_set_affinity(s->ctx, 0, sim_cpu(&cpu, 1)), -MSIDOM_ENOENT);
	assert_int_equal(msidom_irq_set_affinity(NULL, v, sim_cpu(&cpu, 1)), -MSIDOM_EINVAL);
	assert_int_equal(msidom_irq_set_affinity(s->ctx, v, &empty), -MSIDOM_EINVAL);
	assert_int_equal(msidom_irq_set_affinity(s->ctx, v, &nobits), -MSIDOM_EINVAL);
	assert_string_equal(sim_log(s), "");
	/* An empty set: the vector domain refuses, nothing moves. */
	assert_int_equal(msidom_irq_set_affinity(s->ctx, v, &zero), -MSIDOM_EINVAL);
	assert_int_equal(msidom_desc_cpu(d), 0);
	assert_int_equal(msidom_irq_set_affinity(s->ctx, v, sim_cpu(&cpu, SIM_CPUS)),
			 -MSIDOM_EINVAL);

	/* The write of the new message fails: the vector goes back to its CPU. */
	sim_log_clear(s);
	sim_fail(s, "write:DEV", 1, -MSIDOM_EIO);
	assert_int_equal(msidom_irq_set_affinity(s->ctx, v, sim_cpu(&cpu, 2)), -MSIDOM_EIO);
	assert_string_equal(sim_log(s),
			    "bus_lock:DEV set_affinity:IR set_affinity:VEC mask:DEV "
			    "compose:VEC write:DEV! unmask:DEV set_affinity:IR "
			    "set_affinity:VEC mask:DEV compose:VEC write:DEV unmask:DEV "
			    "sync:DEV commit:VEC commit:IR");
	assert_int_equal(msidom_desc_cpu(d), 0);
	assert_false(msidom_desc_masked(d));
	assert_int_equal(s->dev_lv.masked[0], 0);
	assert_int_equal(s->dev_lv.table[0].address_lo, SIM_MSIX_ADDR); /* CPU 0 again */
	{
		struct msidom_msg m = msidom_desc_msg(d);

		assert_memory_equal(&m, &s->dev_lv.table[0], sizeof(m));
	}
	/* Nothing leaked at the root: one vector each, both mapped once. */
	assert_int_equal(s->vec.nr_used, 2);
	assert_int_equal(msidom_domain_mapped(s->vec.d), 2);

	/* Refresh rewrites in place, masked across. */
	sim_log_clear(s);
	assert_int_equal(msidom_irq_refresh_msg(s->ctx, v), 0);
	assert_string_equal(sim_log(s), "bus_lock:DEV mask:DEV compose:VEC write:DEV unmask:DEV "
					"sync:DEV");
	assert_int_equal(msidom_irq_refresh_msg(s->ctx, 999), -MSIDOM_ENOENT);
	assert_int_equal(msidom_irq_refresh_msg(NULL, v), -MSIDOM_EINVAL);
	sim_fail(s, "compose:VEC", 1, -MSIDOM_EIO);
	assert_int_equal(msidom_irq_refresh_msg(s->ctx, v), -MSIDOM_EIO);
	assert_false(msidom_desc_masked(d));
	sim_free(s);
}

/* ---- a small hierarchy of its own, to see where mask/unmask land ---- */

struct mlog {
	unsigned int root_mask, root_unmask, dev_mask;
	bool forward;
};

static struct mlog *mlog_of(const struct msidom_irq_data *data)
{
	return msidom_domain_priv(msidom_irq_data_domain(data));
}

static int root_mask(struct msidom_irq_data *data)
{
	mlog_of(data)->root_mask++;
	return 0;
}

static int root_unmask(struct msidom_irq_data *data)
{
	mlog_of(data)->root_unmask++;
	return 0;
}

static int fwd_mask(struct msidom_irq_data *data)
{
	struct mlog *l = mlog_of(data);

	l->dev_mask++;
	return l->forward ? msidom_irq_data_parent_mask(data) : 0;
}

static const struct msidom_chip_ops root_chip = { .sz = sizeof(struct msidom_chip_ops),
						  .mask = root_mask,
						  .unmask = root_unmask };
static const struct msidom_chip_ops fwd_chip = { .sz = sizeof(struct msidom_chip_ops),
						 .mask = fwd_mask };

static void test_mask_levels(void **state)
{
	struct sim *s = sim_new(NULL);
	struct mlog l = { 0 };
	MSIDOM_OPTS(msidom_domain_info, info, .name = "R", .flags = MSIDOM_DOMAIN_MSI_PARENT,
		    .hwsize = 4096, .chip = &root_chip, .priv = &l);
	struct msidom_domain *root, *dd;
	MSIDOM_OPTS(msidom_template, t, .name = "T", .hwsize = 8, .priv = &l);
	uint32_t v;

	(void)state;
	assert_int_equal(msidom_domain_create(s->ctx, &info, NULL, &root), 0);
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, root, &dd), 0);
	v = msidom_msi_alloc_at(s->dev, SEC, 0, NULL).virq;
	/* Masked at allocation by state only: no op ran. */
	assert_int_equal(l.root_mask, 0);
	/* The device level has no mask: the root's runs. */
	assert_int_equal(msidom_irq_unmask(s->ctx, v), 0);
	assert_int_equal(l.root_unmask, 1);
	assert_int_equal(msidom_irq_mask(s->ctx, v), 0);
	assert_int_equal(l.root_mask, 1);
	assert_true(msidom_desc_masked(msidom_irq_desc(s->ctx, v)));
	assert_int_equal(msidom_device_domain_destroy(s->dev, SEC), 0);

	/* The device level masks; it may forward to its parent. */
	t.chip = &fwd_chip;
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, root, &dd), 0);
	v = msidom_msi_alloc_at(s->dev, SEC, 0, &unmasked).virq;
	assert_int_equal(l.root_unmask, 2);
	assert_int_equal(msidom_irq_mask(s->ctx, v), 0);
	assert_int_equal(l.dev_mask, 1);
	assert_int_equal(l.root_mask, 1);
	assert_int_equal(msidom_irq_unmask(s->ctx, v), 0);
	l.forward = true;
	assert_int_equal(msidom_irq_mask(s->ctx, v), 0);
	assert_int_equal(l.dev_mask, 2);
	assert_int_equal(l.root_mask, 2);
	assert_int_equal(msidom_device_domain_destroy(s->dev, SEC), 0);

	/* No mask anywhere: only the state is recorded. */
	t.chip = NULL;
	info.chip = NULL;
	info.name = "R2";
	assert_int_equal(msidom_domain_create(s->ctx, &info, NULL, &root), 0);
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, root, &dd), 0);
	v = msidom_msi_alloc_at(s->dev, SEC, 0, NULL).virq;
	assert_int_equal(msidom_irq_unmask(s->ctx, v), 0);
	assert_false(msidom_desc_masked(msidom_irq_desc(s->ctx, v)));
	assert_int_equal(msidom_irq_mask(s->ctx, v), 0);
	assert_true(msidom_desc_masked(msidom_irq_desc(s->ctx, v)));
	/* ...and no level can retarget. */
	assert_int_equal(msidom_irq_set_affinity(s->ctx, v, NULL), -MSIDOM_ENOSYS);
	sim_free(s);
}

static void test_mask_unmask(void **state)
{
	struct sim *s = sim_new(NULL);
	uint32_t v = sim_alloc_virq(s, 2, NULL);
	struct msidom_desc *d = msidom_irq_desc(s->ctx, v);

	(void)state;
	sim_log_clear(s);
	assert_int_equal(msidom_irq_unmask(s->ctx, v), 0);
	assert_string_equal(sim_log(s), "bus_lock:DEV unmask:DEV sync:DEV");
	assert_false(msidom_desc_masked(d));
	assert_int_equal(s->dev_lv.masked[2], 0);
	assert_int_equal(msidom_irq_mask(s->ctx, v), 0);
	assert_true(msidom_desc_masked(d));
	assert_int_equal(s->dev_lv.masked[2], 1);

	/* A failing op leaves the state as it was. */
	sim_fail(s, "unmask:DEV", 1, -MSIDOM_EIO);
	assert_int_equal(msidom_irq_unmask(s->ctx, v), -MSIDOM_EIO);
	assert_true(msidom_desc_masked(d));
	/* So does a failing batch sync (the update never reached the device). */
	sim_fail(s, "sync:DEV", 1, -MSIDOM_EIO);
	assert_int_equal(msidom_irq_unmask(s->ctx, v), -MSIDOM_EIO);
	assert_true(msidom_desc_masked(d));
	assert_int_equal(msidom_irq_unmask(s->ctx, v), 0);
	sim_fail(s, "sync:DEV", 1, -MSIDOM_EIO);
	assert_int_equal(msidom_irq_mask(s->ctx, v), -MSIDOM_EIO);
	assert_false(msidom_desc_masked(d));

	assert_int_equal(msidom_irq_mask(s->ctx, 999), -MSIDOM_ENOENT);
	assert_int_equal(msidom_irq_unmask(s->ctx, 0), -MSIDOM_ENOENT);
	assert_int_equal(msidom_irq_mask(NULL, v), -MSIDOM_EINVAL);
	assert_int_equal(msidom_irq_unmask(NULL, v), -MSIDOM_EINVAL);
	sim_free(s);
}

static void test_batches(void **state)
{
	struct sim *s = sim_new(NULL);
	uint32_t v;

	(void)state;
	assert_int_equal(msidom_domain_batch_begin(s->dev_lv.d), 0);
	assert_int_equal(msidom_domain_batch_begin(s->dev_lv.d), 0);
	assert_string_equal(sim_log(s), "bus_lock:DEV");
	v = sim_alloc_virq(s, 0, NULL);
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 1, 2, &unmasked), 0);
	assert_int_equal(msidom_irq_unmask(s->ctx, v), 0);
	assert_int_equal(msidom_irq_set_affinity(s->ctx, v, NULL), 0);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 1), 0);
	assert_int_equal(msidom_domain_batch_end(s->dev_lv.d), 0);
	/* Nested batches and per-operation batches: still one lock, no sync yet. */
	assert_int_equal(sim_count(s, "bus_lock:DEV"), 1);
	assert_int_equal(sim_count(s, "sync:DEV"), 0);
	assert_int_equal(msidom_domain_batch_end(s->dev_lv.d), 0);
	assert_int_equal(sim_count(s, "sync:DEV"), 1);
	/*
	 * The batch's affinity change is committed, and the parents' part of
	 * the vector freed in it released, only once the device has the batch.
	 */
	{
		const char *tail = "sync:DEV commit:VEC commit:IR free:DEV free:IR free:VEC";
		size_t n = strlen(tail), len = strlen(sim_log(s));

		assert_true(len > n);
		assert_string_equal(sim_log(s) + len - n, tail);
	}
	assert_int_equal(msidom_domain_batch_end(s->dev_lv.d), -MSIDOM_EINVAL);
	assert_int_equal(msidom_domain_batch_begin(NULL), -MSIDOM_EINVAL);
	assert_int_equal(msidom_domain_batch_end(NULL), -MSIDOM_EINVAL);

	/* The outermost end reports the sync's error. */
	assert_int_equal(msidom_domain_batch_begin(s->dev_lv.d), 0);
	sim_fail(s, "sync:DEV", 1, -MSIDOM_EIO);
	assert_int_equal(msidom_domain_batch_end(s->dev_lv.d), -MSIDOM_EIO);
	/* Batches on a domain without bus ops are plain counters. */
	assert_int_equal(msidom_domain_batch_begin(s->vec.d), 0);
	assert_int_equal(msidom_domain_batch_end(s->vec.d), 0);
	sim_free(s);
}

/*
 * Inside an outer batch the new message of an affinity change is only
 * recorded: the old vector may be released only after the outermost sync.
 */
static void test_commit_after_outer_batch(void **state)
{
	struct sim *s = sim_new(NULL);
	uint32_t v = sim_alloc_virq(s, 0, &unmasked);

	(void)state;
	sim_log_clear(s);
	assert_int_equal(msidom_domain_batch_begin(s->dev_lv.d), 0);
	assert_int_equal(msidom_irq_set_affinity(s->ctx, v, sim_cpu1(3)), 0);
	/* Old and new vector both still mapped until the device has the message. */
	assert_int_equal(msidom_domain_mapped(s->vec.d), 2);
	assert_int_equal(msidom_domain_batch_end(s->dev_lv.d), 0);
	assert_string_equal(sim_log(s), "bus_lock:DEV set_affinity:IR set_affinity:VEC mask:DEV "
					"compose:VEC write:DEV unmask:DEV sync:DEV commit:VEC "
					"commit:IR");
	assert_int_equal(msidom_domain_mapped(s->vec.d), 1);
	sim_free(s);
}

/*
 * msidom_irq_mask/unmask inside an outer batch do not flag the descriptor
 * for a deferred affinity_commit: no affinity changed.
 */
static void test_mask_and_unmask_in_a_batch_commit_no_affinity(void **state)
{
	struct sim *s = sim_new(NULL);
	uint32_t v = sim_alloc_virq(s, 0, &unmasked);

	(void)state;
	sim_log_clear(s);
	assert_int_equal(msidom_domain_batch_begin(s->dev_lv.d), 0);
	assert_int_equal(msidom_irq_mask(s->ctx, v), 0);
	assert_int_equal(msidom_irq_unmask(s->ctx, v), 0);
	assert_int_equal(msidom_domain_batch_end(s->dev_lv.d), 0);
	assert_string_equal(sim_log(s), "bus_lock:DEV mask:DEV unmask:DEV sync:DEV");
	assert_int_equal(sim_count(s, "commit:VEC"), 0);
	assert_int_equal(sim_count(s, "commit:IR"), 0);
	sim_free(s);
}

/*
 * A vector freed while its affinity commit is still deferred (set_affinity
 * and free inside one outer batch): levels release the old target in
 * affinity_commit, so the free must not drop the commit, or the old hwirq
 * would stay mapped at the root, pointing at a freed descriptor.
 */
static void test_free_with_a_pending_commit_releases_the_old_target(void **state)
{
	struct sim *s = sim_new(NULL);
	uint32_t v = sim_alloc_virq(s, 0, &unmasked);
	uint32_t old_hw = SIM_VEC_FIRST; /* CPU 0, first vector */
	uint32_t v1;

	(void)state;
	/* A second vector, freed first, so the descriptor below is really freed. */
	v1 = sim_alloc_virq(s, 1, NULL);
	assert_true(v1 > 0);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 1), 0);
	assert_int_equal(msidom_domain_find_virq(s->vec.d, old_hw), (int64_t)v);

	assert_int_equal(msidom_domain_batch_begin(s->dev_lv.d), 0);
	assert_int_equal(msidom_irq_set_affinity(s->ctx, v, sim_cpu1(2)), 0);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 0), 0);
	assert_int_equal(msidom_domain_batch_end(s->dev_lv.d), 0);

	/* Nothing may stay mapped at any level once every vector is gone. */
	assert_int_equal(msidom_domain_mapped(s->ir.d), 0);
	assert_int_equal(msidom_domain_mapped(s->vec.d), 0);
	assert_int_equal(msidom_domain_find_virq(s->vec.d, old_hw), -MSIDOM_ENOENT);
	assert_int_equal(msidom_handle(s->vec.d, old_hw), -MSIDOM_ENOENT);
	sim_free(s);
}

/*
 * The same when the outer batch's sync failed: the deferred commit waits
 * for the next affinity change, and a free before any such change still
 * releases the old target.
 */
static void test_free_after_a_failed_batch_move_releases_the_old_target(void **state)
{
	struct sim *s = sim_new(NULL);
	uint32_t v = sim_alloc_virq(s, 0, &unmasked);
	uint32_t old_hw = SIM_VEC_FIRST;

	(void)state;
	assert_int_equal(msidom_domain_batch_begin(s->dev_lv.d), 0);
	assert_int_equal(msidom_irq_set_affinity(s->ctx, v, sim_cpu1(2)), 0);
	sim_fail(s, "sync:DEV", 1, -MSIDOM_EIO);
	assert_int_equal(msidom_domain_batch_end(s->dev_lv.d), -MSIDOM_EIO);
	/* Both targets kept, as documented. */
	assert_int_equal(msidom_domain_find_virq(s->vec.d, old_hw), (int64_t)v);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 0), 0);
	assert_int_equal(msidom_domain_mapped(s->vec.d), 0);
	assert_int_equal(msidom_domain_find_virq(s->vec.d, old_hw), -MSIDOM_ENOENT);
	sim_free(s);
}

/* A device that refuses every message write while writes_fail is set. */
static bool writes_fail;

static int flaky_write(struct msidom_irq_data *data, const struct msidom_msg *msg)
{
	(void)data;
	(void)msg;
	return writes_fail ? -MSIDOM_EIO : 0;
}

static const struct msidom_chip_ops flaky_chip = { .sz = sizeof(struct msidom_chip_ops),
						   .write_msg = flaky_write };

/*
 * set_affinity whose message switch fails and whose revert fails too (the
 * device keeps refusing writes): the device still holds the old message,
 * so the root keeps the old vector mapped to the virq.
 */
static void test_set_affinity_whose_revert_fails_keeps_the_old_target(void **state)
{
	struct sim *s = sim_new(NULL);
	MSIDOM_OPTS(msidom_template, t, .name = "FLAKY", .bus = MSIDOM_BUS_PCI_MSIX, .hwsize = 8,
		    .chip = &flaky_chip);
	struct msidom_device *dev = sim_device(s, "0000:0c:00.0");
	struct msidom_domain *dd;
	struct msidom_map m;
	struct msidom_msg before, after;
	uint32_t hw;

	(void)state;
	assert_int_equal(msidom_device_domain_create(dev, DEF, &t, sim_msi_parent(s), &dd), 0);
	writes_fail = false;
	m = msidom_msi_alloc_at(dev, DEF, 0, &unmasked);
	assert_int_equal(m.index, 0);
	before = msidom_desc_msg(msidom_desc_at(dd, 0));
	hw = before.data + ((before.address_lo >> 12) & 0xffu) * 256u; /* sim: cpu << 12, vector */
	assert_int_equal(msidom_domain_find_virq(s->vec.d, hw), (int64_t)m.virq);

	writes_fail = true;
	assert_int_equal(msidom_irq_set_affinity(s->ctx, m.virq, sim_cpu1(2)), -MSIDOM_EIO);
	writes_fail = false;
	after = msidom_desc_msg(msidom_desc_at(dd, 0));
	/* The device still holds the old message ... */
	assert_memory_equal(&after, &before, sizeof(after));
	/* ... so the vector it names must still lead to this virq. */
	assert_int_equal(msidom_domain_find_virq(s->vec.d, hw), (int64_t)m.virq);
	assert_int_equal(msidom_msi_free(dev, DEF, 0), 0);
	assert_int_equal(msidom_domain_mapped(s->vec.d), 0);
	msidom_device_destroy(dev);
	sim_free(s);
}

/*
 * A free inside a caller's batch: the device only records the mask and the
 * zeroed message until the batch's sync, so the parents must keep the
 * vector's resources (and the virq) until then; a vector allocated in the
 * same batch must not get them. The index and the virq read as free at once.
 */
static void test_free_in_a_batch_keeps_parent_resources_until_the_sync(void **state)
{
	struct sim *s = sim_new(NULL);
	uint32_t v0 = sim_alloc_virq(s, 0, &unmasked), v1;
	uint32_t vec_mapped = msidom_domain_mapped(s->vec.d);
	size_t mem;

	(void)state;
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 1, NULL).index, 1);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 1), 0);
	mem = msidom_ctx_mem_bytes(s->ctx);
	vec_mapped = msidom_domain_mapped(s->vec.d);

	assert_int_equal(msidom_domain_batch_begin(s->dev_lv.d), 0);
	sim_log_clear(s);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 0), 0);
	/* The device side happened (recorded), the parents kept everything. */
	assert_int_equal(sim_count(s, "free:VEC"), 0);
	assert_int_equal(sim_count(s, "free:IR"), 0);
	assert_int_equal(msidom_domain_mapped(s->vec.d), vec_mapped);
	/* To callers the vector is gone. */
	assert_int_equal(msidom_msi_virq(s->dev, DEF, 0), -MSIDOM_ENOENT);
	assert_null(msidom_irq_desc(s->ctx, v0));
	assert_int_equal(msidom_irq_mask(s->ctx, v0), -MSIDOM_ENOENT);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 0), -MSIDOM_ENOENT);
	/* The index is free again, but the new vector gets new parent resources. */
	v1 = sim_alloc_virq(s, 0, NULL);
	assert_int_not_equal(v1, v0);
	assert_int_equal(msidom_domain_mapped(s->vec.d), vec_mapped + 1);
	assert_int_equal(sim_count(s, "sync:DEV"), 0);

	assert_int_equal(msidom_domain_batch_end(s->dev_lv.d), 0);
	assert_int_equal(sim_count(s, "sync:DEV"), 1);
	assert_int_equal(sim_count(s, "free:VEC"), 1);
	assert_int_equal(msidom_domain_mapped(s->vec.d), vec_mapped);
	assert_int_equal(msidom_irq_count(s->ctx), 1);
	assert_int_equal(msidom_msi_virq(s->dev, DEF, 0), (int64_t)v1);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 0), 0);
	assert_true(msidom_ctx_mem_bytes(s->ctx) <= mem);
	sim_free(s);
}

/* A batch left open when the domain goes: the retired vector is still released. */
static void test_vector_freed_in_an_open_batch_is_released_with_its_context(void **state)
{
	struct sim *s = sim_new(NULL);

	(void)state;
	sim_alloc_virq(s, 0, &unmasked);
	assert_int_equal(msidom_domain_batch_begin(s->dev_lv.d), 0);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 0), 0);
	assert_int_equal(msidom_domain_mapped(s->vec.d), 1);
	/* sim_free destroys the context: ASan/LSan and the hook checks catch leaks. */
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_activation_writes),
		cmocka_unit_test(test_set_affinity_sequence),
		cmocka_unit_test(test_set_affinity_immutable),
		cmocka_unit_test(test_set_affinity_ir_mutable),
		cmocka_unit_test(test_set_affinity_errors),
		cmocka_unit_test(test_mask_levels),
		cmocka_unit_test(test_mask_unmask),
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_commit_after_outer_batch),
		cmocka_unit_test(test_mask_and_unmask_in_a_batch_commit_no_affinity),
		cmocka_unit_test(test_free_with_a_pending_commit_releases_the_old_target),
		cmocka_unit_test(test_free_after_a_failed_batch_move_releases_the_old_target),
		cmocka_unit_test(test_set_affinity_whose_revert_fails_keeps_the_old_target),
		cmocka_unit_test(test_free_in_a_batch_keeps_parent_resources_until_the_sync),
		cmocka_unit_test(test_vector_freed_in_an_open_batch_is_released_with_its_context),
	};

	return cmocka_run_group_tests_name("unit-msg", tests, NULL, sim_group_teardown);
}
