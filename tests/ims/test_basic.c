/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IMS beside MSI-X on one device: naming, index spaces, isolation, bad
 * input, exact MMIO sequences of the device-array storage, cookies,
 * mask-before-free and affinity through the parent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define IMS_NAME  "IR-PCI-IMS-0000:03:00.0"
#define MSIX_NAME "IR-PCI-MSIX-0000:03:00.0"

static const struct msidom_ims_info ims_info_4096 = { .sz = sizeof(struct msidom_ims_info),
						      .hwsize = SIM_IMS_ENTRIES };

static struct msidom_map alloc_ims(struct fx *f, uint32_t index, bool unmasked,
				   const uint64_t *cookie)
{
	MSIDOM_OPTS(msidom_alloc_opts, o, .unmasked = unmasked);

	if (cookie) {
		o.has_cookie = true;
		o.cookie.value = *cookie;
	}
	return msidom_msi_alloc_at(f->dev, MSIDOM_SECONDARY_DOMAIN, index, &o);
}

static void test_coexistence(void **state)
{
	struct fx *f = *state;
	struct sim_mmio *mm = malloc(sizeof(*mm));
	struct msidom_ims_array_config cfg;
	struct msidom_domain *d2 = NULL;
	struct msidom_map m;
	char *dump;

	assert_non_null(mm);
	sim_mmio_init(mm, SIM_IMS_ENTRIES);
	sim_mmio_config(mm, &cfg);
	assert_int_equal(
		msidom_ims_array_domain_create(f->dev, &ims_info_4096, &cfg, f->root.d, &f->ims),
		0);
	assert_ptr_equal(msidom_device_domain(f->dev, MSIDOM_SECONDARY_DOMAIN), f->ims);
	assert_string_equal(msidom_domain_name(f->ims), IMS_NAME);
	assert_string_equal(msidom_domain_name(f->msix.d), MSIX_NAME);
	assert_ptr_equal(msidom_domain_parent(f->ims), f->root.d);
	assert_ptr_equal(msidom_domain_parent(f->msix.d), f->root.d);
	assert_int_equal(msidom_domain_bus(f->ims), MSIDOM_BUS_PCI_IMS);
	assert_int_equal(msidom_domain_hwsize(f->ims), SIM_IMS_ENTRIES);
	assert_true(msidom_domain_flags(f->ims) & MSIDOM_DOMAIN_MASK_ON_FREE);
	assert_true(msidom_domain_flags(f->ims) & MSIDOM_DOMAIN_DEVICE);

	/* A second IMS domain on the same device is refused. */
	assert_int_equal(
		msidom_ims_array_domain_create(f->dev, &ims_info_4096, &cfg, f->root.d, &d2),
		-MSIDOM_EEXIST);
	assert_null(d2);

	/* Each domain has its own index space: index 0 twice, both live. */
	for (uint32_t i = 0; i < 4; i++) {
		m = msidom_msi_alloc_at(f->dev, MSIDOM_DEFAULT_DOMAIN, i, NULL);
		assert_int_equal(m.index, (int32_t)i);
	}
	m = alloc_ims(f, 0, false, NULL);
	assert_int_equal(m.index, 0);
	m = alloc_ims(f, MSIDOM_INDEX_ANY, false, NULL);
	assert_int_equal(m.index, 1);
	m = alloc_ims(f, 4000, false, NULL);
	assert_int_equal(m.index, 4000);
	m = alloc_ims(f, MSIDOM_INDEX_ANY, false, NULL);
	assert_int_equal(m.index, 2);
	m = alloc_ims(f, 4000, false, NULL);
	assert_int_equal(m.index, -MSIDOM_EEXIST);
	assert_int_equal(msidom_irq_count(f->ctx), 4 + 4);
	assert_int_equal(msidom_domain_mapped(f->root.d), 8);
	assert_int_equal(f->root.nr_used, 8);

	/* Messages landed in the right storage: MSI-X table and IMS array. */
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(f->msix.table[i][0], 0xFEE00000u);
	assert_int_equal(mm->mem[4000 * 4 + 0], 0xFEE00000u);
	assert_int_equal(mm->mem[4000 * 4 + 2], msidom_desc_msg(msidom_desc_at(f->ims, 4000)).data);

	/* Both under an isolating parent: the device answer is "isolated". */
	assert_int_equal(msidom_device_msi_isolated(f->dev), 1);

	/* The dump shows both domains of the device. */
	dump = ts_dump(f->ctx);
	assert_non_null(strstr(dump, IMS_NAME));
	assert_non_null(strstr(dump, MSIX_NAME));
	free(dump);

	/* Freeing IMS vectors leaves MSI-X alone. */
	assert_int_equal(msidom_msi_free_all(f->dev, MSIDOM_SECONDARY_DOMAIN), 4);
	assert_int_equal(msidom_irq_count(f->ctx), 4);
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	assert_null(msidom_device_domain(f->dev, MSIDOM_SECONDARY_DOMAIN));
	assert_int_equal(msidom_msi_free_all(f->dev, MSIDOM_DEFAULT_DOMAIN), 4);
	sim_mmio_fini(mm);
	free(mm);
}

