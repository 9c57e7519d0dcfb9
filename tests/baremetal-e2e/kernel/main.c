/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Entry of the baremetal-e2e test kernel. The harness passes "iommu=1" on
 * the command line for the VT-d configuration; the kernel checks that the
 * machine matches, so a configuration can never be skipped silently.
 */
#include "kernel.h"

struct e2e_config e2e_cfg;

/* The remapping table and the invalidation queue live in kernel memory. */
#define IRT_LOG2 8u
static uint64_t irt_mem[2u << IRT_LOG2] __attribute__((aligned(4096)));
static uint64_t iq_mem[512] __attribute__((aligned(4096)));
static struct vtd vtd_unit;

static bool has_word(const char *s, const char *w)
{
	size_t n = kstrlen(w);

	for (; s && *s; s++)
		if (!memcmp(s, w, n) && (s[n] == 0 || s[n] == ' '))
			return true;
	return false;
}

void kmain(uint32_t magic, const uint32_t *mbi);

void kmain(uint32_t magic, const uint32_t *mbi)
{
	const char *cmdline = NULL;
	struct vtd *v = NULL;
	uint64_t dmar;
	int rc;

	console_init();
	kputs("\nE2E BOOT baremetal-e2e kernel\n");
	if (magic != 0x2BADB002u)
		fatal("not loaded by a Multiboot loader (magic 0x%x)", magic);
	if (mbi[0] & (1u << 2))
		cmdline = (const char *)(uintptr_t)mbi[4];
	e2e_cfg.iommu = has_word(cmdline, "iommu=1");
	kprintf("E2E CONFIG iommu=%u cmdline \"%s\"\n", e2e_cfg.iommu ? 1u : 0u,
		cmdline ? cmdline : "");

	idt_init();
	lapic_init();
	irq_enable();
	rc = smp_start_ap();
	check(rc == 0 && cpu_count() == 2, "smp-ap-online", "%u CPUs, APIC ids %u %u", cpu_count(),
	      cpu_apic_id(0), cpu_apic_id(1));
	pci_list();

	dmar = acpi_find_dmar_unit();
	if (e2e_cfg.iommu) {
		if (!check(dmar == VTD_Q35_DEFAULT_BASE, "vtd-found",
			   "DRHD base 0x%llx (q35 default 0x%x)", (unsigned long long)dmar,
			   VTD_Q35_DEFAULT_BASE))
			goto out;
		rc = vtd_enable(&vtd_unit, (uintptr_t)dmar, irt_mem, IRT_LOG2, iq_mem);
		if (!check(rc == 0, "vtd-enable", "gsts 0x%x", vtd_gsts(&vtd_unit)))
			goto out;
		v = &vtd_unit;
	} else {
		check(dmar == 0, "no-vtd", "no DMAR table expected, found 0x%llx",
		      (unsigned long long)dmar);
	}

	raw_tests(v);
	lib_tests(v);
out:
	kprintf("E2E RESULT %s checks=%u failed=%u\n", check_failures() ? "FAIL" : "PASS",
		check_count(), check_failures());
	qemu_exit(check_failures() ? E2E_EXIT_FAIL : E2E_EXIT_PASS);
}
