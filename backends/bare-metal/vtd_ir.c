/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VT-d interrupt remapping domain. The IOMMU reads the table while we
 * write it, so an entry is never visible half-written: a new entry gets
 * its upper half (source validation) before the lower half that sets
 * Present; a live entry only ever changes its lower half, in one 64-bit
 * store; a dying entry loses Present first. Each change is followed by
 * the caller's interrupt-entry-cache invalidation.
 */
#include "bm_internal.h"

struct bm_vtd {
	uint32_t magic;
	struct msidom_ctx *ctx;
	volatile uint64_t *table; /* 2 words per entry: lower, upper */
	uint32_t entries;
	uint32_t used;
	bool x2apic;
	bool source_validation;
	bool fault_disable;
	const struct msidom_bm_platform *plat; /* &platform */
	struct msidom_bm_platform platform;
	uint64_t *map; /* entries bits */
};

static struct bm_vtd *vtd_of(const struct msidom_domain *d)
{
	struct bm_vtd *v;

	if (!d || msidom_domain_bus(d) != MSIDOM_BUS_REMAP)
		return NULL;
	v = msidom_domain_priv(d);
	return v && v->magic == BM_MAGIC_VTD ? v : NULL;
}

static uint32_t map_words(uint32_t entries)
{
	return (entries + 63u) / 64u;
}

#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv) || \
	defined(__GCC_HAVE_SYNC_COMPARE_AND_SWAP_8)
#define BM_ATOMIC64 1
/* i386 aligns uint64_t to 4 bytes; entries are 16-byte aligned, say so. */
typedef uint64_t bm_u64_aligned __attribute__((aligned(8)));
#else
#define BM_ATOMIC64 0
#endif

/*
 * Atomic where the hardware needs it: a 64-bit half is one store. CPUs
 * without 64-bit atomic stores (i386 without cmpxchg8b) write the dword
 * holding Present last when setting it and first when clearing it; a
 * live retarget there is two stores, so such callers should provide the
 * store128 hook.
 */
static void store64(volatile uint64_t *p, uint64_t val)
{
#if BM_ATOMIC64
	__atomic_store_n((volatile bm_u64_aligned *)p, val, __ATOMIC_RELAXED);
#else
	volatile uint32_t *w = (volatile uint32_t *)p; /* VT-d is little-endian x86 */

	if (val & MSIDOM_BM_IRTE_P) {
		w[1] = (uint32_t)(val >> 32);
		w[0] = (uint32_t)val;
	} else {
		w[0] = (uint32_t)val;
		w[1] = (uint32_t)(val >> 32);
	}
#endif
}

static uint64_t load64(volatile uint64_t *p)
{
#if BM_ATOMIC64
	return __atomic_load_n((volatile bm_u64_aligned *)p, __ATOMIC_RELAXED);
#else
	volatile uint32_t *w = (volatile uint32_t *)p;

	return ((uint64_t)w[1] << 32) | w[0];
#endif
}

static int write_entry(struct bm_vtd *v, uint32_t idx, uint64_t lo, uint64_t hi)
{
	volatile uint64_t *e = &v->table[2u * idx];
	const struct msidom_bm_platform *p = v->plat;

	if (p->store128)
		return p->store128(p->opaque, e, lo, hi);
	if (lo & MSIDOM_BM_IRTE_P) {
		store64(&e[1], hi);
		bm_barrier(p);
		store64(&e[0], lo);
	} else {
		store64(&e[0], lo);
		bm_barrier(p);
		store64(&e[1], hi);
	}
	bm_barrier(p);
	return 0;
}

static int invalidate(struct bm_vtd *v, uint32_t idx)
{
	const struct msidom_bm_platform *p = v->plat;

	if (!p->irte_invalidate)
		return 0;
	return p->irte_invalidate(p->opaque, idx, 1) ? -MSIDOM_EIO : 0;
}

