/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The context: platform hooks, hosted defaults, several
 * contexts side by side, bad configurations, destruction of everything a
 * context still owns, version and strerror.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

static struct msidom_map alloc_any(struct sim *s)
{
	return msidom_msi_alloc_at(s->dev, MSIDOM_DEFAULT_DOMAIN, MSIDOM_INDEX_ANY, NULL);
}

static void test_hosted_defaults(void **state)
{
	struct msidom_ctx *ctx = NULL;
	MSIDOM_OPTS(msidom_ctx_config, cfg, .hooks = NULL, .max_virqs = 64);
	unsigned char *p;

	(void)state;
	assert_int_equal(msidom_ctx_create(NULL, &ctx), 0);
	assert_non_null(ctx);
	assert_true(msidom_ctx_mem_bytes(ctx) > 0);
	assert_int_equal(msidom_irq_count(ctx), 0);
	/* Default lock is a real mutex: lock/unlock pairs work. */
	msidom_ctx_lock(ctx);
	msidom_ctx_unlock(ctx);
	p = msidom_zalloc(ctx, 100);
	assert_non_null(p);
	for (int i = 0; i < 100; i++)
		assert_int_equal(p[i], 0);
	msidom_free(ctx, p, 100);
	msidom_ctx_destroy(ctx);

	/* Hosted defaults with a small virq space. */
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), 0);
	msidom_ctx_destroy(ctx);
	msidom_ctx_destroy(NULL);
}

/* Only some hooks given: the rest fall back to the hosted defaults. */
static unsigned int partial_log_lines;

static void partial_log(void *opaque, enum msidom_log_level level, const char *line)
{
	(void)opaque;
	(void)level;
	(void)line;
	partial_log_lines++;
}

static void test_partial_hooks(void **state)
{
	struct msidom_hooks hooks = { .sz = sizeof(struct msidom_hooks) };
	MSIDOM_OPTS(msidom_ctx_config, cfg, .hooks = &hooks);
	struct msidom_ctx *ctx;
	struct msidom_device *dev;

	(void)state;
	hooks.log = partial_log;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), 0);
	/* An error is logged through the given sink (ERR <= default WARN). */
	assert_int_equal(
		msidom_device_create(ctx,
				     &(struct msidom_device_info){
					     .sz = sizeof(struct msidom_device_info), .name = "" },
				     &dev),
		-MSIDOM_EINVAL);
	assert_int_equal(partial_log_lines, 1);
	msidom_ctx_destroy(ctx);
}

static void test_hooks_are_used(void **state)
{
	struct ts_hooks h;
	MSIDOM_OPTS(msidom_ctx_config, cfg, .hooks = &h.hooks, .max_virqs = 1024);
	struct msidom_ctx *ctx;
	unsigned char *p;
	size_t before;
	unsigned long locks;

	(void)state;
	ts_hooks_init(&h);
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), 0);
	assert_true(h.lock_inited);
	assert_true(h.allocs > 0);
	/* Every byte the context owns went through the hook, and is counted. */
	assert_int_equal(msidom_ctx_mem_bytes(ctx), h.live);

	before = msidom_ctx_mem_bytes(ctx);
	p = msidom_zalloc(ctx, 40);
	assert_non_null(p);
	for (int i = 0; i < 40; i++)
		assert_int_equal(p[i], 0); /* the hook returns 0xa5 garbage */
	assert_int_equal(msidom_ctx_mem_bytes(ctx), before + 40);
	assert_int_equal(h.live, before + 40);
	msidom_free(ctx, p, 40);
	assert_int_equal(msidom_ctx_mem_bytes(ctx), before);
	assert_null(msidom_zalloc(ctx, 0));
	msidom_free(ctx, NULL, 10);
	assert_int_equal(msidom_ctx_mem_bytes(ctx), before);

	/* A refused allocation is NULL and costs nothing. */
	h.fail_at = 1;
	assert_null(msidom_zalloc(ctx, 8));
	assert_int_equal(h.failed, 1);
	assert_int_equal(msidom_ctx_mem_bytes(ctx), before);

	/* Public calls take and release the lock. */
	locks = h.locks;
	msidom_ctx_lock(ctx);
	assert_int_equal(h.lock_depth, 1);
	msidom_ctx_unlock(ctx);
	assert_int_equal(h.lock_depth, 0);
	assert_int_equal(h.locks, locks + 1);
	assert_int_equal(msidom_dump_to_buf(ctx, NULL, 0) > 0, 1);
	assert_true(h.locks > locks + 1);

	msidom_ctx_destroy(ctx);
	ts_hooks_assert_clean(&h);
}

