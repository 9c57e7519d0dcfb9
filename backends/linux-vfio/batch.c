/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * User batches: a core batch of the device domain whose outermost commit
 * programs the kernel, plus an explicit retry of a failed commit.
 */
#include "vfio_internal.h"

MSIDOM_API int msidom_vfio_batch_begin(struct msidom_vfio *v)
{
	if (!v)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(v->ctx);
	struct msidom_domain *d = v->dom;
	v->batch_depth++;
	msidom_ctx_unlock(v->ctx);
	int ret = msidom_domain_batch_begin(d);
	if (ret < 0) {
		msidom_ctx_lock(v->ctx);
		v->batch_depth--;
		msidom_ctx_unlock(v->ctx);
	}
	return ret;
}

MSIDOM_API int msidom_vfio_batch_end(struct msidom_vfio *v)
{
	if (!v)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(v->ctx);
	if (!v->batch_depth) {
		msidom_ctx_unlock(v->ctx);
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: commit without a batch", v->bdf);
		return -MSIDOM_EINVAL;
	}
	struct msidom_domain *d = v->dom;
	bool outer = --v->batch_depth == 0;
	v->committing = outer;
	msidom_ctx_unlock(v->ctx);

	int ret = msidom_domain_batch_end(d);

	msidom_ctx_lock(v->ctx);
	v->committing = false;
	/*
	 * If the caller holds a core batch of its own around ours, the chip
	 * did not sync yet: the vectors must still reach the kernel now.
	 */
	if (outer && ret == 0)
		ret = msidom__vfio_program(v, &v->idx[v->mode_type]);
	msidom_ctx_unlock(v->ctx);
	if (ret < 0)
		msidom_log(v->ctx, MSIDOM_LOG_ERR,
			   "vfio %s: batch commit failed (%s); the kernel keeps its previous "
			   "vectors",
			   v->bdf, msidom_strerror(ret));
	return ret;
}

MSIDOM_API int msidom_vfio_sync(struct msidom_vfio *v)
{
	if (!v)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(v->ctx);
	int ret = v->batch_depth ? -MSIDOM_EBUSY : msidom__vfio_program(v, &v->idx[v->mode_type]);
	msidom_ctx_unlock(v->ctx);
	return ret;
}
