/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Software model of the hardware the bare-metal backend drives: PCI config
 * space of a few functions (with BAR sizing), one MMIO window holding
 * MSI-X tables, and a VT-d interrupt remapping table. Every write (and
 * every MMIO read) is recorded, so tests can assert exact sequences.
 */
#ifndef BM_TEST_MODEL_H
#define BM_TEST_MODEL_H

#include <libmsidom/baremetal.h>

#include "support.h"

enum ev_kind { EV_CFG_W, EV_MMIO_W, EV_MMIO_R, EV_BARRIER, EV_STORE128, EV_INVAL };

struct ev {
	enum ev_kind kind;
	uint64_t addr; /* config offset, MMIO address, IRTE index */
	uint32_t size; /* config write size, invalidation count */
	uint64_t val;
	uint64_t val2;
};

#define MODEL_FNS 4
#define MODEL_LOG 8192
#define MMIO_BASE 0xfe000000ull
#define MMIO_SIZE 0x10000u

struct model {
	struct msidom_bm_platform plat;
	uint32_t sbdf[MODEL_FNS];
	uint8_t cfg[MODEL_FNS][4096];
	uint64_t bar_size[MODEL_FNS][6];
	int nfn;
	uint32_t mmio[MMIO_SIZE / 4];
	struct ev log[MODEL_LOG];
	int nlog;
	int cfg_reads, cfg_writes;
	int fail_cfg_read_at; /* fail the n-th read from now (1-based), 0: never */
	int fail_cfg_write_at;
	int fail_inval; /* fail every invalidation */
	int fail_store128;
	volatile uint64_t *irt; /* for barrier snapshots */
	uint32_t irt_entries;
	uint32_t watch; /* IRTE index barriers snapshot */
	void (*on_mmio_write)(struct model *m, uint64_t addr, uint32_t val);
	void *user;
};

void model_init(struct model *m, bool store128, bool inval);
int model_add_fn(struct model *m, uint32_t sbdf);
/* Append a capability of @len bytes; returns its offset. */
uint16_t model_add_cap(struct model *m, int fn, uint8_t id, uint16_t len);
void model_set_bar(struct model *m, int fn, int bir, uint64_t addr, uint64_t size, bool is64);
uint16_t model_msi_cap(struct model *m, int fn, uint32_t mmc, bool is64, bool maskbit);
uint16_t model_msix_cap(struct model *m, int fn, uint32_t nvec, uint32_t table, uint32_t pba);
uint32_t model_cfg(struct model *m, int fn, uint16_t off, int size);
void model_cfg_set(struct model *m, int fn, uint16_t off, int size, uint32_t val);
uint32_t model_mmio(struct model *m, uint64_t addr);
void model_clear_log(struct model *m);
/* Count log entries of @kind. */
int model_count(const struct model *m, enum ev_kind kind);
/* Assert the log equals @exp (size ignored when 0 in exp for MMIO). */
void model_expect(const struct model *m, const struct ev *exp, int n, const char *file, int line);
#define EXPECT_LOG(m, ...)                                                               \
	do {                                                                             \
		const struct ev exp_[] = { __VA_ARGS__ };                                \
		model_expect((m), exp_, (int)(sizeof(exp_) / sizeof(exp_[0])), __FILE__, \
			     __LINE__);                                                  \
	} while (0)

#define CFGW(off, sz, v)                         \
	{                                        \
		EV_CFG_W, (off), (sz), (v), SBDF \
	}
#define MMW(a, v)                         \
	{                                 \
		EV_MMIO_W, (a), 0, (v), 0 \
	}
#define MMR(a)                          \
	{                               \
		EV_MMIO_R, (a), 0, 0, 0 \
	}
#define INVAL(i, n)                      \
	{                                \
		EV_INVAL, (i), (n), 0, 0 \
	}
#define BARRIER(i, lo, hi)                     \
	{                                      \
		EV_BARRIER, (i), 0, (lo), (hi) \
	}
#define STORE(i, lo, hi)                        \
	{                                       \
		EV_STORE128, (i), 0, (lo), (hi) \
	}
/* The function most tests use: 0000:00:03.0. */
#define SBDF MSIDOM_BM_SBDF(0, 0, 3, 0)

/* A context on the support library's hooks (log level ERR); returns it. */
struct msidom_ctx *test_ctx(void);
/* Every error line logged through test_ctx() contexts since test_clear_log(). */
const char *test_last_log(void);
void test_clear_log(void);

#endif
