/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Review findings on the VMM module with the VFIO backing (issue 6),
 * each a scenario that must hold and, when written, did not. They run
 * against the vfio suite's fake kernel like test_vfio.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include <libmsidom/vfio.h>

#include "fake_kernel.h"
#include "harness.h"

#define BDF "0000:00:03.0"
#define NV  5u

struct t {
	struct ts_hooks h;
	struct msidom_ctx *ctx;
	struct fake_kernel *fk;
	struct msidom_vfio_sys sys; /* the fake's seam, read wrapped */
	struct msidom_vfio *vdev;
	struct rec r;
	struct msidom_vmm_fn *fn; /* destroyed by teardown, also after a failure */
};

/*
 * Interleaving control for the race test: the context lock hooks are
 * no-ops (one thread), and the unlock that follows a non-zero read of the
 * watched eventfd runs @act, exactly where a second thread could run.
 */
static struct {
	struct fake_kernel *fk;
	int watch_fd;
	bool armed;
	bool running;
	void (*act)(void *arg);
	void *arg;
} race;

static ssize_t wrap_read(void *opaque, int fd, void *buf, size_t len)
{
	ssize_t n = race.fk->sys.read(opaque, fd, buf, len);

	if (!race.running && race.act && fd == race.watch_fd && n == 8 &&
	    *(const uint64_t *)buf != 0)
		race.armed = true;
	return n;
}

static void nolock(void *opaque, void *lock)
{
	(void)opaque;
	(void)lock;
}

static void hook_unlock(void *opaque, void *lock)
{
	(void)opaque;
	(void)lock;
	if (!race.armed || race.running)
		return;
	race.armed = false;
	race.running = true;
	race.act(race.arg);
	race.running = false;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	struct fk_config kc = {
		.version = 612,
		.msi_count = 1,
		.msix_count = NV,
		.intremap = true,
		.bdf = BDF,
		.group = 9,
	};
	struct msidom_vfio_config vc = { .bdf = BDF, .mode = MSIDOM_VFIO_MODE_MSIX };
	struct msidom_ctx_config cc = { 0 };

	memset(&race, 0, sizeof(race));
	race.watch_fd = -1;
	/* The harness's hooks (accounting, log), with inspectable lock hooks. */
	ts_hooks_init(&t->h);
	t->h.hooks.lock_init = NULL;
	t->h.hooks.lock_destroy = NULL;
	t->h.hooks.lock = nolock;
	t->h.hooks.unlock = hook_unlock;
	cc.hooks = &t->h.hooks;
	assert_int_equal(msidom_ctx_create(&cc, &t->ctx), 0);
	t->fk = fk_new(&kc);
	assert_non_null(t->fk);
	race.fk = t->fk;
	t->sys = t->fk->sys;
	t->sys.read = wrap_read;
	vc.sys = &t->sys;
	assert_int_equal(msidom_vfio_open(t->ctx, &vc, &t->vdev), 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	msidom_vmm_fn_destroy(t->fn);
	msidom_vfio_close(t->vdev);
	msidom_ctx_destroy(t->ctx);
	ts_hooks_assert_clean(&t->h);
	fk_free(t->fk);
	free(t);
	return 0;
}

static void set_vfio(struct t *t, struct msidom_vmm_fn *fn, uint32_t vec, uint32_t host)
{
	struct msidom_vmm_backing b = {
		.type = MSIDOM_VMM_BACKING_VFIO,
		.vfio = t->vdev,
		.host_index = host,
	};

	assert_int_equal(msidom_vmm_set_backing(fn, vec, &b), 0);
}

static void dispatch_all(struct t *t)
{
	while (msidom_vfio_dispatch(t->vdev, 0) > 0)
		;
}

static int kernel_dups(const struct fake_kernel *fk)
{
	int n = 0;

	for (uint32_t i = 0; i < FK_MAXVEC; i++)
		n += fk->ctx[i] >= 0;
	return n + (fk->err_ctx >= 0) + (fk->req_ctx >= 0);
}

/*
 * Issue 6 point 4: max_host_fds must bound the descriptors a guest makes
 * the host open. Two unmasked VFIO vectors under a quota of 2 fds make
 * the backend open 4 (a trigger and a mask eventfd each); the VMM counts 2.
 */
static void test_review_fd_quota_counts_every_fd(void **state)
{
	struct t *t = *state;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, NV, NV, 2);

	t->fn = fn;
	struct msidom_vmm_stats st;
	int before, lib_fds;

	for (uint32_t v = 0; v < NV; v++)
		set_vfio(t, fn, v, v);
	g_linux_msix_setup(fn, NV);
	before = count_fds() - kernel_dups(t->fk);
	g_mask(fn, 0, false);
	g_mask(fn, 1, false);
	g_mask(fn, 2, false);
	assert_int_equal(msidom_vmm_get_stats(fn, &st), 0);
	/* The fake kernel's dups stand for the real kernel's references: not fds. */
	lib_fds = count_fds() - kernel_dups(t->fk) - before;
	print_message("quota 2: stats.host_fds %u, descriptors opened %d\n", st.host_fds, lib_fds);
	assert_true((uint32_t)lib_fds <= 2u);
}

