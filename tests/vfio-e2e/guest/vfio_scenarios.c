/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libmsidom's VFIO backend against a real kernel: every scenario opens a
 * device bound to vfio-pci, drives its vectors through the library and
 * makes the emulated device raise interrupts by register writes.
 *
 *   e2e-vfio SCENARIO dynamic|noresize
 *
 * The devices come from the environment set by /init: EDU_BDF, E1000E_BDF
 * and NVME_BDF.  Each check prints one "@@E2E CHECK" line; the exit status
 * is non-zero when any failed.
 */
#include "e2e_common.h"

#include <errno.h>
#include <libmsidom/msidom.h>
#include <libmsidom/vfio.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_VECTORS    128
#define E1000E_VECTORS 5

struct hits {
	unsigned int count;
	uint32_t last_virq;
};

/* Everything one scenario needs, shared with the handlers and hooks. */
struct env {
	struct msidom_ctx *ctx;
	struct msidom_vfio *vdev;
	struct e2e_regs regs;
	struct hits hits[MAX_VECTORS];
	uint32_t virq[MAX_VECTORS];
	bool dynamic;
	/* Last error/warning line the library logged. */
	char last_log[256];
	/* What the system-call seam does in the gap of a NORESIZE grow. */
	bool gap_watch;         /* act on MSI-X disables (around one allocation) */
	unsigned int gap_calls; /* MSI-X disables seen while watching */
	unsigned int gap_raise_vector;
	int gap_msix_enabled; /* MSI-X enable bit seen inside the gap */
	uint32_t msix_cap;    /* config offset of the MSI-X capability */
};

static void log_hook(void *opaque, enum msidom_log_level level, const char *line)
{
	struct env *env = opaque;

	printf("@@E2E LOG %d %s\n", (int)level, line);
	fflush(stdout);
	if (level <= MSIDOM_LOG_WARN)
		snprintf(env->last_log, sizeof(env->last_log), "%s", line);
}

static void on_irq(uint32_t virq, void *arg)
{
	struct hits *h = arg;

	h->count++;
	h->last_virq = virq;
}

static int ctx_open(struct env *env)
{
	static struct msidom_hooks hooks = { .sz = sizeof(struct msidom_hooks) };
	struct msidom_ctx_config cfg = { .sz = sizeof(struct msidom_ctx_config) };

	/* Size-versioned like every hooks struct: zero would be refused. */
	hooks.sz = sizeof(hooks);
	hooks.log = log_hook;
	hooks.log_opaque = env;
	/* INFO shows what the backend learnt from the kernel; E2E_DEBUG=1
	 * (harness --debug) traces every step. */
	hooks.log_level = getenv("E2E_DEBUG") ? MSIDOM_LOG_DEBUG : MSIDOM_LOG_INFO;
	cfg.hooks = &hooks;
	return msidom_ctx_create(&cfg, &env->ctx);
}

/* Walks the config space capability list for MSI-X (id 0x11). */
static uint32_t find_msix_cap(const struct e2e_regs *r)
{
	uint8_t ptr = 0, id = 0;
	int guard = 48;

	if (pread(r->fd, &ptr, 1, (off_t)(r->config + 0x34)) != 1)
		return 0;
	while (ptr >= 0x40 && guard-- > 0) {
		if (pread(r->fd, &id, 1, (off_t)(r->config + ptr)) != 1)
			return 0;
		if (id == 0x11)
			return ptr;
		if (pread(r->fd, &ptr, 1, (off_t)(r->config + ptr + 1)) != 1)
			return 0;
		ptr &= 0xfc;
	}
	return 0;
}

static int msix_enabled_now(const struct env *env)
{
	uint16_t ctl;

	if (!env->msix_cap)
		return -1;
	if (pread(env->regs.fd, &ctl, 2, (off_t)(env->regs.config + env->msix_cap + 2)) != 2)
		return -1;
	return (ctl >> 15) & 1;
}

/*
 * The gap of a NORESIZE grow: the kernel has just disabled MSI-X and the
 * library has not re-enabled it yet. Anything the device raises now is
 * dropped by the kernel; only the library's signal after the re-enable
 * can bring it back.
 */
static void gap_action(struct env *env)
{
	env->gap_calls++;
	env->gap_msix_enabled = msix_enabled_now(env);
	e2e_e1000e_route_other(&env->regs, env->gap_raise_vector);
	e2e_e1000e_raise_other(&env->regs);
	/* With MSI-X off the cause goes out as INTx and arms QEMU 7.2's
	 * ITR timer, which aborts QEMU if it expires with MSI-X on:
	 * let it expire inside the gap. */
	e2e_e1000e_settle();
}

/*
 * The library's system calls are the real ones, except that SET_IRQS is
 * watched for the disable that opens a grow's gap. The seam's opaque
 * belongs to the real calls, so the scenario's state is reached through
 * this pointer (one device at a time).
 */
static struct env *seam_env;

