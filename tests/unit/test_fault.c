/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fault injection: an allocator failure at any point gives -ENOMEM, with
 * the state exactly as before the call.
 *
 * Allocator: for N = 1, 2, ... the N-th allocation of a multi-level
 * operation fails, until the operation succeeds. Every failed attempt must
 * return -ENOMEM and leave memory, virq count, descriptor store, mapped
 * counts, the simulated hardware and the dump byte-identical.
 *
 * Domain ops: each op at each level fails once; the same invariants hold
 * and the exact undo sequence is asserted (every level's free/deactivate
 * ran for what was done, device first).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sim.h"

#define DEF MSIDOM_DEFAULT_DOMAIN
#define SEC MSIDOM_SECONDARY_DOMAIN

typedef int (*op_fn)(struct sim *s);

/* Every successful do-op in the log has its undo-op. */
static void assert_balanced(struct sim *s)
{
	static const char *const tags[] = { "VEC", "IR", "DEV", "IMS" };
	char a[32], b[32];

	for (unsigned int i = 0; i < 4; i++) {
		static const char *const pairs[][2] = {
			{ "alloc", "free" },
			{ "activate", "deactivate" },
			{ "prepare", "teardown" },
		};

		for (unsigned int p = 0; p < 3; p++) {
			snprintf(a, sizeof(a), "%s:%s", pairs[p][0], tags[i]);
			snprintf(b, sizeof(b), "%s:%s", pairs[p][1], tags[i]);
			if (sim_count(s, a) != sim_count(s, b))
				fail_msg("unbalanced %s/%s in: %s", a, b, sim_log(s));
		}
		snprintf(a, sizeof(a), "bus_lock:%s", tags[i]);
		snprintf(b, sizeof(b), "sync:%s", tags[i]);
		{
			char c[32];

			snprintf(c, sizeof(c), "sync:%s!", tags[i]);
			assert_int_equal(sim_count(s, a), sim_count(s, b) + sim_count(s, c));
		}
	}
}

/*
 * Run @op with the N-th allocation failing, N = 1, 2, ... until it
 * succeeds. Returns the number of failing attempts.
 */
static unsigned int alloc_fault_loop(struct sim *s, op_fn op, const char *what)
{
	unsigned int n;

	for (n = 1; n < 200; n++) {
		struct sim_snap snap;
		unsigned long failed;
		int ret;

		fprintf(stderr, "%s: allocation %u fails\n", what, n);
		sim_snap_take(s, &snap);
		sim_log_clear(s);
		failed = s->h.failed;
		s->h.fail_at = (long)n;
		ret = op(s);
		s->h.fail_at = 0;
		if (ret >= 0) {
			sim_snap_free(&snap);
			return n - 1;
		}
		if (s->h.failed == failed)
			fail_msg("%s: failed with %d without an injected fault", what, ret);
		if (ret != -MSIDOM_ENOMEM)
			fail_msg("%s: allocation %u failed: got %d, not -ENOMEM", what, n, ret);
		sim_snap_assert_same(s, &snap);
		assert_balanced(s);
		sim_snap_free(&snap);
	}
	fail_msg("%s: never succeeded", what);
	return 0;
}

/* ---- the operations ---- */

static int op_alloc_at(struct sim *s)
{
	MSIDOM_OPTS(msidom_alloc_opts, o, .has_cookie = true, .cookie = { .value = 0x5a5a },
		    .unmasked = true);

	return msidom_msi_alloc_at(s->dev, DEF, 0, &o).index;
}

static int op_alloc_any_ims(struct sim *s)
{
	MSIDOM_OPTS(msidom_alloc_opts, o, .has_cookie = true, .cookie = { .value = 42 });

	return msidom_msi_alloc_at(s->dev, SEC, MSIDOM_INDEX_ANY, &o).index;
}

/* Index 300 lives in a reverse-map leaf of its own. */
static int op_alloc_far(struct sim *s)
{
	return msidom_msi_alloc_at(s->dev, DEF, 300, NULL).index;
}

static int op_alloc_range(struct sim *s)
{
	return msidom_msi_alloc_range(
		s->dev, DEF, 0, 7,
		&(struct msidom_alloc_opts){ .sz = sizeof(struct msidom_alloc_opts),
					     .unmasked = true });
}

