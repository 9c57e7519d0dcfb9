/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared declarations of the baremetal-e2e test kernel: a 32-bit
 * Multiboot kernel, paging off, one CPU, running on QEMU q35.
 */
#ifndef E2E_KERNEL_H
#define E2E_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- port and memory-mapped I/O ---- */
static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline void barrier(void)
{
	__asm__ volatile("lock; addl $0, (%%esp)" : : : "memory");
}

static inline void irq_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

/* ---- console.c: COM1 output and the isa-debug-exit port ---- */
void console_init(void);
void kputs(const char *s);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
/* Ends QEMU with exit status (code << 1) | 1. */
void qemu_exit(uint32_t code) __attribute__((noreturn));

/* Exit codes: 0x10 = all checks passed, 0x11 = a check failed, 0x12 = crash. */
#define E2E_EXIT_PASS  0x10u
#define E2E_EXIT_FAIL  0x11u
#define E2E_EXIT_CRASH 0x12u

/* ---- check.c: the result protocol parsed by the harness ---- */
/* Prints "E2E CHECK <name> PASS|FAIL <detail>"; returns ok. */
bool check(bool ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
unsigned int check_failures(void);
unsigned int check_count(void);
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* ---- irq.c: IDT, stubs, local APIC, arrival counters ---- */
struct isr_frame {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};

#define LAPIC_BASE      0xFEE00000u
#define SPURIOUS_VECTOR 0xFFu
/* System vector of the hand-programmed tests, reserved from the library. */
#define RAW_VECTOR 0x40u

#define E2E_MAX_CPUS 2u

void idt_init(void);
/* Loads the IDT built by idt_init() on the calling CPU. */
void idt_load(void);
/* BSP: legacy PICs off, xAPIC mode, then lapic_enable_local(). */
void lapic_init(void);
/* Any CPU: LVTs masked, TPR 0, software enable with the spurious vector. */
void lapic_enable_local(void);
uint32_t lapic_id(void);
/* Busy-waits @p us microseconds of guest time (local APIC timer, masked). */
void udelay(uint32_t us);
/* Sends an IPI: ICR high (destination) then low (command); waits for delivery. */
void lapic_send_ipi(uint32_t dest_apic, uint32_t icr_lo);
/* CPU index (0 = BSP) of the calling CPU, from its APIC id. */
unsigned int cpu_index(void);
/* Registers a CPU's APIC id; returns its index or -1. */
int cpu_register(uint32_t apic_id);
unsigned int cpu_count(void);
uint32_t cpu_apic_id(unsigned int cpu);
/* Arrivals per (CPU, vector) since boot (written by the interrupt handler). */
uint32_t irq_count_cpu(unsigned int cpu, unsigned int vector);
/* Arrivals per vector, summed over the CPUs. */
uint32_t irq_count(unsigned int vector);
/* Total arrivals on vectors 32..254, all CPUs. */
uint32_t irq_total(void);
/* Called from the interrupt handler for vectors 32..254, after counting. */
typedef void (*irq_hook_fn)(unsigned int cpu, unsigned int vector, void *arg);
void irq_set_hook(irq_hook_fn fn, void *arg);
/*
 * Wait until irq_total() reaches @p target or a bounded number of spins
 * passes (an interrupt raised by an MMIO write is delivered at the next
 * instruction boundary under TCG; the bound only catches lost ones).
 */
bool irq_wait_total(uint32_t target);

/* ---- pci.c: configuration space through ECAM ---- */
#define PCI_ECAM_BASE 0xB0000000u

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
};

uint32_t pci_read32(const struct pci_dev *d, uint32_t off);
uint16_t pci_read16(const struct pci_dev *d, uint32_t off);
uint8_t pci_read8(const struct pci_dev *d, uint32_t off);
void pci_write32(const struct pci_dev *d, uint32_t off, uint32_t v);
void pci_write16(const struct pci_dev *d, uint32_t off, uint16_t v);
void pci_write8(const struct pci_dev *d, uint32_t off, uint8_t v);
/* Finds vendor:device on bus 0; 0 or -1. */
int pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out);
/* Offset of capability @p id, or 0. */
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id);
/* Base address of a 32- or 64-bit memory BAR (below 4 GiB), or 0. */
uintptr_t pci_bar(const struct pci_dev *d, unsigned int bar);
/* Sets Memory Space and Bus Master in the command register. */
void pci_enable(const struct pci_dev *d);
uint16_t pci_requester_id(const struct pci_dev *d);
void pci_list(void);

/* ---- smp.c: the application processor ---- */
/* Starts the second CPU (INIT-SIPI-SIPI); 0 or -1. */
int smp_start_ap(void);

/* ---- acpi.c ---- */
/* Register base of the first DMAR hardware unit (DRHD), or 0. */
uint64_t acpi_find_dmar_unit(void);

/* ---- vtd.c: VT-d interrupt remapping enablement ---- */
#define VTD_Q35_DEFAULT_BASE 0xFED90000u

struct vtd {
	uintptr_t base;
	uint64_t cap, ecap;
	/* IRTE table (16 bytes per entry), 4 KiB aligned. */
	uint64_t *irt;
	uint32_t irt_entries;
	/* Invalidation queue, 256 descriptors of 16 bytes. */
	uint64_t *iq;
	uint32_t iq_tail;
	uint32_t iec_invalidations;
	uint32_t waits;
};

/* 0, or a negative number with a message printed. */
int vtd_enable(struct vtd *v, uintptr_t base, uint64_t *irt, uint32_t entries_log2, uint64_t *iq);
/* Invalidate the interrupt entry cache for [index, index + 2^mask) or all. */
int vtd_invalidate_iec(struct vtd *v, bool global, uint32_t index, uint32_t mask);
/* Fault status register and the first fault record, for diagnostics. */
uint32_t vtd_fault_status(struct vtd *v);
void vtd_dump_faults(struct vtd *v);
uint32_t vtd_gsts(struct vtd *v);

/* ---- klibc.c: what the compiler may call on its own ---- */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t kstrlen(const char *s);

/* ---- raw.c: MSI without the library, proving the platform path ---- */
void raw_tests(struct vtd *v);

/* ---- libtest.c: the same through libmsidom ---- */
void lib_tests(struct vtd *v);

/* ---- devices ---- */
#define EDU_VENDOR     0x1234u
#define EDU_DEVICE     0x11e8u
#define EDU_IRQ_RAISE  0x60u
#define EDU_IRQ_ACK    0x64u
#define EDU_IRQ_STATUS 0x24u

#define E1000E_VENDOR   0x8086u
#define E1000E_DEVICE   0x10d3u
#define E1000E_CTRL_EXT 0x18u
#define E1000E_ICR      0xC0u
#define E1000E_ICS      0xC8u
#define E1000E_IMS      0xD0u
#define E1000E_IMC      0xD8u
#define E1000E_EIAC     0xDCu
#define E1000E_IVAR     0xE4u
#define E1000E_OTHER    (1u << 24)

/* Test configuration, from the multiboot command line. */
struct e2e_config {
	bool iommu;
};
extern struct e2e_config e2e_cfg;

#endif
