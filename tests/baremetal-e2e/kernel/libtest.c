/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The end-to-end test proper: vectors allocated through libmsidom's x86
 * vector domain over two CPUs (under its VT-d remapping domain when the
 * IOMMU is on), edu's MSI and e1000e's MSI-X programmed by the library's
 * PCI device domains, interrupts raised by the devices and counted per
 * (CPU, vector) by the kernel's own stubs and per virq through
 * msidom_handle().
 */
#include <libmsidom/baremetal.h>
#include <libmsidom/error.h>

#include "heap.h"
#include "kernel.h"
#include "platform.h"

#define MAX_TRACKED       8
#define E1000E_MIN_GAP_US 300u

struct tracked {
	uint32_t virq;
	volatile uint32_t hits;
};

/* Where an interrupt is delivered; vector -1: nowhere. */
struct target {
	int cpu;
	int vector;
};

static const struct target NOWHERE = { 0, -1 };

static struct {
	struct msidom_ctx *ctx;
	struct msidom_domain *vec, *ir, *parent;
	struct msidom_device *edu_dev, *nic_dev;
	struct msidom_domain *edu_dom, *nic_dom;
	struct pci_dev edu, nic;
	uintptr_t edu_bar, nic_bar;
	struct e2e_platform plat;
	struct vtd *vtd;
	struct tracked tracked[MAX_TRACKED];
	volatile uint32_t unhandled;
	bool iommu;
	unsigned int ncpus;
} T;

static uint32_t snap[E2E_MAX_CPUS][256];

static void log_hook(void *opaque, enum msidom_log_level level, const char *line)
{
	(void)opaque;
	kprintf("lib[%u]: %s\n", (unsigned int)level, line);
}

static void on_vector(unsigned int cpu, unsigned int vector, void *arg)
{
	(void)arg;
	if (vector == RAW_VECTOR)
		return; /* the kernel's own vector, not the library's */
	if (msidom_handle(T.vec, MSIDOM_BM_X86_HWIRQ(cpu, vector)))
		__atomic_fetch_add(&T.unhandled, 1, __ATOMIC_RELAXED);
}

static void on_virq(uint32_t virq, void *arg)
{
	struct tracked *t = arg;

	if (t->virq == virq)
		__atomic_fetch_add(&t->hits, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&T.unhandled, 1, __ATOMIC_RELAXED);
}

static struct tracked *track(uint32_t virq)
{
	for (unsigned int i = 0; i < MAX_TRACKED; i++) {
		if (!T.tracked[i].virq) {
			T.tracked[i].virq = virq;
			T.tracked[i].hits = 0;
			if (msidom_irq_set_handler(T.ctx, virq, on_virq, &T.tracked[i]))
				return NULL;
			return &T.tracked[i];
		}
	}
	return NULL;
}

static void untrack(struct tracked *t)
{
	if (t)
		t->virq = 0;
}

/* ---- raising interrupts ---- */

static void edu_raise(uint32_t arg)
{
	(void)arg;
	mmio_write32(T.edu_bar + EDU_IRQ_RAISE, 1);
}

static void edu_ack(void)
{
	mmio_write32(T.edu_bar + EDU_IRQ_ACK, mmio_read32(T.edu_bar + EDU_IRQ_STATUS));
}

/* Routes e1000e's OTHER cause to MSI-X entry @p entry and raises it. */
static void nic_raise(uint32_t entry)
{
	mmio_write32(T.nic_bar + E1000E_IVAR, 1u << 31 | (0x8u | entry) << 16);
	mmio_write32(T.nic_bar + E1000E_IMS, E1000E_OTHER);
	mmio_write32(T.nic_bar + E1000E_ICS, E1000E_OTHER);
}

static void nic_setup(void)
{
	/* Nothing latched, everything masked, OTHER auto-cleared per message. */
	mmio_write32(T.nic_bar + E1000E_IMC, 0xFFFFFFFFu);
	mmio_write32(T.nic_bar + E1000E_ICR, 0xFFFFFFFFu);
	(void)mmio_read32(T.nic_bar + E1000E_ICR);
	mmio_write32(T.nic_bar + E1000E_EIAC, E1000E_OTHER);
}

static void snapshot(void)
{
	for (unsigned int c = 0; c < E2E_MAX_CPUS; c++)
		for (unsigned int v = 0; v < 256; v++)
			snap[c][v] = irq_count_cpu(c, v);
}

