/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Little-endian integers and one bounded reader, for the wire and disk
 * formats (CERTIFICATE_BLOB, MS-BPAU 2.2.2; the peer table's records).
 * The names follow Samba's lib/util/bytearray.h, which is not installed
 * with Samba's development headers.
 */
#ifndef _BPA_BYTES_H_
#define _BPA_BYTES_H_

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

static inline uint32_t PULL_LE_U32(const uint8_t *p, size_t ofs)
{
	return (uint32_t)p[ofs] | ((uint32_t)p[ofs + 1] << 8) |
	       ((uint32_t)p[ofs + 2] << 16) | ((uint32_t)p[ofs + 3] << 24);
}

static inline void PUSH_LE_U32(uint8_t *p, size_t ofs, uint32_t v)
{
	p[ofs] = (uint8_t)v;
	p[ofs + 1] = (uint8_t)(v >> 8);
	p[ofs + 2] = (uint8_t)(v >> 16);
	p[ofs + 3] = (uint8_t)(v >> 24);
}

static inline uint64_t PULL_LE_U64(const uint8_t *p, size_t ofs)
{
	return (uint64_t)PULL_LE_U32(p, ofs) |
	       ((uint64_t)PULL_LE_U32(p, ofs + 4) << 32);
}

static inline void PUSH_LE_U64(uint8_t *p, size_t ofs, uint64_t v)
{
	PUSH_LE_U32(p, ofs, (uint32_t)(v & 0xffffffffu));
	PUSH_LE_U32(p, ofs + 4, (uint32_t)(v >> 32));
}

/*
 * A bounded reader over @len bytes: every take fails (NULL / false) once
 * the input is too short, and moves nothing then.
 */
struct bpa_reader {
	const uint8_t *p;
	size_t left;
};

static inline struct bpa_reader bpa_reader_init(const uint8_t *data,
						size_t len)
{
	return (struct bpa_reader) { .p = data, .left = len };
}

/* The next @n bytes, or NULL if fewer are left */
static inline const uint8_t *bpa_reader_take(struct bpa_reader *r, size_t n)
{
	const uint8_t *p = r->p;

	if (n > r->left) {
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

static inline bool bpa_reader_u32(struct bpa_reader *r, uint32_t *v)
{
	const uint8_t *p = bpa_reader_take(r, 4);

	if (p == NULL) {
		return false;
	}
	*v = PULL_LE_U32(p, 0);
	return true;
}

static inline bool bpa_reader_u64(struct bpa_reader *r, uint64_t *v)
{
	const uint8_t *p = bpa_reader_take(r, 8);

	if (p == NULL) {
		return false;
	}
	*v = PULL_LE_U64(p, 0);
	return true;
}

#endif /* _BPA_BYTES_H_ */
