/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Suite 'vfio': the Linux VFIO backend against a fake kernel that plays
 * Linux 6.1 (NORESIZE MSI-X) and 6.12 (dynamic MSI-X) and can fail any
 * system call or allocation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/vfio.h>

#include <libmsidom/msidom.h>
#include <libmsidom/vfio.h>

#include "fake_kernel.h"

#define BDF  "0000:00:03.0"
#define NVEC 64

struct env {
	struct fake_kernel *fk;
	struct msidom_ctx *ctx;
	struct msidom_vfio *v;
	struct msidom_vfio_config cfg;
	long mem_fail_at; /* n-th allocation from now fails (0: off) */
	bool mem_fired;
	char log[8192];
	size_t loglen;
	unsigned int hits[NVEC];
	unsigned int err_hits, req_hits;
	int fds_before;
};

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

static void *t_alloc(void *opaque, size_t size)
{
	struct env *e = opaque;
	if (e->mem_fail_at > 0 && --e->mem_fail_at == 0) {
		e->mem_fired = true;
		return NULL;
	}
	return malloc(size);
}

static void t_free(void *opaque, void *p, size_t size)
{
	(void)opaque;
	(void)size;
	free(p);
}

static void t_log(void *opaque, enum msidom_log_level level, const char *line)
{
	struct env *e = opaque;
	(void)level;
	size_t n = strlen(line);
	if (e->loglen + n + 2 < sizeof(e->log)) {
		memcpy(e->log + e->loglen, line, n);
		e->loglen += n;
		e->log[e->loglen++] = '\n';
		e->log[e->loglen] = '\0';
	}
}

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

static struct fk_config kcfg(int version)
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

/* A context and a fake kernel; the device is not open yet. */
static struct env *env_new(const struct fk_config *kc)
{
	struct env *e = calloc(1, sizeof(*e));
	assert_non_null(e);
	e->fds_before = count_fds();
	e->fk = fk_new(kc);
	struct msidom_hooks hooks = {
		.alloc = t_alloc,
		.free = t_free,
		.alloc_opaque = e,
		.log = t_log,
		.log_opaque = e,
		.log_level = MSIDOM_LOG_INFO,
	};
	struct msidom_ctx_config cc = { .hooks = &hooks };
	assert_int_equal(msidom_ctx_create(&cc, &e->ctx), 0);
	e->cfg = (struct msidom_vfio_config){
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

static void env_open(struct env *e)
{
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &e->v), 0);
}

/* Close everything and check that nothing is left behind. */
static void env_free(struct env *e)
{
	msidom_vfio_close(e->v);
	e->v = NULL;
	assert_int_equal(e->fk->irq_type, -1);
	assert_false(e->fk->device_open);
	assert_false(e->fk->group_open);
	msidom_ctx_destroy(e->ctx);
	fk_free(e->fk);
	assert_int_equal(count_fds(), e->fds_before);
	free(e);
}

static void handler(uint32_t virq, void *arg)
{
	(void)virq;
	(*(unsigned int *)arg)++;
}

static struct msidom_map alloc_vec(struct env *e, uint32_t index, bool unmasked)
{
	return msidom_vfio_alloc(e->v, index, unmasked, handler,
				 &e->hits[index == MSIDOM_INDEX_ANY ? 0 : index]);
}

static void must_alloc(struct env *e, uint32_t index, bool unmasked)
{
	struct msidom_map m = alloc_vec(e, index, unmasked);
	assert_int_equal(m.index, (int32_t)index);
	assert_true(m.virq > 0);
}

static void dispatch_all(struct env *e)
{
	while (msidom_vfio_dispatch(e->v, 0) > 0)
		;
}

static uint32_t virq_of(struct env *e, uint32_t index)
{
	int64_t virq = msidom_msi_virq(msidom_vfio_device(e->v), MSIDOM_DEFAULT_DOMAIN, index);
	assert_true(virq > 0);
	return (uint32_t)virq;
}

/* Armed in the kernel with the vector's own trigger eventfd. */
static bool armed_trigger(struct env *e, uint32_t index)
{
	int fd = msidom_vfio_vector_eventfd(e->v, index);
	return fd >= 0 && fk_ino(e->fk->ctx[index]) == fk_ino(fd);
}

/* Armed with some other eventfd: the library's mask eventfd. */
static bool armed_mask(struct env *e, uint32_t index)
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

static struct snap *snap_take(struct env *e)
{
	struct snap *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	s->fds = count_fds();
	s->mem = msidom_ctx_mem_bytes(e->ctx);
	s->irqs = msidom_irq_count(e->ctx);
	fk_state(e->fk, &s->ks);
	s->mapped = e->v ? msidom_domain_mapped(msidom_vfio_root(e->v)) : 0;
	return s;
}

static void snap_check(struct env *e, struct snap *s)
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

/*
 * Fault loop: for every n, build a fresh environment with @setup, fail the
 * n-th system call (or, with @mem, the n-th allocation) inside @op, and
 * check that a failed @op changed nothing. Stops when @op runs without
 * hitting the injection. Returns how many injections made @op fail.
 */
typedef void (*setup_fn)(struct env *e);
typedef int (*op_fn)(struct env *e);

static bool fault_cdev; /* fault_loop: the kernel offers VFIO cdevs */

