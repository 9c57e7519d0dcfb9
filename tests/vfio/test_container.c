/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A type1 container shared by several devices: one container fd for the
 * VMM's DMA mappings, each IOMMU group attached once however many of its
 * devices open, the IOMMU set once, and the container kept alive by its
 * devices until the last one closes. A container fd given by the caller
 * is used and never closed.
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

#define BDF2 "0000:00:04.0" /* group 7, with BDF */
#define BDF3 "0000:00:05.0" /* group 8 */

static struct fk_config kcfg3(void)
{
	struct fk_config kc = kcfg(612);
	kc.extra_bdf[0] = BDF2;
	kc.extra_group[0] = 7;
	kc.extra_bdf[1] = BDF3;
	kc.extra_group[1] = 8;
	return kc;
}

static struct msidom_vfio *open_on(struct env *e, const char *bdf, struct msidom_vfio_container *c)
{
	struct msidom_vfio_config cfg = e->cfg;
	struct msidom_vfio *v = NULL;
	cfg.bdf = bdf;
	cfg.container = c;
	assert_int_equal(msidom_vfio_open(e->ctx, &cfg, &v), 0);
	return v;
}

static void test_devices_share_one_container_and_each_group_attaches_once(void **state)
{
	(void)state;
	struct fk_config kc = kcfg3();
	struct env *e = env_new(&kc);
	struct msidom_vfio_container *c;
	MSIDOM_OPTS(msidom_vfio_container_config, cc, .sys = &e->fk->sys);
	assert_int_equal(msidom_vfio_container_create(e->ctx, &cc, &c), 0);
	int cfd = msidom_vfio_container_fd(c);
	assert_true(cfd >= 0);
	assert_int_equal(e->fk->kind[cfd], FK_CONTAINER);
	int fds = ts_count_fds();

	e->cfg.container = c;
	env_open(e);
	struct msidom_vfio *v2 = open_on(e, BDF2, c);
	struct msidom_vfio *v3 = open_on(e, BDF3, c);
	assert_int_equal(e->fk->group_attaches, 2);
	assert_int_equal(e->fk->iommu_sets, 1);
	assert_int_equal(e->fk->grp[0].container, cfd);
	assert_int_equal(e->fk->grp[1].container, cfd);
	MSIDOM_OPTS(msidom_vfio_info, info, .group = 0);
	assert_int_equal(msidom_vfio_get_info(v3, &info), 0);
	assert_true(info.shared_container);
	assert_true(info.isolated);
	assert_int_equal(info.group, 8);
	/* One fd per group, none per device beyond its own. */
	must_alloc(e, 0, true);
	assert_true(fk_raise(e->fk, 0));
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);

	/* The creator lets go first: the devices keep the container. */
	msidom_vfio_container_destroy(c);
	assert_true(fcntl(cfd, F_GETFD) >= 0);
	assert_int_equal(e->fk->kind[cfd], FK_CONTAINER);
	msidom_vfio_close(e->v);
	e->v = NULL;
	/* BDF2 still uses group 7: it stays attached. */
	assert_true(e->fk->grp[0].open);
	assert_int_equal(e->fk->grp[0].container, cfd);
	msidom_vfio_close(v2);
	assert_false(e->fk->grp[0].open);
	assert_true(e->fk->grp[1].open);
	msidom_vfio_close(v3);
	assert_false(e->fk->grp[1].open);
	/* The last device closed the library's container. */
	assert_int_equal(ts_count_fds(), fds - 1);
	assert_int_equal(msidom_ctx_destroy(e->ctx), 0);
	ts_hooks_assert_clean(&e->h);
	fk_free(e->fk);
	assert_int_equal(ts_count_fds(), e->fds_before);
	free(e);
}

static void test_container_outlives_a_device_closed_before_the_next_opens(void **state)
{
	(void)state;
	struct fk_config kc = kcfg3();
	struct env *e = env_new(&kc);
	struct msidom_vfio_container *c;
	MSIDOM_OPTS(msidom_vfio_container_config, cc, .sys = &e->fk->sys);
	assert_int_equal(msidom_vfio_container_create(e->ctx, &cc, &c), 0);
	struct msidom_vfio *v = open_on(e, BDF3, c);
	msidom_vfio_close(v);
	/* Its last group went: the kernel dropped the IOMMU, the next open sets it again. */
	v = open_on(e, BDF3, c);
	assert_int_equal(e->fk->iommu_sets, 2);
	msidom_vfio_close(v);
	msidom_vfio_container_destroy(c);
	env_free(e);
}

/*
 * What a VMM does with the shared container: ask where guest RAM may go,
 * then map it with VFIO_IOMMU_MAP_DMA on the container fd, around the MSI
 * window, once for every device of the container.
 */
