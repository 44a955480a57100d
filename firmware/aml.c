// SPDX-License-Identifier: MIT
/*
 * The AML emitter (see firmware/aml.h).  Section numbers are those of
 * the ACPI Specification 6.5.
 */
#include "firmware/aml.h"

#include <string.h>

void aml_init(struct aml_buf *b, void *data, size_t cap)
{
	b->data = data;
	b->len = 0;
	b->cap = data ? cap : 0;
	b->overflow = false;
}

/* Room for n more bytes?  Sets overflow if not. */
static bool room(struct aml_buf *b, size_t n)
{
	if (b->overflow || n > b->cap - b->len) {
		b->overflow = true;
		return false;
	}
	return true;
}

void aml_bytes(struct aml_buf *b, const void *p, size_t n)
{
	if (n == 0 || !room(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void aml_fill(struct aml_buf *b, uint8_t v, size_t n)
{
	if (n == 0 || !room(b, n))
		return;
	memset(b->data + b->len, v, n);
	b->len += n;
}

void aml_u8(struct aml_buf *b, uint8_t v)
{
	aml_bytes(b, &v, 1);
}

/* Explicit little-endian stores: AML and ACPI tables are little-endian
 * whatever the host (§5.2 "all numeric values ... little-endian"). */
static void put_le(struct aml_buf *b, uint64_t v, unsigned n)
{
	uint8_t tmp[8];

	for (unsigned i = 0; i < n; i++)
		tmp[i] = (uint8_t)(v >> (8 * i));
	aml_bytes(b, tmp, n);
}

void aml_u16(struct aml_buf *b, uint16_t v)
{
	put_le(b, v, 2);
}

void aml_u32(struct aml_buf *b, uint32_t v)
{
	put_le(b, v, 4);
}

void aml_u64(struct aml_buf *b, uint64_t v)
{
	put_le(b, v, 8);
}

uint8_t aml_checksum(const void *p, size_t n)
{
	const uint8_t *q = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + q[i]);
	return (uint8_t)(0x100 - sum);
}

/* ---- PkgLength (§20.2.4) ----------------------------------------------- */

/* One byte holds lengths up to 63 in bits 5:0.  Longer ones put the count
 * of following bytes (1..3) in bits 7:6 of the lead byte, the low nibble
 * of the length in bits 3:0 (bits 5:4 zero), and the rest, 8 bits at a
 * time, in the following bytes. */
unsigned aml_pkglen_encode(uint32_t total, uint8_t out[AML_PKGLEN_MAX_BYTES])
{
	unsigned follow;

	if (total == 0 || total > AML_PKGLEN_MAX)
		return 0;
	if (total <= 0x3F) {
		out[0] = (uint8_t)total;
		return 1;
	}
	if (total <= 0xFFF)
		follow = 1;
	else if (total <= 0xFFFFF)
		follow = 2;
	else
		follow = 3;
	out[0] = (uint8_t)((follow << 6) | (total & 0x0F));
	for (unsigned i = 0; i < follow; i++)
		out[1 + i] = (uint8_t)(total >> (4 + 8 * i));
	return follow + 1;
}

/* The encoded length counts the PkgLength bytes too, so the size is the
 * smallest n for which content + n still fits an n-byte encoding. */
unsigned aml_pkglen_size(size_t content)
{
	static const uint32_t limit[AML_PKGLEN_MAX_BYTES] = {
		0x3F, 0xFFF, 0xFFFFF, AML_PKGLEN_MAX,
	};

	for (unsigned n = 1; n <= AML_PKGLEN_MAX_BYTES; n++)
		if (content <= limit[n - 1] - n)
			return n;
	return 0;
}

/* Reserve the longest PkgLength; aml_end() shrinks it to fit. */
static aml_mark pkg_reserve(struct aml_buf *b)
{
	aml_mark mark = b->len;

	aml_fill(b, 0, AML_PKGLEN_MAX_BYTES);
	return mark;
}

void aml_end(struct aml_buf *b, aml_mark mark)
{
	uint8_t enc[AML_PKGLEN_MAX_BYTES];

	if (b->overflow)
		return;
	if (mark > b->len || b->len - mark < AML_PKGLEN_MAX_BYTES) {
		b->overflow = true;   /* not a mark of this buffer */
		return;
	}
	size_t start = mark + AML_PKGLEN_MAX_BYTES;
	size_t content = b->len - start;
	unsigned n = aml_pkglen_size(content);
	if (n == 0 || aml_pkglen_encode((uint32_t)(content + n), enc) != n) {
		b->overflow = true;
		return;
	}
	memmove(b->data + mark + n, b->data + start, content);
	memcpy(b->data + mark, enc, n);
	b->len = mark + n + content;
	/* Clear what the shorter encoding freed, so no stale byte is left
	 * after the end. */
	memset(b->data + b->len, 0, AML_PKGLEN_MAX_BYTES - n);
}

/* ---- Names (§20.2.2) --------------------------------------------------- */

static bool lead_char(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
	return lead_char(c) || (c >= '0' && c <= '9');
}

/* One NameSeg of n (1..4) characters from s, padded with '_'. */
static void nameseg_n(struct aml_buf *b, const char *s, size_t n)
{
	char seg[4] = { '_', '_', '_', '_' };

	if (n == 0 || n > 4 || !lead_char(s[0])) {
		b->overflow = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!name_char(s[i])) {
			b->overflow = true;
			return;
		}
		seg[i] = s[i];
	}
	aml_bytes(b, seg, sizeof(seg));
}

void aml_nameseg(struct aml_buf *b, const char *seg)
{
	nameseg_n(b, seg, seg ? strlen(seg) : 0);
}

void aml_namestring(struct aml_buf *b, const char *path)
{
	size_t nsegs = 1;

	if (!path) {
		b->overflow = true;
		return;
	}
	/* PrefixPath: a root char, or any number of parent prefixes. */
	if (*path == '\\') {
		aml_u8(b, AML_ROOT_CHAR);
		path++;
	} else {
		while (*path == '^') {
			aml_u8(b, AML_PARENT_PREFIX);
			path++;
		}
	}
	if (*path == '\0') {
		aml_u8(b, 0x00);   /* NullName: the root itself, "\" */
		return;
	}
	for (const char *p = path; *p; p++)
		if (*p == '.')
			nsegs++;
	if (nsegs > 255) {
		b->overflow = true;
		return;
	}
	if (nsegs == 2) {
		aml_u8(b, AML_DUAL_NAME_PREFIX);
	} else if (nsegs > 2) {
		aml_u8(b, AML_MULTI_NAME_PREFIX);
		aml_u8(b, (uint8_t)nsegs);
	}
	while (*path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);

		nameseg_n(b, path, n);
		path += n;
		if (*path == '.') {
			path++;
			if (*path == '\0')
				b->overflow = true;   /* trailing '.' */
		}
	}
}

