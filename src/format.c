/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small printf subset, so that logging and the dump work without libc.
 */
#include <stdarg.h>

#include "internal.h"

void msidom__memzero(void *p, size_t n)
{
#if MSIDOM_FREESTANDING
	/*
	 * volatile keeps the compiler from turning this into a memset call,
	 * which a freestanding build may not have. Word stores keep it cheap.
	 */
	volatile uint64_t *w = p;
	volatile unsigned char *c;

	if (((uintptr_t)p & 7) == 0) {
		for (; n >= 8; n -= 8)
			*w++ = 0;
	}
	c = (volatile unsigned char *)w;
	while (n--)
		*c++ = 0;
#else
	__builtin_memset(p, 0, n);
#endif
}

size_t msidom__strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t msidom__strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = msidom__strlen(src);

	if (size) {
		size_t c = n < size - 1 ? n : size - 1;

		for (size_t i = 0; i < c; i++)
			dst[i] = src[i];
		dst[c] = '\0';
	}
	return n;
}

/* Widths beyond this are clamped (no signed overflow). */
#define MAX_WIDTH 4096

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, int width, bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left)
		while (fill-- > 0)
			put(o, pad);
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

/*
 * v /= base, returning the remainder, with 32-bit divisions only: 32-bit
 * targets would otherwise call libgcc's __udivmoddi4. base < 65536.
 */
static unsigned int divmod(unsigned long long *v, uint32_t base)
{
	uint32_t hi = (uint32_t)(*v >> 32), lo = (uint32_t)*v;
	uint32_t qhi = hi / base, r = hi % base;
	uint32_t mid = (r << 16) | (lo >> 16);
	uint32_t qmid = mid / base;
	uint32_t low;

	r = mid % base;
	low = (r << 16) | (lo & 0xffffu);
	*v = ((unsigned long long)qhi << 32) | ((unsigned long long)qmid << 16) | (low / base);
	return low % base;
}

static void put_num(struct out *o, unsigned long long v, bool neg, unsigned int base, bool upper,
		    int width, bool left, char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = digits[divmod(&v, base)];
	} while (v);
	if (neg) {
		if (pad == '0') {
			put(o, '-');
			width--;
		} else {
			tmp[sizeof(tmp) - 1 - n++] = '-';
		}
	}
	put_padded(o, &tmp[sizeof(tmp) - n], (size_t)n, width, left, pad);
}

enum len_mod { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static unsigned long long arg_unsigned(va_list *ap, enum len_mod m)
{
	switch (m) {
	case LEN_LONG: return va_arg(*ap, unsigned long);
	case LEN_LLONG: return va_arg(*ap, unsigned long long);
	case LEN_SIZE: return va_arg(*ap, size_t);
	case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned int);
	default: return va_arg(*ap, unsigned int);
	}
}

static long long arg_signed(va_list *ap, enum len_mod m)
{
	switch (m) {
	case LEN_LONG: return va_arg(*ap, long);
	case LEN_LLONG: return va_arg(*ap, long long);
	case LEN_SIZE: return (long long)va_arg(*ap, size_t);
	case LEN_CHAR: return (signed char)va_arg(*ap, int);
	case LEN_SHORT: return (short)va_arg(*ap, int);
	default: return va_arg(*ap, int);
	}
}

static const char *parse_len(const char *f, enum len_mod *m)
{
	*m = LEN_INT;
	if (*f == 'h') {
		*m = LEN_SHORT;
		if (*++f == 'h') {
			*m = LEN_CHAR;
			f++;
		}
	} else if (*f == 'l') {
		*m = LEN_LONG;
		if (*++f == 'l') {
			*m = LEN_LLONG;
			f++;
		}
	} else if (*f == 'z') {
		*m = LEN_SIZE;
		f++;
	}
	return f;
}

static int format(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = { buf, size, 0 };
	va_list ap;

	va_copy(ap, ap_in);
	for (const char *f = fmt; *f; f++) {
		bool left = false;
		char pad = ' ';
		int width = 0;
		enum len_mod m;

		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		f++;
		for (; *f == '-' || *f == '0'; f++) {
			if (*f == '-')
				left = true;
			else
				pad = '0';
		}
		if (*f == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = true;
				width = width < -MAX_WIDTH ? MAX_WIDTH : -width;
			}
			if (width > MAX_WIDTH)
				width = MAX_WIDTH;
			f++;
		}
		while (*f >= '0' && *f <= '9') {
			width = width * 10 + (*f++ - '0');
			if (width > MAX_WIDTH)
				width = MAX_WIDTH;
		}
		f = parse_len(f, &m);
		switch (*f) {
		case 'd':
		case 'i': {
			long long v = arg_signed(&ap, m);
			unsigned long long mag =
				v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

			put_num(&o, mag, v < 0, 10, false, width, left, pad);
			break;
		}
		case 'u':
			put_num(&o, arg_unsigned(&ap, m), false, 10, false, width, left, pad);
			break;
		case 'x':
		case 'X':
			put_num(&o, arg_unsigned(&ap, m), false, 16, *f == 'X', width, left, pad);
			break;
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			put_num(&o, (uintptr_t)va_arg(ap, void *), false, 16, false, width, left,
				pad);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);

			put_padded(&o, &c, 1, width, left, ' ');
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			put_padded(&o, s, msidom__strlen(s), width, left, ' ');
			break;
		}
		case '%': put(&o, '%'); break;
		case '\0': f--; break;
		default:
			put(&o, '%');
			put(&o, *f);
			break;
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int msidom__vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return format(buf, size, fmt, ap);
}

MSIDOM_API int msidom_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!fmt || (!buf && size))
		return -MSIDOM_EINVAL;
	va_start(ap, fmt);
	n = format(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

MSIDOM_API void msidom_log(struct msidom_ctx *ctx, enum msidom_log_level level, const char *fmt,
			   ...)
{
	char line[256];
	va_list ap;

	if (!ctx || !fmt || !ctx->hooks.log || level > ctx->hooks.log_level)
		return;
	va_start(ap, fmt);
	format(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctx->hooks.log(ctx->hooks.log_opaque, level, line);
}
