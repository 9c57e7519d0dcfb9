/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "model.h"

static int find_fn(struct model *m, uint32_t sbdf)
{
	for (int i = 0; i < m->nfn; i++)
		if (m->sbdf[i] == sbdf)
			return i;
	return -1;
}

static void add(struct model *m, enum ev_kind k, uint64_t addr, uint32_t size, uint64_t val,
		uint64_t val2)
{
	assert_true(m->nlog < MODEL_LOG);
	m->log[m->nlog].kind = k;
	m->log[m->nlog].addr = addr;
	m->log[m->nlog].size = size;
	m->log[m->nlog].val = val;
	m->log[m->nlog].val2 = val2;
	m->nlog++;
}

uint32_t model_cfg(struct model *m, int fn, uint16_t off, int size)
{
	uint32_t v = 0;

	for (int i = 0; i < size; i++)
		v |= (uint32_t)m->cfg[fn][off + i] << (8 * i);
	return v;
}

void model_cfg_set(struct model *m, int fn, uint16_t off, int size, uint32_t val)
{
	for (int i = 0; i < size; i++)
		m->cfg[fn][off + i] = (uint8_t)(val >> (8 * i));
}

static int cfg_read(void *opaque, uint32_t sbdf, uint16_t off, uint8_t size, uint32_t *val)
{
	struct model *m = opaque;
	int fn = find_fn(m, sbdf);

	assert_true(size == 1 || size == 2 || size == 4);
	assert_true(off + size <= 4096 && (off % size) == 0);
	m->cfg_reads++;
	if (m->fail_cfg_read_at && --m->fail_cfg_read_at == 0)
		return -5;
	*val = fn < 0 ? (size == 4 ? ~0u : (1u << (8 * size)) - 1) : model_cfg(m, fn, off, size);
	return 0;
}

static int cfg_write(void *opaque, uint32_t sbdf, uint16_t off, uint8_t size, uint32_t val)
{
	struct model *m = opaque;
	int fn = find_fn(m, sbdf);

	assert_true(size == 1 || size == 2 || size == 4);
	assert_true(off + size <= 4096 && (off % size) == 0);
	m->cfg_writes++;
	if (m->fail_cfg_write_at && --m->fail_cfg_write_at == 0)
		return -5;
	add(m, EV_CFG_W, off, size, val, sbdf);
	if (fn < 0)
		return 0;
	if (off >= 0x10 && off < 0x28 && size == 4) {
		int bir = (off - 0x10) / 4;
		uint32_t old = model_cfg(m, fn, off, 4);
		uint64_t sz = m->bar_size[fn][bir];
		bool hi = bir > 0 && ((model_cfg(m, fn, (uint16_t)(off - 4), 4) >> 1) & 3u) == 2u &&
			  m->bar_size[fn][bir - 1];

		if (hi) {
			uint64_t mask = ~(m->bar_size[fn][bir - 1] - 1);

			val &= (uint32_t)(mask >> 32);
		} else if (sz) {
			val = (val & (uint32_t) ~(sz - 1) & ~0xfu) | (old & 0xfu);
		} else {
			val = 0;
		}
	}
	model_cfg_set(m, fn, off, size, val);
	return 0;
}

uint32_t model_mmio(struct model *m, uint64_t addr)
{
	assert_true(addr >= MMIO_BASE && addr + 4 <= MMIO_BASE + MMIO_SIZE);
	return m->mmio[(addr - MMIO_BASE) / 4];
}

static uint32_t mmio_read(void *opaque, uint64_t addr)
{
	struct model *m = opaque;

	add(m, EV_MMIO_R, addr, 4, 0, 0);
	assert_true((addr & 3u) == 0);
	return model_mmio(m, addr);
}

static void mmio_write(void *opaque, uint64_t addr, uint32_t val)
{
	struct model *m = opaque;

	assert_true((addr & 3u) == 0);
	assert_true(addr >= MMIO_BASE && addr + 4 <= MMIO_BASE + MMIO_SIZE);
	add(m, EV_MMIO_W, addr, 4, val, 0);
	m->mmio[(addr - MMIO_BASE) / 4] = val;
	if (m->on_mmio_write)
		m->on_mmio_write(m, addr, val);
}

/* A barrier records the watched IRTE as it is at that moment. */
static void barrier(void *opaque)
{
	struct model *m = opaque;

	if (m->irt)
		add(m, EV_BARRIER, m->watch, 0, m->irt[2 * m->watch], m->irt[2 * m->watch + 1]);
	else
		add(m, EV_BARRIER, 0, 0, 0, 0);
}

static int store128(void *opaque, volatile void *dst, uint64_t lo, uint64_t hi)
{
	struct model *m = opaque;
	volatile uint64_t *e = dst;

	assert_true(((uintptr_t)dst & 15u) == 0);
	add(m, EV_STORE128, (uint64_t)(e - m->irt) / 2, 0, lo, hi);
	if (m->fail_store128)
		return -5;
	e[0] = lo;
	e[1] = hi;
	return 0;
}

static int inval(void *opaque, uint32_t index, uint32_t count)
{
	struct model *m = opaque;

	add(m, EV_INVAL, index, count, 0, 0);
	return m->fail_inval ? -5 : 0;
}