/* ---- Data objects (§20.2.3) -------------------------------------------- */

void aml_integer(struct aml_buf *b, uint64_t v)
{
	if (v == 0) {
		aml_u8(b, AML_ZERO_OP);
	} else if (v == 1) {
		aml_u8(b, AML_ONE_OP);
	} else if (v <= 0xFF) {
		aml_u8(b, AML_BYTE_PREFIX);
		aml_u8(b, (uint8_t)v);
	} else if (v <= 0xFFFF) {
		aml_u8(b, AML_WORD_PREFIX);
		aml_u16(b, (uint16_t)v);
	} else if (v <= 0xFFFFFFFFu) {
		aml_u8(b, AML_DWORD_PREFIX);
		aml_u32(b, (uint32_t)v);
	} else {
		aml_u8(b, AML_QWORD_PREFIX);
		aml_u64(b, v);
	}
}

/* String := StringPrefix AsciiCharList NullChar; AsciiChar 0x01-0x7F. */
void aml_string(struct aml_buf *b, const char *s)
{
	if (!s) {
		b->overflow = true;
		return;
	}
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p > 0x7F) {
			b->overflow = true;
			return;
		}
	aml_u8(b, AML_STRING_PREFIX);
	aml_bytes(b, s, strlen(s) + 1);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* §6.1.5 (_HID): an EISA ID is three uppercase letters, each stored as
 * 5 bits (letter - 0x40), then a 16-bit product number from 4 hex
 * digits; the 32-bit result is stored with its bytes in that order
 * (letters in bytes 0-1, big-endian; digits in bytes 2-3). */
