/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PCI MSI and MSI-X device domains against the config space and BAR
 * model: capability parsing, exact write sequences, and error paths that
 * must leave the device and the library untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model.h"

#define BAR_SIZE    0x4000u
#define TABLE_OFF   0x2000u
#define PBA_OFF     0x3000u
#define TBL         MMIO_BASE + TABLE_OFF
#define ENT(i, off) (TBL + 16u * (i) + (off))
#define MASKALL     0x4000u
#define ENABLE      0x8000u

struct fix {
	struct model m;
	struct msidom_ctx *ctx;
	struct msidom_domain *vec, *dd;
	struct msidom_device *dev;
	int fn;
	uint16_t cap;
	uint64_t sizes[6];
	struct msidom_bm_pci_config cfg;
};

static void base(struct fix *f, uint32_t ncpus)
{
	uint32_t ids[2] = { 0, 1 };
	MSIDOM_OPTS(msidom_bm_x86_vector_config, vc, .ncpus = ncpus, .apic_ids = ids);
	MSIDOM_OPTS(msidom_device_info, di, .name = "0000:00:03.0", .requester_id = 0x18);

	memset(f, 0, sizeof(*f));
	model_init(&f->m, false, false);
	f->ctx = test_ctx();
	assert_int_equal(msidom_bm_x86_vector_domain_create(f->ctx, &vc, &f->vec), 0);
	assert_int_equal(msidom_device_create(f->ctx, &di, &f->dev), 0);
	f->fn = model_add_fn(&f->m, SBDF);
	model_set_bar(&f->m, f->fn, 0, MMIO_BASE, BAR_SIZE, true);
	f->sizes[0] = BAR_SIZE;
	f->cfg.sz = sizeof(f->cfg);
	f->cfg.sbdf = SBDF;
	f->cfg.platform = &f->m.plat;
	f->cfg.bar_sizes = f->sizes;
}

static void msix_fix(struct fix *f, uint32_t nvec, uint32_t ncpus)
{
	base(f, ncpus);
	f->cap = model_msix_cap(&f->m, f->fn, nvec, TABLE_OFF, PBA_OFF);
	assert_int_equal(msidom_bm_pci_msix_domain_create(f->dev, &f->cfg, f->vec, &f->dd), 0);
	assert_int_equal(f->m.nlog, 0); /* creation only reads */
}

static void done(struct fix *f)
{
	msidom_device_destroy(f->dev);
	assert_int_equal(msidom_domain_destroy(f->vec), 0);
	msidom_ctx_destroy(f->ctx);
}

static struct msidom_map alloc(struct fix *f, uint32_t index, bool unmasked)
{
	MSIDOM_OPTS(msidom_alloc_opts, o, .unmasked = unmasked);

	return msidom_msi_alloc_at(f->dev, MSIDOM_DEFAULT_DOMAIN, index, &o);
}

