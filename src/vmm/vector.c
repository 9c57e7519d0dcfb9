/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The per-vector state machine shared by MSI and MSI-X.
 *
 * Every guest access that may change a vector ends in msidom__vmm_sync(),
 * which derives everything else (host vector held or not, host mask,
 * live or not, the route the VMM was told, pending delivery) from the
 * guest-visible state. Deriving rather than reacting to each kind of
 * write is what keeps the odd orderings (enable before programming,
 * function mask around everything, a driver reload) from losing or
 * duplicating interrupts, and what makes "no callback for a write that
 * changes nothing" fall out of a simple comparison.
 */
#include <libmsidom/error.h>

#include "vmm_internal.h"

bool msidom__vmm_want_live(const struct msidom_vmm_fn *fn, const struct vmm_vec *v)
{
	if (!fn->enabled || fn->dying)
		return false;
	if (fn->cfg.type == MSIDOM_VMM_MSIX)
		return !fn->fmask && !v->guest_masked;
	if (v->nr >= (1u << fn->msi_mme))
		return false;
	return !(fn->cfg.msi_maskable && v->guest_masked);
}

struct msidom_msg msidom__vmm_guest_msg(const struct msidom_vmm_fn *fn, const struct vmm_vec *v)
{
	struct msidom_msg msg = { 0, 0, 0 };
	const struct vmm_vec *cap;
	uint32_t n;

	if (fn->cfg.type == MSIDOM_VMM_MSIX) {
		msg.address_lo = v->addr_lo;
		msg.address_hi = v->addr_hi;
		msg.data = v->data;
		return msg;
	}
	/*
	 * MSI keeps one address/data pair in the capability; message n of a
	 * multi-message block replaces the low log2(count) data bits with n.
	 * Messages the guest did not enable have no message at all.
	 */
	n = 1u << fn->msi_mme;
	if (v->nr >= n)
		return msg;
	cap = &fn->vecs[0];
	msg.address_lo = cap->addr_lo;
	msg.address_hi = cap->addr_hi;
	msg.data = (cap->data & ~(n - 1u)) | v->nr;
	return msg;
}

static bool route_equal(const struct msidom_vmm_route *a, const struct msidom_vmm_route *b)
{
	return a->msg.address_lo == b->msg.address_lo && a->msg.address_hi == b->msg.address_hi &&
	       a->msg.data == b->msg.data && a->masked == b->masked && a->backing == b->backing &&
	       a->host_fd == b->host_fd && a->host_virq == b->host_virq &&
	       a->host_index == b->host_index;
}

static void report(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	struct msidom_vmm_route r;

	r.vector = v->nr;
	r.msg = msidom__vmm_guest_msg(fn, v);
	r.masked = !v->live;
	r.backing = v->backing.type;
	r.host_fd = v->acquired ? v->host_fd : -1;
	r.host_virq = v->acquired ? v->host_virq : 0;
	r.host_index = v->acquired ? v->host_index : 0;
	if (route_equal(&r, &v->reported))
		return;
	v->reported = r;
	if (fn->cfg.ops && fn->cfg.ops->route_changed)
		fn->cfg.ops->route_changed(fn->cfg.opaque, fn, &r);
}

static void deliver(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	struct msidom_msg msg = msidom__vmm_guest_msg(fn, v);

	fn->stats.delivered++;
	if (fn->cfg.ops && fn->cfg.ops->deliver)
		fn->cfg.ops->deliver(fn->cfg.opaque, fn, v->nr, &msg);
}

int msidom__vmm_fire_locked(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	if (v->live) {
		deliver(fn, v);
		return 1;
	}
	/* A latch, not a counter: PCI pending bits collapse repeats. */
	v->pending = true;
	fn->stats.latched++;
	return 0;
}

bool msidom__vmm_pending(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	if (v->pending)
		return true;
	return v->acquired && !v->host_unmasked && v->bops->pending && v->bops->pending(fn, v);
}

static uint32_t room(uint32_t quota, uint32_t used)
{
	return used >= quota ? 0 : quota - used;
}

static int acquire(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	const struct vmm_backing_ops *b = v->bops;
	int err;

	/*
	 * Quota refusals are the guest's doing and it can repeat them at
	 * will: the VMM hears through backing_failed, the log only at debug.
	 */
	if (room(fn->quota_vecs, fn->stats.host_vectors) < b->host_vectors) {
		fn->stats.quota_denied++;
		msidom_log(fn->ctx, MSIDOM_LOG_DEBUG,
			   "vmm %s: vector %u: host vector quota (%u) reached", fn->name, v->nr,
			   fn->quota_vecs);
		return -MSIDOM_EDQUOT;
	}
	if (room(fn->quota_fds, fn->stats.host_fds) < b->host_fds) {
		fn->stats.quota_denied++;
		msidom_log(fn->ctx, MSIDOM_LOG_DEBUG,
			   "vmm %s: vector %u: host fd quota (%u) reached", fn->name, v->nr,
			   fn->quota_fds);
		return -MSIDOM_EMFILE;
	}
	v->host_fd = -1;
	v->host_virq = 0;
	v->host_index = 0;
	err = b->acquire(fn, v);
	if (!err && b->eventfd) {
		v->host_fd = b->eventfd(fn, v);
		if (v->host_fd < 0) {
			err = v->host_fd;
			v->host_fd = -1;
			b->release(fn, v);
		}
	}
	if (err) {
		fn->stats.host_failures++;
		vmm_err(fn, "vmm %s: vector %u: acquiring a %s host vector failed: %s", fn->name,
			v->nr, b->name, msidom_strerror(err));
		return err;
	}
	v->acquired = true;
	v->host_unmasked = false;
	fn->stats.host_vectors += b->host_vectors;
	fn->stats.host_fds += b->host_fds;
	vmm_dbg(fn, "vmm %s: vector %u: %s host vector %u (virq %u, fd %d)", fn->name, v->nr,
		b->name, v->host_index, v->host_virq, v->host_fd);
	return 0;
}