/* The lower half for the vector and APIC id the parent level chose. */
static int make_lower(struct bm_vtd *v, struct msidom_irq_data *data, uint64_t *lo)
{
	uint32_t apic = 0, dst;
	uint8_t vec = 0;
	int ret = bm_x86_vector_target(msidom_irq_data_parent(data), &vec, &apic);

	if (ret)
		return ret;
	if (!v->x2apic && apic > 255u) {
		bm_err(v->ctx, "%s: APIC id %u needs x2APIC mode remapping",
		       msidom_domain_name(msidom_irq_data_domain(data)), apic);
		return -MSIDOM_EINVAL;
	}
	dst = v->x2apic ? apic : (apic & 0xffu) << 8;
	/* Physical destination, no redirection hint, edge, fixed delivery. */
	*lo = MSIDOM_BM_IRTE_P | (v->fault_disable ? MSIDOM_BM_IRTE_FPD : 0) |
	      ((uint64_t)vec << MSIDOM_BM_IRTE_VECTOR_SHIFT) |
	      ((uint64_t)dst << MSIDOM_BM_IRTE_DST_SHIFT);
	return 0;
}

static uint64_t make_upper(struct bm_vtd *v, struct msidom_irq_data *data)
{
	struct msidom_desc *desc = msidom_irq_data_desc(data);
	struct msidom_device *dev = msidom_domain_device(msidom_desc_domain(desc));

	if (!v->source_validation || !dev)
		return 0;
	/* SQ = 00: all 16 bits of the requester id are compared. */
	return MSIDOM_BM_IRTE_SVT_RID | msidom_device_requester_id(dev);
}

static void vtd_free(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr)
{
	struct bm_vtd *v = msidom_domain_priv(d);

	for (unsigned int i = 0; i < nr; i++) {
		uint32_t idx = msidom_irq_data_hwirq(data[i]);

		if (idx < v->entries && bm_bit_test(v->map, idx)) {
			bm_bit_clear(v->map, idx);
			v->used--;
		}
	}
}

static int vtd_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr,
		     const struct msidom_alloc_arg *arg)
{
	struct bm_vtd *v = msidom_domain_priv(d);
	bool block = bm_want_block(d, data, nr);
	unsigned int i;
	int64_t idx = -1;

	(void)arg;
	if (block) {
		if (!bm_is_pow2(nr)) {
			bm_err(v->ctx, "%s: multi-MSI block of %u entries", msidom_domain_name(d),
			       nr);
			return -MSIDOM_EINVAL;
		}
		idx = msidom_bitmap_find_area(v->map, v->entries, nr, nr);
		if (idx < 0)
			goto err_full;
		for (i = 0; i < nr; i++) {
			bm_bit_set(v->map, (uint32_t)idx + i);
			v->used++;
			msidom_irq_data_set_hwirq(data[i], (uint32_t)idx + i);
		}
		return 0;
	}
	for (i = 0; i < nr; i++) {
		idx = msidom_bitmap_find_area(v->map, v->entries, 1, 1);
		if (idx < 0) {
			vtd_free(d, data, i);
			goto err_full;
		}
		bm_bit_set(v->map, (uint32_t)idx);
		v->used++;
		msidom_irq_data_set_hwirq(data[i], (uint32_t)idx);
	}
	return 0;

err_full:
	bm_err(v->ctx, "%s: no free remapping table entry (%u of %u used)", msidom_domain_name(d),
	       v->used, v->entries);
	return -MSIDOM_ENOSPC;
}

static int vtd_activate(struct msidom_domain *d, struct msidom_irq_data *data)
{
	struct bm_vtd *v = msidom_domain_priv(d);
	uint32_t idx = msidom_irq_data_hwirq(data);
	uint64_t lo = 0;
	int ret = make_lower(v, data, &lo);

	if (ret)
		return ret;
	ret = write_entry(v, idx, lo, make_upper(v, data));
	if (ret) {
		bm_err(v->ctx, "%s: storing entry %u failed", msidom_domain_name(d), idx);
		return -MSIDOM_EIO;
	}
	ret = invalidate(v, idx);
	if (ret) {
		bm_err(v->ctx, "%s: invalidating entry %u failed", msidom_domain_name(d), idx);
		write_entry(v, idx, 0, 0);
		invalidate(v, idx);
	}
	return ret;
}