static bool is_msix_disable(unsigned long request, const void *arg)
{
	const struct vfio_irq_set *set = arg;

	/* count 0 with DATA_NONE | ACTION_TRIGGER turns the whole index off. */
	return request == VFIO_DEVICE_SET_IRQS && set->index == VFIO_PCI_MSIX_IRQ_INDEX &&
	       set->count == 0 &&
	       set->flags == (VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER);
}

static int seam_ioctl(void *opaque, int fd, unsigned long request, void *arg)
{
	int rc = msidom_vfio_sys_default()->ioctl(opaque, fd, request, arg);

	if (rc == 0 && seam_env && seam_env->gap_watch && is_msix_disable(request, arg))
		gap_action(seam_env);
	return rc;
}

static int dev_open(struct env *env, const char *bdf, enum msidom_vfio_mode mode,
		    enum msidom_vfio_policy policy)
{
	static struct msidom_vfio_sys sys;
	MSIDOM_OPTS(msidom_vfio_config, cfg, .bdf = bdf, .sys = &sys, .mode = mode,
		    .policy = policy);
	int rc, fd;

	sys = *msidom_vfio_sys_default();
	sys.ioctl = seam_ioctl;
	seam_env = env;
	rc = msidom_vfio_open(env->ctx, &cfg, &env->vdev);
	if (!CHECK(rc == 0, "msidom_vfio_open(%s) = %d (%s)", bdf, rc, env->last_log))
		return rc;
	fd = msidom_vfio_device_fd(env->vdev);
	rc = e2e_regs_init(&env->regs, fd);
	CHECK(rc == 0, "device regions of %s", bdf);
	CHECK(e2e_pci_enable_master(&env->regs) == 0, "bus master on for %s", bdf);
	env->msix_cap = find_msix_cap(&env->regs);
	return rc;
}

static void dev_close(struct env *env)
{
	msidom_vfio_close(env->vdev);
	env->vdev = NULL;
}

static struct msidom_vfio_stats stats_of(struct env *env)
{
	struct msidom_vfio_stats st = { .sz = sizeof(struct msidom_vfio_stats) };

	if (msidom_vfio_get_stats(env->vdev, &st) != 0)
		CHECK(false, "msidom_vfio_get_stats");
	return st;
}

static int alloc_vec(struct env *env, uint32_t index, bool unmasked)
{
	struct msidom_map m =
		msidom_vfio_alloc(env->vdev, index, unmasked, on_irq, &env->hits[index]);

	if (!CHECK(m.index == (int32_t)index && m.virq > 0,
		   "allocate vector %u (%s): index %d virq %u", index,
		   unmasked ? "unmasked" : "masked", m.index, m.virq))
		return -1;
	env->virq[index] = m.virq;
	return 0;
}