/* The isolation answer covers IMS too: an IMS domain under a non-isolating root spoils it. */
static void test_isolation_covers_ims(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = malloc(sizeof(*s));
	struct sim_root *plain = malloc(sizeof(*plain));
	struct msidom_ims_storage st;

	assert_true(s && plain);
	sim_storage_init(s, 16, false);
	st = sim_storage_of(s);
	assert_int_equal(msidom_device_msi_isolated(f->dev), 1);
	assert_int_equal(sim_root_create(f->ctx, plain, "PLAIN", false), 0);
	assert_int_equal(msidom_ims_domain_create(
				 f->dev,
				 &(struct msidom_ims_info){ .sz = sizeof(struct msidom_ims_info),
							    .hwsize = 16 },
				 &st, plain->d, &f->ims),
			 0);
	assert_string_equal(msidom_domain_name(f->ims), "PCI-IMS-0000:03:00.0");
	assert_int_equal(msidom_device_msi_isolated(f->dev), 0);
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	assert_int_equal(msidom_device_msi_isolated(f->dev), 1);

	assert_int_equal(msidom_ims_domain_create(
				 f->dev,
				 &(struct msidom_ims_info){ .sz = sizeof(struct msidom_ims_info),
							    .hwsize = 16 },
				 &st, f->root.d, &f->ims),
			 0);
	assert_int_equal(msidom_device_msi_isolated(f->dev), 1);
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	assert_int_equal(msidom_domain_destroy(plain->d), 0);
	sim_root_fini(plain);
	free(plain);
	sim_storage_fini(s);
	free(s);
}