/* Every way creation can fail: nothing written, nothing left behind. */
static void test_msix_create_errors(void **state)
{
	struct fix f;
	struct msidom_domain *d = (void *)1;
	struct msidom_bm_platform noio;
	size_t mem;
	uint16_t cap;

	(void)state;
	base(&f, 1);
	mem = msidom_ctx_mem_bytes(f.ctx);
	/* No capability list at all. */
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &d),
			 -MSIDOM_ENODEV);
	assert_null(d);
	/* Only MSI. */
	model_msi_cap(&f.m, f.fn, 0, true, false);
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &d),
			 -MSIDOM_ENODEV);
	assert_non_null(strstr(test_last_log(), "no capability 0x11"));
	/* No function at that address. */
	f.cfg.sbdf = MSIDOM_BM_SBDF(0, 0, 9, 0);
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &d),
			 -MSIDOM_ENODEV);
	f.cfg.sbdf = SBDF;
	/* MSI-X after MSI; then break it in every way. */
	cap = model_msix_cap(&f.m, f.fn, 64, TABLE_OFF, PBA_OFF);
	model_cfg_set(&f.m, f.fn, (uint16_t)(cap + 4), 4, 0x3c00u); /* 1 KiB at 0x3c00: fits */
	model_cfg_set(&f.m, f.fn, (uint16_t)(cap + 4), 4, 0x3e00u); /* ends past the BAR */
	test_clear_log();
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &d),
			 -MSIDOM_EINVAL);
	assert_non_null(strstr(test_last_log(), "table"));
	model_cfg_set(&f.m, f.fn, (uint16_t)(cap + 4), 4, TABLE_OFF);
	model_cfg_set(&f.m, f.fn, (uint16_t)(cap + 8), 4, BAR_SIZE); /* PBA right after the BAR */
	test_clear_log();
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &d),
			 -MSIDOM_EINVAL);
	assert_non_null(strstr(test_last_log(), "PBA"));
	model_cfg_set(&f.m, f.fn, (uint16_t)(cap + 8), 4, PBA_OFF);
	model_cfg_set(&f.m, f.fn, (uint16_t)(cap + 4), 4, TABLE_OFF | 6u); /* BIR 6 */
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &d),
			 -MSIDOM_EINVAL);
	model_cfg_set(&f.m, f.fn, (uint16_t)(cap + 4), 4, TABLE_OFF | 2u); /* BAR 2: empty */
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &d),
			 -MSIDOM_EINVAL);
	assert_non_null(strstr(test_last_log(), "not assigned"));
	model_set_bar(&f.m, f.fn, 2, 0xc001, 0x100, false); /* I/O BAR */
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &d),
			 -MSIDOM_EINVAL);
	model_cfg_set(&f.m, f.fn, (uint16_t)(cap + 4), 4, TABLE_OFF);
	/* Malformed capability lists. */
	model_cfg_set(&f.m, f.fn, 0x34, 1, 0x20); /* inside the header */
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &d),
			 -MSIDOM_EINVAL);
	model_cfg_set(&f.m, f.fn, 0x34, 1, 0x40);
	model_cfg_set(&f.m, f.fn, 0x41, 1, 0x40); /* MSI points to itself */
	test_clear_log();
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &d),
			 -MSIDOM_EINVAL);
	assert_non_null(strstr(test_last_log(), "loop"));
	model_cfg_set(&f.m, f.fn, 0x41, 1, (uint8_t)cap);
	/* A config read failing half-way. */
	for (int at = 1; at <= 8; at++) {
		f.m.fail_cfg_read_at = at;
		assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &d),
				 -MSIDOM_EIO);
	}
	f.m.fail_cfg_read_at = 0;
	/* Missing hooks. */
	noio = f.m.plat;
	noio.mmio_write32 = NULL;
	f.cfg.platform = &noio;
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &d),
			 -MSIDOM_EINVAL);
	f.cfg.platform = &f.m.plat;
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, NULL, &d), -MSIDOM_EINVAL);
	assert_int_equal(msidom_bm_pci_msix_domain_create(NULL, &f.cfg, f.vec, &d), -MSIDOM_EINVAL);

	assert_int_equal(f.m.nlog, 0);
	assert_null(msidom_device_domain(f.dev, MSIDOM_DEFAULT_DOMAIN));
	assert_int_equal(msidom_ctx_mem_bytes(f.ctx), mem);
	/* And the repaired function works. */
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &d), 0);
	assert_string_equal(msidom_domain_name(d), "PCI-MSIX-0000:00:03.0");
	assert_int_equal(msidom_domain_hwsize(d), 64);
	assert_int_equal(msidom_device_msi_isolated(f.dev), 0);
	assert_int_equal(msidom_bm_pci_find_cap(&f.m.plat, SBDF, 0x11), cap);
	assert_int_equal(msidom_bm_pci_find_cap(&f.m.plat, SBDF, 0x10), -MSIDOM_ENODEV);
	assert_int_equal(msidom_bm_pci_find_cap(NULL, SBDF, 0x11), -MSIDOM_EINVAL);
	done(&f);
}

/* Without given sizes the BAR is sized once, with decoding off meanwhile. */
static void test_bar_sizing(void **state)
{
	struct fix f;
	struct msidom_domain *d;
	uint32_t lo, hi;

	(void)state;
	base(&f, 1);
	f.cfg.bar_sizes = NULL;
	f.cap = model_msix_cap(&f.m, f.fn, 8, TABLE_OFF, PBA_OFF);
	lo = model_cfg(&f.m, f.fn, 0x10, 4);
	hi = model_cfg(&f.m, f.fn, 0x14, 4);
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &d), 0);
	EXPECT_LOG(&f.m, CFGW(4, 2, 0x4), CFGW(0x10, 4, ~0u), CFGW(0x10, 4, lo), CFGW(0x14, 4, ~0u),
		   CFGW(0x14, 4, hi), CFGW(4, 2, 0x6));
	assert_int_equal(model_cfg(&f.m, f.fn, 0x10, 4), lo);
	assert_int_equal(model_cfg(&f.m, f.fn, 4, 2), 6);
	assert_int_equal(msidom_device_domain_destroy(f.dev, MSIDOM_DEFAULT_DOMAIN), 0);
	/* A BAR too small for the table, found by sizing. */
	f.m.bar_size[f.fn][0] = 0x2000;
	model_clear_log(&f.m);
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &d),
			 -MSIDOM_EINVAL);
	assert_int_equal(model_cfg(&f.m, f.fn, 0x10, 4), lo);
	assert_int_equal(model_cfg(&f.m, f.fn, 4, 2), 6);
	done(&f);
}

