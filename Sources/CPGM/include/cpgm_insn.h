/*
 * cpgm_insn.h - a phase mark for instruction counting under QEMU.
 *
 * cpgm_insn_mark() is an eight-byte no-op (nopl with a fixed 32-bit
 * displacement, "PGMi") that Tests/perf/insn-count.c, a QEMU TCG plugin,
 * recognises when it translates guest code: each time the guest runs it,
 * the plugin writes the number of guest instructions executed so far.
 * pgm-perf and opgm-perf run it at the start and the end of each phase, so
 * a benchmark run under the plugin (make perf-insn) gives the instructions
 * the whole guest executed per message: a figure the emulator's timing
 * noise does not touch.  Anywhere else it costs what a nop costs.
 */
#ifndef CPGM_INSN_H
#define CPGM_INSN_H

static inline void cpgm_insn_mark(void)
{
#if defined(__x86_64__) || defined(__i386__)
	/* nopl 0x694d4750(%eax,%eax,1): 0f 1f 84 00, then "PGMi" */
	__asm__ volatile(".byte 0x0f, 0x1f, 0x84, 0x00, 0x50, 0x47, 0x4d, 0x69" ::: "memory");
#endif
}

#endif /* CPGM_INSN_H */
