/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Concepts 3, 4 and 9: domains and the hierarchy (ops order, names, flags,
 * reverse maps, depth), devices with two slots, the isolation query.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sim.h"

#define DEF MSIDOM_DEFAULT_DOMAIN
#define SEC MSIDOM_SECONDARY_DOMAIN

static void test_names_and_accessors(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ims = true });
	struct sim *n = sim_new(&(struct sim_cfg){ .no_ir = true });

	(void)state;
	assert_string_equal(msidom_domain_name(s->vec.d), "VECTOR");
	assert_string_equal(msidom_domain_name(s->ir.d), "IR-0");
	assert_string_equal(msidom_domain_name(s->dev_lv.d), "IR-PCI-MSIX-0000:03:00.0");
	assert_string_equal(msidom_domain_name(s->ims_lv.d), "IR-PCI-IMS-0000:03:00.0");
	/* No prefix on a parent that gives none. */
	assert_string_equal(msidom_domain_name(n->dev_lv.d), "PCI-MSIX-0000:03:00.0");

	assert_ptr_equal(msidom_domain_parent(s->dev_lv.d), s->ir.d);
	assert_ptr_equal(msidom_domain_parent(s->ims_lv.d), s->ir.d);
	assert_ptr_equal(msidom_domain_parent(s->ir.d), s->vec.d);
	assert_null(msidom_domain_parent(s->vec.d));
	assert_int_equal(msidom_domain_flags(s->dev_lv.d), MSIDOM_DOMAIN_DEVICE);
	assert_int_equal(msidom_domain_flags(s->ir.d), MSIDOM_DOMAIN_MSI_PARENT);
	assert_int_equal(msidom_domain_flags(s->vec.d), 0);
	assert_int_equal(msidom_domain_bus(s->vec.d), MSIDOM_BUS_VECTOR);
	assert_int_equal(msidom_domain_bus(s->ir.d), MSIDOM_BUS_REMAP);
	assert_int_equal(msidom_domain_bus(s->dev_lv.d), MSIDOM_BUS_PCI_MSIX);
	assert_int_equal(msidom_domain_bus(s->ims_lv.d), MSIDOM_BUS_PCI_IMS);
	assert_int_equal(msidom_domain_hwsize(s->vec.d), SIM_VEC_HWSIZE);
	assert_int_equal(msidom_domain_hwsize(s->dev_lv.d), 64);
	assert_int_equal(msidom_domain_hwsize(s->ims_lv.d), 2048);
	assert_ptr_equal(msidom_domain_priv(s->ir.d), &s->ir);
	assert_ptr_equal(msidom_domain_priv(s->dev_lv.d), &s->dev_lv);
	assert_ptr_equal(msidom_domain_ctx(s->dev_lv.d), s->ctx);
	assert_ptr_equal(msidom_domain_ctx(s->vec.d), s->ctx);
	assert_ptr_equal(msidom_domain_device(s->dev_lv.d), s->dev);
	assert_ptr_equal(msidom_domain_device(s->ims_lv.d), s->dev);
	assert_null(msidom_domain_device(s->ir.d));
	assert_int_equal(msidom_domain_mapped(s->dev_lv.d), 0);
	assert_int_equal(msidom_domain_spurious(s->dev_lv.d), 0);

	assert_string_equal(msidom_device_name(s->dev), SIM_DEV_NAME);
	assert_int_equal(msidom_device_requester_id(s->dev), 0x0300);
	assert_ptr_equal(msidom_device_priv(s->dev), s);
	assert_ptr_equal(msidom_device_ctx(s->dev), s->ctx);
	assert_ptr_equal(msidom_device_domain(s->dev, DEF), s->dev_lv.d);
	assert_ptr_equal(msidom_device_domain(s->dev, SEC), s->ims_lv.d);
	assert_null(msidom_device_domain(s->dev, MSIDOM_MAX_DOMAINS));
	assert_null(msidom_device_domain(n->dev, SEC));
	sim_free(s);
	sim_free(n);
}