static void test_bad_input(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = malloc(sizeof(*s));
	struct sim_mmio *mm = malloc(sizeof(*mm));
	struct msidom_ims_storage st;
	struct msidom_ims_storage_ops half;
	struct msidom_ims_array_config cfg;
	struct msidom_ims_queue_config qc = { .sz = sizeof(struct msidom_ims_queue_config) };
	uint32_t entries[8][4];
	MSIDOM_OPTS(msidom_ims_info, info, .hwsize = 16);
	struct msidom_domain *d = (struct msidom_domain *)1;
	size_t mem = msidom_ctx_mem_bytes(f->ctx);
	unsigned int errs;

	assert_true(s && mm);
	sim_storage_init(s, 16, true);
	sim_mmio_init(mm, 8);
	sim_mmio_config(mm, &cfg);
	st = sim_storage_of(s);

	/* NULL arguments. */
	assert_int_equal(msidom_ims_domain_create(NULL, &info, &st, f->root.d, &d), -MSIDOM_EINVAL);
	assert_null(d);
	assert_int_equal(msidom_ims_domain_create(f->dev, NULL, &st, f->root.d, &d),
			 -MSIDOM_EINVAL);
	assert_int_equal(msidom_ims_domain_create(f->dev, &info, NULL, f->root.d, &d),
			 -MSIDOM_EINVAL);
	assert_int_equal(msidom_ims_domain_create(f->dev, &info, &st, NULL, &d), -MSIDOM_EINVAL);
	assert_int_equal(msidom_ims_domain_create(f->dev, &info, &st, f->root.d, NULL),
			 -MSIDOM_EINVAL);

	/* hwsize outside 1..65536. */
	errs = f->h.nerr;
	info.hwsize = 0;
	assert_int_equal(msidom_ims_domain_create(f->dev, &info, &st, f->root.d, &d),
			 -MSIDOM_EINVAL);
	assert_true(f->h.nerr > errs);
	info.hwsize = MSIDOM_MAX_HWSIZE + 1;
	assert_int_equal(msidom_ims_domain_create(f->dev, &info, &st, f->root.d, &d),
			 -MSIDOM_EINVAL);
	info.hwsize = 16;

	/* Missing mandatory callbacks, or half a bus lock pair. */
	half = *st.ops;
	half.unmask = NULL;
	st.ops = &half;
	assert_int_equal(msidom_ims_domain_create(f->dev, &info, &st, f->root.d, &d),
			 -MSIDOM_EINVAL);
	half = *sim_storage_of(s).ops;
	half.bus_sync_unlock = NULL;
	assert_int_equal(msidom_ims_domain_create(f->dev, &info, &st, f->root.d, &d),
			 -MSIDOM_EINVAL);
	st = sim_storage_of(s);

	/* Array: more slots than entries, no accessors, no entries. */
	info.hwsize = 9;
	assert_int_equal(msidom_ims_array_domain_create(f->dev, &info, &cfg, f->root.d, &d),
			 -MSIDOM_EINVAL);
	info.hwsize = 0;
	cfg.write32 = NULL;
	assert_int_equal(msidom_ims_array_domain_create(f->dev, &info, &cfg, f->root.d, &d),
			 -MSIDOM_EINVAL);
	sim_mmio_config(mm, &cfg);
	cfg.nr_entries = 0;
	assert_int_equal(msidom_ims_array_domain_create(f->dev, &info, &cfg, f->root.d, &d),
			 -MSIDOM_EINVAL);

	/* Queue: misaligned base, short stride, too many entries. */
	qc.base = (char *)entries + 1;
	qc.nr_entries = 8;
	assert_int_equal(msidom_ims_queue_domain_create(f->dev, &info, &qc, f->root.d, &d),
			 -MSIDOM_EINVAL);
	qc.base = entries;
	qc.stride = 8;
	assert_int_equal(msidom_ims_queue_domain_create(f->dev, &info, &qc, f->root.d, &d),
			 -MSIDOM_EINVAL);
	qc.stride = 0;
	qc.nr_entries = MSIDOM_MAX_HWSIZE + 1;
	assert_int_equal(msidom_ims_queue_domain_create(f->dev, &info, &qc, f->root.d, &d),
			 -MSIDOM_EINVAL);

	/* A parent that is not an MSI parent: the core refuses, nothing leaks. */
	{
		struct msidom_domain *leaf = NULL;
		MSIDOM_OPTS(msidom_domain_info, li, .name = "LEAF", .hwsize = 4);

		assert_int_equal(msidom_domain_create(f->ctx, &li, NULL, &leaf), 0);
		mem = msidom_ctx_mem_bytes(f->ctx);
		info.hwsize = 16;
		assert_true(msidom_ims_domain_create(f->dev, &info, &st, leaf, &d) < 0);
		assert_true(msidom_ims_array_domain_create(f->dev, &info, &cfg, leaf, &d) < 0);
		assert_int_equal(msidom_ctx_mem_bytes(f->ctx), mem);
		assert_int_equal(msidom_domain_destroy(leaf), 0);
		mem = msidom_ctx_mem_bytes(f->ctx);
	}
	assert_int_equal(msidom_ctx_mem_bytes(f->ctx), mem);
	assert_null(msidom_device_domain(f->dev, MSIDOM_SECONDARY_DOMAIN));
	assert_int_equal(s->calls[CB_LOCK], 0);
	assert_int_equal(mm->naccess, 0);
	sim_mmio_fini(mm);
	free(mm);
	sim_storage_fini(s);
	free(s);
}

