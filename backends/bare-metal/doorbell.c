/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Generic doorbell root: one fixed address, the data word picks the
 * interrupt (GICv2m MSI_SETSPI_NS, a RISC-V IMSIC interrupt file).
 */
#include "bm_internal.h"

struct bm_doorbell {
	uint32_t magic;
	struct msidom_ctx *ctx;
	uint64_t doorbell;
	uint32_t base;
	uint32_t count;
	uint64_t *map;
};

static size_t map_bytes(uint32_t count)
{
	return (size_t)((count + 63u) / 64u) * sizeof(uint64_t);
}

static void db_free(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr)
{
	struct bm_doorbell *db = msidom_domain_priv(d);

	for (unsigned int i = 0; i < nr; i++) {
		uint32_t hw = msidom_irq_data_hwirq(data[i]);

		if (hw < db->count)
			bm_bit_clear(db->map, hw);
	}
}

static int db_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr,
		    const struct msidom_alloc_arg *arg)
{
	struct bm_doorbell *db = msidom_domain_priv(d);
	unsigned int i;
	int64_t hw;

	(void)arg;
	if (bm_want_block(d, data, nr)) {
		/*
		 * A multi-message function replaces the low log2(nr) bits of
		 * the data with the message number, so the block is aligned in
		 * data space (base + hwirq), not in hwirq space.
		 */
		hw = bm_is_pow2(nr) ?
			     msidom_bitmap_find_area_off(db->map, db->count, nr, nr, db->base) :
			     -1;
		if (hw < 0)
			goto err_full;
		for (i = 0; i < nr; i++) {
			bm_bit_set(db->map, (uint32_t)hw + i);
			msidom_irq_data_set_hwirq(data[i], (uint32_t)hw + i);
		}
		return 0;
	}
	for (i = 0; i < nr; i++) {
		hw = msidom_bitmap_find_area(db->map, db->count, 1, 1);
		if (hw < 0) {
			db_free(d, data, i);
			goto err_full;
		}
		bm_bit_set(db->map, (uint32_t)hw);
		msidom_irq_data_set_hwirq(data[i], (uint32_t)hw);
	}
	return 0;

err_full:
	bm_err(db->ctx, "%s: no room for %u interrupt(s)", msidom_domain_name(d), nr);
	return -MSIDOM_ENOSPC;
}

static int db_compose(struct msidom_irq_data *data, struct msidom_msg *msg)
{
	struct bm_doorbell *db = msidom_domain_priv(msidom_irq_data_domain(data));

	msg->address_lo = (uint32_t)db->doorbell;
	msg->address_hi = (uint32_t)(db->doorbell >> 32);
	msg->data = db->base + msidom_irq_data_hwirq(data);
	return 0;
}

static void db_destroy(struct msidom_domain *d)
{
	struct bm_doorbell *db = msidom_domain_priv(d);

	msidom_free(db->ctx, db->map, map_bytes(db->count));
	msidom_free(db->ctx, db, sizeof(*db));
}

static const struct msidom_domain_ops db_ops = {
	.sz = sizeof(struct msidom_domain_ops),
	.alloc = db_alloc,
	.free = db_free,
	.destroy = db_destroy,
};

static const struct msidom_chip_ops db_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.compose_msg = db_compose,
};

MSIDOM_API int msidom_bm_doorbell_domain_create(struct msidom_ctx *ctx,
						const struct msidom_bm_doorbell_config *cfg,
						struct msidom_domain **out)
{
	struct msidom_bm_doorbell_config clocal;
	struct msidom_domain_info info;
	struct bm_doorbell *db;
	int ret;

	if (!ctx || !cfg || !out) {
		if (ctx)
			bm_err(ctx, "doorbell_create: NULL argument");
		return -MSIDOM_EINVAL;
	}
	*out = NULL;
	cfg = msidom_opts_load(ctx, cfg, &clocal, sizeof(clocal), "msidom_bm_doorbell_config",
			       &ret);
	if (!cfg)
		return ret;
	if (!cfg->count || cfg->count > (1u << 24) || cfg->base + (cfg->count - 1u) < cfg->base) {
		bm_err(ctx, "doorbell_create: bad range base %u count %u", cfg->base, cfg->count);
		return -MSIDOM_EINVAL;
	}
	db = msidom_zalloc(ctx, sizeof(*db));
	if (!db)
		return -MSIDOM_ENOMEM;
	db->map = msidom_zalloc(ctx, map_bytes(cfg->count));
	if (!db->map) {
		ret = -MSIDOM_ENOMEM;
		goto err_db;
	}
	db->magic = BM_MAGIC_DOORBELL;
	db->ctx = ctx;
	db->doorbell = cfg->doorbell;
	db->base = cfg->base;
	db->count = cfg->count;

	/* Zeroed by hand: compilers may turn a { 0 } initializer into memset(). */
	bm_zero(&info, sizeof(info));
	info.sz = sizeof(info);
	info.name = cfg->name ? cfg->name : "DOORBELL";
	info.child_prefix = "";
	info.bus = MSIDOM_BUS_DOORBELL;
	info.flags = MSIDOM_DOMAIN_MSI_PARENT | (cfg->isolated ? MSIDOM_DOMAIN_ISOLATED_MSI : 0u);
	info.hwsize = cfg->count;
	info.ops = &db_ops;
	info.chip = &db_chip;
	info.priv = db;
	ret = msidom_domain_create(ctx, &info, NULL, out);
	if (ret)
		goto err_map;
	return 0;

err_map:
	msidom_free(ctx, db->map, map_bytes(cfg->count));
err_db:
	msidom_free(ctx, db, sizeof(*db));
	return ret;
}