static int op_alloc_range_cookie(struct sim *s)
{
	MSIDOM_OPTS(msidom_alloc_opts, o, .has_cookie = true, .cookie = { .value = 0x99 });

	return msidom_msi_alloc_range(s->dev, DEF, 0, 7, &o);
}

static int op_create_domain(struct sim *s)
{
	struct msidom_template t;
	struct msidom_domain *d;
	int ret;

	sim_ims_template(s, &t);
	ret = msidom_device_domain_create(s->dev, SEC, &t, sim_msi_parent(s), &d);
	if (!ret)
		s->ims_lv.d = d;
	return ret;
}

static int op_desc_add(struct sim *s)
{
	return msidom_desc_add(s->dev_lv.d, 50, (msidom_cookie){ .value = 3 });
}

static int op_device_create(struct sim *s)
{
	struct msidom_device *dev;
	int ret =
		msidom_device_create(s->ctx,
				     &(struct msidom_device_info){
					     .sz = sizeof(struct msidom_device_info), .name = "x" },
				     &dev);

	if (!ret)
		msidom_device_destroy(dev);
	return ret;
}

static int op_domain_create(struct sim *s)
{
	MSIDOM_OPTS(msidom_domain_info, info, .name = "R", .hwsize = 1000,
		    .flags = MSIDOM_DOMAIN_MSI_PARENT);
	struct msidom_domain *d;
	int ret = msidom_domain_create(s->ctx, &info, s->vec.d, &d);

	if (!ret)
		msidom_domain_destroy(d);
	return ret;
}

/* Moving to CPU 2 maps a vector in a reverse-map leaf not used so far. */
static int op_set_affinity(struct sim *s)
{
	return msidom_irq_set_affinity(s->ctx, (uint32_t)msidom_msi_virq(s->dev, DEF, 0),
				       sim_cpu1(2));
}

/* ---- allocator faults ---- */

static void test_alloc_at_fresh(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ims = true, .dev_hwsize = 512 });

	(void)state;
	/*
	 * Today: the descriptor and a table leaf at each level (DEV, IR, VEC,
	 * virq). Only "more than one" is asserted, so a different layout
	 * still passes as long as every allocation is survivable.
	 */
	assert_true(alloc_fault_loop(s, op_alloc_at, "alloc_at") >= 2);
	assert_int_equal(msidom_msi_virq(s->dev, DEF, 0), 1);
	assert_true(alloc_fault_loop(s, op_alloc_any_ims, "alloc_at IMS") >= 2);
	assert_true(alloc_fault_loop(s, op_alloc_far, "alloc_at 300") >= 2);
	sim_free(s);
}

static void test_alloc_range_fresh(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ims = true });

	(void)state;
	assert_true(alloc_fault_loop(s, op_alloc_range, "alloc_range") >= 5);
	assert_int_equal(msidom_irq_count(s->ctx), 8);
	sim_free(s);
}

/* Reserved descriptors inside the range must come back as they were. */
static void test_alloc_range_reserved(void **state)
{
	struct sim *s = sim_new(NULL);

	(void)state;
	assert_int_equal(msidom_desc_add(s->dev_lv.d, 2, (msidom_cookie){ .value = 0x22 }), 2);
	assert_int_equal(msidom_desc_add(s->dev_lv.d, 6, (msidom_cookie){ .value = 0x66 }), 6);
	assert_true(alloc_fault_loop(s, op_alloc_range_cookie, "alloc_range reserved") >= 5);
	sim_free(s);
}

/*
 * After vectors were allocated and freed, a failing allocation must not
 * release memory the context held before the call either.
 */
static void test_alloc_at_warm(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ims = true });

	(void)state;
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 0, 3, NULL), 0);
	assert_int_equal(msidom_msi_free_all(s->dev, DEF), 4);
	alloc_fault_loop(s, op_alloc_at, "alloc_at warm");
	assert_int_equal(msidom_msi_free_all(s->dev, DEF), 1);
	/* Index 0 reuses everything; the fresh descriptors of 1.. fail. */
	assert_true(alloc_fault_loop(s, op_alloc_range, "alloc_range warm") >= 1);
	sim_free(s);
}