static void test_long_names_truncate(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_device *dev;
	struct msidom_domain *d;
	struct msidom_template t;
	char name[200];

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(
		msidom_device_create(s->ctx, &(struct msidom_device_info){ .name = name }, &dev),
		0);
	assert_int_equal(strlen(msidom_device_name(dev)), 31);
	sim_msix_template(s, &t);
	t.name = name;
	t.ops = NULL; /* priv is the sim's DEV level; keep this one quiet */
	t.chip = NULL;
	assert_int_equal(msidom_device_domain_create(dev, DEF, &t, s->ir.d, &d), 0);
	assert_int_equal(strlen(msidom_domain_name(d)), 63);
	assert_memory_equal(msidom_domain_name(d), "IR-nnnn", 7);
	{
		struct msidom_domain_info info = { .name = name, .hwsize = 1 };
		struct msidom_domain *r;

		assert_int_equal(msidom_domain_create(s->ctx, &info, NULL, &r), 0);
		assert_int_equal(strlen(msidom_domain_name(r)), 63);
		info.child_prefix = name; /* prefix longer than its room: still bounded */
		info.flags = MSIDOM_DOMAIN_MSI_PARENT;
		assert_int_equal(msidom_domain_create(s->ctx, &info, NULL, &r), 0);
		assert_int_equal(msidom_device_domain_create(dev, SEC, &t, r, &d), 0);
		assert_int_equal(strlen(msidom_domain_name(d)), 63);
	}
	msidom_device_destroy(dev);
	sim_free(s);
}

static void test_alloc_free_order(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_map m;

	(void)state;
	m = msidom_msi_alloc_at(s->dev, DEF, 5, NULL);
	assert_int_equal(m.index, 5);
	assert_int_equal(m.virq, 1);
	/* Prepare, then the parents' alloc root first, then the device level. */
	assert_string_equal(sim_log(s), "bus_lock:DEV prepare:DEV alloc:VEC alloc:IR alloc:DEV "
					"set_desc:DEV activate:VEC activate:IR activate:DEV "
					"compose:VEC write:DEV sync:DEV");
	/* The vector starts masked, and the activate ops could see that. */
	assert_int_equal(s->dev_lv.masked_at_activate[5], 1);
	assert_true(msidom_desc_masked(msidom_desc_at(s->dev_lv.d, 5)));
	assert_true(msidom_desc_activated(msidom_desc_at(s->dev_lv.d, 5)));

	sim_log_clear(s);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 5), 0);
	/* Zeroed message, deactivate device first, teardown, free device first. */
	assert_string_equal(sim_log(s), "bus_lock:DEV write0:DEV deactivate:DEV deactivate:IR "
					"deactivate:VEC teardown:DEV free:DEV free:IR free:VEC "
					"sync:DEV");
	assert_int_equal(s->vec.nr_used, 0);
	assert_int_equal(s->ir.nr_used, 0);

	/* Unmasked: unmasked after the write; masked first on free. */
	sim_log_clear(s);
	m = msidom_msi_alloc_at(s->dev, DEF, 6, &(struct msidom_alloc_opts){ .unmasked = true });
	assert_int_equal(m.index, 6);
	assert_string_equal(sim_log(s), "bus_lock:DEV prepare:DEV alloc:VEC alloc:IR alloc:DEV "
					"set_desc:DEV activate:VEC activate:IR activate:DEV "
					"compose:VEC write:DEV unmask:DEV sync:DEV");
	assert_int_equal(s->dev_lv.masked_at_activate[6], 2);
	assert_false(msidom_desc_masked(msidom_desc_at(s->dev_lv.d, 6)));
	sim_log_clear(s);
	assert_int_equal(msidom_msi_free(s->dev, DEF, 6), 0);
	assert_string_equal(sim_log(s),
			    "bus_lock:DEV mask:DEV write0:DEV deactivate:DEV "
			    "deactivate:IR deactivate:VEC teardown:DEV free:DEV free:IR "
			    "free:VEC sync:DEV");
	sim_free(s);
}