/* MASKALL|ENABLE, mask every entry, program, drop MASKALL; then per entry. */
static void test_msix_sequences(void **state)
{
	struct fix f;
	struct msidom_map a, b;
	uint16_t fl;

	(void)state;
	msix_fix(&f, 4, 2);
	fl = (uint16_t)(f.cap + 2);
	a = alloc(&f, 1, true);
	assert_int_equal(a.index, 1);
	EXPECT_LOG(&f.m, CFGW(fl, 2, 3u | MASKALL | ENABLE), MMW(ENT(0, 12), 1), MMW(ENT(1, 12), 1),
		   MMW(ENT(2, 12), 1), MMW(ENT(3, 12), 1), MMW(ENT(1, 0), 0xfee00000u),
		   MMW(ENT(1, 4), 0), MMW(ENT(1, 8), 32), MMR(ENT(1, 8)), CFGW(fl, 2, 3u | ENABLE),
		   MMW(ENT(1, 12), 0), MMR(ENT(1, 12)));
	/* A second vector, left masked: only its entry is touched. */
	model_clear_log(&f.m);
	b = alloc(&f, 3, false);
	assert_int_equal(b.index, 3);
	/* CPU 1 is less loaded now. */
	EXPECT_LOG(&f.m, MMW(ENT(3, 0), 0xfee01000u), MMW(ENT(3, 4), 0), MMW(ENT(3, 8), 32),
		   MMR(ENT(3, 8)));
	model_clear_log(&f.m);
	assert_int_equal(msidom_irq_unmask(f.ctx, b.virq), 0);
	EXPECT_LOG(&f.m, MMW(ENT(3, 12), 0), MMR(ENT(3, 12)));
	/* Affinity change: masked across the rewrite, new vector on CPU 0. */
	{
		uint64_t c1 = 1;
		struct msidom_cpumask m1 = { 2, &c1 };

		model_clear_log(&f.m);
		assert_int_equal(msidom_irq_set_affinity(f.ctx, b.virq, &m1), 0);
		EXPECT_LOG(&f.m, MMW(ENT(3, 12), 1), MMR(ENT(3, 12)), MMW(ENT(3, 0), 0xfee00000u),
			   MMW(ENT(3, 4), 0), MMW(ENT(3, 8), 33), MMR(ENT(3, 8)),
			   MMW(ENT(3, 12), 0), MMR(ENT(3, 12)));
	}
	/* Free one while the other stays live. */
	model_clear_log(&f.m);
	assert_int_equal(msidom_msi_free(f.dev, MSIDOM_DEFAULT_DOMAIN, 1), 0);
	EXPECT_LOG(&f.m, MMW(ENT(1, 12), 1), MMR(ENT(1, 12)), MMW(ENT(1, 0), 0), MMW(ENT(1, 4), 0),
		   MMW(ENT(1, 8), 0), MMR(ENT(1, 8)));
	assert_int_equal(model_mmio(&f.m, ENT(3, 12)), 0);
	assert_int_equal(model_mmio(&f.m, ENT(3, 8)), 33);
	/* The last one turns MSI-X off. */
	model_clear_log(&f.m);
	assert_int_equal(msidom_msi_free(f.dev, MSIDOM_DEFAULT_DOMAIN, 3), 0);
	EXPECT_LOG(&f.m, MMW(ENT(3, 12), 1), MMR(ENT(3, 12)), MMW(ENT(3, 0), 0), MMW(ENT(3, 4), 0),
		   MMW(ENT(3, 8), 0), MMR(ENT(3, 8)), CFGW(fl, 2, 3u));
	/* Enabling again repeats the whole sequence. */
	model_clear_log(&f.m);
	a = alloc(&f, 0, false);
	assert_int_equal(a.index, 0);
	assert_int_equal(f.m.log[0].val, 3u | MASKALL | ENABLE);
	assert_int_equal(model_count(&f.m, EV_MMIO_W), 4 + 3);
	done(&f);
}

/* Memory Space Enable off: -EIO, nothing written, nothing allocated. */
static void test_msix_mse(void **state)
{
	struct fix f;
	struct msidom_map a;
	size_t mem;

	(void)state;
	msix_fix(&f, 4, 1);
	model_cfg_set(&f.m, f.fn, 4, 2, 0x4);
	mem = msidom_ctx_mem_bytes(f.ctx);
	test_clear_log();
	a = alloc(&f, 0, true);
	assert_int_equal(a.index, -MSIDOM_EIO);
	assert_non_null(strstr(test_last_log(), "memory space disabled"));
	assert_int_equal(f.m.nlog, 0);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 0);
	assert_int_equal(msidom_irq_count(f.ctx), 0);
	assert_null(msidom_desc_at(f.dd, 0));
	assert_int_equal(msidom_ctx_mem_bytes(f.ctx), mem);
	/* With decoding on it works; masking with decoding off fails cleanly. */
	model_cfg_set(&f.m, f.fn, 4, 2, 0x6);
	a = alloc(&f, 0, true);
	assert_int_equal(a.index, 0);
	model_cfg_set(&f.m, f.fn, 4, 2, 0x4);
	model_clear_log(&f.m);
	assert_int_equal(msidom_irq_mask(f.ctx, a.virq), -MSIDOM_EIO);
	assert_int_equal(f.m.nlog, 0);
	assert_false(msidom_desc_masked(msidom_irq_desc(f.ctx, a.virq)));
	model_cfg_set(&f.m, f.fn, 4, 2, 0x6);
	done(&f);
}

