package doc

import (
	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/kfuncs"
)

func firstCPU(b *bpfbitmap.Bitmap) uint32 {
	m := kfuncs.BitmapCastToCpumask(b)      // nil unless b has nr_cpu_ids bits
	return kfuncs.CpumaskFirst(m.Cpumask()) // want `possibly nil: BitmapCastToCpumask's result`
}