static void vtd_deactivate(struct msidom_domain *d, struct msidom_irq_data *data)
{
	struct bm_vtd *v = msidom_domain_priv(d);
	uint32_t idx = msidom_irq_data_hwirq(data);

	if (write_entry(v, idx, 0, 0) || invalidate(v, idx))
		bm_err(v->ctx, "%s: clearing entry %u failed", msidom_domain_name(d), idx);
}

static int vtd_compose(struct msidom_irq_data *data, struct msidom_msg *msg)
{
	uint32_t idx = msidom_irq_data_hwirq(data);

	/*
	 * Remappable format: handle bits 14:0 in address bits 19:5, bit 15 in
	 * address bit 2, format bit 4, SHV bit 3; data is the subhandle,
	 * which multi-message MSI devices add their vector number to.
	 */
	msg->address_lo = 0xfee00000u | ((idx & 0x7fffu) << 5) | (1u << 4) | (1u << 3) |
			  (((idx >> 15) & 1u) << 2);
	msg->address_hi = 0;
	msg->data = 0;
	return 0;
}

static int vtd_set_affinity(struct msidom_irq_data *data, const struct msidom_cpumask *mask,
			    uint32_t *cpu)
{
	struct msidom_domain *d = msidom_irq_data_domain(data);
	struct bm_vtd *v = msidom_domain_priv(d);
	uint32_t idx = msidom_irq_data_hwirq(data);
	volatile uint64_t *e = &v->table[2u * idx];
	uint64_t old = load64(&e[0]);
	uint64_t lo = 0;
	int ret = msidom_irq_data_parent_set_affinity(data, mask, cpu);

	if (ret)
		return ret;
	if (!(old & MSIDOM_BM_IRTE_P))
		return 0; /* not active: activation writes the new target */
	ret = make_lower(v, data, &lo);
	if (ret)
		goto err_abort;
	if (lo == old)
		return 0;
	/* Only the lower half changes: one store keeps the live entry whole. */
	if (v->plat->store128)
		ret = v->plat->store128(v->plat->opaque, e, lo, load64(&e[1])) ? -MSIDOM_EIO : 0;
	else
		store64(&e[0], lo);
	if (!ret)
		ret = invalidate(v, idx);
	if (!ret)
		return 0;
	bm_err(v->ctx, "%s: retargeting entry %u failed", msidom_domain_name(d), idx);
	store64(&e[0], old);
	invalidate(v, idx);
err_abort:
	bm_x86_vector_abort_move(msidom_irq_data_parent(data));
	return ret;
}

static void vtd_destroy(struct msidom_domain *d)
{
	struct bm_vtd *v = msidom_domain_priv(d);

	msidom_free(v->ctx, v->map, map_words(v->entries) * sizeof(uint64_t));
	msidom_free(v->ctx, v, sizeof(*v));
}

static const struct msidom_domain_ops vtd_ops = {
	.sz = sizeof(struct msidom_domain_ops),
	.alloc = vtd_alloc,
	.free = vtd_free,
	.activate = vtd_activate,
	.deactivate = vtd_deactivate,
	.destroy = vtd_destroy,
};

static const struct msidom_chip_ops vtd_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.compose_msg = vtd_compose,
	.set_affinity = vtd_set_affinity,
};

MSIDOM_API int msidom_bm_vtd_ir_domain_create(struct msidom_ctx *ctx,
					      const struct msidom_bm_vtd_ir_config *cfg,
					      struct msidom_domain *parent,
					      struct msidom_domain **out)
{
	struct msidom_bm_vtd_ir_config clocal;
	struct msidom_bm_platform plat;
	struct msidom_domain_info info;
	struct bm_vtd *v;
	int ret;

