/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Size-versioned structs: a caller built against older headers (a smaller
 * sz) gets the missing members as zero, one built against newer headers
 * is accepted while the members this library does not know are zero and
 * refused with -E2BIG otherwise, an sz that cannot even hold itself is
 * -EINVAL, and info/stats structs are never written past the caller's sz.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <libmsidom/baremetal.h>
#include <libmsidom/msidom.h>
#include <libmsidom/provider.h>

#define DEF MSIDOM_DEFAULT_DOMAIN

/* A struct from "newer headers": this library's struct plus one member. */
struct newer_ctx_config {
	struct msidom_ctx_config cur;
	uint64_t unknown;
};

static char last_log[256];

static void capture_log(void *opaque, enum msidom_log_level level, const char *line)
{
	(void)opaque;
	(void)level;
	strncpy(last_log, line, sizeof(last_log) - 1);
}

static struct msidom_ctx *new_ctx(void)
{
	MSIDOM_OPTS(msidom_hooks, hooks, .log = capture_log, .log_level = MSIDOM_LOG_DEBUG);
	MSIDOM_OPTS(msidom_ctx_config, cfg, .hooks = &hooks, .max_virqs = 256);
	struct msidom_ctx *ctx;

	assert_int_equal(msidom_ctx_create(&cfg, &ctx), 0);
	last_log[0] = 0;
	return ctx;
}

static void test_opts_macro_sets_size_and_zeroes_the_rest(void **state)
{
	MSIDOM_OPTS(msidom_alloc_opts, opts, .unmasked = true);

	(void)state;
	assert_int_equal(opts.sz, sizeof(struct msidom_alloc_opts));
	assert_true(opts.unmasked);
	assert_false(opts.has_cookie);
	assert_null(opts.handler);
}

static void test_ctx_config_older_struct_reads_missing_members_as_zero(void **state)
{
	MSIDOM_OPTS(msidom_ctx_config, cfg, .max_virqs = 12345678);
	struct msidom_ctx *ctx;

	(void)state;
	/* An older caller's struct ends before max_virqs: the default applies. */
	cfg.sz = offsetof(struct msidom_ctx_config, max_virqs);
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), 0);
	assert_non_null(ctx);
	msidom_ctx_destroy(ctx);
}

static void test_ctx_config_newer_struct_with_zero_tail_is_accepted(void **state)
{
	struct newer_ctx_config cfg;
	struct msidom_ctx *ctx;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.cur.sz = sizeof(cfg);
	cfg.cur.max_virqs = 64;
	assert_int_equal(msidom_ctx_create(&cfg.cur, &ctx), 0);
	msidom_ctx_destroy(ctx);
}

static void test_ctx_config_newer_struct_with_unknown_member_set_is_e2big(void **state)
{
	struct newer_ctx_config cfg;
	struct msidom_ctx *ctx = (struct msidom_ctx *)&cfg;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.cur.sz = sizeof(cfg);
	cfg.unknown = 1;
	assert_int_equal(msidom_ctx_create(&cfg.cur, &ctx), -MSIDOM_E2BIG);
	assert_null(ctx);
}

static void test_zero_sz_is_einval(void **state)
{
	struct msidom_ctx_config cfg = { 0 };
	struct msidom_ctx *ctx;

	(void)state;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), -MSIDOM_EINVAL);
	cfg.sz = sizeof(size_t) - 1;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), -MSIDOM_EINVAL);
}

static void test_hooks_without_sz_are_refused(void **state)
{
	struct msidom_hooks hooks = { 0 };
	MSIDOM_OPTS(msidom_ctx_config, cfg, .hooks = &hooks);
	struct msidom_ctx *ctx;

	(void)state;
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), -MSIDOM_EINVAL);
}

static void test_refusal_logs_the_struct_and_the_cause(void **state)
{
	struct msidom_ctx *ctx = new_ctx();
	struct msidom_device_info info = { .name = "0000:00:01.0" };
	struct msidom_device *dev = (struct msidom_device *)ctx;

	(void)state;
	assert_int_equal(msidom_device_create(ctx, &info, &dev), -MSIDOM_EINVAL);
	assert_non_null(strstr(last_log, "msidom_device_info"));
	assert_non_null(strstr(last_log, "MSIDOM_OPTS"));
	msidom_ctx_destroy(ctx);
}

