// SPDX-License-Identifier: MIT
/*
 * ELF vmlinux through the PVH entry.  The layouts are those of Xen's
 * xen/include/public/arch-x86/hvm/start_info.h, which Linux's
 * arch/x86/platform/pvh/ consumes:
 *
 *   hvm_start_info (56 bytes): 0 magic u32 (0x336ec578), 4 version u32,
 *     8 flags u32, 12 nr_modules u32, 16 modlist_paddr u64,
 *     24 cmdline_paddr u64, 32 rsdp_paddr u64, and since version 1:
 *     40 memmap_paddr u64, 48 memmap_entries u32, 52 reserved u32.
 *   hvm_modlist_entry (32 bytes): paddr, size, cmdline_paddr, reserved.
 *   hvm_memmap_table_entry (24 bytes): addr u64, size u64, type u32,
 *     reserved u32; types as E820's.
 *
 * Linux takes module 0 as its initrd.  Segments are loaded at their
 * physical addresses (p_paddr): vmlinux links at virtual 0xffffffff8...
 * but runs from physical memory until it sets up paging itself.
 */
#include <elf.h>
#include <string.h>

#include "vmm/linux_boot_priv.h"

#define SI_SIZE            56
#define SI_MAGIC           0
#define SI_VERSION         4
#define SI_FLAGS           8
#define SI_NR_MODULES      12
#define SI_MODLIST_PADDR   16
#define SI_CMDLINE_PADDR   24
#define SI_RSDP_PADDR      32
#define SI_MEMMAP_PADDR    40
#define SI_MEMMAP_ENTRIES  48
#define MODLIST_OFFSET     64      /* modlist entry after start_info */
#define MODLIST_ENTRY_SIZE 32
#define MEMMAP_ENTRY_SIZE  24
#define MEMMAP_MAX_ENTRIES (LB_PAGE / MEMMAP_ENTRY_SIZE)

#define PVH_MAX_PHDRS      64

bool linux_pvh_detect(const void *buf, size_t len)
{
	return len >= SELFMAG && memcmp(buf, ELFMAG, SELFMAG) == 0;
}

struct pvh_plan {
	uint64_t entry;            /* 0 = no PVH note seen yet */
	uint64_t lo, hi;           /* physical range of the PT_LOADs */
	Elf64_Phdr load[PVH_MAX_PHDRS];
	unsigned nr_load;
};

/* [off, off + size) inside a file of len bytes. */
static bool within(uint64_t off, uint64_t size, uint64_t len)
{
	return off <= len && size <= len - off;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int check_ehdr(const Elf64_Ehdr *eh, size_t len, char *err,
		      size_t errlen)
{
	if (len < sizeof(*eh))
		return lb_fail(err, errlen, "vmlinux: truncated ELF header");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64)
		return lb_fail(err, errlen, "vmlinux: not a little-endian x86-64 "
			       "ELF64 file");
	if (eh->e_type != ET_EXEC)
		return lb_fail(err, errlen, "vmlinux: ELF type %u is not ET_EXEC",
			       eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > PVH_MAX_PHDRS)
		return lb_fail(err, errlen, "vmlinux: %u program headers of %u "
			       "bytes (1 to %u of %zu expected)", eh->e_phnum,
			       eh->e_phentsize, PVH_MAX_PHDRS, sizeof(Elf64_Phdr));
	if (!within(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr),
		    len))
		return lb_fail(err, errlen, "vmlinux: program headers lie beyond "
			       "the end of the file");
	return 0;
}

/* Walk the notes of one PT_NOTE segment (ELF gABI: namesz, descsz, type,
 * then name and desc, each padded to the segment's 4- or 8-byte
 * alignment) for Xen's PHYS32_ENTRY note. */
static int scan_notes(const uint8_t *f, const Elf64_Phdr *ph,
		      struct pvh_plan *p, char *err, size_t errlen)
{
	uint64_t pad = ph->p_align == 8 ? 8 : 4;
	uint64_t off = ph->p_offset, end = ph->p_offset + ph->p_filesz;