static void settle(void)
{
	for (volatile uint32_t spin = 0; spin < 300000u; spin++)
		;
}

/*
 * Compares the per-(CPU, vector) counters with the snapshot: @p want got
 * exactly @p n arrivals and no other (CPU, vector) any.
 */
static bool deltas_ok(struct target want, uint32_t n, uint32_t *got, uint32_t *wrong,
		      struct target *first_wrong)
{
	*got = 0;
	*wrong = 0;
	*first_wrong = NOWHERE;
	for (unsigned int c = 0; c < E2E_MAX_CPUS; c++) {
		for (unsigned int v = 32; v < 256; v++) {
			uint32_t d = irq_count_cpu(c, v) - snap[c][v];

			if ((int)c == want.cpu && (int)v == want.vector) {
				*got = d;
			} else if (d) {
				*wrong += d;
				if (first_wrong->vector < 0)
					*first_wrong = (struct target){ (int)c, (int)v };
			}
		}
	}
	return *wrong == 0 && (want.vector < 0 || *got == n);
}

/*
 * Raises once and checks every counter afterwards: the expected (CPU,
 * vector), if any, got exactly one arrival, everything else none, and the
 * virq's handler ran exactly once through msidom_handle().
 */
static bool raise_expect(const char *name, void (*raise)(uint32_t), uint32_t arg,
			 struct target want, struct tracked *t)
{
	uint32_t total = irq_total(), hits = t ? t->hits : 0;
	uint32_t unhandled = T.unhandled, wrong, got;
	struct target fw;
	bool ok;

	/*
	 * QEMU's e1000e throttles each MSI-X vector to one message per 128 us
	 * (EITR has a floor) and later sends what it held back: keep raises
	 * further apart than that, so every raise is sent at once.
	 */
	udelay(E1000E_MIN_GAP_US);
	snapshot();
	raise(arg);
	if (want.vector >= 0)
		irq_wait_total(total + 1);
	settle();
	if (raise == edu_raise)
		edu_ack();
	ok = deltas_ok(want, 1, &got, &wrong, &fw) && T.unhandled == unhandled &&
	     (t ? t->hits - hits == 1 : true);
	if (want.vector >= 0)
		check(ok, name,
		      "cpu %d vector 0x%x: %u arrival(s), handler %u, elsewhere %u "
		      "(first cpu %d vector 0x%x), unhandled %u",
		      want.cpu, (unsigned int)want.vector, got, t ? t->hits - hits : 0u, wrong,
		      fw.cpu, (unsigned int)fw.vector, T.unhandled - unhandled);
	else
		check(ok, name,
		      "no arrival expected: elsewhere %u (first cpu %d vector 0x%x), "
		      "unhandled %u",
		      wrong, fw.cpu, (unsigned int)fw.vector, T.unhandled - unhandled);
	return ok;
}

/* ---- inspecting what the library programmed ---- */

static struct target target_of(uint32_t virq)
{
	uint32_t cpu = 0;
	uint8_t vector = 0;

	if (msidom_bm_x86_vector_lookup(T.vec, virq, &cpu, &vector) || cpu >= T.ncpus)
		return NOWHERE;
	return (struct target){ (int)cpu, vector };
}

static bool same(struct target a, struct target b)
{
	return a.cpu == b.cpu && a.vector == b.vector;
}

static uint32_t irte_index_of(const struct msidom_msg *m)
{
	return ((m->address_lo >> 5) & 0x7FFFu) | ((m->address_lo >> 2) & 1u) << 15;
}

static struct msidom_msg msg_of(uint32_t virq)
{
	struct msidom_desc *desc = msidom_irq_desc(T.ctx, virq);

	return desc ? msidom_desc_msg(desc) : (struct msidom_msg){ 0, 0, 0 };
}

static bool irte_present(uint32_t idx)
{
	return idx < T.vtd->irt_entries && (T.vtd->irt[2 * idx] & 1u);
}

