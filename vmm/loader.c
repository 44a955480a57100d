// SPDX-License-Identifier: MIT
/*
 * ELF64 loader for the guest kernel (see vmm/loader.h).
 *
 * Two passes: the first validates the header and every PT_LOAD segment
 * against the file and against guest RAM, the second copies.  So a bad
 * image is refused as a whole and leaves guest RAM as it was.  Sizes are
 * compared by subtraction so that no check can be defeated by wrap-around.
 */
#include "vmm/loader.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/abi/platform_abi.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* [offset, offset + size) lies inside a buffer of len bytes. */
static bool within(uint64_t offset, uint64_t size, uint64_t len)
{
	return offset <= len && size <= len - offset;
}

static int check_header(const Elf64_Ehdr *eh, size_t len, char *err,
			size_t errlen)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return fail(err, errlen, "not an ELF file (bad magic)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(err, errlen, "not a 64-bit ELF (class %u)",
			    eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, "not a little-endian ELF");
	if (eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT)
		return fail(err, errlen, "unknown ELF version");
	if (eh->e_machine != EM_X86_64)
		return fail(err, errlen, "not an x86-64 ELF (machine %u)",
			    eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return fail(err, errlen,
			    "ELF type %u is not ET_EXEC (a static, non-PIE "
			    "executable is required)", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(err, errlen, "bad program header size %u",
			    eh->e_phentsize);
	if (eh->e_phnum == 0)
		return fail(err, errlen, "no program headers");
	if (eh->e_phnum > LOADER_MAX_PHDRS)
		return fail(err, errlen, "too many program headers (%u > %u)",
			    eh->e_phnum, LOADER_MAX_PHDRS);
	if (!within(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr),
		    len))
		return fail(err, errlen,
			    "program headers lie beyond the end of the file");
	return 0;
}

/* Checks one PT_LOAD segment on its own (index i, for messages). */
static int check_segment(const struct guest_mem *mem, const Elf64_Phdr *ph,
			 unsigned i, size_t len, char *err, size_t errlen)
{
	if (ph->p_filesz > ph->p_memsz)
		return fail(err, errlen,
			    "segment %u: file size 0x%llx exceeds memory size 0x%llx",
			    i, (unsigned long long)ph->p_filesz,
			    (unsigned long long)ph->p_memsz);
	if (!within(ph->p_offset, ph->p_filesz, len))
		return fail(err, errlen,
			    "segment %u: file bytes [0x%llx, +0x%llx) lie beyond "
			    "the end of the file (0x%zx bytes)", i,
			    (unsigned long long)ph->p_offset,
			    (unsigned long long)ph->p_filesz, len);
	/* The boot map is an identity map, so where the guest runs the
	 * code (virtual) must be where it was loaded (physical). */
	if (ph->p_vaddr != ph->p_paddr)
		return fail(err, errlen,
			    "segment %u: virtual address 0x%llx differs from "
			    "physical 0x%llx (the boot map is an identity map)", i,
			    (unsigned long long)ph->p_vaddr,
			    (unsigned long long)ph->p_paddr);
	if (ph->p_paddr < KVMBUS_GUEST_LOAD_MIN)
		return fail(err, errlen,
			    "segment %u: load address 0x%llx is below 0x%llx "
			    "(the boot area: GDT, page tables, device tree)", i,
			    (unsigned long long)ph->p_paddr,
			    (unsigned long long)KVMBUS_GUEST_LOAD_MIN);
	if (ph->p_memsz > UINT64_MAX - ph->p_paddr)
		return fail(err, errlen, "segment %u: address range wraps", i);
	if (!guest_mem_ptr(mem, ph->p_paddr, ph->p_memsz))
		return fail(err, errlen,
			    "segment %u: [0x%llx, 0x%llx) is not inside guest RAM",
			    i, (unsigned long long)ph->p_paddr,
			    (unsigned long long)(ph->p_paddr + ph->p_memsz));
	return 0;
}

