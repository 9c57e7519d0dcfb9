/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The IMS domain (ims.c) as seen by the ready-made storages built on it
 * (ims_array.c, ims_queue.c). Dependencies run one way: the storages call
 * in here, ims.c knows none of them. Not ABI.
 */
#ifndef MSIDOM_IMS_INTERNAL_H
#define MSIDOM_IMS_INTERNAL_H

#include <libmsidom/provider.h>
#include <libmsidom/ims.h>

/* Releases a ready-made storage's state when its domain goes away. */
typedef void (*msidom_ims_fini_fn)(struct msidom_ctx *ctx, void *state);

/*
 * Create the IMS domain of @dev on @storage. @max_hwsize bounds the
 * domain (the storage's entry count; MSIDOM_MAX_HWSIZE for driver
 * storage); info->hwsize 0 takes it whole. Ownership of @state passes to
 * the domain in every case: on failure @fini has already run.
 */
int msidom__ims_create(struct msidom_device *dev, const struct msidom_ims_info *info,
		       const struct msidom_ims_storage *storage, uint32_t max_hwsize, void *state,
		       msidom_ims_fini_fn fini, struct msidom_domain *parent,
		       struct msidom_domain **out);

/*
 * Checks shared by every creator: NULL arguments (logged where a context
 * can be found), *out cleared first, then *info loaded (see
 * msidom_opts_load(); *info may then point at @local). 0, -MSIDOM_EINVAL
 * or -MSIDOM_E2BIG.
 */
int msidom__ims_check_args(struct msidom_device *dev, const struct msidom_ims_info **info,
			   struct msidom_ims_info *local, const void *storage,
			   struct msidom_domain *parent, struct msidom_domain **out);

#endif
