// SPDX-License-Identifier: MIT
/*
 * Linux direct boot: format dispatch, the pieces both formats share
 * (command line, initrd placement, GDT, E820) and the boot processor's
 * registers (see vmm/linux_boot.h).
 */
#include "vmm/linux_boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/abi/platform_abi.h"
#include "vmm/boot.h"
#include "vmm/linux_boot_priv.h"

/* Largest kernel or initrd file read (a generous initramfs included). */
#define LINUX_MAX_FILE (1024ull << 20)

/* Intel SDM vol. 3 §3.4.5: flat 4 GiB segments, accessed bit preset. */
const uint64_t linux_boot_gdt[LINUX_BOOT_GDT_ENTRIES] = {
	0,
	/* 0x08: G=1 D=1 L=0, P=1 DPL=0 S=1 type 0xB (code, RX, A): 32-bit */
	0x00CF9B000000FFFFull,
	/* 0x10: G=1 D=0 L=1, P=1 DPL=0 S=1 type 0xB: 64-bit __BOOT_CS */
	0x00AF9B000000FFFFull,
	/* 0x18: G=1 B=1, P=1 DPL=0 S=1 type 0x3 (data, RW, A): __BOOT_DS */
	0x00CF93000000FFFFull,
	/* 0x20: TSS, base 0, limit 0x67, P=1 type 0xB (busy) */
	0x00008B0000000067ull,
	/* 0x28: upper half of the TSS descriptor in long mode (base 63:32) */
	0,
};

int lb_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

uint16_t lb_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

uint32_t lb_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint64_t lb_le64(const uint8_t *p)
{
	return lb_le32(p) | (uint64_t)lb_le32(p + 4) << 32;
}

void lb_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void lb_put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void lb_put64(uint8_t *p, uint64_t v)
{
	lb_put32(p, (uint32_t)v);
	lb_put32(p + 4, (uint32_t)(v >> 32));
}

uint64_t lb_low_ram_end(const struct memmap *map)
{
	return map->nr_ram && map->ram[0].base == 0 ? map->ram[0].size : 0;
}

bool lb_in_low_ram(const struct memmap *map, uint64_t base, uint64_t size)
{
	uint64_t end = lb_low_ram_end(map);

	return size != 0 && base >= LINUX_BOOT_LOAD_MIN && base < end &&
	       size <= end - base;
}

int lb_place_initrd(const struct memmap *map, uint64_t len, uint64_t floor,
		    uint64_t limit, uint64_t *base, char *err, size_t errlen)
{
	uint64_t top = lb_low_ram_end(map);

	if (limit && limit < top)
		top = limit;
	top &= ~(LB_PAGE - 1);
	if (floor < LINUX_BOOT_LOAD_MIN)
		floor = LINUX_BOOT_LOAD_MIN;
	if (len == 0 || len > top || ((top - len) & ~(LB_PAGE - 1)) < floor)
		return lb_fail(err, errlen,
			       "initrd of %llu bytes does not fit in RAM between "
			       "0x%llx (end of the kernel) and 0x%llx",
			       (unsigned long long)len, (unsigned long long)floor,
			       (unsigned long long)top);
	*base = (top - len) & ~(LB_PAGE - 1);
	return 0;
}

long lb_cmdline_len(const char *cmdline, size_t max_with_nul, char *err,
		    size_t errlen)
{
	size_t n = cmdline ? strnlen(cmdline, max_with_nul) : 0;

	if (n >= max_with_nul)
		return lb_fail(err, errlen,
			       "command line is longer than the %zu bytes this "
			       "kernel accepts", max_with_nul - 1);
	return (long)n;
}

int lb_write_cmdline_initrd(const struct guest_mem *mem,
			    const struct linux_boot_args *a,
			    uint64_t initrd_base, char *err, size_t errlen)
{
	const char *cmd = a->cmdline ? a->cmdline : "";

	if (guest_mem_write(mem, LINUX_BOOT_CMDLINE, cmd, strlen(cmd) + 1) < 0)
		return lb_fail(err, errlen, "guest RAM does not cover the command "
			       "line at 0x%llx",
			       (unsigned long long)LINUX_BOOT_CMDLINE);
	if (a->initrd_len &&
	    guest_mem_write(mem, initrd_base, a->initrd, a->initrd_len) < 0)
		return lb_fail(err, errlen, "initrd at 0x%llx is not in guest RAM",
			       (unsigned long long)initrd_base);
	return 0;
}