static void test_bad_config(void **state)
{
	struct ts_hooks h;
	struct msidom_hooks bad;
	MSIDOM_OPTS(msidom_ctx_config, cfg, .hooks = &h.hooks);
	struct msidom_ctx *ctx = (struct msidom_ctx *)&h;

	(void)state;
	ts_hooks_init(&h);
	assert_int_equal(msidom_ctx_create(&cfg, NULL), -MSIDOM_EINVAL);
	assert_int_equal(msidom_ctx_create(NULL, NULL), -MSIDOM_EINVAL);

	cfg.max_virqs = 63;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), -MSIDOM_EINVAL);
	assert_null(ctx);
	cfg.max_virqs = (1u << 24) + 1;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), -MSIDOM_EINVAL);
	cfg.max_virqs = UINT32_MAX;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), -MSIDOM_EINVAL);
	assert_int_equal(h.live, 0);

	/* The bounds themselves are fine. */
	cfg.max_virqs = 64;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), 0);
	msidom_ctx_destroy(ctx);
	cfg.max_virqs = 1u << 24;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), 0);
	msidom_ctx_destroy(ctx);
	assert_int_equal(h.live, 0);

	/* Half an allocator, half a lock. */
	cfg.max_virqs = 0;
	cfg.hooks = &bad;
	bad = h.hooks;
	bad.free = NULL;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), -MSIDOM_EINVAL);
	bad = h.hooks;
	bad.alloc = NULL;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), -MSIDOM_EINVAL);
	bad = h.hooks;
	bad.unlock = NULL;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), -MSIDOM_EINVAL);
	bad = h.hooks;
	bad.lock = NULL;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), -MSIDOM_EINVAL);
	bad = h.hooks;
	bad.lock = NULL;
	bad.unlock = NULL;
	bad.lock_destroy = NULL; /* lock_init alone */
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), -MSIDOM_EINVAL);
	assert_null(ctx);
	assert_int_equal(h.live, 0);
	assert_false(h.lock_inited);
}

static int failing_lock_init(void *opaque, void **lock)
{
	(void)opaque;
	(void)lock;
	return -MSIDOM_EAGAIN;
}

static void test_create_failures_leak_nothing(void **state)
{
	struct ts_hooks h;
	MSIDOM_OPTS(msidom_ctx_config, cfg, .hooks = &h.hooks);
	struct msidom_ctx *ctx;
	int ret = -1;
	long n;

	(void)state;
	ts_hooks_init(&h);
	for (n = 1; n < 50; n++) {
		h.fail_at = n;
		ret = msidom_ctx_create(&cfg, &ctx);
		if (!ret)
			break;
		assert_int_equal(ret, -MSIDOM_ENOMEM);
		assert_null(ctx);
		assert_int_equal(h.live, 0);
		assert_false(h.lock_inited);
	}
	assert_int_equal(ret, 0);
	assert_true(n > 1);
	h.fail_at = 0;
	msidom_ctx_destroy(ctx);
	assert_int_equal(h.live, 0);

	h.hooks.lock_init = failing_lock_init;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), -MSIDOM_EAGAIN);
	assert_int_equal(h.live, 0);
	assert_int_equal(h.bad_frees, 0);
}

static void test_contexts_coexist(void **state)
{
	struct sim *a = sim_new(NULL), *b = sim_new(NULL);
	struct msidom_map ma, mb;
	size_t bmem;

	(void)state;
	/* Same hierarchy, separate worlds: numbering starts over in each. */
	ma = alloc_any(a);
	mb = alloc_any(b);
	assert_int_equal(ma.index, 0);
	assert_int_equal(mb.index, 0);
	assert_int_equal(ma.virq, 1);
	assert_int_equal(mb.virq, 1);
	assert_int_equal(alloc_any(a).virq, 2);
	assert_int_equal(msidom_irq_count(a->ctx), 2);
	assert_int_equal(msidom_irq_count(b->ctx), 1);
	assert_int_equal(msidom_ctx_mem_bytes(a->ctx), a->h.live);
	assert_int_equal(msidom_ctx_mem_bytes(b->ctx), b->h.live);

	/* A virq of one context means nothing to the other. */
	assert_int_equal(msidom_irq_mask(b->ctx, 2), -MSIDOM_ENOENT);
	assert_null(msidom_irq_desc(b->ctx, 2));
	/* Domains do not mix across contexts. */
	{
		MSIDOM_OPTS(msidom_domain_info, info, .name = "X", .hwsize = 8);
		struct msidom_domain *x;
		struct msidom_template t;

		assert_int_equal(msidom_domain_create(b->ctx, &info, a->vec.d, &x), -MSIDOM_EINVAL);
		sim_msix_template(b, &t);
		assert_int_equal(msidom_device_domain_create(b->dev, MSIDOM_SECONDARY_DOMAIN, &t,
							     a->ir.d, &x),
				 -MSIDOM_EINVAL);
	}

	bmem = msidom_ctx_mem_bytes(b->ctx);
	assert_int_equal(msidom_msi_free_all(a->dev, MSIDOM_DEFAULT_DOMAIN), 2);
	assert_int_equal(msidom_irq_count(a->ctx), 0);
	assert_int_equal(msidom_irq_count(b->ctx), 1);
	assert_int_equal(msidom_ctx_mem_bytes(b->ctx), bmem);
	assert_int_equal(msidom_msi_virq(b->dev, MSIDOM_DEFAULT_DOMAIN, 0), 1);
	sim_free(a);
	/* b still works after a is gone. */
	assert_int_equal(alloc_any(b).index, 1);
	assert_int_equal(msidom_irq_count(b->ctx), 2);
	sim_free(b);
}