static int fault_loop(int version, setup_fn setup, op_fn op, bool mem, enum fk_call call)
{
	int failures = 0;
	for (long n = 1; n < 10000; n++) {
		struct fk_config kc = kcfg(version);
		kc.cdev = fault_cdev;
		struct env *e = env_new(&kc);
		if (setup)
			setup(e);
		struct snap *s = snap_take(e);
		if (mem) {
			e->mem_fail_at = n;
			e->mem_fired = false;
		} else {
			fk_fail(e->fk, n, EIO, call, 0);
		}
		int ret = op(e);
		bool fired = mem ? e->mem_fired : e->fk->fired;
		e->mem_fail_at = 0;
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

/* ---- open ---- */

static void test_open_61(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	struct env *e = env_new(&kc);
	env_open(e);
	struct msidom_vfio_info info;
	assert_int_equal(msidom_vfio_get_info(e->v, &info), 0);
	assert_int_equal(info.group, 7);
	assert_int_equal(info.irq[MSIDOM_VFIO_MSIX].count, 16);
	assert_int_equal(info.irq[MSIDOM_VFIO_MSIX].flags, 0x9);
	assert_int_equal(info.irq[MSIDOM_VFIO_MSI].count, 4);
	assert_int_equal(info.irq[MSIDOM_VFIO_ERR].count, 1);
	assert_int_equal(info.num_irqs, 5);
	assert_false(info.msix_dynamic);
	assert_true(info.isolated);
	assert_int_equal(info.mode, MSIDOM_VFIO_MODE_MSIX);

	struct msidom_domain *root = msidom_vfio_root(e->v);
	assert_string_equal(msidom_domain_name(root), "VFIO-" BDF);
	assert_int_equal(msidom_domain_bus(root), MSIDOM_BUS_VFIO);
	assert_true(msidom_domain_flags(root) & MSIDOM_DOMAIN_MSI_PARENT);
	assert_true(msidom_domain_flags(root) & MSIDOM_DOMAIN_ISOLATED_MSI);
	struct msidom_domain *d =
		msidom_device_domain(msidom_vfio_device(e->v), MSIDOM_DEFAULT_DOMAIN);
	assert_non_null(d);
	assert_string_equal(msidom_domain_name(d), "VFIO-PCI-MSIX-" BDF);
	assert_int_equal(msidom_domain_hwsize(d), 16);
	assert_int_equal(msidom_domain_bus(d), MSIDOM_BUS_PCI_MSIX);
	assert_ptr_equal(msidom_domain_parent(d), root);
	assert_int_equal(msidom_device_msi_isolated(msidom_vfio_device(e->v)), 1);
	assert_true(msidom_vfio_device_fd(e->v) >= 0);
	assert_true(msidom_vfio_event_fd(e->v) >= 0);
	/* ERR and REQ are armed. */
	assert_true(e->fk->err_ctx >= 0);
	assert_true(e->fk->req_ctx >= 0);
	env_free(e);
}

static void test_open_612(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	struct env *e = env_new(&kc);
	env_open(e);
	struct msidom_vfio_info info;
	assert_int_equal(msidom_vfio_get_info(e->v, &info), 0);
	assert_int_equal(info.irq[MSIDOM_VFIO_MSIX].flags, 0x1);
	assert_int_equal(info.irq[MSIDOM_VFIO_MSI].flags, 0x9);
	assert_true(info.msix_dynamic);
	env_free(e);
}

static void test_open_no_intremap(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	kc.intremap = false;
	struct env *e = env_new(&kc);
	struct snap *s = snap_take(e);
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &e->v), -EPERM);
	assert_null(e->v);
	assert_non_null(strstr(e->log, "allow_unsafe_interrupts"));
	assert_non_null(strstr(e->log, "interrupt remapping"));
	snap_check(e, s);
	env_free(e);
}

static void test_open_unsafe_allowed(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	kc.intremap = false;
	kc.allow_unsafe = true;
	struct env *e = env_new(&kc);
	env_open(e);
	struct msidom_vfio_info info;
	assert_int_equal(msidom_vfio_get_info(e->v, &info), 0);
	assert_false(info.isolated);
	assert_false(msidom_domain_flags(msidom_vfio_root(e->v)) & MSIDOM_DOMAIN_ISOLATED_MSI);
	assert_int_equal(msidom_device_msi_isolated(msidom_vfio_device(e->v)), 0);
	assert_non_null(strstr(e->log, "not known to be isolated"));
	env_free(e);
}