int linux_boot_load(const struct guest_mem *mem, const struct memmap *map,
		    const struct linux_boot_args *a, struct linux_image *out,
		    char *err, size_t errlen)
{
	struct e820_map e820;
	struct linux_image img = { .kind = LINUX_ENTRY_NONE };

	if (!mem || !map || !a || !a->kernel || !out)
		return lb_fail(err, errlen, "no kernel to load");
	if (a->initrd_len && !a->initrd)
		return lb_fail(err, errlen, "initrd length without data");
	if (e820_build(map, &e820, err, errlen) < 0)
		return -1;

	int rc;
	if (linux_pvh_detect(a->kernel, a->kernel_len))
		rc = linux_pvh_load(mem, map, &e820, a, &img, err, errlen);
	else if (linux_bzimage_detect(a->kernel, a->kernel_len))
		rc = linux_bzimage_load(mem, map, &e820, a, &img, err, errlen);
	else
		return lb_fail(err, errlen, "neither an ELF vmlinux nor a bzImage "
			       "(no ELF magic, no \"HdrS\" setup header)");
	if (rc < 0)
		return -1;

	if (guest_mem_write(mem, LINUX_BOOT_GDT, linux_boot_gdt,
			    sizeof(linux_boot_gdt)) < 0)
		return lb_fail(err, errlen, "guest RAM does not cover the GDT");
	/* The 64-bit entry runs with paging on: identity-map [0, 4 GiB),
	 * which holds the kernel, zero page and command line (boot.rst,
	 * "64-bit Boot Protocol"). */
	if (img.kind == LINUX_ENTRY_64 &&
	    boot_write_page_tables(mem, &map->high_mmio, err, errlen) < 0)
		return -1;
	*out = img;
	return 0;
}

/* ---- Files ----------------------------------------------------------------- */

static int read_whole(const char *what, const char *path, uint8_t **data,
		      size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return lb_fail(err, errlen, "%s '%s': %s", what, path,
			       strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > LINUX_MAX_FILE) {
		close(fd);
		return lb_fail(err, errlen, "%s '%s': not a regular file of 1 byte "
			       "to %llu MiB", what, path, LINUX_MAX_FILE >> 20);
	}
	size_t size = (size_t)st.st_size, got = 0;
	uint8_t *buf = malloc(size);
	if (!buf) {
		close(fd);
		return lb_fail(err, errlen, "%s '%s': out of memory", what, path);
	}
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			free(buf);
			close(fd);
			return lb_fail(err, errlen, "%s '%s': read failed: %s", what,
				       path, strerror(e));
		}
		got += (size_t)n;
	}
	close(fd);
	*data = buf;
	*len = size;
	return 0;
}

int linux_boot_load_files(const struct guest_mem *mem,
			  const struct memmap *map, const char *kernel_path,
			  const char *initrd_path, const char *cmdline,
			  uint64_t rsdp, struct linux_image *out, char *err,
			  size_t errlen)
{
	return linux_boot_load_files_fb(mem, map, kernel_path, initrd_path,
					cmdline, rsdp, 0, out, err, errlen);
}

int linux_files_read(struct linux_files *f, const char *kernel_path,
		     const char *initrd_path, char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	if (!kernel_path)
		return lb_fail(err, errlen, "no Linux kernel given");
	if (read_whole("kernel", kernel_path, &f->kernel, &f->kernel_len, err,
		       errlen) < 0)
		return -1;
	if (initrd_path && read_whole("initrd", initrd_path, &f->initrd,
				      &f->initrd_len, err, errlen) < 0) {
		linux_files_free(f);
		return -1;
	}
	return 0;
}

void linux_files_free(struct linux_files *f)
{
	free(f->kernel);
	free(f->initrd);
	memset(f, 0, sizeof(*f));
}

