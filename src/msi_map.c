/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The msi_map interface: allocate at an index or at any index, free one
 * vector while others stay live, ranges. Every call is all or nothing.
 */
#include "internal.h"

#define MAX_BLOCK 32

static struct msidom_domain *slot_domain(const struct msidom_device *dev, enum msidom_slot slot,
					 const char *what)
{
	if (!dev)
		return NULL;
	if ((unsigned int)slot >= MSIDOM_MAX_DOMAINS) {
		pr_err(dev->ctx, "%s: %s: bad domain slot %d", what, dev->name, (int)slot);
		return NULL;
	}
	if (!dev->domains[slot])
		pr_err(dev->ctx, "%s: %s: slot %d has no domain", what, dev->name, (int)slot);
	return dev->domains[slot];
}

/*
 * NULL options are the defaults. The mask follows the rule of
 * msidom_irq_set_affinity(): NULL is "any", empty is invalid.
 */
static int load_opts(const struct msidom_device *dev, const struct msidom_alloc_opts **opts,
		     struct msidom_alloc_opts *local)
{
	const struct msidom_cpumask *m;
	int ret;

	if (!*opts)
		return 0;
	*opts = msidom_opts_load(dev->ctx, *opts, local, sizeof(*local), "msidom_alloc_opts", &ret);
	if (!*opts)
		return ret;
	m = (*opts)->affinity;
	if (m && (!m->nbits || !m->bits)) {
		pr_err(dev->ctx, "%s: alloc: empty CPU mask", dev->name);
		return -MSIDOM_EINVAL;
	}
	return 0;
}

static int slot_error(const struct msidom_device *dev, enum msidom_slot slot)
{
	if (!dev || (unsigned int)slot >= MSIDOM_MAX_DOMAINS)
		return -MSIDOM_EINVAL;
	return -MSIDOM_ENOENT;
}

static void teardown(struct msidom_desc *desc)
{
	struct msidom_domain *dd = desc->domain;

	if (dd->ops && dd->ops->teardown_desc)
		dd->ops->teardown_desc(dd, desc);
}

/* The device side of a free: masked, zeroed message, storage released. */
static void quiesce(struct msidom_desc *const *descs, unsigned int nr)
{
	struct msidom_ctx *ctx = descs[0]->domain->ctx;

	for (unsigned int i = 0; i < nr; i++) {
		if (!(descs[i]->flags & DESC_MASKED) && msidom__mask(descs[i], true))
			pr_warn(ctx, "%s: index %u could not be masked before free",
				descs[i]->domain->name, descs[i]->lv[0].hwirq);
		msidom__deactivate(descs[i]);
	}
	for (unsigned int i = 0; i < nr; i++) {
		teardown(descs[i]);
		__atomic_store_n(&descs[i]->handler, NULL, __ATOMIC_RELEASE);
		descs[i]->handler_arg = NULL;
		if (descs[i]->flags & DESC_COMMIT)
			descs[i]->domain->commits--; /* settled below, with the levels */
	}
}

/* The parents' side of a free: every level and the virq. */
static void release_levels(struct msidom_desc *const *descs, unsigned int nr, bool undo)
{
	struct msidom_ctx *ctx = descs[0]->domain->ctx;

	/* A deferred move ends here: let the levels release the old target. */
	for (unsigned int i = 0; i < nr; i++)
		if (descs[i]->flags & (DESC_COMMIT | DESC_UNSETTLED))
			msidom__affinity_commit(descs[i]);
	msidom__levels_free(descs, nr, undo);
	for (unsigned int i = 0; i < nr; i++) {
		msidom__virq_free(ctx, descs[i]->virq, undo);
		descs[i]->virq = 0;
		descs[i]->cpu = 0; /* no vector, no target */
		descs[i]->flags = DESC_MASKED | (descs[i]->flags & DESC_OP_FLAGS);
	}
}

/* Undo everything after descriptor creation, for @nr descriptors. */
static void disassociate(struct msidom_desc *const *descs, unsigned int nr, bool undo)
{
	quiesce(descs, nr);
	release_levels(descs, nr, undo);
}

static int prepare(struct msidom_desc *desc)
{
	struct msidom_domain *dd = desc->domain;
	int ret = 0;

	if (dd->ops && dd->ops->prepare_desc)
		ret = dd->ops->prepare_desc(dd, desc, desc->cookie);
	if (ret)
		pr_err(dd->ctx, "%s: prepare_desc for index %u failed: %s", dd->name,
		       desc->lv[0].hwirq, msidom_strerror(ret));
	return ret;
}