void msidom__vmm_release(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	const struct vmm_backing_ops *b = v->bops;

	if (!v->acquired)
		return;
	/*
	 * Tell the VMM first, while the eventfd is still open (it needs it to
	 * deassign an irqfd). What the host holds for the vector would die
	 * with it: keep it as the guest's pending bit.
	 */
	if (v->host_unmasked && b->mask && b->mask(fn, v) == 0)
		v->host_unmasked = false;
	if (!v->host_unmasked && b->pending && b->pending(fn, v)) {
		v->pending = true;
		fn->stats.latched++;
	}
	v->live = false;
	v->acquired = false;
	report(fn, v);
	b->release(fn, v);
	v->host_unmasked = false;
	v->host_fd = -1;
	v->host_virq = 0;
	fn->stats.host_vectors -= b->host_vectors;
	fn->stats.host_fds -= b->host_fds;
	vmm_dbg(fn, "vmm %s: vector %u: %s host vector released", fn->name, v->nr, b->name);
}

void msidom__vmm_release_all(struct msidom_vmm_fn *fn)
{
	for (uint32_t i = 0; i < fn->cfg.nvec; i++)
		msidom__vmm_release(fn, &fn->vecs[i]);
}

void msidom__vmm_sync(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	const struct vmm_backing_ops *b = v->bops;
	bool want = msidom__vmm_want_live(fn, v);
	bool hosted = b->acquire != NULL;
	int failed = 0;
	int err;

	/* Every new unmask (or enable) is a new chance for a failed vector. */
	if (!want)
		v->acq_failed = false;
	if (hosted && want && !v->acquired && !v->acq_failed) {
		failed = acquire(fn, v);
		v->acq_failed = failed != 0;
	}
	if (v->acquired && want && !v->host_unmasked) {
		/* The host replays what it held while masked: nothing to collect. */
		err = b->unmask ? b->unmask(fn, v) : 0;
		if (err) {
			vmm_err(fn, "vmm %s: vector %u: unmasking the %s host vector failed: %s",
				fn->name, v->nr, b->name, msidom_strerror(err));
			fn->stats.host_failures++;
			msidom__vmm_release(fn, v);
			v->acq_failed = true;
			failed = err;
		} else {
			v->host_unmasked = true;
		}
	} else if (v->acquired && !want && v->host_unmasked && b->mask) {
		/*
		 * Backings without a mask op stay unmasked in the host and
		 * latch in the guest's pending bit instead.
		 */
		err = b->mask(fn, v);
		if (err)
			vmm_err(fn, "vmm %s: vector %u: masking the %s host vector failed: %s",
				fn->name, v->nr, b->name, msidom_strerror(err));
		else
			v->host_unmasked = false;
	}
	v->live = want && (!hosted || v->acquired);
	report(fn, v);
	if (failed && fn->cfg.ops && fn->cfg.ops->backing_failed)
		fn->cfg.ops->backing_failed(fn->cfg.opaque, fn, v->nr, failed);
	if (v->live && v->pending) {
		v->pending = false;
		deliver(fn, v);
	}
}

void msidom__vmm_sync_all(struct msidom_vmm_fn *fn)
{
	for (uint32_t i = 0; i < fn->cfg.nvec; i++)
		msidom__vmm_sync(fn, &fn->vecs[i]);
}

void msidom__vmm_host_handler(uint32_t virq, void *arg)
{
	struct vmm_vec *v = arg;
	struct msidom_vmm_fn *fn = v->fn;

	(void)virq;
	msidom__vmm_lock(fn);
	msidom__vmm_fire_locked(fn, v);
	msidom__vmm_unlock(fn);
}

const struct vmm_backing_ops *msidom__vmm_backing_ops(enum msidom_vmm_backing_type type)
{
	switch (type) {
	case MSIDOM_VMM_BACKING_EMULATED: return &msidom__vmm_emulated_ops;
	case MSIDOM_VMM_BACKING_VFIO: return &msidom__vmm_vfio_ops;
	case MSIDOM_VMM_BACKING_IMS: return &msidom__vmm_ims_ops;
	}
	return NULL;
}
