/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * COM1 output and the isa-debug-exit port. The formatter is our own, so
 * that the kernel can report before (and independently of) the library.
 */
#include <stdarg.h>

#include "kernel.h"

#define COM1            0x3F8u
#define DEBUG_EXIT_PORT 0xF4u

void console_init(void)
{
	outb(COM1 + 1, 0x00); /* no UART interrupts */
	outb(COM1 + 3, 0x80); /* DLAB */
	outb(COM1 + 0, 0x01); /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0xC7); /* FIFO on, cleared */
	outb(COM1 + 4, 0x03);
}

static void kputc(char c)
{
	if (c == '\n')
		kputc('\r');
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
}

void kputs(const char *s)
{
	while (*s)
		kputc(*s++);
}

static void put_num(uint64_t v, unsigned int base, bool neg, int width, char pad)
{
	char buf[24];
	int n = 0;

	do {
		unsigned int digit = (unsigned int)(v % base);

		buf[n++] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
		v /= base;
	} while (v);
	if (neg)
		buf[n++] = '-';
	while (width-- > n)
		kputc(pad);
	while (n)
		kputc(buf[--n]);
}

void kvprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';

		if (*fmt != '%') {
			kputc(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd': {
			int64_t v = lng > 1 ? va_arg(ap, long long) :
				    lng     ? va_arg(ap, long) :
					      va_arg(ap, int);

			put_num(v < 0 ? (uint64_t)-v : (uint64_t)v, 10, v < 0, width, pad);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = lng > 1 ? va_arg(ap, unsigned long long) :
				     lng     ? va_arg(ap, unsigned long) :
					       va_arg(ap, unsigned int);

			put_num(v, *fmt == 'u' ? 10 : 16, false, width, pad);
			break;
		}
		case 'p':
			kputs("0x");
			put_num((uintptr_t)va_arg(ap, void *), 16, false, 8, '0');
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			kputs(s ? s : "(null)");
			break;
		}
		case 'c': kputc((char)va_arg(ap, int)); break;
		case '%': kputc('%'); break;
		default: kputc('?'); break;
		}
	}
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

void qemu_exit(uint32_t code)
{
	outl(DEBUG_EXIT_PORT, code);
	/* Only reached without isa-debug-exit: stop here. */
	for (;;)
		__asm__ volatile("cli; hlt");
}