	while (end - off >= 12) {
		uint64_t namesz = lb_le32(f + off), descsz = lb_le32(f + off + 4);
		uint32_t type = lb_le32(f + off + 8);
		uint64_t name = off + 12;
		uint64_t desc = name + align_up(namesz, pad);
		uint64_t next = desc + align_up(descsz, pad);

		/* Sizes are 32-bit, so none of this wraps; check the bounds. */
		if (next > end)
			return lb_fail(err, errlen, "vmlinux: ELF note at 0x%llx runs "
				       "past its segment", (unsigned long long)off);
		if (namesz == 4 && memcmp(f + name, "Xen", 4) == 0 &&
		    type == PVH_NOTE_PHYS32_ENTRY) {
			if (descsz == 4)
				p->entry = lb_le32(f + desc);
			else if (descsz == 8)
				p->entry = lb_le64(f + desc);
			else
				return lb_fail(err, errlen, "vmlinux: PVH entry note "
					       "has a %llu-byte value",
					       (unsigned long long)descsz);
			if (p->entry == 0 || p->entry > UINT32_MAX)
				return lb_fail(err, errlen, "vmlinux: PVH entry "
					       "0x%llx is not a 32-bit address",
					       (unsigned long long)p->entry);
		}
		off = next;
	}
	return 0;
}

static int check_load(const struct memmap *map, const Elf64_Phdr *ph,
		      unsigned i, size_t len, struct pvh_plan *p, char *err,
		      size_t errlen)
{
	if (ph->p_filesz > ph->p_memsz)
		return lb_fail(err, errlen, "vmlinux: segment %u: file size "
			       "exceeds memory size", i);
	if (!within(ph->p_offset, ph->p_filesz, len))
		return lb_fail(err, errlen, "vmlinux: segment %u lies beyond the "
			       "end of the file", i);
	if (!lb_in_low_ram(map, ph->p_paddr, ph->p_memsz))
		return lb_fail(err, errlen, "vmlinux: segment %u at physical "
			       "[0x%llx, +0x%llx) is not inside RAM [0x%llx, "
			       "0x%llx)", i, (unsigned long long)ph->p_paddr,
			       (unsigned long long)ph->p_memsz,
			       (unsigned long long)LINUX_BOOT_LOAD_MIN,
			       (unsigned long long)lb_low_ram_end(map));
	for (unsigned j = 0; j < p->nr_load; j++) {
		const Elf64_Phdr *o = &p->load[j];
		if (ph->p_paddr < o->p_paddr + o->p_memsz &&
		    o->p_paddr < ph->p_paddr + ph->p_memsz)
			return lb_fail(err, errlen, "vmlinux: segment %u overlaps "
				       "the one at 0x%llx", i,
				       (unsigned long long)o->p_paddr);
	}
	p->load[p->nr_load++] = *ph;
	if (ph->p_paddr < p->lo)
		p->lo = ph->p_paddr;
	if (ph->p_paddr + ph->p_memsz > p->hi)
		p->hi = ph->p_paddr + ph->p_memsz;
	return 0;
}

static int plan(const uint8_t *f, size_t len, const struct memmap *map,
		struct pvh_plan *p, char *err, size_t errlen)
{
	Elf64_Ehdr eh;

	if (len < sizeof(eh))
		return lb_fail(err, errlen, "vmlinux: truncated ELF header");
	memcpy(&eh, f, sizeof(eh));
	if (check_ehdr(&eh, len, err, errlen) < 0)
		return -1;

	*p = (struct pvh_plan){ .lo = UINT64_MAX };
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, f + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_NOTE) {
			if (!within(ph.p_offset, ph.p_filesz, len))
				return lb_fail(err, errlen, "vmlinux: note segment "
					       "%u lies beyond the end of the file",
					       i);
			if (scan_notes(f, &ph, p, err, errlen) < 0)
				return -1;
		} else if (ph.p_type == PT_LOAD && ph.p_memsz) {
			if (check_load(map, &ph, i, len, p, err, errlen) < 0)
				return -1;
		}
	}
	if (p->nr_load == 0)
		return lb_fail(err, errlen, "vmlinux: no loadable segments");
	if (!p->entry)
		return lb_fail(err, errlen, "vmlinux: no PVH entry point (no Xen "
			       "ELF note XEN_ELFNOTE_PHYS32_ENTRY; build with "
			       "CONFIG_PVH=y)");
	for (unsigned j = 0; j < p->nr_load; j++) {
		const Elf64_Phdr *ph = &p->load[j];
		if ((ph->p_flags & PF_X) && p->entry >= ph->p_paddr &&
		    p->entry - ph->p_paddr < ph->p_filesz)
			return 0;
	}
	return lb_fail(err, errlen, "vmlinux: PVH entry 0x%llx is not inside "
		       "the file bytes of an executable segment",
		       (unsigned long long)p->entry);
}

