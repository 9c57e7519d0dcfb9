/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VMM module against a real kernel: a virtual MSI-X function whose
 * guest vectors are backed by the host e1000e's MSI-X vectors through the
 * VFIO backend.  The program plays the guest (config and table writes
 * shaped like Linux's MSI-X setup) and the VMM (callbacks, event loop,
 * irqfd-style eventfds), while the real device raises the interrupts.
 *
 *   e2e-vmm guest-table dynamic|noresize
 */
#include "e2e_common.h"

#include <errno.h>
#include <libmsidom/msidom.h>
#include <libmsidom/vfio.h>
#include <libmsidom/vmm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HOST_VECTORS 5
/* Guest vectors 0..4 map onto host MSI-X entries 0..4; 5 is emulated. */
#define GUEST_VECTORS   6
#define EMULATED_VECTOR 5
/* Guest vector 4 is consumed the KVM way (irqfd), the others through
 * the backend's event loop and the deliver callback. */
#define IRQFD_VECTOR 4

#define MSIX_CTRL    2
#define MSIX_ENABLE  0x8000u
#define MSIX_MASKALL 0x4000u

struct vmm_env {
	struct msidom_ctx *ctx;
	struct msidom_vfio *vdev;
	struct msidom_vmm_fn *fn;
	struct e2e_regs regs;
	bool dynamic;
	char last_log[256];
	/* route_changed */
	unsigned int routes[GUEST_VECTORS];
	struct msidom_vmm_route route[GUEST_VECTORS];
	/* deliver */
	unsigned int delivered[GUEST_VECTORS];
	struct msidom_msg delivered_msg[GUEST_VECTORS];
	/* backing_failed */
	unsigned int failed[GUEST_VECTORS];
	int failed_err[GUEST_VECTORS];
};

static void log_hook(void *opaque, enum msidom_log_level level, const char *line)
{
	struct vmm_env *env = opaque;

	printf("@@E2E LOG %d %s\n", (int)level, line);
	fflush(stdout);
	if (level <= MSIDOM_LOG_WARN)
		snprintf(env->last_log, sizeof(env->last_log), "%s", line);
}

static void on_route(void *opaque, struct msidom_vmm_fn *fn, const struct msidom_vmm_route *r)
{
	struct vmm_env *env = opaque;

	(void)fn;
	if (r->vector >= GUEST_VECTORS)
		return;
	env->routes[r->vector]++;
	env->route[r->vector] = *r;
}

static void on_deliver(void *opaque, struct msidom_vmm_fn *fn, uint32_t vector,
		       const struct msidom_msg *msg)
{
	struct vmm_env *env = opaque;

	(void)fn;
	if (vector >= GUEST_VECTORS)
		return;
	env->delivered[vector]++;
	env->delivered_msg[vector] = *msg;
}

static void on_failed(void *opaque, struct msidom_vmm_fn *fn, uint32_t vector, int err)
{
	struct vmm_env *env = opaque;

	(void)fn;
	if (vector >= GUEST_VECTORS)
		return;
	env->failed[vector]++;
	env->failed_err[vector] = err;
}

static const struct msidom_vmm_ops vmm_ops = {
	.sz = sizeof(struct msidom_vmm_ops),
	.route_changed = on_route,
	.deliver = on_deliver,
	.backing_failed = on_failed,
};

static struct msidom_msg guest_msg(unsigned int v)
{
	struct msidom_msg m = {
		.address_lo = 0xfee00000u | (v << 12),
		.address_hi = 0,
		.data = 0x40u + v,
	};

	return m;
}

static bool msg_eq(struct msidom_msg a, struct msidom_msg b)
{
	return a.address_lo == b.address_lo && a.address_hi == b.address_hi && a.data == b.data;
}

