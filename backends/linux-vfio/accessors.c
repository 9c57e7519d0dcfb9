/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Read-only views of an open device: what open found, the counters, and
 * the objects and fds it made. Copies are taken under the context lock so
 * that a reader never sees a half-updated structure.
 */
#include "vfio_internal.h"

MSIDOM_API int msidom_vfio_get_info(const struct msidom_vfio *v, struct msidom_vfio_info *out)
{
	struct msidom_vfio_info full;

	if (!v || !out)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(v->ctx);
	full = v->info;
	msidom_ctx_unlock(v->ctx);
	full.sz = sizeof(full);
	return msidom_opts_store(v->ctx, out, &full, sizeof(full), "msidom_vfio_info");
}

MSIDOM_API int msidom_vfio_get_stats(const struct msidom_vfio *v, struct msidom_vfio_stats *out)
{
	struct msidom_vfio_stats full;

	if (!v || !out)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(v->ctx);
	full = v->stats;
	msidom_ctx_unlock(v->ctx);
	full.sz = sizeof(full);
	return msidom_opts_store(v->ctx, out, &full, sizeof(full), "msidom_vfio_stats");
}

MSIDOM_API struct msidom_device *msidom_vfio_device(const struct msidom_vfio *v)
{
	return v ? v->dev : NULL;
}

MSIDOM_API struct msidom_domain *msidom_vfio_root(const struct msidom_vfio *v)
{
	return v ? v->root : NULL;
}

MSIDOM_API int msidom_vfio_device_fd(const struct msidom_vfio *v)
{
	return v ? v->device : -MSIDOM_EINVAL;
}

MSIDOM_API int msidom_vfio_event_fd(const struct msidom_vfio *v)
{
	return v ? v->epfd : -MSIDOM_EINVAL;
}