static void test_compose_nearest(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ir_compose = true });
	struct msidom_map m;
	struct msidom_msg msg;

	(void)state;
	m = msidom_msi_alloc_at(s->dev, DEF, 0, NULL);
	assert_int_equal(m.index, 0);
	/* IR is the nearest composer; it asks VEC for the IRTE contents itself. */
	assert_string_equal(sim_log(s), "bus_lock:DEV prepare:DEV alloc:VEC alloc:IR alloc:DEV "
					"set_desc:DEV activate:VEC activate:IR activate:DEV "
					"compose:IR compose:VEC write:DEV sync:DEV");
	msg = msidom_desc_msg(msidom_desc_at(s->dev_lv.d, 0));
	assert_int_equal(msg.address_lo, SIM_IR_ADDR); /* IRTE 0 */
	assert_int_equal(msg.data, 0);
	assert_int_equal(s->ir.table[0].address_lo, SIM_MSIX_ADDR);
	assert_int_equal(s->ir.table[0].data, SIM_VEC_FIRST);
	/* The device table holds exactly the composed message. */
	assert_memory_equal(&s->dev_lv.table[0], &msg, sizeof(msg));
	sim_free(s);
}

static void test_reverse_maps(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_map a, b;

	(void)state;
	a = msidom_msi_alloc_at(s->dev, DEF, 3, NULL);
	b = msidom_msi_alloc_at(s->dev, DEF, 9,
				&(struct msidom_alloc_opts){ .affinity = sim_cpu1(2) });
	assert_int_equal(a.index, 3);
	assert_int_equal(b.index, 9);
	/* VEC: cpu * 256 + vector; IR: entry; DEV: the index. */
	assert_int_equal(msidom_domain_find_virq(s->vec.d, SIM_VEC_FIRST), a.virq);
	assert_int_equal(msidom_domain_find_virq(s->vec.d, 2 * 256 + SIM_VEC_FIRST), b.virq);
	assert_int_equal(msidom_domain_find_virq(s->ir.d, 0), a.virq);
	assert_int_equal(msidom_domain_find_virq(s->ir.d, 1), b.virq);
	assert_int_equal(msidom_domain_find_virq(s->dev_lv.d, 3), a.virq);
	assert_int_equal(msidom_domain_find_virq(s->dev_lv.d, 9), b.virq);
	assert_int_equal(msidom_domain_find_virq(s->dev_lv.d, 4), -MSIDOM_ENOENT);
	assert_int_equal(msidom_domain_find_virq(s->vec.d, SIM_VEC_HWSIZE), -MSIDOM_ENOENT);
	assert_int_equal(msidom_domain_find_virq(s->vec.d, UINT32_MAX), -MSIDOM_ENOENT);
	assert_int_equal(msidom_domain_mapped(s->vec.d), 2);
	assert_int_equal(msidom_domain_mapped(s->ir.d), 2);
	assert_int_equal(msidom_domain_mapped(s->dev_lv.d), 2);

	/* A descriptor without a virq is in the store but maps to no virq. */
	assert_int_equal(msidom_desc_add(s->dev_lv.d, 20, (msidom_cookie){ 0 }), 20);
	assert_int_equal(msidom_domain_find_virq(s->dev_lv.d, 20), -MSIDOM_ENOENT);

	assert_int_equal(msidom_msi_free(s->dev, DEF, 3), 0);
	assert_int_equal(msidom_domain_find_virq(s->vec.d, SIM_VEC_FIRST), -MSIDOM_ENOENT);
	assert_int_equal(msidom_domain_find_virq(s->ir.d, 0), -MSIDOM_ENOENT);
	assert_int_equal(msidom_domain_find_virq(s->dev_lv.d, 3), -MSIDOM_ENOENT);
	assert_int_equal(msidom_domain_find_virq(s->ir.d, 1), b.virq);
	assert_int_equal(msidom_domain_mapped(s->vec.d), 1);
	assert_int_equal(msidom_domain_mapped(s->ir.d), 1);

	/* map/unmap misuse. */
	assert_int_equal(msidom_domain_unmap(s->vec.d, 77), -MSIDOM_ENOENT);
	assert_int_equal(msidom_domain_unmap(NULL, 0), -MSIDOM_EINVAL);
	assert_int_equal(msidom_domain_map(s->vec.d, 77, NULL), -MSIDOM_EINVAL);
	sim_free(s);
}

