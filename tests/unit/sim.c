/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* ------------------------------------------------------------ event log */

const char *sim_log(struct sim *s)
{
	return s->log;
}

void sim_log_clear(struct sim *s)
{
	s->log[0] = '\0';
	s->log_len = 0;
}

void sim_fail(struct sim *s, const char *op, int nth, int err)
{
	snprintf(s->fail_op, sizeof(s->fail_op), "%s", op);
	s->fail_nth = nth;
	s->fail_err = err;
}

unsigned int sim_count(struct sim *s, const char *ev)
{
	size_t n = strlen(ev);
	unsigned int c = 0;

	for (const char *p = s->log; (p = strstr(p, ev)) != NULL; p += n)
		if ((p == s->log || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			c++;
	return c;
}

/* Record "op:TAG"; return the injected error if this call must fail. */
static int ev(struct sim_level *l, const char *op)
{
	struct sim *s = l->sim;
	char name[48];
	bool fail;
	int n;

	snprintf(name, sizeof(name), "%s:%s", op, l->tag);
	if (!s->cfg.hosted_lock && s->h.lock_depth != 1)
		s->ops_unlocked++;
	fail = s->fail_op[0] && !strcmp(name, s->fail_op) && --s->fail_nth == 0;
	n = snprintf(s->log + s->log_len, SIM_LOG_SIZE - s->log_len, "%s%s%s",
		     s->log_len ? " " : "", name, fail ? "!" : "");
	if (n > 0 && s->log_len + (size_t)n < SIM_LOG_SIZE)
		s->log_len += (size_t)n;
	if (!fail)
		return 0;
	s->fail_op[0] = '\0';
	return s->fail_err;
}

static struct sim_level *lv_of(const struct msidom_domain *d)
{
	return msidom_domain_priv(d);
}

static struct sim_level *lv_data(const struct msidom_irq_data *data)
{
	return lv_of(msidom_irq_data_domain(data));
}

static uint32_t first_cpu(const struct msidom_cpumask *m)
{
	if (!m)
		return 0;
	for (uint32_t c = 0; c < m->nbits; c++)
		if (m->bits[c / 64] >> (c % 64) & 1)
			return c;
	return UINT32_MAX;
}

const struct msidom_cpumask *sim_cpu(struct sim_mask *m, unsigned int cpu)
{
	m->bits[0] = 1ull << cpu;
	m->m.nbits = 64;
	m->m.bits = m->bits;
	return &m->m;
}

const struct msidom_cpumask *sim_cpu1(unsigned int cpu)
{
	static struct sim_mask ring[8];
	static unsigned int next;

	return sim_cpu(&ring[next++ % 8], cpu);
}

/* --------------------------------------------------- [VEC]: vector root */

static int64_t vec_find(struct sim_level *l, uint32_t cpu, uint32_t nr)
{
	for (uint32_t v = SIM_VEC_FIRST; v + nr <= 256; v += nr) {
		uint32_t i;

		if (nr > 1 && v % nr)
			continue;
		for (i = 0; i < nr; i++)
			if (l->used[cpu * 256 + v + i])
				break;
		if (i == nr)
			return cpu * 256 + v;
	}
	return -1;
}

static void lv_take(struct sim_level *l, uint32_t hw)
{
	l->used[hw] = 1;
	l->nr_used++;
}

static void lv_put(struct sim_level *l, uint32_t hw)
{
	if (!l->used[hw])
		l->sim->oddities++; /* double free at a level */
	l->used[hw] = 0;
	l->nr_used--;
}

static int vec_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr,
		     const struct msidom_alloc_arg *arg)
{
	struct sim_level *l = lv_of(d);
	uint32_t cpu = first_cpu(arg ? arg->affinity : NULL);
	int64_t base;
	int ret = ev(l, "alloc");

	if (ret)
		return ret;
	if (cpu >= SIM_CPUS)
		return -MSIDOM_EINVAL;
	/* Multi-message blocks are contiguous and aligned; singles anywhere. */
	base = vec_find(l, cpu, nr > 1 ? nr : 1);
	if (base < 0)
		return -MSIDOM_ENOSPC;
	for (unsigned int i = 0; i < nr; i++) {
		/* The core allocates the virq before any level. */
		if (msidom_irq_data_virq(data[i]) == 0)
			l->sim->oddities++;
		lv_take(l, (uint32_t)base + i);
		msidom_irq_data_set_hwirq(data[i], (uint32_t)base + i);
	}
	return 0;
}

static void lv_free(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr)
{
	struct sim_level *l = lv_of(d);

	ev(l, "free");
	for (unsigned int i = 0; i < nr; i++)
		lv_put(l, msidom_irq_data_hwirq(data[i]));
}

static int lv_activate(struct msidom_domain *d, struct msidom_irq_data *data)
{
	(void)data;
	return ev(lv_of(d), "activate");
}

static void lv_deactivate(struct msidom_domain *d, struct msidom_irq_data *data)
{
	(void)data;
	ev(lv_of(d), "deactivate");
}

static void lv_destroy(struct msidom_domain *d)
{
	struct sim_level *l = lv_of(d);

	l->destroyed++;
	ev(l, "destroy");
}

static int vec_compose(struct msidom_irq_data *data, struct msidom_msg *msg)
{
	uint32_t hw = msidom_irq_data_hwirq(data);
	int ret = ev(lv_data(data), "compose");

	if (ret)
		return ret;
	msg->address_lo = SIM_MSIX_ADDR | (hw / 256) << 12;
	msg->address_hi = 0;
	msg->data = hw % 256;
	return 0;
}

static int vec_set_affinity(struct msidom_irq_data *data, const struct msidom_cpumask *mask,
			    uint32_t *cpu)
{
	struct sim_level *l = lv_data(data);
	uint32_t target = first_cpu(mask), old = msidom_irq_data_hwirq(data);
	int64_t hw;
	int ret = ev(l, "set_affinity");

	if (ret)
		return ret;
	if (target >= SIM_CPUS)
		return -MSIDOM_EINVAL;
	hw = vec_find(l, target, 1);
	if (hw < 0)
		return -MSIDOM_ENOSPC;
	/* Both vectors stay mapped until the new message is live. */
	ret = msidom_domain_map(l->d, (uint32_t)hw, data);
	if (ret)
		return ret;
	lv_take(l, (uint32_t)hw);
	l->moving_from[hw] = old + 1;
	msidom_irq_data_set_hwirq(data, (uint32_t)hw);
	*cpu = target;
	return 0;
}

static void vec_commit(struct msidom_irq_data *data)
{
	struct sim_level *l = lv_data(data);
	uint32_t hw = msidom_irq_data_hwirq(data);

	ev(l, "commit");
	while (l->moving_from[hw]) {
		uint32_t old = l->moving_from[hw] - 1;

		l->moving_from[hw] = 0;
		msidom_domain_unmap(l->d, old);
		lv_put(l, old);
		hw = old;
	}
}

static const struct msidom_domain_ops vec_ops = {
	.sz = sizeof(struct msidom_domain_ops),
	.alloc = vec_alloc,
	.free = lv_free,
	.activate = lv_activate,
	.deactivate = lv_deactivate,
	.destroy = lv_destroy,
};

static const struct msidom_chip_ops vec_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.compose_msg = vec_compose,
	.set_affinity = vec_set_affinity,
	.affinity_commit = vec_commit,
};