int linux_boot_load_files_fb(const struct guest_mem *mem,
			     const struct memmap *map, const char *kernel_path,
			     const char *initrd_path, const char *cmdline,
			     uint64_t rsdp, uint64_t fb_base,
			     struct linux_image *out, char *err, size_t errlen)
{
	struct linux_files f;

	if (linux_files_read(&f, kernel_path, initrd_path, err, errlen) < 0)
		return -1;

	struct linux_boot_args a = {
		.kernel = f.kernel, .kernel_len = f.kernel_len,
		.initrd = f.initrd, .initrd_len = f.initrd_len,
		.cmdline = cmdline, .rsdp = rsdp, .fb_base = fb_base,
	};
	int rc = linux_boot_load(mem, map, &a, out, err, errlen);
	linux_files_free(&f);
	return rc;
}

/* ---- kdump ------------------------------------------------------------------ */

/* Does the command line hold a word starting with `prefix`? */
static bool has_word_prefix(const char *s, const char *prefix)
{
	for (const char *p = s; (p = strstr(p, prefix)) != NULL; p++)
		if (p == s || p[-1] == ' ')
			return true;
	return false;
}

int linux_kdump_cmdline(const char *first, char *out, size_t outlen)
{
	const char *base = first ? first : "";
	bool keep = has_word_prefix(base, "nr_cpus=");
	int n = snprintf(out, outlen, "%s%s%s", base,
			 keep || !*base ? "" : " ", keep ? "" : "nr_cpus=1");

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* ---- Registers ------------------------------------------------------------- */

static struct kvm_segment flat(uint16_t selector, uint8_t type, bool db,
			       bool l)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xFFFFFFFFu, .selector = selector,
		.type = type, .present = 1, .dpl = 0, .db = db, .s = 1,
		.l = l, .g = 1,
	};
}

void linux_boot_set_sregs(struct kvm_sregs *s, const struct linux_image *img)
{
	bool pvh = img->kind == LINUX_ENTRY_PVH;
	struct kvm_segment data = flat(LINUX_BOOT_DS, 0x3, true, false);

	if (pvh)
		s->cs = flat(LINUX_BOOT_CS32, 0xB, true, false);
	else
		s->cs = flat(LINUX_BOOT_CS64, 0xB, false, true);
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	/* PVH: "tr: a 32-bit TSS (active) with a base of 0 and a limit of
	 * 0x67"; the same descriptor is a valid busy TSS in long mode. */
	s->tr = (struct kvm_segment){
		.base = 0, .limit = 0x67, .selector = LINUX_BOOT_TSS,
		.type = 0xB, .present = 1, .s = 0,
	};
	s->gdt.base = LINUX_BOOT_GDT;
	s->gdt.limit = sizeof(linux_boot_gdt) - 1;
	s->idt.base = 0;
	s->idt.limit = 0;

	if (pvh) {
		/* "cr0: bit 0 (PE) must be set. All the other writeable bits
		 * are cleared. cr4: all bits are cleared." ET is hard-wired. */
		s->cr0 = BOOT_CR0_PE | BOOT_CR0_ET;
		s->cr3 = 0;
		s->cr4 = 0;
		s->efer = 0;
	} else {
		s->cr0 = BOOT_CR0_PE | BOOT_CR0_MP | BOOT_CR0_ET | BOOT_CR0_NE |
			 BOOT_CR0_WP | BOOT_CR0_PG;
		s->cr3 = KVMBUS_BOOT_PAGETABLES;
		s->cr4 = BOOT_CR4_PAE;
		s->efer = BOOT_EFER_LME | BOOT_EFER_LMA;
	}
}

/* PVH: EBX = start_info.  64-bit boot protocol: RSI = boot_params.
 * Both: interrupts off (IF, TF and VM clear; bit 1 is always set). */
void linux_boot_set_regs(struct kvm_regs *r, const struct linux_image *img)
{
	memset(r, 0, sizeof(*r));
	r->rip = img->entry;
	r->rflags = 0x2;
	r->rsp = LINUX_BOOT_STACK_TOP;
	if (img->kind == LINUX_ENTRY_PVH)
		r->rbx = img->boot_info;
	else
		r->rsi = img->boot_info;
}
