/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Raw-VFIO probe: checks the boot path and the kernel behaviour the library
 * relies on, without the library, so a failure here points at the
 * environment (modules, IOMMU, devices) rather than at libmsidom.
 *
 *   e2e-probe edu BDF                      MSI raised by the edu device
 *   e2e-probe e1000e BDF dynamic|noresize  MSI-X routing + resize behaviour
 *   e2e-probe isolation BDF                type1 refuses without remapping
 */
#include "e2e_common.h"

#include <errno.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define E1000E_VECTORS 5

static int probe_edu(const char *bdf)
{
	struct e2e_raw raw;
	struct e2e_regs regs;
	const char *stage;
	uint32_t count = 0, flags = 0;
	int efd, rc;

	rc = e2e_raw_open(bdf, &raw, &stage);
	if (!CHECK(rc == 0, "edu %s opens with raw VFIO (stage %s: %s)", bdf, stage, strerror(-rc)))
		return 1;
	rc = e2e_raw_irq_info(raw.device, VFIO_PCI_MSI_IRQ_INDEX, &count, &flags);
	CHECK(rc == 0 && count == 1 && (flags & VFIO_IRQ_INFO_EVENTFD),
	      "edu MSI irq info: count %u flags 0x%x", count, flags);
	/* vfio-pci has no ERR index for a conventional PCI function. */
	rc = e2e_raw_irq_info(raw.device, VFIO_PCI_ERR_IRQ_INDEX, &count, &flags);
	e2e_info("edu (conventional PCI) ERR irq info: %s", rc ? strerror(-rc) : "present");
	CHECK(e2e_regs_init(&regs, raw.device) == 0, "edu region offsets");
	CHECK(e2e_pci_enable_master(&regs) == 0, "edu bus master on");

	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	rc = e2e_raw_set_eventfds(raw.device, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, &efd);
	CHECK(rc == 0, "edu MSI enabled with one eventfd (%s)", strerror(-rc));

	CHECK(e2e_edu_raise(&regs, 1) == 0, "edu raise written");
	CHECK(e2e_eventfd_wait(efd, E2E_IRQ_TIMEOUT_MS) == 1,
	      "edu device-raised MSI reaches the eventfd");
	CHECK(e2e_edu_ack(&regs, 1) == 0, "edu ack written");
	CHECK(e2e_eventfd_wait(efd, E2E_QUIET_MS) == 0, "no spurious edu interrupt after ack");

	CHECK(e2e_raw_loopback(raw.device, VFIO_PCI_MSI_IRQ_INDEX, 0, 1) == 0 &&
		      e2e_eventfd_wait(efd, E2E_IRQ_TIMEOUT_MS) == 1,
	      "DATA_NONE|TRIGGER loopback signals the live vector");
	CHECK(e2e_raw_disable(raw.device, VFIO_PCI_MSI_IRQ_INDEX) == 0, "edu MSI disabled");
	close(efd);
	e2e_raw_close(&raw);
	return e2e_exit_status();
}

/* Raise OTHER on vector v and check that exactly eventfd v fired. */
static void e1000e_fire(const struct e2e_regs *regs, const int *efd, unsigned int n, unsigned int v)
{
	unsigned int i;
	uint64_t got;

	e2e_e1000e_route_other(regs, v);
	e2e_e1000e_raise_other(regs);
	got = e2e_eventfd_wait(efd[v], E2E_IRQ_TIMEOUT_MS);
	e2e_e1000e_clear(regs);
	e2e_e1000e_settle();
	CHECK(got == 1, "e1000e OTHER routed to vector %u reaches eventfd %u (count %llu)", v, v,
	      (unsigned long long)got);
	for (i = 0; i < n; i++)
		if (i != v && efd[i] >= 0)
			CHECK(e2e_eventfd_take(efd[i]) == 0, "vector %u stays quiet", i);
}

