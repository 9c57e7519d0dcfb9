/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Operations on allocated interrupts by virq: masking and affinity.
 */
#include "internal.h"

/* CPUs covered when undoing a failed retarget (1024). */
#define REVERT_WORDS 16

static struct msidom_desc *lookup(struct msidom_ctx *ctx, uint32_t virq, const char *what)
{
	struct msidom_desc *desc = msidom__virq_desc(ctx, virq);

	if (!desc)
		pr_err(ctx, "%s: virq %u not allocated", what, virq);
	return desc;
}

MSIDOM_API struct msidom_desc *msidom_irq_desc(struct msidom_ctx *ctx, uint32_t virq)
{
	struct msidom_desc *desc;

	if (!ctx)
		return NULL;
	msidom__lock(ctx);
	desc = msidom__virq_desc(ctx, virq);
	msidom__unlock(ctx);
	return desc;
}

static int mask_locked(struct msidom_ctx *ctx, uint32_t virq, bool mask)
{
	struct msidom_desc *desc = lookup(ctx, virq, mask ? "mask" : "unmask");
	int ret, end;

	if (!desc)
		return -MSIDOM_ENOENT;
	msidom__batch_begin(desc->domain);
	ret = msidom__mask(desc, mask);
	end = msidom__batch_end(desc->domain);
	if (!ret && end) {
		/* The batch did not take effect: record the state the hardware kept. */
		if (mask)
			desc->flags &= (uint16_t)~DESC_MASKED;
		else
			desc->flags |= DESC_MASKED;
		ret = end;
	}
	if (ret)
		pr_err(ctx, "%s virq %u failed: %s", mask ? "mask" : "unmask", virq,
		       msidom_strerror(ret));
	return ret;
}

static int mask_unlocked(struct msidom_ctx *ctx, uint32_t virq, bool mask)
{
	int ret;

	if (!ctx)
		return -MSIDOM_EINVAL;
	msidom__lock(ctx);
	ret = mask_locked(ctx, virq, mask);
	msidom__unlock(ctx);
	return ret;
}

MSIDOM_API int msidom_irq_mask(struct msidom_ctx *ctx, uint32_t virq)
{
	return mask_unlocked(ctx, virq, true);
}

MSIDOM_API int msidom_irq_unmask(struct msidom_ctx *ctx, uint32_t virq)
{
	return mask_unlocked(ctx, virq, false);
}

static struct msidom_irq_data *affinity_level(struct msidom_desc *desc)
{
	for (unsigned int l = 0; l < desc->nlevels; l++) {
		const struct msidom_chip_ops *chip = desc->domain->path[l]->chip;

		if (chip && chip->set_affinity)
			return &desc->lv[l];
	}
	return NULL;
}

void msidom__affinity_commit(struct msidom_desc *desc)
{
	for (int l = desc->nlevels - 1; l >= 0; l--) {
		const struct msidom_chip_ops *chip = desc->domain->path[l]->chip;

		if (chip && chip->affinity_commit)
			chip->affinity_commit(&desc->lv[l]);
	}
	desc->flags &= (uint16_t)~DESC_UNSETTLED;
}

/* Rewrite the message with the vector masked across the update. */
static int rewrite_masked(struct msidom_desc *desc)
{
	bool was_masked = desc->flags & DESC_MASKED;
	int ret;

	if (!was_masked) {
		ret = msidom__mask(desc, true);
		if (ret)
			return ret;
	}
	ret = msidom__compose_write(desc);
	if (!was_masked) {
		int r = msidom__mask(desc, false);

		if (!ret)
			ret = r;
	}
	return ret;
}

/*
 * Point the parents back at @cpu after a failed message switch. 0 once the
 * device is known to use a target the parents hold as current.
 */
static int revert_target(struct msidom_desc *desc, struct msidom_irq_data *at, uint32_t cpu)
{
	uint64_t bits[REVERT_WORDS];
	struct msidom_cpumask back = { cpu + 1, bits };
	uint32_t ignored;
	int ret;

	if (cpu >= REVERT_WORDS * 64)
		return -MSIDOM_ERANGE;
	msidom__memzero(bits, sizeof(bits));
	bits[cpu / 64] = 1ull << (cpu % 64);
	ret = data_domain(at)->chip->set_affinity(at, &back, &ignored);
	return ret ? ret : rewrite_masked(desc);
}