/* ------------------------------------------------ [IR]: remapping level */

static int ir_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr,
		    const struct msidom_alloc_arg *arg)
{
	struct sim_level *l = lv_of(d);
	unsigned int done = 0;
	int ret = ev(l, "alloc");

	(void)arg;
	if (ret)
		return ret;
	for (uint32_t e = 0; e < l->hwsize && done < nr; e++) {
		if (l->used[e])
			continue;
		lv_take(l, e);
		msidom_irq_data_set_hwirq(data[done++], e);
	}
	if (done < nr) {
		while (done--)
			lv_put(l, msidom_irq_data_hwirq(data[done]));
		return -MSIDOM_ENOSPC;
	}
	return 0;
}

/* Program the remapping entry with the parent's (vector) message. */
static int ir_program(struct msidom_irq_data *data)
{
	struct sim_level *l = lv_data(data);
	struct msidom_msg m;
	int ret = msidom_irq_data_parent_compose_msg(data, &m);

	if (!ret)
		l->table[msidom_irq_data_hwirq(data)] = m;
	return ret;
}

static int ir_compose(struct msidom_irq_data *data, struct msidom_msg *msg)
{
	int ret = ev(lv_data(data), "compose");

	if (ret)
		return ret;
	ret = ir_program(data);
	if (ret)
		return ret;
	msg->address_lo = SIM_IR_ADDR | msidom_irq_data_hwirq(data) << 5;
	msg->address_hi = 0;
	msg->data = 0;
	return 0;
}