/* Vectors come and go one at a time; the others are never touched. */
static void test_msix_dynamic(void **state)
{
	struct fix f;

	(void)state;
	msix_fix(&f, 8, 1);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(alloc(&f, MSIDOM_INDEX_ANY, true).index, (int)i);
	model_clear_log(&f.m);
	assert_int_equal(msidom_msi_free(f.dev, MSIDOM_DEFAULT_DOMAIN, 1), 0);
	assert_int_equal(alloc(&f, MSIDOM_INDEX_ANY, true).index, 1);
	for (int i = 0; i < f.m.nlog; i++) {
		assert_true(f.m.log[i].kind == EV_MMIO_W || f.m.log[i].kind == EV_MMIO_R);
		assert_true(f.m.log[i].addr >= ENT(1, 0) && f.m.log[i].addr < ENT(2, 0));
	}
	assert_int_equal(model_mmio(&f.m, ENT(0, 12)), 0);
	assert_int_equal(model_mmio(&f.m, ENT(2, 12)), 0);
	assert_int_equal(model_mmio(&f.m, ENT(1, 8)), 33); /* the lowest free vector again */
	/* max_vectors limits the index space. */
	assert_int_equal(msidom_device_domain_destroy(f.dev, MSIDOM_DEFAULT_DOMAIN), 0);
	f.cfg.max_vectors = 2;
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, f.vec, &f.dd), 0);
	assert_int_equal(msidom_domain_hwsize(f.dd), 2);
	assert_int_equal(alloc(&f, 2, true).index, -MSIDOM_ERANGE);
	done(&f);
}

/* edu-like MSI: one message, 64-bit address, no mask bits. */
static void test_msi_single(void **state)
{
	struct fix f;
	struct msidom_map a;
	uint16_t cap;

	(void)state;
	base(&f, 1);
	cap = model_msi_cap(&f.m, f.fn, 0, true, false);
	assert_int_equal(msidom_bm_pci_msi_domain_create(f.dev, &f.cfg, f.vec, &f.dd), 0);
	assert_string_equal(msidom_domain_name(f.dd), "PCI-MSI-0000:00:03.0");
	assert_int_equal(msidom_domain_hwsize(f.dd), 1);
	assert_int_equal(f.m.nlog, 0);
	a = alloc(&f, 0, true);
	assert_int_equal(a.index, 0);
	EXPECT_LOG(&f.m, CFGW(cap + 4, 4, 0xfee00000u), CFGW(cap + 8, 4, 0), CFGW(cap + 12, 2, 32),
		   CFGW(cap + 2, 2, 0x81));
	model_clear_log(&f.m);
	assert_int_equal(msidom_irq_mask(f.ctx, a.virq), 0);
	assert_int_equal(msidom_irq_unmask(f.ctx, a.virq), 0);
	assert_int_equal(f.m.nlog, 0); /* no mask bits: nothing to write */
	assert_int_equal(alloc(&f, 1, true).index, -MSIDOM_ERANGE);
	model_clear_log(&f.m);
	assert_int_equal(msidom_msi_free(f.dev, MSIDOM_DEFAULT_DOMAIN, 0), 0);
	EXPECT_LOG(&f.m, CFGW(cap + 2, 2, 0x80), CFGW(cap + 4, 4, 0), CFGW(cap + 8, 4, 0),
		   CFGW(cap + 12, 2, 0));
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 0);
	done(&f);
}

/* Multi-message MSI with mask bits: one aligned vector block, one pair. */
static void test_msi_multi(void **state)
{
	struct fix f;
	MSIDOM_OPTS(msidom_alloc_opts, o, .unmasked = true);
	uint64_t c1 = 2;
	struct msidom_cpumask m1 = { 2, &c1 };
	uint16_t cap;
	int64_t virq;
	struct msidom_device *d2;

	(void)state;
	base(&f, 2);
	cap = model_msi_cap(&f.m, f.fn, 3, false, true); /* 8 capable, 32-bit */
	f.cfg.max_vectors = 6;                           /* rounds down to 4 */
	assert_int_equal(msidom_bm_pci_msi_domain_create(f.dev, &f.cfg, f.vec, &f.dd), 0);
	assert_int_equal(msidom_domain_hwsize(f.dd), 4);
	assert_true(msidom_domain_flags(f.dd) & MSIDOM_DOMAIN_CONTIGUOUS);
	/* Vector 32 is taken so the block must skip to the next aligned one. */
	{
		MSIDOM_OPTS(msidom_device_info, di, .name = "x");
		MSIDOM_OPTS(msidom_template, t, .name = "T", .hwsize = 1);
		struct msidom_domain *dd2;

		assert_int_equal(msidom_device_create(f.ctx, &di, &d2), 0);
		assert_int_equal(
			msidom_device_domain_create(d2, MSIDOM_DEFAULT_DOMAIN, &t, f.vec, &dd2), 0);
		assert_int_equal(msidom_msi_alloc_at(d2, MSIDOM_DEFAULT_DOMAIN, 0, NULL).index, 0);
	}
	model_clear_log(&f.m);
	assert_int_equal(msidom_msi_alloc_range(f.dev, MSIDOM_DEFAULT_DOMAIN, 0, 3, &o), 0);
	/* CPU 1 is less loaded; its first aligned block of 4 is 32..35. */
	EXPECT_LOG(&f.m, CFGW(cap + 12, 4, 0xff), CFGW(cap + 4, 4, 0xfee01000u),
		   CFGW(cap + 8, 2, 32), CFGW(cap + 2, 2, 0x100 | (3 << 1) | (2 << 4) | 1),
		   CFGW(cap + 12, 4, 0xfe), CFGW(cap + 12, 4, 0xfc), CFGW(cap + 12, 4, 0xf8),
		   CFGW(cap + 12, 4, 0xf0));
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(msidom_domain_find_virq(f.vec, MSIDOM_BM_X86_HWIRQ(1, 32 + i)),
				 msidom_msi_virq(f.dev, MSIDOM_DEFAULT_DOMAIN, i));
	/* Cannot grow, cannot move a block member. */
	assert_true(alloc(&f, MSIDOM_INDEX_ANY, true).index < 0);
	virq = msidom_msi_virq(f.dev, MSIDOM_DEFAULT_DOMAIN, 2);
	c1 = 1;
	assert_int_equal(msidom_irq_set_affinity(f.ctx, (uint32_t)virq, &m1), -MSIDOM_EINVAL);
	assert_int_equal(msidom_domain_find_virq(f.vec, MSIDOM_BM_X86_HWIRQ(1, 34)), virq);
	/* Mask one message. */
	model_clear_log(&f.m);
	assert_int_equal(msidom_irq_mask(f.ctx, (uint32_t)virq), 0);
	EXPECT_LOG(&f.m, CFGW(cap + 12, 4, 0xf4));
	/* Free the block: the capability ends disabled. */
	assert_int_equal(msidom_msi_free_all(f.dev, MSIDOM_DEFAULT_DOMAIN), 4);
	assert_int_equal(model_cfg(&f.m, f.fn, cap + 2, 2) & 0x71, 0);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 1), 0);
	/* A malformed capability. */
	assert_int_equal(msidom_device_domain_destroy(f.dev, MSIDOM_DEFAULT_DOMAIN), 0);
	model_cfg_set(&f.m, f.fn, cap + 2, 2, 6 << 1);
	assert_int_equal(msidom_bm_pci_msi_domain_create(f.dev, &f.cfg, f.vec, &f.dd),
			 -MSIDOM_EINVAL);
	msidom_device_destroy(d2);
	done(&f);
}