static bool overlaps(const Elf64_Phdr *a, const Elf64_Phdr *b)
{
	return a->p_paddr < b->p_paddr + b->p_memsz &&
	       b->p_paddr < a->p_paddr + a->p_memsz;
}

/* The entry point must be code that came from the file: inside the file
 * bytes of an executable segment. */
static bool entry_in(const Elf64_Phdr *ph, uint64_t entry)
{
	return (ph->p_flags & PF_X) && entry >= ph->p_vaddr &&
	       entry - ph->p_vaddr < ph->p_filesz;
}

int loader_load_elf(const struct guest_mem *mem, const void *buf, size_t len,
		    struct loaded_image *out, char *err, size_t errlen)
{
	const uint8_t *file = buf;
	Elf64_Ehdr eh;
	Elf64_Phdr load[LOADER_MAX_PHDRS];
	unsigned nr_load = 0;
	bool entry_ok = false;

	if (!buf || len < sizeof(eh))
		return fail(err, errlen, "truncated ELF header (%zu bytes)", len);
	memcpy(&eh, file, sizeof(eh));   /* the buffer may be unaligned */
	if (check_header(&eh, len, err, errlen) < 0)
		return -1;

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, file + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_INTERP)
			return fail(err, errlen,
				    "dynamically linked image (PT_INTERP)");
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (check_segment(mem, &ph, i, len, err, errlen) < 0)
			return -1;
		for (unsigned j = 0; j < nr_load; j++)
			if (overlaps(&ph, &load[j]))
				return fail(err, errlen,
					    "segment %u overlaps an earlier segment "
					    "at 0x%llx", i,
					    (unsigned long long)load[j].p_paddr);
		if (entry_in(&ph, eh.e_entry))
			entry_ok = true;
		load[nr_load++] = ph;
	}
	if (nr_load == 0)
		return fail(err, errlen, "no loadable segments");
	if (!entry_ok)
		return fail(err, errlen,
			    "entry point 0x%llx is not inside an executable "
			    "loaded segment", (unsigned long long)eh.e_entry);

	struct loaded_image img = { .entry = eh.e_entry, .lowest = UINT64_MAX };
	for (unsigned j = 0; j < nr_load; j++) {
		const Elf64_Phdr *ph = &load[j];
		uint8_t *dst = guest_mem_ptr(mem, ph->p_paddr, ph->p_memsz);

		memcpy(dst, file + ph->p_offset, ph->p_filesz);
		/* The bss tail: guest RAM is fresh and zero when the VMM
		 * maps it, but a loader must not rely on its caller. */
		memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
		if (ph->p_paddr < img.lowest)
			img.lowest = ph->p_paddr;
		if (ph->p_paddr + ph->p_memsz > img.highest)
			img.highest = ph->p_paddr + ph->p_memsz;
	}
	img.nr_segments = nr_load;
	if (out)
		*out = img;
	return 0;
}

/* Whole file into a malloc'd buffer.  0, or -1 with a reason. */
static int read_file(const char *path, uint8_t **data, size_t *len,
		     char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return fail(err, errlen, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errlen, "not a regular file");
	}
	if (st.st_size <= 0 || (uint64_t)st.st_size > LOADER_MAX_FILE) {
		close(fd);
		return fail(err, errlen, "file size %lld is out of range",
			    (long long)st.st_size);
	}

	size_t size = (size_t)st.st_size, got = 0;
	uint8_t *buf = malloc(size);
	if (!buf) {
		close(fd);
		return fail(err, errlen, "out of memory");
	}
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			free(buf);
			close(fd);
			return fail(err, errlen, "read failed: %s", strerror(e));
		}
		got += (size_t)n;
	}
	close(fd);
	*data = buf;
	*len = size;
	return 0;
}

int loader_load_file(const struct guest_mem *mem, const char *path,
		     struct loaded_image *out, char *err, size_t errlen)
{
	uint8_t *data = NULL;
	size_t len = 0;

	if (read_file(path, &data, &len, err, errlen) < 0)
		return -1;
	int rc = loader_load_elf(mem, data, len, out, err, errlen);
	free(data);
	return rc;
}