void msidom__finish_commits(struct msidom_domain *d, int sync_ret)
{
	for (struct msidom_desc *desc = msidom_desc_first(d, MSIDOM_DESC_ASSOCIATED);
	     desc && d->commits; desc = msidom_desc_next(desc, MSIDOM_DESC_ASSOCIATED)) {
		if (!(desc->flags & DESC_COMMIT))
			continue;
		desc->flags &= (uint16_t)~DESC_COMMIT;
		d->commits--;
		if (sync_ret) {
			/* Keeping both targets is safe; the next affinity change settles it. */
			pr_err(d->ctx,
			       "%s: index %u: batch failed (%s); keeping its old target "
			       "reserved",
			       d->name, desc->lv[0].hwirq, msidom_strerror(sync_ret));
			desc->flags |= DESC_UNSETTLED;
			continue;
		}
		msidom__affinity_commit(desc);
	}
}

static int set_affinity_locked(struct msidom_ctx *ctx, uint32_t virq,
			       const struct msidom_cpumask *mask)
{
	struct msidom_desc *desc = lookup(ctx, virq, "set_affinity");
	struct msidom_irq_data *at;
	uint32_t cpu = 0, old_cpu;
	int ret, end, reverted = 0;

	if (!desc)
		return -MSIDOM_ENOENT;
	if (desc->flags & DESC_MANAGED) {
		pr_err(ctx, "set_affinity: virq %u has a managed affinity", virq);
		return -MSIDOM_EPERM;
	}
	at = affinity_level(desc);
	if (!at) {
		pr_err(ctx, "set_affinity: no level of %s can retarget", desc->domain->name);
		return -MSIDOM_ENOSYS;
	}
	old_cpu = desc->cpu;
	msidom__batch_begin(desc->domain);
	/* A failing op has changed nothing, so there is nothing to undo. */
	ret = data_domain(at)->chip->set_affinity(at, mask, &cpu);
	if (ret) {
		pr_err(ctx, "set_affinity virq %u failed: %s", virq, msidom_strerror(ret));
		msidom__batch_end(desc->domain);
		return ret;
	}
	/* Composers may read the CPU while the message is rewritten. */
	desc->cpu = cpu;
	if ((desc->flags & DESC_ACTIVATED) && !msidom__msg_immutable(desc)) {
		ret = rewrite_masked(desc);
		if (ret) {
			desc->cpu = old_cpu;
			reverted = revert_target(desc, at, old_cpu);
			pr_err(ctx, "set_affinity virq %u: message switch failed: %s", virq,
			       msidom_strerror(ret));
		}
	}
	if (!ret && desc->domain->batch_depth > 1) {
		/*
		 * The caller's batch is still open, so the device may only have
		 * recorded the new message: the old target stays until it ends.
		 */
		if (!(desc->flags & DESC_COMMIT)) {
			desc->flags |= DESC_COMMIT;
			desc->domain->commits++;
		}
		msidom__batch_end(desc->domain);
		return 0;
	}
	end = msidom__batch_end(desc->domain);
	if (!ret && end) {
		/* The new message never reached the device: it still uses the old target. */
		desc->cpu = old_cpu;
		msidom__batch_begin(desc->domain);
		reverted = revert_target(desc, at, old_cpu);
		if (msidom__batch_end(desc->domain) && !reverted)
			reverted = -MSIDOM_EIO;
		pr_err(ctx, "set_affinity virq %u: device update failed: %s", virq,
		       msidom_strerror(end));
		ret = end;
	}
	if (reverted) {
		/* The device may still use any of the targets: keep them all until free. */
		pr_err(ctx, "set_affinity virq %u: could not switch back; keeping every target",
		       virq);
		desc->flags |= DESC_UNSETTLED;
		return ret;
	}
	/* Only now may the old target be released. */
	msidom__affinity_commit(desc);
	return ret;
}

MSIDOM_API int msidom_irq_set_affinity(struct msidom_ctx *ctx, uint32_t virq,
				       const struct msidom_cpumask *mask)
{
	int ret;

	if (!ctx)
		return -MSIDOM_EINVAL;
	if (mask && (!mask->nbits || !mask->bits)) {
		pr_err(ctx, "set_affinity: empty CPU mask");
		return -MSIDOM_EINVAL;
	}
	msidom__lock(ctx);
	ret = set_affinity_locked(ctx, virq, mask);
	msidom__unlock(ctx);
	return ret;
}

MSIDOM_API int msidom_irq_refresh_msg(struct msidom_ctx *ctx, uint32_t virq)
{
	struct msidom_desc *desc;
	int ret, end;

	if (!ctx)
		return -MSIDOM_EINVAL;
	msidom__lock(ctx);
	desc = lookup(ctx, virq, "refresh_msg");
	if (!desc) {
		msidom__unlock(ctx);
		return -MSIDOM_ENOENT;
	}
	if (!(desc->flags & DESC_ACTIVATED)) {
		msidom__unlock(ctx);
		return 0;
	}
	msidom__batch_begin(desc->domain);
	ret = rewrite_masked(desc);
	end = msidom__batch_end(desc->domain);
	msidom__unlock(ctx);
	return ret ? ret : end;
}