static void test_open_errors(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	struct env *e = env_new(&kc);
	struct msidom_vfio *v = NULL;
	struct msidom_vfio_config c = e->cfg;

	assert_int_equal(msidom_vfio_open(NULL, &c, &v), -EINVAL);
	assert_int_equal(msidom_vfio_open(e->ctx, NULL, &v), -EINVAL);
	assert_int_equal(msidom_vfio_open(e->ctx, &c, NULL), -EINVAL);
	c.bdf = "00:03.0";
	assert_int_equal(msidom_vfio_open(e->ctx, &c, &v), -EINVAL);
	c.bdf = "0000:00:03.0x";
	assert_int_equal(msidom_vfio_open(e->ctx, &c, &v), -EINVAL);
	c.bdf = "0000:00:04.0";
	assert_int_equal(msidom_vfio_open(e->ctx, &c, &v), -ENOENT);
	c.bdf = BDF;
	c.mode = (enum msidom_vfio_mode)7;
	assert_int_equal(msidom_vfio_open(e->ctx, &c, &v), -EINVAL);
	c.mode = MSIDOM_VFIO_MODE_AUTO;
	struct msidom_vfio_sys bad = e->fk->sys;
	bad.readlink = NULL;
	c.sys = &bad;
	assert_int_equal(msidom_vfio_open(e->ctx, &c, &v), -EINVAL);
	assert_null(v);
	env_free(e);

	kc.not_viable = true;
	e = env_new(&kc);
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &e->v), -EBUSY);
	assert_non_null(strstr(e->log, "not viable"));
	env_free(e);

	kc = kcfg(61);
	kc.no_type1v2 = true;
	e = env_new(&kc);
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &e->v), -ENODEV);
	env_free(e);

	kc = kcfg(61);
	kc.msi_count = 0;
	kc.msix_count = 0;
	e = env_new(&kc);
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &e->v), -ENODEV);
	env_free(e);

	/* Only MSI: AUTO picks it; asking for MSI-X is refused. */
	kc = kcfg(61);
	kc.msix_count = 0;
	e = env_new(&kc);
	e->cfg.mode = MSIDOM_VFIO_MODE_MSIX;
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &e->v), -ENODEV);
	e->cfg.mode = MSIDOM_VFIO_MODE_AUTO;
	env_open(e);
	struct msidom_vfio_info info;
	msidom_vfio_get_info(e->v, &info);
	assert_int_equal(info.mode, MSIDOM_VFIO_MODE_MSI);
	env_free(e);

	/* Unreadable allow_unsafe_interrupts: open works, isolation not claimed. */
	kc = kcfg(612);
	kc.no_param = true;
	e = env_new(&kc);
	env_open(e);
	msidom_vfio_get_info(e->v, &info);
	assert_false(info.isolated);
	env_free(e);

	/* The group is in use by someone else. */
	kc = kcfg(612);
	e = env_new(&kc);
	env_open(e);
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &v), -EBUSY);
	env_free(e);
}

static int op_open(struct env *e)
{
	return msidom_vfio_open(e->ctx, &e->cfg, &e->v);
}

static void test_open_faults(void **state)
{
	(void)state;
	/* Every system call of open, then every allocation, on both kernels. */
	assert_true(fault_loop(61, NULL, op_open, false, FK_ANY) >= 12);
	assert_true(fault_loop(612, NULL, op_open, false, FK_ANY) >= 12);
	assert_true(fault_loop(61, NULL, op_open, true, FK_ANY) >= 5);
}

/* ---- VFIO cdev + iommufd ---- */

static void test_cdev(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	kc.cdev = true;
	struct env *e = env_new(&kc);
	env_open(e);
	struct msidom_vfio_info info;
	msidom_vfio_get_info(e->v, &info);
	assert_true(info.cdev);
	assert_int_equal(info.group, -1);
	assert_true(info.isolated);
	assert_true(e->fk->cdev_bound);
	assert_true(e->fk->cdev_attached);
	assert_false(e->fk->group_open);
	must_alloc(e, 0, true);
	assert_true(fk_raise(e->fk, 0));
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	env_free(e);
	/* cdev close unbinds. */

	/* no_cdev takes the group path. */
	e = env_new(&kc);
	e->cfg.no_cdev = true;
	env_open(e);
	msidom_vfio_get_info(e->v, &info);
	assert_false(info.cdev);
	assert_int_equal(info.group, 7);
	env_free(e);

	/* No /dev/iommu: falls back to the group path. */
	kc.no_dev_iommu = true;
	e = env_new(&kc);
	env_open(e);
	msidom_vfio_get_info(e->v, &info);
	assert_false(info.cdev);
	env_free(e);

	/* Without interrupt remapping iommufd refuses the bind. */
	kc = kcfg(612);
	kc.cdev = true;
	kc.intremap = false;
	e = env_new(&kc);
	struct snap *s = snap_take(e);
	assert_int_equal(msidom_vfio_open(e->ctx, &e->cfg, &e->v), -EPERM);
	assert_non_null(strstr(e->log, "allow_unsafe_interrupts"));
	snap_check(e, s);
	env_free(e);

	/* A seam without first_dirent never looks for cdevs. */
	kc.intremap = true;
	e = env_new(&kc);
	struct msidom_vfio_sys sys = e->fk->sys;
	sys.first_dirent = NULL;
	e->cfg.sys = &sys;
	env_open(e);
	msidom_vfio_get_info(e->v, &info);
	assert_false(info.cdev);
	env_free(e);
}

static void test_cdev_faults(void **state)
{
	(void)state;
	fault_cdev = true;
	int n = fault_loop(612, NULL, op_open, false, FK_ANY);
	fault_cdev = false;
	assert_true(n >= 10);
}

/* ---- allocation ---- */

static void test_dynamic_one_at_a_time(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	struct env *e = env_new(&kc);
	env_open(e);
	for (uint32_t i = 0; i < 5; i++) {
		unsigned int before = e->fk->set_irqs;
		must_alloc(e, i, true);
		/* One SET_IRQS for the new vector alone. */
		assert_int_equal(e->fk->set_irqs, before + 1);
		assert_true(armed_trigger(e, i));
	}
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(e->fk->teardowns[i], 0);
	assert_int_equal(e->fk->disables, 0);
	assert_int_equal(e->fk->enables, 1);
	/* Far index: still one call, live vectors untouched. */
	must_alloc(e, 12, true);
	assert_int_equal(e->fk->set_irqs, 6);
	struct msidom_vfio_stats st;
	msidom_vfio_get_stats(e->v, &st);
	assert_int_equal(st.set_irqs, 6);
	assert_int_equal(st.resizes, 0);
	assert_int_equal(st.disables, 0);

	/* Free is fd -1 for that vector only. */
	assert_int_equal(msidom_vfio_free(e->v, 2), 0);
	assert_int_equal(e->fk->ctx[2], -1);
	assert_int_equal(e->fk->set_irqs, 7); /* one call: fd -1 */
	for (uint32_t i = 0; i < 5; i++)
		if (i != 2)
			assert_true(armed_trigger(e, i));
	assert_int_equal(e->fk->teardowns[0], 0);
	env_free(e);
}