static int probe_e1000e(const char *bdf, bool dynamic)
{
	struct e2e_raw raw;
	struct e2e_regs regs;
	const char *stage;
	uint32_t count = 0, flags = 0;
	int efd[E1000E_VECTORS], rc;
	unsigned int v;

	rc = e2e_raw_open(bdf, &raw, &stage);
	if (!CHECK(rc == 0, "e1000e %s opens with raw VFIO (stage %s: %s)", bdf, stage,
		   strerror(-rc)))
		return 1;
	rc = e2e_raw_irq_info(raw.device, VFIO_PCI_MSIX_IRQ_INDEX, &count, &flags);
	CHECK(rc == 0 && count == E1000E_VECTORS && (flags & VFIO_IRQ_INFO_EVENTFD),
	      "e1000e MSI-X irq info: count %u flags 0x%x", count, flags);
	CHECK(!!(flags & VFIO_IRQ_INFO_NORESIZE) == !dynamic,
	      "kernel %s NORESIZE on MSI-X, as expected for a %s kernel",
	      (flags & VFIO_IRQ_INFO_NORESIZE) ? "sets" : "clears",
	      dynamic ? "dynamic-MSI-X" : "NORESIZE");
	CHECK(e2e_regs_init(&regs, raw.device) == 0, "e1000e region offsets");
	CHECK(e2e_pci_enable_master(&regs) == 0, "e1000e bus master on");

	for (v = 0; v < E1000E_VECTORS; v++)
		efd[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	rc = e2e_raw_set_eventfds(raw.device, VFIO_PCI_MSIX_IRQ_INDEX, 0, E1000E_VECTORS, efd);
	CHECK(rc == 0, "all %d MSI-X vectors enabled (%s)", E1000E_VECTORS, strerror(-rc));
	for (v = 0; v < E1000E_VECTORS; v++)
		e1000e_fire(&regs, efd, E1000E_VECTORS, v);

	/* What the library's two allocation strategies rest on. */
	CHECK(e2e_raw_disable(raw.device, VFIO_PCI_MSIX_IRQ_INDEX) == 0, "MSI-X disabled");
	rc = e2e_raw_set_eventfds(raw.device, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &efd[0]);
	CHECK(rc == 0, "MSI-X re-enabled with vector 0 only (%s)", strerror(-rc));
	rc = e2e_raw_set_eventfds(raw.device, VFIO_PCI_MSIX_IRQ_INDEX, 1, 1, &efd[1]);
	if (dynamic) {
		CHECK(rc == 0, "6.2+ kernel adds vector 1 to live MSI-X (%s)", strerror(-rc));
		e1000e_fire(&regs, efd, 2, 0);
		e1000e_fire(&regs, efd, 2, 1);
	} else {
		CHECK(rc == -EINVAL,
		      "NORESIZE kernel refuses to add vector 1 to live MSI-X "
		      "with EINVAL (got %s)",
		      strerror(-rc));
		e1000e_fire(&regs, efd, 1, 0);
	}
	/*
	 * Control for the library's grow policy: what the device raises while
	 * MSI-X is disabled never reaches the eventfd by itself, so only the
	 * library's signal after re-enabling can save it.
	 */
	CHECK(e2e_raw_disable(raw.device, VFIO_PCI_MSIX_IRQ_INDEX) == 0, "MSI-X disabled");
	e2e_e1000e_route_other(&regs, 0);
	e2e_e1000e_raise_other(&regs);
	e2e_e1000e_settle(); /* QEMU's INTx throttling timer must expire first */
	rc = e2e_raw_set_eventfds(raw.device, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &efd[0]);
	CHECK(rc == 0, "MSI-X re-enabled with vector 0 (%s)", strerror(-rc));
	CHECK(e2e_eventfd_wait(efd[0], E2E_QUIET_MS) == 0,
	      "control: an interrupt raised while MSI-X was disabled is lost by the device");
	e2e_e1000e_clear(&regs);
	e1000e_fire(&regs, efd, 1, 0);
	CHECK(e2e_raw_disable(raw.device, VFIO_PCI_MSIX_IRQ_INDEX) == 0, "MSI-X disabled");
	for (v = 0; v < E1000E_VECTORS; v++)
		close(efd[v]);
	e2e_raw_close(&raw);
	return e2e_exit_status();
}

static int probe_isolation(const char *bdf)
{
	struct e2e_raw raw;
	const char *stage;
	int before = e2e_count_fds();
	int rc = e2e_raw_open(bdf, &raw, &stage);

	if (rc == 0)
		e2e_raw_close(&raw);
	CHECK(rc == -EPERM && strcmp(stage, "VFIO_SET_IOMMU") == 0,
	      "without interrupt remapping the type1 IOMMU refuses the group: "
	      "%s fails with %s",
	      stage, strerror(-rc));
	CHECK(e2e_count_fds() == before, "no descriptor left behind");
	return e2e_exit_status();
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "edu") == 0)
		return probe_edu(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "e1000e") == 0)
		return probe_e1000e(argv[2], strcmp(argv[3], "dynamic") == 0);
	if (argc >= 3 && strcmp(argv[1], "isolation") == 0)
		return probe_isolation(argv[2]);
	fprintf(stderr, "usage: %s edu|e1000e|isolation BDF [dynamic|noresize]\n", argv[0]);
	return 2;
}
