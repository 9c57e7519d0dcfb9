/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* ---- context ---- */

struct msidom_ctx *vmm_ctx(struct ts_hooks *h, bool threads)
{
	ts_hooks_init(h);
	if (threads)
		ts_hooks_hosted_lock(h);
	if (h->hooks.log_level < MSIDOM_LOG_DEBUG)
		h->hooks.log_level = MSIDOM_LOG_ERR;
	return ts_ctx_new(h);
}

/* ---- recording VMM ---- */

static void rec_route(void *opaque, struct msidom_vmm_fn *fn, const struct msidom_vmm_route *rt)
{
	struct rec *r = opaque;
	struct msidom_vmm_vector_info info = { .sz = sizeof(struct msidom_vmm_vector_info) };

	if (fn != r->fn || rt->vector >= MSIDOM_VMM_MSIX_MAX) {
		r->bad_callbacks++;
		return;
	}
	/* Callbacks may query: the state must already be what is reported. */
	if (msidom_vmm_get_vector_info(fn, rt->vector, &info) != 0 ||
	    info.route.masked != rt->masked || info.route.host_fd != rt->host_fd)
		r->bad_callbacks++;
	if (r->nroutes < REC_MAX)
		r->routes[r->nroutes++] = *rt;
	r->gsi[rt->vector] = *rt;
}

static void rec_deliver(void *opaque, struct msidom_vmm_fn *fn, uint32_t vector,
			const struct msidom_msg *msg)
{
	struct rec *r = opaque;

	if (fn != r->fn || vector >= MSIDOM_VMM_MSIX_MAX) {
		r->bad_callbacks++;
		return;
	}
	/* A delivery on a vector the VMM was told is masked is a bug. */
	if (r->gsi[vector].masked)
		r->bad_callbacks++;
	if (r->ndelivered < REC_MAX) {
		r->delivered[r->ndelivered].vector = vector;
		r->delivered[r->ndelivered].msg = *msg;
		r->ndelivered++;
	}
	r->per_vec_deliveries[vector]++;
}

static void rec_failed(void *opaque, struct msidom_vmm_fn *fn, uint32_t vector, int err)
{
	struct rec *r = opaque;

	if (fn != r->fn) {
		r->bad_callbacks++;
		return;
	}
	if (r->nfailed < 256) {
		r->failed[r->nfailed].vector = vector;
		r->failed[r->nfailed].err = err;
		r->nfailed++;
	}
}

const struct msidom_vmm_ops rec_ops = {
	.sz = sizeof(struct msidom_vmm_ops),
	.route_changed = rec_route,
	.deliver = rec_deliver,
	.backing_failed = rec_failed,
};

void rec_clear(struct rec *r)
{
	r->nroutes = 0;
	r->ndelivered = 0;
	r->nfailed = 0;
	memset(r->per_vec_deliveries, 0, sizeof(r->per_vec_deliveries));
}

static void rec_init(struct rec *r)
{
	memset(r, 0, sizeof(*r));
	for (uint32_t i = 0; i < MSIDOM_VMM_MSIX_MAX; i++) {
		r->gsi[i].vector = i;
		r->gsi[i].masked = true;
		r->gsi[i].host_fd = -1;
	}
}

struct msidom_vmm_fn *mk_msix(struct msidom_ctx *ctx, struct rec *r, uint32_t n, uint32_t max_vecs,
			      uint32_t max_fds)
{
	MSIDOM_OPTS(msidom_vmm_config, cfg, .name = "00:05.0", .type = MSIDOM_VMM_MSIX, .nvec = n,
		    .cap_next = 0x70, .msix_table_reg = 0x2000 | 3, /* BAR 3, offset 0x2000 */
		    .msix_pba_reg = 0x3000 | 3, .max_host_vectors = max_vecs,
		    .max_host_fds = max_fds, .ops = &rec_ops, .opaque = r);
	struct msidom_vmm_fn *fn = NULL;

	rec_init(r);
	assert_int_equal(msidom_vmm_fn_create(ctx, &cfg, &fn), 0);
	r->fn = fn;
	return fn;
}

struct msidom_vmm_fn *mk_msi(struct msidom_ctx *ctx, struct rec *r, uint32_t n, bool is64,
			     bool maskable)
{
	MSIDOM_OPTS(msidom_vmm_config, cfg, .name = "00:06.0", .type = MSIDOM_VMM_MSI, .nvec = n,
		    .cap_next = 0x00, .msi_64bit = is64, .msi_maskable = maskable,
		    .max_host_vectors = MSIDOM_VMM_UNLIMITED, .max_host_fds = MSIDOM_VMM_UNLIMITED,
		    .ops = &rec_ops, .opaque = r);
	struct msidom_vmm_fn *fn = NULL;

	rec_init(r);
	assert_int_equal(msidom_vmm_fn_create(ctx, &cfg, &fn), 0);
	r->fn = fn;
	return fn;
}