static void test_destroy_releases_everything(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ims = true });
	MSIDOM_OPTS(msidom_alloc_opts, un, .unmasked = true);

	(void)state;
	assert_int_equal(msidom_msi_alloc_range(s->dev, MSIDOM_DEFAULT_DOMAIN, 0, 3, &un), 0);
	assert_int_equal(msidom_msi_alloc_at(s->dev, MSIDOM_SECONDARY_DOMAIN, 7, NULL).index, 7);
	assert_int_equal(msidom_desc_add(s->dev_lv.d, 20, (msidom_cookie){ .value = 1 }), 20);
	sim_log_clear(s);
	msidom_ctx_destroy(s->ctx);
	s->ctx = NULL;
	/* Every vector went through the whole free path... */
	assert_int_equal(sim_count(s, "free:VEC"), 5);
	assert_int_equal(sim_count(s, "free:IR"), 5);
	assert_int_equal(sim_count(s, "free:DEV"), 4);
	assert_int_equal(sim_count(s, "free:IMS"), 1);
	assert_int_equal(sim_count(s, "deactivate:VEC"), 5);
	assert_int_equal(sim_count(s, "teardown:DEV"), 4);
	assert_int_equal(sim_count(s, "teardown:IMS"), 1);
	assert_int_equal(sim_count(s, "write0:DEV"), 4);
	assert_int_equal(sim_count(s, "mask:DEV"), 4); /* they were unmasked */
	/* ...and every domain was destroyed once: IMS slot first, leaves first. */
	assert_int_equal(s->vec.destroyed, 1);
	assert_int_equal(s->ir.destroyed, 1);
	assert_int_equal(s->dev_lv.destroyed, 1);
	assert_int_equal(s->ims_lv.destroyed, 1);
	assert_true(strstr(sim_log(s), "destroy:IMS") < strstr(sim_log(s), "destroy:DEV"));
	assert_true(strstr(sim_log(s), "destroy:DEV") < strstr(sim_log(s), "destroy:IR"));
	assert_true(strstr(sim_log(s), "destroy:IR") < strstr(sim_log(s), "destroy:VEC"));
	sim_free(s); /* checks: no byte left, every level empty, lock destroyed */
}

/*
 * The context lock serializes public calls from several threads: two
 * threads churn vectors of the two slots of one device (sharing the IR and
 * VEC levels, whose bookkeeping in sim.c is not thread-safe on its own).
 */
#define CHURN 1500u

struct churner {
	struct sim *s;
	enum msidom_slot slot;
	unsigned int errors;
};

static void *churn(void *arg)
{
	struct churner *c = arg;
	MSIDOM_OPTS(msidom_alloc_opts, o, .has_cookie = true, .unmasked = true);
	struct sim_mask cpu;

	for (unsigned int i = 0; i < CHURN; i++) {
		struct msidom_map m;

		o.cookie.value = i;
		m = msidom_msi_alloc_at(c->s->dev, c->slot, MSIDOM_INDEX_ANY, &o);
		if (m.index < 0) {
			c->errors++;
			continue;
		}
		if (msidom_irq_set_affinity(c->s->ctx, m.virq, sim_cpu(&cpu, i % SIM_CPUS)) ||
		    msidom_irq_mask(c->s->ctx, m.virq))
			c->errors++;
		if (i % 4 != 3 && msidom_msi_free(c->s->dev, c->slot, (uint32_t)m.index))
			c->errors++;
		if (i % 32 == 31 && msidom_msi_free_all(c->s->dev, c->slot) < 0)
			c->errors++;
	}
	return NULL;
}

