/* SPDX-License-Identifier: MIT */
/*
 * Booting an unmodified Linux kernel directly, without firmware, in one
 * of two ways chosen by the file's format:
 *
 *  - an ELF vmlinux through its PVH entry (the XEN_ELFNOTE_PHYS32_ENTRY
 *    note; xen/include/public/arch-x86/hvm/start_info.h and Linux
 *    arch/x86/platform/pvh/): 32-bit protected mode, paging off,
 *    EBX = struct hvm_start_info (version 1: command line, the initrd as
 *    module 0, the E820 map, the RSDP);
 *  - a bzImage through the x86 boot protocol's 64-bit entry (Linux
 *    Documentation/arch/x86/boot.rst, protocol 2.12 or later): long
 *    mode, identity-mapped, at the protected-mode kernel + 0x200,
 *    RSI = the zero page (struct boot_params, zero-page.rst) with the
 *    setup header, command line, initrd, E820 map and acpi_rsdp_addr.
 *
 * Only the boot processor starts at the entry point: Linux wakes the
 * others itself with INIT/SIPI, so they must stay in KVM's reset
 * (wait-for-SIPI) state.
 *
 * The kernel and initrd files are untrusted input: every size and offset
 * is checked against the file and against guest RAM before use.
 *
 * Low memory while booting Linux (all inside the E820 RAM below 0xA0000,
 * see firmware/e820.h; Linux copies what it needs before it allocates):
 */
#ifndef KVMBUS_LINUX_BOOT_H
#define KVMBUS_LINUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "firmware/memmap.h"
#include "vmm/guest_mem.h"

#define LINUX_BOOT_GDT           0x1000ull  /* LINUX_BOOT_GDT_ENTRIES */
#define LINUX_BOOT_ZERO_PAGE     0x2000ull  /* struct boot_params, 4 KiB */
#define LINUX_BOOT_START_INFO    0x3000ull  /* hvm_start_info + modlist */
#define LINUX_BOOT_PVH_MEMMAP    0x4000ull  /* hvm_memmap_table_entry[] */
#define LINUX_BOOT_CMDLINE       0x5000ull
/* Longest command line, NUL included: x86 COMMAND_LINE_SIZE. */
#define LINUX_BOOT_CMDLINE_MAX   2048u
/* A small stack for the first instructions: the 64-bit entry of a
 * bzImage pushes (to reload CS) before it sets up its own. */
#define LINUX_BOOT_STACK_TOP     0x8000ull
/* Boot page tables (bzImage only): KVMBUS_BOOT_PAGETABLES, vmm/boot.h. */
/* Kernels and initrds load at or above this. */
#define LINUX_BOOT_LOAD_MIN      0x100000ull

/* GDT selectors.  The 64-bit boot protocol requires __BOOT_CS = 0x10
 * and __BOOT_DS = 0x18; PVH leaves the selectors unspecified and uses
 * the 32-bit code segment at 0x08.  0x20 is the TSS that PVH asks TR to
 * hold (base 0, limit 0x67); its upper half at 0x28 makes it a valid
 * 16-byte descriptor in long mode too. */
#define LINUX_BOOT_CS32          0x08u
#define LINUX_BOOT_CS64          0x10u
#define LINUX_BOOT_DS            0x18u
#define LINUX_BOOT_TSS           0x20u
#define LINUX_BOOT_GDT_ENTRIES   6

/* hvm_start_info (start_info.h). */
#define PVH_START_MAGIC          0x336ec578u
#define PVH_START_VERSION        1
/* ELF note: name "Xen", type XEN_ELFNOTE_PHYS32_ENTRY (xen/elfnote.h). */
#define PVH_NOTE_PHYS32_ENTRY    18

enum linux_entry_kind {
	LINUX_ENTRY_NONE = 0,
	LINUX_ENTRY_PVH,              /* 32-bit protected mode, EBX */
	LINUX_ENTRY_64,               /* bzImage 64-bit entry, RSI */
};

