/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Bad input: every public function of the core headers with NULL and with
 * invalid arguments returns -EINVAL (or NULL/0 for accessors), never
 * crashes, and leaves a live hierarchy exactly as it was. The per-level
 * helpers for domain implementations are probed from inside an op.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sim.h"

#define DEF  MSIDOM_DEFAULT_DOMAIN
#define SEC  MSIDOM_SECONDARY_DOMAIN
#define EINV (-MSIDOM_EINVAL)

static void ignore_emit(void *arg, const char *text, size_t len)
{
	(void)arg;
	(void)text;
	(void)len;
}

static void test_null_everywhere(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ims = true });
	MSIDOM_OPTS(msidom_domain_info, info, .name = "X", .hwsize = 4);
	MSIDOM_OPTS(msidom_device_info, dinfo, .name = "d");
	struct msidom_template t;
	struct msidom_domain *d;
	struct msidom_device *dev;
	struct msidom_ctx *ctx;
	struct msidom_msg msg;
	struct msidom_map m;
	struct sim_snap snap;
	uint32_t cpu;
	char buf[8];

	(void)state;
	sim_ims_template(s, &t);
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 1, NULL).index, 1);
	sim_snap_take(s, &snap);

	/* context.h */
	assert_int_equal(msidom_ctx_create(NULL, NULL), EINV);
	msidom_ctx_destroy(NULL);
	assert_int_equal(msidom_ctx_mem_bytes(NULL), 0);
	assert_null(msidom_zalloc(NULL, 8));
	msidom_free(NULL, buf, sizeof(buf));
	msidom_free(s->ctx, NULL, 8);
	msidom_log(NULL, MSIDOM_LOG_ERR, "x");
	assert_int_equal(msidom_snprintf(NULL, 1, "%s", "x"), EINV);
	msidom_ctx_lock(NULL);
	msidom_ctx_unlock(NULL);
	(void)ctx;

	/* domain.h */
	assert_int_equal(msidom_domain_create(NULL, &info, NULL, &d), EINV);
	assert_int_equal(msidom_domain_create(s->ctx, NULL, NULL, &d), EINV);
	assert_int_equal(msidom_domain_create(s->ctx, &info, NULL, NULL), EINV);
	assert_int_equal(msidom_domain_destroy(NULL), EINV);
	assert_null(msidom_domain_name(NULL));
	assert_null(msidom_domain_parent(NULL));
	assert_int_equal(msidom_domain_flags(NULL), 0);
	assert_int_equal(msidom_domain_bus(NULL), MSIDOM_BUS_ANY);
	assert_int_equal(msidom_domain_hwsize(NULL), 0);
	assert_null(msidom_domain_priv(NULL));
	assert_null(msidom_domain_ctx(NULL));
	assert_null(msidom_domain_device(NULL));
	assert_int_equal(msidom_domain_mapped(NULL), 0);
	assert_int_equal(msidom_domain_find_virq(NULL, 0), EINV);
	assert_int_equal(msidom_domain_map(NULL, 0, NULL), EINV);
	assert_int_equal(msidom_domain_map(s->vec.d, 0, NULL), EINV);
	assert_int_equal(msidom_domain_unmap(NULL, 0), EINV);
	assert_int_equal(msidom_handle(NULL, 0), EINV);
	assert_int_equal(msidom_domain_spurious(NULL), 0);
	assert_int_equal(msidom_domain_batch_begin(NULL), EINV);
	assert_int_equal(msidom_domain_batch_end(NULL), EINV);
	assert_null(msidom_irq_data_domain(NULL));
	assert_int_equal(msidom_irq_data_hwirq(NULL), 0);
	assert_int_equal(msidom_irq_data_set_hwirq(NULL, 0), EINV);
	assert_int_equal(msidom_irq_data_virq(NULL), 0);
	assert_null(msidom_irq_data_desc(NULL));
	assert_null(msidom_irq_data_parent(NULL));
	assert_int_equal(msidom_irq_data_cookie(NULL).value, 0);
	assert_int_equal(msidom_irq_data_cpu(NULL), 0);
	assert_int_equal(msidom_irq_data_parent_compose_msg(NULL, &msg), EINV);
	assert_int_equal(msidom_irq_data_parent_set_affinity(NULL, NULL, &cpu), EINV);
	assert_int_equal(msidom_irq_data_parent_mask(NULL), EINV);
	assert_int_equal(msidom_irq_data_parent_unmask(NULL), EINV);

	/* device.h */
	assert_int_equal(msidom_device_create(NULL, &dinfo, &dev), EINV);
	assert_int_equal(msidom_device_create(s->ctx, NULL, &dev), EINV);
	assert_int_equal(msidom_device_create(s->ctx, &dinfo, NULL), EINV);
	msidom_device_destroy(NULL);
	assert_null(msidom_device_name(NULL));
	assert_int_equal(msidom_device_requester_id(NULL), 0);
	assert_null(msidom_device_priv(NULL));
	assert_null(msidom_device_ctx(NULL));
	assert_int_equal(msidom_device_domain_create(NULL, SEC, &t, s->ir.d, &d), EINV);
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, NULL, s->ir.d, &d), EINV);
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, NULL, &d), EINV);
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, s->ir.d, NULL), EINV);
	assert_int_equal(msidom_device_domain_destroy(NULL, DEF), EINV);
	assert_null(msidom_device_domain(NULL, DEF));
	assert_int_equal(msidom_device_msi_isolated(NULL), EINV);

	/* desc.h */
	assert_null(msidom_desc_first(NULL, MSIDOM_DESC_ALL));
	assert_null(msidom_desc_next(NULL, MSIDOM_DESC_ALL));
	assert_null(msidom_desc_at(NULL, 0));
	assert_int_equal(msidom_desc_add(NULL, 0, (msidom_cookie){ 0 }), EINV);
	assert_int_equal(msidom_desc_remove(NULL, 0), EINV);
	assert_int_equal(msidom_desc_index(NULL), 0);
	assert_int_equal(msidom_desc_virq(NULL), 0);
	assert_null(msidom_desc_domain(NULL));
	msg = msidom_desc_msg(NULL);
	assert_int_equal(msg.address_lo | msg.address_hi | msg.data, 0);
	assert_int_equal(msidom_desc_cookie(NULL).value, 0);
	assert_int_equal(msidom_desc_cpu(NULL), 0);
	assert_false(msidom_desc_masked(NULL));
	assert_false(msidom_desc_activated(NULL));
	assert_null(msidom_desc_user_data(NULL));
	msidom_desc_set_user_data(NULL, buf);

	/* msi.h */
	m = msidom_msi_alloc_at(NULL, DEF, 0, NULL);
	assert_int_equal(m.index, EINV);
	assert_int_equal(m.virq, 0);
	assert_int_equal(msidom_msi_alloc_range(NULL, DEF, 0, 1, NULL), EINV);
	assert_int_equal(msidom_msi_free(NULL, DEF, 0), EINV);
	assert_int_equal(msidom_msi_free_range(NULL, DEF, 0, 1), EINV);
	assert_int_equal(msidom_msi_free_all(NULL, DEF), EINV);
	assert_int_equal(msidom_msi_virq(NULL, DEF, 0), EINV);

	/* irq.h */
	assert_int_equal(msidom_irq_set_handler(NULL, 1, sim_handler, s), EINV);
	assert_int_equal(msidom_irq_mask(NULL, 1), EINV);
	assert_int_equal(msidom_irq_unmask(NULL, 1), EINV);
	assert_int_equal(msidom_irq_set_affinity(NULL, 1, NULL), EINV);
	assert_int_equal(msidom_irq_refresh_msg(NULL, 1), EINV);
	assert_null(msidom_irq_desc(NULL, 1));
	assert_int_equal(msidom_irq_count(NULL), 0);

	/* dump.h */
	assert_int_equal(msidom_dump(NULL, ignore_emit, NULL), EINV);
	assert_int_equal(msidom_dump(s->ctx, NULL, NULL), EINV);
	assert_int_equal(msidom_dump_to_buf(NULL, buf, sizeof(buf)), EINV);
	assert_int_equal(msidom_dump_to_buf(s->ctx, NULL, sizeof(buf)), EINV);

	/* error.h */
	assert_non_null(msidom_strerror(0));

	sim_snap_assert_same(s, &snap);
	sim_snap_free(&snap);
	sim_free(s);
}