static void test_vmm_maps_guest_memory_around_the_msi_window(void **state)
{
	(void)state;
	struct fk_config kc = kcfg3();
	kc.reserved = "0x00000000fee00000 0x00000000feefffff msi\n";
	struct env *e = env_new(&kc);
	struct msidom_vfio_container *c;
	MSIDOM_OPTS(msidom_vfio_container_config, cc, .sys = &e->fk->sys);
	assert_int_equal(msidom_vfio_container_create(e->ctx, &cc, &c), 0);
	e->cfg.container = c;
	env_open(e);
	struct msidom_vfio *v3 = open_on(e, BDF3, c);
	MSIDOM_OPTS(msidom_vfio_iova_info, iova, .nr_ranges = 0);
	assert_int_equal(msidom_vfio_get_iova_info(v3, &iova), 0);
	assert_int_equal(iova.nr_msi, 1);
	assert_int_equal(iova.nr_ranges, 2);

	/* 4 GiB of guest RAM: below the window, then above 4 GiB. */
	const struct msidom_vfio_sys *s = &e->fk->sys;
	int cfd = msidom_vfio_container_fd(c);
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = 0x7f0000000000ull,
		.iova = 0,
		.size = iova.msi[0].start,
	};
	assert_true(map.iova >= iova.ranges[0].start &&
		    map.iova + map.size - 1 <= iova.ranges[0].end);
	assert_int_equal(s->ioctl(s->opaque, cfd, VFIO_IOMMU_MAP_DMA, &map), 0);
	map.iova = 0x100000000ull;
	map.size = 0x100000000ull - iova.msi[0].start;
	assert_int_equal(s->ioctl(s->opaque, cfd, VFIO_IOMMU_MAP_DMA, &map), 0);
	/* Over the window: the kernel refuses, as the answer said. */
	map.iova = iova.msi[0].start - 0x1000;
	map.size = 0x2000;
	assert_int_equal(s->ioctl(s->opaque, cfd, VFIO_IOMMU_MAP_DMA, &map), -EINVAL);
	assert_int_equal(e->fk->dma_maps, 2);

	msidom_vfio_close(v3);
	msidom_vfio_container_destroy(c);
	env_free(e);
}

static void test_caller_container_fd_is_used_and_never_closed(void **state)
{
	(void)state;
	struct fk_config kc = kcfg3();
	struct env *e = env_new(&kc);
	const struct msidom_vfio_sys *s = &e->fk->sys;
	/* The VMM's container, with its own group 8 attached and the IOMMU set. */
	int cfd = s->open(s->opaque, "/dev/vfio/vfio", O_RDWR);
	int g8 = s->open(s->opaque, "/dev/vfio/8", O_RDWR);
	assert_int_equal(s->ioctl(s->opaque, g8, VFIO_GROUP_SET_CONTAINER, &cfd), 0);
	assert_int_equal(s->ioctl(s->opaque, cfd, VFIO_SET_IOMMU, (void *)VFIO_TYPE1v2_IOMMU), 0);
	int fds = ts_count_fds();

	struct msidom_vfio_container *c;
	MSIDOM_OPTS(msidom_vfio_container_config, cc, .sys = s, .use_fd = true, .fd = cfd,
		    .iommu_set = true);
	assert_int_equal(msidom_vfio_container_create(e->ctx, &cc, &c), 0);
	assert_int_equal(msidom_vfio_container_fd(c), cfd);
	e->cfg.container = c;
	env_open(e);
	/* Group 7 joined without a second VFIO_SET_IOMMU. */
	assert_int_equal(e->fk->iommu_sets, 1);
	assert_int_equal(e->fk->grp[0].container, cfd);
	msidom_vfio_close(e->v);
	e->v = NULL;
	msidom_vfio_container_destroy(c);
	assert_true(fcntl(cfd, F_GETFD) >= 0);
	assert_int_equal(e->fk->grp[1].container, cfd);
	assert_true(e->fk->cont_iommu[cfd]);
	assert_int_equal(ts_count_fds(), fds);
	assert_int_equal(s->close(s->opaque, g8), 0);
	assert_int_equal(s->close(s->opaque, cfd), 0);
	env_free(e);
}