/* What was loaded, and how the boot processor must start. */
struct linux_image {
	enum linux_entry_kind kind;
	uint64_t entry;               /* RIP */
	uint64_t boot_info;           /* start_info (EBX) or zero page (RSI) */
	uint64_t kernel_base;         /* guest-physical range the kernel */
	uint64_t kernel_end;          /*   occupies (bzImage: + init_size) */
	uint64_t initrd_base;         /* 0 = no initrd */
	uint64_t initrd_size;
	uint16_t protocol;            /* bzImage boot protocol; 0 for PVH */
};

struct linux_boot_args {
	const void *kernel;
	size_t kernel_len;
	const void *initrd;           /* NULL / 0: none */
	size_t initrd_len;
	const char *cmdline;          /* NULL: empty */
	uint64_t rsdp;                /* 0: none (the guest scans for it) */
	/* bzImage only: != 0 hands the kernel a framebuffer at this base
	 * the way UEFI does (vmm/linux_efi.h), so Linux takes its Gen2
	 * paths; 0: a BIOS-style boot, no framebuffer (as a kexec'd crash
	 * kernel gets it).  The PVH entry has no screen_info to carry it. */
	uint64_t fb_base;
};

/* Load a kernel (ELF vmlinux with a PVH note, or bzImage) and its boot
 * data into guest RAM, RAM bank 0 holding kernel and initrd.  Writes the
 * E820 map built from `map`, the command line, the GDT, and (bzImage)
 * the boot page tables.  0, or -1 with a one-line reason in err. */
int linux_boot_load(const struct guest_mem *mem, const struct memmap *map,
		    const struct linux_boot_args *a, struct linux_image *out,
		    char *err, size_t errlen);

/* The same from files; initrd_path may be NULL. */
int linux_boot_load_files(const struct guest_mem *mem,
			  const struct memmap *map, const char *kernel_path,
			  const char *initrd_path, const char *cmdline,
			  uint64_t rsdp, struct linux_image *out, char *err,
			  size_t errlen);
/* The same with a framebuffer base (linux_boot_args.fb_base). */
int linux_boot_load_files_fb(const struct guest_mem *mem,
			     const struct memmap *map, const char *kernel_path,
			     const char *initrd_path, const char *cmdline,
			     uint64_t rsdp, uint64_t fb_base,
			     struct linux_image *out, char *err, size_t errlen);

/* A kernel (and initrd) read into memory once, so that it can be loaded
 * again later without file I/O (the crash reboot of --boot kdump runs
 * under the sandbox, where open() is refused). */
struct linux_files {
	uint8_t *kernel;
	size_t kernel_len;
	uint8_t *initrd;              /* NULL / 0: none */
	size_t initrd_len;
};

/* Read the files; initrd_path may be NULL.  0, or -1 with a reason (and
 * nothing kept).  linux_files_free() releases them. */
int linux_files_read(struct linux_files *f, const char *kernel_path,
		     const char *initrd_path, char *err, size_t errlen);
void linux_files_free(struct linux_files *f);

/* The crash kernel's command line, as kdump builds it from the first
 * kernel's: `first` (NULL = empty) with " nr_cpus=1" appended unless it
 * already sets nr_cpus.  0, or -1 if it does not fit in outlen bytes. */
int linux_kdump_cmdline(const char *first, char *out, size_t outlen);

/* The boot processor's registers for the loaded image.  Pass the sregs
 * KVM_GET_SREGS returned: fields the entry does not define (APIC base,
 * LDTR, ...) are kept. */
void linux_boot_set_sregs(struct kvm_sregs *s, const struct linux_image *img);
void linux_boot_set_regs(struct kvm_regs *r, const struct linux_image *img);

/* The GDT written at LINUX_BOOT_GDT. */
extern const uint64_t linux_boot_gdt[LINUX_BOOT_GDT_ENTRIES];

#endif