/* Run @stmt; count it in @unlogged unless it logged exactly one error line. */
#define LOGGED(stmt)                                                                               \
	do {                                                                                       \
		unsigned int before_ = s->h.nerr;                                                  \
		stmt;                                                                              \
		if (s->h.nerr != before_ + 1) {                                                    \
			fprintf(stderr, "%u error lines (want 1) from: %s\n", s->h.nerr - before_, \
				#stmt);                                                            \
			unlogged++;                                                                \
		}                                                                                  \
	} while (0)

/* Well-formed pointers, wrong values: refused, logged, nothing changes. */
static void test_invalid_values(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ims = true });
	struct sim_snap snap;
	struct msidom_template t;
	struct msidom_domain *d;
	unsigned int unlogged = 0;
	uint32_t v;

	(void)state;
	v = msidom_msi_alloc_at(s->dev, DEF, 1,
				&(struct msidom_alloc_opts){ .sz = sizeof(struct msidom_alloc_opts),
							     .managed = true })
		    .virq;
	sim_ims_template(s, &t);
	sim_snap_take(s, &snap);
	sim_log_clear(s);

	LOGGED(assert_int_equal(msidom_msi_alloc_at(s->dev, (enum msidom_slot)7, 0, NULL).index,
				EINV));
	LOGGED(assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 64, NULL).index, -MSIDOM_ERANGE));
	LOGGED(assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 1, NULL).index, -MSIDOM_EEXIST));
	LOGGED(assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 3, 2, NULL), EINV));
	LOGGED(assert_int_equal(msidom_msi_alloc_range(s->dev, (enum msidom_slot)7, 0, 2, NULL),
				EINV));
	LOGGED(assert_int_equal(msidom_msi_free(s->dev, (enum msidom_slot)7, 1), EINV));
	LOGGED(assert_int_equal(msidom_msi_free_range(s->dev, DEF, 3, 2), EINV));
	LOGGED(assert_int_equal(msidom_msi_free_all(s->dev, (enum msidom_slot)7), EINV));
	LOGGED(assert_int_equal(msidom_msi_virq(s->dev, (enum msidom_slot)7, 1), EINV));
	LOGGED(assert_int_equal(msidom_device_domain_destroy(s->dev, (enum msidom_slot)7), EINV));
	LOGGED(assert_int_equal(
		msidom_device_domain_create(s->dev, (enum msidom_slot)7, &t, s->ir.d, &d), EINV));
	LOGGED(assert_int_equal(msidom_desc_add(s->ir.d, 0, (msidom_cookie){ 0 }), EINV));
	LOGGED(assert_int_equal(msidom_desc_add(s->dev_lv.d, 64, (msidom_cookie){ 0 }),
				-MSIDOM_ERANGE));
	LOGGED(assert_int_equal(msidom_desc_remove(s->vec.d, 0), EINV));
	LOGGED(assert_int_equal(msidom_irq_set_affinity(s->ctx, v, NULL), -MSIDOM_EPERM));
	LOGGED(assert_int_equal(
		msidom_irq_set_affinity(s->ctx, v,
					&(struct msidom_cpumask){ .nbits = 0, .bits = NULL }),
		EINV));
	LOGGED(assert_int_equal(msidom_irq_mask(s->ctx, 0), -MSIDOM_ENOENT));
	LOGGED(assert_int_equal(msidom_irq_unmask(s->ctx, v + 100), -MSIDOM_ENOENT));
	LOGGED(assert_int_equal(msidom_irq_set_handler(s->ctx, v + 100, sim_handler, s),
				-MSIDOM_ENOENT));
	LOGGED(assert_int_equal(msidom_domain_batch_end(s->dev_lv.d), EINV));
	LOGGED(assert_int_equal(msidom_domain_unmap(s->vec.d, 1000), -MSIDOM_ENOENT));
	LOGGED(assert_int_equal(msidom_domain_destroy(s->dev_lv.d), EINV));
	/* House rule: bad input gives a negative errno AND a log line. */
	assert_int_equal(unlogged, 0);
	/* No domain op ran for any of them (batches may open and close). */
	assert_int_equal(sim_count(s, "prepare:DEV"), 0);
	assert_int_equal(sim_count(s, "alloc:VEC"), 0);
	assert_int_equal(sim_count(s, "free:VEC"), 0);
	assert_int_equal(sim_count(s, "set_affinity:IR"), 0);
	sim_snap_assert_same(s, &snap);
	sim_snap_free(&snap);
	sim_free(s);
}

