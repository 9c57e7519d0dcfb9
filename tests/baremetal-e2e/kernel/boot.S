/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Multiboot v1 entry of the baremetal-e2e test kernel: flat 32-bit
 * segments, a stack, and one 16-byte interrupt stub per vector so the
 * C side can count arrivals per vector.
 */

#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .bss
	.align 16
stack_bottom:
	.skip 65536
stack_top:

	.section .data
	.align 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: code, base 0, 4 GiB */
	.quad 0x00cf92000000ffff	/* 0x10: data, base 0, 4 GiB */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.section .text
	.global _start
_start:
	cli
	mov $stack_top, %esp
	fninit				/* the library's 64-bit atomics use x87 on i386 */
	lgdt gdt_desc
	ljmp $0x08, $1f
1:
	mov $0x10, %cx
	mov %cx, %ds
	mov %cx, %es
	mov %cx, %fs
	mov %cx, %gs
	mov %cx, %ss
	push %ebx			/* multiboot info */
	push %eax			/* multiboot magic */
	call kmain
2:
	cli
	hlt
	jmp 2b

/*
 * Application processor start-up: smp.c copies ap_tramp_start..ap_tramp_end
 * to AP_TRAMP_BASE (the SIPI vector page), where the AP starts in real
 * mode. It loads a flat GDT kept inside the copy, enters protected mode and
 * jumps to ap_entry32 at its linked address.
 */
#define AP_TRAMP_BASE 0x8000
#define TRAMP(sym) (AP_TRAMP_BASE + ((sym) - ap_tramp_start))

	.code16
	.global ap_tramp_start, ap_tramp_end
ap_tramp_start:
	cli
	cld
	xor %ax, %ax
	mov %ax, %ds
	lgdtl TRAMP(ap_gdt_desc)
	mov %cr0, %eax
	or $1, %eax
	mov %eax, %cr0
	ljmpl $0x08, $ap_entry32
	.align 8
ap_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff
	.quad 0x00cf92000000ffff
ap_gdt_desc:
	.word 23
	.long TRAMP(ap_gdt)
ap_tramp_end:

	.code32
ap_entry32:
	mov $0x10, %cx
	mov %cx, %ds
	mov %cx, %es
	mov %cx, %fs
	mov %cx, %gs
	mov %cx, %ss
	lgdt gdt_desc			/* the BSP's table, now reachable */
	ljmp $0x08, $3f
3:
	mov ap_stack_top, %esp
	fninit
	call ap_main
4:
	cli
	hlt
	jmp 4b

/*
 * Stubs: vectors with a CPU error code leave it on the stack, every other
 * vector pushes a zero in its place; then the vector number. Each stub is
 * aligned to 16 bytes: stub n sits at isr_stubs + 16 * n.
 */
	.align 16
	.global isr_stubs
isr_stubs:
	.set vec, 0
	.rept 256
	.align 16
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushl $0
	.endif
	pushl $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

isr_common:
	pusha
	cld
	push %esp			/* struct isr_frame * */
	call isr_dispatch
	add $4, %esp
	popa
	add $8, %esp			/* vector and error code */
	iret

	.section .note.GNU-stack, "", @progbits