static int ir_set_affinity(struct msidom_irq_data *data, const struct msidom_cpumask *mask,
			   uint32_t *cpu)
{
	struct sim_level *l = lv_data(data);
	int ret = ev(l, "set_affinity");

	if (ret)
		return ret;
	ret = msidom_irq_data_parent_set_affinity(data, mask, cpu);
	if (ret || !l->sim->cfg.ir_compose)
		return ret;
	return ir_program(data);
}

static void ir_commit(struct msidom_irq_data *data)
{
	ev(lv_data(data), "commit");
}

static const struct msidom_domain_ops ir_ops = {
	.sz = sizeof(struct msidom_domain_ops),
	.alloc = ir_alloc,
	.free = lv_free,
	.activate = lv_activate,
	.deactivate = lv_deactivate,
	.destroy = lv_destroy,
};

static const struct msidom_chip_ops ir_chip_compose = {
	.sz = sizeof(struct msidom_chip_ops),
	.compose_msg = ir_compose,
	.set_affinity = ir_set_affinity,
	.affinity_commit = ir_commit,
};

static const struct msidom_chip_ops ir_chip_plain = {
	.sz = sizeof(struct msidom_chip_ops),
	.set_affinity = ir_set_affinity,
	.affinity_commit = ir_commit,
};

/* ----------------------------------------- [DEV]/[IMS]: device domains */

static uint32_t data_index(const struct msidom_irq_data *data)
{
	return msidom_desc_index(msidom_irq_data_desc(data));
}

static int dev_prepare(struct msidom_domain *d, struct msidom_desc *desc, msidom_cookie cookie)
{
	struct sim_level *l = lv_of(d);
	int ret = ev(l, "prepare");

	if (!ret)
		l->cookie_prepared[msidom_desc_index(desc)] = cookie.value;
	return ret;
}

static void dev_set_desc(struct msidom_domain *d, struct msidom_desc *desc)
{
	struct sim_level *l = lv_of(d);

	/* set_desc means "the descriptor got its virq". */
	if (!msidom_desc_virq(desc))
		l->sim->oddities++;
	ev(l, "set_desc");
}

static void dev_teardown(struct msidom_domain *d, struct msidom_desc *desc)
{
	(void)desc;
	ev(lv_of(d), "teardown");
}

static int dev_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr,
		     const struct msidom_alloc_arg *arg)
{
	struct sim_level *l = lv_of(d);

	(void)arg;
	/* The device level's hwirq is the index, preset by the core. */
	for (unsigned int i = 0; i < nr; i++)
		if (msidom_irq_data_hwirq(data[i]) != data_index(data[i]) ||
		    !msidom_irq_data_virq(data[i]))
			l->sim->oddities++;
	return ev(l, "alloc");
}

static void dev_free(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr)
{
	(void)data;
	(void)nr;
	ev(lv_of(d), "free");
}

static int dev_activate(struct msidom_domain *d, struct msidom_irq_data *data)
{
	struct sim_level *l = lv_of(d);
	int ret = ev(l, "activate");

	if (!ret)
		l->masked_at_activate[data_index(data)] =
			msidom_desc_masked(msidom_irq_data_desc(data)) ? 1 : 2;
	return ret;
}

static int dev_write(struct msidom_irq_data *data, const struct msidom_msg *msg)
{
	struct sim_level *l = lv_data(data);
	uint32_t i = data_index(data);
	bool zero = !msg->address_lo && !msg->address_hi && !msg->data;
	int ret = ev(l, zero ? "write0" : "write");

	if (ret)
		return ret;
	l->table[i] = *msg;
	l->cookie_written[i] = msidom_irq_data_cookie(data).value;
	return 0;
}