/* A root with the chip ops of an older header: only compose_msg existed. */
static int root_compose(struct msidom_irq_data *data, struct msidom_msg *msg)
{
	msg->address_lo = 0xfee00000u;
	msg->address_hi = 0;
	msg->data = msidom_irq_data_hwirq(data);
	return 0;
}

static int leaf_write(struct msidom_irq_data *data, const struct msidom_msg *msg)
{
	uint32_t *seen = msidom_domain_priv(msidom_irq_data_domain(data));

	seen[msidom_irq_data_hwirq(data)] = msg->data;
	return 0;
}

static void test_older_ops_table_is_copied_and_released_with_the_domain(void **state)
{
	struct msidom_ctx *ctx = new_ctx();
	/* Filled completely, but claiming to end after compose_msg. */
	struct msidom_chip_ops old_chip = {
		.sz = offsetof(struct msidom_chip_ops, write_msg),
		.compose_msg = root_compose,
		.write_msg = leaf_write, /* beyond sz: must be ignored */
	};
	static const struct msidom_chip_ops leaf_chip = {
		.sz = sizeof(struct msidom_chip_ops),
		.write_msg = leaf_write,
	};
	MSIDOM_OPTS(msidom_domain_info, ri, .name = "ROOT", .flags = MSIDOM_DOMAIN_MSI_PARENT,
		    .hwsize = 64, .chip = &old_chip);
	MSIDOM_OPTS(msidom_device_info, di, .name = "0000:00:02.0");
	uint32_t seen[8] = { 0 };
	MSIDOM_OPTS(msidom_template, tmpl, .name = "PCI-MSIX", .bus = MSIDOM_BUS_PCI_MSIX,
		    .hwsize = 8, .chip = &leaf_chip, .priv = seen);
	size_t before = msidom_ctx_mem_bytes(ctx);
	struct msidom_domain *root, *dd;
	struct msidom_device *dev;
	struct msidom_map map;

	(void)state;
	/* The copy is accounted while the domain lives, and released with it. */
	assert_int_equal(msidom_domain_create(ctx, &ri, NULL, &root), 0);
	assert_true(msidom_ctx_mem_bytes(ctx) >= before + sizeof(struct msidom_chip_ops));
	assert_int_equal(msidom_domain_destroy(root), 0);
	assert_int_equal(msidom_ctx_mem_bytes(ctx), before);
	assert_int_equal(msidom_domain_create(ctx, &ri, NULL, &root), 0);
	/* The caller's table may go away: the domain works on its copy. */
	memset(&old_chip, 0xff, sizeof(old_chip));
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_device_domain_create(dev, DEF, &tmpl, root, &dd), 0);
	map = msidom_msi_alloc_at(dev, DEF, 3, NULL);
	assert_int_equal(map.index, 3);
	assert_int_not_equal(seen[3], 0);
	msidom_device_destroy(dev);
	assert_int_equal(msidom_domain_destroy(root), 0);
	msidom_ctx_destroy(ctx);
}

static void test_alloc_opts_newer_struct_is_refused_without_side_effect(void **state)
{
	struct msidom_ctx *ctx = new_ctx();
	static const struct msidom_chip_ops chip = {
		.sz = sizeof(struct msidom_chip_ops),
		.compose_msg = root_compose,
	};
	MSIDOM_OPTS(msidom_domain_info, ri, .name = "ROOT", .flags = MSIDOM_DOMAIN_MSI_PARENT,
		    .hwsize = 64, .chip = &chip);
	MSIDOM_OPTS(msidom_device_info, di, .name = "0000:00:03.0");
	MSIDOM_OPTS(msidom_template, tmpl, .name = "PCI-MSIX", .hwsize = 4);
	struct {
		struct msidom_alloc_opts cur;
		uint32_t unknown;
	} newer;
	struct msidom_domain *root, *dd;
	struct msidom_device *dev;
	struct msidom_map map;

	(void)state;
	assert_int_equal(msidom_domain_create(ctx, &ri, NULL, &root), 0);
	assert_int_equal(msidom_device_create(ctx, &di, &dev), 0);
	assert_int_equal(msidom_device_domain_create(dev, DEF, &tmpl, root, &dd), 0);
	memset(&newer, 0, sizeof(newer));
	newer.cur.sz = sizeof(newer);
	newer.unknown = 7;
	map = msidom_msi_alloc_at(dev, DEF, 0, &newer.cur);
	assert_int_equal(map.index, -MSIDOM_E2BIG);
	assert_int_equal(msidom_irq_count(ctx), 0);
	/* The same struct with the unknown member clear is fine. */
	newer.unknown = 0;
	map = msidom_msi_alloc_at(dev, DEF, 0, &newer.cur);
	assert_int_equal(map.index, 0);
	assert_int_equal(msidom_irq_count(ctx), 1);
	msidom_ctx_destroy(ctx);
}

