/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where a VMM may map guest memory: the type1 IOMMU's usable IOVA ranges
 * (VFIO_IOMMU_GET_INFO, IOVA-range capability) and the MSI windows of the
 * device's IOMMU group (sysfs reserved_regions). A VMM that maps guest RAM
 * over the MSI doorbell turns the device's interrupts into memory writes
 * (or its DMA into interrupts).
 *
 * Both answers come from outside the library and are parsed as untrusted:
 * every capability offset and count is bounds-checked against what was
 * actually returned, the chain must move forward (no loops), and a sysfs
 * line that does not have the "start end type" shape is skipped.
 */
#include <fcntl.h>

#include "vfio_internal.h"

/* The kernel's own answers are a few hundred bytes; anything far beyond is broken. */
#define IOVA_INFO_MAX  65536u
#define IOVA_MAX_CAPS  64u
#define RESERVED_BYTES 4096u

static uint32_t get32(const uint8_t *p)
{
	uint32_t x;
	__builtin_memcpy(&x, p, sizeof(x));
	return x;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t x;
	__builtin_memcpy(&x, p, sizeof(x));
	return x;
}

static int bad_chain(struct msidom_ctx *ctx, const char *why, uint32_t off)
{
	msidom_log(ctx, MSIDOM_LOG_ERR,
		   "vfio: malformed VFIO_IOMMU_GET_INFO capability chain: %s (offset %u)", why,
		   off);
	return -MSIDOM_EIO;
}

static int parse_iova_cap(struct msidom_ctx *ctx, const uint8_t *buf, size_t len, uint32_t off,
			  struct msidom_vfio_iova_info *out)
{
	const size_t head = sizeof(struct vfio_iommu_type1_info_cap_iova_range);
	if (len - off < head)
		return bad_chain(ctx, "IOVA-range capability cut short", off);
	uint32_t nr = get32(buf + off + sizeof(struct vfio_info_cap_header));
	size_t room = (len - off - head) / sizeof(struct vfio_iova_range);
	if (nr > room)
		return bad_chain(ctx, "IOVA range count beyond the buffer", off);
	out->nr_ranges = 0;
	out->ranges_truncated = false;
	for (uint32_t i = 0; i < nr; i++) {
		const uint8_t *r = buf + off + head + (size_t)i * sizeof(struct vfio_iova_range);
		uint64_t start = get64(r), end = get64(r + 8);
		if (start > end)
			return bad_chain(ctx, "IOVA range ending before its start", off);
		if (i >= MSIDOM_VFIO_MAX_IOVA_RANGES) {
			out->ranges_truncated = true;
			continue;
		}
		out->ranges[i].start = start;
		out->ranges[i].end = end;
		out->nr_ranges = i + 1;
	}
	return 0;
}