static int dev_mask(struct msidom_irq_data *data)
{
	struct sim_level *l = lv_data(data);
	int ret = ev(l, "mask");

	if (!ret)
		l->masked[data_index(data)] = 1;
	return ret;
}

static int dev_unmask(struct msidom_irq_data *data)
{
	struct sim_level *l = lv_data(data);
	int ret = ev(l, "unmask");

	if (!ret)
		l->masked[data_index(data)] = 0;
	return ret;
}

static void dev_bus_lock(struct msidom_domain *d)
{
	ev(lv_of(d), "bus_lock");
}

static int dev_bus_sync(struct msidom_domain *d)
{
	return ev(lv_of(d), "sync");
}

static const struct msidom_domain_ops dev_ops = {
	.sz = sizeof(struct msidom_domain_ops),
	.alloc = dev_alloc,
	.free = dev_free,
	.activate = dev_activate,
	.deactivate = lv_deactivate,
	.prepare_desc = dev_prepare,
	.set_desc = dev_set_desc,
	.teardown_desc = dev_teardown,
	.destroy = lv_destroy,
};

static const struct msidom_chip_ops dev_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.write_msg = dev_write,
	.mask = dev_mask,
	.unmask = dev_unmask,
	.bus_lock = dev_bus_lock,
	.bus_sync_unlock = dev_bus_sync,
};

/* --------------------------------------------------------------- setup */

static void level_init(struct sim *s, struct sim_level *l, const char *tag, uint32_t hwsize)
{
	l->sim = s;
	l->tag = tag;
	l->hwsize = hwsize;
	l->used = calloc(hwsize, 1);
	l->moving_from = calloc(hwsize, sizeof(*l->moving_from));
	l->table = calloc(hwsize, sizeof(*l->table));
	l->masked = calloc(hwsize, 1);
	l->cookie_prepared = calloc(hwsize, sizeof(uint64_t));
	l->cookie_written = calloc(hwsize, sizeof(uint64_t));
	l->masked_at_activate = calloc(hwsize, 1);
	/* Vector table entries come out of reset masked, like MSI-X. */
	if (l->masked)
		memset(l->masked, 1, hwsize);
	assert_non_null(l->used);
	assert_non_null(l->moving_from);
	assert_non_null(l->table);
	assert_non_null(l->masked);
	assert_non_null(l->cookie_prepared);
	assert_non_null(l->cookie_written);
	assert_non_null(l->masked_at_activate);
}

static void level_fini(struct sim_level *l)
{
	free(l->used);
	free(l->moving_from);
	free(l->table);
	free(l->masked);
	free(l->cookie_prepared);
	free(l->cookie_written);
	free(l->masked_at_activate);
}

void sim_msix_template(struct sim *s, struct msidom_template *t)
{
	memset(t, 0, sizeof(*t));
	t->sz = sizeof(*t);
	t->name = "PCI-MSIX";
	t->bus = MSIDOM_BUS_PCI_MSIX;
	t->flags = s->cfg.dev_flags;
	t->hwsize = s->dev_lv.hwsize;
	t->ops = &dev_ops;
	t->chip = &dev_chip;
	t->priv = &s->dev_lv;
}

void sim_ims_template(struct sim *s, struct msidom_template *t)
{
	memset(t, 0, sizeof(*t));
	t->sz = sizeof(*t);
	t->name = "PCI-IMS";
	t->bus = MSIDOM_BUS_PCI_IMS;
	t->hwsize = s->ims_lv.hwsize;
	t->ops = &dev_ops;
	t->chip = &dev_chip;
	t->priv = &s->ims_lv;
	t->default_cookie.value = 0xdefau;
}

struct msidom_domain *sim_msi_parent(struct sim *s)
{
	return s->cfg.no_ir ? s->vec.d : s->ir.d;
}

struct msidom_device *sim_device(struct sim *s, const char *name)
{
	MSIDOM_OPTS(msidom_device_info, di, .name = name);
	struct msidom_device *dev = NULL;

	assert_int_equal(msidom_device_create(s->ctx, &di, &dev), 0);
	return dev;
}

