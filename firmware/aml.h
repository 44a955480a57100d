/* SPDX-License-Identifier: MIT */
/*
 * A small AML emitter: just the objects kvmbus's DSDT needs, written
 * straight into a caller-supplied byte buffer.  References are to the
 * ACPI Specification 6.5, chapter 20 ("ACPI Machine Language (AML)
 * Specification") and §5.2.6 / §6.4 for the table header and resource
 * descriptors.
 *
 * Usage: every writer appends to an aml_buf.  A writer that does not fit
 * sets `overflow` and writes nothing more, so a sequence of calls needs
 * one check at the end (aml_ok()).  Objects with a PkgLength are opened
 * with *_begin(), which returns a mark, and closed with aml_end(mark);
 * the PkgLength is then encoded in as few bytes as the finished length
 * allows (§20.2.4), so nesting works like ASL braces.
 */
#ifndef KVMBUS_AML_H
#define KVMBUS_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aml_buf {
	uint8_t *data;
	size_t len;        /* bytes written so far */
	size_t cap;
	bool overflow;     /* a write did not fit (or a bad argument) */
};

/* Where an open PkgLength object starts; pass it to aml_end(). */
typedef size_t aml_mark;

/* ---- Opcodes (§20.2) --------------------------------------------------- */
#define AML_ZERO_OP          0x00
#define AML_ONE_OP           0x01
#define AML_NAME_OP          0x08
#define AML_BYTE_PREFIX      0x0A
#define AML_WORD_PREFIX      0x0B
#define AML_DWORD_PREFIX     0x0C
#define AML_STRING_PREFIX    0x0D
#define AML_QWORD_PREFIX     0x0E
#define AML_SCOPE_OP         0x10
#define AML_BUFFER_OP        0x11
#define AML_PACKAGE_OP       0x12
#define AML_METHOD_OP        0x14
#define AML_DUAL_NAME_PREFIX 0x2E
#define AML_MULTI_NAME_PREFIX 0x2F
#define AML_EXT_OP_PREFIX    0x5B
#define AML_ROOT_CHAR        0x5C    /* '\' */
#define AML_PARENT_PREFIX    0x5E    /* '^' */
#define AML_DEVICE_OP        0x82    /* after AML_EXT_OP_PREFIX */
#define AML_RETURN_OP        0xA4

/* Largest value a PkgLength can hold: 4 bits + 3 bytes (§20.2.4). */
#define AML_PKGLEN_MAX       0x0FFFFFFFu
/* Longest PkgLength encoding. */
#define AML_PKGLEN_MAX_BYTES 4

/* ---- Resource descriptors (§6.4) --------------------------------------- */
#define AML_RES_END_TAG          0x79  /* small item 0xF, length 1 */
#define AML_RES_QWORD_ADDRESS    0x8A  /* large item 0x0A */
#define AML_RES_QWORD_LENGTH     43    /* bytes after the 3-byte header */
#define AML_RES_QWORD_SIZE       (3 + AML_RES_QWORD_LENGTH)
#define AML_RES_END_TAG_SIZE     2

/* ---- System Description Table header (§5.2.6) --------------------------- */
#define ACPI_TABLE_HEADER_SIZE   36
#define ACPI_OEM_ID_LEN          6
#define ACPI_OEM_TABLE_ID_LEN    8

struct aml_table_id {
	char signature[5];                       /* "DSDT", "APIC", ... */
	uint8_t revision;
	char oem_id[ACPI_OEM_ID_LEN + 1];        /* padded with spaces */
	char oem_table_id[ACPI_OEM_TABLE_ID_LEN + 1];
	uint32_t oem_revision;
	char creator_id[5];
	uint32_t creator_revision;
};

void aml_init(struct aml_buf *b, void *data, size_t cap);
static inline bool aml_ok(const struct aml_buf *b)
{
	return !b->overflow;
}

/* Raw little-endian bytes. */
void aml_u8(struct aml_buf *b, uint8_t v);
void aml_u16(struct aml_buf *b, uint16_t v);
void aml_u32(struct aml_buf *b, uint32_t v);
void aml_u64(struct aml_buf *b, uint64_t v);
void aml_bytes(struct aml_buf *b, const void *p, size_t n);
/* n copies of `v` (padding and reserved fields). */
void aml_fill(struct aml_buf *b, uint8_t v, size_t n);