uint32_t aml_eisaid_value(const char *id, bool *ok)
{
	*ok = false;
	if (!id || strlen(id) != 7)
		return 0;
	for (int i = 0; i < 3; i++)
		if (id[i] < 'A' || id[i] > 'Z')
			return 0;

	unsigned c1 = (unsigned)(id[0] - 0x40), c2 = (unsigned)(id[1] - 0x40),
		 c3 = (unsigned)(id[2] - 0x40);
	int d[4];
	for (int i = 0; i < 4; i++)
		if ((d[i] = hex_digit(id[3 + i])) < 0)
			return 0;

	uint8_t byte[4] = {
		(uint8_t)((c1 << 2) | (c2 >> 3)),
		(uint8_t)(((c2 & 7) << 5) | c3),
		(uint8_t)((d[0] << 4) | d[1]),
		(uint8_t)((d[2] << 4) | d[3]),
	};
	*ok = true;
	return (uint32_t)byte[0] | (uint32_t)byte[1] << 8 |
	       (uint32_t)byte[2] << 16 | (uint32_t)byte[3] << 24;
}

/* An EISA ID is emitted as a DWord constant, as ASL's EISAID() macro
 * does, even when a shorter integer encoding would do. */
void aml_eisaid(struct aml_buf *b, const char *id)
{
	bool ok;
	uint32_t v = aml_eisaid_value(id, &ok);

	if (!ok) {
		b->overflow = true;
		return;
	}
	aml_u8(b, AML_DWORD_PREFIX);
	aml_u32(b, v);
}

/* ---- Named objects (§20.2.5) ------------------------------------------- */

/* DefScope := ScopeOp PkgLength NameString TermList */
aml_mark aml_scope_begin(struct aml_buf *b, const char *path)
{
	aml_u8(b, AML_SCOPE_OP);
	aml_mark m = pkg_reserve(b);
	aml_namestring(b, path);
	return m;
}

/* DefDevice := DeviceOp(ExtOpPrefix 0x82) PkgLength NameString TermList */
aml_mark aml_device_begin(struct aml_buf *b, const char *path)
{
	aml_u8(b, AML_EXT_OP_PREFIX);
	aml_u8(b, AML_DEVICE_OP);
	aml_mark m = pkg_reserve(b);
	aml_namestring(b, path);
	return m;
}

/* DefMethod := MethodOp PkgLength NameString MethodFlags TermList;
 * MethodFlags bits 2:0 ArgCount, bit 3 SerializeFlag (0 here),
 * bits 7:4 SyncLevel (0 here). */
aml_mark aml_method_begin(struct aml_buf *b, const char *path, unsigned nargs)
{
	aml_u8(b, AML_METHOD_OP);
	aml_mark m = pkg_reserve(b);
	aml_namestring(b, path);
	if (nargs > 7)
		b->overflow = true;
	aml_u8(b, (uint8_t)(nargs & 7));
	return m;
}

/* DefPackage := PackageOp PkgLength NumElements PackageElementList */
aml_mark aml_package_begin(struct aml_buf *b, uint8_t nelems)
{
	aml_u8(b, AML_PACKAGE_OP);
	aml_mark m = pkg_reserve(b);
	aml_u8(b, nelems);
	return m;
}

/* DefName := NameOp NameString DataRefObject */
void aml_name(struct aml_buf *b, const char *path)
{
	aml_u8(b, AML_NAME_OP);
	aml_namestring(b, path);
}

/* DefBuffer := BufferOp PkgLength BufferSize ByteList */
void aml_buffer(struct aml_buf *b, const void *bytes, size_t n)
{
	aml_u8(b, AML_BUFFER_OP);
	aml_mark m = pkg_reserve(b);
	aml_integer(b, n);
	aml_bytes(b, bytes, n);
	aml_end(b, m);
}

/* DefReturn := ReturnOp ArgObject */
void aml_return_integer(struct aml_buf *b, uint64_t v)
{
	aml_u8(b, AML_RETURN_OP);
	aml_integer(b, v);
}

/* ---- Resource templates (§6.4) ----------------------------------------- */

void aml_restemplate_begin(struct aml_buf *b, struct aml_restemplate *t)
{
	aml_u8(b, AML_BUFFER_OP);
	t->buffer = pkg_reserve(b);
	t->first = b->len;
}

/* §6.4.2.9 End Tag: tag byte 0x79, then a checksum chosen so that all
 * bytes of the descriptor list, End Tag included, sum to zero. */
