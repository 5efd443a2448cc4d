// Package table is checked with kfuncs.Kfuncs as it is and with
// BitmapWeight given KF_RELEASE: only the flag decides.
package table

import (
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

func weightThenRelease(k *cast.Kernel) uint32 {
	b := kfuncs.BitmapCreate(k, 8)
	if b == nil {
		return 0
	}
	n := kfuncs.BitmapWeight(b)
	kfuncs.BitmapRelease(b)
	return n
}
