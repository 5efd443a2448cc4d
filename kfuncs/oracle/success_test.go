package oracle

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
)

// TestSuccessPrograms loads and runs each cpumask_success.c program (from
// kfuncs/progs, fixed design); each must verify and leave err == 0, as the
// selftest runner asserts.
func TestSuccessPrograms(t *testing.T) {
	o := Require(t)
	n := countComparisons(t)
	for _, p := range progs.Success(progs.Fixed, o.Target()) {
		t.Run(p.Name, func(t *testing.T) {
			require.True(t, p.Want.Accept && p.Want.Run)
			errVal, err := o.Run(p)
			require.NoError(t, err, "%+v", err)
			require.Zero(t, errVal, "err set by %s", p.Name)
			*n++
		})
	}
}

// TestLoadRefusesGeneric checks the oracle does not pretend to load the
// proposal: the kernel has no bpf_bitmap kfuncs.
func TestLoadRefusesGeneric(t *testing.T) {
	o := Require(t)
	_, err := o.Load(progs.Success(progs.Generic, o.Target())[0])
	require.ErrorIs(t, err, ErrInvalidInput)
}

// TestKernelTarget checks the Target the oracle builds programs for is the
// one progs reads for the running kernel, and that the kernel honours
// exactly Target.KptrFieldsMax kptr fields per map value (BTF_FIELDS_MAX;
// the selftests hard-code it as CPUMASK_KPTR_FIELDS_MAX). Map creation
// cannot tell: past the limit the kernel refuses the BTF and cilium/ebpf,
// like libbpf, silently retries without it. So each size is probed by
// whether a bpf_kptr_xchg into the last slot verifies.
func TestKernelTarget(t *testing.T) {
	o := Require(t)
	n := countComparisons(t)
	tg, err := progs.KernelTarget()
	require.NoError(t, err)
	require.Equal(t, tg, o.Target())
	require.Equal(t, o.Topology().Words(), tg.CpumaskWords)
	*n++
	for _, size := range []int{tg.KptrFieldsMax, tg.KptrFieldsMax + 1} {
		p := progs.KptrFieldsProbe(tg, size)
		prog, err := o.Load(p)
		if p.Want.Accept {
			require.NoError(t, err, "%d kptr fields", size)
			require.NoError(t, prog.Close())
		} else {
			require.Error(t, err, "%d kptr fields", size)
		}
		*n++
	}
}
