// SPDX-License-Identifier: GPL-2.0
/*
 * insn-count.c - a QEMU TCG plugin that counts the guest's instructions and
 * writes the running total each time the guest runs the phase mark of
 * Sources/CPGM/include/cpgm_insn.h (pgm-perf and opgm-perf run it at each
 * phase's start and end).  make perf-insn loads it:
 *
 *   qemu-system-x86_64 ... -plugin build/perf/insn-count.so,out=FILE
 *
 * FILE gets one line per mark: "<mark number> <instructions so far>".
 * The count is of every vCPU (kernel and user, all processes): a
 * benchmark's per-message figure is (end - start) / messages.
 *
 * With hist=DIR as well, each mark also writes DIR/mark-<number>: the
 * instructions executed since the previous mark by the translated blocks
 * of each start address, "<address in hex> <instructions>", for
 * scripts/insn-profile to sum by kernel symbol.
 *
 * Instructions are counted per translated block as it starts (a block cut
 * short by an interrupt or a fault is counted whole: a few instructions in
 * millions), on a counter per vCPU, so that vCPUs running in parallel never
 * lose an update.
 *
 * QEMU's plugin API is a C ABI; the few of its declarations this needs are
 * written out below (QEMU 7.2, API version 1), since Debian ships the
 * loader but not its header.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The plugin API's declarations used here (qemu-plugin.h, API version 1). */
typedef uint64_t qemu_plugin_id_t;
struct qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

#define MAX_VCPUS	64

/* The mark: nopl 0x694d4750(%eax,%eax,1). */
static const unsigned char mark[8] = { 0x0f, 0x1f, 0x84, 0x00, 0x50, 0x47, 0x4d, 0x69 };

/* One counter per vCPU, each on its own cache line, written by its vCPU only. */
static struct {
	uint64_t n;
	char pad[56];
} count[MAX_VCPUS];

static FILE *out;
static uint64_t marks;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * hist=DIR: one record per translated block (a block translated again gets
 * another), counted atomically by whichever vCPU runs it; @seen is what the
 * last mark wrote out.  Records are never freed (a run translates some
 * hundred thousand blocks).
 */
struct block {
	uint64_t vaddr;
	uint64_t insns;
	uint64_t runs;
	uint64_t seen;
	struct block *next;
};
static const char *hist_dir;
static struct block *blocks;
static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;

uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

static void block_exec(unsigned int vcpu, void *udata)
{
	struct block *b = udata;

	if (vcpu < MAX_VCPUS)
		count[vcpu].n += b->insns;
	__atomic_fetch_add(&b->runs, 1, __ATOMIC_RELAXED);
}

/* Under out_lock: the blocks' instructions since the last mark. */
static void hist_write(uint64_t mark_no)
{
	char path[4096];
	struct block *b;
	FILE *f;

	snprintf(path, sizeof(path), "%s/mark-%" PRIu64, hist_dir, mark_no);
	f = fopen(path, "w");
	pthread_mutex_lock(&blocks_lock);
	for (b = blocks; b; b = b->next) {
		uint64_t runs = __atomic_load_n(&b->runs, __ATOMIC_RELAXED);

		if (runs != b->seen && f)
			fprintf(f, "%" PRIx64 " %" PRIu64 "\n", b->vaddr, (runs - b->seen) * b->insns);
		b->seen = runs;
	}
	pthread_mutex_unlock(&blocks_lock);
	if (f)
		fclose(f);
}

static void tb_exec(unsigned int vcpu, void *udata)
{
	if (vcpu < MAX_VCPUS)
		count[vcpu].n += (uintptr_t)udata;
}

static void mark_exec(unsigned int vcpu, void *udata)
{
	uint64_t total = 0;

	(void)vcpu;
	(void)udata;
	for (int i = 0; i < MAX_VCPUS; i++)
		total += __atomic_load_n(&count[i].n, __ATOMIC_RELAXED);
	pthread_mutex_lock(&out_lock);
	if (hist_dir)
		hist_write(marks);
	fprintf(out, "%" PRIu64 " %" PRIu64 "\n", marks++, total);
	fflush(out);
	pthread_mutex_unlock(&out_lock);
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	if (hist_dir) {
		struct block *b = calloc(1, sizeof(*b));

		if (b) {
			b->vaddr = qemu_plugin_tb_vaddr(tb);
			b->insns = n;
			pthread_mutex_lock(&blocks_lock);
			b->next = blocks;
			blocks = b;
			pthread_mutex_unlock(&blocks_lock);
			qemu_plugin_register_vcpu_tb_exec_cb(tb, block_exec, QEMU_PLUGIN_CB_NO_REGS, b);
		} else {
			qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)n);
		}
	} else {
		qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)n);
	}
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (qemu_plugin_insn_size(insn) == sizeof(mark) &&
		    !memcmp(qemu_plugin_insn_data(insn), mark, sizeof(mark)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, mark_exec, QEMU_PLUGIN_CB_NO_REGS, NULL);
	}
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	fclose(out);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info, int argc, char **argv)
{
	const char *path = NULL;

	(void)info;
	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
		else if (!strncmp(argv[i], "hist=", 5))
			hist_dir = argv[i] + 5;
	if (!path) {
		fprintf(stderr, "insn-count: give out=FILE\n");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