static void test_group_joining_without_isolation_is_refused(void **state)
{
	(void)state;
	struct fk_config kc = kcfg3();
	kc.intremap = false;
	struct env *e = env_new(&kc);
	const struct msidom_vfio_sys *s = &e->fk->sys;
	int cfd = s->open(s->opaque, "/dev/vfio/vfio", O_RDWR);
	/* A container the VMM set up (allow_unsafe_interrupts was set at the time). */
	e->fk->cont_iommu[cfd] = true;
	struct msidom_vfio_container *c;
	MSIDOM_OPTS(msidom_vfio_container_config, cc, .sys = s, .use_fd = true, .fd = cfd,
		    .iommu_set = true);
	assert_int_equal(msidom_vfio_container_create(e->ctx, &cc, &c), 0);
	struct snap *sn = snap_take(e);
	e->cfg.container = c;
	struct msidom_vfio *v = NULL;
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &v), -EPERM);
	assert_true(ts_log_has(&e->h, "allow_unsafe_interrupts"));
	snap_check(e, sn);
	assert_false(e->fk->grp[0].open);
	msidom_vfio_container_destroy(c);
	assert_int_equal(s->close(s->opaque, cfd), 0);
	env_free(e);
}

static void test_container_create_errors_leave_nothing(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	kc.no_type1v2 = true;
	struct env *e = env_new(&kc);
	struct snap *sn = snap_take(e);
	struct msidom_vfio_container *c = NULL;
	MSIDOM_OPTS(msidom_vfio_container_config, cc, .sys = &e->fk->sys);
	assert_int_equal(msidom_vfio_container_create(e->ctx, &cc, NULL), -EINVAL);
	assert_int_equal(msidom_vfio_container_create(NULL, &cc, &c), -EINVAL);
	cc.use_fd = true;
	cc.fd = -1;
	assert_int_equal(msidom_vfio_container_create(e->ctx, &cc, &c), -EINVAL);
	cc.use_fd = false;
	assert_int_equal(msidom_vfio_container_create(e->ctx, &cc, &c), -ENODEV);
	assert_true(ts_log_has(&e->h, "type1v2"));
	assert_int_equal(msidom_vfio_container_fd(NULL), -EINVAL);
	msidom_vfio_container_destroy(NULL);
	snap_check(e, sn);
	assert_int_equal(msidom_ctx_destroy(e->ctx), 0);
	e->ctx = NULL;
	ts_hooks_assert_clean(&e->h);
	fk_free(e->fk);
	assert_int_equal(ts_count_fds(), e->fds_before);
	free(e);
}

/* Every system call or allocation of an open on a shared container failing in turn. */
static struct msidom_vfio_container *fault_cont;
static struct msidom_vfio *fault_first;

static void shared_setup(struct env *e)
{
	MSIDOM_OPTS(msidom_vfio_container_config, cc, .sys = &e->fk->sys);
	assert_int_equal(msidom_vfio_container_create(e->ctx, &cc, &fault_cont), 0);
	fault_first = open_on(e, BDF3, fault_cont);
	msidom_vfio_container_destroy(fault_cont);
}

static int shared_open(struct env *e)
{
	e->cfg.container = fault_cont;
	int ret = msidom_vfio_open(e->ctx, &e->cfg, &e->v);
	/* env_free closes e->v; the first device goes before it. */
	if (ret < 0)
		e->v = NULL;
	return ret;
}

static void test_shared_open_failing_at_any_call_leaves_the_container_as_it_was(void **state)
{
	(void)state;
	struct fk_config kc = kcfg3();
	for (int mem = 0; mem < 2; mem++) {
		int failures = 0;
		for (long n = 1; n < 1000; n++) {
			struct env *e = env_new(&kc);
			shared_setup(e);
			struct snap *s = snap_take(e);
			if (mem)
				e->h.fail_at = n;
			else
				fk_fail(e->fk, n, EIO, FK_ANY, 0);
			int ret = shared_open(e);
			bool fired = mem ? e->h.failed > 0 : e->fk->fired;
			e->h.fail_at = 0;
			fk_fail_off(e->fk);
			if (ret < 0) {
				assert_true(fired);
				snap_check(e, s);
				assert_int_equal(e->fk->grp[0].container, -1);
				assert_false(e->fk->grp[0].open);
				assert_true(e->fk->grp[1].open);
				failures++;
			} else {
				free(s);
			}
			msidom_vfio_close(fault_first);
			env_free(e);
			if (!fired)
				break;
		}
		assert_true(failures > 3);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_devices_share_one_container_and_each_group_attaches_once),
		cmocka_unit_test(test_container_outlives_a_device_closed_before_the_next_opens),
		cmocka_unit_test(test_vmm_maps_guest_memory_around_the_msi_window),
		cmocka_unit_test(test_caller_container_fd_is_used_and_never_closed),
		cmocka_unit_test(test_group_joining_without_isolation_is_refused),
		cmocka_unit_test(test_container_create_errors_leave_nothing),
		cmocka_unit_test(
			test_shared_open_failing_at_any_call_leaves_the_container_as_it_was),
	};

	return cmocka_run_group_tests_name("vfio-container", tests, NULL, NULL);
}