/* The whole stack: remapped messages land in the MSI-X table. */
static void test_msix_ir(void **state)
{
	struct fix f;
	uint64_t *irt = aligned_alloc(4096, 4096);
	MSIDOM_OPTS(msidom_bm_vtd_ir_config, ic, .table = irt, .entries = 256);
	struct msidom_domain *ir;

	(void)state;
	base(&f, 1);
	ic.platform = &f.m.plat;
	f.cap = model_msix_cap(&f.m, f.fn, 4, TABLE_OFF, PBA_OFF);
	assert_int_equal(msidom_bm_vtd_ir_domain_create(f.ctx, &ic, f.vec, &ir), 0);
	assert_int_equal(msidom_bm_pci_msix_domain_create(f.dev, &f.cfg, ir, &f.dd), 0);
	assert_string_equal(msidom_domain_name(f.dd), "IR-PCI-MSIX-0000:00:03.0");
	assert_int_equal(msidom_device_msi_isolated(f.dev), 1);
	assert_int_equal(alloc(&f, 2, true).index, 2);
	assert_int_equal(alloc(&f, 0, true).index, 0);
	assert_int_equal(model_mmio(&f.m, ENT(2, 0)), 0xfee00018u);
	assert_int_equal(model_mmio(&f.m, ENT(0, 0)), 0xfee00038u);
	assert_int_equal(model_mmio(&f.m, ENT(0, 8)), 0);
	assert_true(irt[2] == (MSIDOM_BM_IRTE_P | (33ull << 16)));
	msidom_device_destroy(f.dev);
	assert_int_equal(msidom_domain_destroy(ir), 0);
	assert_int_equal(msidom_domain_destroy(f.vec), 0);
	msidom_ctx_destroy(f.ctx);
	free(irt);
}

/* A doorbell root and a one-message PCI MSI function on it. */
struct db_fix {
	struct msidom_ctx *ctx;
	struct model m;
	struct msidom_domain *db;
	struct msidom_device *dev;
	uint16_t cap;
};

static void db_setup(struct db_fix *f, const struct msidom_bm_doorbell_config *cfg, bool is64,
		     bool maskbit)
{
	MSIDOM_OPTS(msidom_device_info, di, .name = "0000:00:03.0");
	MSIDOM_OPTS(msidom_bm_pci_config, pc, .sbdf = SBDF, .platform = &f->m.plat);
	struct msidom_domain *dd;

	f->ctx = test_ctx();
	model_init(&f->m, false, false);
	assert_int_equal(model_add_fn(&f->m, SBDF), 0);
	f->cap = model_msi_cap(&f->m, 0, 0, is64, maskbit);
	assert_int_equal(msidom_bm_doorbell_domain_create(f->ctx, cfg, &f->db), 0);
	assert_int_equal(msidom_device_create(f->ctx, &di, &f->dev), 0);
	assert_int_equal(msidom_bm_pci_msi_domain_create(f->dev, &pc, f->db, &dd), 0);
}

static void db_teardown(struct db_fix *f)
{
	msidom_device_destroy(f->dev);
	assert_int_equal(msidom_domain_destroy(f->db), 0);
	msidom_ctx_destroy(f->ctx);
}

/* A message the function cannot hold is refused: -EINVAL, logged, MSI left disabled. */
static void expect_does_not_fit(struct db_fix *f)
{
	MSIDOM_OPTS(msidom_alloc_opts, o, .unmasked = true);
	size_t mem = msidom_ctx_mem_bytes(f->ctx);

	test_clear_log();
	assert_int_equal(msidom_msi_alloc_at(f->dev, MSIDOM_DEFAULT_DOMAIN, 0, &o).index,
			 -MSIDOM_EINVAL);
	assert_non_null(strstr(test_last_log(), "does not fit"));
	assert_int_equal(model_cfg(&f->m, 0, (uint16_t)(f->cap + 2), 2) & 1u, 0); /* not enabled */
	assert_int_equal(msidom_ctx_mem_bytes(f->ctx), mem);
}