/* A parent level without an alloc op takes the virq as its hwirq. */
static void test_parent_without_alloc(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_domain_info info = { .name = "PLAIN",
					   .flags = MSIDOM_DOMAIN_MSI_PARENT,
					   .hwsize = 4096,
					   .child_prefix = "P-" };
	struct msidom_domain *root, *dd;
	struct msidom_template t;
	struct msidom_map m;

	(void)state;
	assert_int_equal(msidom_domain_create(s->ctx, &info, NULL, &root), 0);
	sim_ims_template(s, &t);
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, root, &dd), 0);
	assert_string_equal(msidom_domain_name(dd), "P-PCI-IMS-0000:03:00.0");
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 0, NULL).virq, 1);
	m = msidom_msi_alloc_at(s->dev, SEC, 11, NULL);
	assert_int_equal(m.index, 11);
	assert_int_equal(m.virq, 2);
	assert_int_equal(msidom_domain_find_virq(root, 2), 2);
	assert_int_equal(msidom_domain_mapped(root), 1);
	/* No composer anywhere: a zero message is still written. */
	assert_int_equal(msidom_desc_msg(msidom_desc_at(dd, 11)).address_lo, 0);
	assert_true(msidom_desc_activated(msidom_desc_at(dd, 11)));
	sim_free(s);
}

/* hwirq = virq must fit the parent's hwsize; if not, nothing is left behind. */
static void test_parent_without_alloc_too_small(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_domain_info info = { .name = "TINY",
					   .flags = MSIDOM_DOMAIN_MSI_PARENT,
					   .hwsize = 3 };
	struct msidom_domain *root, *dd;
	struct msidom_template t;
	struct sim_snap snap;

	(void)state;
	assert_int_equal(msidom_domain_create(s->ctx, &info, NULL, &root), 0);
	sim_ims_template(s, &t);
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, root, &dd), 0);
	assert_int_equal(msidom_msi_alloc_at(s->dev, SEC, 0, NULL).virq, 1);
	assert_int_equal(msidom_msi_alloc_at(s->dev, SEC, 1, NULL).virq, 2);
	sim_snap_take(s, &snap);
	assert_int_equal(msidom_msi_alloc_at(s->dev, SEC, 2, NULL).index, -MSIDOM_ERANGE);
	assert_int_equal(msidom_msi_alloc_range(s->dev, SEC, 2, 3, NULL), -MSIDOM_ERANGE);
	sim_snap_assert_same(s, &snap);
	sim_snap_free(&snap);
	assert_int_equal(msidom_domain_mapped(root), 2);
	sim_free(s);
}