void model_init(struct model *m, bool with_store128, bool with_inval)
{
	memset(m, 0, sizeof(*m));
	m->plat.sz = sizeof(m->plat);
	m->plat.pci_read = cfg_read;
	m->plat.pci_write = cfg_write;
	m->plat.mmio_read32 = mmio_read;
	m->plat.mmio_write32 = mmio_write;
	m->plat.barrier = barrier;
	m->plat.store128 = with_store128 ? store128 : NULL;
	m->plat.irte_invalidate = with_inval ? inval : NULL;
	m->plat.opaque = m;
}

int model_add_fn(struct model *m, uint32_t sbdf)
{
	int fn = m->nfn++;

	assert_true(fn < MODEL_FNS);
	m->sbdf[fn] = sbdf;
	model_cfg_set(m, fn, 0, 2, 0x8086);
	model_cfg_set(m, fn, 2, 2, 0x10d3);
	model_cfg_set(m, fn, 4, 2, 0x0006); /* memory + bus master */
	return fn;
}

uint16_t model_add_cap(struct model *m, int fn, uint8_t id, uint16_t len)
{
	uint16_t pos = 0x40, prev = 0;
	uint16_t p = m->cfg[fn][0x34];

	while (p) {
		prev = p;
		pos = (uint16_t)(p + 0x20);
		p = m->cfg[fn][p + 1];
	}
	assert_true(pos + len <= 0x100);
	m->cfg[fn][pos] = id;
	m->cfg[fn][pos + 1] = 0;
	if (prev)
		m->cfg[fn][prev + 1] = (uint8_t)pos;
	else
		m->cfg[fn][0x34] = (uint8_t)pos;
	model_cfg_set(m, fn, 6, 2, model_cfg(m, fn, 6, 2) | 0x10);
	return pos;
}

void model_set_bar(struct model *m, int fn, int bir, uint64_t addr, uint64_t size, bool is64)
{
	m->bar_size[fn][bir] = size;
	model_cfg_set(m, fn, (uint16_t)(0x10 + 4 * bir), 4, (uint32_t)addr | (is64 ? 4u : 0u));
	if (is64)
		model_cfg_set(m, fn, (uint16_t)(0x14 + 4 * bir), 4, (uint32_t)(addr >> 32));
}

uint16_t model_msi_cap(struct model *m, int fn, uint32_t mmc, bool is64, bool maskbit)
{
	uint16_t cap = model_add_cap(m, fn, 0x05, 0x18);

	model_cfg_set(m, fn, (uint16_t)(cap + 2), 2,
		      (mmc << 1) | (is64 ? 0x80u : 0) | (maskbit ? 0x100u : 0));
	return cap;
}

uint16_t model_msix_cap(struct model *m, int fn, uint32_t nvec, uint32_t table, uint32_t pba)
{
	uint16_t cap = model_add_cap(m, fn, 0x11, 12);

	model_cfg_set(m, fn, (uint16_t)(cap + 2), 2, nvec - 1);
	model_cfg_set(m, fn, (uint16_t)(cap + 4), 4, table);
	model_cfg_set(m, fn, (uint16_t)(cap + 8), 4, pba);
	return cap;
}

void model_clear_log(struct model *m)
{
	m->nlog = 0;
}

int model_count(const struct model *m, enum ev_kind kind)
{
	int n = 0;

	for (int i = 0; i < m->nlog; i++)
		n += m->log[i].kind == kind;
	return n;
}

static const char *kind_name(enum ev_kind k)
{
	static const char *const names[] = { "CFG_W",   "MMIO_W",   "MMIO_R",
					     "BARRIER", "STORE128", "INVAL" };
	return names[k];
}

static void dump(const struct ev *e, int n)
{
	for (int i = 0; i < n; i++)
		print_message("  %2d %-8s addr 0x%llx size %u val 0x%llx val2 0x%llx\n", i,
			      kind_name(e[i].kind), (unsigned long long)e[i].addr, e[i].size,
			      (unsigned long long)e[i].val, (unsigned long long)e[i].val2);
}

void model_expect(const struct model *m, const struct ev *exp, int n, const char *file, int line)
{
	bool ok = m->nlog == n;

	for (int i = 0; ok && i < n; i++) {
		const struct ev *a = &m->log[i], *e = &exp[i];

		ok = a->kind == e->kind && a->addr == e->addr && a->val == e->val &&
		     a->val2 == e->val2 && (e->kind != EV_CFG_W || a->size == e->size) &&
		     (e->kind != EV_INVAL || a->size == e->size);
	}
	if (!ok) {
		print_message("%s:%d: write sequence differs\nexpected:\n", file, line);
		dump(exp, n);
		print_message("actual:\n");
		dump(m->log, m->nlog);
		fail();
	}
}

/* One set of hooks for every context of a test (the library's mutex: several may coexist). */
static struct ts_hooks hooks;

struct msidom_ctx *test_ctx(void)
{
	if (!hooks.hooks.alloc) {
		ts_hooks_init(&hooks);
		ts_hooks_hosted_lock(&hooks);
		hooks.hooks.log_level = MSIDOM_LOG_ERR;
	}
	return ts_ctx_new(&hooks);
}

const char *test_last_log(void)
{
	return hooks.text;
}

void test_clear_log(void)
{
	ts_log_clear(&hooks);
}