/* Checks the message (and with VT-d the IRTE) behind a live virq. */
static void check_programming(const char *name, uint32_t virq, struct target tg, uint16_t rid)
{
	struct msidom_desc *desc = msidom_irq_desc(T.ctx, virq);
	uint32_t apic = cpu_apic_id((unsigned int)tg.cpu);
	struct msidom_msg m;

	if (!desc || tg.vector < 32) {
		check(false, name, "virq %u: descriptor %p, vector %d", virq, (void *)desc,
		      tg.vector);
		return;
	}
	m = msidom_desc_msg(desc);
	if (!T.iommu) {
		check(m.address_lo == (0xFEE00000u | apic << 12) && m.address_hi == 0 &&
			      m.data == (uint32_t)tg.vector,
		      name, "virq %u cpu %d vector 0x%x: compatibility message 0x%x:%x data 0x%x",
		      virq, tg.cpu, (unsigned int)tg.vector, m.address_hi, m.address_lo, m.data);
	} else {
		uint32_t idx = irte_index_of(&m);
		uint64_t lo = idx < T.vtd->irt_entries ? T.vtd->irt[2 * idx] : 0;
		uint64_t hi = idx < T.vtd->irt_entries ? T.vtd->irt[2 * idx + 1] : 0;
		bool fmt = (m.address_lo & 0xFFF00000u) == 0xFEE00000u &&
			   (m.address_lo & (1u << 4)) && m.address_hi == 0;
		/* Present; physical, edge, fixed, no RH; xAPIC destination in 15:8. */
		bool entry = (lo & 1u) && ((lo >> 16) & 0xFFu) == (uint64_t)tg.vector &&
			     ((lo >> 2) & 0x3Fu) == 0 &&
			     ((lo >> 32) & 0xFFFFFFFFu) == (uint64_t)apic << 8 &&
			     (hi & 0xFFFFu) == rid && ((hi >> 16) & 3u) == 0 &&
			     ((hi >> 18) & 3u) == 1u;

		check(fmt && entry, name,
		      "virq %u cpu %d vector 0x%x: remappable message 0x%x data 0x%x -> "
		      "IRTE %u = %08x%08x:%08x%08x",
		      virq, tg.cpu, (unsigned int)tg.vector, m.address_lo, m.data, idx,
		      (uint32_t)(hi >> 32), (uint32_t)hi, (uint32_t)(lo >> 32), (uint32_t)lo);
	}
}

/* ---- setup ---- */