static void test_noresize_grow(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	struct env *e = env_new(&kc);
	env_open(e);
	must_alloc(e, 0, true);
	assert_int_equal(e->fk->num_ctx, 1);
	assert_int_equal(e->fk->enables, 1);
	/* Growing: disable, re-enable 0..2 with the live fds, signal them. */
	must_alloc(e, 2, true);
	assert_int_equal(e->fk->num_ctx, 3);
	assert_int_equal(e->fk->disables, 1);
	assert_int_equal(e->fk->enables, 2);
	assert_true(armed_trigger(e, 0));
	assert_true(armed_trigger(e, 2));
	assert_int_equal(e->fk->ctx[1], -1);
	struct msidom_vfio_stats st;
	msidom_vfio_get_stats(e->v, &st);
	assert_int_equal(st.resizes, 1);
	assert_int_equal(st.resize_signals, 2);
	/* Both live vectors got one (possibly spurious) interrupt. */
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	assert_int_equal(e->hits[2], 1);
	/* Inside the enabled size: one call, no resize. */
	unsigned int calls = e->fk->set_irqs;
	must_alloc(e, 1, true);
	assert_int_equal(e->fk->set_irqs, calls + 1);
	assert_int_equal(e->fk->disables, 1);
	/* Freeing all disables the index with one call. */
	assert_int_equal(msidom_msi_free_all(msidom_vfio_device(e->v), MSIDOM_DEFAULT_DOMAIN), 3);
	assert_int_equal(e->fk->irq_type, -1);
	env_free(e);
}

/* The device raises vector 0 while the index is off: the kernel drops it. */
static void raise_in_gap(struct fake_kernel *fk, void *arg)
{
	bool *lost = arg;
	*lost = !fk_raise(fk, 0);
}

static void test_grow_loses_nothing(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	struct env *e = env_new(&kc);
	bool lost = false;
	env_open(e);
	must_alloc(e, 0, true);
	dispatch_all(e);
	assert_int_equal(e->hits[0], 0);
	e->fk->on_disable = raise_in_gap;
	e->fk->on_disable_arg = &lost;
	must_alloc(e, 1, true);
	e->fk->on_disable = NULL;
	assert_true(lost);
	/* The interrupt raised in the gap still reaches the handler. */
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	env_free(e);
}

static void test_noresize_prealloc(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	struct env *e = env_new(&kc);
	e->cfg.policy = MSIDOM_VFIO_PREALLOC;
	env_open(e);
	must_alloc(e, 0, true);
	assert_int_equal(e->fk->num_ctx, 16);
	for (uint32_t i = 1; i < 16; i++) {
		unsigned int calls = e->fk->set_irqs;
		must_alloc(e, i, true);
		assert_int_equal(e->fk->set_irqs, calls + 1);
	}
	assert_int_equal(e->fk->disables, 0);
	assert_int_equal(e->fk->teardowns[0], 0);
	struct msidom_vfio_stats st;
	msidom_vfio_get_stats(e->v, &st);
	assert_int_equal(st.resizes, 0);
	env_free(e);
}

static void test_alloc_any_and_errors(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	struct env *e = env_new(&kc);
	env_open(e);
	struct msidom_map m = alloc_vec(e, MSIDOM_INDEX_ANY, true);
	assert_int_equal(m.index, 0);
	m = alloc_vec(e, 16, true);
	assert_int_equal(m.index, -ERANGE);
	m = alloc_vec(e, 0, true);
	assert_int_equal(m.index, -EEXIST);
	assert_int_equal(msidom_vfio_vector_eventfd(e->v, 5), -ENOENT);
	assert_int_equal(msidom_vfio_free(e->v, 5), -ENOENT);
	assert_int_equal(msidom_vfio_vector_eventfd(NULL, 0), -EINVAL);
	assert_int_equal(msidom_vfio_trigger(e->v, 3), -ENOENT);
	assert_int_equal(msidom_vfio_batch_end(e->v), -EINVAL);
	assert_int_equal(msidom_vfio_dispatch(NULL, 0), -EINVAL);
	/* The host runs out of vectors: the first enable fails cleanly. */
	env_free(e);

	kc.host_vectors = 2;
	e = env_new(&kc);
	env_open(e);
	struct snap *s = snap_take(e);
	m = alloc_vec(e, 5, true);
	assert_int_equal(m.index, -ENOSPC);
	snap_check(e, s);
	env_free(e);
}

static void setup_open(struct env *e)
{
	env_open(e);
}

static void setup_one(struct env *e)
{
	env_open(e);
	must_alloc(e, 0, true);
}

static void setup_two_masked(struct env *e)
{
	env_open(e);
	must_alloc(e, 0, true);
	must_alloc(e, 1, false);
}

static int op_alloc0(struct env *e)
{
	return alloc_vec(e, 0, true).index;
}

static int op_alloc3(struct env *e)
{
	return alloc_vec(e, 3, true).index;
}

static int op_alloc3_masked(struct env *e)
{
	return alloc_vec(e, 3, false).index;
}