struct msidom_vmm_stats fn_stats(struct msidom_vmm_fn *fn)
{
	struct msidom_vmm_stats st = { .sz = sizeof(struct msidom_vmm_stats) };

	assert_int_equal(msidom_vmm_get_stats(fn, &st), 0);
	return st;
}

/* ---- fixture ---- */

static int vfx_new(void **state, bool threads)
{
	struct vfx *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->ctx = vmm_ctx(&t->h, threads);
	t->mem0 = msidom_ctx_mem_bytes(t->ctx);
	*state = t;
	return 0;
}

int vfx_setup(void **state)
{
	return vfx_new(state, false);
}

int vfx_setup_threads(void **state)
{
	return vfx_new(state, true);
}

int vfx_teardown(void **state)
{
	struct vfx *t = *state;

	assert_int_equal(t->r.bad_callbacks, 0);
	assert_int_equal(msidom_ctx_mem_bytes(t->ctx), t->mem0);
	assert_int_equal(msidom_ctx_destroy(t->ctx), 0);
	ts_hooks_assert_clean(&t->h);
	free(t);
	return 0;
}

/* ---- guest helpers ---- */

void g_msix_ctrl(struct msidom_vmm_fn *fn, bool enable, bool fmask)
{
	uint32_t ctrl = 0;

	/* Like pci_msix_clear_and_set_ctrl(): read the word, modify, write it. */
	assert_int_equal(msidom_vmm_cfg_read(fn, 2, 2, &ctrl), 0);
	ctrl &= ~((1u << 14) | (1u << 15));
	ctrl |= (fmask ? 1u << 14 : 0) | (enable ? 1u << 15 : 0);
	assert_int_equal(msidom_vmm_cfg_write(fn, 2, 2, ctrl), 0);
}

void g_entry(struct msidom_vmm_fn *fn, uint32_t i, uint64_t addr, uint32_t data)
{
	uint64_t base = (uint64_t)i * 16;

	assert_int_equal(msidom_vmm_table_write(fn, base + 0, 4, (uint32_t)addr), 0);
	assert_int_equal(msidom_vmm_table_write(fn, base + 4, 4, addr >> 32), 0);
	assert_int_equal(msidom_vmm_table_write(fn, base + 8, 4, data), 0);
}

void g_mask(struct msidom_vmm_fn *fn, uint32_t i, bool masked)
{
	uint64_t ctrl = 0;

	assert_int_equal(msidom_vmm_table_read(fn, (uint64_t)i * 16 + 12, 4, &ctrl), 0);
	ctrl = masked ? ctrl | 1u : ctrl & ~1ull;
	assert_int_equal(msidom_vmm_table_write(fn, (uint64_t)i * 16 + 12, 4, ctrl), 0);
	/* Flush the posted write, as Linux does. */
	assert_int_equal(msidom_vmm_table_read(fn, (uint64_t)i * 16 + 12, 4, &ctrl), 0);
}

uint32_t g_table32(struct msidom_vmm_fn *fn, uint64_t off)
{
	uint64_t v = 0xdead;

	assert_int_equal(msidom_vmm_table_read(fn, off, 4, &v), 0);
	return (uint32_t)v;
}

bool g_pba(struct msidom_vmm_fn *fn, uint32_t i)
{
	uint64_t v = 0;

	assert_int_equal(msidom_vmm_pba_read(fn, (uint64_t)(i / 64) * 8, 8, &v), 0);
	return (v >> (i % 64)) & 1;
}

uint32_t g_cfg32(struct msidom_vmm_fn *fn, uint32_t off)
{
	uint32_t v = 0xdead;

	assert_int_equal(msidom_vmm_cfg_read(fn, off, 4, &v), 0);
	return v;
}

void g_linux_msix_setup(struct msidom_vmm_fn *fn, uint32_t n)
{
	g_msix_ctrl(fn, true, true);
	for (uint32_t i = 0; i < n; i++)
		g_mask(fn, i, true);
	for (uint32_t i = 0; i < n; i++)
		g_entry(fn, i, T_ADDR(i), T_DATA(i));
	g_msix_ctrl(fn, true, false);
}

int g_garbage_step(struct msidom_vmm_fn *fn, uint32_t n, uint32_t *x)
{
	uint32_t what, off, size;
	uint64_t val;

	*x = *x * 1103515245u + 12345u;
	what = *x >> 28;
	off = (*x >> 8) % (n * 16 + 8);
	size = 1u << ((*x >> 4) & 3);
	val = (uint64_t)*x * 0x9e3779b97f4a7c15ull;
	if (what < 6) {
		msidom_vmm_table_write(fn, off, size, val);
	} else if (what < 8) {
		msidom_vmm_cfg_write(fn, off % 12, size, (uint32_t)val);
	} else if (what < 10) {
		msidom_vmm_pba_read(fn, off % 8, size, &val);
	} else if (what < 13) {
		return (int)((*x >> 12) % n);
	} else {
		g_msix_ctrl(fn, true, false);
		g_mask(fn, (*x >> 12) % n, false);
	}
	return -1;
}