static int write_start_info(const struct guest_mem *mem,
			    const struct e820_map *e820,
			    const struct linux_boot_args *a,
			    uint64_t initrd_base, char *err, size_t errlen)
{
	uint8_t *si = guest_mem_ptr(mem, LINUX_BOOT_START_INFO, LB_PAGE);
	uint8_t *mm = guest_mem_ptr(mem, LINUX_BOOT_PVH_MEMMAP, LB_PAGE);

	if (!si || !mm)
		return lb_fail(err, errlen, "guest RAM does not cover the PVH "
			       "start info");
	memset(si, 0, LB_PAGE);
	memset(mm, 0, LB_PAGE);

	lb_put32(si + SI_MAGIC, PVH_START_MAGIC);
	lb_put32(si + SI_VERSION, PVH_START_VERSION);
	lb_put32(si + SI_FLAGS, 0);
	lb_put64(si + SI_CMDLINE_PADDR, LINUX_BOOT_CMDLINE);
	lb_put64(si + SI_RSDP_PADDR, a->rsdp);
	lb_put64(si + SI_MEMMAP_PADDR, LINUX_BOOT_PVH_MEMMAP);
	lb_put32(si + SI_MEMMAP_ENTRIES, e820->nr);
	if (a->initrd_len) {
		uint8_t *mod = si + MODLIST_OFFSET;
		lb_put32(si + SI_NR_MODULES, 1);
		lb_put64(si + SI_MODLIST_PADDR,
			 LINUX_BOOT_START_INFO + MODLIST_OFFSET);
		lb_put64(mod, initrd_base);
		lb_put64(mod + 8, a->initrd_len);
		lb_put64(mod + 16, 0);               /* no module command line */
	}
	for (unsigned i = 0; i < e820->nr; i++) {
		uint8_t *e = mm + i * MEMMAP_ENTRY_SIZE;
		lb_put64(e, e820->entry[i].addr);
		lb_put64(e + 8, e820->entry[i].size);
		lb_put32(e + 16, e820->entry[i].type);
	}
	return 0;
}

int linux_pvh_load(const struct guest_mem *mem, const struct memmap *map,
		   const struct e820_map *e820, const struct linux_boot_args *a,
		   struct linux_image *out, char *err, size_t errlen)
{
	const uint8_t *f = a->kernel;
	struct pvh_plan p = { .lo = UINT64_MAX };
	uint64_t initrd_base = 0;

	if (plan(f, a->kernel_len, map, &p, err, errlen) < 0)
		return -1;
	if (lb_cmdline_len(a->cmdline, LINUX_BOOT_CMDLINE_MAX, err, errlen) < 0)
		return -1;
	if (a->initrd_len &&
	    lb_place_initrd(map, a->initrd_len, align_up(p.hi, LB_PAGE), 0,
			    &initrd_base, err, errlen) < 0)
		return -1;
	if (e820->nr > MEMMAP_MAX_ENTRIES)
		return lb_fail(err, errlen, "too many E820 entries for PVH");

	for (unsigned j = 0; j < p.nr_load; j++) {
		const Elf64_Phdr *ph = &p.load[j];
		uint8_t *dst = guest_mem_ptr(mem, ph->p_paddr, ph->p_memsz);
		if (!dst)
			return lb_fail(err, errlen, "vmlinux: segment at 0x%llx is "
				       "not in guest RAM",
				       (unsigned long long)ph->p_paddr);
		memcpy(dst, f + ph->p_offset, ph->p_filesz);
		memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
	}
	if (write_start_info(mem, e820, a, initrd_base, err, errlen) < 0 ||
	    lb_write_cmdline_initrd(mem, a, initrd_base, err, errlen) < 0)
		return -1;

	*out = (struct linux_image){
		.kind = LINUX_ENTRY_PVH,
		.entry = p.entry,
		.boot_info = LINUX_BOOT_START_INFO,
		.kernel_base = p.lo,
		.kernel_end = p.hi,
		.initrd_base = initrd_base,
		.initrd_size = a->initrd_len,
	};
	return 0;
}
