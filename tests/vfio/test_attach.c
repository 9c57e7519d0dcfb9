/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Attaching to a device fd the VMM opened itself (group and container, or
 * cdev and iommufd): the library drives the interrupts and, on close,
 * disables what it enabled and leaves the fd, its group, its container
 * and its iommufd binding exactly as the VMM had them.
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

#include "env.h"

/* Linux 6.6 uapi (cdev path), absent from older installed headers. */
#define BIND_IOMMUFD      _IO(VFIO_TYPE, VFIO_BASE + 18)
#define ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#define IOAS_ALLOC        _IO(';', 0x81)

/* What the VMM opened: device fd and the fds behind it. */
struct vmm_fds {
	int dev, grp, cont;
};

static void vmm_open_group(struct env *e, struct vmm_fds *f)
{
	const struct msidom_vfio_sys *s = &e->fk->sys;
	f->cont = s->open(s->opaque, "/dev/vfio/vfio", O_RDWR);
	f->grp = s->open(s->opaque, "/dev/vfio/7", O_RDWR);
	assert_true(f->cont >= 0 && f->grp >= 0);
	assert_int_equal(s->ioctl(s->opaque, f->grp, VFIO_GROUP_SET_CONTAINER, &f->cont), 0);
	assert_int_equal(s->ioctl(s->opaque, f->cont, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU),
			 0);
	f->dev = s->ioctl(s->opaque, f->grp, VFIO_GROUP_GET_DEVICE_FD, (void *)BDF);
	assert_true(f->dev >= 0);
}

static void vmm_open_cdev(struct env *e, struct vmm_fds *f)
{
	const struct msidom_vfio_sys *s = &e->fk->sys;
	struct {
		uint32_t argsz, flags;
		int32_t iommufd;
		uint32_t out_devid;
	} bind = { .argsz = 16 };
	struct {
		uint32_t size, flags, out_ioas_id;
	} ioas = { .size = 12 };
	struct {
		uint32_t argsz, flags, pt_id;
	} at = { .argsz = 12 };
	f->dev = s->open(s->opaque, "/dev/vfio/devices/vfio3", O_RDWR);
	f->cont = s->open(s->opaque, "/dev/iommu", O_RDWR);
	f->grp = -1;
	assert_true(f->dev >= 0 && f->cont >= 0);
	bind.iommufd = f->cont;
	assert_int_equal(s->ioctl(s->opaque, f->dev, BIND_IOMMUFD, &bind), 0);
	assert_int_equal(s->ioctl(s->opaque, f->cont, IOAS_ALLOC, &ioas), 0);
	at.pt_id = ioas.out_ioas_id;
	assert_int_equal(s->ioctl(s->opaque, f->dev, ATTACH_IOMMUFD_PT, &at), 0);
}

/* The VMM closes its own fds; then nothing may be left. */
static void vmm_close(struct env *e, struct vmm_fds *f)
{
	const struct msidom_vfio_sys *s = &e->fk->sys;
	if (e->ctx)
		assert_int_equal(msidom_ctx_destroy(e->ctx), 0);
	assert_int_equal(s->close(s->opaque, f->dev), 0);
	if (f->grp >= 0)
		assert_int_equal(s->close(s->opaque, f->grp), 0);
	assert_int_equal(s->close(s->opaque, f->cont), 0);
	ts_hooks_assert_clean(&e->h);
	fk_free(e->fk);
	assert_int_equal(ts_count_fds(), e->fds_before);
	free(e);
}

static void attach_and_detach(bool cdev)
{
	struct fk_config kc = kcfg(612);
	kc.cdev = cdev;
	struct env *e = env_new(&kc);
	struct vmm_fds f;
	if (cdev)
		vmm_open_cdev(e, &f);
	else
		vmm_open_group(e, &f);
	int fds = ts_count_fds();

	e->cfg.device_fd = f.dev;
	assert_int_equal(msidom_vfio_attach(e->ctx, &e->cfg, &e->v), 0);
	MSIDOM_OPTS(msidom_vfio_info, info, .group = 0);
	assert_int_equal(msidom_vfio_get_info(e->v, &info), 0);
	assert_true(info.attached);
	assert_false(info.cdev);
	assert_int_equal(info.group, 7);
	assert_true(info.isolated);
	assert_true(info.msix_dynamic);
	assert_int_equal(msidom_vfio_device_fd(e->v), f.dev);

	/* Vectors, masking and delivery work as on an opened device. */
	must_alloc(e, 0, true);
	must_alloc(e, 4, false);
	assert_true(e->fk->err_ctx >= 0);
	assert_true(fk_raise(e->fk, 0));
	assert_true(fk_raise(e->fk, 4));
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	assert_int_equal(e->hits[4], 0);
	assert_int_equal(msidom_vfio_vector_pending(e->v, 4), 1);

	msidom_vfio_close(e->v);
	e->v = NULL;
	/* Everything the library enabled is off; everything the VMM opened is as it was. */
	assert_int_equal(e->fk->irq_type, -1);
	assert_int_equal(e->fk->err_ctx, -1);
	assert_int_equal(e->fk->req_ctx, -1);
	assert_true(e->fk->device_open);
	if (cdev) {
		assert_true(e->fk->cdev_bound);
		assert_true(e->fk->cdev_attached);
	} else {
		assert_true(e->fk->group_attached);
		assert_true(e->fk->iommu_set);
	}
	assert_true(fcntl(f.dev, F_GETFD) >= 0);
	assert_int_equal(ts_count_fds(), fds);
	/* And the VMM can attach again. */
	assert_int_equal(msidom_vfio_attach(e->ctx, &e->cfg, &e->v), 0);
	must_alloc(e, 2, true);
	msidom_vfio_close(e->v);
	e->v = NULL;
	assert_int_equal(e->fk->irq_type, -1);
	vmm_close(e, &f);
}