static void test_slot_range(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = malloc(sizeof(*s));
	struct msidom_ims_storage st;
	struct sim_snap before, after;
	struct msidom_map m;

	assert_non_null(s);
	sim_storage_init(s, SIM_IMS_ENTRIES, false);
	st = sim_storage_of(s);
	assert_int_equal(msidom_ims_domain_create(f->dev, &ims_info_4096, &st, f->root.d, &f->ims),
			 0);
	sim_snap(f->ctx, f->dev, &f->root, &before);
	m = alloc_ims(f, SIM_IMS_ENTRIES, false, NULL);
	assert_int_equal(m.index, -MSIDOM_ERANGE);
	assert_int_equal(m.virq, 0);
	m = alloc_ims(f, UINT32_MAX - 1, false, NULL);
	assert_int_equal(m.index, -MSIDOM_ERANGE);
	assert_int_equal(msidom_msi_alloc_range(f->dev, MSIDOM_SECONDARY_DOMAIN, 4090,
						SIM_IMS_ENTRIES, NULL),
			 -MSIDOM_ERANGE);
	sim_snap(f->ctx, f->dev, &f->root, &after);
	sim_snap_expect_equal(&before, &after);
	assert_int_equal(s->nev, 0);

	m = alloc_ims(f, SIM_IMS_ENTRIES - 1, false, NULL);
	assert_int_equal(m.index, SIM_IMS_ENTRIES - 1);
	assert_int_equal(msidom_msi_alloc_range(f->dev, MSIDOM_SECONDARY_DOMAIN, 10, 19, NULL), 0);
	assert_int_equal(
		msidom_msi_free_range(f->dev, MSIDOM_SECONDARY_DOMAIN, 0, SIM_IMS_ENTRIES - 1), 11);
	assert_int_equal(s->nprepared, 0);
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	sim_storage_fini(s);
	free(s);
}

#define R(o, v)               \
	{                     \
		'R', (o), (v) \
	}
#define W(o, v)               \
	{                     \
		'W', (o), (v) \
	}

