/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Domains and the hierarchy (ops order, names, flags,
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
	assert_int_equal(msidom_device_create(
				 s->ctx,
				 &(struct msidom_device_info){
					 .sz = sizeof(struct msidom_device_info), .name = name },
				 &dev),
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
		MSIDOM_OPTS(msidom_domain_info, info, .name = name, .hwsize = 1);
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
	m = msidom_msi_alloc_at(s->dev, DEF, 6,
				&(struct msidom_alloc_opts){ .sz = sizeof(struct msidom_alloc_opts),
							     .unmasked = true });
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
				&(struct msidom_alloc_opts){ .sz = sizeof(struct msidom_alloc_opts),
							     .affinity = sim_cpu1(2) });
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
	MSIDOM_OPTS(msidom_domain_info, info, .name = "PLAIN", .flags = MSIDOM_DOMAIN_MSI_PARENT,
		    .hwsize = 4096, .child_prefix = "P-");
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
	MSIDOM_OPTS(msidom_domain_info, info, .name = "TINY", .flags = MSIDOM_DOMAIN_MSI_PARENT,
		    .hwsize = 3);
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
	MSIDOM_OPTS(msidom_domain_info, info, .name = "L", .flags = MSIDOM_DOMAIN_MSI_PARENT,
		    .hwsize = 64);
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
	MSIDOM_OPTS(msidom_domain_info, info, .name = "X", .hwsize = 16);
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
		msidom_device_create(NULL,
				     &(struct msidom_device_info){
					     .sz = sizeof(struct msidom_device_info), .name = "a" },
				     &dev),
		-MSIDOM_EINVAL);
	assert_int_equal(msidom_device_create(s->ctx, NULL, &dev), -MSIDOM_EINVAL);
	assert_int_equal(
		msidom_device_create(s->ctx,
				     &(struct msidom_device_info){
					     .sz = sizeof(struct msidom_device_info), .name = "a" },
				     NULL),
		-MSIDOM_EINVAL);
	assert_int_equal(msidom_device_create(
				 s->ctx,
				 &(struct msidom_device_info){
					 .sz = sizeof(struct msidom_device_info), .name = NULL },
				 &dev),
			 -MSIDOM_EINVAL);
	assert_int_equal(
		msidom_device_create(s->ctx,
				     &(struct msidom_device_info){
					     .sz = sizeof(struct msidom_device_info), .name = "" },
				     &dev),
		-MSIDOM_EINVAL);
	assert_int_equal(msidom_ctx_mem_bytes(s->ctx), mem);
	/* A device without domains: nothing to allocate from, not "isolated". */
	assert_int_equal(
		msidom_device_create(s->ctx,
				     &(struct msidom_device_info){
					     .sz = sizeof(struct msidom_device_info), .name = "b" },
				     &dev),
		0);
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
	MSIDOM_OPTS(msidom_domain_info, info, .name = "NOIR", .flags = MSIDOM_DOMAIN_MSI_PARENT,
		    .hwsize = 64);
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

/* A device domain is no parent: removing it would leave the child pointing at freed memory. */
static void test_domain_under_a_device_domain_is_refused(void **state)
{
	struct sim *s = sim_new(NULL);
	MSIDOM_OPTS(msidom_domain_info, info, .name = "CHILD", .hwsize = 16);
	struct msidom_domain *child = NULL;
	unsigned int nerr = s->h.nerr;

	(void)state;
	assert_int_equal(msidom_domain_create(s->ctx, &info, s->dev_lv.d, &child), -MSIDOM_EINVAL);
	assert_null(child);
	assert_int_equal(s->h.nerr, nerr + 1);
	sim_free(s);
}

/*
 * MSIDOM_DOMAIN_MSI_PARENT on a template does not make a device domain a
 * parent: another device's domain under it (whose level 1 would insert
 * into the descriptor store, the device domain's reverse map) is refused.
 */
static void test_device_domain_is_no_parent_even_with_the_msi_parent_flag(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_device *a = sim_device(s, "0000:04:00.0");
	struct msidom_device *b = sim_device(s, "0000:05:00.0");
	struct msidom_domain *da = NULL, *db = NULL;
	struct msidom_template t;

	(void)state;
	sim_msix_template(s, &t);
	t.ops = NULL;
	t.chip = NULL;
	t.priv = NULL;
	t.flags |= MSIDOM_DOMAIN_MSI_PARENT;
	assert_int_equal(msidom_device_domain_create(a, DEF, &t, sim_msi_parent(s), &da), 0);
	t.flags &= ~(uint32_t)MSIDOM_DOMAIN_MSI_PARENT;
	assert_int_equal(msidom_device_domain_create(b, DEF, &t, da, &db), -MSIDOM_EINVAL);
	assert_null(db);
	sim_free(s);
}

/* ---- device level: its reverse map is the descriptor store ---- */

static int level0_hwirq_ret;
static int level0_map_ret;

/* A device-level alloc that (wrongly) moves the device hwirq, i.e. the index. */
static int moving_dev_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data,
			    unsigned int nr, const struct msidom_alloc_arg *arg)
{
	(void)d;
	(void)arg;
	for (unsigned int i = 0; i < nr; i++)
		level0_hwirq_ret =
			msidom_irq_data_set_hwirq(data[i], msidom_irq_data_hwirq(data[i]) + 1);
	return 0;
}

/* A device-level activate that maps an extra hwirq in its own domain. */
static int mapping_dev_activate(struct msidom_domain *d, struct msidom_irq_data *data)
{
	level0_map_ret = msidom_domain_map(d, msidom_irq_data_hwirq(data) + 5, data);
	return 0;
}

static const struct msidom_domain_ops moving_dev_ops = { .sz = sizeof(struct msidom_domain_ops),
							 .alloc = moving_dev_alloc };
