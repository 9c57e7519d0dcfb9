/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Ready-made IMS storage: entries in caller (host) memory, e.g. inside
 * queue contexts, that the device only rereads when told to. Updates of
 * one batch are recorded, applied together at its end, and announced
 * with a single sync call; a failed sync puts the old entries back, so
 * memory never disagrees with what the device was told.
 */
#include "ims_internal.h"

/* Records kept allocated for the life of the domain: one public op never allocates. */
#define QUEUE_BASE_CAP 16u

struct queue_rec {
	struct msidom_msg msg;                /* WRITE only */
	uint32_t old[MSIDOM_IMS_ENTRY_WORDS]; /* entry before this record, for rollback */
};

struct ims_queue {
	struct msidom_ctx *ctx;
	char *base;
	size_t stride;
	uint32_t nr_entries;
	int (*sync)(void *opaque, const struct msidom_ims_update *updates, uint32_t nr);
	void *opaque;
	bool locked;
	uint32_t nr;
	uint32_t cap;
	struct msidom_ims_update *updates; /* handed to sync as is */
	struct queue_rec *recs;            /* parallel to updates */
};

static volatile uint32_t *entry(struct ims_queue *q, uint32_t slot)
{
	return (volatile uint32_t *)(void *)(q->base + (size_t)slot * q->stride);
}

static void free_log(struct ims_queue *q)
{
	msidom_free(q->ctx, q->updates, q->cap * sizeof(*q->updates));
	msidom_free(q->ctx, q->recs, q->cap * sizeof(*q->recs));
	q->updates = NULL;
	q->recs = NULL;
	q->cap = 0;
}

/* Replace the record arrays with ones of @cap entries, keeping q->nr records. */
static int resize_log(struct ims_queue *q, uint32_t cap)
{
	struct msidom_ims_update *u;
	struct queue_rec *r;

	u = msidom_zalloc(q->ctx, cap * sizeof(*u));
	r = msidom_zalloc(q->ctx, cap * sizeof(*r));
	if (!u || !r) {
		msidom_free(q->ctx, u, u ? cap * sizeof(*u) : 0);
		msidom_free(q->ctx, r, r ? cap * sizeof(*r) : 0);
		return -MSIDOM_ENOMEM;
	}
	for (uint32_t i = 0; i < q->nr; i++) {
		u[i] = q->updates[i];
		r[i] = q->recs[i];
	}
	free_log(q);
	q->updates = u;
	q->recs = r;
	q->cap = cap;
	return 0;
}

static void apply(struct ims_queue *q, uint32_t i)
{
	const struct msidom_ims_update *u = &q->updates[i];
	struct queue_rec *r = &q->recs[i];
	volatile uint32_t *e = entry(q, u->slot);
	uint32_t ctrl;

	for (uint32_t w = 0; w < MSIDOM_IMS_ENTRY_WORDS; w++)
		r->old[w] = e[w];
	ctrl = r->old[MSIDOM_IMS_ENTRY_CTRL / 4];
	switch (u->kind) {
	case MSIDOM_IMS_UPDATE_WRITE:
		/* Shared memory: a device fetching early must not see half a message. */
		if (!(ctrl & MSIDOM_IMS_CTRL_MASKBIT))
			e[MSIDOM_IMS_ENTRY_CTRL / 4] = ctrl | MSIDOM_IMS_CTRL_MASKBIT;
		e[MSIDOM_IMS_ENTRY_ADDR_LO / 4] = r->msg.address_lo;
		e[MSIDOM_IMS_ENTRY_ADDR_HI / 4] = r->msg.address_hi;
		e[MSIDOM_IMS_ENTRY_DATA / 4] = r->msg.data;
		e[MSIDOM_IMS_ENTRY_CTRL / 4] = ctrl;
		break;
	case MSIDOM_IMS_UPDATE_MASK:
		e[MSIDOM_IMS_ENTRY_CTRL / 4] = ctrl | MSIDOM_IMS_CTRL_MASKBIT;
		break;
	case MSIDOM_IMS_UPDATE_UNMASK:
		e[MSIDOM_IMS_ENTRY_CTRL / 4] = ctrl & ~MSIDOM_IMS_CTRL_MASKBIT;
		break;
	}
}

static void unapply(struct ims_queue *q, uint32_t i)
{
	volatile uint32_t *e = entry(q, q->updates[i].slot);
	const uint32_t *old = q->recs[i].old;

	/* Mask first and restore control last, as for any update. */
	e[MSIDOM_IMS_ENTRY_CTRL / 4] = old[MSIDOM_IMS_ENTRY_CTRL / 4] | MSIDOM_IMS_CTRL_MASKBIT;
	e[MSIDOM_IMS_ENTRY_ADDR_LO / 4] = old[MSIDOM_IMS_ENTRY_ADDR_LO / 4];
	e[MSIDOM_IMS_ENTRY_ADDR_HI / 4] = old[MSIDOM_IMS_ENTRY_ADDR_HI / 4];
	e[MSIDOM_IMS_ENTRY_DATA / 4] = old[MSIDOM_IMS_ENTRY_DATA / 4];
	e[MSIDOM_IMS_ENTRY_CTRL / 4] = old[MSIDOM_IMS_ENTRY_CTRL / 4];
}