static int setup(void)
{
	static struct msidom_hooks hooks = {
		.sz = sizeof(struct msidom_hooks),
		.log = log_hook,
		.log_level = MSIDOM_LOG_WARN,
	};
	MSIDOM_OPTS(msidom_ctx_config, ccfg, .hooks = &hooks);
	uint32_t apic_ids[E2E_MAX_CPUS];
	/* The spurious vector and the raw test's vector are system vectors. */
	uint64_t reserved[4] = { 0, 1ull << (RAW_VECTOR - 64), 0, 1ull << 63 };
	MSIDOM_OPTS(msidom_bm_x86_vector_config, vcfg, .ncpus = T.ncpus, .apic_ids = apic_ids,
		    .reserved = reserved);
	char name[16];
	int rc;

	for (unsigned int c = 0; c < T.ncpus; c++)
		apic_ids[c] = cpu_apic_id(c);
	rc = heap_init(&hooks);
	if (!check(rc == 0, "lib-pool", "msidom_pool_init: %d", rc))
		return -1;
	rc = msidom_ctx_create(&ccfg, &T.ctx);
	if (!check(rc == 0, "lib-ctx", "msidom_ctx_create: %d", rc))
		return -1;
	rc = msidom_bm_x86_vector_domain_create(T.ctx, &vcfg, &T.vec);
	if (!check(rc == 0, "lib-vector-domain",
		   "msidom_bm_x86_vector_domain_create: %d (%s, %u CPUs)", rc,
		   rc ? "" : msidom_domain_name(T.vec), T.ncpus))
		return -1;
	T.parent = T.vec;
	if (T.iommu) {
		MSIDOM_OPTS(msidom_bm_vtd_ir_config, icfg, .table = T.vtd->irt,
			    .entries = T.vtd->irt_entries, .x2apic = false,
			    .source_validation = true, .platform = &T.plat.hooks);
		uint64_t irta = (uint64_t)mmio_read32(T.vtd->base + 0xBCu) << 32 |
				mmio_read32(T.vtd->base + 0xB8u);
		uint64_t want = msidom_bm_vtd_irta_value((uint32_t)(uintptr_t)T.vtd->irt,
							 T.vtd->irt_entries, false);

		check(irta == want, "lib-irta-value",
		      "IRTA register 0x%llx, msidom_bm_vtd_irta_value 0x%llx",
		      (unsigned long long)irta, (unsigned long long)want);
		rc = msidom_bm_vtd_ir_domain_create(T.ctx, &icfg, T.vec, &T.ir);
		if (!check(rc == 0, "lib-vtd-domain", "msidom_bm_vtd_ir_domain_create: %d (%s)", rc,
			   rc ? "" : msidom_domain_name(T.ir)))
			return -1;
		T.parent = T.ir;
	}

	msidom_snprintf(name, sizeof(name), "0000:00:%02x.0", T.edu.dev);
	rc = msidom_device_create(
		T.ctx,
		&(struct msidom_device_info){ .sz = sizeof(struct msidom_device_info),
					      .name = name,
					      .requester_id = pci_requester_id(&T.edu) },
		&T.edu_dev);
	if (!check(rc == 0, "lib-edu-device", "msidom_device_create: %d", rc))
		return -1;
	rc = msidom_bm_pci_msi_domain_create(
		T.edu_dev,
		&(struct msidom_bm_pci_config){ .sz = sizeof(struct msidom_bm_pci_config),
						.sbdf = MSIDOM_BM_SBDF(0, 0, T.edu.dev, 0),
						.platform = &T.plat.hooks },
		T.parent, &T.edu_dom);
	if (!check(rc == 0, "lib-edu-msi-domain", "msidom_bm_pci_msi_domain_create: %d (%s)", rc,
		   rc ? "" : msidom_domain_name(T.edu_dom)))
		return -1;

	msidom_snprintf(name, sizeof(name), "0000:00:%02x.0", T.nic.dev);
	rc = msidom_device_create(
		T.ctx,
		&(struct msidom_device_info){ .sz = sizeof(struct msidom_device_info),
					      .name = name,
					      .requester_id = pci_requester_id(&T.nic) },
		&T.nic_dev);
	if (!check(rc == 0, "lib-nic-device", "msidom_device_create: %d", rc))
		return -1;
	rc = msidom_bm_pci_msix_domain_create(
		T.nic_dev,
		&(struct msidom_bm_pci_config){ .sz = sizeof(struct msidom_bm_pci_config),
						.sbdf = MSIDOM_BM_SBDF(0, 0, T.nic.dev, 0),
						.platform = &T.plat.hooks },
		T.parent, &T.nic_dom);
	if (!check(rc == 0, "lib-nic-msix-domain", "msidom_bm_pci_msix_domain_create: %d (%s)", rc,
		   rc ? "" : msidom_domain_name(T.nic_dom)))
		return -1;
	return 0;
}

static void check_names(void)
{
	char want[48];
	const char *pfx = T.iommu ? "IR-" : "";

	msidom_snprintf(want, sizeof(want), "%sPCI-MSI-0000:00:%02x.0", pfx, T.edu.dev);
	check(!memcmp(msidom_domain_name(T.edu_dom), want, kstrlen(want) + 1),
	      "lib-edu-domain-name", "%s (want %s)", msidom_domain_name(T.edu_dom), want);
	msidom_snprintf(want, sizeof(want), "%sPCI-MSIX-0000:00:%02x.0", pfx, T.nic.dev);
	check(!memcmp(msidom_domain_name(T.nic_dom), want, kstrlen(want) + 1),
	      "lib-nic-domain-name", "%s (want %s)", msidom_domain_name(T.nic_dom), want);
	check(msidom_device_msi_isolated(T.nic_dev) == (T.iommu ? 1 : 0), "lib-isolated",
	      "msidom_device_msi_isolated %d with%s remapping",
	      msidom_device_msi_isolated(T.nic_dev), T.iommu ? "" : "out");
}

/*
 * Like request_irq() after pci_alloc_irq_vectors(): the vector is
 * allocated masked, gets its handler, and only then is unmasked, so a
 * message the device latched earlier finds the handler in place.
 */
static struct msidom_map alloc_one(struct msidom_device *dev, uint32_t index, struct tracked **t)
{
	struct msidom_map m = msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, index, NULL);
	struct msidom_desc *desc;
	int rc;

	*t = NULL;
	if (m.index < 0)
		return m;
	desc = msidom_irq_desc(T.ctx, m.virq);
	*t = track(m.virq);
	rc = msidom_irq_unmask(T.ctx, m.virq);
	if (!desc || !msidom_desc_activated(desc) || rc || msidom_desc_masked(desc) || !*t) {
		check(false, "lib-alloc-unmask",
		      "index %d virq %u: activated %d, unmask %d, "
		      "masked after %d",
		      m.index, m.virq, desc ? msidom_desc_activated(desc) : 0, rc,
		      desc ? msidom_desc_masked(desc) : 1);
		m.index = -MSIDOM_EIO;
	}
	return m;
}

