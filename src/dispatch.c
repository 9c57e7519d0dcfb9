/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The interrupt path. No lock and no allocation: reverse-map entries and
 * handlers are published with release stores and read with acquire loads.
 * Callers must not dispatch a vector while freeing it.
 */
#include "internal.h"

MSIDOM_API int msidom_handle(struct msidom_domain *d, uint32_t hwirq)
{
	const struct msidom_irq_data *data;
	const struct msidom_desc *desc;
	msidom_handler_fn fn;

	if (__builtin_expect(!d, 0))
		return -MSIDOM_EINVAL;
	data = msidom_radix_lookup(&d->revmap, hwirq);
	if (__builtin_expect(!data, 0))
		goto spurious;
	desc = data_desc(data);
	fn = __atomic_load_n(&desc->handler, __ATOMIC_ACQUIRE);
	if (__builtin_expect(!fn, 0))
		goto spurious;
	fn(desc->virq, desc->handler_arg);
	return 0;

spurious:
	__atomic_fetch_add(&d->spurious, 1, __ATOMIC_RELAXED);
	return -MSIDOM_ENOENT;
}

MSIDOM_API int msidom_irq_set_handler(struct msidom_ctx *ctx, uint32_t virq, msidom_handler_fn fn,
				      void *arg)
{
	struct msidom_desc *desc;

	if (!ctx)
		return -MSIDOM_EINVAL;
	msidom__lock(ctx);
	desc = msidom__virq_desc(ctx, virq);
	if (!desc) {
		msidom__unlock(ctx);
		pr_err(ctx, "set_handler: virq %u not allocated", virq);
		return -MSIDOM_ENOENT;
	}
	/* Unpublish first so the interrupt path never sees a new fn with an old arg. */
	__atomic_store_n(&desc->handler, NULL, __ATOMIC_RELEASE);
	desc->handler_arg = arg;
	__atomic_store_n(&desc->handler, fn, __ATOMIC_RELEASE);
	msidom__unlock(ctx);
	return 0;
}