static void test_alloc_faults(void **state)
{
	(void)state;
	/* First vector (enables the index), on both kernels. */
	assert_true(fault_loop(61, setup_open, op_alloc0, false, FK_ANY) >= 4);
	assert_true(fault_loop(612, setup_open, op_alloc0, false, FK_ANY) >= 4);
	/* A vector beyond the enabled size: the grow cycle's every step. */
	assert_true(fault_loop(61, setup_one, op_alloc3, false, FK_ANY) >= 5);
	/* Dynamic add next to a live vector. */
	assert_true(fault_loop(612, setup_one, op_alloc3, false, FK_ANY) >= 4);
	assert_true(fault_loop(612, setup_one, op_alloc3_masked, false, FK_ANY) >= 4);
	/* Allocation failures. */
	assert_true(fault_loop(61, setup_one, op_alloc3, true, FK_ANY) >= 1);
	assert_true(fault_loop(612, setup_one, op_alloc3, true, FK_ANY) >= 1);
}

/* Grow where the re-enable fails and so does the restore: vectors come back later. */
static void test_grow_restore_fails(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	struct env *e = env_new(&kc);
	env_open(e);
	must_alloc(e, 0, true);
	/* SET_IRQS #1 disable passes, #2 re-enable fails, #3 restore fails. */
	fk_fail(e->fk, 2, EIO, FK_IOCTL, VFIO_DEVICE_SET_IRQS);
	struct msidom_map m = alloc_vec(e, 3, true);
	assert_int_equal(m.index, -EIO);
	assert_true(fk_fail_off(e->fk));
	assert_int_equal(e->fk->irq_type, 2);
	assert_true(armed_trigger(e, 0));

	/* Now the restore fails too: the index stays off until the unwind re-arms it. */
	fk_fail(e->fk, 2, EIO, FK_IOCTL, VFIO_DEVICE_SET_IRQS);
	e->fk->fail_repeat = 1;
	m = alloc_vec(e, 3, true);
	assert_true(fk_fail_off(e->fk));
	assert_int_equal(m.index, -EIO);
	assert_non_null(strstr(e->log, "could not be re-enabled"));
	assert_int_equal(msidom_vfio_sync(e->v), 0);
	assert_true(armed_trigger(e, 0));
	assert_int_equal(msidom_irq_count(e->ctx), 1);
	env_free(e);
}

/* ---- batching ---- */

static void test_batch_runs(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	struct env *e = env_new(&kc);
	env_open(e);
	must_alloc(e, 2, true);
	unsigned int calls = e->fk->set_irqs;
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0); /* nests */
	must_alloc(e, 0, true);
	must_alloc(e, 1, true);
	must_alloc(e, 3, true);
	must_alloc(e, 4, true);
	must_alloc(e, 7, true);
	assert_int_equal(msidom_vfio_batch_end(e->v), 0);
	/* Nothing reached the kernel before the outermost commit. */
	assert_int_equal(e->fk->set_irqs, calls);
	assert_int_equal(e->fk->ctx[0], -1);
	assert_int_equal(msidom_vfio_batch_end(e->v), 0);
	/* Runs [0,1] and [3..7] (5, 6 carry -1); live vector 2 splits them. */
	assert_int_equal(e->fk->set_irqs, calls + 2);
	assert_int_equal(e->fk->teardowns[2], 0);
	for (uint32_t i = 0; i < 8; i++) {
		if (i == 5 || i == 6)
			assert_int_equal(e->fk->ctx[i], -1);
		else
			assert_true(armed_trigger(e, i));
	}
	/* A batch of frees: one call per run as well. */
	calls = e->fk->set_irqs;
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
	assert_int_equal(msidom_vfio_free(e->v, 3), 0);
	assert_int_equal(msidom_vfio_free(e->v, 4), 0);
	assert_int_equal(msidom_vfio_free(e->v, 7), 0);
	assert_int_equal(msidom_vfio_batch_end(e->v), 0);
	assert_int_equal(e->fk->set_irqs, calls + 1);
	assert_int_equal(e->fk->ctx[3], -1);
	assert_int_equal(e->fk->ctx[7], -1);
	assert_true(armed_trigger(e, 2));
	env_free(e);
}

static void test_batch_noresize(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	struct env *e = env_new(&kc);
	env_open(e);
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
	for (uint32_t i = 0; i < 5; i++)
		must_alloc(e, i, true);
	assert_int_equal(msidom_vfio_batch_end(e->v), 0);
	/* One enable of 0..4; no resize cycle. */
	assert_int_equal(e->fk->set_irqs, 1);
	assert_int_equal(e->fk->num_ctx, 5);
	assert_int_equal(e->fk->disables, 0);
	/* Batch across the size: one grow cycle for all of them. */
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
	for (uint32_t i = 5; i < 9; i++)
		must_alloc(e, i, true);
	assert_int_equal(msidom_vfio_batch_end(e->v), 0);
	assert_int_equal(e->fk->set_irqs, 3);
	assert_int_equal(e->fk->num_ctx, 9);
	struct msidom_vfio_stats st;
	msidom_vfio_get_stats(e->v, &st);
	assert_int_equal(st.resizes, 1);
	assert_int_equal(msidom_vfio_set_mode(e->v, MSIDOM_VFIO_MODE_MSI), 0);
	env_free(e);
}

static void test_batch_commit_fails(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	struct env *e = env_new(&kc);
	env_open(e);
	must_alloc(e, 2, true);
	struct fk_state *before = calloc(1, sizeof(*before));
	fk_state(e->fk, before);
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
	must_alloc(e, 0, true);
	must_alloc(e, 5, true);
	/* The second run fails: the first is put back. */
	fk_fail(e->fk, 2, EIO, FK_IOCTL, VFIO_DEVICE_SET_IRQS);
	assert_int_equal(msidom_vfio_batch_end(e->v), -EIO);
	assert_true(fk_fail_off(e->fk));
	struct fk_state *after = calloc(1, sizeof(*after));
	fk_state(e->fk, after);
	assert_memory_equal(before->ino, after->ino, sizeof(before->ino));
	assert_int_equal(e->fk->teardowns[2], 0);
	assert_int_equal(msidom_vfio_set_mode(e->v, MSIDOM_VFIO_MODE_MSIX), 0);
	/* The library kept the vectors: a sync programs them. */
	assert_int_equal(msidom_vfio_sync(e->v), 0);
	assert_true(armed_trigger(e, 0));
	assert_true(armed_trigger(e, 5));
	free(before);
	free(after);
	env_free(e);
}