/* ---- scenario pieces ---- */

static int last_rc;

static void unmask_virq(uint32_t virq)
{
	last_rc = msidom_irq_unmask(T.ctx, virq);
}

/*
 * msidom_irq_mask() on a live MSI-X vector: the device's message is held
 * back (the entry's pending bit), and msidom_irq_unmask() releases it
 * exactly once, on the same vector.
 */
static void mask_unmask(uint32_t virq, struct target tg, struct tracked *t)
{
	int rc = msidom_irq_mask(T.ctx, virq);
	struct msidom_desc *desc = msidom_irq_desc(T.ctx, virq);

	check(rc == 0 && desc && msidom_desc_masked(desc), "lib-mask-nic1",
	      "msidom_irq_mask: %d, masked %d", rc, desc ? msidom_desc_masked(desc) : 0);
	raise_expect("masked-nic-msix1-silent", nic_raise, 1, NOWHERE, NULL);
	raise_expect("unmask-delivers-pending-nic-msix1", unmask_virq, virq, tg, t);
	check(last_rc == 0 && !msidom_desc_masked(desc), "lib-unmask-nic1",
	      "msidom_irq_unmask: %d, masked %d", last_rc, msidom_desc_masked(desc));
	raise_expect("unmasked-nic-msix1", nic_raise, 1, tg, t);
}

/*
 * With remapping, the IRTE and not the device's message decides the
 * vector: retarget the library's entry by hand to the kernel's own vector,
 * see the next message arrive there, then restore the entry.
 */
static void steer_by_irte(uint32_t virq, struct target tg, struct tracked *t)
{
	struct msidom_msg m = msg_of(virq);
	uint32_t idx = irte_index_of(&m);
	volatile uint32_t *lo32;
	uint32_t saved;

	if (!check(idx < T.vtd->irt_entries && irte_present(idx), "irte-steer-setup",
		   "virq %u uses IRTE %u", virq, idx))
		return;
	/* Vector and present bit share the low dword: one 32-bit store. */
	lo32 = (volatile uint32_t *)&T.vtd->irt[2 * idx];
	saved = *lo32;
	*lo32 = (saved & ~(0xFFu << 16)) | RAW_VECTOR << 16;
	vtd_invalidate_iec(T.vtd, false, idx, 0);
	raise_expect("irte-steered-to-raw-vector", nic_raise, 1,
		     (struct target){ tg.cpu, (int)RAW_VECTOR }, NULL);
	*lo32 = saved;
	vtd_invalidate_iec(T.vtd, false, idx, 0);
	raise_expect("irte-restored", nic_raise, 1, tg, t);
}

/*
 * Moves a live vector to the other CPU: the vector domain takes a new
 * vector there and releases the old one only after the switch; the
 * message (or with VT-d only the IRTE, the message being immutable) is
 * rewritten, and the next raise arrives on the new CPU and vector only.
 */
static struct target move(const char *tag, uint32_t virq, struct target from,
			  void (*raise)(uint32_t), uint32_t arg, struct tracked *t, uint16_t rid)
{
	unsigned int to = (unsigned int)from.cpu ^ 1u;
	uint64_t bits = 1ull << to;
	struct msidom_cpumask mask = { .nbits = T.ncpus, .bits = &bits };
	struct msidom_msg before = msg_of(virq), after;
	int load_from = msidom_bm_x86_vector_load(T.vec, (uint32_t)from.cpu);
	int load_to = msidom_bm_x86_vector_load(T.vec, to);
	struct target tg;
	char nm[48];
	int rc;

	rc = msidom_irq_set_affinity(T.ctx, virq, &mask);
	tg = target_of(virq);
	after = msg_of(virq);
	msidom_snprintf(nm, sizeof(nm), "lib-affinity-%s", tag);
	check(rc == 0 && tg.cpu == (int)to && tg.vector >= 32 &&
		      msidom_bm_x86_vector_load(T.vec, (uint32_t)from.cpu) == load_from - 1 &&
		      msidom_bm_x86_vector_load(T.vec, to) == load_to + 1 &&
		      msidom_desc_cpu(msidom_irq_desc(T.ctx, virq)) == to &&
		      (T.iommu ? !memcmp(&before, &after, sizeof(before)) :
				 before.address_lo != after.address_lo),
	      nm,
	      "set_affinity: %d; cpu %d vector 0x%x -> cpu %d vector 0x%x; loads %d/%d -> "
	      "%d/%d; message 0x%x/0x%x -> 0x%x/0x%x",
	      rc, from.cpu, (unsigned int)from.vector, tg.cpu, (unsigned int)tg.vector, load_from,
	      load_to, msidom_bm_x86_vector_load(T.vec, (uint32_t)from.cpu),
	      msidom_bm_x86_vector_load(T.vec, to), before.address_lo, before.data,
	      after.address_lo, after.data);
	msidom_snprintf(nm, sizeof(nm), "lib-affinity-%s-programmed", tag);
	check_programming(nm, virq, tg, rid);
	for (unsigned int round = 0; round < 2; round++) {
		msidom_snprintf(nm, sizeof(nm), "moved-%s-%u", tag, round);
		raise_expect(nm, raise, arg, tg, t);
	}
	return tg;
}