static unsigned int total_hits(const struct env *env)
{
	unsigned int i, n = 0;

	for (i = 0; i < MAX_VECTORS; i++)
		n += env->hits[i].count;
	return n;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Dispatches until the handlers ran @p want more times, or the timeout. */
static bool dispatch_until(struct env *env, unsigned int want, int timeout_ms)
{
	unsigned int start = total_hits(env);
	long long deadline = now_ms() + timeout_ms;

	while (total_hits(env) - start < want) {
		long long left = deadline - now_ms();
		int rc;

		if (left <= 0)
			return false;
		rc = msidom_vfio_dispatch(env->vdev, (int)left);
		if (rc < 0 && rc != -EINTR) {
			CHECK(false, "msidom_vfio_dispatch = %d", rc);
			return false;
		}
	}
	return true;
}

/* True when no handler runs for a while. */
static bool dispatch_quiet(struct env *env)
{
	unsigned int start = total_hits(env);

	msidom_vfio_dispatch(env->vdev, E2E_QUIET_MS);
	return total_hits(env) == start;
}

/* e1000e OTHER on vector v; check that exactly handler v runs once. */
static void e1000e_expect(struct env *env, unsigned int v, unsigned int nvec, const char *why)
{
	unsigned int before[MAX_VECTORS], i;

	for (i = 0; i < nvec; i++)
		before[i] = env->hits[i].count;
	e2e_e1000e_route_other(&env->regs, v);
	e2e_e1000e_raise_other(&env->regs);
	dispatch_until(env, 1, E2E_IRQ_TIMEOUT_MS);
	e2e_e1000e_clear(&env->regs);
	e2e_e1000e_settle();
	/* Let a duplicate show up before judging. */
	dispatch_quiet(env);
	CHECK(env->hits[v].count == before[v] + 1 && env->hits[v].last_virq == env->virq[v],
	      "%s: device interrupt on vector %u runs its handler once with virq %u "
	      "(calls %u, virq %u)",
	      why, v, env->virq[v], env->hits[v].count - before[v], env->hits[v].last_virq);
	for (i = 0; i < nvec; i++)
		if (i != v && env->hits[i].count != before[i])
			CHECK(false,
			      "%s: vector %u's handler ran %u times for vector %u's "
			      "interrupt",
			      why, i, env->hits[i].count - before[i], v);
}

static const char *domain_name(struct env *env)
{
	struct msidom_domain *d =
		msidom_device_domain(msidom_vfio_device(env->vdev), MSIDOM_DEFAULT_DOMAIN);

	return d ? msidom_domain_name(d) : "(none)";
}

static void check_info(struct env *env, enum msidom_vfio_irq_type type, uint32_t count)
{
	struct msidom_vfio_info info = { .sz = sizeof(struct msidom_vfio_info) };

	CHECK(msidom_vfio_get_info(env->vdev, &info) == 0, "msidom_vfio_get_info");
	CHECK(info.irq[type].count == count, "%s has %u vectors (kernel: %u, flags 0x%x)",
	      type == MSIDOM_VFIO_MSIX ? "MSI-X" : "MSI", count, info.irq[type].count,
	      info.irq[type].flags);
	CHECK(info.isolated, "MSI is isolated (interrupt remapping)");
	CHECK(msidom_device_msi_isolated(msidom_vfio_device(env->vdev)) == 1,
	      "the core sees the device's MSI as isolated");
	if (type == MSIDOM_VFIO_MSIX)
		CHECK(info.msix_dynamic == env->dynamic,
		      "backend detects %s MSI-X (kernel flags 0x%x)",
		      info.msix_dynamic ? "dynamic" : "NORESIZE", info.irq[type].flags);
}

/* ---------------------------------------------------------------------- */

static void scenario_edu_msi(struct env *env)
{
	const char *bdf = getenv("EDU_BDF");
	struct msidom_vfio_stats st = { .sz = sizeof(struct msidom_vfio_stats) };
	int efd, fds_before = e2e_count_fds();
	uint64_t n;

	if (dev_open(env, bdf, MSIDOM_VFIO_MODE_AUTO, MSIDOM_VFIO_GROW))
		return;
	check_info(env, MSIDOM_VFIO_MSI, 1);
	CHECK(strstr(domain_name(env), "PCI-MSI-") != NULL, "device domain is %s",
	      domain_name(env));
	if (alloc_vec(env, 0, true))
		goto out;
	st = stats_of(env);
	CHECK(st.set_irqs == 1 && st.disables == 0, "one SET_IRQS enabled MSI (%llu)",
	      (unsigned long long)st.set_irqs);

	/* Delivery (b): the event loop and the handler. */
	e2e_edu_raise(&env->regs, 1);
	CHECK(dispatch_until(env, 1, E2E_IRQ_TIMEOUT_MS) && env->hits[0].count == 1 &&
		      env->hits[0].last_virq == env->virq[0],
	      "edu MSI reaches handler of virq %u through msidom_vfio_dispatch", env->virq[0]);
	e2e_edu_ack(&env->regs, 1);
	CHECK(dispatch_quiet(env), "no further interrupt after the ack");

	/* Delivery (a): the vector's eventfd, as KVM would consume it. */
	efd = msidom_vfio_vector_eventfd(env->vdev, 0);
	CHECK(efd >= 0, "vector 0 has eventfd %d", efd);
	CHECK(msidom_vfio_set_polled(env->vdev, 0, false) == 0, "vector 0 taken out of epoll");
	e2e_edu_raise(&env->regs, 2);
	n = e2e_eventfd_wait(efd, E2E_IRQ_TIMEOUT_MS);
	CHECK(n == 1, "edu MSI signals the vector's eventfd (irqfd path), count %llu",
	      (unsigned long long)n);
	e2e_edu_ack(&env->regs, 2);
	CHECK(dispatch_quiet(env) && env->hits[0].count == 1,
	      "the handler does not run while the eventfd is handed out");
	CHECK(msidom_vfio_set_polled(env->vdev, 0, true) == 0, "vector 0 back in epoll");
	e2e_edu_raise(&env->regs, 4);
	CHECK(dispatch_until(env, 1, E2E_IRQ_TIMEOUT_MS) && env->hits[0].count == 2,
	      "handler runs again once polled");
	e2e_edu_ack(&env->regs, 4);

	CHECK(msidom_vfio_free(env->vdev, 0) == 0, "free vector 0");
	CHECK(msidom_vfio_vector_eventfd(env->vdev, 0) == -ENOENT, "freed vector has no eventfd");
out:
	dev_close(env);
	CHECK(e2e_count_fds() == fds_before, "close leaves no descriptor (%d -> %d)", fds_before,
	      e2e_count_fds());
}

static void scenario_e1000e_routing(struct env *env)
{
	const char *bdf = getenv("E1000E_BDF");
	int fds_before = e2e_count_fds(), efd;
	unsigned int v;
	uint64_t n;

	if (dev_open(env, bdf, MSIDOM_VFIO_MODE_AUTO, MSIDOM_VFIO_PREALLOC))
		return;
	check_info(env, MSIDOM_VFIO_MSIX, E1000E_VECTORS);
	CHECK(strstr(domain_name(env), "PCI-MSIX-") != NULL, "device domain is %s",
	      domain_name(env));
	for (v = 0; v < E1000E_VECTORS; v++)
		if (alloc_vec(env, v, true))
			goto out;
	for (v = 0; v < E1000E_VECTORS; v++)
		e1000e_expect(env, v, E1000E_VECTORS, "routing");
	/* Same check through the eventfd a VMM would hand to KVM. */
	efd = msidom_vfio_vector_eventfd(env->vdev, 3);
	CHECK(msidom_vfio_set_polled(env->vdev, 3, false) == 0, "vector 3 out of epoll");
	e2e_e1000e_route_other(&env->regs, 3);
	e2e_e1000e_raise_other(&env->regs);
	n = e2e_eventfd_wait(efd, E2E_IRQ_TIMEOUT_MS);
	e2e_e1000e_clear(&env->regs);
	e2e_e1000e_settle();
	CHECK(n == 1, "vector 3's eventfd fires for vector 3's interrupt (%llu)",
	      (unsigned long long)n);
	CHECK(msidom_vfio_set_polled(env->vdev, 3, true) == 0, "vector 3 back in epoll");
	CHECK(dispatch_quiet(env), "no stray handler calls");
out:
	dev_close(env);
	CHECK(e2e_count_fds() == fds_before, "close leaves no descriptor (%d -> %d)", fds_before,
	      e2e_count_fds());
}

static void scenario_mask_replay(struct env *env)
{
	const char *bdf = getenv("E1000E_BDF");
	struct msidom_vfio_stats st0 = { .sz = sizeof(struct msidom_vfio_stats) },
				 st1 = { .sz = sizeof(struct msidom_vfio_stats) };
	unsigned int before, hits0;
	int efd;
	uint64_t n;

	if (dev_open(env, bdf, MSIDOM_VFIO_MODE_MSIX,
		     env->dynamic ? MSIDOM_VFIO_GROW : MSIDOM_VFIO_PREALLOC))
		return;
	if (alloc_vec(env, 0, true) || alloc_vec(env, 1, true) || alloc_vec(env, 2, false))
		goto out;
	st0 = stats_of(env);

	/* A masked vector holds its interrupt... */
	CHECK(msidom_irq_mask(env->ctx, env->virq[1]) == 0, "mask vector 1");
	e2e_e1000e_route_other(&env->regs, 1);
	e2e_e1000e_raise_other(&env->regs);
	CHECK(dispatch_quiet(env) && env->hits[1].count == 0,
	      "masked vector 1: the device's interrupt does not reach the handler");
	CHECK(msidom_vfio_vector_pending(env->vdev, 1) == 1, "masked vector 1 is pending");
	e2e_e1000e_clear(&env->regs);
	e2e_e1000e_settle();
	/* ...while its neighbours keep working... */
	e1000e_expect(env, 0, 3, "neighbour of a masked vector");
	/* ...and replays it exactly once on unmask. */
	CHECK(msidom_irq_unmask(env->ctx, env->virq[1]) == 0, "unmask vector 1");
	CHECK(dispatch_until(env, 1, E2E_IRQ_TIMEOUT_MS) && env->hits[1].count == 1,
	      "unmask replays the held interrupt to vector 1's handler");
	CHECK(dispatch_quiet(env) && env->hits[1].count == 1, "replayed exactly once");
	CHECK(msidom_vfio_vector_pending(env->vdev, 1) == 0, "vector 1 no longer pending");
	st1 = stats_of(env);
	CHECK(st1.replays == st0.replays + 1, "one replay counted (%llu)",
	      (unsigned long long)(st1.replays - st0.replays));
	e1000e_expect(env, 1, 3, "after unmask");

	/* Mask and unmask with nothing pending: nothing delivered. */
	before = env->hits[1].count;
	CHECK(msidom_irq_mask(env->ctx, env->virq[1]) == 0 &&
		      msidom_irq_unmask(env->ctx, env->virq[1]) == 0,
	      "idle mask/unmask");
	CHECK(dispatch_quiet(env) && env->hits[1].count == before,
	      "no spurious call after an idle mask/unmask");

	/* A vector allocated masked holds too, and loopback counts as pending. */
	e2e_e1000e_route_other(&env->regs, 2);
	e2e_e1000e_raise_other(&env->regs);
	CHECK(dispatch_quiet(env) && env->hits[2].count == 0,
	      "vector 2, allocated masked, holds the device's interrupt");
	e2e_e1000e_clear(&env->regs);
	e2e_e1000e_settle();
	CHECK(msidom_vfio_trigger(env->vdev, 2) == 0, "loopback trigger on masked vector 2");
	CHECK(msidom_vfio_vector_pending(env->vdev, 2) == 1, "vector 2 pending");
	CHECK(msidom_irq_unmask(env->ctx, env->virq[2]) == 0, "unmask vector 2");
	CHECK(dispatch_until(env, 1, E2E_IRQ_TIMEOUT_MS) && dispatch_quiet(env) &&
		      env->hits[2].count == 1,
	      "vector 2 delivers once on unmask (held device interrupt + loopback, %u calls)",
	      env->hits[2].count);
	e1000e_expect(env, 2, 3, "after first unmask");

	hits0 = env->hits[0].count;
	/* The irqfd model: KVM must not see a masked vector's interrupt and
	 * must get it once on unmask, through the vector's own eventfd. */
	efd = msidom_vfio_vector_eventfd(env->vdev, 0);
	CHECK(efd >= 0 && msidom_vfio_set_polled(env->vdev, 0, false) == 0,
	      "vector 0 handed out as an irqfd (eventfd %d)", efd);
	CHECK(msidom_irq_mask(env->ctx, env->virq[0]) == 0, "mask vector 0");
	e2e_e1000e_route_other(&env->regs, 0);
	e2e_e1000e_raise_other(&env->regs);
	CHECK(!e2e_wait_readable(efd, E2E_QUIET_MS), "masked: the irqfd stays silent");
	e2e_e1000e_clear(&env->regs);
	e2e_e1000e_settle();
	CHECK(msidom_irq_unmask(env->ctx, env->virq[0]) == 0, "unmask vector 0");
	n = e2e_eventfd_wait(efd, E2E_IRQ_TIMEOUT_MS);
	CHECK(n == 1 && !e2e_wait_readable(efd, E2E_QUIET_MS),
	      "unmask replays the held interrupt into the irqfd once (count %llu)",
	      (unsigned long long)n);
	CHECK(msidom_vfio_set_polled(env->vdev, 0, true) == 0 && dispatch_quiet(env) &&
		      env->hits[0].count == hits0,
	      "back in the loop: no handler call for what the irqfd consumer took");
out:
	dev_close(env);
}

static void scenario_batch(struct env *env)
{
	const char *bdf = getenv("E1000E_BDF");
	struct msidom_vfio_stats st0 = { .sz = sizeof(struct msidom_vfio_stats) },
				 st1 = { .sz = sizeof(struct msidom_vfio_stats) };
	unsigned int v;

	if (dev_open(env, bdf, MSIDOM_VFIO_MODE_MSIX, MSIDOM_VFIO_GROW))
		return;
	st0 = stats_of(env);
	CHECK(msidom_vfio_batch_begin(env->vdev) == 0, "batch begin");
	for (v = 0; v < E1000E_VECTORS; v++)
		alloc_vec(env, v, true);
	st1 = stats_of(env);
	CHECK(st1.set_irqs == st0.set_irqs, "no SET_IRQS inside the batch (%llu)",
	      (unsigned long long)(st1.set_irqs - st0.set_irqs));
	CHECK(msidom_vfio_batch_end(env->vdev) == 0, "batch commit");
	st1 = stats_of(env);
	CHECK(st1.set_irqs == st0.set_irqs + 1 && st1.disables == st0.disables,
	      "five allocations in one batch: one SET_IRQS (%llu), no disable",
	      (unsigned long long)(st1.set_irqs - st0.set_irqs));
	for (v = 0; v < E1000E_VECTORS; v++)
		e1000e_expect(env, v, E1000E_VECTORS, "batch-allocated");

	st0 = stats_of(env);
	CHECK(msidom_vfio_batch_begin(env->vdev) == 0, "batch begin");
	CHECK(msidom_vfio_free(env->vdev, 1) == 0 && msidom_vfio_free(env->vdev, 2) == 0,
	      "free vectors 1 and 2 in a batch");
	CHECK(msidom_vfio_batch_end(env->vdev) == 0, "batch commit");
	st1 = stats_of(env);
	CHECK(st1.set_irqs == st0.set_irqs + 1 && st1.disables == st0.disables,
	      "two adjacent frees: one SET_IRQS (%llu), no disable",
	      (unsigned long long)(st1.set_irqs - st0.set_irqs));
	e1000e_expect(env, 0, E1000E_VECTORS, "survivor of a batched free");
	e1000e_expect(env, 3, E1000E_VECTORS, "survivor of a batched free");
	e1000e_expect(env, 4, E1000E_VECTORS, "survivor of a batched free");
	dev_close(env);
}

/*
 * A guest rewriting its MSI-X table: inside one batch, vector 2 is freed
 * and allocated again at its index, vector 3 is freed and allocated again
 * at ANY (which finds index 3). The kernel sees one SET_IRQS (no
 * disable), and the device's interrupts on 2 and 3 reach the new
 * vectors' handlers with their new virqs.
 */
static void scenario_batch_reuse(struct env *env)
{
	const char *bdf = getenv("E1000E_BDF");
	struct msidom_vfio_stats st0, st1;
	uint32_t old2, old3;
	struct msidom_map m;
	unsigned int v;

	if (dev_open(env, bdf, MSIDOM_VFIO_MODE_MSIX, MSIDOM_VFIO_GROW))
		return;
	/* One enable on a NORESIZE kernel: no grow cycle signalling every vector. */
	CHECK(msidom_vfio_batch_begin(env->vdev) == 0, "batch begin");
	for (v = 0; v < E1000E_VECTORS; v++)
		alloc_vec(env, v, true);
	CHECK(msidom_vfio_batch_end(env->vdev) == 0, "batch commit");
	old2 = env->virq[2];
	old3 = env->virq[3];
	e1000e_expect(env, 2, E1000E_VECTORS, "before the rewrite");
	st0 = stats_of(env);
	CHECK(msidom_vfio_batch_begin(env->vdev) == 0, "batch begin");
	CHECK(msidom_vfio_free(env->vdev, 2) == 0, "free vector 2 in the batch");
	alloc_vec(env, 2, true);
	CHECK(msidom_vfio_free(env->vdev, 3) == 0, "free vector 3 in the batch");
	m = msidom_vfio_alloc(env->vdev, MSIDOM_INDEX_ANY, true, on_irq, &env->hits[3]);
	CHECK(m.index == 3 && m.virq > 0, "allocate at ANY in the batch: index %d (want 3)",
	      m.index);
	env->virq[3] = m.virq;
	CHECK(msidom_vfio_batch_end(env->vdev) == 0, "batch commit (%s)", env->last_log);
	st1 = stats_of(env);
	CHECK(st1.set_irqs == st0.set_irqs + 1 && st1.disables == st0.disables,
	      "free and re-allocation of two indexes in a batch: one SET_IRQS (%llu), no "
	      "disable (%llu)",
	      (unsigned long long)(st1.set_irqs - st0.set_irqs),
	      (unsigned long long)(st1.disables - st0.disables));
	CHECK(env->virq[2] != old2 && env->virq[3] != old3,
	      "the re-allocated vectors are new interrupts (virq %u -> %u, %u -> %u)", old2,
	      env->virq[2], old3, env->virq[3]);
	e1000e_expect(env, 2, E1000E_VECTORS, "re-allocated at its index in the batch");
	e1000e_expect(env, 3, E1000E_VECTORS, "re-allocated at ANY in the batch");
	e1000e_expect(env, 0, E1000E_VECTORS, "untouched by the batch");
	e1000e_expect(env, 4, E1000E_VECTORS, "untouched by the batch");
	dev_close(env);
}

/* 6.12: each allocation is one SET_IRQS for that vector; live ones untouched. */
static void scenario_dynamic_add(struct env *env)
{
	const char *bdf = getenv("E1000E_BDF");
	const char *nvme = getenv("NVME_BDF");
	struct msidom_vfio_stats st0 = { .sz = sizeof(struct msidom_vfio_stats) },
				 st1 = { .sz = sizeof(struct msidom_vfio_stats) };
	struct msidom_vfio_info info = { .sz = sizeof(struct msidom_vfio_info) };
	unsigned int v, n, ok;
	char action[64];
	int irq0 = -1, irq;
	unsigned long long cnt0 = 0, cnt;

	if (dev_open(env, bdf, MSIDOM_VFIO_MODE_MSIX, MSIDOM_VFIO_GROW))
		return;
	CHECK(env->dynamic, "scenario needs a dynamic-MSI-X kernel");
	if (alloc_vec(env, 0, true))
		goto out;
	e1000e_expect(env, 0, 1, "first vector");
	/* The guest kernel's own record of the host vector 0: a teardown
	 * would free its irq and start a fresh count. */
	snprintf(action, sizeof(action), "vfio-msix[0](%s)", bdf);
	CHECK(e2e_proc_irq(action, &irq0, &cnt0) == 0 && cnt0 >= 1,
	      "/proc/interrupts has %s: irq %d, count %llu", action, irq0, cnt0);
	for (v = 1; v < E1000E_VECTORS; v++) {
		/* An interrupt sits in vector 0's eventfd while v is added. */
		e2e_e1000e_route_other(&env->regs, 0);
		e2e_e1000e_raise_other(&env->regs);
		st0 = stats_of(env);
		if (alloc_vec(env, v, true))
			goto out;
		st1 = stats_of(env);
		CHECK(st1.set_irqs == st0.set_irqs + 1 && st1.disables == st0.disables &&
			      st1.resizes == st0.resizes &&
			      st1.resize_signals == st0.resize_signals,
		      "adding vector %u: exactly one SET_IRQS (%llu), no disable, no resize", v,
		      (unsigned long long)(st1.set_irqs - st0.set_irqs));
		CHECK(dispatch_until(env, 1, E2E_IRQ_TIMEOUT_MS) && dispatch_quiet(env),
		      "interrupt raised on live vector 0 before adding %u delivered", v);
		e2e_e1000e_clear(&env->regs);
		e2e_e1000e_settle();
		CHECK(env->hits[0].count == v + 1,
		      "vector 0 saw exactly one interrupt per round (%u after adding %u)",
		      env->hits[0].count, v);
		irq = -1;
		cnt = 0;
		e2e_proc_irq(action, &irq, &cnt);
		CHECK(irq == irq0 && cnt == cnt0 + 1,
		      "host vector 0 untouched by adding %u: same irq %d (was %d), its count "
		      "went on %llu -> %llu",
		      v, irq, irq0, cnt0, cnt);
		cnt0 = cnt;
		e1000e_expect(env, v, v + 1, "freshly added");
	}
	/* Freeing a middle vector is one SET_IRQS too. */
	st0 = stats_of(env);
	CHECK(msidom_vfio_free(env->vdev, 2) == 0, "free vector 2 of 5");
	st1 = stats_of(env);
	CHECK(st1.set_irqs == st0.set_irqs + 1 && st1.disables == st0.disables &&
		      st1.resizes == st0.resizes,
	      "freeing vector 2: %llu SET_IRQS (fd -1 for it alone), %llu disables",
	      (unsigned long long)(st1.set_irqs - st0.set_irqs),
	      (unsigned long long)(st1.disables - st0.disables));
	e1000e_expect(env, 1, E1000E_VECTORS, "neighbour of a freed vector");
	e1000e_expect(env, 3, E1000E_VECTORS, "neighbour of a freed vector");
	CHECK(alloc_vec(env, 2, true) == 0, "re-add vector 2");
	e1000e_expect(env, 2, E1000E_VECTORS, "re-added");
out:
	dev_close(env);
	memset(env->hits, 0, sizeof(env->hits));

	/* Many vectors: the whole nvme table, one at a time, with loopback. */
	if (!nvme || dev_open(env, nvme, MSIDOM_VFIO_MODE_MSIX, MSIDOM_VFIO_GROW))
		return;
	msidom_vfio_get_info(env->vdev, &info);
	n = info.irq[MSIDOM_VFIO_MSIX].count;
	if (n > MAX_VECTORS)
		n = MAX_VECTORS;
	CHECK(n >= 16 && info.msix_dynamic, "nvme: %u MSI-X vectors, dynamic", n);
	st0 = stats_of(env);
	for (v = 0; v < n; v++)
		if (alloc_vec(env, v, true))
			break;
	st1 = stats_of(env);
	CHECK(st1.set_irqs == st0.set_irqs + n && st1.disables == st0.disables &&
		      st1.resizes == st0.resizes,
	      "nvme: %u vectors added one at a time with %llu SET_IRQS and %llu disables", n,
	      (unsigned long long)(st1.set_irqs - st0.set_irqs),
	      (unsigned long long)(st1.disables - st0.disables));
	for (v = 0; v < n; v++)
		msidom_vfio_trigger(env->vdev, v);
	dispatch_until(env, n, E2E_IRQ_TIMEOUT_MS);
	dispatch_quiet(env);
	for (ok = 0, v = 0; v < n; v++)
		ok += env->hits[v].count == 1 && env->hits[v].last_virq == env->virq[v];
	CHECK(ok == n,
	      "nvme: loopback on each of %u vectors reaches its own handler once "
	      "(%u did)",
	      n, ok);
	dev_close(env);
}

/* 6.1 grow: an interrupt raised while the index is disabled is not lost. */
static void scenario_grow_no_loss(struct env *env)
{
	const char *bdf = getenv("E1000E_BDF");
	const char *nvme = getenv("NVME_BDF");
	struct msidom_vfio_stats st0 = { .sz = sizeof(struct msidom_vfio_stats) },
				 st1 = { .sz = sizeof(struct msidom_vfio_stats) };
	struct msidom_vfio_info info = { .sz = sizeof(struct msidom_vfio_info) };
	unsigned int v, n, ok, before0;
	int rc;

	if (dev_open(env, bdf, MSIDOM_VFIO_MODE_MSIX, MSIDOM_VFIO_GROW))
		return;
	CHECK(!env->dynamic, "scenario needs a NORESIZE kernel");
	CHECK(env->msix_cap != 0, "e1000e MSI-X capability at 0x%x", env->msix_cap);
	if (alloc_vec(env, 0, true))
		goto out;
	e1000e_expect(env, 0, 1, "first vector");
	for (v = 1; v < E1000E_VECTORS; v++) {
		before0 = env->hits[0].count;
		env->gap_calls = 0;
		env->gap_msix_enabled = -1;
		env->gap_raise_vector = 0;
		st0 = stats_of(env);
		env->gap_watch = true;
		rc = alloc_vec(env, v, true);
		env->gap_watch = false;
		if (rc)
			goto out;
		st1 = stats_of(env);
		CHECK(env->gap_calls == 1 && st1.resizes == st0.resizes + 1 &&
			      st1.disables == st0.disables + 1,
		      "adding vector %u grows the table: one disable + re-enable "
		      "(MSI-X disables seen %u, resizes +%llu)",
		      v, env->gap_calls, (unsigned long long)(st1.resizes - st0.resizes));
		CHECK(env->gap_msix_enabled == 0,
		      "MSI-X really is disabled in the device during the gap (enable bit %d)",
		      env->gap_msix_enabled);
		CHECK(st1.resize_signals >= st0.resize_signals + v,
		      "every live eventfd signalled after the grow (+%llu)",
		      (unsigned long long)(st1.resize_signals - st0.resize_signals));
		dispatch_until(env, 1, E2E_IRQ_TIMEOUT_MS);
		dispatch_quiet(env);
		e2e_e1000e_clear(&env->regs);
		e2e_e1000e_settle();
		CHECK(env->hits[0].count >= before0 + 1,
		      "interrupt raised on vector 0 during the grow to %u is not lost "
		      "(%u handler calls)",
		      v + 1, env->hits[0].count - before0);
		e1000e_expect(env, v, v + 1, "grown-into");
		e1000e_expect(env, 0, v + 1, "live across the grow");
	}
out:
	dev_close(env);
	memset(env->hits, 0, sizeof(env->hits));

	/* The kernel's NORESIZE limit, on a bigger table: grow to 32 vectors. */
	if (!nvme || dev_open(env, nvme, MSIDOM_VFIO_MODE_MSIX, MSIDOM_VFIO_GROW))
		return;
	msidom_vfio_get_info(env->vdev, &info);
	n = info.irq[MSIDOM_VFIO_MSIX].count;
	if (n > 32)
		n = 32;
	CHECK(n >= 16 && !info.msix_dynamic, "nvme: %u MSI-X vectors used, NORESIZE", n);
	for (v = 0; v < n; v++)
		if (alloc_vec(env, v, true))
			break;
	/* Grow signals are spurious: drain them, then count real ones. */
	dispatch_quiet(env);
	memset(env->hits, 0, sizeof(env->hits));
	for (v = 0; v < n; v++)
		msidom_vfio_trigger(env->vdev, v);
	dispatch_until(env, n, E2E_IRQ_TIMEOUT_MS);
	dispatch_quiet(env);
	for (ok = 0, v = 0; v < n; v++)
		ok += env->hits[v].count == 1 && env->hits[v].last_virq == env->virq[v];
	CHECK(ok == n,
	      "nvme: after growing to %u, loopback on each vector reaches its own "
	      "handler once (%u did)",
	      n, ok);
	dev_close(env);
}

/* 6.1 preallocate: the whole table at the first allocation, never resized. */
static void scenario_prealloc(struct env *env)
{
	const char *bdf = getenv("E1000E_BDF");
	struct msidom_vfio_stats st0 = { .sz = sizeof(struct msidom_vfio_stats) },
				 st1 = { .sz = sizeof(struct msidom_vfio_stats) };
	unsigned int v;

	if (dev_open(env, bdf, MSIDOM_VFIO_MODE_MSIX, MSIDOM_VFIO_PREALLOC))
		return;
	st0 = stats_of(env);
	for (v = 0; v < E1000E_VECTORS; v++) {
		if (alloc_vec(env, v, true))
			goto out;
		e1000e_expect(env, v, v + 1, "preallocated");
		if (v > 0)
			e1000e_expect(env, 0, v + 1, "first vector, still live");
	}
	st1 = stats_of(env);
	CHECK(st1.resizes == st0.resizes && st1.disables == st0.disables &&
		      st1.resize_signals == st0.resize_signals,
	      "preallocate: %llu SET_IRQS, no disable, no resize for 5 vectors",
	      (unsigned long long)(st1.set_irqs - st0.set_irqs));
out:
	dev_close(env);
}

static void scenario_isolation(struct env *env)
{
	MSIDOM_OPTS(msidom_vfio_config, cfg, .bdf = getenv("EDU_BDF"));
	size_t mem_before = msidom_ctx_mem_bytes(env->ctx);
	int fds_before = e2e_count_fds();
	int rc;

	rc = msidom_vfio_open(env->ctx, &cfg, &env->vdev);
	CHECK(rc == -EPERM, "open without interrupt remapping fails with -EPERM (%d)", rc);
	CHECK(strstr(env->last_log, "allow_unsafe_interrupts") != NULL,
	      "the error names allow_unsafe_interrupts: \"%s\"", env->last_log);
	CHECK(e2e_count_fds() == fds_before, "no descriptor left behind (%d -> %d)", fds_before,
	      e2e_count_fds());
	CHECK(msidom_ctx_mem_bytes(env->ctx) == mem_before, "no memory left behind");
	if (rc == 0)
		dev_close(env);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(struct env *env);
	} scenarios[] = {
		{ "edu-msi", scenario_edu_msi },
		{ "e1000e-routing", scenario_e1000e_routing },
		{ "mask-replay", scenario_mask_replay },
		{ "batch", scenario_batch },
		{ "batch-reuse", scenario_batch_reuse },
		{ "dynamic-add", scenario_dynamic_add },
		{ "grow-no-loss", scenario_grow_no_loss },
		{ "prealloc", scenario_prealloc },
		{ "isolation", scenario_isolation },
	};
	static struct env env;
	size_t i;

	if (argc < 2)
		goto usage;
	env.dynamic = argc >= 3 && strcmp(argv[2], "dynamic") == 0;
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (strcmp(argv[1], scenarios[i].name) != 0)
			continue;
		if (!CHECK(ctx_open(&env) == 0, "msidom_ctx_create"))
			return 1;
		e2e_info("libmsidom %s, scenario %s on a %s kernel", msidom_version(), argv[1],
			 env.dynamic ? "dynamic-MSI-X" : "NORESIZE");
		scenarios[i].fn(&env);
		CHECK(msidom_ctx_destroy(env.ctx) == 0, "context destroyed (every device closed)");
		return e2e_exit_status();
	}
usage:
	fprintf(stderr, "usage: %s SCENARIO dynamic|noresize\n", argv[0]);
	return 2;
}
