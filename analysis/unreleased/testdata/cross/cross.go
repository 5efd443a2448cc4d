package cross

import (
	"example.com/unreleased/helpers"

	"github.com/bpfbitmap/prototype/cast"
)

func leaks(k *cast.Kernel) uint32 {
	m := helpers.NewMask(k) // want `unreleased reference: NewMask's result`
	if m == nil {
		return 0
	}
	return helpers.Weight(m)
}

func releases(k *cast.Kernel) uint32 {
	m := helpers.NewMask(k)
	if m == nil {
		return 0
	}
	defer helpers.Drop(m)
	return helpers.Weight(m)
}