/*
 * A 32-bit-only MSI capability cannot carry a doorbell above 4 GiB
 * (dropping address_hi would make the function write to the truncated
 * address 0x08080040).
 */
static void test_msi_32bit_capability_refuses_a_doorbell_above_4g(void **state)
{
	const struct msidom_bm_doorbell_config cfg = { .sz = sizeof(
							       struct msidom_bm_doorbell_config),
						       .doorbell = 0x8080040ull | (1ull << 32),
						       .base = 64,
						       .count = 8 };
	struct db_fix f;

	(void)state;
	db_setup(&f, &cfg, false, false);
	expect_does_not_fit(&f);
	db_teardown(&f);
}

/* Data wider than the 16-bit Message Data register is refused the same way. */
static void test_msi_refuses_data_wider_than_16_bits(void **state)
{
	const struct msidom_bm_doorbell_config cfg = { .sz = sizeof(
							       struct msidom_bm_doorbell_config),
						       .doorbell = 0x8080040ull,
						       .base = 0x10000,
						       .count = 8 };
	struct db_fix f;

	(void)state;
	db_setup(&f, &cfg, true, true);
	expect_does_not_fit(&f);
	db_teardown(&f);
}

/* What an MSI function without mask bits can send while it is rewritten. */
static struct {
	struct model *m;
	struct msidom_domain *vec;
	uint16_t cap;
	int states, bad;
	int (*pci_write)(void *opaque, uint32_t sbdf, uint16_t offset, uint8_t size, uint32_t val);
} live;

/* After every address/data write, the function fires once with what it holds. */
static int live_write(void *opaque, uint32_t sbdf, uint16_t offset, uint8_t size, uint32_t val)
{
	int ret = live.pci_write(opaque, sbdf, offset, size, val);
	uint32_t lo, data;

	if (ret || (offset != live.cap + 4u && offset != live.cap + 12u))
		return ret;
	lo = model_cfg(live.m, 0, (uint16_t)(live.cap + 4), 4);
	data = model_cfg(live.m, 0, (uint16_t)(live.cap + 12), 2);
	live.states++;
	/* APIC id == CPU index here; dispatch is lock-free, so legal in here. */
	if (msidom_handle(live.vec, MSIDOM_BM_X86_HWIRQ((lo >> 12) & 0xffu, data & 0xffu)))
		live.bad++;
	return 0;
}

/*
 * Two CPUs; another device's interrupt B on CPU 1 vector 32, and an
 * edu-like PCI MSI function (1 message, 64-bit, no mask bits) whose
 * interrupt A is on CPU 0 vector 32. With @fire_on_writes the function
 * fires after each address or data write (see live_write()).
 */
struct move_fix {
	struct msidom_ctx *ctx;
	struct model m;
	struct msidom_domain *vec;
	struct msidom_device *dev, *other;
	struct msidom_map a, b;
	uint16_t cap;
	uint64_t only1;
	struct msidom_cpumask cpu1;
};

static void move_setup(struct move_fix *f, bool fire_on_writes)
{
	static uint32_t ids[2] = { 0, 1 };
	MSIDOM_OPTS(msidom_bm_x86_vector_config, vc, .ncpus = 2, .apic_ids = ids);
	struct msidom_device_info di = { .sz = sizeof(struct msidom_device_info),
					 .name = "0000:00:03.0" },
				  di2 = { .sz = sizeof(struct msidom_device_info),
					  .name = "other" };
	MSIDOM_OPTS(msidom_template, t, .name = "T", .hwsize = 1);
	uint64_t only0 = 1;
	struct msidom_cpumask cpu0 = { 2, &only0 };
	MSIDOM_OPTS(msidom_alloc_opts, o0, .affinity = &cpu0, .unmasked = true);
	MSIDOM_OPTS(msidom_alloc_opts, o1, .affinity = &f->cpu1, .unmasked = true);
	MSIDOM_OPTS(msidom_bm_pci_config, pc, .sbdf = SBDF, .platform = &f->m.plat);
	struct msidom_domain *dd;

	f->only1 = 2;
	f->cpu1 = (struct msidom_cpumask){ 2, &f->only1 };
	f->ctx = test_ctx();
	model_init(&f->m, false, false);
	assert_int_equal(model_add_fn(&f->m, SBDF), 0);
	f->cap = model_msi_cap(&f->m, 0, 0, true, false);
	assert_int_equal(msidom_bm_x86_vector_domain_create(f->ctx, &vc, &f->vec), 0);
	if (fire_on_writes) {
		live.m = &f->m;
		live.cap = f->cap;
		live.vec = f->vec;
		live.pci_write = f->m.plat.pci_write;
		f->m.plat.pci_write = live_write;
	}
	assert_int_equal(msidom_device_create(f->ctx, &di2, &f->other), 0);
	assert_int_equal(
		msidom_device_domain_create(f->other, MSIDOM_DEFAULT_DOMAIN, &t, f->vec, &dd), 0);
	f->b = msidom_msi_alloc_at(f->other, MSIDOM_DEFAULT_DOMAIN, 0, &o1); /* CPU 1 vector 32 */
	assert_int_equal(f->b.index, 0);
	assert_int_equal(msidom_device_create(f->ctx, &di, &f->dev), 0);
	assert_int_equal(msidom_bm_pci_msi_domain_create(f->dev, &pc, f->vec, &dd), 0);
	f->a = msidom_msi_alloc_at(f->dev, MSIDOM_DEFAULT_DOMAIN, 0, &o0); /* CPU 0 vector 32 */
	assert_int_equal(f->a.index, 0);
	assert_int_equal(model_cfg(&f->m, 0, (uint16_t)(f->cap + 4), 4), 0xfee00000u);
	assert_int_equal(model_cfg(&f->m, 0, (uint16_t)(f->cap + 12), 2), 32);
}