/* ---- masking ---- */

static void test_mask_replay(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	struct env *e = env_new(&kc);
	env_open(e);
	must_alloc(e, 0, true);
	uint32_t virq = virq_of(e, 0);
	assert_int_equal(msidom_irq_mask(e->ctx, virq), 0);
	assert_true(armed_mask(e, 0));
	assert_true(msidom_desc_masked(msidom_irq_desc(e->ctx, virq)));
	assert_int_equal(msidom_vfio_vector_pending(e->v, 0), 0);
	assert_true(fk_raise(e->fk, 0));
	assert_true(fk_raise(e->fk, 0));
	dispatch_all(e);
	assert_int_equal(e->hits[0], 0); /* masking holds */
	assert_int_equal(msidom_vfio_vector_pending(e->v, 0), 1);
	assert_int_equal(msidom_irq_unmask(e->ctx, virq), 0);
	assert_true(armed_trigger(e, 0));
	assert_int_equal(msidom_vfio_vector_pending(e->v, 0), 0);
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1); /* replayed once */
	/* Mask and unmask with nothing pending: no replay. */
	assert_int_equal(msidom_irq_mask(e->ctx, virq), 0);
	assert_int_equal(msidom_irq_unmask(e->ctx, virq), 0);
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	struct msidom_vfio_stats st;
	msidom_vfio_get_stats(e->v, &st);
	assert_int_equal(st.replays, 1);
	assert_int_equal(st.dispatched, 1);
	env_free(e);
}

static void test_alloc_masked(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	struct env *e = env_new(&kc);
	env_open(e);
	must_alloc(e, 0, false);
	/* A masked vector is armed with the mask eventfd from the start. */
	assert_true(armed_mask(e, 0));
	assert_true(fk_raise(e->fk, 0));
	dispatch_all(e);
	assert_int_equal(e->hits[0], 0);
	assert_int_equal(msidom_irq_unmask(e->ctx, virq_of(e, 0)), 0);
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	/* The loopback trigger of a masked vector makes it pending. */
	assert_int_equal(msidom_irq_mask(e->ctx, virq_of(e, 0)), 0);
	assert_int_equal(msidom_vfio_trigger(e->v, 0), 0);
	assert_int_equal(msidom_vfio_vector_pending(e->v, 0), 1);
	/* Freeing a masked vector drops what was pending. */
	assert_int_equal(msidom_vfio_free(e->v, 0), 0);
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	env_free(e);
}

static int op_mask1(struct env *e)
{
	return msidom_irq_mask(e->ctx, virq_of(e, 0));
}

static int op_unmask1(struct env *e)
{
	return msidom_irq_unmask(e->ctx, virq_of(e, 1));
}

static void test_mask_faults(void **state)
{
	(void)state;
	assert_true(fault_loop(612, setup_two_masked, op_mask1, false, FK_ANY) >= 1);
	assert_true(fault_loop(61, setup_two_masked, op_mask1, false, FK_ANY) >= 1);
	assert_true(fault_loop(612, setup_two_masked, op_unmask1, false, FK_ANY) >= 1);
	assert_true(fault_loop(61, setup_two_masked, op_unmask1, false, FK_ANY) >= 1);
}

/* An interrupt left unread in the trigger when the vector is masked. */
static void test_mask_unread_trigger(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	struct env *e = env_new(&kc);
	env_open(e);
	must_alloc(e, 0, true);
	must_alloc(e, 1, true);
	uint32_t v0 = virq_of(e, 0), v1 = virq_of(e, 1);
	assert_true(fk_raise(e->fk, 0));
	assert_true(fk_raise(e->fk, 1));
	assert_int_equal(msidom_irq_mask(e->ctx, v0), 0);
	assert_int_equal(msidom_irq_mask(e->ctx, v1), 0);
	/* The pending query folds vector 0's unread trigger in. */
	assert_int_equal(msidom_vfio_vector_pending(e->v, 0), 1);
	/* Dispatch does not run a masked vector's handler: vector 1 turns pending. */
	dispatch_all(e);
	assert_int_equal(e->hits[0], 0);
	assert_int_equal(e->hits[1], 0);
	assert_int_equal(msidom_vfio_vector_pending(e->v, 1), 1);
	assert_int_equal(msidom_irq_unmask(e->ctx, v0), 0);
	assert_int_equal(msidom_irq_unmask(e->ctx, v1), 0);
	dispatch_all(e);
	assert_int_equal(e->hits[0], 1);
	assert_int_equal(e->hits[1], 1);
	env_free(e);
}

/* A free whose SET_IRQS fails: the library lets go, the kernel is fixed later. */
static void test_free_fails(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	struct env *e = env_new(&kc);
	env_open(e);
	must_alloc(e, 0, true);
	int fds = count_fds();
	must_alloc(e, 1, true);
	fk_fail(e->fk, 1, EIO, FK_IOCTL, VFIO_DEVICE_SET_IRQS);
	assert_int_equal(msidom_vfio_free(e->v, 1), 0);
	assert_true(fk_fail_off(e->fk));
	assert_int_equal(msidom_irq_count(e->ctx), 1);
	assert_true(e->fk->ctx[1] >= 0); /* still armed in the kernel */
	assert_non_null(strstr(e->log, "retried on the next update"));
	assert_int_equal(msidom_vfio_sync(e->v), 0);
	assert_int_equal(e->fk->ctx[1], -1);
	assert_true(armed_trigger(e, 0));
	assert_int_equal(count_fds(), fds); /* the kept eventfd is closed now */
	env_free(e);
}