/* Give @nr descriptors virqs and run them through every level. */
static int associate(struct msidom_desc *const *descs, unsigned int nr,
		     const struct msidom_alloc_opts *opts)
{
	struct msidom_domain *dd = descs[0]->domain;
	struct msidom_ctx *ctx = dd->ctx;
	struct msidom_alloc_arg arg = {
		.affinity = opts ? opts->affinity : NULL,
		.cookie = descs[0]->cookie,
		.device = dd->dev,
		.managed = opts && opts->managed,
	};
	bool unmasked = opts && opts->unmasked;
	unsigned int prepared = 0, virqs = 0, active = 0, i;
	int ret;

	for (; prepared < nr; prepared++) {
		ret = prepare(descs[prepared]);
		if (ret)
			goto err_prepare;
	}
	for (; virqs < nr; virqs++) {
		int64_t v = msidom__virq_alloc(ctx, descs[virqs]);

		if (v < 0) {
			ret = (int)v;
			goto err_virq;
		}
		descs[virqs]->virq = (uint32_t)v;
		if (opts && opts->handler) {
			descs[virqs]->handler_arg = opts->handler_arg;
			__atomic_store_n(&descs[virqs]->handler, opts->handler, __ATOMIC_RELEASE);
		}
		descs[virqs]->flags =
			(uint16_t)((descs[virqs]->flags & DESC_OP_FLAGS) |
				   (unmasked ? 0 : DESC_MASKED) | (arg.managed ? DESC_MANAGED : 0));
	}
	ret = msidom__levels_alloc(descs, nr, &arg);
	if (ret)
		goto err_virq;
	for (i = 0; i < nr; i++)
		if (dd->ops && dd->ops->set_desc)
			dd->ops->set_desc(dd, descs[i]);
	for (; active < nr; active++) {
		ret = msidom__activate(descs[active]);
		if (ret)
			goto err_active;
		if (unmasked) {
			/* The state is already "unmasked"; tell the hardware. */
			descs[active]->flags |= DESC_MASKED;
			ret = msidom__mask(descs[active], false);
			if (ret) {
				msidom__deactivate(descs[active]);
				goto err_active;
			}
		}
	}
	return 0;

err_active:
	while (active--) {
		if (!(descs[active]->flags & DESC_MASKED))
			msidom__mask(descs[active], true);
		msidom__deactivate(descs[active]);
	}
	msidom__levels_free(descs, nr, true);
err_virq:
	while (virqs--) {
		__atomic_store_n(&descs[virqs]->handler, NULL, __ATOMIC_RELEASE);
		descs[virqs]->handler_arg = NULL;
		msidom__virq_free(ctx, descs[virqs]->virq, true);
		descs[virqs]->virq = 0;
		descs[virqs]->cpu = 0;
		descs[virqs]->flags = DESC_MASKED | (descs[virqs]->flags & DESC_OP_FLAGS);
	}
err_prepare:
	while (prepared--)
		teardown(descs[prepared]);
	return ret;
}

/* Find or create the descriptor at @index for an allocation. */
static struct msidom_desc *claim(struct msidom_domain *dd, uint32_t index,
				 const struct msidom_alloc_opts *opts, int *err)
{
	msidom_cookie cookie = opts && opts->has_cookie ? opts->cookie : dd->default_cookie;
	struct msidom_desc *desc;
	int idx = msidom__index_find(dd, index, err);

	if (idx < 0)
		return NULL;
	desc = msidom_desc_at(dd, (uint32_t)idx);
	if (desc) {
		if (desc->virq) {
			pr_err(dd->ctx, "%s: index %d already in use (virq %u)", dd->name, idx,
			       desc->virq);
			*err = -MSIDOM_EEXIST;
			return NULL;
		}
		return desc;
	}
	desc = msidom__desc_new(dd, (uint32_t)idx, cookie, err);
	if (desc)
		desc->flags |= DESC_FRESH;
	return desc;
}

static void release_claim(struct msidom_desc *desc)
{
	if (desc->flags & DESC_FRESH)
		msidom__desc_delete(desc, true);
}

static int alloc_one(struct msidom_domain *dd, uint32_t index, const struct msidom_alloc_opts *opts,
		     struct msidom_desc **out)
{
	struct msidom_desc *desc;
	int ret = 0;

	desc = claim(dd, index, opts, &ret);
	if (!desc)
		return ret;
	ret = associate(&desc, 1, opts);
	if (ret) {
		release_claim(desc);
		return ret;
	}
	/* DESC_OP_FLAGS stay set: the caller may still have to undo this. */
	*out = desc;
	return 0;
}