uint32_t sim_alloc_virq(struct sim *s, uint32_t index, const struct msidom_alloc_opts *o)
{
	struct msidom_map m = msidom_msi_alloc_at(s->dev, MSIDOM_DEFAULT_DOMAIN, index, o);

	assert_int_equal(m.index, (int32_t)index);
	return m.virq;
}

/*
 * Sims still alive when a test failed half-way; freed by the group
 * teardown so that LeakSanitizer reports only real leaks.
 */
static struct sim *live_sims[16];

static void sim_track(struct sim *s, bool add)
{
	for (unsigned int i = 0; i < 16; i++) {
		if (add && !live_sims[i]) {
			live_sims[i] = s;
			return;
		}
		if (!add && live_sims[i] == s) {
			live_sims[i] = NULL;
			return;
		}
	}
}

static void sim_release(struct sim *s)
{
	level_fini(&s->vec);
	level_fini(&s->ir);
	level_fini(&s->dev_lv);
	level_fini(&s->ims_lv);
	free(s);
}

int sim_group_teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 16; i++) {
		if (live_sims[i]) {
			msidom_ctx_destroy(live_sims[i]->ctx);
			sim_release(live_sims[i]);
			live_sims[i] = NULL;
		}
	}
	return 0;
}

struct sim *sim_new(const struct sim_cfg *cfg)
{
	struct sim *s = calloc(1, sizeof(*s));
	struct msidom_ctx_config cc = { .sz = sizeof(struct msidom_ctx_config) };
	struct msidom_domain_info vi = { .sz = sizeof(struct msidom_domain_info) },
				  ii = { .sz = sizeof(struct msidom_domain_info) };
	struct msidom_device_info di = { .sz = sizeof(struct msidom_device_info) };
	struct msidom_template t;

	assert_non_null(s);
	sim_track(s, true);
	if (cfg)
		s->cfg = *cfg;
	if (!s->cfg.dev_hwsize)
		s->cfg.dev_hwsize = 64;
	ts_hooks_init(&s->h);
	level_init(s, &s->vec, "VEC", SIM_VEC_HWSIZE);
	level_init(s, &s->ir, "IR", SIM_IR_HWSIZE);
	level_init(s, &s->dev_lv, "DEV", s->cfg.dev_hwsize);
	level_init(s, &s->ims_lv, "IMS", 2048);

	if (s->cfg.hosted_lock)
		ts_hooks_hosted_lock(&s->h);
	cc.hooks = &s->h.hooks;
	cc.max_virqs = s->cfg.max_virqs;
	assert_int_equal(msidom_ctx_create(&cc, &s->ctx), 0);

	vi.name = "VECTOR";
	vi.bus = MSIDOM_BUS_VECTOR;
	vi.flags = s->cfg.no_ir ? MSIDOM_DOMAIN_MSI_PARENT : 0;
	vi.hwsize = SIM_VEC_HWSIZE;
	vi.ops = &vec_ops;
	vi.chip = &vec_chip;
	vi.priv = &s->vec;
	assert_int_equal(msidom_domain_create(s->ctx, &vi, NULL, &s->vec.d), 0);
	if (!s->cfg.no_ir) {
		ii.name = "IR-0";
		ii.child_prefix = "IR-";
		ii.bus = MSIDOM_BUS_REMAP;
		ii.flags = MSIDOM_DOMAIN_MSI_PARENT | s->cfg.ir_flags;
		ii.hwsize = SIM_IR_HWSIZE;
		ii.ops = &ir_ops;
		ii.chip = s->cfg.ir_compose ? &ir_chip_compose : &ir_chip_plain;
		ii.priv = &s->ir;
		assert_int_equal(msidom_domain_create(s->ctx, &ii, s->vec.d, &s->ir.d), 0);
	}
	di.name = SIM_DEV_NAME;
	di.requester_id = 0x0300;
	di.priv = s;
	assert_int_equal(msidom_device_create(s->ctx, &di, &s->dev), 0);
	sim_msix_template(s, &t);
	assert_int_equal(msidom_device_domain_create(s->dev, MSIDOM_DEFAULT_DOMAIN, &t,
						     sim_msi_parent(s), &s->dev_lv.d),
			 0);
	if (s->cfg.ims) {
		sim_ims_template(s, &t);
		assert_int_equal(msidom_device_domain_create(s->dev, MSIDOM_SECONDARY_DOMAIN, &t,
							     sim_msi_parent(s), &s->ims_lv.d),
				 0);
	}
	sim_log_clear(s);
	return s;
}

