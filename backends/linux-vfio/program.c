/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernel programming: turn the wanted state of an MSI or MSI-X index into
 * the fewest VFIO_DEVICE_SET_IRQS calls, and undo them on failure.
 *
 * Each vector wants one of: nothing (-1), its trigger eventfd, or its
 * mask eventfd (masking emulation). kfd[] shadows what the kernel is
 * armed with. A dirty vector differs from its shadow; dirty vectors are
 * grouped into runs, merged across gaps that are unarmed on both sides
 * (those carry -1, a no-op for the kernel), but never across a live
 * vector that stays as it is: re-sending a live vector tears it down and
 * re-requests its host irq, and an interrupt could be lost meanwhile.
 *
 * NORESIZE indexes (MSI; MSI-X before Linux 6.5) fix their size when
 * enabled, so reaching beyond it needs a disable and re-enable (grow), or
 * enabling the whole table at once (preallocate).
 */
#include "vfio_internal.h"

static int32_t want_fd(const struct vfio_index *ix, uint32_t n)
{
	const struct vfio_vec *e = &ix->vec[n];
	if (!e->allocated || !e->active)
		return -1;
	return e->masked ? e->maskfd : e->trigger;
}

static bool is_dirty(const struct vfio_index *ix, uint32_t n)
{
	return want_fd(ix, n) != ix->kfd[n];
}

static bool next_run(const struct vfio_index *ix, uint32_t *pos, uint32_t *start, uint32_t *len)
{
	uint32_t n = *pos;
	while (n < ix->count && !is_dirty(ix, n))
		n++;
	if (n >= ix->count)
		return false;
	uint32_t first = n, last = n;
	for (n = first + 1; n < ix->count; n++) {
		if (is_dirty(ix, n))
			last = n;
		else if (want_fd(ix, n) != -1 || ix->kfd[n] != -1)
			break;
	}
	*start = first;
	*len = last - first + 1;
	*pos = last + 1;
	return true;
}

static void fill(struct msidom_vfio *v, const struct vfio_index *ix, uint32_t start, uint32_t len,
		 bool shadow)
{
	for (uint32_t i = 0; i < len; i++) {
		int32_t fd = shadow ? ix->kfd[start + i] : want_fd(ix, start + i);
		v->fdbuf[i] = fd < 0 ? -1 : fd;
	}
}

/*
 * The kernel now holds the wanted fds in [start, start + len): update the
 * shadow, and replay what arrived while a now unmasked vector was masked.
 */
static void commit_range(struct msidom_vfio *v, struct vfio_index *ix, uint32_t start, uint32_t len)
{
	for (uint32_t n = start; n < start + len; n++) {
		struct vfio_vec *e = &ix->vec[n];
		int32_t neu = want_fd(ix, n);
		if (neu >= 0 && neu == e->trigger && e->maskfd >= 0 && ix->kfd[n] == e->maskfd) {
			bool fired = msidom__vfio_eventfd_drain(v, e->maskfd) != 0;
			if (fired || e->pending) {
				msidom__vfio_eventfd_signal(v, e->trigger);
				v->stats.replays++;
			}
			e->pending = false;
		}
		ix->kfd[n] = neu;
	}
}

void msidom__vfio_reap(struct msidom_vfio *v, struct vfio_index *ix, bool all)
{
	uint32_t i = 0;
	while (i < ix->ngrave) {
		int fd = ix->grave[i];
		bool used = false;
		for (uint32_t n = 0; !all && n < ix->count; n++)
			used |= ix->kfd[n] == fd;
		if (used) {
			i++;
			continue;
		}
		msidom__vfio_close(v, &fd);
		ix->grave[i] = ix->grave[--ix->ngrave];
	}
}

static void shadow_reset(struct vfio_index *ix)
{
	for (uint32_t n = 0; n < ix->count; n++)
		ix->kfd[n] = -1;
	ix->kenabled = false;
	ix->kcount = 0;
}

int msidom__vfio_disable_index(struct msidom_vfio *v, struct vfio_index *ix)
{
	if (!ix->kenabled)
		return 0;
	int ret = msidom__vfio_set_irqs_none(v, ix->type, 0, 0);
	if (ret)
		return ret;
	v->stats.disables++;
	shadow_reset(ix);
	return 0;
}

/* NORESIZE, index off: one call enables [0, n) with every wanted fd. */
static int enable_block(struct msidom_vfio *v, struct vfio_index *ix, uint32_t n)
{
	fill(v, ix, 0, n, false);
	/* On failure the kernel disables the index again: nothing to undo. */
	int ret = msidom__vfio_set_irqs_fds(v, ix->type, 0, n, v->fdbuf);
	if (ret)
		return ret;
	ix->kenabled = true;
	ix->kcount = n;
	commit_range(v, ix, 0, ix->count);
	return 0;
}

static void signal_armed(struct msidom_vfio *v, const struct vfio_index *ix)
{
	for (uint32_t n = 0; n < ix->count; n++) {
		if (ix->kfd[n] >= 0) {
			msidom__vfio_eventfd_signal(v, ix->kfd[n]);
			v->stats.resize_signals++;
		}
	}
}