static void test_store_fills_only_up_to_the_callers_sz(void **state)
{
	struct {
		size_t sz;
		uint32_t a, b;
	} full = { sizeof(full), 1, 2 };
	struct {
		size_t sz;
		uint32_t a, b, c, guard;
	} out;

	(void)state;
	/* Older caller: only a fits; b and beyond untouched. */
	memset(&out, 0xee, sizeof(out));
	out.sz = offsetof(__typeof__(out), b);
	assert_int_equal(msidom_opts_store(NULL, &out, &full, sizeof(full), "t"), 0);
	assert_int_equal(out.a, 1);
	assert_int_equal(out.b, 0xeeeeeeeeu);
	/* Newer caller: what this library does not know reads zero. */
	memset(&out, 0xee, sizeof(out));
	out.sz = offsetof(__typeof__(out), guard);
	assert_int_equal(msidom_opts_store(NULL, &out, &full, sizeof(full), "t"), 0);
	assert_int_equal(out.sz, offsetof(__typeof__(out), guard));
	assert_int_equal(out.b, 2);
	assert_int_equal(out.c, 0);
	assert_int_equal(out.guard, 0xeeeeeeeeu);
	/* No sz: refused, nothing written. */
	memset(&out, 0xee, sizeof(out));
	out.sz = 0;
	assert_int_equal(msidom_opts_store(NULL, &out, &full, sizeof(full), "t"), -MSIDOM_EINVAL);
	assert_int_equal(out.a, 0xeeeeeeeeu);
}

static int plat_read(void *opaque, uint32_t sbdf, uint16_t off, uint8_t size, uint32_t *val)
{
	(void)opaque;
	(void)sbdf;
	(void)off;
	(void)size;
	*val = 0xffffffffu;
	return 0;
}

static void test_baremetal_platform_needs_sz(void **state)
{
	struct msidom_bm_platform plat = { .pci_read = plat_read };

	(void)state;
	assert_int_equal(msidom_bm_pci_find_cap(&plat, 0, 0x11), -MSIDOM_EINVAL);
	plat.sz = sizeof(plat);
	/* An absent device (all-ones vendor id): found the struct, not the cap. */
	assert_int_equal(msidom_bm_pci_find_cap(&plat, 0, 0x11), -MSIDOM_ENODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opts_macro_sets_size_and_zeroes_the_rest),
		cmocka_unit_test(test_ctx_config_older_struct_reads_missing_members_as_zero),
		cmocka_unit_test(test_ctx_config_newer_struct_with_zero_tail_is_accepted),
		cmocka_unit_test(test_ctx_config_newer_struct_with_unknown_member_set_is_e2big),
		cmocka_unit_test(test_zero_sz_is_einval),
		cmocka_unit_test(test_hooks_without_sz_are_refused),
		cmocka_unit_test(test_refusal_logs_the_struct_and_the_cause),
		cmocka_unit_test(test_older_ops_table_is_copied_and_released_with_the_domain),
		cmocka_unit_test(test_alloc_opts_newer_struct_is_refused_without_side_effect),
		cmocka_unit_test(test_store_fills_only_up_to_the_callers_sz),
		cmocka_unit_test(test_baremetal_platform_needs_sz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