static const struct msidom_domain_ops mapping_dev_ops = { .sz = sizeof(struct msidom_domain_ops),
							  .activate = mapping_dev_activate };

static struct msidom_domain *plain_device_domain(struct sim *s, struct msidom_device *dev,
						 const struct msidom_domain_ops *ops)
{
	MSIDOM_OPTS(msidom_template, t, .name = "PCI-MSIX", .bus = MSIDOM_BUS_PCI_MSIX,
		    .hwsize = 16, .ops = ops);
	struct msidom_domain *dd;

	assert_int_equal(msidom_device_domain_create(dev, DEF, &t, sim_msi_parent(s), &dd), 0);
	return dd;
}

/*
 * The device level's hwirq is the index the descriptor store is keyed
 * by: msidom_irq_data_set_hwirq() there is refused, so the map reports
 * the index asked for and the free clears it.
 */
static void test_device_level_cannot_move_its_hwirq(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_device *dev = sim_device(s, "0000:06:00.0");
	struct msidom_domain *dd = plain_device_domain(s, dev, &moving_dev_ops);
	struct msidom_map m;

	(void)state;
	level0_hwirq_ret = 0;
	m = msidom_msi_alloc_at(dev, DEF, 0, NULL);
	assert_int_equal(level0_hwirq_ret, -MSIDOM_EINVAL);
	assert_int_equal(m.index, 0);
	assert_int_equal(msidom_desc_index(msidom_desc_at(dd, 0)), 0);
	assert_int_equal(msidom_msi_free(dev, DEF, 0), 0);
	assert_null(msidom_desc_at(dd, 0));
	sim_free(s);
}

/*
 * msidom_domain_map() on a device domain would add a second store entry
 * for one descriptor (msidom_desc_at(5) returning index 0's): refused.
 */
static void test_device_level_cannot_map_extra_hwirqs(void **state)
{
	struct sim *s = sim_new(NULL);
	struct msidom_device *dev = sim_device(s, "0000:07:00.0");
	struct msidom_domain *dd = plain_device_domain(s, dev, &mapping_dev_ops);
	struct msidom_map m;

	(void)state;
	level0_map_ret = 0;
	m = msidom_msi_alloc_at(dev, DEF, 0, NULL);
	assert_int_equal(m.index, 0);
	assert_int_equal(level0_map_ret, -MSIDOM_EINVAL);
	assert_null(msidom_desc_at(dd, 5));
	assert_int_equal(msidom_domain_mapped(dd), 1);
	sim_free(s);
}

static const struct msidom_alloc_opts unmasked = { .sz = sizeof(struct msidom_alloc_opts),
						   .unmasked = true };

/*
 * A device domain with a batch open on it stays: its recorded updates
 * have not reached the device, and the caller's batch_end still needs it.
 */
static void test_device_domain_destroy_in_an_open_batch_is_busy(void **state)
{
	struct sim *s = sim_new(NULL);

	(void)state;
	sim_alloc_virq(s, 0, &unmasked);
	assert_int_equal(msidom_domain_batch_begin(s->dev_lv.d), 0);
	sim_log_clear(s);
	assert_int_equal(msidom_device_domain_destroy(s->dev, DEF), -MSIDOM_EBUSY);
	assert_non_null(msidom_device_domain(s->dev, DEF));
	assert_string_equal(sim_log(s), "");
	assert_int_equal(msidom_domain_batch_end(s->dev_lv.d), 0);
	sim_free(s);
}

/* The same for msidom_domain_destroy(): a root with a batch open stays. */
static void test_domain_destroy_in_an_open_batch_is_busy(void **state)
{
	struct sim *s = sim_new(NULL);
	MSIDOM_OPTS(msidom_domain_info, ri, .name = "LONE", .hwsize = 16);
	struct msidom_domain *r;

	(void)state;
	assert_int_equal(msidom_domain_create(s->ctx, &ri, NULL, &r), 0);
	assert_int_equal(msidom_domain_batch_begin(r), 0);
	assert_int_equal(msidom_domain_destroy(r), -MSIDOM_EBUSY);
	assert_int_equal(msidom_domain_batch_end(r), 0);
	assert_int_equal(msidom_domain_destroy(r), 0);
	sim_free(s);
}

/*
 * msidom_device_domain_destroy() reports the error of the final batch
 * sync (the zeroed messages may never have reached the device) and logs
 * it, like msidom_msi_free(); the domain is gone all the same.
 */
static void test_device_domain_destroy_reports_a_failed_final_sync(void **state)
{
	struct sim *s = sim_new(NULL);
	unsigned int before;

	(void)state;
	sim_alloc_virq(s, 0, &unmasked);
	before = s->h.nerr;
	sim_fail(s, "sync:DEV", 1, -MSIDOM_EIO);
	assert_int_equal(msidom_device_domain_destroy(s->dev, DEF), -MSIDOM_EIO);
	assert_null(msidom_device_domain(s->dev, DEF));
	assert_true(s->h.nerr > before);
	sim_free(s);
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
		cmocka_unit_test(test_domain_under_a_device_domain_is_refused),
		cmocka_unit_test(test_device_domain_is_no_parent_even_with_the_msi_parent_flag),
		cmocka_unit_test(test_device_level_cannot_move_its_hwirq),
		cmocka_unit_test(test_device_level_cannot_map_extra_hwirqs),
		cmocka_unit_test(test_device_domain_destroy_in_an_open_batch_is_busy),
		cmocka_unit_test(test_domain_destroy_in_an_open_batch_is_busy),
		cmocka_unit_test(test_device_domain_destroy_reports_a_failed_final_sync),
	};

	return cmocka_run_group_tests_name("unit-hierarchy", tests, NULL, sim_group_teardown);
}