static int msidom_msi_free_range_locked(struct msidom_domain *dd, uint32_t first, uint32_t last,
					bool undo);
static int free_block(struct msidom_domain *dd, bool undo);

/*
 * Inside a caller's batch the device may only record the mask and zeroed
 * message until the batch's sync; a parent resource released now could go
 * to a new vector while the device still targets it. So the parents' part
 * waits for the end of the batch (msidom__reap_retired()).
 */
static bool must_retire(const struct msidom_domain *dd)
{
	return dd->batch_depth > 1 && dd->chip && dd->chip->bus_sync_unlock;
}

static void free_one(struct msidom_desc *desc, bool undo)
{
	struct msidom_domain *dd = desc->domain;

	if (undo || !must_retire(dd)) {
		disassociate(&desc, 1, undo);
		msidom__desc_delete(desc, undo);
		return;
	}
	quiesce(&desc, 1);
	msidom__desc_unlink(desc, false);
	desc->flags |= DESC_RETIRED;
	desc->next_retired = dd->retired;
	dd->retired = desc;
}

void msidom__reap_retired(struct msidom_domain *d)
{
	struct msidom_desc *desc;

	while ((desc = d->retired) != NULL) {
		d->retired = desc->next_retired;
		desc->next_retired = NULL;
		desc->flags &= (uint16_t)~DESC_RETIRED;
		release_levels(&desc, 1, false);
		msidom__desc_put(desc, false);
	}
}

/* Take back a vector of the failing call: a reserved descriptor stays. */
static void undo_alloc(struct msidom_desc *desc)
{
	if (desc->flags & DESC_FRESH) {
		free_one(desc, true);
		return;
	}
	disassociate(&desc, 1, true);
	desc->flags &= (uint16_t)~DESC_OP_FLAGS;
}

static void clear_op_flags(struct msidom_domain *dd, uint32_t first, uint32_t last)
{
	for (struct msidom_desc *d = msidom__desc_scan(dd, first, MSIDOM_DESC_ALL);
	     d && d->lv[0].hwirq <= last; d = msidom_desc_next(d, MSIDOM_DESC_ALL))
		d->flags &= (uint16_t)~DESC_OP_FLAGS;
}

/* Undo every vector of [first, last] the failing call allocated, last first. */
static void undo_range(struct msidom_domain *dd, uint32_t first, uint32_t last)
{
	for (uint32_t i = last + 1; i-- > first;) {
		struct msidom_desc *desc = msidom_desc_at(dd, i);

		if (desc && desc->virq)
			undo_alloc(desc);
	}
}

