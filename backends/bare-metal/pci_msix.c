/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PCI MSI-X device domain: the vector table lives in a memory BAR, so
 * every table access first makes sure the function decodes memory (a
 * write to a disabled BAR is silently lost). Entries are added and freed
 * one at a time while the others keep delivering.
 */
#include "bm_internal.h"

struct bm_msix {
	uint32_t magic;
	struct msidom_ctx *ctx;
	const struct msidom_bm_platform *plat; /* &platform */
	struct msidom_bm_platform platform;
	uint32_t sbdf;
	uint16_t cap;
	uint32_t nvec;  /* domain hwsize */
	uint32_t tsize; /* table entries */
	uint64_t table; /* physical address of entry 0 */
	uint32_t *ctrl; /* cached vector control words, tsize entries */
	uint32_t nactive;
	bool enabled;
	uint64_t bar_size[6]; /* sized at creation, 0: not yet */
};

static int cfg_r(struct bm_msix *x, uint16_t off, uint8_t size, uint32_t *val)
{
	return bm_cfg_read(x->ctx, x->plat, x->sbdf, off, size, val);
}

static int cfg_w(struct bm_msix *x, uint16_t off, uint8_t size, uint32_t val)
{
	return bm_cfg_write(x->ctx, x->plat, x->sbdf, off, size, val);
}

static uint64_t entry(const struct bm_msix *x, uint32_t idx, uint32_t off)
{
	return x->table + (uint64_t)idx * PCI_MSIX_ENTRY_SIZE + off;
}

static void wr(struct bm_msix *x, uint64_t addr, uint32_t val)
{
	x->plat->mmio_write32(x->plat->opaque, addr, val);
}

static uint32_t rd(struct bm_msix *x, uint64_t addr)
{
	return x->plat->mmio_read32(x->plat->opaque, addr);
}

/* The table is only reachable while the function decodes memory. */
static int check_mse(struct bm_msix *x)
{
	uint32_t cmd = 0;
	int ret = cfg_r(x, PCI_COMMAND, 2, &cmd);

	if (ret)
		return ret;
	if (!(cmd & PCI_COMMAND_MEMORY)) {
		bm_err(x->ctx, "PCI %x: memory space disabled, MSI-X table unreachable", x->sbdf);
		return -MSIDOM_EIO;
	}
	return 0;
}

static int msix_activate(struct msidom_domain *d, struct msidom_irq_data *data)
{
	struct bm_msix *x = msidom_domain_priv(d);
	int ret = check_mse(x);

	(void)data;
	if (ret)
		return ret;
	x->nactive++;
	return 0;
}

static void msix_deactivate(struct msidom_domain *d, struct msidom_irq_data *data)
{
	struct bm_msix *x = msidom_domain_priv(d);
	uint32_t flags = 0;

	(void)data;
	if (x->nactive)
		x->nactive--;
	if (x->nactive || !x->enabled)
		return;
	/* Last vector gone: turn MSI-X off so the function may use INTx or MSI. */
	if (cfg_r(x, (uint16_t)(x->cap + PCI_MSIX_FLAGS), 2, &flags) ||
	    cfg_w(x, (uint16_t)(x->cap + PCI_MSIX_FLAGS), 2,
		  flags & ~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL)))
		return;
	x->enabled = false;
}

static void program(struct bm_msix *x, uint32_t idx, const struct msidom_msg *msg)
{
	uint32_t ctrl = x->ctrl[idx];
	bool live = !(ctrl & PCI_MSIX_ENTRY_CTRL_MASKBIT);

	/* A live entry would fire with a half-updated address/data pair. */
	if (live)
		wr(x, entry(x, idx, PCI_MSIX_ENTRY_CTRL), ctrl | PCI_MSIX_ENTRY_CTRL_MASKBIT);
	wr(x, entry(x, idx, PCI_MSIX_ENTRY_ADDR_LO), msg->address_lo);
	wr(x, entry(x, idx, PCI_MSIX_ENTRY_ADDR_HI), msg->address_hi);
	wr(x, entry(x, idx, PCI_MSIX_ENTRY_DATA), msg->data);
	if (live)
		wr(x, entry(x, idx, PCI_MSIX_ENTRY_CTRL), ctrl);
	/* Flush the posted writes before the caller relies on them. */
	(void)rd(x, entry(x, idx, PCI_MSIX_ENTRY_DATA));
}