/* ---- the per-level helpers, probed from inside an alloc op ---- */

struct probe {
	struct msidom_domain *root, *other;
	int set_range, set_ok, compose_null, compose_none, aff_nocpu, aff_none, mask_none,
		unmask_none, map_foreign, map_range, map_taken;
	bool parent_ok, root_parent_null, desc_ok, virq_ok, cookie_ok;
	unsigned int runs;
};

static int probe_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data,
		       unsigned int nr, const struct msidom_alloc_arg *arg)
{
	struct probe *p = msidom_domain_priv(d);
	struct msidom_irq_data *x = data[0], *up = msidom_irq_data_parent(x);
	struct msidom_desc *desc = msidom_irq_data_desc(x);
	struct msidom_msg msg;
	uint32_t cpu;

	(void)nr;
	p->runs++;
	p->set_range = msidom_irq_data_set_hwirq(x, msidom_domain_hwsize(d));
	p->set_ok = msidom_irq_data_set_hwirq(x, msidom_desc_index(desc));
	p->parent_ok = up && msidom_irq_data_domain(up) == p->root &&
		       msidom_irq_data_virq(up) == msidom_irq_data_virq(x);
	p->root_parent_null = up && !msidom_irq_data_parent(up);
	p->desc_ok = desc && msidom_desc_domain(desc) == d && msidom_irq_data_desc(up) == desc;
	p->virq_ok =
		msidom_irq_data_virq(x) != 0 && msidom_desc_virq(desc) == msidom_irq_data_virq(x);
	p->cookie_ok = msidom_irq_data_cookie(x).value == arg->cookie.value &&
		       arg->device == msidom_domain_device(d);
	p->compose_null = msidom_irq_data_parent_compose_msg(x, NULL);
	p->compose_none = msidom_irq_data_parent_compose_msg(x, &msg);
	p->aff_nocpu = msidom_irq_data_parent_set_affinity(x, NULL, NULL);
	p->aff_none = msidom_irq_data_parent_set_affinity(x, NULL, &cpu);
	p->mask_none = msidom_irq_data_parent_mask(x);
	p->unmask_none = msidom_irq_data_parent_unmask(x);
	p->map_foreign = msidom_domain_map(p->other, 3, x);
	p->map_range = msidom_domain_map(d, msidom_domain_hwsize(d), x);
	p->map_taken = msidom_domain_map(d, msidom_desc_index(desc), x);
	return 0;
}

