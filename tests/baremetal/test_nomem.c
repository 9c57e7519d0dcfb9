/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocation failures anywhere in building and using a bare-metal stack
 * (vector domain, VT-d remapping, PCI MSI-X, vectors): each step fails
 * with -ENOMEM, leaves nothing allocated and writes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model.h"

static int alloc_err(struct msidom_device *dev, uint32_t index, const struct msidom_alloc_opts *o)
{
	struct msidom_map map = msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, index, o);

	return map.index < 0 ? map.index : 0;
}

/* Build the stack with the n-th allocation failing; true once nothing failed. */
static bool attempt(int n)
{
	struct ts_hooks h;
	uint32_t ids[2] = { 0, 1 };
	MSIDOM_OPTS(msidom_bm_x86_vector_config, vc, .ncpus = 2, .apic_ids = ids);
	MSIDOM_OPTS(msidom_device_info, di, .name = "0000:00:03.0", .requester_id = 0x18);
	MSIDOM_OPTS(msidom_alloc_opts, o, .unmasked = true);
	struct msidom_domain *vec = NULL, *ir = NULL, *dd = NULL;
	struct msidom_device *dev = NULL;
	struct msidom_ctx *ctx;
	struct model *m = calloc(1, sizeof(*m));
	uint64_t *irt = aligned_alloc(4096, 4096);
	MSIDOM_OPTS(msidom_bm_vtd_ir_config, ic, .table = irt, .entries = 256);
	uint64_t sizes[6] = { 0x4000 };
	MSIDOM_OPTS(msidom_bm_pci_config, pc, .sbdf = SBDF, .bar_sizes = sizes);
	bool ok = false;
	size_t before;
	int fn, ret, nlog;

	model_init(m, false, true);
	fn = model_add_fn(m, SBDF);
	model_set_bar(m, fn, 0, MMIO_BASE, 0x4000, true);
	model_msix_cap(m, fn, 4, 0x2000, 0x3000);
	ic.platform = &m->plat;
	pc.platform = &m->plat;
	ts_hooks_init(&h);
	h.hooks.log_level = MSIDOM_LOG_ERR;
	ctx = ts_ctx_new(&h);
	h.fail_at = n;

#define STEP(call)                                                           \
	do {                                                                 \
		before = msidom_ctx_mem_bytes(ctx);                          \
		nlog = m->nlog;                                              \
		ret = (call);                                                \
		if (ret) {                                                   \
			assert_int_equal(ret, -MSIDOM_ENOMEM);               \
			assert_int_equal(msidom_ctx_mem_bytes(ctx), before); \
			assert_int_equal(m->nlog, nlog);                     \
			goto out;                                            \
		}                                                            \
	} while (0)

	STEP(msidom_bm_x86_vector_domain_create(ctx, &vc, &vec));
	STEP(msidom_bm_vtd_ir_domain_create(ctx, &ic, vec, &ir));
	STEP(msidom_device_create(ctx, &di, &dev));
	STEP(msidom_bm_pci_msix_domain_create(dev, &pc, ir, &dd));
	STEP(alloc_err(dev, 0, &o));
	STEP(alloc_err(dev, 3, &o));
	ok = true;
out:
	h.fail_at = 0;
	msidom_device_destroy(dev);
	if (ir)
		assert_int_equal(msidom_domain_destroy(ir), 0);
	if (vec)
		assert_int_equal(msidom_domain_destroy(vec), 0);
	msidom_ctx_destroy(ctx);
	ts_hooks_assert_clean(&h);
	free(irt);
	free(m);
	return ok;
}

static void test_nomem(void **state)
{
	int n;

	(void)state;
	for (n = 1; n < 200; n++)
		if (attempt(n))
			break;
	assert_true(n < 200);
	assert_true(n > 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nomem),
	};

	return cmocka_run_group_tests_name("baremetal-nomem", tests, NULL, NULL);
}
