package oracle

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
)

// TestThrowRules asks the kernel where bpf_assert (an if and a bpf_throw)
// may stand in for the NULL check of a checked cast, and where not, with
// progs.Throw's fixed-design programs: docs/kernel-reference.md §7.6 and
// docs/design.md §6 quote these verdicts. A reference held at the throw,
// as the bitmap being cast is, is a leak; inside bpf_rcu_read_lock the
// throw is refused. Where nothing is held, or the only reference is the
// maybe-NULL result itself (the NULL branch drops it), the throw loads,
// and the programs run without throwing. Rejections are recorded in
// testdata/failure like the selftests'.
func TestThrowRules(t *testing.T) {
	o := Require(t)
	n := countComparisons(t)
	accepted, rejected := 0, 0
	for _, p := range progs.Throw(progs.Fixed, o.Target()) {
		t.Run(p.Name, func(t *testing.T) {
			if !p.Want.Accept {
				checkRejected(t, o, p, n)
				rejected++
				return
			}
			errVal, err := o.Run(p)
			require.NoError(t, err)
			require.Zero(t, errVal)
			accepted++
			*n++
		})
	}
	require.Equal(t, 2, accepted)
	require.Equal(t, 2, rejected)
}
