/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The second CPU, started with INIT-SIPI-SIPI so that the x86 vector
 * domain has two CPUs to spread vectors over and move them between. The AP
 * only takes interrupts: it shares the IDT and the per-CPU counters.
 */
#include "kernel.h"

#define AP_TRAMP_BASE    0x8000u
#define ICR_INIT         0x00000500u
#define ICR_STARTUP      0x00000600u
#define ICR_LEVEL_ASSERT 0x00004000u

extern char ap_tramp_start[], ap_tramp_end[];

void ap_main(void);

static uint8_t ap_stack[16384] __attribute__((aligned(16)));
/* Read by ap_entry32 in boot.S. */
uint32_t ap_stack_top;
static volatile uint32_t ap_apic_id = 0xFFFFFFFFu;

void ap_main(void)
{
	idt_load();
	lapic_enable_local();
	if (cpu_register(lapic_id()) < 0)
		fatal("no room for the CPU with APIC id %u", lapic_id());
	__atomic_store_n(&ap_apic_id, lapic_id(), __ATOMIC_RELEASE);
	irq_enable();
	for (;;)
		__asm__ volatile("hlt");
}

static void delay(uint32_t n)
{
	for (volatile uint32_t i = 0; i < n; i++)
		;
}

static bool wait_online(uint32_t spins)
{
	for (uint32_t i = 0; i < spins; i++) {
		if (__atomic_load_n(&ap_apic_id, __ATOMIC_ACQUIRE) != 0xFFFFFFFFu)
			return true;
		__asm__ volatile("pause");
	}
	return false;
}

int smp_start_ap(void)
{
	uintptr_t dst = AP_TRAMP_BASE;
	uint32_t dest;

	/* The trampoline must fit in its page and below the real-mode limit. */
	if (ap_tramp_end - ap_tramp_start > 4096)
		return -1;
	__asm__("" : "+r"(dst)); /* a constant address, not an object */
	memcpy((void *)dst, ap_tramp_start, (size_t)(ap_tramp_end - ap_tramp_start));
	ap_stack_top = (uint32_t)(uintptr_t)(ap_stack + sizeof(ap_stack));
	barrier();

	/* q35 numbers the second CPU's APIC 1; the AP confirms its own id. */
	dest = cpu_apic_id(0) == 0 ? 1u : 0u;
	lapic_send_ipi(dest, ICR_INIT | ICR_LEVEL_ASSERT);
	delay(100000);
	for (int attempt = 0; attempt < 2; attempt++) {
		lapic_send_ipi(dest, ICR_STARTUP | (AP_TRAMP_BASE >> 12));
		if (wait_online(2000000u))
			break;
	}
	if (!wait_online(1))
		return -1;
	kprintf("smp: AP online, APIC id %u, %u CPUs\n", ap_apic_id, cpu_count());
	return 0;
}