int msidom__vfio_parse_iova_caps(struct msidom_ctx *ctx, const uint8_t *buf, size_t len,
				 struct msidom_vfio_iova_info *out)
{
	const size_t minsz = sizeof(struct vfio_iommu_type1_info);
	const size_t hdr = sizeof(struct vfio_info_cap_header);
	if (len < minsz)
		return bad_chain(ctx, "answer shorter than its header", (uint32_t)len);
	uint32_t flags = get32(buf + 4);
	uint32_t off = get32(buf + 16);
	if (!(flags & VFIO_IOMMU_INFO_CAPS) || !off)
		return 0;
	for (uint32_t n = 0; off; n++) {
		if (n == IOVA_MAX_CAPS)
			return bad_chain(ctx, "too many capabilities", off);
		if (off < minsz || off > len || len - off < hdr)
			return bad_chain(ctx, "capability outside the answer", off);
		if (off % 4)
			return bad_chain(ctx, "misaligned capability", off);
		uint16_t id = (uint16_t)(get32(buf + off) & 0xffffu);
		uint16_t version = (uint16_t)(get32(buf + off) >> 16);
		uint32_t next = get32(buf + off + 4);
		if (next && next <= off)
			return bad_chain(ctx, "capability chain going backwards", off);
		if (id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE && version == 1) {
			int ret = parse_iova_cap(ctx, buf, len, off, out);
			if (ret < 0)
				return ret;
		}
		off = next;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One hex number of 1..16 digits (optional 0x) at *p, followed by a blank. */
static bool parse_hex(const char **p, const char *end, uint64_t *val)
{
	const char *s = *p;
	if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	uint64_t v = 0;
	unsigned int digits = 0;
	for (; s < end && hexval(*s) >= 0; s++) {
		if (++digits > 16)
			return false;
		v = v << 4 | (uint64_t)hexval(*s);
	}
	if (!digits || s == end || (*s != ' ' && *s != '\t'))
		return false;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	*p = s;
	*val = v;
	return true;
}

static bool is_word(const char *s, const char *end, const char *w)
{
	while (s < end && *w && *s == *w) {
		s++;
		w++;
	}
	return !*w && (s == end || *s == ' ' || *s == '\t' || *s == '\r');
}

int msidom__vfio_parse_reserved(struct msidom_ctx *ctx, const char *text, size_t len,
				struct msidom_vfio_iova_info *out)
{
	unsigned int bad = 0, dropped = 0;
	const char *p = text, *stop = text + len;
	out->nr_msi = 0;
	while (p < stop) {
		const char *eol = p;
		while (eol < stop && *eol != '\n')
			eol++;
		const char *s = p;
		uint64_t start, end;
		if (eol == p) {
			/* empty line */
		} else if (!parse_hex(&s, eol, &start) || !parse_hex(&s, eol, &end) || s == eol ||
			   start > end) {
			bad++;
		} else if (is_word(s, eol, "msi")) {
			if (out->nr_msi == MSIDOM_VFIO_MAX_MSI_WINDOWS) {
				dropped++;
			} else {
				out->msi[out->nr_msi].start = start;
				out->msi[out->nr_msi].end = end;
				out->nr_msi++;
			}
		}
		p = eol < stop ? eol + 1 : eol;
	}
	if (bad)
		msidom_log(ctx, MSIDOM_LOG_WARN,
			   "vfio: %u malformed reserved_regions line(s) skipped", bad);
	if (dropped)
		msidom_log(ctx, MSIDOM_LOG_WARN,
			   "vfio: %u MSI window(s) beyond the first %u not reported", dropped,
			   MSIDOM_VFIO_MAX_MSI_WINDOWS);
	return 0;
}

static int read_type1(struct msidom_vfio *v, struct msidom_vfio_iova_info *out)
{
	struct msidom_vfio_container *c = v->cont;
	struct vfio_iommu_type1_info head = { .argsz = sizeof(head) };
	int ret = c->sys.ioctl(c->sys.opaque, c->fd, VFIO_IOMMU_GET_INFO, &head);
	if (ret < 0) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: VFIO_IOMMU_GET_INFO: %s", v->bdf,
			   msidom_strerror(ret));
		return ret;
	}
	if (!(head.flags & VFIO_IOMMU_INFO_CAPS) || head.argsz <= sizeof(head))
		return msidom__vfio_parse_iova_caps(v->ctx, (const uint8_t *)&head, sizeof(head),
						    out);
	uint32_t need = head.argsz;
	if (need > IOVA_INFO_MAX) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR,
			   "vfio %s: VFIO_IOMMU_GET_INFO wants %u bytes; refusing more than %u",
			   v->bdf, need, IOVA_INFO_MAX);
		return -MSIDOM_EIO;
	}
	uint8_t *buf = msidom_zalloc(v->ctx, need);
	if (!buf) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: out of memory for IOMMU info", v->bdf);
		return -MSIDOM_ENOMEM;
	}
	__builtin_memcpy(buf, &need, sizeof(need));
	ret = c->sys.ioctl(c->sys.opaque, c->fd, VFIO_IOMMU_GET_INFO, buf);
	if (ret < 0) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: VFIO_IOMMU_GET_INFO: %s", v->bdf,
			   msidom_strerror(ret));
	} else if (get32(buf) > need) {
		/* Grown between the calls (a group joined): the chain may be cut. */
		msidom_log(v->ctx, MSIDOM_LOG_ERR,
			   "vfio %s: VFIO_IOMMU_GET_INFO grew from %u to %u bytes; try again",
			   v->bdf, need, get32(buf));
		ret = -MSIDOM_EAGAIN;
	} else {
		ret = msidom__vfio_parse_iova_caps(v->ctx, buf, need, out);
	}
	msidom_free(v->ctx, buf, need);
	return ret;
}

static void read_reserved(struct msidom_vfio *v, struct msidom_vfio_iova_info *out)
{
	char path[64];
	char buf[RESERVED_BYTES];
	size_t len = 0;
	msidom_snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%d/reserved_regions",
			(int)v->info.group);
	int fd = v->sys.open(v->sys.opaque, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (fd != -MSIDOM_ENOENT)
			msidom_log(v->ctx, MSIDOM_LOG_WARN, "vfio %s: %s: %s", v->bdf, path,
				   msidom_strerror(fd));
		return;
	}
	bool eof = false;
	while (len < sizeof(buf)) {
		ssize_t n = v->sys.read(v->sys.opaque, fd, buf + len, sizeof(buf) - len);
		if (n < 0) {
			msidom_log(v->ctx, MSIDOM_LOG_WARN, "vfio %s: reading %s: %s", v->bdf, path,
				   msidom_strerror((int)n));
			msidom__vfio_close(v, &fd);
			return;
		}
		if (n == 0 || (size_t)n > sizeof(buf) - len) {
			eof = n == 0;
			break;
		}
		len += (size_t)n;
	}
	msidom__vfio_close(v, &fd);
	if (!eof) {
		/* Full buffer: the last line may be cut; keep the complete ones. */
		while (len && buf[len - 1] != '\n')
			len--;
		msidom_log(v->ctx, MSIDOM_LOG_WARN,
			   "vfio %s: %s longer than %u bytes; rest ignored", v->bdf, path,
			   RESERVED_BYTES);
	}
	(void)msidom__vfio_parse_reserved(v->ctx, buf, len, out);
}

MSIDOM_API int msidom_vfio_get_iova_info(struct msidom_vfio *v, struct msidom_vfio_iova_info *out)
{
	struct msidom_vfio_iova_info full;

	if (!v || !out)
		return -MSIDOM_EINVAL;
	__builtin_memset(&full, 0, sizeof(full));
	full.sz = sizeof(full);
	if (v->cont) {
		int ret = read_type1(v, &full);
		if (ret < 0)
			return ret;
	}
	if (v->info.group >= 0)
		read_reserved(v, &full);
	return msidom_opts_store(v->ctx, out, &full, sizeof(full), "msidom_vfio_iova_info");
}
