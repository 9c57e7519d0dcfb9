/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Just enough ACPI to find the VT-d unit: RSDP in the BIOS area, the RSDT,
 * the DMAR table and its first DRHD structure.
 */
#include "kernel.h"

struct sdt_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

static bool sum_ok(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (len--)
		s = (uint8_t)(s + *b++);
	return s == 0;
}

static const uint8_t *find_rsdp(void)
{
	uintptr_t bda_ebda = 0x40E, ebda;

	/* Hide the constant address from the compiler's bounds analysis. */
	__asm__("" : "+r"(bda_ebda));
	ebda = (uintptr_t)(*(volatile uint16_t *)bda_ebda) << 4;
	uintptr_t ranges[2][2] = { { ebda, ebda + 1024 }, { 0xE0000, 0x100000 } };

	for (unsigned int r = 0; r < 2; r++) {
		if (!ranges[r][0])
			continue;
		for (uintptr_t a = ranges[r][0]; a < ranges[r][1]; a += 16) {
			const uint8_t *p = (const uint8_t *)a;

			if (!memcmp(p, "RSD PTR ", 8) && sum_ok(p, 20))
				return p;
		}
	}
	return NULL;
}

uint64_t acpi_find_dmar_unit(void)
{
	const uint8_t *rsdp = find_rsdp();
	const struct sdt_header *rsdt;
	uint32_t n;

	if (!rsdp) {
		kprintf("acpi: no RSDP\n");
		return 0;
	}
	rsdt = (const struct sdt_header *)(uintptr_t)(*(const uint32_t *)(rsdp + 16));
	if (memcmp(rsdt->sig, "RSDT", 4) || !sum_ok(rsdt, rsdt->length)) {
		kprintf("acpi: bad RSDT at %p\n", (const void *)rsdt);
		return 0;
	}
	n = (rsdt->length - sizeof(*rsdt)) / 4;
	for (uint32_t i = 0; i < n; i++) {
		const uint32_t *ents = (const uint32_t *)(rsdt + 1);
		const struct sdt_header *t = (const struct sdt_header *)(uintptr_t)ents[i];
		const uint8_t *p, *end;

		if (memcmp(t->sig, "DMAR", 4))
			continue;
		if (!sum_ok(t, t->length))
			kprintf("acpi: DMAR checksum mismatch (ignored)\n");
		/* Header, host address width, flags, 10 reserved bytes. */
		kprintf("acpi: DMAR at %p, haw %u, flags 0x%x\n", (const void *)t,
			((const uint8_t *)t)[36] + 1u, ((const uint8_t *)t)[37]);
		p = (const uint8_t *)t + 48;
		end = (const uint8_t *)t + t->length;
		while (p + 4 <= end) {
			uint16_t type = (uint16_t)(p[0] | p[1] << 8);
			uint16_t len = (uint16_t)(p[2] | p[3] << 8);

			if (len < 4)
				break;
			if (type == 0 && len >= 16) {
				uint64_t base = 0;

				for (int b = 7; b >= 0; b--)
					base = base << 8 | p[8 + b];
				kprintf("acpi: DRHD flags 0x%x segment %u base 0x%llx\n", p[4],
					(unsigned int)(p[6] | p[7] << 8), (unsigned long long)base);
				return base;
			}
			p += len;
		}
	}
	return 0;
}