/* PkgLength (§20.2.4) for a package whose total length -- the PkgLength
 * bytes included -- is `total`, in the shortest form that holds it (one
 * byte up to 63, two up to 4095, three up to 0xFFFFF, else four).
 * Writes 1..4 bytes to out and returns how many; 0 if total is 0 or
 * above AML_PKGLEN_MAX. */
unsigned aml_pkglen_encode(uint32_t total, uint8_t out[AML_PKGLEN_MAX_BYTES]);
/* Bytes the PkgLength takes in front of `content` bytes: 1..4, or 0 if
 * too long for any PkgLength. */
unsigned aml_pkglen_size(size_t content);

/* Names (§20.2.2).  A NameSeg is 1..4 characters, padded with '_'; the
 * first is A-Z or '_', the rest A-Z, 0-9 or '_'.  A path is segments
 * separated by '.', optionally after a leading '\' or '^'s, e.g.
 * "\_SB.VMOD" or "_HID".  A bad name sets overflow. */
void aml_nameseg(struct aml_buf *b, const char *seg);
void aml_namestring(struct aml_buf *b, const char *path);

/* Data objects (§20.2.3): the shortest integer encoding (ZeroOp, OneOp,
 * Byte/Word/DWord/QWordPrefix), a String (ASCII 0x01..0x7F), an EISA ID
 * ("PNP0A03" -> its compressed DWord; §6.1.5 _HID). */
void aml_integer(struct aml_buf *b, uint64_t v);
void aml_string(struct aml_buf *b, const char *s);
void aml_eisaid(struct aml_buf *b, const char *id);
/* The 32-bit compressed form of an EISA ID, or 0 with *ok false when
 * `id` is not three capitals followed by four hex digits. */
uint32_t aml_eisaid_value(const char *id, bool *ok);

/* Named objects and containers.  *_begin() writes the opcode, reserves
 * the PkgLength and writes the name; aml_end() closes the innermost one. */
aml_mark aml_scope_begin(struct aml_buf *b, const char *path);
aml_mark aml_device_begin(struct aml_buf *b, const char *path);
/* Method with `nargs` (0..7) arguments, NotSerialized, SyncLevel 0. */
aml_mark aml_method_begin(struct aml_buf *b, const char *path, unsigned nargs);
/* Package(n) { ... }: the caller then writes n data objects. */
aml_mark aml_package_begin(struct aml_buf *b, uint8_t nelems);
void aml_end(struct aml_buf *b, aml_mark mark);

/* Name(path, <object>): writes NameOp and the name; the caller then
 * writes exactly one data object. */
void aml_name(struct aml_buf *b, const char *path);
/* Buffer() { bytes }, BufferSize being the byte count. */
void aml_buffer(struct aml_buf *b, const void *bytes, size_t n);
/* Return(<integer>) -- the only statement a constant method needs. */
void aml_return_integer(struct aml_buf *b, uint64_t v);

/* ResourceTemplate() { ... }: a Buffer whose bytes are resource
 * descriptors ending with an End Tag.  aml_restemplate_end() writes the
 * End Tag with a checksum over the descriptors (§6.4.2.9) and closes
 * the Buffer. */
struct aml_restemplate {
	aml_mark buffer;      /* the BufferOp's PkgLength */
	size_t first;         /* first descriptor byte; BufferSize goes here */
};
void aml_restemplate_begin(struct aml_buf *b, struct aml_restemplate *t);
void aml_restemplate_end(struct aml_buf *b, struct aml_restemplate *t);
/* QWordMemory(ResourceProducer, PosDecode, MinFixed, MaxFixed,
 * Cacheable, ReadWrite, granularity 0, min, max, translation 0, length)
 * for [base, base + size) (§6.4.3.5.1).  size must be non-zero. */
void aml_qword_memory(struct aml_buf *b, uint64_t base, uint64_t size);

/* The 36-byte table header (§5.2.6), length and checksum left for
 * aml_table_end(), which fills them for the bytes written since. */
aml_mark aml_table_begin(struct aml_buf *b, const struct aml_table_id *id);
void aml_table_end(struct aml_buf *b, aml_mark table);

/* Value that makes the bytes sum to zero mod 256 when stored in place
 * of a zero byte (every ACPI checksum, §5.2.5.3 and §5.2.6). */
uint8_t aml_checksum(const void *p, size_t n);

#endif