static void test_create_fault(void **state)
{
	struct sim *s = sim_new(NULL);

	(void)state;
	/* Domain, reverse map, index bitmap: more than one allocation. */
	assert_true(alloc_fault_loop(s, op_create_domain, "create_domain") >= 2);
	assert_int_equal(s->ims_lv.destroyed, 0); /* ops->destroy never ran on failure */
	assert_non_null(msidom_device_domain(s->dev, SEC));
	assert_true(alloc_fault_loop(s, op_desc_add, "desc_add") >= 1);
	assert_true(alloc_fault_loop(s, op_device_create, "device_create") >= 1);
	assert_true(alloc_fault_loop(s, op_domain_create, "domain_create") >= 2);
	sim_free(s);
}

static void test_set_affinity_fault(void **state)
{
	struct sim *s = sim_new(NULL);

	(void)state;
	assert_int_equal(op_alloc_at(s), 0);
	assert_true(alloc_fault_loop(s, op_set_affinity, "set_affinity") >= 1);
	assert_int_equal(msidom_desc_cpu(msidom_desc_at(s->dev_lv.d, 0)), 2);
	assert_int_equal(msidom_domain_mapped(s->vec.d), 1);
	sim_free(s);
}

static void test_contiguous_fault(void **state)
{
	struct sim *s = sim_new(
		&(struct sim_cfg){ .dev_flags = MSIDOM_DOMAIN_CONTIGUOUS, .dev_hwsize = 32 });

	(void)state;
	assert_true(alloc_fault_loop(s, op_alloc_range, "contiguous block") >= 5);
	sim_free(s);
}

/* ---- domain-op faults ---- */

struct op_case {
	const char *op;
	bool unmasked;
	const char *log;
};

#define HEAD  "bus_lock:DEV prepare:DEV alloc:VEC alloc:IR alloc:DEV set_desc:DEV "
#define ACT   "activate:VEC activate:IR activate:DEV "
#define FREE  "free:DEV free:IR free:VEC teardown:DEV sync:DEV"
#define DEACT "deactivate:DEV deactivate:IR deactivate:VEC "

static const struct op_case op_cases[] = {
	{ "prepare:DEV", false, "bus_lock:DEV prepare:DEV! sync:DEV" },
	{ "alloc:VEC", false, "bus_lock:DEV prepare:DEV alloc:VEC! teardown:DEV sync:DEV" },
	{ "alloc:IR", false,
	  "bus_lock:DEV prepare:DEV alloc:VEC alloc:IR! free:VEC teardown:DEV sync:DEV" },
	{ "alloc:DEV", false,
	  "bus_lock:DEV prepare:DEV alloc:VEC alloc:IR alloc:DEV! free:IR free:VEC teardown:DEV "
	  "sync:DEV" },
	{ "activate:VEC", false, HEAD "activate:VEC! " FREE },
	{ "activate:IR", false, HEAD "activate:VEC activate:IR! deactivate:VEC " FREE },
	{ "activate:DEV", false,
	  HEAD "activate:VEC activate:IR activate:DEV! deactivate:IR deactivate:VEC " FREE },
	{ "compose:VEC", false, HEAD ACT "compose:VEC! " DEACT FREE },
	{ "write:DEV", false, HEAD ACT "compose:VEC write:DEV! " DEACT FREE },
	{ "unmask:DEV", true, HEAD ACT "compose:VEC write:DEV unmask:DEV! write0:DEV " DEACT FREE },
	{ "sync:DEV", false,
	  HEAD ACT "compose:VEC write:DEV sync:DEV! bus_lock:DEV write0:DEV " DEACT
		   "teardown:DEV free:DEV free:IR free:VEC sync:DEV" },
	{ "sync:DEV", true,
	  HEAD ACT
	  "compose:VEC write:DEV unmask:DEV sync:DEV! bus_lock:DEV mask:DEV write0:DEV " DEACT
	  "teardown:DEV free:DEV free:IR free:VEC sync:DEV" },
};