static const struct msidom_domain_ops probe_ops = { .sz = sizeof(struct msidom_domain_ops),
						    .alloc = probe_alloc };

static void test_irq_data_helpers(void **state)
{
	struct sim *s = sim_new(NULL);
	struct probe p = { 0 };
	MSIDOM_OPTS(msidom_domain_info, info, .name = "BARE", .flags = MSIDOM_DOMAIN_MSI_PARENT,
		    .hwsize = 64);
	MSIDOM_OPTS(msidom_template, t, .name = "PROBE", .hwsize = 8, .ops = &probe_ops, .priv = &p,
		    .default_cookie = { .value = 77 });
	struct msidom_domain *dd;
	size_t mem;

	(void)state;
	assert_int_equal(msidom_domain_create(s->ctx, &info, NULL, &p.root), 0);
	p.other = s->vec.d;
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, p.root, &dd), 0);
	mem = msidom_ctx_mem_bytes(s->ctx);
	assert_int_equal(msidom_msi_alloc_at(s->dev, SEC, 2, NULL).index, 2);
	assert_int_equal(p.runs, 1);
	assert_int_equal(p.set_range, -MSIDOM_ERANGE);
	assert_int_equal(p.set_ok, 0);
	assert_true(p.parent_ok);
	assert_true(p.root_parent_null);
	assert_true(p.desc_ok);
	assert_true(p.virq_ok);
	assert_true(p.cookie_ok);
	assert_int_equal(p.compose_null, EINV);
	assert_int_equal(p.compose_none, -MSIDOM_ENOSYS);
	assert_int_equal(p.aff_nocpu, EINV);
	assert_int_equal(p.aff_none, -MSIDOM_ENOSYS);
	assert_int_equal(p.mask_none, -MSIDOM_ENOSYS);
	assert_int_equal(p.unmask_none, -MSIDOM_ENOSYS);
	assert_int_equal(p.map_foreign, EINV);
	assert_int_equal(p.map_range, -MSIDOM_ERANGE);
	assert_int_equal(p.map_taken, -MSIDOM_EEXIST);
	/* None of the refused maps stuck. */
	assert_int_equal(msidom_domain_mapped(dd), 1);
	assert_int_equal(msidom_domain_mapped(s->vec.d), 0);
	assert_true(msidom_ctx_mem_bytes(s->ctx) > mem);
	assert_int_equal(msidom_msi_free(s->dev, SEC, 2), 0);
	assert_int_equal(msidom_domain_mapped(dd), 0);
	assert_int_equal(msidom_domain_mapped(p.root), 0);
	sim_free(s);
}

