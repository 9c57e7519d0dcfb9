/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* ----------------------------------------------------------------- root */

static bool bit_test(const uint64_t *b, uint32_t i)
{
	return (b[i / 64] >> (i % 64)) & 1u;
}

static void bit_set(uint64_t *b, uint32_t i)
{
	b[i / 64] |= 1ull << (i % 64);
}

static void bit_clear(uint64_t *b, uint32_t i)
{
	b[i / 64] &= ~(1ull << (i % 64));
}

static int64_t root_find(struct sim_root *r)
{
	for (uint32_t n = 0; n < SIM_ROOT_HWSIZE; n++) {
		uint32_t i = (r->hint + n) % SIM_ROOT_HWSIZE;

		if (!bit_test(r->used, i))
			return i;
	}
	return -1;
}

static void root_free(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr)
{
	struct sim_root *r = msidom_domain_priv(d);

	for (unsigned int i = 0; i < nr; i++) {
		uint32_t hw = msidom_irq_data_hwirq(data[i]);

		if (bit_test(r->used, hw)) {
			bit_clear(r->used, hw);
			r->nr_used--;
			/* lowest free first, so a freed range is reused as it was */
			if (hw < r->hint)
				r->hint = hw;
		}
	}
}

static int root_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr,
		      const struct msidom_alloc_arg *arg)
{
	struct sim_root *r = msidom_domain_priv(d);

	(void)arg;
	if (r->fail_alloc && --r->fail_alloc == 0)
		return -MSIDOM_ENOSPC;
	for (unsigned int i = 0; i < nr; i++) {
		int64_t hw = root_find(r);

		if (hw < 0 || msidom_irq_data_set_hwirq(data[i], (uint32_t)hw)) {
			root_free(d, data, i);
			return -MSIDOM_ENOSPC;
		}
		bit_set(r->used, (uint32_t)hw);
		r->cpu[hw] = 0;
		r->nr_used++;
		r->hint = (uint32_t)hw + 1;
	}
	return 0;
}

static int root_compose(struct msidom_irq_data *data, struct msidom_msg *msg)
{
	struct sim_root *r = msidom_domain_priv(msidom_irq_data_domain(data));

	msg->address_lo = 0xFEE00000u | ((uint32_t)r->cpu[msidom_irq_data_hwirq(data)] << 12);
	msg->address_hi = 0;
	msg->data = msidom_irq_data_hwirq(data);
	return 0;
}

static int root_set_affinity(struct msidom_irq_data *data, const struct msidom_cpumask *mask,
			     uint32_t *cpu)
{
	struct sim_root *r = msidom_domain_priv(msidom_irq_data_domain(data));

	for (uint32_t c = 0; mask && c < mask->nbits && c < 256; c++) {
		if ((mask->bits[c / 64] >> (c % 64)) & 1u) {
			r->cpu[msidom_irq_data_hwirq(data)] = (uint16_t)c;
			*cpu = c;
			return 0;
		}
	}
	return -MSIDOM_EINVAL;
}

static const struct msidom_domain_ops root_ops = {
	.sz = sizeof(struct msidom_domain_ops),
	.alloc = root_alloc,
	.free = root_free,
};

static const struct msidom_chip_ops root_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.compose_msg = root_compose,
	.set_affinity = root_set_affinity,
};

int sim_root_create(struct msidom_ctx *ctx, struct sim_root *r, const char *name, bool isolated)
{
	MSIDOM_OPTS(msidom_domain_info, info, .name = name, .child_prefix = isolated ? "IR-" : "",
		    .bus = MSIDOM_BUS_VECTOR,
		    .flags =
			    MSIDOM_DOMAIN_MSI_PARENT | (isolated ? MSIDOM_DOMAIN_ISOLATED_MSI : 0u),
		    .hwsize = SIM_ROOT_HWSIZE, .ops = &root_ops, .chip = &root_chip, .priv = r);

	memset(r, 0, sizeof(*r));
	r->used = calloc(SIM_ROOT_HWSIZE / 64, sizeof(uint64_t));
	r->cpu = calloc(SIM_ROOT_HWSIZE, sizeof(uint16_t));
	if (!r->used || !r->cpu)
		return -ENOMEM;
	return msidom_domain_create(ctx, &info, NULL, &r->d);
}