/*
 * NORESIZE, index on, a vector beyond its size wanted: disable, re-enable
 * [0, n), then signal every armed eventfd, because the device may have
 * raised an interrupt while the index was off and the kernel dropped it.
 * A spurious interrupt is harmless; a lost one hangs the driver.
 */
static int grow(struct msidom_vfio *v, struct vfio_index *ix, uint32_t n)
{
	int ret = msidom__vfio_set_irqs_none(v, ix->type, 0, 0);
	if (ret)
		return ret;
	v->stats.disables++;
	fill(v, ix, 0, n, false);
	ret = msidom__vfio_set_irqs_fds(v, ix->type, 0, n, v->fdbuf);
	if (ret) {
		uint32_t old = ix->kcount;
		fill(v, ix, 0, old, true);
		if (msidom__vfio_set_irqs_fds(v, ix->type, 0, old, v->fdbuf)) {
			msidom_log(v->ctx, MSIDOM_LOG_ERR,
				   "vfio %s: index %u could not be re-enabled after a failed "
				   "resize; its vectors stay disarmed until the next operation",
				   v->bdf, ix->type);
			shadow_reset(ix);
			return ret;
		}
		signal_armed(v, ix);
		return ret;
	}
	ix->kcount = n;
	v->stats.resizes++;
	commit_range(v, ix, 0, ix->count);
	signal_armed(v, ix);
	return 0;
}

static int apply_runs(struct msidom_vfio *v, struct vfio_index *ix)
{
	bool was = ix->kenabled;
	uint32_t pos = 0, start = 0, len = 0;
	int ret = 0;
	while (next_run(ix, &pos, &start, &len)) {
		fill(v, ix, start, len, false);
		ret = msidom__vfio_set_irqs_fds(v, ix->type, start, len, v->fdbuf);
		if (ret)
			break;
		if (!ix->kenabled) {
			ix->kenabled = true;
			ix->kcount = ix->count;
		}
	}
	if (!ret) {
		commit_range(v, ix, 0, ix->count);
		return 0;
	}

	/* Put back what the runs before the failing one (and it) changed. */
	uint32_t failed = start;
	if (!was) {
		if (!ix->kenabled)
			return ret; /* the first run failed: the kernel disabled the index */
		if (msidom__vfio_set_irqs_none(v, ix->type, 0, 0) == 0) {
			v->stats.disables++;
			shadow_reset(ix);
			return ret;
		}
		for (uint32_t n = 0; n < failed; n++)
			ix->kfd[n] = VFIO_FD_UNKNOWN;
		msidom_log(v->ctx, MSIDOM_LOG_ERR,
			   "vfio %s: could not disable index %u after a failed update", v->bdf,
			   ix->type);
		return ret;
	}
	pos = 0;
	while (next_run(ix, &pos, &start, &len) && start <= failed) {
		fill(v, ix, start, len, true);
		if (msidom__vfio_set_irqs_fds(v, ix->type, start, len, v->fdbuf)) {
			for (uint32_t n = start; n < start + len; n++)
				ix->kfd[n] = VFIO_FD_UNKNOWN;
			msidom_log(v->ctx, MSIDOM_LOG_ERR,
				   "vfio %s: could not restore vectors %u..%u of index %u", v->bdf,
				   start, start + len - 1, ix->type);
		}
	}
	return ret;
}

int msidom__vfio_program(struct msidom_vfio *v, struct vfio_index *ix)
{
	bool any = false, dirty = false;
	uint32_t max = 0;
	int ret = 0;

	for (uint32_t n = 0; n < ix->count; n++) {
		if (want_fd(ix, n) >= 0) {
			any = true;
			max = n;
		}
		dirty |= is_dirty(ix, n);
	}

	if (!any) {
		/* Nothing wanted: turning the index off is one call and frees host vectors. */
		ret = msidom__vfio_disable_index(v, ix);
		goto out;
	}
	if (!dirty)
		goto out;

	for (uint32_t t = VFIO_PCI_MSI_IRQ_INDEX; t <= VFIO_PCI_MSIX_IRQ_INDEX; t++) {
		if (t != ix->type && v->idx[t].kenabled) {
			msidom_log(
				v->ctx, MSIDOM_LOG_ERR,
				"vfio %s: index %u is still enabled; MSI and MSI-X exclude each other",
				v->bdf, t);
			ret = -MSIDOM_EBUSY;
			goto out;
		}
	}

	if (ix->flags & VFIO_IRQ_INFO_NORESIZE) {
		if (!ix->kenabled)
			ret = enable_block(v, ix,
					   v->policy == MSIDOM_VFIO_PREALLOC ? ix->count : max + 1);
		else if (max >= ix->kcount)
			ret = grow(v, ix, max + 1);
		else
			ret = apply_runs(v, ix);
	} else {
		ret = apply_runs(v, ix);
	}
out:
	msidom__vfio_reap(v, ix, false);
	return ret;
}