/*
 * MASKALL keeps every entry quiet while the table still holds whatever
 * the function came up with; each entry is masked individually before
 * MASKALL is dropped again.
 */
static int enable(struct bm_msix *x, uint32_t idx, const struct msidom_msg *msg)
{
	uint16_t off = (uint16_t)(x->cap + PCI_MSIX_FLAGS);
	uint32_t flags = 0;
	int ret = cfg_r(x, off, 2, &flags);

	if (ret)
		return ret;
	ret = cfg_w(x, off, 2, flags | PCI_MSIX_FLAGS_MASKALL | PCI_MSIX_FLAGS_ENABLE);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < x->tsize; i++) {
		x->ctrl[i] |= PCI_MSIX_ENTRY_CTRL_MASKBIT;
		wr(x, entry(x, i, PCI_MSIX_ENTRY_CTRL), x->ctrl[i]);
	}
	program(x, idx, msg);
	ret = cfg_w(x, off, 2, (flags & ~PCI_MSIX_FLAGS_MASKALL) | PCI_MSIX_FLAGS_ENABLE);
	if (ret) {
		cfg_w(x, off, 2, flags);
		return ret;
	}
	x->enabled = true;
	return 0;
}

static int msix_write_msg(struct msidom_irq_data *data, const struct msidom_msg *msg)
{
	struct bm_msix *x = msidom_domain_priv(msidom_irq_data_domain(data));
	uint32_t idx = msidom_irq_data_hwirq(data);
	int ret = check_mse(x);

	if (ret)
		return ret;
	if (!x->enabled)
		return enable(x, idx, msg);
	program(x, idx, msg);
	return 0;
}

static int set_mask(struct msidom_irq_data *data, bool masked)
{
	struct bm_msix *x = msidom_domain_priv(msidom_irq_data_domain(data));
	uint32_t idx = msidom_irq_data_hwirq(data);
	uint32_t ctrl;
	int ret = check_mse(x);

	if (ret)
		return ret;
	ctrl = masked ? x->ctrl[idx] | PCI_MSIX_ENTRY_CTRL_MASKBIT :
			x->ctrl[idx] & ~PCI_MSIX_ENTRY_CTRL_MASKBIT;
	wr(x, entry(x, idx, PCI_MSIX_ENTRY_CTRL), ctrl);
	(void)rd(x, entry(x, idx, PCI_MSIX_ENTRY_CTRL));
	x->ctrl[idx] = ctrl;
	return 0;
}

static int msix_mask(struct msidom_irq_data *data)
{
	return set_mask(data, true);
}

static int msix_unmask(struct msidom_irq_data *data)
{
	return set_mask(data, false);
}

static void msix_destroy(struct msidom_domain *d)
{
	struct bm_msix *x = msidom_domain_priv(d);

	msidom_free(x->ctx, x->ctrl, (size_t)x->tsize * sizeof(uint32_t));
	msidom_free(x->ctx, x, sizeof(*x));
}

static const struct msidom_domain_ops msix_ops = {
	.sz = sizeof(struct msidom_domain_ops),
	.activate = msix_activate,
	.deactivate = msix_deactivate,
	.destroy = msix_destroy,
};

static const struct msidom_chip_ops msix_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.write_msg = msix_write_msg,
	.mask = msix_mask,
	.unmask = msix_unmask,
};

/* Size a memory BAR the standard way, with decoding off meanwhile. */
static int size_bar(struct bm_msix *x, uint32_t bir, bool is64, uint64_t *size)
{
	uint16_t reg = (uint16_t)(PCI_BAR0 + 4u * bir);
	uint32_t cmd = 0, lo = 0, hi = 0, mlo = 0, mhi = ~0u;
	int ret = cfg_r(x, PCI_COMMAND, 2, &cmd);

	if (ret)
		return ret;
	if (cmd & PCI_COMMAND_MEMORY) {
		ret = cfg_w(x, PCI_COMMAND, 2, cmd & ~PCI_COMMAND_MEMORY);
		if (ret)
			return ret;
	}
	ret = cfg_r(x, reg, 4, &lo);
	if (!ret)
		ret = cfg_w(x, reg, 4, ~0u);
	if (!ret)
		ret = cfg_r(x, reg, 4, &mlo);
	if (!ret)
		ret = cfg_w(x, reg, 4, lo);
	if (!ret && is64) {
		uint16_t reg_hi = (uint16_t)(reg + 4u);

		ret = cfg_r(x, reg_hi, 4, &hi);
		if (!ret)
			ret = cfg_w(x, reg_hi, 4, ~0u);
		if (!ret)
			ret = cfg_r(x, reg_hi, 4, &mhi);
		if (!ret)
			ret = cfg_w(x, reg_hi, 4, hi);
	}
	if (cmd & PCI_COMMAND_MEMORY) {
		int r2 = cfg_w(x, PCI_COMMAND, 2, cmd);

		if (!ret)
			ret = r2;
	}
	if (ret)
		return ret;
	mlo &= ~0xfu;
	if (!mlo && (!is64 || !mhi)) {
		*size = 0;
		return 0;
	}
	*size = ~(((uint64_t)mhi << 32) | mlo) + 1u;
	if (!is64)
		*size &= 0xffffffffull;
	return 0;
}