static void test_depth(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_domain *chain[8], *d, *dd;
	struct msidom_domain_info info = { .name = "L",
					   .flags = MSIDOM_DOMAIN_MSI_PARENT,
					   .hwsize = 64 };
	struct msidom_template t;
	struct msidom_map m;

	(void)state;
	assert_int_equal(msidom_domain_create(s->ctx, &info, NULL, &chain[0]), 0);
	for (int i = 1; i < 8; i++)
		assert_int_equal(msidom_domain_create(s->ctx, &info, chain[i - 1], &chain[i]), 0);
	/* Eight levels is the most. */
	assert_int_equal(msidom_domain_create(s->ctx, &info, chain[7], &d), -MSIDOM_EINVAL);
	assert_null(d);
	sim_msix_template(s, &t);
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, chain[7], &dd),
			 -MSIDOM_EINVAL);
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, chain[6], &dd), 0);
	m = msidom_msi_alloc_at(s->dev, SEC, 1, NULL);
	assert_int_equal(m.index, 1);
	for (int i = 0; i < 7; i++) {
		assert_int_equal(msidom_domain_find_virq(chain[i], m.virq), m.virq);
		assert_int_equal(msidom_domain_mapped(chain[i]), 1);
	}
	assert_int_equal(msidom_domain_mapped(chain[7]), 0);
	/* Destroy refuses while children or interrupts are there. */
	assert_int_equal(msidom_domain_destroy(chain[7]), 0);
	assert_int_equal(msidom_domain_destroy(chain[6]), -MSIDOM_EBUSY);
	assert_int_equal(msidom_device_domain_destroy(s->dev, SEC), 0);
	assert_int_equal(msidom_domain_mapped(chain[0]), 0);
	for (int i = 6; i >= 0; i--)
		assert_int_equal(msidom_domain_destroy(chain[i]), 0);
	sim_free(s);
}

static void test_domain_create_errors(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_domain_info info = { .name = "X", .hwsize = 16 };
	struct msidom_domain *d = (struct msidom_domain *)s;
	size_t mem = msidom_ctx_mem_bytes(s->ctx);
	unsigned int nerr = s->h.nerr;

	(void)state;
	assert_int_equal(msidom_domain_create(s->ctx, NULL, NULL, &d), -MSIDOM_EINVAL);
	assert_int_equal(msidom_domain_create(s->ctx, &info, NULL, NULL), -MSIDOM_EINVAL);
	assert_int_equal(msidom_domain_create(NULL, &info, NULL, &d), -MSIDOM_EINVAL);
	info.name = NULL;
	assert_int_equal(msidom_domain_create(s->ctx, &info, NULL, &d), -MSIDOM_EINVAL);
	assert_null(d);
	info.name = "";
	assert_int_equal(msidom_domain_create(s->ctx, &info, NULL, &d), -MSIDOM_EINVAL);
	info.name = "X";
	info.hwsize = 0;
	assert_int_equal(msidom_domain_create(s->ctx, &info, NULL, &d), -MSIDOM_EINVAL);
	info.hwsize = (1u << 24) + 1;
	assert_int_equal(msidom_domain_create(s->ctx, &info, NULL, &d), -MSIDOM_EINVAL);
	info.hwsize = 16;
	info.flags = MSIDOM_DOMAIN_DEVICE; /* device domains come from templates */
	assert_int_equal(msidom_domain_create(s->ctx, &info, NULL, &d), -MSIDOM_EINVAL);
	assert_int_equal(msidom_ctx_mem_bytes(s->ctx), mem);
	/* Each refusal with a context was logged. */
	assert_true(s->h.nerr >= nerr + 7);

	/* Destroy misuse. */
	assert_int_equal(msidom_domain_destroy(NULL), -MSIDOM_EINVAL);
	assert_int_equal(msidom_domain_destroy(s->vec.d), -MSIDOM_EBUSY);
	assert_int_equal(msidom_domain_destroy(s->ir.d), -MSIDOM_EBUSY);
	assert_int_equal(msidom_domain_destroy(s->dev_lv.d), -MSIDOM_EINVAL);
	assert_int_equal(msidom_ctx_mem_bytes(s->ctx), mem);
	sim_free(s);
}

