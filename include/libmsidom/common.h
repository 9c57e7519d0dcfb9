/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file common.h
 * @brief Basic types shared by every libmsidom header.
 */
#ifndef LIBMSIDOM_COMMON_H
#define LIBMSIDOM_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks a symbol exported from the shared library. */
#if defined(MSIDOM_BUILDING) && defined(__GNUC__)
#define MSIDOM_API __attribute__((visibility("default")))
#else
#define MSIDOM_API
#endif

/**
 * @brief Per-vector instance cookie (a PASID, a queue id or a pointer).
 *
 * Stored in the descriptor at allocation and handed to prepare_desc and
 * to every write of that vector's message.
 */
typedef union msidom_cookie {
	uint64_t value; /**< Integer form (PASID, queue id). */
	void *ptr;      /**< Pointer form. */
} msidom_cookie;

/** @brief An MSI message: what a device writes, and where. */
struct msidom_msg {
	uint32_t address_lo; /**< Low 32 bits of the message address. */
	uint32_t address_hi; /**< High 32 bits of the message address. */
	uint32_t data;       /**< Message data. */
};

/**
 * @brief A set of CPUs, borrowed for the duration of a call.
 *
 * Bit n of bits[n / 64] stands for CPU n. A NULL mask means "any CPU".
 */
struct msidom_cpumask {
	uint32_t nbits;       /**< Number of valid bits. */
	const uint64_t *bits; /**< nbits bits, rounded up to whole words. */
};

/**
 * @brief Declare @p name, a struct @p type whose size member is set and
 * whose other members are zero unless given, e.g.
 * `MSIDOM_OPTS(msidom_ctx_config, cfg, .max_virqs = 4096);`
 * (write `MSIDOM_OPTS(type, name, )` to give no member).
 *
 * Every configuration, options, ops, info and stats struct of the API
 * starts with `size_t sz`, the caller's sizeof. The library accepts a
 * smaller (older) struct and treats the missing members as zero; it
 * refuses a larger (newer) one with -E2BIG unless the members it does not
 * know are all zero. An info or stats struct is filled up to its sz.
 */
#define MSIDOM_OPTS(type, name, ...) struct type name = { .sz = sizeof(struct type), __VA_ARGS__ }

/** @brief Index value asking for any free index. */
#define MSIDOM_INDEX_ANY UINT32_MAX

/** @brief Largest hwsize of a device domain. */
#define MSIDOM_MAX_HWSIZE 65536u

/** @brief Opaque library context: owns every other object. */
struct msidom_ctx;
/** @brief Opaque interrupt domain. */
struct msidom_domain;
/** @brief Opaque device owning per-device domains. */
struct msidom_device;
/** @brief Opaque MSI descriptor (one vector index of a device domain). */
struct msidom_desc;
/** @brief Opaque per-level view of one interrupt, handed to domain ops. */
struct msidom_irq_data;

#ifdef __cplusplus
}
#endif

#endif