	if (!ctx || !cfg || !out) {
		if (ctx)
			bm_err(ctx, "vtd_ir_create: NULL argument");
		return -MSIDOM_EINVAL;
	}
	*out = NULL;
	cfg = msidom_opts_load(ctx, cfg, &clocal, sizeof(clocal), "msidom_bm_vtd_ir_config", &ret);
	if (!cfg)
		return ret;
	if (!cfg->table || ((uintptr_t)cfg->table & 15u)) {
		bm_err(ctx, "vtd_ir_create: need a 16-byte aligned table");
		return -MSIDOM_EINVAL;
	}
	ret = bm_platform_load(ctx, cfg->platform, &plat);
	if (ret)
		return ret;
	if (cfg->entries < 2u || cfg->entries > MSIDOM_BM_VTD_MAX_ENTRIES ||
	    !bm_is_pow2(cfg->entries)) {
		bm_err(ctx, "vtd_ir_create: %u entries (need a power of two, 2..%u)", cfg->entries,
		       MSIDOM_BM_VTD_MAX_ENTRIES);
		return -MSIDOM_EINVAL;
	}
	if (!bm_is_x86_vector(parent)) {
		bm_err(ctx, "vtd_ir_create: the parent must be an x86 vector domain");
		return -MSIDOM_EINVAL;
	}

	v = msidom_zalloc(ctx, sizeof(*v));
	if (!v)
		return -MSIDOM_ENOMEM;
	v->map = msidom_zalloc(ctx, map_words(cfg->entries) * sizeof(uint64_t));
	if (!v->map) {
		ret = -MSIDOM_ENOMEM;
		goto err_v;
	}
	v->magic = BM_MAGIC_VTD;
	v->ctx = ctx;
	v->table = cfg->table;
	v->entries = cfg->entries;
	v->x2apic = cfg->x2apic;
	v->source_validation = cfg->source_validation;
	v->fault_disable = cfg->fault_disable;
	bm_copy(&v->platform, &plat, sizeof(plat));
	v->plat = &v->platform;

	/* Zeroed by hand: compilers may turn a { 0 } initializer into memset(). */
	bm_zero(&info, sizeof(info));
	info.sz = sizeof(info);
	info.name = cfg->name ? cfg->name : "INTEL-IR";
	info.child_prefix = "IR-";
	info.bus = MSIDOM_BUS_REMAP;
	info.flags =
		MSIDOM_DOMAIN_ISOLATED_MSI | MSIDOM_DOMAIN_IMMUTABLE | MSIDOM_DOMAIN_MSI_PARENT;
	info.hwsize = cfg->entries;
	info.ops = &vtd_ops;
	info.chip = &vtd_chip;
	info.priv = v;
	ret = msidom_domain_create(ctx, &info, parent, out);
	if (ret)
		goto err_map;
	/* Only now is the table ours: a failed creation leaves it untouched. */
	bm_zero(cfg->table, (size_t)cfg->entries * 16u);
	return 0;

err_map:
	msidom_free(ctx, v->map, map_words(cfg->entries) * sizeof(uint64_t));
err_v:
	msidom_free(ctx, v, sizeof(*v));
	return ret;
}

MSIDOM_API int msidom_bm_vtd_ir_used(struct msidom_domain *d)
{
	struct bm_vtd *v = vtd_of(d);
	int n;

	if (!v)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(v->ctx);
	n = (int)v->used;
	msidom_ctx_unlock(v->ctx);
	return n;
}

MSIDOM_API uint64_t msidom_bm_vtd_irta_value(uint64_t table_phys, uint32_t entries, bool x2apic)
{
	if ((table_phys & 0xfffu) || entries < 2u || entries > MSIDOM_BM_VTD_MAX_ENTRIES ||
	    !bm_is_pow2(entries))
		return 0;
	/* Size field S: the table holds 2^(S + 1) entries. EIME is bit 11. */
	return table_phys | (x2apic ? 1ull << 11 : 0) | (bm_log2(entries) - 1u);
}