/*
 * Objects built on a context outside the core pin it: destroy refuses
 * with -EBUSY and a log line naming them, changing nothing, until every
 * pin is dropped. Pins count per kind; a ninth kind has no room.
 */
static void test_destroy_refuses_while_pinned(void **state)
{
	struct ts_hooks h;
	static const char *const kinds[] = { "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8" };
	struct msidom_ctx *ctx;
	size_t mem;

	(void)state;
	ts_hooks_init(&h);
	ctx = ts_ctx_new(&h);
	mem = msidom_ctx_mem_bytes(ctx);
	assert_int_equal(msidom_ctx_pin(NULL, "x"), -MSIDOM_EINVAL);
	assert_int_equal(msidom_ctx_pin(ctx, NULL), -MSIDOM_EINVAL);
	assert_int_equal(msidom_ctx_pin(ctx, "VFIO device"), 0);
	assert_int_equal(msidom_ctx_pin(ctx, "VFIO device"), 0);
	assert_int_equal(msidom_ctx_pin(ctx, "VMM function"), 0);
	ts_log_clear(&h);
	assert_int_equal(msidom_ctx_destroy(ctx), -MSIDOM_EBUSY);
	assert_true(ts_log_has(&h, "still open: 2 VFIO device, 1 VMM function"));
	assert_int_equal(msidom_ctx_mem_bytes(ctx), mem);
	msidom_ctx_unpin(ctx, "VFIO device");
	msidom_ctx_unpin(ctx, "VMM function");
	msidom_ctx_unpin(ctx, "never pinned");
	msidom_ctx_unpin(NULL, "VFIO device");
	assert_int_equal(msidom_ctx_destroy(ctx), -MSIDOM_EBUSY);
	msidom_ctx_unpin(ctx, "VFIO device");
	/* Eight kinds fit, a ninth does not. */
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(msidom_ctx_pin(ctx, kinds[i]), 0);
	assert_int_equal(msidom_ctx_pin(ctx, "k9"), -MSIDOM_ENOSPC);
	for (unsigned int i = 0; i < 8; i++)
		msidom_ctx_unpin(ctx, kinds[i]);
	assert_int_equal(msidom_ctx_destroy(ctx), 0);
	assert_int_equal(msidom_ctx_destroy(NULL), 0);
	ts_hooks_assert_clean(&h);
}

static void test_threads_share_a_context(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ims = true, .hosted_lock = true });
	struct churner a = { s, MSIDOM_DEFAULT_DOMAIN, 0 }, b = { s, MSIDOM_SECONDARY_DOMAIN, 0 };
	pthread_t ta, tb;

	(void)state;
	assert_int_equal(pthread_create(&ta, NULL, churn, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, churn, &b), 0);
	assert_int_equal(pthread_join(ta, NULL), 0);
	assert_int_equal(pthread_join(tb, NULL), 0);
	assert_int_equal(a.errors, 0);
	assert_int_equal(b.errors, 0);
	assert_int_equal(msidom_msi_free_all(s->dev, MSIDOM_DEFAULT_DOMAIN) >= 0, 1);
	assert_int_equal(msidom_msi_free_all(s->dev, MSIDOM_SECONDARY_DOMAIN) >= 0, 1);
	assert_int_equal(msidom_irq_count(s->ctx), 0);
	assert_int_equal(msidom_domain_mapped(s->vec.d), 0);
	assert_int_equal(msidom_domain_mapped(s->ir.d), 0);
	assert_int_equal(s->vec.nr_used, 0);
	assert_int_equal(s->ir.nr_used, 0);
	assert_int_equal(msidom_ctx_mem_bytes(s->ctx), s->h.live);
	sim_free(s);
}

static unsigned int log_calls;
static enum msidom_log_level log_last_level;
static char log_last[300];

static void capture_log(void *opaque, enum msidom_log_level level, const char *line)
{
	(void)opaque;
	log_calls++;
	log_last_level = level;
	snprintf(log_last, sizeof(log_last), "%s", line);
}