static void scenario(void)
{
	struct msidom_map e0, n0, n1, n0b;
	struct tracked *te0, *tn0, *tn1, *tn0b;
	struct target ve0, vn0, vn1, vn0b;
	uint32_t idx_n0 = 0, idx_e0 = 0, before;
	char nm[48];
	int rc;

	/* Three live vectors: edu's MSI and two e1000e MSI-X entries. */
	e0 = alloc_one(T.edu_dev, 0, &te0);
	n0 = alloc_one(T.nic_dev, 0, &tn0);
	n1 = alloc_one(T.nic_dev, 1, &tn1);
	if (!check(e0.index == 0 && n0.index == 0 && n1.index == 1, "lib-alloc",
		   "edu %d/virq %u, e1000e %d/virq %u, %d/virq %u", e0.index, e0.virq, n0.index,
		   n0.virq, n1.index, n1.virq))
		return;
	ve0 = target_of(e0.virq);
	vn0 = target_of(n0.virq);
	vn1 = target_of(n1.virq);
	check(ve0.vector >= 32 && vn0.vector >= 32 && vn1.vector >= 32 && !same(ve0, vn0) &&
		      !same(ve0, vn1) && !same(vn0, vn1) && ve0.vector != (int)RAW_VECTOR &&
		      vn0.vector != (int)RAW_VECTOR && vn1.vector != (int)RAW_VECTOR,
	      "lib-vectors",
	      "edu cpu %d/0x%x, e1000e cpu %d/0x%x cpu %d/0x%x: distinct, "
	      "not reserved",
	      ve0.cpu, (unsigned int)ve0.vector, vn0.cpu, (unsigned int)vn0.vector, vn1.cpu,
	      (unsigned int)vn1.vector);
	/* Least-loaded CPU, lowest on ties: 0, then 1, then 0 again. */
	check(ve0.cpu == 0 && vn0.cpu == 1 && vn1.cpu == 0 &&
		      msidom_bm_x86_vector_load(T.vec, 0) == 2 &&
		      msidom_bm_x86_vector_load(T.vec, 1) == 1,
	      "lib-spread", "CPUs %d %d %d, loads %d/%d", ve0.cpu, vn0.cpu, vn1.cpu,
	      msidom_bm_x86_vector_load(T.vec, 0), msidom_bm_x86_vector_load(T.vec, 1));
	check_programming("lib-edu-programmed", e0.virq, ve0, pci_requester_id(&T.edu));
	check_programming("lib-nic0-programmed", n0.virq, vn0, pci_requester_id(&T.nic));
	check_programming("lib-nic1-programmed", n1.virq, vn1, pci_requester_id(&T.nic));
	if (T.iommu) {
		struct msidom_msg m = msg_of(n0.virq);

		idx_n0 = irte_index_of(&m);
		m = msg_of(e0.virq);
		idx_e0 = irte_index_of(&m);
		check(msidom_bm_vtd_ir_used(T.ir) == 3 && T.plat.invalidations >= 3 &&
			      T.plat.inval_bad == 0,
		      "lib-vtd-entries", "%d entries in use, %u invalidations (%u malformed)",
		      msidom_bm_vtd_ir_used(T.ir), T.plat.invalidations, T.plat.inval_bad);
	}

	/* Every raise arrives exactly once, on the CPU and vector the library chose. */
	for (unsigned int round = 0; round < 3; round++) {
		msidom_snprintf(nm, sizeof(nm), "edu-msi-%u", round);
		raise_expect(nm, edu_raise, 0, ve0, te0);
		msidom_snprintf(nm, sizeof(nm), "nic-msix0-%u", round);
		raise_expect(nm, nic_raise, 0, vn0, tn0);
		msidom_snprintf(nm, sizeof(nm), "nic-msix1-%u", round);
		raise_expect(nm, nic_raise, 1, vn1, tn1);
	}

	mask_unmask(n1.virq, vn1, tn1);
	if (T.iommu)
		steer_by_irte(n1.virq, vn1, tn1);

	/* Affinity: MSI-X entry 1 to CPU 1 and back, edu's MSI to CPU 1. */
	vn1 = move("nic1-to-cpu1", n1.virq, vn1, nic_raise, 1, tn1, pci_requester_id(&T.nic));
	vn1 = move("nic1-to-cpu0", n1.virq, vn1, nic_raise, 1, tn1, pci_requester_id(&T.nic));
	ve0 = move("edu-to-cpu1", e0.virq, ve0, edu_raise, 0, te0, pci_requester_id(&T.edu));
	raise_expect("after-moves-nic-msix0", nic_raise, 0, vn0, tn0);

	/* Free MSI-X entry 0 while entry 1 (and edu) stay live. */
	rc = msidom_msi_free(T.nic_dev, MSIDOM_DEFAULT_DOMAIN, 0);
	check(rc == 0, "lib-free-nic0", "msidom_msi_free(e1000e, 0): %d", rc);
	untrack(tn0);
	if (T.iommu)
		check(!irte_present(idx_n0) && msidom_bm_vtd_ir_used(T.ir) == 2,
		      "lib-free-nic0-irte", "IRTE %u present %d, %d entries in use", idx_n0,
		      irte_present(idx_n0), msidom_bm_vtd_ir_used(T.ir));
	for (unsigned int round = 0; round < 2; round++) {
		msidom_snprintf(nm, sizeof(nm), "freed-nic-msix0-silent-%u", round);
		raise_expect(nm, nic_raise, 0, NOWHERE, NULL);
		msidom_snprintf(nm, sizeof(nm), "live-nic-msix1-%u", round);
		raise_expect(nm, nic_raise, 1, vn1, tn1);
		msidom_snprintf(nm, sizeof(nm), "live-edu-msi-%u", round);
		raise_expect(nm, edu_raise, 0, ve0, te0);
	}

	/*
	 * Add entry 0 back while entry 1 is live. The device latched the
	 * raises above in the entry's pending bit; the unmask after the
	 * handler is installed delivers one message, with the new programming.
	 */
	udelay(E1000E_MIN_GAP_US);
	snapshot();
	before = irq_total();
	n0b = alloc_one(T.nic_dev, 0, &tn0b);
	vn0b = n0b.index == 0 ? target_of(n0b.virq) : NOWHERE;
	irq_wait_total(before + 1);
	settle();
	{
		uint32_t got, wrong;
		struct target fw;
		bool ok = deltas_ok(vn0b, 1, &got, &wrong, &fw);

		check(ok && n0b.index == 0 && tn0b && vn0b.vector >= 32 && !same(vn0b, vn1) &&
			      !same(vn0b, ve0) && got == 1 && tn0b->hits == 1,
		      "lib-realloc-nic0",
		      "index %d virq %u cpu %d vector 0x%x; the pending message arrived %u "
		      "time(s) on unmask, handler %u, elsewhere %u",
		      n0b.index, n0b.virq, vn0b.cpu, (unsigned int)vn0b.vector, got,
		      tn0b ? tn0b->hits : 0u, wrong);
	}
	if (tn0b) {
		check_programming("lib-nic0-reprogrammed", n0b.virq, vn0b,
				  pci_requester_id(&T.nic));
		raise_expect("realloc-nic-msix0", nic_raise, 0, vn0b, tn0b);
		raise_expect("realloc-live-nic-msix1", nic_raise, 1, vn1, tn1);
	}

	/* Free edu's only vector while e1000e's stay live. */
	rc = msidom_msi_free(T.edu_dev, MSIDOM_DEFAULT_DOMAIN, 0);
	check(rc == 0, "lib-free-edu", "msidom_msi_free(edu, 0): %d", rc);
	untrack(te0);
	{
		uint8_t cap = pci_find_cap(&T.edu, 0x05);

		check(cap && !(pci_read16(&T.edu, cap + 2u) & 1u), "lib-free-edu-msi-off",
		      "MSI control 0x%x", cap ? pci_read16(&T.edu, cap + 2u) : 0u);
	}
	if (T.iommu)
		check(!irte_present(idx_e0), "lib-free-edu-irte", "IRTE %u present %d", idx_e0,
		      irte_present(idx_e0));
	raise_expect("freed-edu-silent", edu_raise, 0, NOWHERE, NULL);
	raise_expect("live-after-edu-free-nic-msix1", nic_raise, 1, vn1, tn1);
	if (tn0b)
		raise_expect("live-after-edu-free-nic-msix0", nic_raise, 0, vn0b, tn0b);
}