static void run_op_case(struct sim *s, const struct op_case *c, uint32_t index)
{
	struct sim_snap snap;
	struct msidom_map m;

	/* Names the case in the test log if an assertion below fails. */
	fprintf(stderr, "op case %s%s at index %u\n", c->op, c->unmasked ? " (unmasked)" : "",
		index);
	sim_snap_take(s, &snap);
	sim_log_clear(s);
	sim_fail(s, c->op, 1, -MSIDOM_EIO);
	m = msidom_msi_alloc_at(s->dev, DEF, index,
				&(struct msidom_alloc_opts){ .sz = sizeof(struct msidom_alloc_opts),
							     .unmasked = c->unmasked });
	if (m.index != -MSIDOM_EIO)
		fail_msg("%s: got index %d, log: %s", c->op, m.index, sim_log(s));
	assert_int_equal(m.virq, 0);
	assert_string_equal(sim_log(s), c->log);
	assert_balanced(s);
	sim_snap_assert_same(s, &snap);
	sim_snap_free(&snap);
}

static void test_op_faults_fresh(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(op_cases) / sizeof(op_cases[0]); i++) {
		struct sim *s = sim_new(NULL);

		run_op_case(s, &op_cases[i], 0);
		/* And the same call works afterwards. */
		assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 0, NULL).index, 0);
		sim_free(s);
	}
}

/* With live neighbours and a reserved descriptor at the index. */
static void test_op_faults_busy(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(op_cases) / sizeof(op_cases[0]); i++) {
		struct sim *s = sim_new(NULL);

		assert_int_equal(
			msidom_msi_alloc_range(
				s->dev, DEF, 0, 2,
				&(struct msidom_alloc_opts){ .sz = sizeof(struct msidom_alloc_opts),
							     .unmasked = true }),
			0);
		assert_int_equal(msidom_desc_add(s->dev_lv.d, 3, (msidom_cookie){ .value = 7 }), 3);
		run_op_case(s, &op_cases[i], 3);
		assert_non_null(msidom_desc_at(s->dev_lv.d, 3));
		sim_free(s);
	}
}

/* After an alloc + free cycle (reverse-map leaves and a spare descriptor exist). */
static void test_op_faults_warm(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(op_cases) / sizeof(op_cases[0]); i++) {
		struct sim *s = sim_new(NULL);

		assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 0, NULL).index, 0);
		assert_int_equal(msidom_msi_free(s->dev, DEF, 0), 0);
		run_op_case(s, &op_cases[i], 0);
		sim_free(s);
	}
}

/* A composing IR level: failures inside it and inside the parent it asks. */
static void test_op_faults_ir_compose(void **state)
{
	static const struct op_case cases[] = {
		{ "compose:IR", false, HEAD ACT "compose:IR! " DEACT FREE },
		{ "compose:VEC", false, HEAD ACT "compose:IR compose:VEC! " DEACT FREE },
	};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct sim *s = sim_new(&(struct sim_cfg){ .ir_compose = true });

		run_op_case(s, &cases[i], 0);
		sim_free(s);
	}
}

/* Range: the 3rd vector fails at each level; everything done is undone. */
static void test_op_faults_range(void **state)
{
	static const char *const ops[] = { "prepare:DEV", "alloc:VEC", "alloc:IR",   "alloc:DEV",
					   "activate:IR", "write:DEV", "unmask:DEV", "sync:DEV" };

	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct sim *s = sim_new(NULL);
		struct sim_snap snap;
		int ret;

		assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 1, NULL).index, 1);
		fprintf(stderr, "range case %s\n", ops[i]);
		sim_snap_take(s, &snap);
		sim_log_clear(s);
		sim_fail(s, ops[i], strcmp(ops[i], "sync:DEV") ? 3 : 1, -MSIDOM_EIO);
		ret = msidom_msi_alloc_range(
			s->dev, DEF, 4, 7,
			&(struct msidom_alloc_opts){ .sz = sizeof(struct msidom_alloc_opts),
						     .unmasked = true });
		if (ret != -MSIDOM_EIO)
			fail_msg("%s: got %d, log: %s", ops[i], ret, sim_log(s));
		assert_balanced(s);
		sim_snap_assert_same(s, &snap);
		sim_snap_free(&snap);
		sim_free(s);
	}
}

/*
 * set_affinity: each op on the way fails once. The call reports the error;
 * the vector keeps its CPU, its message matches the device's table, it is
 * unmasked as before, still dispatches, and no level leaked a vector.
 */
