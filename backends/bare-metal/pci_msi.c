/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PCI MSI device domain. One address/data pair serves every message of
 * the function: multi-message devices add the message number to the data
 * themselves, so the parents hand out one aligned block and only index 0
 * programs the capability.
 */
#include "bm_internal.h"

struct bm_msi {
	uint32_t magic;
	struct msidom_ctx *ctx;
	const struct msidom_bm_platform *plat; /* &platform */
	struct msidom_bm_platform platform;
	uint32_t sbdf;
	uint16_t cap;
	bool is64;
	bool maskbit;
	uint32_t nvec;    /* messages the domain offers (hwsize) */
	uint32_t capable; /* messages the capability offers */
	uint32_t nlive;   /* allocated vectors of the current block */
	uint32_t block;   /* size of the enabled block (MME) */
	uint32_t nactive; /* activated vectors */
	uint32_t mask;    /* cached mask bits */
	bool enabled;
	struct msidom_msg msg0; /* index 0's message, for a deferred enable */
};

static int cfg_w(struct bm_msi *m, uint16_t off, uint8_t size, uint32_t val)
{
	return bm_cfg_write(m->ctx, m->plat, m->sbdf, (uint16_t)(m->cap + off), size, val);
}

static uint16_t data_off(const struct bm_msi *m)
{
	return m->is64 ? PCI_MSI_DATA_64 : PCI_MSI_DATA_32;
}

static uint16_t mask_off(const struct bm_msi *m)
{
	return m->is64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32;
}

static int msi_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr,
		     const struct msidom_alloc_arg *arg)
{
	struct bm_msi *m = msidom_domain_priv(d);

	(void)arg;
	if (m->nlive) {
		bm_err(m->ctx,
		       "%s: MSI cannot grow while enabled; free all vectors and "
		       "allocate the whole range at once",
		       msidom_domain_name(d));
		return -MSIDOM_EBUSY;
	}
	for (unsigned int i = 0; i < nr; i++) {
		if (msidom_irq_data_hwirq(data[i]) != i) {
			bm_err(m->ctx, "%s: MSI messages are allocated from index 0 up",
			       msidom_domain_name(d));
			return -MSIDOM_EINVAL;
		}
	}
	m->nlive = nr;
	m->block = bm_roundup_pow2(nr);
	return 0;
}

static void msi_free(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr)
{
	struct bm_msi *m = msidom_domain_priv(d);

	(void)data;
	m->nlive = nr < m->nlive ? m->nlive - nr : 0;
	if (!m->nlive)
		m->block = 0;
}

static int msi_activate(struct msidom_domain *d, struct msidom_irq_data *data)
{
	struct bm_msi *m = msidom_domain_priv(d);

	(void)data;
	m->nactive++;
	return 0;
}

static void msi_deactivate(struct msidom_domain *d, struct msidom_irq_data *data)
{
	struct bm_msi *m = msidom_domain_priv(d);

	(void)data;
	if (m->nactive)
		m->nactive--;
}

static int write_addr_data(struct bm_msi *m, const struct msidom_msg *msg)
{
	int ret = cfg_w(m, PCI_MSI_ADDRESS_LO, 4, msg->address_lo);

	if (!ret && m->is64)
		ret = cfg_w(m, PCI_MSI_ADDRESS_HI, 4, msg->address_hi);
	if (!ret)
		ret = cfg_w(m, data_off(m), 2, msg->data & 0xffffu);
	return ret;
}

static int enable(struct bm_msi *m, const struct msidom_msg *msg)
{
	uint32_t flags = 0;
	int ret = bm_cfg_read(m->ctx, m->plat, m->sbdf, (uint16_t)(m->cap + PCI_MSI_FLAGS), 2,
			      &flags);

	if (ret)
		return ret;
	if (m->maskbit) {
		uint32_t all = m->capable >= 32u ? ~0u : (1u << m->capable) - 1u;

		ret = cfg_w(m, mask_off(m), 4, all);
		if (ret)
			return ret;
		m->mask = all;
	}
	ret = write_addr_data(m, msg);
	if (ret)
		return ret;
	flags &= ~(PCI_MSI_FLAGS_QSIZE | PCI_MSI_FLAGS_ENABLE);
	flags |= (bm_log2(m->block) << 4) | PCI_MSI_FLAGS_ENABLE;
	ret = cfg_w(m, PCI_MSI_FLAGS, 2, flags);
	if (ret)
		return ret;
	m->enabled = true;
	return 0;
}