static void test_array_sequences(void **state)
{
	struct fx *f = *state;
	struct sim_mmio *mm = malloc(sizeof(*mm));
	struct msidom_ims_array_config cfg;
	struct msidom_map m;
	uint64_t cpu3 = 1u << 3;
	struct msidom_cpumask mask3 = { 8, &cpu3 };
	uint32_t hw, e;

	assert_non_null(mm);
	sim_mmio_init(mm, SIM_IMS_ENTRIES);
	sim_mmio_config(mm, &cfg);
	assert_int_equal(msidom_ims_array_domain_create(
				 f->dev,
				 &(struct msidom_ims_info){ .sz = sizeof(struct msidom_ims_info) },
				 &cfg, f->root.d, &f->ims),
			 0);
	assert_int_equal(msidom_domain_hwsize(f->ims), SIM_IMS_ENTRIES);
	assert_int_equal(mm->naccess, 0);

	/* Masked allocation of a fresh (masked) entry: no control writes. */
	m = alloc_ims(f, 5, false, NULL);
	assert_int_equal(m.index, 5);
	hw = msidom_desc_msg(msidom_desc_at(f->ims, 5)).data;
	e = 5 * 16;
	{
		const struct sim_access want[] = {
			R(e + 12, 1), W(e + 0, 0xFEE00000u), W(e + 4, 0),
			W(e + 8, hw), R(e + 12, 1),
		};
		sim_mmio_expect(mm, want, 5, "alloc masked");
	}

	/* Unmask: clear bit 0, read back. */
	assert_int_equal(msidom_irq_unmask(f->ctx, m.virq), 0);
	{
		const struct sim_access want[] = { R(e + 12, 1), W(e + 12, 0), R(e + 12, 0) };
		sim_mmio_expect(mm, want, 3, "unmask");
	}
	/* Unmask again: already clear, no write. */
	assert_int_equal(msidom_irq_unmask(f->ctx, m.virq), 0);
	{
		const struct sim_access want[] = { R(e + 12, 0), R(e + 12, 0) };
		sim_mmio_expect(mm, want, 2, "unmask twice");
	}

	/* Affinity through the parent: mask, rewrite (new address), unmask. */
	assert_int_equal(msidom_irq_set_affinity(f->ctx, m.virq, &mask3), 0);
	{
		const struct sim_access want[] = {
			R(e + 12, 0),          W(e + 12, 1), R(e + 12, 1), R(e + 12, 1),
			W(e + 0, 0xFEE03000u), W(e + 4, 0),  W(e + 8, hw), R(e + 12, 1),
			R(e + 12, 1),          W(e + 12, 0), R(e + 12, 0),
		};
		sim_mmio_expect(mm, want, 11, "set_affinity");
	}
	assert_int_equal(msidom_desc_cpu(msidom_desc_at(f->ims, 5)), 3);

	/* Other control bits survive every update. */
	mm->mem[5 * 4 + 3] |= 0x100u;
	assert_int_equal(msidom_irq_mask(f->ctx, m.virq), 0);
	{
		const struct sim_access want[] = { R(e + 12, 0x100), W(e + 12, 0x101),
						   R(e + 12, 0x101) };
		sim_mmio_expect(mm, want, 3, "mask keeps other bits");
	}
	assert_int_equal(msidom_irq_unmask(f->ctx, m.virq), 0);
	mm->ntrace = 0;

	/* Free of an unmasked slot: mask first, then the zeroed message. */
	assert_int_equal(msidom_msi_free(f->dev, MSIDOM_SECONDARY_DOMAIN, 5), 0);
	{
		const struct sim_access want[] = {
			R(e + 12, 0x100), W(e + 12, 0x101), R(e + 12, 0x101), R(e + 12, 0x101),
			W(e + 0, 0),      W(e + 4, 0),      W(e + 8, 0),      R(e + 12, 0x101),
		};
		sim_mmio_expect(mm, want, 8, "free unmasked");
	}

	/* Unmasked allocation: message first, then unmask. */
	m = alloc_ims(f, 7, true, NULL);
	assert_int_equal(m.index, 7);
	hw = msidom_desc_msg(msidom_desc_at(f->ims, 7)).data;
	e = 7 * 16;
	{
		const struct sim_access want[] = {
			R(e + 12, 1), W(e + 0, 0xFEE00000u), W(e + 4, 0),  W(e + 8, hw),
			R(e + 12, 1), R(e + 12, 1),          W(e + 12, 0), R(e + 12, 0),
		};
		sim_mmio_expect(mm, want, 8, "alloc unmasked");
	}
	/* A refresh of a live slot masks across the rewrite too. */
	assert_int_equal(msidom_irq_refresh_msg(f->ctx, m.virq), 0);
	{
		const struct sim_access want[] = {
			R(e + 12, 0),          W(e + 12, 1), R(e + 12, 1), R(e + 12, 1),
			W(e + 0, 0xFEE00000u), W(e + 4, 0),  W(e + 8, hw), R(e + 12, 1),
			R(e + 12, 1),          W(e + 12, 0), R(e + 12, 0),
		};
		sim_mmio_expect(mm, want, 11, "refresh");
	}
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	{
		const struct sim_access want[] = {
			R(e + 12, 0), W(e + 12, 1), R(e + 12, 1), R(e + 12, 1),
			W(e + 0, 0),  W(e + 4, 0),  W(e + 8, 0),  R(e + 12, 1),
		};
		sim_mmio_expect(mm, want, 8, "remove domain");
	}
	sim_mmio_fini(mm);
	free(mm);
}

/* Storage without a bus lock sees every update at once: writing an unmasked entry directly. */
static void test_array_write_unmasked_entry(void **state)
{
	struct fx *f = *state;
	struct sim_mmio *mm = malloc(sizeof(*mm));
	struct msidom_ims_array_config cfg;
	struct msidom_map m;
	uint32_t hw, e = 2 * 16;

	assert_non_null(mm);
	sim_mmio_init(mm, 4);
	sim_mmio_config(mm, &cfg);
	assert_int_equal(msidom_ims_array_domain_create(
				 f->dev,
				 &(struct msidom_ims_info){ .sz = sizeof(struct msidom_ims_info) },
				 &cfg, f->root.d, &f->ims),
			 0);
	/* An entry the device left unmasked at reset: the write masks around itself. */
	mm->mem[2 * 4 + 3] = 0;
	m = alloc_ims(f, 2, true, NULL);
	assert_int_equal(m.index, 2);
	hw = msidom_desc_msg(msidom_desc_at(f->ims, 2)).data;
	{
		const struct sim_access want[] = {
			R(e + 12, 0), W(e + 12, 1), W(e + 0, 0xFEE00000u),
			W(e + 4, 0),  W(e + 8, hw), W(e + 12, 0),
			R(e + 12, 0), R(e + 12, 0), R(e + 12, 0),
		};
		sim_mmio_expect(mm, want, 9, "write unmasked entry");
	}
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	assert_int_equal(mm->mem[2 * 4 + 3], 1);
	assert_int_equal(mm->mem[2 * 4 + 0], 0);
	sim_mmio_fini(mm);
	free(mm);
}