/*
 * Issue 6 points 1, 2: MSI pending bits must show what a masked vector
 * holds, as the MSI-X PBA does. A VFIO-backed MSI vector masked by the
 * guest's mask bit receives a device interrupt: the PBA equivalent (the
 * MSI Pending Bits register) reads 0 although the unmask then delivers it.
 */
static void test_review_msi_pending_shows_host_held(void **state)
{
	struct t *t = *state;
	struct msidom_vmm_fn *fn = mk_msi(t->ctx, &t->r, 1, true, true);

	t->fn = fn;
	uint32_t pend = 0;

	set_vfio(t, fn, 0, 0);
	/* 64-bit maskable: addr 0x4/0x8, data 0xc, mask 0x10, pending 0x14. */
	assert_int_equal(msidom_vmm_cfg_write(fn, 0x4, 4, 0xfee00000u), 0);
	assert_int_equal(msidom_vmm_cfg_write(fn, 0x8, 4, 0), 0);
	assert_int_equal(msidom_vmm_cfg_write(fn, 0xc, 2, 0x4021), 0);
	assert_int_equal(msidom_vmm_cfg_write(fn, 0x2, 2, 0x1 | (1u << 7) | (1u << 8)), 0);
	assert_false(t->r.gsi[0].masked);
	assert_int_equal(msidom_vmm_cfg_write(fn, 0x10, 4, 1), 0);
	assert_true(t->r.gsi[0].masked);
	assert_true(fk_raise(t->fk, 0));
	dispatch_all(t);
	assert_int_equal(t->r.ndelivered, 0);
	assert_int_equal(msidom_vmm_cfg_read(fn, 0x14, 4, &pend), 0);
	print_message("MSI pending register after a held interrupt: 0x%x\n", pend);
	/* The interrupt is not lost: the unmask delivers it. */
	assert_int_equal(msidom_vmm_cfg_write(fn, 0x10, 4, 0), 0);
	dispatch_all(t);
	assert_int_equal(t->r.ndelivered, 1);
	assert_int_equal(pend, 1);
}

static void guest_disables(void *arg)
{
	g_msix_ctrl(arg, false, false);
}

/*
 * Issue 6 point 5 (and issue 4 point 6b): the VMM's event loop reads a
 * live vector's trigger (msidom_vfio_dispatch: consume, unlock) and, before
 * it runs msidom_handle(), a vCPU thread handles the guest's MSI-X
 * disable, which releases the host vector. The read count is neither the
 * guest's pending bit nor delivered: after re-enable and unmask the
 * interrupt never arrives.
 */
static void test_review_dispatch_vs_disable_loses_irq(void **state)
{
	struct t *t = *state;
	struct msidom_vmm_fn *fn = mk_msix(t->ctx, &t->r, NV, NV, NV);

	t->fn = fn;
	struct msidom_vmm_stats st;
	bool pba;

	set_vfio(t, fn, 1, 1);
	g_linux_msix_setup(fn, NV);
	g_mask(fn, 1, false);
	race.watch_fd = msidom_vfio_vector_eventfd(t->vdev, 1);
	assert_true(race.watch_fd >= 0);
	race.act = guest_disables;
	race.arg = fn;

	assert_true(fk_raise(t->fk, 1));
	(void)msidom_vfio_dispatch(t->vdev, 0); /* the disable runs inside */
	race.act = NULL;
	assert_int_equal(msidom_vmm_get_stats(fn, &st), 0);
	assert_false(st.enabled);
	assert_int_equal(st.host_vectors, 0);
	pba = g_pba(fn, 1);
	g_msix_ctrl(fn, true, false);
	dispatch_all(t);
	print_message("pending after disable %d, deliveries %u\n", pba, t->r.per_vec_deliveries[1]);
	assert_int_equal(t->r.per_vec_deliveries[1], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_review_fd_quota_counts_every_fd, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_review_msi_pending_shows_host_held, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_review_dispatch_vs_disable_loses_irq, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