static int queue_flush(struct ims_queue *q)
{
	uint32_t nr = q->nr;
	int ret = 0;

	q->locked = false;
	if (!nr)
		return 0;
	for (uint32_t i = 0; i < nr; i++)
		apply(q, i);
	if (q->sync)
		ret = q->sync(q->opaque, q->updates, nr);
	if (ret < 0) {
		for (uint32_t i = nr; i-- > 0;)
			unapply(q, i);
		msidom_log(q->ctx, MSIDOM_LOG_ERR,
			   "ims queue: sync of %u updates failed (entries restored): %s", nr,
			   msidom_strerror(ret));
	} else {
		ret = 0;
	}
	q->nr = 0;
	/* Give back what a large batch grew; keeping the big log is fine if that fails. */
	if (q->cap > QUEUE_BASE_CAP)
		(void)resize_log(q, QUEUE_BASE_CAP);
	return ret;
}

static int record(struct ims_queue *q, uint32_t slot, enum msidom_ims_update_kind kind,
		  msidom_cookie cookie, const struct msidom_msg *msg)
{
	bool implicit = !q->locked;
	int ret;

	if (slot >= q->nr_entries) {
		msidom_log(q->ctx, MSIDOM_LOG_ERR, "ims queue: entry %u outside 0..%u", slot,
			   q->nr_entries - 1);
		return -MSIDOM_ERANGE;
	}
	if (q->nr == q->cap) {
		ret = resize_log(q, q->cap ? q->cap * 2 : QUEUE_BASE_CAP);
		if (ret) {
			msidom_log(q->ctx, MSIDOM_LOG_ERR,
				   "ims queue: no memory to record update %u of entry %u", q->nr,
				   slot);
			return ret;
		}
	}
	q->updates[q->nr].slot = slot;
	q->updates[q->nr].kind = kind;
	q->updates[q->nr].cookie = cookie;
	if (msg)
		q->recs[q->nr].msg = *msg;
	q->nr++;
	/* Outside a batch (not expected from the core) the update is its own batch. */
	return implicit ? queue_flush(q) : 0;
}

static int queue_write_msg(void *opaque, uint32_t slot, const struct msidom_msg *msg,
			   msidom_cookie cookie)
{
	return record(opaque, slot, MSIDOM_IMS_UPDATE_WRITE, cookie, msg);
}

static int queue_mask(void *opaque, uint32_t slot, msidom_cookie cookie)
{
	return record(opaque, slot, MSIDOM_IMS_UPDATE_MASK, cookie, NULL);
}

static int queue_unmask(void *opaque, uint32_t slot, msidom_cookie cookie)
{
	return record(opaque, slot, MSIDOM_IMS_UPDATE_UNMASK, cookie, NULL);
}

static void queue_bus_lock(void *opaque)
{
	struct ims_queue *q = opaque;

	q->locked = true;
}

static int queue_bus_sync_unlock(void *opaque)
{
	return queue_flush(opaque);
}

static const struct msidom_ims_storage_ops queue_ops = {
	.sz = sizeof(struct msidom_ims_storage_ops),
	.write_msg = queue_write_msg,
	.mask = queue_mask,
	.unmask = queue_unmask,
	.bus_lock = queue_bus_lock,
	.bus_sync_unlock = queue_bus_sync_unlock,
};

static void queue_fini(struct msidom_ctx *ctx, void *state)
{
	struct ims_queue *q = state;

	free_log(q);
	msidom_free(ctx, q, sizeof(*q));
}

MSIDOM_API int msidom_ims_queue_domain_create(struct msidom_device *dev,
					      const struct msidom_ims_info *info,
					      const struct msidom_ims_queue_config *cfg,
					      struct msidom_domain *parent,
					      struct msidom_domain **out)
{
	struct msidom_ims_storage storage;
	struct msidom_ims_queue_config clocal;
	struct msidom_ims_info ilocal;
	struct msidom_ctx *ctx;
	struct ims_queue *q;
	size_t stride;
	int ret;

	ret = msidom__ims_check_args(dev, &info, &ilocal, cfg, parent, out);
	if (ret)
		return ret;
	ctx = msidom_device_ctx(dev);
	cfg = msidom_opts_load(ctx, cfg, &clocal, sizeof(clocal), "msidom_ims_queue_config", &ret);
	if (!cfg)
		return ret;
	stride = cfg->stride ? cfg->stride : MSIDOM_IMS_ENTRY_SIZE;
	if (!cfg->base || ((uintptr_t)cfg->base & 3u) || stride < MSIDOM_IMS_ENTRY_SIZE ||
	    (stride & 3u)) {
		msidom_log(
			ctx, MSIDOM_LOG_ERR,
			"ims queue: base must be 4-byte aligned and stride a multiple of 4, at least %u",
			MSIDOM_IMS_ENTRY_SIZE);
		return -MSIDOM_EINVAL;
	}
	if (!cfg->nr_entries || cfg->nr_entries > MSIDOM_MAX_HWSIZE) {
		msidom_log(ctx, MSIDOM_LOG_ERR, "ims queue: %u entries outside 1..%u",
			   cfg->nr_entries, MSIDOM_MAX_HWSIZE);
		return -MSIDOM_EINVAL;
	}
	q = msidom_zalloc(ctx, sizeof(*q));
	if (!q)
		return -MSIDOM_ENOMEM;
	q->ctx = ctx;
	q->base = cfg->base;
	q->stride = stride;
	q->nr_entries = cfg->nr_entries;
	q->sync = cfg->sync;
	q->opaque = cfg->opaque;
	ret = resize_log(q, QUEUE_BASE_CAP);
	if (ret)
		goto err_queue;
	storage.sz = sizeof(storage);
	storage.ops = &queue_ops;
	storage.opaque = q;
	/* From here the domain owns q: queue_fini frees it on every path. */
	return msidom__ims_create(dev, info, &storage, cfg->nr_entries, q, queue_fini, parent, out);

err_queue:
	msidom_free(ctx, q, sizeof(*q));
	return ret;
}