static void test_cookies(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = malloc(sizeof(*s));
	struct msidom_ims_storage st;
	MSIDOM_OPTS(msidom_ims_info, info, .hwsize = 64, .default_cookie.value = 0xD00D);
	uint64_t want[64];
	uint32_t virq[64];

	assert_non_null(s);
	sim_storage_init(s, 64, false);
	st = sim_storage_of(s);
	assert_int_equal(msidom_ims_domain_create(f->dev, &info, &st, f->root.d, &f->ims), 0);

	for (uint32_t i = 0; i < 64; i++) {
		/* Every third slot takes the domain's default cookie. */
		uint64_t pasid = 0x1000u + i * 7u;
		struct msidom_map m = alloc_ims(f, MSIDOM_INDEX_ANY, i & 1, i % 3 ? &pasid : NULL);

		assert_int_equal(m.index, (int32_t)i);
		want[i] = i % 3 ? pasid : 0xD00D;
		virq[i] = m.virq;
		assert_int_equal(msidom_desc_cookie(msidom_desc_at(f->ims, i)).value, want[i]);
		assert_int_equal(s->cookie[i], want[i]);
	}
	for (uint32_t i = 0; i < 64; i++) {
		assert_int_equal(msidom_irq_mask(f->ctx, virq[i]), 0);
		assert_int_equal(msidom_irq_unmask(f->ctx, virq[i]), 0);
	}
	assert_int_equal(msidom_msi_free_all(f->dev, MSIDOM_SECONDARY_DOMAIN), 64);
	assert_int_equal(s->nprepared, 0);

	/* Every callback for a slot carried that slot's cookie, and each kind was seen. */
	assert_true(s->nev < SIM_EVENTS_MAX);
	for (unsigned int i = 0; i < s->nev; i++) {
		const struct sim_event *e = &s->ev[i];

		assert_true(e->slot < 64);
		assert_int_equal(e->cookie, want[e->slot]);
	}
	assert_int_equal(s->calls[CB_PREPARE], 64);
	assert_int_equal(s->calls[CB_RELEASE], 64);
	assert_int_equal(s->calls[CB_WRITE], 128);
	assert_int_equal(s->calls[CB_UNMASK], 64 + 32);
	assert_int_equal(s->calls[CB_MASK], 64 + 64);

	/* A cookie given at an index reused later is that allocation's own. */
	{
		uint64_t c = 0xABCDEF;
		struct msidom_map m = alloc_ims(f, 3, false, &c);

		assert_int_equal(m.index, 3);
		assert_int_equal(s->cookie[3], c);
		assert_int_equal(msidom_msi_free(f->dev, MSIDOM_SECONDARY_DOMAIN, 3), 0);
		m = alloc_ims(f, 3, false, NULL);
		assert_int_equal(s->cookie[3], 0xD00D);
	}
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	assert_int_equal(s->nprepared, 0);
	sim_storage_fini(s);
	free(s);
}

/* Each free of an unmasked slot: mask, zeroed write, release, in that order. */
static void test_mask_on_free(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = malloc(sizeof(*s));
	struct msidom_ims_storage st;
	struct msidom_map m;

	assert_non_null(s);
	sim_storage_init(s, 8, false);
	st = sim_storage_of(s);
	assert_int_equal(msidom_ims_domain_create(
				 f->dev,
				 &(struct msidom_ims_info){ .sz = sizeof(struct msidom_ims_info),
							    .hwsize = 8 },
				 &st, f->root.d, &f->ims),
			 0);
	m = alloc_ims(f, 4, true, NULL);
	assert_int_equal(m.index, 4);
	assert_true(s->unmasked[4]);
	sim_storage_reset_events(s);
	assert_int_equal(msidom_msi_free(f->dev, MSIDOM_SECONDARY_DOMAIN, 4), 0);
	assert_int_equal(s->nev, 5);
	assert_int_equal(s->ev[0].cb, CB_MASK);
	assert_int_equal(s->ev[1].cb, CB_APPLY_MASK);
	assert_int_equal(s->ev[2].cb, CB_WRITE);
	assert_int_equal(s->ev[2].msg.address_lo, 0);
	assert_int_equal(s->ev[2].msg.data, 0);
	assert_int_equal(s->ev[3].cb, CB_APPLY_WRITE);
	assert_int_equal(s->ev[4].cb, CB_RELEASE);
	assert_false(s->unmasked[4]);

	/* A masked slot is not masked twice. */
	m = alloc_ims(f, 4, false, NULL);
	sim_storage_reset_events(s);
	assert_int_equal(msidom_msi_free(f->dev, MSIDOM_SECONDARY_DOMAIN, 4), 0);
	assert_int_equal(s->nev, 3);
	assert_int_equal(s->ev[0].cb, CB_WRITE);
	assert_int_equal(s->ev[2].cb, CB_RELEASE);
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	sim_storage_fini(s);
	free(s);
}

