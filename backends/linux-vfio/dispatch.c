/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Event-loop delivery: one epoll fd holds every polled trigger eventfd
 * and the ERR/REQ eventfds; dispatch reads the ready ones and runs the
 * core's handler for the vector (msidom_handle() on the VFIO root).
 *
 * The lock is held only to look an event's fd up and read it: handlers
 * and callbacks run unlocked, so they may call the library (mask, free).
 */
#include "vfio_internal.h"

#define DISPATCH_BATCH 16

/* With the lock held: read the eventfd behind an event; 0 if none fired. */
static uint64_t consume(struct msidom_vfio *v, uint32_t kind, uint32_t low)
{
	switch (kind) {
	case VFIO_EV_VECTOR: {
		uint32_t type = low >> 16, n = low & 0xffffu;
		if (type != v->mode_type || n >= v->idx[type].count)
			return 0;
		struct vfio_vec *e = &v->idx[type].vec[n];
		/* A stale event of a vector freed since epoll_wait returned. */
		if (!e->allocated || !e->polled)
			return 0;
		uint64_t cnt = msidom__vfio_eventfd_drain(v, e->trigger);
		/* Raised before a mask took effect: keep it for the unmask. */
		if (cnt && e->masked) {
			e->pending = true;
			return 0;
		}
		/*
		 * Until the handler has run, the count lives nowhere else: a
		 * free (or mask) racing us must still see it as pending.
		 */
		e->inflight = cnt != 0;
		return cnt;
	}
	case VFIO_EV_ERR: return msidom__vfio_eventfd_drain(v, v->errfd);
	case VFIO_EV_REQ: return msidom__vfio_eventfd_drain(v, v->reqfd);
	default: return 0;
	}
}

/* With the lock held: the handler ran (or the vector went away meanwhile). */
static void inflight_done(struct msidom_vfio *v, uint32_t low)
{
	uint32_t type = low >> 16, n = low & 0xffffu;
	if (type < VFIO_PCI_MSI_IRQ_INDEX || type > VFIO_PCI_MSIX_IRQ_INDEX ||
	    n >= v->idx[type].count)
		return;
	/* Dispatch runs in one thread at a time: only this call set it. */
	v->idx[type].vec[n].inflight = false;
}

MSIDOM_API int msidom_vfio_dispatch(struct msidom_vfio *v, int timeout_ms)
{
	if (!v)
		return -MSIDOM_EINVAL;
	struct msidom_vfio_event evs[DISPATCH_BATCH];
	int n = v->sys.epoll_wait(v->sys.opaque, v->epfd, evs, DISPATCH_BATCH, timeout_ms);
	if (n < 0)
		return n;

	int calls = 0;
	for (int i = 0; i < n; i++) {
		uint32_t kind = (uint32_t)(evs[i].data >> 32);
		uint32_t low = (uint32_t)evs[i].data;
		msidom_ctx_lock(v->ctx);
		uint64_t cnt = consume(v, kind, low);
		msidom_ctx_unlock(v->ctx);

		bool ran = false;
		if (cnt && kind == VFIO_EV_VECTOR) {
			/* Interrupts coalesced in the counter are one edge to the handler. */
			ran = msidom_handle(v->root, low) == 0;
		} else if (cnt && kind == VFIO_EV_ERR && v->on_err) {
			v->on_err(v, v->cb_arg);
			ran = true;
		} else if (cnt && kind == VFIO_EV_REQ && v->on_req) {
			v->on_req(v, v->cb_arg);
			ran = true;
		}

		msidom_ctx_lock(v->ctx);
		if (cnt && kind == VFIO_EV_VECTOR)
			inflight_done(v, low);
		if (kind == VFIO_EV_ERR && cnt)
			v->stats.err_events++;
		else if (kind == VFIO_EV_REQ && cnt)
			v->stats.req_events++;
		if (ran && kind == VFIO_EV_VECTOR)
			v->stats.dispatched++;
		else if (!ran)
			v->stats.spurious++;
		msidom_ctx_unlock(v->ctx);
		calls += ran;
	}
	return calls;
}