void sim_root_fini(struct sim_root *r)
{
	free(r->used);
	free(r->cpu);
	r->used = NULL;
	r->cpu = NULL;
}

/* ----------------------------------------------------------------- MSI-X */

static int msix_write(struct msidom_irq_data *data, const struct msidom_msg *msg)
{
	struct sim_msix *m = msidom_domain_priv(msidom_irq_data_domain(data));
	uint32_t *e = m->table[msidom_irq_data_hwirq(data)];

	e[0] = msg->address_lo;
	e[1] = msg->address_hi;
	e[2] = msg->data;
	m->writes++;
	return 0;
}

static int msix_mask(struct msidom_irq_data *data)
{
	struct sim_msix *m = msidom_domain_priv(msidom_irq_data_domain(data));

	m->table[msidom_irq_data_hwirq(data)][3] |= 1u;
	return 0;
}

static int msix_unmask(struct msidom_irq_data *data)
{
	struct sim_msix *m = msidom_domain_priv(msidom_irq_data_domain(data));

	m->table[msidom_irq_data_hwirq(data)][3] &= ~1u;
	return 0;
}

static const struct msidom_chip_ops msix_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.write_msg = msix_write,
	.mask = msix_mask,
	.unmask = msix_unmask,
};

int sim_msix_create(struct msidom_device *dev, struct sim_msix *m, struct msidom_domain *parent)
{
	MSIDOM_OPTS(msidom_template, t, .name = "PCI-MSIX", .bus = MSIDOM_BUS_PCI_MSIX,
		    .hwsize = SIM_MSIX_ENTRIES, .chip = &msix_chip, .priv = m);

	memset(m, 0, sizeof(*m));
	for (unsigned int i = 0; i < SIM_MSIX_ENTRIES; i++)
		m->table[i][3] = 1u;
	return msidom_device_domain_create(dev, MSIDOM_DEFAULT_DOMAIN, &t, parent, &m->d);
}

/* ----------------------------------------------------------------- MMIO */

static int mmio_check(struct sim_mmio *m, uint64_t off)
{
	m->naccess++;
	if (off % 4 || off >= (uint64_t)m->nr_entries * 16u)
		return -EINVAL;
	if (m->fail_countdown > 0 && --m->fail_countdown == 0)
		return -EIO;
	return 0;
}

static void mmio_trace(struct sim_mmio *m, char op, uint64_t off, uint32_t val)
{
	if (m->ntrace < SIM_TRACE_MAX)
		m->trace[m->ntrace] = (struct sim_access){ op, (uint32_t)off, val };
	m->ntrace++;
}

static int mmio_read(void *opaque, uint64_t off, uint32_t *val)
{
	struct sim_mmio *m = opaque;
	int ret = mmio_check(m, off);

	if (ret)
		return ret;
	*val = m->mem[off / 4];
	mmio_trace(m, 'R', off, *val);
	return 0;
}

static int mmio_write(void *opaque, uint64_t off, uint32_t val)
{
	struct sim_mmio *m = opaque;
	int ret = mmio_check(m, off);

	if (ret)
		return ret;
	m->mem[off / 4] = val;
	mmio_trace(m, 'W', off, val);
	return 0;
}

void sim_mmio_init(struct sim_mmio *m, uint32_t nr_entries)
{
	memset(m, 0, sizeof(*m));
	m->nr_entries = nr_entries;
	m->mem = calloc((size_t)nr_entries * 4u, sizeof(uint32_t));
	assert_non_null(m->mem);
	for (uint32_t i = 0; i < nr_entries; i++)
		m->mem[i * 4 + 3] = MSIDOM_IMS_CTRL_MASKBIT;
}

void sim_mmio_fini(struct sim_mmio *m)
{
	free(m->mem);
	m->mem = NULL;
}

void sim_mmio_config(struct sim_mmio *m, struct msidom_ims_array_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->sz = sizeof(*cfg);
	cfg->read32 = mmio_read;
	cfg->write32 = mmio_write;
	cfg->opaque = m;
	cfg->nr_entries = m->nr_entries;
}

