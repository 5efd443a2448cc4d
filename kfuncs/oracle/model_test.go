package oracle

import (
	"fmt"

	"github.com/bpfbitmap/prototype/internal/testutil"
)

// kmodel is the naive oracle the live kernel is checked against: the
// shared reference model of the kernel's cpumask code
// (testutil.Cpumask, which kfuncs' tests also use) on the topology the
// kernel reports.
type kmodel struct {
	t Topology
	// prev is this CPU's distribute_cpu_mask_prev.
	prev uint32
}

// apply runs fn on copies of masks (full storage each) and returns the
// return value and the masks afterwards. It panics where the model and the
// kernel's topology disagree on a width, or the model lacks fn: both are
// bugs of the test, not of what it checks.
func (m *kmodel) apply(fn kfunc, cpu uint32, src []byte, in [][]uint64) (uint64, [][]uint64) {
	c := testutil.NewCpumask(m.t.NrCPUIDs, m.t.NrCPUs)
	if c.S != m.t.SmallCpumaskBits || c.L != m.t.LargeCpumaskBits {
		panic(fmt.Sprintf("kmodel: model widths S=%d L=%d, the kernel's %+v", c.S, c.L, m.t))
	}
	c.Prev = m.prev
	out := make([][]uint64, len(in))
	for i, w := range in {
		out[i] = make([]uint64, m.t.Words())
		copy(out[i], w)
	}
	ret, err := c.Call(fn.String(), cpu, src, out)
	if err != nil {
		panic(err)
	}
	m.prev = c.Prev
	return ret, out
}

// The bit helpers the oracle's tests build their masks with, the model's.
var (
	bit          = testutil.Bit
	setBit       = testutil.SetBit
	words        = testutil.Words
	lastWordMask = testutil.LastWordMask
)