static void kstate_equal(const struct fk_state *a, const struct fk_state *b)
{
	assert_int_equal(a->irq_type, b->irq_type);
	assert_int_equal(a->num_ctx, b->num_ctx);
	assert_memory_equal(a->ino, b->ino, sizeof(a->ino));
}

/*
 * Every SET_IRQS of a commit (and of its restore) failing: the kernel keeps
 * exactly its pre-batch programming, the library keeps the batch, a sync
 * programs it, and closing leaves nothing behind.
 */
static void batch_fault_loop(int version)
{
	int failures = 0;
	for (long n = 1; n < 100; n++) {
		struct fk_config kc = kcfg(version);
		struct env *e = env_new(&kc);
		env_open(e);
		must_alloc(e, 2, true);
		must_alloc(e, 3, true);
		must_alloc(e, 4, true); /* live, unchanged: splits the runs */
		struct fk_state *before = calloc(1, sizeof(*before));
		struct fk_state *after = calloc(1, sizeof(*after));
		fk_state(e->fk, before);
		assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
		must_alloc(e, 0, true);
		must_alloc(e, 5, false);
		assert_int_equal(msidom_vfio_free(e->v, 2), 0);
		assert_int_equal(msidom_irq_mask(e->ctx, virq_of(e, 3)), 0);
		fk_fail(e->fk, n, EIO, FK_IOCTL, VFIO_DEVICE_SET_IRQS);
		int ret = msidom_vfio_batch_end(e->v);
		bool fired = fk_fail_off(e->fk);
		if (ret < 0) {
			assert_true(fired);
			failures++;
			fk_state(e->fk, after);
			kstate_equal(before, after);
			assert_int_equal(msidom_vfio_sync(e->v), 0);
		}
		assert_true(armed_trigger(e, 0));
		assert_true(armed_mask(e, 5));
		assert_true(armed_mask(e, 3));
		assert_int_equal(e->fk->ctx[2], -1);
		assert_true(armed_trigger(e, 4));
		if (version == 612)
			assert_int_equal(e->fk->teardowns[4], 0);
		free(before);
		free(after);
		env_free(e);
		if (!fired)
			break;
	}
	assert_true(failures >= 2);
}

static void test_batch_faults(void **state)
{
	(void)state;
	batch_fault_loop(612);
	batch_fault_loop(61);
}

/* ---- delivery ---- */

static void test_dispatch(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	struct env *e = env_new(&kc);
	env_open(e);
	must_alloc(e, 0, true);
	must_alloc(e, 1, true);
	must_alloc(e, 2, true);
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), 0);
	assert_true(fk_raise(e->fk, 0));
	assert_true(fk_raise(e->fk, 2));
	assert_true(fk_raise(e->fk, 2));
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), 2);
	assert_int_equal(e->hits[0], 1);
	assert_int_equal(e->hits[1], 0);
	assert_int_equal(e->hits[2], 1); /* coalesced in the eventfd counter */
	/* Loopback through the kernel. */
	assert_int_equal(msidom_vfio_trigger(e->v, 1), 0);
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), 1);
	assert_int_equal(e->hits[1], 1);
	/* Handing vector 1 to "KVM": out of the loop, the eventfd still fires. */
	assert_int_equal(msidom_vfio_set_polled(e->v, 1, false), 0);
	assert_int_equal(msidom_vfio_set_polled(e->v, 1, false), 0);
	assert_true(fk_raise(e->fk, 1));
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), 0);
	uint64_t cnt = 0;
	assert_int_equal(read(msidom_vfio_vector_eventfd(e->v, 1), &cnt, 8), 8);
	assert_int_equal(cnt, 1);
	assert_int_equal(msidom_vfio_set_polled(e->v, 1, true), 0);
	/* msidom_handle works on the root's hwirq directly. */
	assert_int_equal(msidom_handle(msidom_vfio_root(e->v), MSIDOM_VFIO_HWIRQ(2, 0)), 0);
	assert_int_equal(e->hits[0], 2);
	/* A handler-less vector counts as spurious. */
	assert_int_equal(msidom_irq_set_handler(e->ctx, virq_of(e, 0), NULL, NULL), 0);
	assert_true(fk_raise(e->fk, 0));
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), 0);
	struct msidom_vfio_stats st;
	msidom_vfio_get_stats(e->v, &st);
	assert_int_equal(st.spurious, 1);
	/* epoll_wait failing is reported. */
	fk_fail(e->fk, 1, EINTR, FK_EPOLL_WAIT, 0);
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), -EINTR);
	fk_fail_off(e->fk);
	env_free(e);
}

