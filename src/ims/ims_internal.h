/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared by the IMS domain and its ready-made storages. Not ABI.
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

/* The ready-made storages (arguments already checked for NULL). */
int msidom__ims_array_create(struct msidom_device *dev, const struct msidom_ims_info *info,
			     const struct msidom_ims_array_config *cfg,
			     struct msidom_domain *parent, struct msidom_domain **out);
int msidom__ims_queue_create(struct msidom_device *dev, const struct msidom_ims_info *info,
			     const struct msidom_ims_queue_config *cfg,
			     struct msidom_domain *parent, struct msidom_domain **out);

#endif