static void teardown(void)
{
	uint8_t cap;
	int rc;

	msidom_device_destroy(T.edu_dev);
	msidom_device_destroy(T.nic_dev);
	cap = pci_find_cap(&T.nic, 0x11);
	check(cap && !(pci_read16(&T.nic, cap + 2u) & 0x8000u), "lib-teardown-msix-off",
	      "MSI-X control 0x%x", cap ? pci_read16(&T.nic, cap + 2u) : 0u);
	check(msidom_bm_x86_vector_load(T.vec, 0) == 0 && msidom_bm_x86_vector_load(T.vec, 1) == 0,
	      "lib-teardown-vectors-free", "loads %d/%d", msidom_bm_x86_vector_load(T.vec, 0),
	      msidom_bm_x86_vector_load(T.vec, 1));
	if (T.iommu) {
		uint32_t live = 0;

		for (uint32_t i = 0; i < T.vtd->irt_entries; i++)
			live += irte_present(i);
		check(live == 0 && msidom_bm_vtd_ir_used(T.ir) == 0, "lib-teardown-irt-empty",
		      "%u present IRTEs, %d in use", live, msidom_bm_vtd_ir_used(T.ir));
		if (vtd_fault_status(T.vtd))
			vtd_dump_faults(T.vtd);
		check(vtd_fault_status(T.vtd) == 0, "lib-vtd-no-faults", "fsts 0x%x",
		      vtd_fault_status(T.vtd));
		rc = msidom_domain_destroy(T.ir);
		check(rc == 0, "lib-destroy-vtd", "msidom_domain_destroy: %d", rc);
	}
	check(msidom_domain_spurious(T.vec) == 0 && T.unhandled == 0, "lib-no-spurious",
	      "%llu spurious dispatches, %u unhandled arrivals",
	      (unsigned long long)msidom_domain_spurious(T.vec), T.unhandled);
	irq_set_hook(NULL, NULL);
	rc = msidom_domain_destroy(T.vec);
	check(rc == 0, "lib-destroy-vector", "msidom_domain_destroy: %d", rc);
	msidom_ctx_destroy(T.ctx);
	check(heap_live() == 0 && T.plat.mmio_bad == 0, "lib-no-leaks",
	      "%u bytes still allocated (peak %u), %u bad MMIO accesses", (unsigned int)heap_live(),
	      (unsigned int)heap_peak(), T.plat.mmio_bad);
}

void lib_tests(struct vtd *v)
{
	T.vtd = v;
	T.iommu = v != NULL;
	T.ncpus = cpu_count();
	if (!check(pci_find(EDU_VENDOR, EDU_DEVICE, &T.edu) == 0 &&
			   pci_find(E1000E_VENDOR, E1000E_DEVICE, &T.nic) == 0 && T.ncpus == 2,
		   "lib-devices", "edu and e1000e on bus 0, %u CPUs", T.ncpus))
		return;
	pci_enable(&T.edu);
	pci_enable(&T.nic);
	T.edu_bar = pci_bar(&T.edu, 0);
	T.nic_bar = pci_bar(&T.nic, 0);
	kprintf("libmsidom %s: edu 00:%02x.0 bar0 0x%x, e1000e 00:%02x.0 bar0 0x%x\n",
		msidom_version(), T.edu.dev, (unsigned int)T.edu_bar, T.nic.dev,
		(unsigned int)T.nic_bar);
	nic_setup();
	e2e_platform_init(&T.plat, v);
	if (setup() == 0) {
		irq_set_hook(on_vector, NULL);
		check_names();
		scenario();
	}
	if (T.ctx)
		teardown();
}