static void test_log_levels(void **state)
{
	MSIDOM_OPTS(msidom_hooks, hooks, .log = capture_log, .log_level = MSIDOM_LOG_ERR);
	MSIDOM_OPTS(msidom_ctx_config, cfg, .hooks = &hooks);
	struct msidom_ctx *ctx;
	char longfmt[600];

	(void)state;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), 0);
	log_calls = 0;
	msidom_log(ctx, MSIDOM_LOG_WARN, "not %s", "shown");
	msidom_log(ctx, MSIDOM_LOG_DEBUG, "not shown");
	assert_int_equal(log_calls, 0);
	msidom_log(ctx, MSIDOM_LOG_ERR, "virq %u of %s: %d", 7u, "dev", -22);
	assert_int_equal(log_calls, 1);
	assert_int_equal(log_last_level, MSIDOM_LOG_ERR);
	assert_string_equal(log_last, "virq 7 of dev: -22");
	/* Lines are bounded, never overflowing. */
	memset(longfmt, 'x', sizeof(longfmt) - 1);
	longfmt[sizeof(longfmt) - 1] = '\0';
	msidom_log(ctx, MSIDOM_LOG_ERR, "%s", longfmt);
	assert_int_equal(log_calls, 2);
	assert_true(strlen(log_last) < 256);
	assert_true(strlen(log_last) > 200);
	msidom_log(NULL, MSIDOM_LOG_ERR, "no context");
	msidom_log(ctx, MSIDOM_LOG_ERR, NULL);
	assert_int_equal(log_calls, 2);
	msidom_ctx_destroy(ctx);

	/* Debug level: everything is delivered. */
	hooks.log_level = MSIDOM_LOG_DEBUG;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), 0);
	log_calls = 0;
	msidom_log(ctx, MSIDOM_LOG_DEBUG, "dbg");
	msidom_log(ctx, MSIDOM_LOG_INFO, "info");
	assert_int_equal(log_calls, 2);
	assert_string_equal(log_last, "info");
	msidom_ctx_destroy(ctx);
}

static void test_version(void **state)
{
	char buf[32];

	(void)state;
	assert_non_null(msidom_version());
	assert_string_equal(msidom_version(), MSIDOM_VERSION_STRING);
	assert_int_equal(msidom_version_number(), MSIDOM_VERSION);
	snprintf(buf, sizeof(buf), "%u.%u.%u", msidom_version_number() >> 16,
		 msidom_version_number() >> 8 & 0xff, msidom_version_number() & 0xff);
	assert_string_equal(buf, msidom_version());
	assert_int_equal(MSIDOM_VERSION_MAJOR, 0);
}

static void test_strerror(void **state)
{
	static const int codes[] = {
		MSIDOM_EPERM,  MSIDOM_ENOENT, MSIDOM_EIO,        MSIDOM_EBADF,
		MSIDOM_EAGAIN, MSIDOM_ENOMEM, MSIDOM_EBUSY,      MSIDOM_EEXIST,
		MSIDOM_ENODEV, MSIDOM_EINVAL, MSIDOM_EMFILE,     MSIDOM_ENOSPC,
		MSIDOM_ERANGE, MSIDOM_ENOSYS, MSIDOM_EOPNOTSUPP, MSIDOM_EDQUOT,
	};
	const size_t n = sizeof(codes) / sizeof(codes[0]);
	const char *unknown = msidom_strerror(-9999);

	(void)state;
	assert_non_null(unknown);
	assert_string_equal(msidom_strerror(0), "Success");
	for (size_t i = 0; i < n; i++) {
		const char *m = msidom_strerror(-codes[i]);

		assert_non_null(m);
		assert_true(strlen(m) > 0);
		assert_string_not_equal(m, unknown);
		assert_string_not_equal(m, "Success");
		/* Sign does not matter. */
		assert_string_equal(m, msidom_strerror(codes[i]));
		/* Every code has its own text. */
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(m, msidom_strerror(-codes[j]));
	}
	assert_string_equal(msidom_strerror(-MSIDOM_ENOMEM), "Out of memory");
	assert_string_equal(msidom_strerror(-MSIDOM_EINVAL), "Invalid argument");
	assert_string_equal(msidom_strerror(12345), unknown);
	assert_string_equal(msidom_strerror(INT_MAX), unknown);
}

/* Negating INT_MIN is undefined behaviour; UBSan must stay quiet. */
static void test_strerror_int_min(void **state)
{
	(void)state;
	assert_string_equal(msidom_strerror(INT_MIN), msidom_strerror(-9999));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hosted_defaults),
		cmocka_unit_test(test_partial_hooks),
		cmocka_unit_test(test_hooks_are_used),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_create_failures_leak_nothing),
		cmocka_unit_test(test_contexts_coexist),
		cmocka_unit_test(test_destroy_releases_everything),
		cmocka_unit_test(test_destroy_refuses_while_pinned),
		cmocka_unit_test(test_threads_share_a_context),
		cmocka_unit_test(test_log_levels),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_strerror_int_min),
	};

	return cmocka_run_group_tests_name("unit-context", tests, NULL, sim_group_teardown);
}