MSIDOM_API struct msidom_map msidom_msi_alloc_at(struct msidom_device *dev, enum msidom_slot slot,
						 uint32_t index,
						 const struct msidom_alloc_opts *opts)
{
	struct msidom_map map = { -MSIDOM_EINVAL, 0 };
	struct msidom_alloc_opts local;
	struct msidom_domain *dd;
	struct msidom_desc *desc = NULL;
	int ret, end;

	if (!dev)
		return map;
	ret = load_opts(dev, &opts, &local);
	if (ret) {
		map.index = ret;
		return map;
	}
	msidom__lock(dev->ctx);
	dd = slot_domain(dev, slot, "alloc_at");
	if (!dd) {
		map.index = slot_error(dev, slot);
		goto out;
	}
	if ((dd->flags & MSIDOM_DOMAIN_CONTIGUOUS) && dd->ndescs) {
		pr_err(dev->ctx, "%s: multi-message MSI allocates once, as a block", dd->name);
		map.index = -MSIDOM_EBUSY;
		goto out;
	}
	msidom__batch_begin(dd);
	ret = alloc_one(dd, index, opts, &desc);
	end = msidom__batch_end(dd);
	if (!ret && end) {
		/* The batch never reached the device: take the vector back. */
		msidom__batch_begin(dd);
		undo_alloc(desc);
		msidom__batch_end(dd);
		ret = end;
	}
	if (ret) {
		map.index = ret;
		goto out;
	}
	desc->flags &= (uint16_t)~DESC_OP_FLAGS;
	map.index = (int32_t)desc->lv[0].hwirq;
	map.virq = desc->virq;
out:
	msidom__unlock(dev->ctx);
	return map;
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static int alloc_block(struct msidom_domain *dd, uint32_t count,
		       const struct msidom_alloc_opts *opts)
{
	struct msidom_desc *descs[MAX_BLOCK];
	uint32_t made;
	int ret = 0;

	if (count > MAX_BLOCK || !is_pow2(count) || dd->ndescs) {
		pr_err(dd->ctx,
		       "%s: a multi-message block is 1..32 (power of two) from index 0, once",
		       dd->name);
		return -MSIDOM_EINVAL;
	}
	for (made = 0; made < count; made++) {
		descs[made] = claim(dd, made, opts, &ret);
		if (!descs[made])
			goto err;
	}
	ret = associate(descs, count, opts);
	if (ret)
		goto err;
	return 0;
err:
	while (made--)
		msidom__desc_delete(descs[made], true);
	return ret;
}

static int alloc_range_locked(struct msidom_domain *dd, uint32_t first, uint32_t last,
			      const struct msidom_alloc_opts *opts)
{
	struct msidom_desc *desc;
	uint32_t i;
	int ret = 0;

	for (i = first; i <= last; i++) {
		desc = msidom_desc_at(dd, i);
		if (desc && desc->virq) {
			pr_err(dd->ctx, "%s: index %u in range already in use", dd->name, i);
			return -MSIDOM_EEXIST;
		}
	}
	if (dd->flags & MSIDOM_DOMAIN_CONTIGUOUS) {
		if (first) {
			pr_err(dd->ctx, "%s: a multi-message block starts at index 0", dd->name);
			return -MSIDOM_EINVAL;
		}
		return alloc_block(dd, last + 1, opts);
	}
	for (i = first; i <= last; i++) {
		ret = alloc_one(dd, i, opts, &desc);
		if (ret)
			break;
	}
	if (ret && i > first)
		undo_range(dd, first, i - 1);
	return ret;
}

MSIDOM_API int msidom_msi_alloc_range(struct msidom_device *dev, enum msidom_slot slot,
				      uint32_t first, uint32_t last,
				      const struct msidom_alloc_opts *opts)
{
	struct msidom_alloc_opts local;
	struct msidom_domain *dd;
	int ret, end;

	if (!dev)
		return -MSIDOM_EINVAL;
	ret = load_opts(dev, &opts, &local);
	if (ret)
		return ret;
	msidom__lock(dev->ctx);
	dd = slot_domain(dev, slot, "alloc_range");
	if (!dd) {
		ret = slot_error(dev, slot);
		goto out;
	}
	if (first > last || last >= dd->hwsize) {
		pr_err(dev->ctx, "%s: range %u..%u outside 0..%u", dd->name, first, last,
		       dd->hwsize - 1);
		ret = first > last ? -MSIDOM_EINVAL : -MSIDOM_ERANGE;
		goto out;
	}
	msidom__batch_begin(dd);
	ret = alloc_range_locked(dd, first, last, opts);
	end = msidom__batch_end(dd);
	if (!ret && end) {
		msidom__batch_begin(dd);
		if (dd->flags & MSIDOM_DOMAIN_CONTIGUOUS)
			free_block(dd, true);
		else
			undo_range(dd, first, last);
		msidom__batch_end(dd);
		ret = end;
	}
	if (!ret)
		clear_op_flags(dd, first, last);
out:
	msidom__unlock(dev->ctx);
	return ret;
}

/* Multi-message MSI vectors were allocated as one block; free them so. */
static int free_block(struct msidom_domain *dd, bool undo)
{
	struct msidom_desc *descs[MAX_BLOCK];
	unsigned int nr = 0, assoc = 0;

	for (struct msidom_desc *d = msidom_desc_first(dd, MSIDOM_DESC_ALL); d && nr < MAX_BLOCK;
	     d = msidom_desc_next(d, MSIDOM_DESC_ALL))
		descs[nr++] = d;
	for (unsigned int i = 0; i < nr; i++)
		assoc += descs[i]->virq != 0;
	if (assoc)
		disassociate(descs, nr, undo);
	for (unsigned int i = 0; i < nr; i++)
		msidom__desc_delete(descs[i], undo);
	return (int)assoc;
}

static int msidom_msi_free_range_locked(struct msidom_domain *dd, uint32_t first, uint32_t last,
					bool undo)
{
	struct msidom_desc *desc, *next;
	int freed = 0;

	if (dd->flags & MSIDOM_DOMAIN_CONTIGUOUS) {
		desc = msidom_desc_first(dd, MSIDOM_DESC_ALL);
		if (!desc)
			return 0;
		if (first > desc->lv[0].hwirq || last < dd->ndescs - 1 + desc->lv[0].hwirq) {
			pr_err(dd->ctx, "%s: multi-message MSI frees its whole block only",
			       dd->name);
			return -MSIDOM_EINVAL;
		}
		return free_block(dd, undo);
	}
	for (desc = msidom__desc_scan(dd, first, MSIDOM_DESC_ALL);
	     desc && desc->lv[0].hwirq <= last; desc = next) {
		next = msidom_desc_next(desc, MSIDOM_DESC_ALL);
		if (desc->virq) {
			free_one(desc, undo);
			freed++;
		} else {
			msidom__desc_delete(desc, undo);
		}
	}
	return freed;
}

MSIDOM_API int msidom_msi_free(struct msidom_device *dev, enum msidom_slot slot, uint32_t index)
{
	struct msidom_domain *dd;
	struct msidom_desc *desc;
	int ret = 0;

	if (!dev)
		return -MSIDOM_EINVAL;
	msidom__lock(dev->ctx);
	dd = slot_domain(dev, slot, "msi_free");
	if (!dd) {
		ret = slot_error(dev, slot);
		goto out;
	}
	desc = msidom_desc_at(dd, index);
	if (!desc || !desc->virq) {
		pr_err(dev->ctx, "%s: no vector at index %u", dd->name, index);
		ret = index >= dd->hwsize ? -MSIDOM_ERANGE : -MSIDOM_ENOENT;
		goto out;
	}
	if (dd->flags & MSIDOM_DOMAIN_CONTIGUOUS) {
		pr_err(dev->ctx, "%s: multi-message MSI frees its whole block only", dd->name);
		ret = -MSIDOM_EINVAL;
		goto out;
	}
	msidom__batch_begin(dd);
	free_one(desc, false);
	ret = msidom__batch_end(dd);
	if (ret)
		pr_err(dev->ctx,
		       "%s: index %u freed, but the device update failed (%s): its "
		       "storage may still hold a live message; reset the device",
		       dd->name, index, msidom_strerror(ret));
out:
	msidom__unlock(dev->ctx);
	return ret;
}

MSIDOM_API int msidom_msi_free_range(struct msidom_device *dev, enum msidom_slot slot,
				     uint32_t first, uint32_t last)
{
	struct msidom_domain *dd;
	int ret, end;

	if (!dev)
		return -MSIDOM_EINVAL;
	msidom__lock(dev->ctx);
	dd = slot_domain(dev, slot, "msi_free_range");
	if (!dd) {
		ret = slot_error(dev, slot);
		goto out;
	}
	if (first > last) {
		pr_err(dev->ctx, "%s: empty range %u..%u", dd->name, first, last);
		ret = -MSIDOM_EINVAL;
		goto out;
	}
	msidom__batch_begin(dd);
	ret = msidom_msi_free_range_locked(dd, first, last, false);
	end = msidom__batch_end(dd);
	if (ret >= 0 && end)
		ret = end;
out:
	msidom__unlock(dev->ctx);
	return ret;
}

int msidom__free_all_locked(struct msidom_domain *dd)
{
	int ret, end;

	msidom__batch_begin(dd);
	ret = msidom_msi_free_range_locked(dd, 0, dd->hwsize - 1, false);
	end = msidom__batch_end(dd);
	return ret >= 0 && end ? end : ret;
}

MSIDOM_API int msidom_msi_free_all(struct msidom_device *dev, enum msidom_slot slot)
{
	struct msidom_domain *dd;
	int ret;

	if (!dev)
		return -MSIDOM_EINVAL;
	msidom__lock(dev->ctx);
	dd = slot_domain(dev, slot, "msi_free_all");
	ret = dd ? msidom__free_all_locked(dd) : slot_error(dev, slot);
	msidom__unlock(dev->ctx);
	return ret;
}

MSIDOM_API int64_t msidom_msi_virq(const struct msidom_device *dev, enum msidom_slot slot,
				   uint32_t index)
{
	struct msidom_domain *dd;
	struct msidom_desc *desc;
	int64_t ret;

	if (!dev)
		return -MSIDOM_EINVAL;
	msidom__lock(dev->ctx);
	dd = slot_domain(dev, slot, "msi_virq");
	if (!dd) {
		ret = slot_error(dev, slot);
	} else {
		desc = msidom_desc_at(dd, index);
		ret = desc && desc->virq ? (int64_t)desc->virq : -MSIDOM_ENOENT;
	}
	msidom__unlock(dev->ctx);
	return ret;
}