static unsigned int total_delivered(const struct vmm_env *env)
{
	unsigned int i, n = 0;

	for (i = 0; i < GUEST_VECTORS; i++)
		n += env->delivered[i];
	return n;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the VMM's event loop until @p want more deliveries, or the timeout. */
static bool loop_until(struct vmm_env *env, unsigned int want, int timeout_ms)
{
	unsigned int start = total_delivered(env);
	long long deadline = now_ms() + timeout_ms;

	while (total_delivered(env) - start < want) {
		long long left = deadline - now_ms();

		if (left <= 0)
			return false;
		if (msidom_vfio_dispatch(env->vdev, (int)left) < 0)
			return false;
	}
	return true;
}

static bool loop_quiet(struct vmm_env *env)
{
	unsigned int start = total_delivered(env);

	msidom_vfio_dispatch(env->vdev, E2E_QUIET_MS);
	return total_delivered(env) == start;
}

static void cfg_ctrl(struct vmm_env *env, uint32_t value)
{
	CHECK(msidom_vmm_cfg_write(env->fn, MSIX_CTRL, 2, value) == 0,
	      "guest writes MSI-X control 0x%04x", value);
}

static void entry_ctrl(struct vmm_env *env, unsigned int v, bool masked)
{
	CHECK(msidom_vmm_table_write(env->fn, v * MSIDOM_VMM_MSIX_ENTRY_SIZE + 12, 4,
				     masked ? 1 : 0) == 0,
	      "guest %s table entry %u", masked ? "masks" : "unmasks", v);
}

static void raise_host(struct vmm_env *env, unsigned int host_vector)
{
	e2e_e1000e_route_other(&env->regs, host_vector);
	e2e_e1000e_raise_other(&env->regs);
}

static void settle(struct vmm_env *env)
{
	e2e_e1000e_clear(&env->regs);
	e2e_e1000e_settle();
}

static struct msidom_vfio_stats host_stats(struct vmm_env *env)
{
	struct msidom_vfio_stats st = { .sz = sizeof(struct msidom_vfio_stats) };

	msidom_vfio_get_stats(env->vdev, &st);
	return st;
}

static struct msidom_vmm_stats fn_stats(struct vmm_env *env)
{
	struct msidom_vmm_stats st = { .sz = sizeof(struct msidom_vmm_stats) };

	msidom_vmm_get_stats(env->fn, &st);
	return st;
}

/* Real device interrupt on host vector v, expected at guest vector v. */
static void expect_delivery(struct vmm_env *env, unsigned int v, const char *why)
{
	unsigned int before[GUEST_VECTORS], i;

	if (v == IRQFD_VECTOR) {
		int fd = env->route[v].host_fd;
		uint64_t n;

		/* KVM would have consumed a NORESIZE grow's spurious signal. */
		if (fd >= 0)
			e2e_eventfd_take(fd);
		raise_host(env, v);
		n = fd >= 0 ? e2e_eventfd_wait(fd, E2E_IRQ_TIMEOUT_MS) : 0;
		settle(env);
		CHECK(n == 1 && loop_quiet(env) && env->delivered[v] == 0,
		      "%s: device interrupt on host vector %u signals the irqfd %d handed "
		      "to the VMM (count %llu), no deliver callback",
		      why, v, fd, (unsigned long long)n);
		return;
	}
	for (i = 0; i < GUEST_VECTORS; i++)
		before[i] = env->delivered[i];
	raise_host(env, v);
	loop_until(env, 1, E2E_IRQ_TIMEOUT_MS);
	settle(env);
	loop_quiet(env);
	CHECK(env->delivered[v] == before[v] + 1 && msg_eq(env->delivered_msg[v], guest_msg(v)),
	      "%s: device interrupt on host vector %u is delivered once to guest vector %u "
	      "with the guest's message %08x/%x (%u deliveries)",
	      why, v, v, env->delivered_msg[v].address_lo, env->delivered_msg[v].data,
	      env->delivered[v] - before[v]);
	for (i = 0; i < GUEST_VECTORS; i++)
		if (i != v && env->delivered[i] != before[i])
			CHECK(false, "%s: guest vector %u got %u deliveries for host vector %u",
			      why, i, env->delivered[i] - before[i], v);
}

static int setup(struct vmm_env *env)
{
	static struct msidom_hooks hooks = { .sz = sizeof(struct msidom_hooks) };
	struct msidom_ctx_config ccfg = { .sz = sizeof(struct msidom_ctx_config) };
	struct msidom_vfio_config vcfg = { .sz = sizeof(struct msidom_vfio_config) };
	struct msidom_vmm_config fcfg = { .sz = sizeof(struct msidom_vmm_config) };
	struct msidom_vfio_info info = { .sz = sizeof(struct msidom_vfio_info) };
	int rc;
	unsigned int v;

	/* Size-versioned like every hooks struct: zero would be refused. */
	hooks.sz = sizeof(hooks);
	hooks.log = log_hook;
	hooks.log_opaque = env;
	hooks.log_level = getenv("E2E_DEBUG") ? MSIDOM_LOG_DEBUG : MSIDOM_LOG_INFO;
	ccfg.hooks = &hooks;
	if (!CHECK(msidom_ctx_create(&ccfg, &env->ctx) == 0, "msidom_ctx_create"))
		return -1;
	vcfg.bdf = getenv("E1000E_BDF");
	vcfg.mode = MSIDOM_VFIO_MODE_MSIX;
	vcfg.policy = MSIDOM_VFIO_GROW;
	rc = msidom_vfio_open(env->ctx, &vcfg, &env->vdev);
	if (!CHECK(rc == 0, "host: msidom_vfio_open(%s) = %d (%s)", vcfg.bdf, rc, env->last_log))
		return -1;
	msidom_vfio_get_info(env->vdev, &info);
	CHECK(info.msix_dynamic == env->dynamic, "host MSI-X is %s",
	      info.msix_dynamic ? "dynamic" : "NORESIZE");
	CHECK(e2e_regs_init(&env->regs, msidom_vfio_device_fd(env->vdev)) == 0 &&
		      e2e_pci_enable_master(&env->regs) == 0,
	      "host device registers");

	fcfg.name = "e2e-vfn";
	fcfg.type = MSIDOM_VMM_MSIX;
	fcfg.nvec = GUEST_VECTORS;
	fcfg.msix_table_reg = 0x0; /* BAR 0, offset 0 */
	fcfg.msix_pba_reg = 0x800; /* BAR 0, offset 0x800 */
	fcfg.max_host_vectors = MSIDOM_VMM_UNLIMITED;
	fcfg.max_host_fds = MSIDOM_VMM_UNLIMITED;
	fcfg.ops = &vmm_ops;
	fcfg.opaque = env;
	rc = msidom_vmm_fn_create(env->ctx, &fcfg, &env->fn);
	if (!CHECK(rc == 0, "msidom_vmm_fn_create = %d", rc))
		return -1;
	for (v = 0; v < HOST_VECTORS; v++) {
		MSIDOM_OPTS(msidom_vmm_backing, b, .type = MSIDOM_VMM_BACKING_VFIO,
			    .vfio = env->vdev, .host_index = v, .irqfd = v == IRQFD_VECTOR);

		rc = msidom_vmm_set_backing(env->fn, v, &b);
		CHECK(rc == 0, "guest vector %u backed by host MSI-X entry %u%s (%d)", v, v,
		      b.irqfd ? " (irqfd)" : "", rc);
	}
	return 0;
}

static void scenario_guest_table(struct vmm_env *env)
{
	struct msidom_vfio_stats h0 = { .sz = sizeof(struct msidom_vfio_stats) },
				 h1 = { .sz = sizeof(struct msidom_vfio_stats) };
	struct msidom_vmm_stats f = { .sz = sizeof(struct msidom_vmm_stats) };
	uint64_t pba = 0;
	unsigned int v, before;
	int fds_before = e2e_count_fds();

	if (setup(env))
		goto out;

	/* Linux's msix_capability_init(): enable with all masked, program. */
	h0 = host_stats(env);
	cfg_ctrl(env, MSIX_ENABLE | MSIX_MASKALL);
	for (v = 0; v < GUEST_VECTORS; v++) {
		struct msidom_msg m = guest_msg(v);
		uint64_t base = v * MSIDOM_VMM_MSIX_ENTRY_SIZE;

		/* Linux writes 32 bits at a time; a VMM may also see 64. */
		int rc;

		if (v % 2) {
			rc = msidom_vmm_table_write(env->fn, base, 8,
						    ((uint64_t)m.address_hi << 32) | m.address_lo);
		} else {
			rc = msidom_vmm_table_write(env->fn, base, 4, m.address_lo);
			if (rc == 0)
				rc = msidom_vmm_table_write(env->fn, base + 4, 4, m.address_hi);
		}
		if (rc == 0)
			rc = msidom_vmm_table_write(env->fn, base + 8, 4, m.data);
		CHECK(rc == 0, "guest programs entry %u (%s address write)", v,
		      v % 2 ? "64-bit" : "two 32-bit");
	}
	cfg_ctrl(env, MSIX_ENABLE);
	h1 = host_stats(env);
	f = fn_stats(env);
	CHECK(f.enabled && !f.function_masked && f.host_vectors == 0 && h1.set_irqs == h0.set_irqs,
	      "enabled with every entry masked: no host vector yet (%u held, %llu SET_IRQS)",
	      f.host_vectors, (unsigned long long)(h1.set_irqs - h0.set_irqs));

	/* A quota of 4 host vectors: the fifth unmask is refused cleanly. */
	CHECK(msidom_vmm_set_quota(env->fn, HOST_VECTORS - 1, MSIDOM_VMM_UNLIMITED) == 0,
	      "host vector quota 4");

	/* Unmask one by one: each drives one real host vector allocation. */
	for (v = 0; v < HOST_VECTORS; v++) {
		char action[64];
		int irq;
		unsigned long long cnt;

		h0 = host_stats(env);
		entry_ctrl(env, v, false);
		h1 = host_stats(env);
		f = fn_stats(env);
		if (v == HOST_VECTORS - 1) {
			CHECK(env->failed[v] == 1 && env->failed_err[v] == -EDQUOT &&
				      f.host_vectors == v && h1.set_irqs == h0.set_irqs,
			      "unmask of vector %u over the quota: backing_failed(%d), no host "
			      "vector, no SET_IRQS",
			      v, env->failed_err[v]);
			CHECK(msidom_vmm_set_quota(env->fn, MSIDOM_VMM_UNLIMITED,
						   MSIDOM_VMM_UNLIMITED) == 0,
			      "quota lifted");
			h1 = host_stats(env);
			f = fn_stats(env);
		}
		CHECK(f.host_vectors == v + 1, "guest unmask of entry %u: %u host vectors held", v,
		      f.host_vectors);
		CHECK(h1.set_irqs > h0.set_irqs, "host: %llu SET_IRQS for guest vector %u",
		      (unsigned long long)(h1.set_irqs - h0.set_irqs), v);
		if (env->dynamic)
			CHECK(h1.disables == h0.disables && h1.resizes == h0.resizes,
			      "dynamic host: vector %u added without disabling live ones", v);
		else if (v > 0)
			CHECK(h1.resizes == h0.resizes + 1,
			      "NORESIZE host: vector %u added by a grow cycle", v);
		CHECK(!env->route[v].masked && env->route[v].host_fd >= 0 &&
			      env->route[v].host_fd == msidom_vfio_vector_eventfd(env->vdev, v) &&
			      msg_eq(env->route[v].msg, guest_msg(v)),
		      "route_changed(%u): live, host eventfd %d, guest message %08x/%x", v,
		      env->route[v].host_fd, env->route[v].msg.address_lo, env->route[v].msg.data);
		snprintf(action, sizeof(action), "vfio-msix[%u](%s)", v, getenv("E1000E_BDF"));
		CHECK(e2e_proc_irq(action, &irq, &cnt) == 0, "the host kernel has %s (irq %d)",
		      action, irq);
		/* Grow signals are spurious deliveries: drain before counting. */
		loop_quiet(env);
		expect_delivery(env, v, "after guest unmask");
		if (v > 0)
			expect_delivery(env, 0, "earlier vector still live");
	}

	/* Entry mask: the interrupt waits in the PBA and is delivered on unmask. */
	entry_ctrl(env, 1, true);
	CHECK(env->route[1].masked, "route_changed reports vector 1 masked");
	before = env->delivered[1];
	raise_host(env, 1);
	CHECK(loop_quiet(env) && env->delivered[1] == before,
	      "masked guest vector 1: the device's interrupt is not delivered");
	settle(env);
	CHECK(msidom_vmm_pba_read(env->fn, 0, 8, &pba) == 0 && (pba & (1u << 1)),
	      "guest reads PBA 0x%llx: vector 1 pending", (unsigned long long)pba);
	entry_ctrl(env, 1, false);
	loop_until(env, 1, E2E_IRQ_TIMEOUT_MS);
	CHECK(loop_quiet(env) && env->delivered[1] == before + 1,
	      "unmask delivers the pending interrupt once (%u)", env->delivered[1] - before);
	msidom_vmm_pba_read(env->fn, 0, 8, &pba);
	CHECK(!(pba & (1u << 1)), "PBA bit 1 clear again");

	/* Function mask holds every vector. */
	cfg_ctrl(env, MSIX_ENABLE | MSIX_MASKALL);
	before = env->delivered[2];
	raise_host(env, 2);
	CHECK(loop_quiet(env) && env->delivered[2] == before,
	      "function-masked: host vector 2's interrupt is held");
	settle(env);
	cfg_ctrl(env, MSIX_ENABLE);
	loop_until(env, 1, E2E_IRQ_TIMEOUT_MS);
	CHECK(loop_quiet(env) && env->delivered[2] == before + 1,
	      "clearing the function mask delivers it once (%u)", env->delivered[2] - before);

	/* Mixed backing: the emulated vector on the same function. */
	before = env->delivered[EMULATED_VECTOR];
	CHECK(msidom_vmm_fire(env->fn, EMULATED_VECTOR) == 0 &&
		      env->delivered[EMULATED_VECTOR] == before,
	      "emulated vector 5, still masked by the guest, only becomes pending");
	entry_ctrl(env, EMULATED_VECTOR, false);
	CHECK(env->delivered[EMULATED_VECTOR] == before + 1 &&
		      msg_eq(env->delivered_msg[EMULATED_VECTOR], guest_msg(EMULATED_VECTOR)),
	      "unmasking emulated vector 5 delivers its pending interrupt with its message");
	CHECK(msidom_vmm_fire(env->fn, EMULATED_VECTOR) == 1 &&
		      env->delivered[EMULATED_VECTOR] == before + 2,
	      "emulated vector 5, unmasked, is delivered at once");
	f = fn_stats(env);
	CHECK(f.host_vectors == HOST_VECTORS, "the emulated vector holds no host vector (%u)",
	      f.host_vectors);

	/*
	 * Guest driver unload with an interrupt in flight: host vector 3 fires,
	 * then the guest disables MSI-X.  Every host vector is released and the
	 * interrupt must survive as a pending bit until the driver is back.
	 */
	before = env->delivered[3];
	raise_host(env, 3);
	settle(env);
	h0 = host_stats(env);
	cfg_ctrl(env, 0);
	h1 = host_stats(env);
	f = fn_stats(env);
	CHECK(!f.enabled && f.host_vectors == 0 && f.host_fds == 0,
	      "guest disable releases every host vector (%u held, %u fds)", f.host_vectors,
	      f.host_fds);
	for (v = 0; v < HOST_VECTORS; v++)
		if (msidom_vfio_vector_eventfd(env->vdev, v) != -ENOENT ||
		    env->route[v].host_fd != -1)
			CHECK(false,
			      "host vector %u still allocated after the guest disabled MSI-X", v);
	CHECK(h1.set_irqs > h0.set_irqs, "host: %llu SET_IRQS to release",
	      (unsigned long long)(h1.set_irqs - h0.set_irqs));
	CHECK(loop_quiet(env) && env->delivered[3] == before,
	      "nothing delivered while the guest has MSI-X disabled");

	/* Driver reload: enable again, entries still unmasked in the table. */
	cfg_ctrl(env, MSIX_ENABLE);
	f = fn_stats(env);
	CHECK(f.host_vectors == HOST_VECTORS, "re-enable reacquires %u host vectors (%u)",
	      HOST_VECTORS, f.host_vectors);
	loop_until(env, 1, E2E_IRQ_TIMEOUT_MS);
	loop_quiet(env);
	/* A NORESIZE host may add a spurious delivery while it grows back. */
	CHECK(env->dynamic ? env->delivered[3] == before + 1 : env->delivered[3] >= before + 1,
	      "the interrupt raised before the disable is delivered after re-enable "
	      "(%u deliveries)",
	      env->delivered[3] - before);
	for (v = 0; v < HOST_VECTORS; v++)
		expect_delivery(env, v, "after driver reload");

out:
	msidom_vmm_fn_destroy(env->fn);
	msidom_vfio_close(env->vdev);
	CHECK(msidom_ctx_destroy(env->ctx) == 0,
	      "context destroyed after the function and the device");
	CHECK(e2e_count_fds() == fds_before, "no descriptor left behind (%d -> %d)", fds_before,
	      e2e_count_fds());
}

int main(int argc, char **argv)
{
	static struct vmm_env env;

	if (argc < 2 || strcmp(argv[1], "guest-table") != 0) {
		fprintf(stderr, "usage: %s guest-table dynamic|noresize\n", argv[0]);
		return 2;
	}
	env.dynamic = argc >= 3 && strcmp(argv[2], "dynamic") == 0;
	e2e_info("libmsidom %s, VMM guest MSI-X table on a %s kernel", msidom_version(),
		 env.dynamic ? "dynamic-MSI-X" : "NORESIZE");
	scenario_guest_table(&env);
	return e2e_exit_status();
}
