/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Ready-made IMS storage: an array of 16-byte entries in device memory,
 * reached through the caller's 32-bit MMIO accessors. Every update ends
 * with a read of the entry's control word, because MMIO writes may be
 * posted and the caller must know the device saw them when we return.
 */
#include "ims_internal.h"

struct ims_array {
	struct msidom_ctx *ctx;
	struct msidom_ims_array_config cfg;
};

static uint64_t entry_off(uint32_t slot, uint32_t word)
{
	return (uint64_t)slot * MSIDOM_IMS_ENTRY_SIZE + word;
}

static int rd(struct ims_array *a, uint32_t slot, uint32_t word, uint32_t *val)
{
	int ret = a->cfg.read32(a->cfg.opaque, entry_off(slot, word), val);

	if (ret < 0)
		msidom_log(a->ctx, MSIDOM_LOG_ERR, "ims array: read of entry %u +%u failed: %s",
			   slot, word, msidom_strerror(ret));
	return ret < 0 ? ret : 0;
}

static int wr(struct ims_array *a, uint32_t slot, uint32_t word, uint32_t val)
{
	int ret = a->cfg.write32(a->cfg.opaque, entry_off(slot, word), val);

	if (ret < 0)
		msidom_log(a->ctx, MSIDOM_LOG_ERR, "ims array: write of entry %u +%u failed: %s",
			   slot, word, msidom_strerror(ret));
	return ret < 0 ? ret : 0;
}

static int check_slot(struct ims_array *a, uint32_t slot)
{
	if (slot < a->cfg.nr_entries)
		return 0;
	msidom_log(a->ctx, MSIDOM_LOG_ERR, "ims array: entry %u outside 0..%u", slot,
		   a->cfg.nr_entries - 1);
	return -MSIDOM_ERANGE;
}

static int array_write_msg(void *opaque, uint32_t slot, const struct msidom_msg *msg,
			   msidom_cookie cookie)
{
	struct ims_array *a = opaque;
	bool was_unmasked;
	uint32_t ctrl, flush;
	int ret;

	(void)cookie;
	ret = check_slot(a, slot);
	if (ret)
		return ret;
	ret = rd(a, slot, MSIDOM_IMS_ENTRY_CTRL, &ctrl);
	if (ret)
		return ret;
	/* The device may fetch the entry at any time: never let it see half a message. */
	was_unmasked = !(ctrl & MSIDOM_IMS_CTRL_MASKBIT);
	if (was_unmasked) {
		ret = wr(a, slot, MSIDOM_IMS_ENTRY_CTRL, ctrl | MSIDOM_IMS_CTRL_MASKBIT);
		if (ret)
			return ret;
	}
	/* On failure from here on the entry stays masked: a torn message must not signal. */
	ret = wr(a, slot, MSIDOM_IMS_ENTRY_ADDR_LO, msg->address_lo);
	if (ret)
		return ret;
	ret = wr(a, slot, MSIDOM_IMS_ENTRY_ADDR_HI, msg->address_hi);
	if (ret)
		return ret;
	ret = wr(a, slot, MSIDOM_IMS_ENTRY_DATA, msg->data);
	if (ret)
		return ret;
	if (was_unmasked) {
		ret = wr(a, slot, MSIDOM_IMS_ENTRY_CTRL, ctrl);
		if (ret)
			return ret;
	}
	ret = rd(a, slot, MSIDOM_IMS_ENTRY_CTRL, &flush);
	/* The caller will treat the message as not written: do not leave it signalling. */
	if (ret && was_unmasked)
		(void)wr(a, slot, MSIDOM_IMS_ENTRY_CTRL, ctrl | MSIDOM_IMS_CTRL_MASKBIT);
	return ret;
}

static int array_set_mask(struct ims_array *a, uint32_t slot, bool mask)
{
	uint32_t ctrl, want, flush;
	int ret;

	ret = check_slot(a, slot);
	if (ret)
		return ret;
	ret = rd(a, slot, MSIDOM_IMS_ENTRY_CTRL, &ctrl);
	if (ret)
		return ret;
	want = mask ? ctrl | MSIDOM_IMS_CTRL_MASKBIT : ctrl & ~MSIDOM_IMS_CTRL_MASKBIT;
	if (want != ctrl) {
		ret = wr(a, slot, MSIDOM_IMS_ENTRY_CTRL, want);
		if (ret)
			return ret;
	}
	ret = rd(a, slot, MSIDOM_IMS_ENTRY_CTRL, &flush);
	/*
	 * The caller keeps its old mask state on failure; put the entry back
	 * to match it (best effort: the accessor is failing already).
	 */
	if (ret && want != ctrl)
		(void)wr(a, slot, MSIDOM_IMS_ENTRY_CTRL, ctrl);
	return ret;
}

static int array_mask(void *opaque, uint32_t slot, msidom_cookie cookie)
{
	(void)cookie;
	return array_set_mask(opaque, slot, true);
}

static int array_unmask(void *opaque, uint32_t slot, msidom_cookie cookie)
{
	(void)cookie;
	return array_set_mask(opaque, slot, false);
}

static const struct msidom_ims_storage_ops array_ops = {
	.sz = sizeof(struct msidom_ims_storage_ops),
	.write_msg = array_write_msg,
	.mask = array_mask,
	.unmask = array_unmask,
};

static void array_fini(struct msidom_ctx *ctx, void *state)
{
	msidom_free(ctx, state, sizeof(struct ims_array));
}

MSIDOM_API int msidom_ims_array_domain_create(struct msidom_device *dev,
					      const struct msidom_ims_info *info,
					      const struct msidom_ims_array_config *cfg,
					      struct msidom_domain *parent,
					      struct msidom_domain **out)
{
	struct msidom_ims_storage storage;
	struct msidom_ims_array_config clocal;
	struct msidom_ims_info ilocal;
	struct msidom_ctx *ctx;
	struct ims_array *a;
	int ret;

	ret = msidom__ims_check_args(dev, &info, &ilocal, cfg, parent, out);
	if (ret)
		return ret;
	ctx = msidom_device_ctx(dev);
	cfg = msidom_opts_load(ctx, cfg, &clocal, sizeof(clocal), "msidom_ims_array_config", &ret);
	if (!cfg)
		return ret;
	if (!cfg->read32 || !cfg->write32) {
		msidom_log(ctx, MSIDOM_LOG_ERR, "ims array: read32 and write32 are required");
		return -MSIDOM_EINVAL;
	}
	if (!cfg->nr_entries || cfg->nr_entries > MSIDOM_MAX_HWSIZE) {
		msidom_log(ctx, MSIDOM_LOG_ERR, "ims array: %u entries outside 1..%u",
			   cfg->nr_entries, MSIDOM_MAX_HWSIZE);
		return -MSIDOM_EINVAL;
	}
	a = msidom_zalloc(ctx, sizeof(*a));
	if (!a)
		return -MSIDOM_ENOMEM;
	a->ctx = ctx;
	a->cfg = *cfg;
	storage.sz = sizeof(storage);
	storage.ops = &array_ops;
	storage.opaque = a;
	return msidom__ims_create(dev, info, &storage, cfg->nr_entries, a, array_fini, parent, out);
}