/* ---- simulated host ---- */

static int root_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr,
		      const struct msidom_alloc_arg *arg)
{
	struct hsim *h = msidom_domain_priv(d);
	unsigned int done = 0;

	(void)arg;
	for (uint32_t hw = 1; hw < HSIM_ROOT_HWSIZE && done < nr; hw++) {
		if (h->used[hw])
			continue;
		h->used[hw] = true;
		msidom_irq_data_set_hwirq(data[done++], hw);
	}
	if (done == nr)
		return 0;
	while (done--)
		h->used[msidom_irq_data_hwirq(data[done])] = false;
	return -MSIDOM_ENOSPC;
}

static void root_free(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr)
{
	struct hsim *h = msidom_domain_priv(d);

	for (unsigned int i = 0; i < nr; i++)
		h->used[msidom_irq_data_hwirq(data[i])] = false;
}

static int root_compose(struct msidom_irq_data *data, struct msidom_msg *msg)
{
	msg->address_lo = 0xfee00000u;
	msg->address_hi = 0;
	msg->data = msidom_irq_data_hwirq(data);
	return 0;
}

static const struct msidom_domain_ops root_ops = {
	.sz = sizeof(struct msidom_domain_ops),
	.alloc = root_alloc,
	.free = root_free,
};

static const struct msidom_chip_ops root_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.compose_msg = root_compose,
};

static int st_prepare(void *opaque, uint32_t slot, msidom_cookie cookie)
{
	struct hsim *h = opaque;

	if (h->fail_prepare)
		return h->fail_prepare;
	h->prepared[slot] = true;
	h->cookie[slot] = cookie.value;
	h->live_slots++;
	return 0;
}

static void st_release(void *opaque, uint32_t slot, msidom_cookie cookie)
{
	struct hsim *h = opaque;

	(void)cookie;
	h->prepared[slot] = false;
	h->live_slots--;
}

static int st_write(void *opaque, uint32_t slot, const struct msidom_msg *msg, msidom_cookie cookie)
{
	struct hsim *h = opaque;

	(void)cookie;
	h->msg[slot] = *msg;
	return 0;
}

static int st_mask(void *opaque, uint32_t slot, msidom_cookie cookie)
{
	struct hsim *h = opaque;

	(void)cookie;
	h->unmasked[slot] = false;
	return 0;
}

static int st_unmask(void *opaque, uint32_t slot, msidom_cookie cookie)
{
	struct hsim *h = opaque;

	(void)cookie;
	h->unmasked[slot] = true;
	/* A device sends what it held while masked as soon as it is unmasked. */
	if (h->held[slot]) {
		h->held[slot] = false;
		msidom_handle(h->root, h->msg[slot].data);
	}
	return 0;
}

static const struct msidom_ims_storage_ops st_ops = {
	.sz = sizeof(struct msidom_ims_storage_ops),
	.prepare_slot = st_prepare,
	.release_slot = st_release,
	.write_msg = st_write,
	.mask = st_mask,
	.unmask = st_unmask,
};

void hsim_init(struct hsim *h, struct msidom_ctx *ctx)
{
	MSIDOM_OPTS(msidom_domain_info, info, .name = "HVEC", .child_prefix = "IR-",
		    .bus = MSIDOM_BUS_VECTOR,
		    .flags = MSIDOM_DOMAIN_MSI_PARENT | MSIDOM_DOMAIN_ISOLATED_MSI,
		    .hwsize = HSIM_ROOT_HWSIZE, .ops = &root_ops, .chip = &root_chip, .priv = h);
	MSIDOM_OPTS(msidom_device_info, dinfo, .name = "0000:17:00.0", .requester_id = 0x1700);
	MSIDOM_OPTS(msidom_ims_info, iinfo, .hwsize = HSIM_SLOTS);
	MSIDOM_OPTS(msidom_ims_storage, st, .ops = &st_ops, .opaque = h);

	memset(h, 0, sizeof(*h));
	h->ctx = ctx;
	assert_int_equal(msidom_domain_create(ctx, &info, NULL, &h->root), 0);
	assert_int_equal(msidom_device_create(ctx, &dinfo, &h->dev), 0);
	assert_int_equal(msidom_ims_domain_create(h->dev, &iinfo, &st, h->root, &h->ims), 0);
}

void hsim_fini(struct hsim *h)
{
	msidom_device_destroy(h->dev);
	assert_int_equal(msidom_domain_destroy(h->root), 0);
}

bool hsim_raise(struct hsim *h, uint32_t slot)
{
	assert_true(slot < HSIM_SLOTS);
	assert_true(h->prepared[slot]);
	if (!h->unmasked[slot]) {
		h->held[slot] = true;
		return false;
	}
	return msidom_handle(h->root, h->msg[slot].data) == 0;
}
