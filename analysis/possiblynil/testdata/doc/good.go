package doc

import (
	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

func firstCPUChecked(b *bpfbitmap.Bitmap) uint32 {
	m := kfuncs.BitmapCastToCpumask(b)
	if m == nil { // the cast's NULL check
		return cast.NotFound
	}
	return kfuncs.CpumaskFirst(m.Cpumask())
}