void sim_mmio_expect(struct sim_mmio *m, const struct sim_access *want, unsigned int n,
		     const char *what)
{
	bool ok = m->ntrace == n;

	for (unsigned int i = 0; ok && i < n; i++)
		ok = m->trace[i].op == want[i].op && m->trace[i].off == want[i].off &&
		     m->trace[i].val == want[i].val;
	if (!ok) {
		print_message("%s: MMIO trace mismatch\n  got:", what);
		for (unsigned int i = 0; i < m->ntrace && i < SIM_TRACE_MAX; i++)
			print_message(" %c%x=%x", m->trace[i].op, m->trace[i].off, m->trace[i].val);
		print_message("\n want:");
		for (unsigned int i = 0; i < n; i++)
			print_message(" %c%x=%x", want[i].op, want[i].off, want[i].val);
		print_message("\n");
	}
	assert_true(ok);
	m->ntrace = 0;
}

/* -------------------------------------------------------------- storage */

static bool inject(struct sim_storage *s, enum sim_cb cb)
{
	s->calls[cb]++;
	return s->fail_cb == cb && s->calls[cb] == s->fail_nth;
}

static void add_event(struct sim_storage *s, enum sim_cb cb, uint32_t slot, uint64_t cookie,
		      const struct msidom_msg *msg)
{
	struct sim_event *e;

	if (s->nev >= SIM_EVENTS_MAX)
		return;
	e = &s->ev[s->nev++];
	e->cb = cb;
	e->slot = slot;
	e->cookie = cookie;
	if (msg)
		e->msg = *msg;
	else
		memset(&e->msg, 0, sizeof(e->msg));
}

/* The effect of one update on the simulated slot, as the device sees it. */
static void apply(struct sim_storage *s, const struct sim_event *u)
{
	switch (u->cb) {
	case CB_WRITE:
		s->msg[u->slot] = u->msg;
		add_event(s, CB_APPLY_WRITE, u->slot, u->cookie, &u->msg);
		break;
	case CB_MASK:
		s->unmasked[u->slot] = false;
		add_event(s, CB_APPLY_MASK, u->slot, u->cookie, NULL);
		break;
	case CB_UNMASK:
		s->unmasked[u->slot] = true;
		add_event(s, CB_APPLY_UNMASK, u->slot, u->cookie, NULL);
		break;
	default: break;
	}
}

static int update(struct sim_storage *s, enum sim_cb cb, uint32_t slot, msidom_cookie cookie,
		  const struct msidom_msg *msg)
{
	struct sim_event u = { .cb = cb, .slot = slot, .cookie = cookie.value };

	if (inject(s, cb))
		return -EIO;
	if (slot >= s->nslots)
		return -ERANGE;
	if (msg)
		u.msg = *msg;
	add_event(s, cb, slot, cookie.value, msg);
	if (s->batched && s->locked) {
		if (s->npending >= SIM_PENDING_MAX)
			return -ENOSPC;
		s->pending[s->npending++] = u;
		return 0;
	}
	apply(s, &u);
	return 0;
}

static int st_prepare(void *opaque, uint32_t slot, msidom_cookie cookie)
{
	struct sim_storage *s = opaque;

	if (inject(s, CB_PREPARE))
		return -EIO;
	if (slot >= s->nslots || s->prepared[slot])
		return -EINVAL;
	s->prepared[slot] = true;
	s->cookie[slot] = cookie.value;
	s->nprepared++;
	add_event(s, CB_PREPARE, slot, cookie.value, NULL);
	return 0;
}

static void st_release(void *opaque, uint32_t slot, msidom_cookie cookie)
{
	struct sim_storage *s = opaque;

	s->calls[CB_RELEASE]++;
	if (slot < s->nslots && s->prepared[slot]) {
		s->prepared[slot] = false;
		s->nprepared--;
	}
	add_event(s, CB_RELEASE, slot, cookie.value, NULL);
}

static int st_write(void *opaque, uint32_t slot, const struct msidom_msg *msg, msidom_cookie cookie)
{
	return update(opaque, CB_WRITE, slot, cookie, msg);
}

static int st_mask(void *opaque, uint32_t slot, msidom_cookie cookie)
{
	return update(opaque, CB_MASK, slot, cookie, NULL);
}

static int st_unmask(void *opaque, uint32_t slot, msidom_cookie cookie)
{
	return update(opaque, CB_UNMASK, slot, cookie, NULL);
}

static void st_lock(void *opaque)
{
	struct sim_storage *s = opaque;

	s->calls[CB_LOCK]++;
	s->locked = true;
	add_event(s, CB_LOCK, 0, 0, NULL);
}

