// Package table is checked with kfuncs.Kfuncs as it is and with
// BitmapCreate's KF_RET_NULL taken away: only the flag decides.
package table

import (
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

func unchecked(k *cast.Kernel) {
	b := kfuncs.BitmapCreate(k, 8)
	kfuncs.BitmapSetBit(1, b)
	kfuncs.BitmapRelease(b)
}
