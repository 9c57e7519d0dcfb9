/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "env.h"

static void on_err(struct msidom_vfio *v, void *arg)
{
	(void)v;
	((struct env *)arg)->err_hits++;
}

static void on_req(struct msidom_vfio *v, void *arg)
{
	(void)v;
	((struct env *)arg)->req_hits++;
}

struct fk_config kcfg(int version)
{
	struct fk_config c = {
		.version = version,
		.msi_count = 4,
		.msix_count = 16,
		.intremap = true,
		.has_err = true,
		.has_req = true,
		.bdf = BDF,
		.group = 7,
	};
	return c;
}

struct env *env_new(const struct fk_config *kc)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->fds_before = ts_count_fds();
	e->fk = fk_new(kc);
	ts_hooks_init(&e->h);
	if (e->h.hooks.log_level < MSIDOM_LOG_INFO)
		e->h.hooks.log_level = MSIDOM_LOG_INFO;
	e->ctx = ts_ctx_new(&e->h);
	e->cfg = (struct msidom_vfio_config){
		.sz = sizeof(struct msidom_vfio_config),
		.bdf = BDF,
		.sys = &e->fk->sys,
		.mode = MSIDOM_VFIO_MODE_AUTO,
		.policy = MSIDOM_VFIO_GROW,
		.on_err = on_err,
		.on_req = on_req,
		.cb_arg = e,
	};
	return e;
}

void env_open(struct env *e)
{
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &e->v), 0);
}

struct env *env_opened(int version)
{
	struct fk_config kc = kcfg(version);
	struct env *e = env_new(&kc);

	env_open(e);
	return e;
}

void env_free(struct env *e)
{
	msidom_vfio_close(e->v);
	e->v = NULL;
	assert_int_equal(e->fk->irq_type, -1);
	assert_false(e->fk->device_open);
	assert_false(e->fk->group_open);
	assert_int_equal(msidom_ctx_destroy(e->ctx), 0);
	ts_hooks_assert_clean(&e->h);
	fk_free(e->fk);
	assert_int_equal(ts_count_fds(), e->fds_before);
	free(e);
}

static void handler(uint32_t virq, void *arg)
{
	(void)virq;
	(*(unsigned int *)arg)++;
}

struct msidom_map alloc_vec(struct env *e, uint32_t index, bool unmasked)
{
	return msidom_vfio_alloc(e->v, index, unmasked, handler,
				 &e->hits[index == MSIDOM_INDEX_ANY ? 0 : index]);
}

void must_alloc(struct env *e, uint32_t index, bool unmasked)
{
	struct msidom_map m = alloc_vec(e, index, unmasked);

	assert_int_equal(m.index, (int32_t)index);
	assert_true(m.virq > 0);
}

void dispatch_all(struct env *e)
{
	while (msidom_vfio_dispatch(e->v, 0) > 0)
		;
}

uint32_t virq_of(struct env *e, uint32_t index)
{
	int64_t virq = msidom_msi_virq(msidom_vfio_device(e->v), MSIDOM_DEFAULT_DOMAIN, index);

	assert_true(virq > 0);
	return (uint32_t)virq;
}

bool armed_trigger(struct env *e, uint32_t index)
{
	int fd = msidom_vfio_vector_eventfd(e->v, index);

	return fd >= 0 && fk_ino(e->fk->ctx[index]) == fk_ino(fd);
}

bool armed_mask(struct env *e, uint32_t index)
{
	int fd = msidom_vfio_vector_eventfd(e->v, index);

	return fd >= 0 && e->fk->ctx[index] >= 0 && fk_ino(e->fk->ctx[index]) != fk_ino(fd);
}

/* ---- snapshots for rollback checks ---- */

struct snap {
	int fds;
	size_t mem;
	uint32_t irqs;
	struct fk_state ks;
	uint32_t mapped;
};

struct snap *snap_take(struct env *e)
{
	struct snap *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->fds = ts_count_fds();
	s->mem = msidom_ctx_mem_bytes(e->ctx);
	s->irqs = msidom_irq_count(e->ctx);
	fk_state(e->fk, &s->ks);
	s->mapped = e->v ? msidom_domain_mapped(msidom_vfio_root(e->v)) : 0;
	return s;
}

void snap_check(struct env *e, struct snap *s)
{
	struct snap *now = snap_take(e);

	assert_int_equal(now->fds, s->fds);
	assert_int_equal(now->mem, s->mem);
	assert_int_equal(now->irqs, s->irqs);
	assert_int_equal(now->mapped, s->mapped);
	assert_int_equal(now->ks.irq_type, s->ks.irq_type);
	assert_int_equal(now->ks.num_ctx, s->ks.num_ctx);
	assert_int_equal(now->ks.group_attached, s->ks.group_attached);
	assert_int_equal(now->ks.iommu_set, s->ks.iommu_set);
	assert_int_equal(now->ks.device_open, s->ks.device_open);
	assert_int_equal(now->ks.cdev_bound, s->ks.cdev_bound);
	assert_int_equal(now->ks.cdev_attached, s->ks.cdev_attached);
	assert_int_equal(now->ks.err_ino, s->ks.err_ino);
	assert_int_equal(now->ks.req_ino, s->ks.req_ino);
	for (uint32_t i = 0; i < FK_MAXVEC; i++) {
		if (now->ks.ino[i] != s->ks.ino[i])
			fail_msg("vector %u armed differently after rollback", i);
	}
	free(now);
	free(s);
}

int fault_loop(const struct fk_config *kc, setup_fn setup, op_fn op, bool mem, enum fk_call call)
{
	int failures = 0;

	for (long n = 1; n < 10000; n++) {
		struct env *e = env_new(kc);
		struct snap *s;
		bool fired;
		int ret;

		if (setup)
			setup(e);
		s = snap_take(e);
		if (mem)
			e->h.fail_at = n;
		else
			fk_fail(e->fk, n, EIO, call, 0);
		ret = op(e);
		fired = mem ? e->h.failed > 0 : e->fk->fired;
		e->h.fail_at = 0;
		fk_fail_off(e->fk);
		if (ret < 0) {
			assert_true(fired);
			snap_check(e, s);
			failures++;
		} else {
			free(s);
		}
		env_free(e);
		if (!fired)
			return failures;
	}
	fail_msg("fault loop did not terminate");
	return failures;
}