static int disable(struct bm_msi *m)
{
	uint32_t flags = 0;
	int ret = bm_cfg_read(m->ctx, m->plat, m->sbdf, (uint16_t)(m->cap + PCI_MSI_FLAGS), 2,
			      &flags);

	if (ret)
		return ret;
	flags &= ~(PCI_MSI_FLAGS_QSIZE | PCI_MSI_FLAGS_ENABLE);
	ret = cfg_w(m, PCI_MSI_FLAGS, 2, flags);
	if (ret)
		return ret;
	m->enabled = false;
	return 0;
}

static int msi_write_msg(struct msidom_irq_data *data, const struct msidom_msg *msg)
{
	struct bm_msi *m = msidom_domain_priv(msidom_irq_data_domain(data));
	bool zero = !msg->address_lo && !msg->address_hi && !msg->data;
	uint32_t hw = msidom_irq_data_hwirq(data);
	int ret;

	if (zero) {
		/* Others still use the shared pair: only the last one clears it. */
		if (m->nactive > 1 || !m->enabled)
			return 0;
		ret = disable(m);
		return ret ? ret : write_addr_data(m, msg);
	}
	/* Nothing is written that the capability would silently truncate. */
	if ((!m->is64 && msg->address_hi) || msg->data > 0xffffu) {
		bm_err(m->ctx, "%s: message 0x%x%08x data 0x%x does not fit the %s MSI capability",
		       msidom_domain_name(msidom_irq_data_domain(data)), msg->address_hi,
		       msg->address_lo, msg->data, m->is64 ? "64-bit" : "32-bit");
		return -MSIDOM_EINVAL;
	}
	if (m->enabled && hw)
		return 0;
	if (m->enabled && !m->maskbit) {
		/*
		 * Live and unmaskable: data first, so the function only ever
		 * sends (old address, new data) in between, which the parent
		 * holds for this interrupt during a move (see x86_vector.c).
		 */
		ret = cfg_w(m, data_off(m), 2, msg->data);
		if (!ret && m->is64)
			ret = cfg_w(m, PCI_MSI_ADDRESS_HI, 4, msg->address_hi);
		return ret ? ret : cfg_w(m, PCI_MSI_ADDRESS_LO, 4, msg->address_lo);
	}
	if (m->enabled)
		return write_addr_data(m, msg);
	if (hw == 0)
		m->msg0 = *msg;
	/*
	 * Without mask bits nothing stops messages 1..n-1 once MSI is on, so
	 * (like Linux msi_capability_init) enable only after every message
	 * of the block is activated and its parents' entries exist.
	 */
	if (!m->maskbit && m->nactive < m->nlive)
		return 0;
	if (hw && m->maskbit)
		return 0;
	return enable(m, &m->msg0);
}

static int set_mask(struct msidom_irq_data *data, bool masked)
{
	struct bm_msi *m = msidom_domain_priv(msidom_irq_data_domain(data));
	uint32_t bit = 1u << msidom_irq_data_hwirq(data);
	uint32_t val;
	int ret;

	if (!m->maskbit)
		return 0; /* no per-vector masking: like Linux, nothing to do */
	val = masked ? m->mask | bit : m->mask & ~bit;
	ret = cfg_w(m, mask_off(m), 4, val);
	if (!ret)
		m->mask = val;
	return ret;
}

static int msi_mask(struct msidom_irq_data *data)
{
	return set_mask(data, true);
}

static int msi_unmask(struct msidom_irq_data *data)
{
	return set_mask(data, false);
}