void aml_restemplate_end(struct aml_buf *b, struct aml_restemplate *t)
{
	uint8_t size[16];
	struct aml_buf sz;

	if (b->overflow)
		return;
	if (t->first > b->len || t->first < t->buffer + AML_PKGLEN_MAX_BYTES) {
		b->overflow = true;
		return;
	}
	aml_u8(b, AML_RES_END_TAG);
	aml_u8(b, 0);
	if (b->overflow)
		return;
	size_t n = b->len - t->first;
	b->data[b->len - 1] = aml_checksum(b->data + t->first, n);

	/* BufferSize precedes the descriptors; its encoding is known only
	 * now, so slide the descriptors up to make room for it. */
	aml_init(&sz, size, sizeof(size));
	aml_integer(&sz, n);
	if (!room(b, sz.len))
		return;
	memmove(b->data + t->first + sz.len, b->data + t->first, n);
	memcpy(b->data + t->first, size, sz.len);
	b->len += sz.len;
	aml_end(b, t->buffer);
}

/* §6.4.3.5.1 QWord Address Space Descriptor:
 *   0 tag 0x8A; 1-2 length 43; 3 resource type (0 = memory range);
 *   4 general flags: bit 3 _MAF, bit 2 _MIF, bit 1 _DEC (0 = positive
 *     decode), bit 0 (0 = this device produces the resource);
 *   5 type-specific flags for memory: bits 2:1 _MEM (1 = cacheable),
 *     bit 0 _RW (1 = read/write); bits 4:3 _MTP and 5 _TTP zero;
 *   6 _GRA, 14 _MIN, 22 _MAX, 30 _TRA, 38 _LEN, each 8 bytes.
 * With _MIF = _MAF = 1 the window is fixed: _LEN = _MAX - _MIN + 1. */
#define QWORD_RESOURCE_TYPE_MEMORY 0x00
#define QWORD_GFLAGS_MIF_MAF       0x0C
#define QWORD_MEM_CACHEABLE_RW     0x03

void aml_qword_memory(struct aml_buf *b, uint64_t base, uint64_t size)
{
	if (size == 0 || size - 1 > UINT64_MAX - base) {
		b->overflow = true;
		return;
	}
	aml_u8(b, AML_RES_QWORD_ADDRESS);
	aml_u16(b, AML_RES_QWORD_LENGTH);
	aml_u8(b, QWORD_RESOURCE_TYPE_MEMORY);
	aml_u8(b, QWORD_GFLAGS_MIF_MAF);
	aml_u8(b, QWORD_MEM_CACHEABLE_RW);
	aml_u64(b, 0);                  /* _GRA */
	aml_u64(b, base);               /* _MIN */
	aml_u64(b, base + (size - 1));  /* _MAX */
	aml_u64(b, 0);                  /* _TRA */
	aml_u64(b, size);               /* _LEN */
}

/* ---- Table header (§5.2.6) --------------------------------------------- */

/* A fixed-width field: the string, then `pad` up to n bytes. */
static void fixed_field(struct aml_buf *b, const char *s, size_t n, char pad)
{
	size_t len = s ? strnlen(s, n) : 0;

	aml_bytes(b, s, len);
	aml_fill(b, (uint8_t)pad, n - len);
}

/* Signature(4) Length(4) Revision(1) Checksum(1) OEMID(6)
 * OEM Table ID(8) OEM Revision(4) Creator ID(4) Creator Revision(4) */
aml_mark aml_table_begin(struct aml_buf *b, const struct aml_table_id *id)
{
	aml_mark start = b->len;

	fixed_field(b, id->signature, 4, ' ');
	aml_u32(b, 0);                  /* length, by aml_table_end() */
	aml_u8(b, id->revision);
	aml_u8(b, 0);                   /* checksum, by aml_table_end() */
	fixed_field(b, id->oem_id, ACPI_OEM_ID_LEN, ' ');
	fixed_field(b, id->oem_table_id, ACPI_OEM_TABLE_ID_LEN, ' ');
	aml_u32(b, id->oem_revision);
	fixed_field(b, id->creator_id, 4, ' ');
	aml_u32(b, id->creator_revision);
	return start;
}

#define HEADER_LENGTH_AT   4
#define HEADER_CHECKSUM_AT 9

void aml_table_end(struct aml_buf *b, aml_mark table)
{
	if (b->overflow)
		return;
	if (table > b->len || b->len - table < ACPI_TABLE_HEADER_SIZE ||
	    b->len - table > UINT32_MAX) {
		b->overflow = true;
		return;
	}
	uint8_t *t = b->data + table;
	size_t len = b->len - table;

	for (unsigned i = 0; i < 4; i++)
		t[HEADER_LENGTH_AT + i] = (uint8_t)(len >> (8 * i));
	t[HEADER_CHECKSUM_AT] = 0;
	t[HEADER_CHECKSUM_AT] = aml_checksum(t, len);
}