/* IMS has no set_affinity: without a retargeting parent the change is refused. */
static void test_no_affinity_of_its_own(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = malloc(sizeof(*s));
	struct msidom_ims_storage st;
	uint64_t bits = 2;
	struct msidom_cpumask mask = { 2, &bits };
	struct msidom_map m;

	assert_non_null(s);
	sim_storage_init(s, 8, false);
	st = sim_storage_of(s);
	assert_int_equal(msidom_ims_domain_create(
				 f->dev,
				 &(struct msidom_ims_info){ .sz = sizeof(struct msidom_ims_info),
							    .hwsize = 8 },
				 &st, f->root.d, &f->ims),
			 0);
	m = alloc_ims(f, 0, true, NULL);
	assert_int_equal(m.index, 0);
	sim_storage_reset_events(s);
	/* The root retargets; the storage only sees mask, write, unmask. */
	assert_int_equal(msidom_irq_set_affinity(f->ctx, m.virq, &mask), 0);
	assert_int_equal(s->calls[CB_WRITE], 2);
	assert_int_equal(s->msg[0].address_lo, 0xFEE01000u);
	assert_int_equal(s->ev[0].cb, CB_MASK);
	assert_int_equal(s->ev[2].cb, CB_WRITE);
	assert_int_equal(s->ev[4].cb, CB_UNMASK);
	assert_int_equal(s->nev, 6);
	assert_true(s->unmasked[0]);
	assert_int_equal(msidom_device_domain_destroy(f->dev, MSIDOM_SECONDARY_DOMAIN), 0);
	sim_storage_fini(s);
	free(s);
}

/* Destroying the context with live IMS vectors masks, clears and releases every slot. */
static void test_destroy_with_live_vectors(void **state)
{
	struct fx *f = *state;
	struct sim_storage *s = malloc(sizeof(*s));
	struct msidom_ims_storage st;

	assert_non_null(s);
	sim_storage_init(s, 32, true);
	st = sim_storage_of(s);
	assert_int_equal(msidom_ims_domain_create(
				 f->dev,
				 &(struct msidom_ims_info){ .sz = sizeof(struct msidom_ims_info),
							    .hwsize = 32 },
				 &st, f->root.d, &f->ims),
			 0);
	for (uint32_t i = 0; i < 20; i++)
		assert_int_equal(alloc_ims(f, MSIDOM_INDEX_ANY, i % 2, NULL).index, (int32_t)i);
	assert_int_equal(s->nprepared, 20);
	msidom_ctx_destroy(f->ctx);
	f->ctx = NULL;
	assert_int_equal(s->nprepared, 0);
	assert_false(s->locked);
	assert_int_equal(s->calls[CB_LOCK], s->calls[CB_SYNC]);
	for (uint32_t i = 0; i < 32; i++) {
		assert_false(s->unmasked[i]);
		assert_int_equal(s->msg[i].address_lo, 0);
		assert_int_equal(s->msg[i].data, 0);
	}
	sim_storage_fini(s);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_coexistence, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_isolation_covers_ims, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_slot_range, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_array_sequences, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_array_write_unmasked_entry, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_cookies, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mask_on_free, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_no_affinity_of_its_own, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_destroy_with_live_vectors, fx_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests_name("ims-basic", tests, NULL, NULL);
}
