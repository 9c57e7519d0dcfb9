/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers shared by the vfio-e2e guest programs: result reporting over the
 * console, eventfd waits, raw VFIO access and the emulated devices'
 * interrupt registers.  These programs run as PID 1's children in a busybox
 * initramfs and must be linked statically.
 */
#ifndef E2E_COMMON_H
#define E2E_COMMON_H

#include <stdbool.h>
#include <stdint.h>

/* Upper bound for "an interrupt must arrive": generous because QEMU runs
 * under TCG; a correct run never waits this long. */
#define E2E_IRQ_TIMEOUT_MS 3000
/*
 * How long silence must last to count as "no interrupt arrived".  A device
 * interrupt is signalled by the guest kernel before the register write that
 * raised it returns to user space, so this only has to cover scheduling.
 */
#define E2E_QUIET_MS 100

/* Reports one check as "@@E2E CHECK ok|FAIL <text>"; counts failures. */
bool e2e_check(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define CHECK(cond, ...) e2e_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* Free-form line for the log: "@@E2E INFO <text>". */
void e2e_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Process exit status: 0 when no check failed. */
int e2e_exit_status(void);

/* Number of open file descriptors of this process. */
int e2e_count_fds(void);

/* Waits until fd is readable; true when it became readable in time. */
bool e2e_wait_readable(int fd, int timeout_ms);

/* Reads an eventfd without blocking: its counter, or 0 if not signalled. */
uint64_t e2e_eventfd_take(int fd);

/* Waits for an eventfd and consumes it: the counter, 0 on timeout. */
uint64_t e2e_eventfd_wait(int fd, int timeout_ms);

/*
 * The guest kernel's view of a host interrupt: the /proc/interrupts line
 * whose action is @p action (e.g. "vfio-msix[0](0000:00:03.0)").  Returns 0
 * with its irq number and total count, -1 if there is no such line.
 */
int e2e_proc_irq(const char *action, int *irq, unsigned long long *count);

/* IOMMU group number of a PCI function, or -1. */
int e2e_iommu_group(const char *bdf);

/* Where a device's registers are reached through a VFIO device fd. */
struct e2e_regs {
	int fd;
	uint64_t bar0;   /* region offset of BAR0 */
	uint64_t config; /* region offset of the config space */
};

/* Looks up the BAR0 and config region offsets of a VFIO device fd. */
int e2e_regs_init(struct e2e_regs *r, int device_fd);
int e2e_bar_write32(const struct e2e_regs *r, uint32_t off, uint32_t val);
int e2e_bar_read32(const struct e2e_regs *r, uint32_t off, uint32_t *val);
/* Sets Memory Space and Bus Master: without Bus Master no MSI is sent. */
int e2e_pci_enable_master(const struct e2e_regs *r);

/* edu (1234:11e8): raises its single MSI; the value lands in the status. */
int e2e_edu_raise(const struct e2e_regs *r, uint32_t status);
int e2e_edu_ack(const struct e2e_regs *r, uint32_t status);

/* e1000e (8086:10d3): route the OTHER cause to MSI-X vector v and raise it. */
int e2e_e1000e_route_other(const struct e2e_regs *r, unsigned int v);
int e2e_e1000e_raise_other(const struct e2e_regs *r);
/* Clears every pending cause (write-1-to-clear ICR). */
int e2e_e1000e_clear(const struct e2e_regs *r);
/*
 * QEMU 7.2's e1000e arms a 128 us throttling timer (EITR, which cannot be
 * set below 500 * 256 ns) after every MSI-X message and aborts QEMU if MSI-X
 * is disabled before it expires.  Call this after an e1000e interrupt and
 * before anything may disable MSI-X (a grow cycle, freeing the last vector).
 */
void e2e_e1000e_settle(void);

/* A device opened with raw VFIO ioctls (no library), for the probe. */
struct e2e_raw {
	int container;
	int group;
	int device;
};

/*
 * Opens bdf through its group and a type1v2 container.  On failure returns
 * a negative errno and names the failing step in *stage.
 */
int e2e_raw_open(const char *bdf, struct e2e_raw *raw, const char **stage);
void e2e_raw_close(struct e2e_raw *raw);

/* Raw VFIO_DEVICE_SET_IRQS with eventfds (fd -1 = unassign); -errno. */
int e2e_raw_set_eventfds(int device, unsigned int index, unsigned int start, unsigned int count,
			 const int *fds);
/* count 0 + DATA_NONE + TRIGGER: disables the whole index. */
int e2e_raw_disable(int device, unsigned int index);
/* DATA_NONE + TRIGGER on live vectors: the kernel signals their eventfds. */
int e2e_raw_loopback(int device, unsigned int index, unsigned int start, unsigned int count);
/* VFIO_DEVICE_GET_IRQ_INFO: count and flags. */
int e2e_raw_irq_info(int device, unsigned int index, uint32_t *count, uint32_t *flags);

#endif