void sim_free(struct sim *s)
{
	sim_track(s, false);
	msidom_ctx_destroy(s->ctx);
	s->ctx = NULL;
	/* Every level gave back everything, every byte went back through the hook. */
	assert_int_equal(s->vec.nr_used, 0);
	assert_int_equal(s->ir.nr_used, 0);
	ts_hooks_assert_clean(&s->h);
	assert_int_equal(s->ops_unlocked, 0);
	assert_int_equal(s->oddities, 0);
	sim_release(s);
}

void sim_handler(uint32_t virq, void *arg)
{
	struct sim *s = arg;

	s->handled++;
	s->last_handled_virq = virq;
	s->last_handled_arg = arg;
}

/* ----------------------------------------------------------- snapshots */

struct strbuf {
	char *p;
	size_t len, cap;
};

static void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (b->len + (size_t)n + 1 > b->cap) {
		b->cap = (b->len + (size_t)n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void snap_level(struct strbuf *b, const struct sim_level *l)
{
	struct msidom_desc *d;

	if (!l->d)
		return;
	sb_printf(b, "[%s]\n", l->tag);
	for (d = msidom_desc_first(l->d, MSIDOM_DESC_ALL); d;
	     d = msidom_desc_next(d, MSIDOM_DESC_ALL)) {
		struct msidom_msg m = msidom_desc_msg(d);

		sb_printf(b, "i%u v%u c%llx %s %s %08x:%08x:%08x cpu%u u%p\n", msidom_desc_index(d),
			  msidom_desc_virq(d), (unsigned long long)msidom_desc_cookie(d).value,
			  msidom_desc_masked(d) ? "M" : "m", msidom_desc_activated(d) ? "A" : "a",
			  m.address_hi, m.address_lo, m.data, msidom_desc_cpu(d),
			  msidom_desc_user_data(d));
	}
	/* The simulated hardware: vector table and mask bits. */
	for (uint32_t i = 0; i < l->hwsize; i++)
		if (l->table[i].address_lo || l->table[i].data || l->masked[i] != 1)
			sb_printf(b, "hw%u %08x:%08x %u\n", i, l->table[i].address_lo,
				  l->table[i].data, l->masked[i]);
}

void sim_snap_take(struct sim *s, struct sim_snap *snap)
{
	struct strbuf b = { 0 };
	const struct sim_level *lv[4] = { &s->vec, &s->ir, &s->dev_lv, &s->ims_lv };

	memset(snap, 0, sizeof(*snap));
	snap->mem = msidom_ctx_mem_bytes(s->ctx);
	snap->hook_live = s->h.live;
	snap->irqs = msidom_irq_count(s->ctx);
	/* Every byte the context counts went through the hook, and no other. */
	assert_int_equal(snap->mem, snap->hook_live);
	for (int i = 0; i < 4; i++) {
		snap->mapped[i] = lv[i]->d ? msidom_domain_mapped(lv[i]->d) : 0;
		snap->used[i] = lv[i]->nr_used;
	}
	sb_printf(&b, "%s", "");
	snap_level(&b, &s->dev_lv);
	snap_level(&b, &s->ims_lv);
	snap->descs = b.p;
	snap->dump = ts_dump(s->ctx);
}

void sim_snap_assert_same(struct sim *s, const struct sim_snap *before)
{
	struct sim_snap now;

	sim_snap_take(s, &now);
	assert_int_equal(now.mem, before->mem);
	assert_int_equal(now.hook_live, before->hook_live);
	assert_int_equal(now.irqs, before->irqs);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(now.mapped[i], before->mapped[i]);
		assert_int_equal(now.used[i], before->used[i]);
	}
	assert_string_equal(now.descs, before->descs);
	assert_string_equal(now.dump, before->dump);
	sim_snap_free(&now);
}

void sim_snap_free(struct sim_snap *snap)
{
	free(snap->descs);
	free(snap->dump);
	snap->descs = snap->dump = NULL;
}