static void test_device_domains(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_template t;
	struct msidom_domain *d = (struct msidom_domain *)s;
	size_t mem;

	(void)state;
	sim_ims_template(s, &t);
	mem = msidom_ctx_mem_bytes(s->ctx);
	assert_int_equal(msidom_device_domain_create(s->dev, MSIDOM_MAX_DOMAINS, &t, s->ir.d, &d),
			 -MSIDOM_EINVAL);
	assert_null(d);
	assert_int_equal(
		msidom_device_domain_create(s->dev, (enum msidom_slot) - 1, &t, s->ir.d, &d),
		-MSIDOM_EINVAL);
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, NULL, s->ir.d, &d),
			 -MSIDOM_EINVAL);
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, NULL, &d), -MSIDOM_EINVAL);
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, s->ir.d, NULL),
			 -MSIDOM_EINVAL);
	assert_int_equal(msidom_device_domain_create(NULL, SEC, &t, s->ir.d, &d), -MSIDOM_EINVAL);
	/* VEC is not an MSI parent in this hierarchy; a device domain is not either. */
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, s->vec.d, &d),
			 -MSIDOM_EINVAL);
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, s->dev_lv.d, &d),
			 -MSIDOM_EINVAL);
	t.hwsize = 0;
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, s->ir.d, &d), -MSIDOM_EINVAL);
	t.hwsize = MSIDOM_MAX_HWSIZE + 1;
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, s->ir.d, &d), -MSIDOM_EINVAL);
	t.hwsize = 2048;
	t.name = NULL;
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, s->ir.d, &d), -MSIDOM_EINVAL);
	t.name = "";
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, s->ir.d, &d), -MSIDOM_EINVAL);
	sim_ims_template(s, &t);
	/* The default slot is taken. */
	assert_int_equal(msidom_device_domain_create(s->dev, DEF, &t, s->ir.d, &d), -MSIDOM_EEXIST);
	assert_int_equal(msidom_ctx_mem_bytes(s->ctx), mem);
	assert_int_equal(s->ims_lv.destroyed, 0);

	/* Both slots at once; the largest hwsize is fine. */
	t.hwsize = MSIDOM_MAX_HWSIZE;
	t.ops = NULL;
	t.chip = NULL;
	assert_int_equal(msidom_device_domain_create(s->dev, SEC, &t, s->ir.d, &d), 0);
	assert_ptr_equal(msidom_device_domain(s->dev, SEC), d);
	assert_int_equal(msidom_msi_alloc_at(s->dev, SEC, MSIDOM_MAX_HWSIZE - 1, NULL).index,
			 MSIDOM_MAX_HWSIZE - 1);
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 63, NULL).index, 63);
	/* Removing the IMS slot frees its vectors and leaves MSI-X alone. */
	assert_int_equal(msidom_device_domain_destroy(s->dev, SEC), 0);
	assert_null(msidom_device_domain(s->dev, SEC));
	assert_int_equal(msidom_irq_count(s->ctx), 1);
	assert_int_equal(msidom_device_domain_destroy(s->dev, SEC), -MSIDOM_ENOENT);
	assert_int_equal(msidom_device_domain_destroy(s->dev, MSIDOM_MAX_DOMAINS), -MSIDOM_EINVAL);
	assert_int_equal(msidom_device_domain_destroy(NULL, DEF), -MSIDOM_EINVAL);
	sim_log_clear(s);
	assert_int_equal(msidom_device_domain_destroy(s->dev, DEF), 0);
	assert_string_equal(sim_log(s), "bus_lock:DEV write0:DEV deactivate:DEV deactivate:IR "
					"deactivate:VEC teardown:DEV free:DEV free:IR free:VEC "
					"sync:DEV destroy:DEV");
	assert_int_equal(msidom_irq_count(s->ctx), 0);
	assert_null(msidom_device_domain(s->dev, DEF));
	/* The slot can be populated again. */
	sim_msix_template(s, &t);
	assert_int_equal(msidom_device_domain_create(s->dev, DEF, &t, s->ir.d, &s->dev_lv.d), 0);
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 0, NULL).index, 0);
	sim_free(s);
}