static void test_attach_to_a_group_opened_device_and_detach_leaves_it_open(void **state)
{
	(void)state;
	attach_and_detach(false);
}

static void test_attach_to_a_cdev_opened_device_and_detach_leaves_it_bound(void **state)
{
	(void)state;
	attach_and_detach(true);
}

/* A device without an IOMMU group link in sysfs attaches; it just has no reserved regions. */
static void test_attach_without_a_group_link_works_without_windows(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	kc.cdev = true;
	kc.group = -1;
	kc.reserved = "0x00000000fee00000 0x00000000feefffff msi\n";
	struct env *e = env_new(&kc);
	struct vmm_fds f;
	vmm_open_cdev(e, &f);
	e->cfg.device_fd = f.dev;
	ts_log_clear(&e->h);
	assert_int_equal(msidom_vfio_attach(e->ctx, &e->cfg, &e->v), 0);
	assert_int_equal(e->h.nerr, 0);
	MSIDOM_OPTS(msidom_vfio_info, info, .group = 0);
	assert_int_equal(msidom_vfio_get_info(e->v, &info), 0);
	assert_int_equal(info.group, -1);
	MSIDOM_OPTS(msidom_vfio_iova_info, iova, .nr_ranges = 0);
	assert_int_equal(msidom_vfio_get_iova_info(e->v, &iova), 0);
	assert_int_equal(iova.nr_ranges, 0);
	assert_int_equal(iova.nr_msi, 0);
	must_alloc(e, 1, true);
	msidom_vfio_close(e->v);
	e->v = NULL;
	vmm_close(e, &f);
}

static void test_attach_without_a_device_fd_is_refused(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	struct env *e = env_new(&kc);
	struct snap *s = snap_take(e);
	e->cfg.device_fd = -1;
	assert_int_equal(msidom_vfio_attach(e->ctx, &e->cfg, &e->v), -EINVAL);
	assert_true(ts_log_has(&e->h, "bad device fd"));
	e->cfg.device_fd = 0;
	e->cfg.bdf = "00:03.0";
	assert_int_equal(msidom_vfio_attach(e->ctx, &e->cfg, &e->v), -EINVAL);
	assert_int_equal(msidom_vfio_attach(e->ctx, NULL, &e->v), -EINVAL);
	snap_check(e, s);
	e->v = NULL;
	env_free(e);
}

/* Every system call and every allocation of attach failing in turn. */
static void attach_faults(bool mem)
{
	int failures = 0;
	for (long n = 1; n < 1000; n++) {
		struct fk_config kc = kcfg(61);
		struct env *e = env_new(&kc);
		struct vmm_fds f;
		vmm_open_group(e, &f);
		struct fk_state *before = calloc(1, sizeof(*before));
		fk_state(e->fk, before);
		struct snap *s = snap_take(e);
		e->cfg.device_fd = f.dev;
		if (mem)
			e->h.fail_at = n;
		else
			fk_fail(e->fk, n, EIO, FK_ANY, 0);
		int ret = msidom_vfio_attach(e->ctx, &e->cfg, &e->v);
		bool fired = mem ? e->h.failed > 0 : e->fk->fired;
		e->h.fail_at = 0;
		fk_fail_off(e->fk);
		if (ret < 0) {
			assert_true(fired);
			snap_check(e, s);
			assert_true(e->fk->device_open);
			failures++;
		} else {
			free(s);
			msidom_vfio_close(e->v);
			e->v = NULL;
		}
		free(before);
		vmm_close(e, &f);
		if (!fired)
			break;
	}
	assert_true(failures > 3);
}

static void test_attach_failing_at_any_call_leaves_the_device_as_it_was(void **state)
{
	(void)state;
	attach_faults(false);
	attach_faults(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_to_a_group_opened_device_and_detach_leaves_it_open),
		cmocka_unit_test(test_attach_to_a_cdev_opened_device_and_detach_leaves_it_bound),
		cmocka_unit_test(test_attach_without_a_group_link_works_without_windows),
		cmocka_unit_test(test_attach_without_a_device_fd_is_refused),
		cmocka_unit_test(test_attach_failing_at_any_call_leaves_the_device_as_it_was),
	};

	return cmocka_run_group_tests_name("vfio-attach", tests, NULL, NULL);
}
