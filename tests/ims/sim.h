/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Simulated platform for the IMS suite, on the test support library's
 * hooks: a small root domain (compose: 0xFEE00000 | cpu << 12, data =
 * hwirq), a 64-entry MSI-X device domain, an IMS array in simulated device
 * memory behind traced MMIO accessors, and a scriptable driver storage.
 */
#ifndef IMS_SIM_H
#define IMS_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmsidom/ims.h>

#include "support.h"

#define SIM_ROOT_HWSIZE  (1u << 18)
#define SIM_MSIX_ENTRIES 64u
#define SIM_IMS_ENTRIES  4096u
#define SIM_TRACE_MAX    4096u

/* ---- root domain ---- */
struct sim_root {
	struct msidom_domain *d;
	uint64_t *used; /* hwirq bitmap */
	uint16_t *cpu;  /* target CPU per hwirq, as a vector domain keeps it */
	uint32_t nr_used;
	uint32_t hint;
	unsigned int fail_alloc; /* > 0: the n-th alloc from now fails */
};

int sim_root_create(struct msidom_ctx *ctx, struct sim_root *r, const char *name, bool isolated);
void sim_root_fini(struct sim_root *r);

/* ---- MSI-X device domain with a 64-entry table ---- */
struct sim_msix {
	struct msidom_domain *d;
	uint32_t table[SIM_MSIX_ENTRIES][4];
	unsigned int writes;
};

int sim_msix_create(struct msidom_device *dev, struct sim_msix *m, struct msidom_domain *parent);

/* ---- traced MMIO device memory for the IMS array ---- */
struct sim_access {
	char op; /* 'R' or 'W' */
	uint32_t off;
	uint32_t val;
};

struct sim_mmio {
	uint32_t *mem; /* nr_entries * 4 words; control words start masked */
	uint32_t nr_entries;
	struct sim_access trace[SIM_TRACE_MAX];
	unsigned int ntrace;
	unsigned long naccess;
	long fail_countdown; /* > 0: the n-th access from now fails with -EIO */
};

void sim_mmio_init(struct sim_mmio *m, uint32_t nr_entries);
void sim_mmio_fini(struct sim_mmio *m);
void sim_mmio_config(struct sim_mmio *m, struct msidom_ims_array_config *cfg);
/* Assert the trace equals the @n given accesses, then clear it. */
void sim_mmio_expect(struct sim_mmio *m, const struct sim_access *want, unsigned int n,
		     const char *what);

/* ---- scriptable driver storage ---- */
enum sim_cb {
	CB_NONE = 0,
	CB_PREPARE,
	CB_RELEASE,
	CB_WRITE,
	CB_MASK,
	CB_UNMASK,
	CB_LOCK,
	CB_SYNC,
	CB_APPLY_WRITE, /* applied at sync: not a callback, an effect */
	CB_APPLY_MASK,
	CB_APPLY_UNMASK,
};

struct sim_event {
	enum sim_cb cb;
	uint32_t slot;
	uint64_t cookie;
	struct msidom_msg msg;
};

#define SIM_EVENTS_MAX  4096u
#define SIM_PENDING_MAX 1024u

struct sim_storage {
	bool batched; /* provide bus_lock / bus_sync_unlock */
	bool locked;
	/* Failure injection: callback @fail_cb fails on its @fail_nth call (1-based). */
	enum sim_cb fail_cb;
	unsigned int fail_nth;
	unsigned int calls[CB_APPLY_UNMASK + 1];
	struct sim_event ev[SIM_EVENTS_MAX];
	unsigned int nev;
	/* Recorded but not yet applied (batched mode). */
	struct sim_event pending[SIM_PENDING_MAX];
	unsigned int npending;
	/* Slot state as the device would see it. */
	uint32_t nslots;
	struct msidom_msg *msg;
	bool *unmasked;
	bool *prepared;
	uint64_t *cookie;
	unsigned int nprepared;
};

void sim_storage_init(struct sim_storage *s, uint32_t nslots, bool batched);
void sim_storage_fini(struct sim_storage *s);
void sim_storage_reset_events(struct sim_storage *s);
struct msidom_ims_storage sim_storage_of(struct sim_storage *s);

/* ---- whole-state snapshot for "nothing changed" checks ---- */
struct sim_snap {
	size_t mem;
	uint32_t irqs;
	uint32_t descs[MSIDOM_MAX_DOMAINS];
	uint32_t mapped[MSIDOM_MAX_DOMAINS];
	uint32_t root_used;
	uint32_t root_mapped;
};

void sim_snap(struct msidom_ctx *ctx, struct msidom_device *dev, struct sim_root *r,
	      struct sim_snap *s);
void sim_snap_expect_equal(const struct sim_snap *a, const struct sim_snap *b);

/* ---- common fixture: ctx, isolated root "VECTOR", device 0000:03:00.0, MSI-X ---- */
struct fx {
	struct ts_hooks h;
	struct msidom_ctx *ctx;
	struct sim_root root;
	struct msidom_device *dev;
	struct sim_msix msix;
	struct msidom_domain *ims;
};

int fx_setup(void **state);
int fx_teardown(void **state);

#endif
