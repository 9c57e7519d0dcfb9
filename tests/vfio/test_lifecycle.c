/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The order a VMM tears down in: VMM functions, then VFIO devices (opened
 * or attached), then containers, then the context. A context destroyed
 * while any of them is still open refuses with -EBUSY and changes nothing
 * (descriptors, memory, kernel state); after the right order nothing is
 * left behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include <linux/vfio.h>

#include <libmsidom/vmm.h>

#include "env.h"

/* Refused, and nothing about the context, its objects or the kernel changed. */
static void destroy_refused(struct env *e)
{
	struct snap *s = snap_take(e);
	assert_int_equal(msidom_ctx_destroy(e->ctx), -EBUSY);
	snap_check(e, s);
}

static void test_ctx_destroy_refuses_while_an_opened_device_is_open(void **state)
{
	(void)state;
	struct env *e = env_opened(612);
	must_alloc(e, 0, true);
	must_alloc(e, 3, false);
	destroy_refused(e);
	/* The device still works. */
	assert_true(fk_raise(e->fk, 0));
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	env_free(e);
}

static void test_ctx_destroy_refuses_while_an_attached_device_is_open(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	struct env *e = env_new(&kc);
	const struct msidom_vfio_sys *s = &e->fk->sys;
	int cont = s->open(s->opaque, "/dev/vfio/vfio", O_RDWR);
	int grp = s->open(s->opaque, "/dev/vfio/7", O_RDWR);
	assert_int_equal(s->ioctl(s->opaque, grp, VFIO_GROUP_SET_CONTAINER, &cont), 0);
	assert_int_equal(s->ioctl(s->opaque, cont, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU), 0);
	int dev = s->ioctl(s->opaque, grp, VFIO_GROUP_GET_DEVICE_FD, (void *)BDF);
	assert_true(dev >= 0);
	e->cfg.device_fd = dev;
	assert_int_equal(msidom_vfio_attach(e->ctx, &e->cfg, &e->v), 0);
	must_alloc(e, 1, true);
	destroy_refused(e);
	msidom_vfio_close(e->v);
	e->v = NULL;
	assert_int_equal(e->fk->irq_type, -1);
	assert_true(e->fk->device_open);
	assert_int_equal(msidom_ctx_destroy(e->ctx), 0);
	e->ctx = NULL;
	assert_int_equal(s->close(s->opaque, dev), 0);
	assert_int_equal(s->close(s->opaque, grp), 0);
	assert_int_equal(s->close(s->opaque, cont), 0);
	ts_hooks_assert_clean(&e->h);
	fk_free(e->fk);
	assert_int_equal(ts_count_fds(), e->fds_before);
	free(e);
}

static void test_ctx_destroy_refuses_while_a_container_lives(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	struct env *e = env_new(&kc);
	struct msidom_vfio_container *c;
	MSIDOM_OPTS(msidom_vfio_container_config, cc, .sys = &e->fk->sys);
	assert_int_equal(msidom_vfio_container_create(e->ctx, &cc, &c), 0);
	destroy_refused(e);
	/* A device on it keeps it (and the refusal) after the creator let go. */
	e->cfg.container = c;
	env_open(e);
	msidom_vfio_container_destroy(c);
	assert_true(fcntl(msidom_vfio_container_fd(c), F_GETFD) >= 0);
	destroy_refused(e);
	env_free(e); /* closes the device: the container goes with it */
}

static void test_ctx_destroy_refuses_while_a_vmm_function_lives(void **state)
{
	(void)state;
	struct env *e = env_opened(612);
	struct msidom_vmm_fn *fn;
	MSIDOM_OPTS(msidom_vmm_config, cfg, .name = "00:05.0", .type = MSIDOM_VMM_MSIX, .nvec = 4,
		    .cap_next = 0x70, .msix_table_reg = 0x2000 | 3, .msix_pba_reg = 0x3000 | 3,
		    .max_host_vectors = MSIDOM_VMM_UNLIMITED, .max_host_fds = MSIDOM_VMM_UNLIMITED);
	assert_int_equal(msidom_vmm_fn_create(e->ctx, &cfg, &fn), 0);
	destroy_refused(e);
	/* The function goes first; the device still holds the context. */
	msidom_vmm_fn_destroy(fn);
	destroy_refused(e);
	env_free(e);
}

static void test_ctx_destroy_refusal_names_what_is_open(void **state)
{
	(void)state;
	struct env *e = env_opened(612);
	ts_log_clear(&e->h);
	assert_int_equal(msidom_ctx_destroy(e->ctx), -EBUSY);
	assert_true(ts_log_has(&e->h, "1 VFIO device"));
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctx_destroy_refuses_while_an_opened_device_is_open),
		cmocka_unit_test(test_ctx_destroy_refuses_while_an_attached_device_is_open),
		cmocka_unit_test(test_ctx_destroy_refuses_while_a_container_lives),
		cmocka_unit_test(test_ctx_destroy_refuses_while_a_vmm_function_lives),
		cmocka_unit_test(test_ctx_destroy_refusal_names_what_is_open),
	};

	return cmocka_run_group_tests_name("vfio-lifecycle", tests, NULL, NULL);
}