#define EXPECT_ERR_LOGGED(s, call, err)                     \
	do {                                                \
		unsigned int before_ = (s)->h.nerr;         \
		assert_int_equal((call), (err));            \
		assert_int_equal((s)->h.nerr, before_ + 1); \
	} while (0)

static void noop_emit(void *arg, const char *text, size_t len)
{
	(void)arg;
	(void)text;
	(void)len;
}

/* Bad input gives an errno and exactly one ERR line; a valid call logs nothing. */
static void test_bad_input_logs_one_error(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_template t;
	struct msidom_device *dev = sim_device(s, "0000:08:00.0");

	(void)state;
	sim_msix_template(s, &t);
	EXPECT_ERR_LOGGED(s, msidom_domain_map(s->vec.d, 40, NULL), -MSIDOM_EINVAL);
	EXPECT_ERR_LOGGED(s, msidom_device_domain_create(dev, DEF, &t, sim_msi_parent(s), NULL),
			  -MSIDOM_EINVAL);
	EXPECT_ERR_LOGGED(s, msidom_dump(s->ctx, NULL, NULL), -MSIDOM_EINVAL);
	EXPECT_ERR_LOGGED(s, msidom_dump_to_buf(s->ctx, NULL, 16), -MSIDOM_EINVAL);
	/* A valid call logs nothing. */
	{
		unsigned int before = s->h.nerr;

		assert_int_equal(msidom_dump(s->ctx, noop_emit, NULL), 0);
		assert_int_equal(s->h.nerr, before);
	}
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_everywhere),
		cmocka_unit_test(test_invalid_values),
		cmocka_unit_test(test_irq_data_helpers),
		cmocka_unit_test(test_bad_input_logs_one_error),
	};

	return cmocka_run_group_tests_name("unit-badinput", tests, NULL, sim_group_teardown);
}