/* Physical address and size of memory BAR @bir. */
static int bar_info(struct bm_msix *x, const struct msidom_bm_pci_config *cfg, uint32_t bir,
		    uint64_t *addr, uint64_t *size)
{
	uint16_t reg = (uint16_t)(PCI_BAR0 + 4u * bir);
	uint32_t lo = 0, hi = 0, type;
	bool is64;
	int ret;

	if (bir > 5u) {
		bm_err(x->ctx, "PCI %x: MSI-X structure in BIR %u", x->sbdf, bir);
		return -MSIDOM_EINVAL;
	}
	ret = cfg_r(x, reg, 4, &lo);
	if (ret)
		return ret;
	type = (lo >> 1) & 3u;
	if ((lo & 1u) || type == 1u || type == 3u || (type == 2u && bir == 5u)) {
		bm_err(x->ctx, "PCI %x: BAR %u (0x%x) is not a usable memory BAR", x->sbdf, bir,
		       lo);
		return -MSIDOM_EINVAL;
	}
	is64 = type == 2u;
	if (is64) {
		ret = cfg_r(x, (uint16_t)(reg + 4u), 4, &hi);
		if (ret)
			return ret;
	}
	*addr = ((uint64_t)hi << 32) | (lo & ~0xfu);
	if (!*addr) {
		bm_err(x->ctx, "PCI %x: BAR %u is not assigned", x->sbdf, bir);
		return -MSIDOM_EINVAL;
	}
	*size = cfg->bar_sizes ? cfg->bar_sizes[bir] : 0;
	if (!*size)
		*size = x->bar_size[bir];
	if (!*size) {
		ret = size_bar(x, bir, is64, size);
		if (ret)
			return ret;
		x->bar_size[bir] = *size;
	}
	if (!*size) {
		bm_err(x->ctx, "PCI %x: BAR %u is not implemented", x->sbdf, bir);
		return -MSIDOM_EINVAL;
	}
	return 0;
}

/* The table (or PBA) of @bytes at BIR/offset register @val must fit its BAR. */
static int locate(struct bm_msix *x, const struct msidom_bm_pci_config *cfg, uint32_t val,
		  uint64_t bytes, const char *what, uint64_t *where)
{
	uint64_t addr = 0, size = 0, off = val & ~PCI_MSIX_BIR;
	int ret = bar_info(x, cfg, val & PCI_MSIX_BIR, &addr, &size);

	if (ret)
		return ret;
	if (off > size || bytes > size - off) {
		bm_err(x->ctx, "PCI %x: MSI-X %s (0x%x bytes at 0x%x) outside BAR %u (0x%x bytes)",
		       x->sbdf, what, (unsigned int)bytes, (unsigned int)off, val & PCI_MSIX_BIR,
		       (unsigned int)size);
		return -MSIDOM_EINVAL;
	}
	*where = addr + off;
	return 0;
}

MSIDOM_API int msidom_bm_pci_msix_domain_create(struct msidom_device *dev,
						const struct msidom_bm_pci_config *cfg,
						struct msidom_domain *parent,
						struct msidom_domain **out)
{
	struct msidom_bm_pci_config clocal;
	struct msidom_bm_platform plat;
	struct msidom_template tmpl;
	struct msidom_ctx *ctx = msidom_domain_ctx(parent);
	uint32_t flags = 0, tab = 0, pba = 0;
	uint64_t pba_addr = 0;
	struct bm_msix *x;
	int ret, cap;

