package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bpfbitmap/prototype/bench"
)

const fixture = `
struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
static __always_inline const struct cpumask *cast_mask(struct bpf_cpumask *mask)
{
	return (const struct cpumask *)mask;
}
#define bpf_assert(cond) if (!(cond)) bpf_throw(0);
#define bpf_assert_with(cond, value) \
	if (!(cond)) bpf_throw(value);
int scx_bitmap_and(scx_bitmap_t dst, scx_bitmap_t a, scx_bitmap_t b);

/* bpf_cpumask_create(); cast_mask(x); in a comment */
int plain(struct task_ctx *tctx)
{
	const char *s = "bpf_cpumask_first(";
	bpf_cpumask_set_cpu(0, tctx->mask);
	if (bpf_cpumask_empty(cast_mask(tctx->mask)))
		return 0;
	return bpf_cpumask_first(cast_mask( tctx->mask ));
}

int locked(struct cpu_ctx *c)
{
	bpf_rcu_read_lock();
	bpf_cpumask_test_cpu(0, cast_mask(c->llc));
	bpf_rcu_read_unlock();
	return bpf_cpumask_weight(cast_mask(c->other));
}

int owner(void)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	if (!m)
		return 0;
	bpf_cpumask_and(m, cast_mask(m), cast_mask(m));
	scx_bitmap_and(a, b, c);
	bpf_assert(m != 0);
	bpf_cpumask_release(m);
	return 0;
}
`

func TestCountFile(t *testing.T) {
	assert.Equal(t, bench.ScxRow{
		Files:          1,
		CreateSites:    1, // the declaration and the comment do not count
		CpumaskCalls:   8, // set_cpu, empty, first, test_cpu, weight, create, and, release
		CastMask:       6,
		ExplicitCasts:  1,
		BitmapCalls:    1, // the prototype does not count
		AssertUses:     1,
		AssertInMacros: 2,
		InRCU:          1, // c->llc
		AfterAcquire:   2, // the two casts of m after bpf_cpumask_create
		AssertAllowed:  3, // plain's two and c->other after the unlock
		Masks:          4, // tctx->mask; c->llc and c->other; m
	}, countFile(fixture))
}

func TestIsBPFSource(t *testing.T) {
	for path, want := range map[string]bool{
		"scheds/rust/scx_lavd/src/bpf/idle.bpf.c": true,
		"scheds/rust/scx_lavd/src/bpf/lavd.bpf.h": true,
		"scheds/include/scx/common.bpf.h":         true,
		"scheds/include/lib/cpumask.h":            true,
		"lib/sdt_task_defs.h":                     true,
		"scheds/vmlinux/arch/x86/vmlinux.h":       false,
		"scheds/c/scx_simple.c":                   false,
		"scheds/rust/scx_lavd/src/main.rs":        false,
		"scheds/rust/scx_mitosis/src/bpf/intf.h":  true,
	} {
		assert.Equal(t, want, isBPFSource(path), path)
	}
	assert.Equal(t, "scx_lavd", group("scheds/rust/scx_lavd/src/bpf/idle.bpf.c"))
	assert.Equal(t, "scx_simple", group("scheds/c/scx_simple.bpf.c"))
	assert.Equal(t, "scheds/include", group("scheds/include/scx/common.bpf.h"))
	assert.Equal(t, "lib", group("lib/bitmap.bpf.c"))
}