static void move_teardown(struct move_fix *f)
{
	msidom_device_destroy(f->dev);
	msidom_device_destroy(f->other);
	assert_int_equal(msidom_domain_destroy(f->vec), 0);
	msidom_ctx_destroy(f->ctx);
}

/*
 * A PCI MSI function without per-vector mask bits (edu) cannot be masked
 * across the message switch, and its three config writes (address low,
 * address high, data) are not atomic. When a move changes both the CPU
 * and the vector, the device may send the intermediate pair (new
 * destination, old vector) - here CPU 1 vector 32, which belongs to
 * another device. Like Linux's x86 msi_set_affinity() ("x86/apic/msi:
 * Plug non-maskable MSI affinity race"), the move goes through an interim
 * (old CPU, new vector) step: every (address, data) pair the function can
 * hold in between targets a vector of this interrupt.
 */
static void test_unmaskable_msi_move_writes_only_states_owned_by_the_irq(void **state)
{
	struct move_fix f;
	uint32_t lo = 0xfee00000u, data = 32;

	(void)state;
	move_setup(&f, false);
	model_clear_log(&f.m);
	assert_int_equal(msidom_irq_set_affinity(f.ctx, f.a.virq, &f.cpu1), 0);
	/* Replay the config writes: each state in between must still reach A. */
	for (int i = 0; i < f.m.nlog; i++) {
		const struct ev *e = &f.m.log[i];
		uint32_t cpu;
		int64_t owner;

		if (e->kind != EV_CFG_W)
			continue;
		if (e->addr == f.cap + 4u)
			lo = (uint32_t)e->val;
		else if (e->addr == f.cap + 12u)
			data = (uint32_t)e->val;
		else
			continue;
		cpu = (lo >> 12) & 0xffu; /* APIC id == CPU index here */
		owner = msidom_domain_find_virq(f.vec, MSIDOM_BM_X86_HWIRQ(cpu, data & 0xffu));
		/* Old and new vector of A are both mapped during the switch. */
		assert_true(owner == (int64_t)f.a.virq || owner < 0);
		assert_true(owner != (int64_t)f.b.virq);
	}
	move_teardown(&f);
}

static int hits_a, hits_b;

static void handler_a(uint32_t virq, void *arg)
{
	(void)virq;
	(void)arg;
	hits_a++;
}

static void handler_b(uint32_t virq, void *arg)
{
	(void)virq;
	(void)arg;
	hits_b++;
}

/*
 * The same move, checked while it runs: every state the function passes
 * through reaches A's handler (the (old CPU, new vector) pair is held for
 * A during the switch), never B's, never nothing.
 */
static void test_unmaskable_msi_move_delivers_every_intermediate_state_to_its_handler(void **state)
{
	struct move_fix f;
	uint32_t cpu = 9;
	uint8_t v = 0;

	(void)state;
	move_setup(&f, true);
	assert_int_equal(msidom_irq_set_handler(f.ctx, f.b.virq, handler_b, NULL), 0);
	assert_int_equal(msidom_irq_set_handler(f.ctx, f.a.virq, handler_a, NULL), 0);
	live.states = live.bad = 0;
	hits_a = hits_b = 0;
	assert_int_equal(msidom_irq_set_affinity(f.ctx, f.a.virq, &f.cpu1), 0);
	assert_true(live.states >= 2);
	assert_int_equal(live.bad, 0);
	assert_int_equal(hits_b, 0);
	assert_int_equal(hits_a, live.states);
	/* Afterwards only the final vector is A's; the interim pair is free again. */
	assert_int_equal(msidom_bm_x86_vector_lookup(f.vec, f.a.virq, &cpu, &v), 0);
	assert_int_equal(cpu, 1);
	assert_int_equal(v, 33);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 0), 0);
	assert_int_equal(msidom_bm_x86_vector_load(f.vec, 1), 2);
	assert_int_equal(msidom_domain_mapped(f.vec), 2);
	move_teardown(&f);
}

/*
 * A malformed capability gives -EINVAL: the MSI-X table and the PBA may
 * share a BAR (even a 4 KiB page) but must not overlap, or entries would
 * be programmed over the pending bits.
 */
