/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Simulated platform shared by the unit tests, on the test support
 * library's hooks:
 *  - a hierarchy [VEC] <- [IR] (optional) <- per-device [DEV] (MSI-X)
 *    and [IMS] (secondary slot), whose ops append "op:TAG" to one event
 *    log, so tests assert exact sequences, and fail on request;
 *  - snapshots of everything observable, to prove a failed call changed
 *    nothing.
 */
#ifndef UNIT_SIM_H
#define UNIT_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "support.h"

#define SIM_CPUS       4u
#define SIM_VEC_HWSIZE (SIM_CPUS * 256u) /* hwirq = cpu * 256 + vector */
#define SIM_VEC_FIRST  32u               /* lowest usable vector */
#define SIM_IR_HWSIZE  512u              /* remapping table entries */
#define SIM_MSIX_ADDR  0xfee00000u
#define SIM_IR_ADDR    0xfee00010u
#define SIM_LOG_SIZE   16384u
#define SIM_DEV_NAME   "0000:03:00.0"

/* ---- the simulated hierarchy ---- */
struct sim;

/* One simulated level; the domain's priv points here. */
struct sim_level {
	struct sim *sim;
	const char *tag;
	struct msidom_domain *d;
	uint32_t hwsize;
	uint8_t *used; /* per hwirq: allocated by this level */
	uint32_t nr_used;
	uint32_t *moving_from; /* VEC: old hwirq + 1 of a pending move */
	/* Device levels: the simulated vector table. */
	struct msidom_msg *table;
	uint8_t *masked;
	uint64_t *cookie_prepared; /* cookie seen by prepare_desc */
	uint64_t *cookie_written;  /* cookie seen by the last write_msg */
	uint8_t *masked_at_activate;
	unsigned int destroyed;
};

struct sim_cfg {
	bool no_ir;          /* device domains sit on VEC directly */
	bool ir_compose;     /* IR composes (remappable format) */
	uint32_t ir_flags;   /* extra IR flags (ISOLATED_MSI, IMMUTABLE) */
	uint32_t dev_hwsize; /* default 64 */
	uint32_t dev_flags;  /* extra device-domain flags */
	bool ims;            /* also create the IMS-like secondary domain */
	uint32_t max_virqs;  /* 0: default */
	bool hosted_lock;    /* the library's default mutex instead of the checking lock */
};

struct sim {
	struct ts_hooks h;
	struct sim_cfg cfg;
	struct msidom_ctx *ctx;
	struct sim_level vec, ir, dev_lv, ims_lv;
	struct msidom_device *dev;
	/* Event log: "op:TAG op:TAG! ..." ('!' marks an injected failure). */
	char log[SIM_LOG_SIZE];
	size_t log_len;
	/* Op failure injection: fail the fail_nth-th call of fail_op. */
	char fail_op[32];
	int fail_nth;
	int fail_err;
	unsigned long ops_unlocked; /* ops called without the context lock */
	unsigned long oddities;     /* ops saw a state the core promises never to show */
	/* Handler calls. */
	unsigned int handled;
	uint32_t last_handled_virq;
	void *last_handled_arg;
};

/* Allocate a sim, create the context and the whole hierarchy. */
struct sim *sim_new(const struct sim_cfg *cfg);
/* Destroy the context, check the hooks saw no misuse, free the sim. */
void sim_free(struct sim *s);
/* cmocka group teardown: free sims a failed test left behind. */
int sim_group_teardown(void **state);

/* Templates of the two device domains, for creating them by hand. */
void sim_msix_template(struct sim *s, struct msidom_template *t);
void sim_ims_template(struct sim *s, struct msidom_template *t);
/* The parent of device domains (IR, or VEC with no_ir). */
struct msidom_domain *sim_msi_parent(struct sim *s);
/* Another device in the sim's context (destroyed with it). */
struct msidom_device *sim_device(struct sim *s, const char *name);
/* Allocate at @index of the sim's MSI-X domain (asserts success); returns the virq. */
uint32_t sim_alloc_virq(struct sim *s, uint32_t index, const struct msidom_alloc_opts *o);

/* Event log. */
const char *sim_log(struct sim *s);
void sim_log_clear(struct sim *s);
/* Make the nth (1: next) call of @op (e.g. "activate:IR") fail with @err. */
void sim_fail(struct sim *s, const char *op, int nth, int err);
/* Count occurrences of an exact event in the log. */
unsigned int sim_count(struct sim *s, const char *ev);

/* The simple handler tests install: counts calls into the sim. */
void sim_handler(uint32_t virq, void *arg);

/* ---- snapshots ---- */
struct sim_snap {
	size_t mem;
	size_t hook_live;
	uint32_t irqs;
	uint32_t mapped[4];
	uint32_t used[4];
	char *descs; /* every descriptor of both slots, serialized */
	char *dump;
};

void sim_snap_take(struct sim *s, struct sim_snap *snap);
/* Assert (cmocka) that nothing observable differs from @before. */
void sim_snap_assert_same(struct sim *s, const struct sim_snap *before);
void sim_snap_free(struct sim_snap *snap);

/* CPU masks. */
struct sim_mask {
	uint64_t bits[1];
	struct msidom_cpumask m;
};
const struct msidom_cpumask *sim_cpu(struct sim_mask *m, unsigned int cpu);
/* The same from a small ring of masks: valid for the next few calls. */
const struct msidom_cpumask *sim_cpu1(unsigned int cpu);

#endif