static void msi_destroy(struct msidom_domain *d)
{
	struct bm_msi *m = msidom_domain_priv(d);

	msidom_free(m->ctx, m, sizeof(*m));
}

static const struct msidom_domain_ops msi_ops = {
	.sz = sizeof(struct msidom_domain_ops),
	.alloc = msi_alloc,
	.free = msi_free,
	.activate = msi_activate,
	.deactivate = msi_deactivate,
	.destroy = msi_destroy,
};

static const struct msidom_chip_ops msi_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.write_msg = msi_write_msg,
	.mask = msi_mask,
	.unmask = msi_unmask,
};

MSIDOM_API int msidom_bm_pci_msi_domain_create(struct msidom_device *dev,
					       const struct msidom_bm_pci_config *cfg,
					       struct msidom_domain *parent,
					       struct msidom_domain **out)
{
	struct msidom_bm_pci_config clocal;
	struct msidom_bm_platform plat;
	struct msidom_template tmpl;
	struct msidom_ctx *ctx = msidom_domain_ctx(parent);
	uint32_t flags = 0, mmc;
	struct bm_msi *m;
	int ret, cap;

	if (!ctx)
		return -MSIDOM_EINVAL;
	if (!dev || !cfg || !out) {
		bm_err(ctx, "pci_msi_create: NULL argument");
		return -MSIDOM_EINVAL;
	}
	*out = NULL;
	cfg = msidom_opts_load(ctx, cfg, &clocal, sizeof(clocal), "msidom_bm_pci_config", &ret);
	if (!cfg)
		return ret;
	ret = bm_platform_load(ctx, cfg->platform, &plat);
	if (ret)
		return ret;
	if (!plat.pci_read || !plat.pci_write) {
		bm_err(ctx, "pci_msi_create: missing config hooks");
		return -MSIDOM_EINVAL;
	}
	cap = bm_find_cap(ctx, &plat, cfg->sbdf, PCI_CAP_ID_MSI);
	if (cap < 0)
		return cap;
	ret = bm_cfg_read(ctx, &plat, cfg->sbdf, (uint16_t)(cap + PCI_MSI_FLAGS), 2, &flags);
	if (ret)
		return ret;
	mmc = (flags & PCI_MSI_FLAGS_QMASK) >> 1;
	if (mmc > 5u) {
		bm_err(ctx, "%s: MSI capability claims 2^%u messages", msidom_device_name(dev),
		       mmc);
		return -MSIDOM_EINVAL;
	}

	m = msidom_zalloc(ctx, sizeof(*m));
	if (!m)
		return -MSIDOM_ENOMEM;
	m->magic = BM_MAGIC_MSI;
	m->ctx = ctx;
	bm_copy(&m->platform, &plat, sizeof(plat));
	m->plat = &m->platform;
	m->sbdf = cfg->sbdf;
	m->cap = (uint16_t)cap;
	m->is64 = flags & PCI_MSI_FLAGS_64BIT;
	m->maskbit = flags & PCI_MSI_FLAGS_MASKBIT;
	m->capable = 1u << mmc;
	m->nvec = m->capable;
	while (cfg->max_vectors && m->nvec > cfg->max_vectors)
		m->nvec >>= 1;

	/* Zeroed by hand: compilers may turn a { 0 } initializer into memset(). */
	bm_zero(&tmpl, sizeof(tmpl));
	tmpl.sz = sizeof(tmpl);
	tmpl.name = "PCI-MSI";
	tmpl.bus = MSIDOM_BUS_PCI_MSI;
	tmpl.flags = m->nvec > 1u ? MSIDOM_DOMAIN_CONTIGUOUS : 0u;
	tmpl.hwsize = m->nvec;
	tmpl.ops = &msi_ops;
	tmpl.chip = &msi_chip;
	tmpl.priv = m;
	ret = msidom_device_domain_create(dev, MSIDOM_DEFAULT_DOMAIN, &tmpl, parent, out);
	if (ret) {
		msidom_free(ctx, m, sizeof(*m));
		return ret;
	}
	return 0;
}