static void test_op_faults_set_affinity(void **state)
{
	static const char *const ops[] = { "set_affinity:IR", "set_affinity:VEC", "mask:DEV",
					   "compose:VEC",     "write:DEV",        "unmask:DEV",
					   "sync:DEV" };

	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct sim *s = sim_new(NULL);
		MSIDOM_OPTS(msidom_alloc_opts, un, .unmasked = true);
		struct msidom_desc *d;
		struct msidom_msg msg;
		uint32_t v, vec_used, ir_used, vec_mapped;
		int ret;

		fprintf(stderr, "set_affinity case %s\n", ops[i]);
		v = msidom_msi_alloc_at(s->dev, DEF, 0, &un).virq;
		assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 1, &un).index, 1);
		assert_int_equal(msidom_irq_set_handler(s->ctx, v, sim_handler, s), 0);
		d = msidom_irq_desc(s->ctx, v);
		vec_used = s->vec.nr_used;
		ir_used = s->ir.nr_used;
		vec_mapped = msidom_domain_mapped(s->vec.d);
		sim_log_clear(s);
		sim_fail(s, ops[i], 1, -MSIDOM_EIO);
		ret = msidom_irq_set_affinity(s->ctx, v, sim_cpu1(2));
		if (ret != -MSIDOM_EIO)
			fail_msg("%s: got %d, log: %s", ops[i], ret, sim_log(s));
		assert_int_equal(msidom_desc_cpu(d), 0);
		msg = msidom_desc_msg(d);
		assert_memory_equal(&msg, &s->dev_lv.table[0], sizeof(msg));
		assert_int_equal(msg.address_lo, SIM_MSIX_ADDR); /* CPU 0 */
		assert_int_equal(s->vec.nr_used, vec_used);
		assert_int_equal(s->ir.nr_used, ir_used);
		assert_int_equal(msidom_domain_mapped(s->vec.d), vec_mapped);
		assert_int_equal(msidom_handle(s->vec.d, msg.data), 0);
		assert_int_equal(s->handled, 1);
		if (strcmp(ops[i], "unmask:DEV")) {
			assert_false(msidom_desc_masked(d));
			assert_int_equal(s->dev_lv.masked[0], 0);
		} else {
			/* The device refused to unmask: the state says what the device has. */
			assert_int_equal(msidom_desc_masked(d), s->dev_lv.masked[0]);
		}
		assert_int_equal(sim_count(s, "bus_lock:DEV"),
				 sim_count(s, "sync:DEV") + sim_count(s, "sync:DEV!"));
		/* The same move works afterwards. */
		assert_int_equal(msidom_irq_set_affinity(s->ctx, v, sim_cpu1(2)), 0);
		assert_int_equal(msidom_desc_cpu(d), 2);
		assert_int_equal(s->vec.nr_used, vec_used);
		sim_free(s);
	}
}

/* Free never fails, even when the zeroing write does: it is logged. */
static void test_free_with_failing_ops(void **state)
{
	struct sim *s = sim_new(NULL);
	unsigned int nerr;

	(void)state;
	sim_log_clear(s);
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 0, NULL).index, 0);
	nerr = s->h.nerr;
	sim_fail(s, "write0:DEV", 1, -MSIDOM_EIO);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 0), 0);
	assert_int_equal(s->h.nerr, nerr + 1);
	assert_balanced(s);
	assert_int_equal(msidom_irq_count(s->ctx), 0);
	assert_int_equal(s->vec.nr_used, 0);
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_at_fresh),
		cmocka_unit_test(test_alloc_range_fresh),
		cmocka_unit_test(test_alloc_range_reserved),
		cmocka_unit_test(test_alloc_at_warm),
		cmocka_unit_test(test_create_fault),
		cmocka_unit_test(test_set_affinity_fault),
		cmocka_unit_test(test_contiguous_fault),
		cmocka_unit_test(test_op_faults_fresh),
		cmocka_unit_test(test_op_faults_busy),
		cmocka_unit_test(test_op_faults_warm),
		cmocka_unit_test(test_op_faults_ir_compose),
		cmocka_unit_test(test_op_faults_range),
		cmocka_unit_test(test_op_faults_set_affinity),
		cmocka_unit_test(test_free_with_failing_ops),
	};

	return cmocka_run_group_tests_name("unit-fault", tests, NULL, sim_group_teardown);
}
