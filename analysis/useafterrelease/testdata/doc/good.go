package doc

import (
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

func weightHeld(k *cast.Kernel) uint32 {
	b := kfuncs.BitmapCreate(k, int32(k.Topology().NrCPUIDs()))
	if b == nil {
		return 0
	}
	defer kfuncs.BitmapRelease(b) // the view lives as long as b's reference
	m := kfuncs.BitmapCastToCpumask(b)
	if m == nil {
		return 0
	}
	return kfuncs.CpumaskWeight(m.Cpumask())
}