	if (!ctx)
		return -MSIDOM_EINVAL;
	if (!dev || !cfg || !out) {
		bm_err(ctx, "pci_msix_create: NULL argument");
		return -MSIDOM_EINVAL;
	}
	*out = NULL;
	cfg = msidom_opts_load(ctx, cfg, &clocal, sizeof(clocal), "msidom_bm_pci_config", &ret);
	if (!cfg)
		return ret;
	ret = bm_platform_load(ctx, cfg->platform, &plat);
	if (ret)
		return ret;
	if (!plat.pci_read || !plat.pci_write || !plat.mmio_read32 || !plat.mmio_write32) {
		bm_err(ctx, "pci_msix_create: missing config or MMIO hooks");
		return -MSIDOM_EINVAL;
	}
	cap = bm_find_cap(ctx, &plat, cfg->sbdf, PCI_CAP_ID_MSIX);
	if (cap < 0)
		return cap;

	x = msidom_zalloc(ctx, sizeof(*x));
	if (!x)
		return -MSIDOM_ENOMEM;
	x->magic = BM_MAGIC_MSIX;
	x->ctx = ctx;
	bm_copy(&x->platform, &plat, sizeof(plat));
	x->plat = &x->platform;
	x->sbdf = cfg->sbdf;
	x->cap = (uint16_t)cap;
	ret = cfg_r(x, (uint16_t)(cap + PCI_MSIX_FLAGS), 2, &flags);
	if (!ret)
		ret = cfg_r(x, (uint16_t)(cap + PCI_MSIX_TABLE), 4, &tab);
	if (!ret)
		ret = cfg_r(x, (uint16_t)(cap + PCI_MSIX_PBA), 4, &pba);
	if (ret)
		goto err_x;
	x->tsize = (flags & PCI_MSIX_FLAGS_QSIZE) + 1u;
	x->nvec = cfg->max_vectors && cfg->max_vectors < x->tsize ? cfg->max_vectors : x->tsize;
	ret = locate(x, cfg, tab, (uint64_t)x->tsize * PCI_MSIX_ENTRY_SIZE, "table", &x->table);
	if (!ret)
		ret = locate(x, cfg, pba, (uint64_t)((x->tsize + 63u) / 64u) * 8u, "PBA",
			     &pba_addr);
	if (ret)
		goto err_x;
	/* They may share a BAR, even a page, but never bytes. */
	if ((tab & PCI_MSIX_BIR) == (pba & PCI_MSIX_BIR) &&
	    x->table < pba_addr + (uint64_t)((x->tsize + 63u) / 64u) * 8u &&
	    pba_addr < x->table + (uint64_t)x->tsize * PCI_MSIX_ENTRY_SIZE) {
		bm_err(ctx, "PCI %x: MSI-X table (0x%x) and PBA (0x%x) overlap in BAR %u", x->sbdf,
		       tab & ~PCI_MSIX_BIR, pba & ~PCI_MSIX_BIR, tab & PCI_MSIX_BIR);
		ret = -MSIDOM_EINVAL;
		goto err_x;
	}
	x->ctrl = msidom_zalloc(ctx, (size_t)x->tsize * sizeof(uint32_t));
	if (!x->ctrl) {
		ret = -MSIDOM_ENOMEM;
		goto err_x;
	}
	/* Entries come out of reset masked. */
	for (uint32_t i = 0; i < x->tsize; i++)
		x->ctrl[i] = PCI_MSIX_ENTRY_CTRL_MASKBIT;

	/* Zeroed by hand: compilers may turn a { 0 } initializer into memset(). */
	bm_zero(&tmpl, sizeof(tmpl));
	tmpl.sz = sizeof(tmpl);
	tmpl.name = "PCI-MSIX";
	tmpl.bus = MSIDOM_BUS_PCI_MSIX;
	tmpl.hwsize = x->nvec;
	tmpl.ops = &msix_ops;
	tmpl.chip = &msix_chip;
	tmpl.priv = x;
	ret = msidom_device_domain_create(dev, MSIDOM_DEFAULT_DOMAIN, &tmpl, parent, out);
	if (ret)
		goto err_ctrl;
	return 0;

err_ctrl:
	msidom_free(ctx, x->ctrl, (size_t)x->tsize * sizeof(uint32_t));
err_x:
	msidom_free(ctx, x, sizeof(*x));
	return ret;
}