static int st_sync(void *opaque)
{
	struct sim_storage *s = opaque;
	unsigned int n = s->npending;

	s->locked = false;
	s->npending = 0;
	if (inject(s, CB_SYNC))
		return -EIO; /* the recorded updates never took effect */
	add_event(s, CB_SYNC, n, 0, NULL);
	for (unsigned int i = 0; i < n; i++)
		apply(s, &s->pending[i]);
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

static const struct msidom_ims_storage_ops st_ops_batched = {
	.sz = sizeof(struct msidom_ims_storage_ops),
	.prepare_slot = st_prepare,
	.release_slot = st_release,
	.write_msg = st_write,
	.mask = st_mask,
	.unmask = st_unmask,
	.bus_lock = st_lock,
	.bus_sync_unlock = st_sync,
};

void sim_storage_init(struct sim_storage *s, uint32_t nslots, bool batched)
{
	memset(s, 0, sizeof(*s));
	s->batched = batched;
	s->nslots = nslots;
	s->msg = calloc(nslots, sizeof(*s->msg));
	s->unmasked = calloc(nslots, sizeof(*s->unmasked));
	s->prepared = calloc(nslots, sizeof(*s->prepared));
	s->cookie = calloc(nslots, sizeof(*s->cookie));
	assert_true(s->msg && s->unmasked && s->prepared && s->cookie);
}

void sim_storage_fini(struct sim_storage *s)
{
	free(s->msg);
	free(s->unmasked);
	free(s->prepared);
	free(s->cookie);
}

void sim_storage_reset_events(struct sim_storage *s)
{
	s->nev = 0;
}

struct msidom_ims_storage sim_storage_of(struct sim_storage *s)
{
	MSIDOM_OPTS(msidom_ims_storage, st, s->batched ? &st_ops_batched : &st_ops, s);

	return st;
}

/* ------------------------------------------------------------- snapshot */

void sim_snap(struct msidom_ctx *ctx, struct msidom_device *dev, struct sim_root *r,
	      struct sim_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->mem = msidom_ctx_mem_bytes(ctx);
	s->irqs = msidom_irq_count(ctx);
	for (int i = 0; i < MSIDOM_MAX_DOMAINS; i++) {
		struct msidom_domain *d = msidom_device_domain(dev, (enum msidom_slot)i);

		s->descs[i] = ts_count_descs(d);
		s->mapped[i] = d ? msidom_domain_mapped(d) : 0;
	}
	s->root_used = r->nr_used;
	s->root_mapped = msidom_domain_mapped(r->d);
}

void sim_snap_expect_equal(const struct sim_snap *a, const struct sim_snap *b)
{
	assert_int_equal(a->mem, b->mem);
	assert_int_equal(a->irqs, b->irqs);
	for (int i = 0; i < MSIDOM_MAX_DOMAINS; i++) {
		assert_int_equal(a->descs[i], b->descs[i]);
		assert_int_equal(a->mapped[i], b->mapped[i]);
	}
	assert_int_equal(a->root_used, b->root_used);
	assert_int_equal(a->root_mapped, b->root_mapped);
}

/* -------------------------------------------------------------- fixture */

int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct msidom_ctx_config cfg = { .sz = sizeof(struct msidom_ctx_config) };
	MSIDOM_OPTS(msidom_device_info, di, .name = "0000:03:00.0", .requester_id = 0x0300);

	if (!f)
		return -1;
	ts_hooks_init(&f->h);
	cfg.hooks = &f->h.hooks;
	if (msidom_ctx_create(&cfg, &f->ctx))
		goto err;
	if (sim_root_create(f->ctx, &f->root, "VECTOR", true))
		goto err;
	if (msidom_device_create(f->ctx, &di, &f->dev))
		goto err;
	if (sim_msix_create(f->dev, &f->msix, f->root.d))
		goto err;
	*state = f;
	return 0;
err:
	msidom_ctx_destroy(f->ctx);
	sim_root_fini(&f->root);
	free(f);
	return -1;
}

int fx_teardown(void **state)
{
	struct fx *f = *state;

	msidom_ctx_destroy(f->ctx);
	ts_hooks_assert_clean(&f->h);
	sim_root_fini(&f->root);
	free(f);
	return 0;
}