static void test_device_create_errors(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_device *dev = (struct msidom_device *)s;
	size_t mem = msidom_ctx_mem_bytes(s->ctx);

	(void)state;
	assert_int_equal(
		msidom_device_create(NULL, &(struct msidom_device_info){ .name = "a" }, &dev),
		-MSIDOM_EINVAL);
	assert_int_equal(msidom_device_create(s->ctx, NULL, &dev), -MSIDOM_EINVAL);
	assert_int_equal(
		msidom_device_create(s->ctx, &(struct msidom_device_info){ .name = "a" }, NULL),
		-MSIDOM_EINVAL);
	assert_int_equal(
		msidom_device_create(s->ctx, &(struct msidom_device_info){ .name = NULL }, &dev),
		-MSIDOM_EINVAL);
	assert_int_equal(
		msidom_device_create(s->ctx, &(struct msidom_device_info){ .name = "" }, &dev),
		-MSIDOM_EINVAL);
	assert_int_equal(msidom_ctx_mem_bytes(s->ctx), mem);
	/* A device without domains: nothing to allocate from, not "isolated". */
	assert_int_equal(
		msidom_device_create(s->ctx, &(struct msidom_device_info){ .name = "b" }, &dev), 0);
	assert_int_equal(msidom_msi_alloc_at(dev, DEF, 0, NULL).index, -MSIDOM_ENOENT);
	assert_int_equal(msidom_device_msi_isolated(dev), -MSIDOM_ENOENT);
	msidom_device_destroy(dev);
	msidom_device_destroy(NULL);
	assert_int_equal(msidom_ctx_mem_bytes(s->ctx), mem);
	sim_free(s);
}

static void test_isolation(void **state)
{
	struct sim *plain = sim_new(&(struct sim_cfg){ .ims = true });
	struct sim *iso =
		sim_new(&(struct sim_cfg){ .ims = true, .ir_flags = MSIDOM_DOMAIN_ISOLATED_MSI });
	struct msidom_domain_info info = { .name = "NOIR",
					   .flags = MSIDOM_DOMAIN_MSI_PARENT,
					   .hwsize = 64 };
	struct msidom_domain *noir, *d;
	struct msidom_template t;

	(void)state;
	assert_int_equal(msidom_device_msi_isolated(plain->dev), 0);
	assert_int_equal(msidom_device_msi_isolated(iso->dev), 1);
	assert_int_equal(msidom_device_msi_isolated(NULL), -MSIDOM_EINVAL);
	/* One slot outside the remapping unit makes the device unsafe. */
	assert_int_equal(msidom_domain_create(iso->ctx, &info, NULL, &noir), 0);
	assert_int_equal(msidom_device_domain_destroy(iso->dev, SEC), 0);
	assert_int_equal(msidom_device_msi_isolated(iso->dev), 1);
	sim_ims_template(iso, &t);
	assert_int_equal(msidom_device_domain_create(iso->dev, SEC, &t, noir, &d), 0);
	assert_int_equal(msidom_device_msi_isolated(iso->dev), 0);
	/* The flag may sit anywhere on the path, even on the device domain. */
	assert_int_equal(msidom_device_domain_destroy(iso->dev, SEC), 0);
	t.flags = MSIDOM_DOMAIN_ISOLATED_MSI;
	assert_int_equal(msidom_device_domain_create(iso->dev, SEC, &t, noir, &d), 0);
	assert_int_equal(msidom_device_msi_isolated(iso->dev), 1);
	sim_free(plain);
	sim_free(iso);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_accessors),
		cmocka_unit_test(test_long_names_truncate),
		cmocka_unit_test(test_alloc_free_order),
		cmocka_unit_test(test_compose_nearest),
		cmocka_unit_test(test_reverse_maps),
		cmocka_unit_test(test_parent_without_alloc),
		cmocka_unit_test(test_parent_without_alloc_too_small),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_domain_create_errors),
		cmocka_unit_test(test_device_domains),
		cmocka_unit_test(test_device_create_errors),
		cmocka_unit_test(test_isolation),
	};

	return cmocka_run_group_tests_name("unit-hierarchy", tests, NULL, sim_group_teardown);
}