static void test_msix_table_overlapping_the_pba_is_refused(void **state)
{
	uint32_t ids[1] = { 0 };
	MSIDOM_OPTS(msidom_bm_x86_vector_config, vc, .ncpus = 1, .apic_ids = ids);
	MSIDOM_OPTS(msidom_device_info, di, .name = "0000:00:03.0");
	struct msidom_ctx *ctx = test_ctx();
	struct msidom_domain *vec, *dd = NULL;
	struct msidom_device *dev;
	struct model m;
	uint64_t sizes[6] = { 0x4000 };
	MSIDOM_OPTS(msidom_bm_pci_config, pc, .sbdf = SBDF, .platform = &m.plat,
		    .bar_sizes = sizes);
	int fn;

	(void)state;
	model_init(&m, false, false);
	fn = model_add_fn(&m, SBDF);
	model_set_bar(&m, fn, 0, MMIO_BASE, 0x4000, true);
	/* 64 entries = 0x400 bytes at 0x2000; the PBA at 0x2100 lies inside. */
	model_msix_cap(&m, fn, 64, 0x2000, 0x2100);
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &vc, &vec), 0);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_bm_pci_msix_domain_create(dev, &pc, vec, &dd), -MSIDOM_EINVAL);
	msidom_device_destroy(dev);
	assert_int_equal(msidom_domain_destroy(vec), 0);
	msidom_ctx_destroy(ctx);
}

/*
 * Multi-message MSI through VT-d on a function without mask bits: MSI
 * (with MME = 4) may be enabled only once every message is set up, as
 * Linux's msi_capability_init() does, or the function could send message
 * 3 to a non-present IRTE (a remapping fault, the interrupt lost). Every
 * IRTE of the block is present before the enable bit is written.
 */
static void test_multi_msi_is_enabled_only_after_every_irte_is_present(void **state)
{
	uint32_t ids[1] = { 0 };
	MSIDOM_OPTS(msidom_bm_x86_vector_config, vc, .ncpus = 1, .apic_ids = ids);
	MSIDOM_OPTS(msidom_bm_vtd_ir_config, ic, .entries = 16);
	MSIDOM_OPTS(msidom_device_info, di, .name = "0000:00:03.0", .requester_id = 0x18);
	MSIDOM_OPTS(msidom_alloc_opts, o, .unmasked = true);
	struct msidom_ctx *ctx = test_ctx();
	struct msidom_domain *vec, *ir, *dd;
	struct msidom_device *dev;
	static _Alignas(4096) uint64_t irt[32];
	struct model m;
	MSIDOM_OPTS(msidom_bm_pci_config, pc, .sbdf = SBDF, .platform = &m.plat);
	bool last_present = false;
	int enable_at = -1, present_at = -1;
	uint16_t cap;
	int fn;

	(void)state;
	model_init(&m, false, false);
	fn = model_add_fn(&m, SBDF);
	cap = model_msi_cap(&m, fn, 2, true, false); /* 4 messages, 64-bit, no mask bits */
	m.irt = irt;
	m.irt_entries = 16;
	m.watch = 3; /* barriers snapshot the block's last entry */
	ic.table = irt;
	ic.platform = &m.plat;
	assert_int_equal(msidom_bm_x86_vector_domain_create(ctx, &vc, &vec), 0);
	assert_int_equal(msidom_bm_vtd_ir_domain_create(ctx, &ic, vec, &ir), 0);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_bm_pci_msi_domain_create(dev, &pc, ir, &dd), 0);
	model_clear_log(&m);
	assert_int_equal(msidom_msi_alloc_range(dev, MSIDOM_DEFAULT_DOMAIN, 0, 3, &o), 0);
	for (int i = 0; i < m.nlog; i++) {
		const struct ev *e = &m.log[i];

		if (e->kind == EV_BARRIER && (e->val & MSIDOM_BM_IRTE_P) && !last_present) {
			present_at = i;
			last_present = true;
		}
		if (e->kind == EV_CFG_W && e->addr == cap + 2u && (e->val & 1u) && enable_at < 0)
			enable_at = i;
	}
	assert_true(present_at >= 0 && enable_at >= 0);
	assert_true(present_at < enable_at);
	msidom_device_destroy(dev);
	assert_int_equal(msidom_domain_destroy(ir), 0);
	assert_int_equal(msidom_domain_destroy(vec), 0);
	msidom_ctx_destroy(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msix_create_errors),
		cmocka_unit_test(test_bar_sizing),
		cmocka_unit_test(test_msix_sequences),
		cmocka_unit_test(test_msix_mse),
		cmocka_unit_test(test_msix_dynamic),
		cmocka_unit_test(test_msi_single),
		cmocka_unit_test(test_msi_multi),
		cmocka_unit_test(test_msix_ir),
		cmocka_unit_test(test_msi_32bit_capability_refuses_a_doorbell_above_4g),
		cmocka_unit_test(test_unmaskable_msi_move_writes_only_states_owned_by_the_irq),
		cmocka_unit_test(
			test_unmaskable_msi_move_delivers_every_intermediate_state_to_its_handler),
		cmocka_unit_test(test_msi_refuses_data_wider_than_16_bits),
		cmocka_unit_test(test_msix_table_overlapping_the_pba_is_refused),
		cmocka_unit_test(test_multi_msi_is_enabled_only_after_every_irte_is_present),
	};

	return cmocka_run_group_tests_name("baremetal-pci", tests, NULL, NULL);
}