static void test_err_req(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	struct env *e = env_new(&kc);
	env_open(e);
	assert_true(fk_raise_err(e->fk));
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), 1);
	assert_int_equal(e->err_hits, 1);
	assert_true(fk_raise_req(e->fk));
	assert_int_equal(msidom_vfio_dispatch(e->v, 0), 1);
	assert_int_equal(e->req_hits, 1);
	struct msidom_vfio_stats st;
	msidom_vfio_get_stats(e->v, &st);
	assert_int_equal(st.err_events, 1);
	assert_int_equal(st.req_events, 1);
	env_free(e);

	/* Without callbacks nothing is armed. */
	e = env_new(&kc);
	e->cfg.on_err = NULL;
	e->cfg.on_req = NULL;
	env_open(e);
	assert_int_equal(e->fk->err_ctx, -1);
	assert_int_equal(e->fk->req_ctx, -1);
	env_free(e);

	/* A kernel without ERR/REQ: open works and says so. */
	kc.has_err = false;
	kc.has_req = false;
	e = env_new(&kc);
	env_open(e);
	assert_non_null(strstr(e->log, "no ERR interrupt"));
	env_free(e);
}

/* ---- modes ---- */

static void test_modes(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	struct env *e = env_new(&kc);
	env_open(e);
	must_alloc(e, 0, true);
	must_alloc(e, 1, true);
	assert_int_equal(e->fk->irq_type, 2);
	assert_int_equal(msidom_vfio_set_mode(e->v, MSIDOM_VFIO_MODE_MSIX), 0);
	assert_int_equal(msidom_irq_count(e->ctx), 2);
	/* Switching frees the MSI-X vectors and disables the index. */
	assert_int_equal(msidom_vfio_set_mode(e->v, MSIDOM_VFIO_MODE_MSI), 0);
	assert_int_equal(msidom_irq_count(e->ctx), 0);
	assert_int_equal(e->fk->irq_type, -1);
	struct msidom_domain *d =
		msidom_device_domain(msidom_vfio_device(e->v), MSIDOM_DEFAULT_DOMAIN);
	assert_string_equal(msidom_domain_name(d), "VFIO-PCI-MSI-" BDF);
	assert_int_equal(msidom_domain_hwsize(d), 4);
	must_alloc(e, 0, true);
	must_alloc(e, 1, true);
	assert_int_equal(e->fk->irq_type, 1);
	assert_int_equal(e->fk->num_ctx, 2); /* MSI is NORESIZE: grew */
	assert_true(fk_raise(e->fk, 1));
	dispatch_all(e);
	assert_true(e->hits[1] >= 1);
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
	assert_int_equal(msidom_vfio_set_mode(e->v, MSIDOM_VFIO_MODE_MSIX), -EBUSY);
	assert_int_equal(msidom_vfio_batch_end(e->v), 0);
	assert_int_equal(msidom_vfio_set_mode(e->v, (enum msidom_vfio_mode)9), -EINVAL);
	env_free(e);
}

static void test_mode_switch_fails(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(612);
	struct env *e = env_new(&kc);
	env_open(e);
	must_alloc(e, 0, true);
	/* Creating the MSI domain runs out of memory: an empty MSI-X domain is back. */
	int failures = 0;
	for (long n = 1; n < 50; n++) {
		e->mem_fail_at = n;
		e->mem_fired = false;
		int ret = msidom_vfio_set_mode(e->v, MSIDOM_VFIO_MODE_MSI);
		bool fired = e->mem_fired;
		e->mem_fail_at = 0;
		if (!fired) {
			assert_int_equal(ret, 0);
			break;
		}
		if (ret < 0) {
			failures++;
			assert_int_equal(ret, -ENOMEM);
			struct msidom_vfio_info info;
			msidom_vfio_get_info(e->v, &info);
			assert_int_equal(info.mode, MSIDOM_VFIO_MODE_MSIX);
			assert_int_equal(msidom_irq_count(e->ctx), 0);
			assert_int_equal(e->fk->irq_type, -1);
			must_alloc(e, 0, true);
		} else {
			assert_int_equal(msidom_vfio_set_mode(e->v, MSIDOM_VFIO_MODE_MSIX), 0);
			must_alloc(e, 0, true);
		}
	}
	assert_true(failures >= 1);
	env_free(e);
}

static void test_close_with_live_vectors(void **state)
{
	(void)state;
	struct fk_config kc = kcfg(61);
	struct env *e = env_new(&kc);
	env_open(e);
	for (uint32_t i = 0; i < 16; i += 3)
		must_alloc(e, i, i % 2 == 0);
	assert_int_equal(msidom_vfio_batch_begin(e->v), 0);
	must_alloc(e, 1, true);
	/* Closed inside a batch: everything still goes. */
	env_free(e);
	msidom_vfio_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_61),
		cmocka_unit_test(test_open_612),
		cmocka_unit_test(test_open_no_intremap),
		cmocka_unit_test(test_open_unsafe_allowed),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_open_faults),
		cmocka_unit_test(test_cdev),
		cmocka_unit_test(test_cdev_faults),
		cmocka_unit_test(test_dynamic_one_at_a_time),
		cmocka_unit_test(test_noresize_grow),
		cmocka_unit_test(test_grow_loses_nothing),
		cmocka_unit_test(test_noresize_prealloc),
		cmocka_unit_test(test_alloc_any_and_errors),
		cmocka_unit_test(test_alloc_faults),
		cmocka_unit_test(test_grow_restore_fails),
		cmocka_unit_test(test_batch_runs),
		cmocka_unit_test(test_batch_noresize),
		cmocka_unit_test(test_batch_commit_fails),
		cmocka_unit_test(test_mask_replay),
		cmocka_unit_test(test_alloc_masked),
		cmocka_unit_test(test_mask_faults),
		cmocka_unit_test(test_mask_unread_trigger),
		cmocka_unit_test(test_free_fails),
		cmocka_unit_test(test_batch_faults),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_err_req),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_mode_switch_fails),
		cmocka_unit_test(test_close_with_live_vectors),
	};
	return cmocka_run_group_tests_name("vfio", tests, NULL, NULL);
}
