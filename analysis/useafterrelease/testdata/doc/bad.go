package doc

import (
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

func weight(k *cast.Kernel) uint32 {
	b := kfuncs.BitmapCreate(k, int32(k.Topology().NrCPUIDs()))
	if b == nil {
		return 0
	}
	m := kfuncs.BitmapCastToCpumask(b)
	kfuncs.BitmapRelease(b)
	if m == nil {
		return 0
	}
	return kfuncs.CpumaskWeight(m.Cpumask()) // want `use after release: .* through a cast view`
}
