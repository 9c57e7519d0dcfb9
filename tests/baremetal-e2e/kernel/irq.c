/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IDT, interrupt dispatch and the local APIC. Every vector 32..254 is
 * counted per CPU on arrival and acknowledged with an EOI; exceptions end
 * the run.
 */
#include "kernel.h"

#define LAPIC_ID         0x20u
#define LAPIC_TPR        0x80u
#define LAPIC_EOI        0xB0u
#define LAPIC_SVR        0xF0u
#define LAPIC_ICR_LO     0x300u
#define LAPIC_ICR_HI     0x310u
#define LAPIC_LVT_TIMER  0x320u
#define LAPIC_LVT_LINT0  0x350u
#define LAPIC_LVT_LINT1  0x360u
#define LAPIC_LVT_ERROR  0x370u
#define LAPIC_TIMER_INIT 0x380u
#define LAPIC_TIMER_CUR  0x390u
#define LAPIC_TIMER_DIV  0x3E0u
#define LVT_MASKED       (1u << 16)
#define ICR_PENDING      (1u << 12)
#define IA32_APIC_BASE   0x1Bu

struct idt_entry {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t zero;
	uint8_t type;
	uint16_t off_hi;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

extern char isr_stubs[];

static struct idt_entry idt[256] __attribute__((aligned(8)));
static volatile uint32_t counts[E2E_MAX_CPUS][256];
static volatile uint32_t total;
static irq_hook_fn hook;
static void *hook_arg;
static uint32_t apic_ids[E2E_MAX_CPUS];
static volatile unsigned int ncpus;

void isr_dispatch(struct isr_frame *f);

void idt_load(void)
{
	struct idt_ptr p;

	p.limit = sizeof(idt) - 1;
	p.base = (uint32_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(p));
}

void idt_init(void)
{
	for (unsigned int i = 0; i < 256; i++) {
		uint32_t a = (uint32_t)(uintptr_t)(isr_stubs + 16 * i);

		idt[i].off_lo = (uint16_t)a;
		idt[i].sel = 0x08;
		idt[i].zero = 0;
		idt[i].type = 0x8E; /* present, ring 0, 32-bit interrupt gate */
		idt[i].off_hi = (uint16_t)(a >> 16);
	}
	idt_load();
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint32_t lapic_read(uint32_t reg)
{
	return mmio_read32(LAPIC_BASE + reg);
}

static inline void lapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(LAPIC_BASE + reg, v);
}

void lapic_enable_local(void)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_SVR, (1u << 8) | SPURIOUS_VECTOR);
}

void lapic_init(void)
{
	uint64_t base = rdmsr(IA32_APIC_BASE);

	/* Legacy 8259s off: their IRQs would land on exception vectors. */
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);

	if ((base & ~0xFFFull) != LAPIC_BASE)
		fatal("local APIC base is 0x%llx, expected 0x%x",
		      (unsigned long long)(base & ~0xFFFull), LAPIC_BASE);
	/* xAPIC mode: global enable on, x2APIC off. */
	wrmsr(IA32_APIC_BASE, (base | (1u << 11)) & ~(uint64_t)(1u << 10));
	lapic_enable_local();
	cpu_register(lapic_id());
	kprintf("lapic: id %u version 0x%x svr 0x%x\n", lapic_id(), lapic_read(0x30),
		lapic_read(LAPIC_SVR));
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

void lapic_send_ipi(uint32_t dest_apic, uint32_t icr_lo)
{
	lapic_write(LAPIC_ICR_HI, dest_apic << 24);
	lapic_write(LAPIC_ICR_LO, icr_lo);
	for (uint32_t spin = 0; spin < 1000000u && (lapic_read(LAPIC_ICR_LO) & ICR_PENDING); spin++)
		__asm__ volatile("pause");
}

/*
 * QEMU's local APIC timer counts guest (virtual clock) nanoseconds divided
 * by the divide configuration; with "divide by 1" one tick is 1 ns. The
 * timer stays masked: only its current count is read.
 */
void udelay(uint32_t us)
{
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TIMER_DIV, 0xB);
	lapic_write(LAPIC_TIMER_INIT, us * 1000u);
	while (lapic_read(LAPIC_TIMER_CUR) != 0)
		__asm__ volatile("pause");
}

int cpu_register(uint32_t apic_id)
{
	unsigned int n = ncpus;

	for (unsigned int i = 0; i < n; i++)
		if (apic_ids[i] == apic_id)
			return (int)i;
	if (n >= E2E_MAX_CPUS)
		return -1;
	apic_ids[n] = apic_id;
	__atomic_store_n(&ncpus, n + 1, __ATOMIC_RELEASE);
	return (int)n;
}

unsigned int cpu_count(void)
{
	return ncpus;
}

uint32_t cpu_apic_id(unsigned int cpu)
{
	return cpu < ncpus ? apic_ids[cpu] : 0xFFFFFFFFu;
}

unsigned int cpu_index(void)
{
	uint32_t id = lapic_id();
	unsigned int n = ncpus;

	for (unsigned int i = 0; i < n; i++)
		if (apic_ids[i] == id)
			return i;
	fatal("interrupt on unregistered CPU (APIC id %u)", id);
}

void isr_dispatch(struct isr_frame *f)
{
	unsigned int cpu;

	if (f->vector < 32)
		fatal("exception %u error 0x%x at eip 0x%x on APIC %u", f->vector, f->error, f->eip,
		      lapic_id());
	cpu = cpu_index();
	if (f->vector == SPURIOUS_VECTOR) {
		__atomic_fetch_add(&counts[cpu][SPURIOUS_VECTOR], 1, __ATOMIC_RELAXED);
		return; /* no EOI for the spurious vector */
	}
	__atomic_fetch_add(&counts[cpu][f->vector], 1, __ATOMIC_RELAXED);
	if (hook)
		hook(cpu, f->vector, hook_arg);
	/* Counted only once the handler ran: waiters see complete effects. */
	__atomic_fetch_add(&total, 1, __ATOMIC_RELEASE);
	lapic_write(LAPIC_EOI, 0);
}

uint32_t irq_count_cpu(unsigned int cpu, unsigned int vector)
{
	return cpu < E2E_MAX_CPUS && vector < 256 ? counts[cpu][vector] : 0;
}

uint32_t irq_count(unsigned int vector)
{
	uint32_t n = 0;

	for (unsigned int cpu = 0; cpu < E2E_MAX_CPUS; cpu++)
		n += irq_count_cpu(cpu, vector);
	return n;
}

uint32_t irq_total(void)
{
	return __atomic_load_n(&total, __ATOMIC_ACQUIRE);
}

void irq_set_hook(irq_hook_fn fn, void *arg)
{
	/* Written while no device interrupt is raised: no CPU is in the hook. */
	hook_arg = arg;
	__atomic_store_n(&hook, fn, __ATOMIC_RELEASE);
}

bool irq_wait_total(uint32_t target)
{
	for (uint32_t spin = 0; spin < 2000000u; spin++) {
		if (irq_total() >= target)
			return true;
		__asm__ volatile("pause");
	}
	return irq_total() >= target;
}
