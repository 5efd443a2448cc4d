package words

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCopyFromBytes(t *testing.T) {
	src := make([]byte, 24)
	for i := range src {
		src[i] = byte(i + 1)
	}
	for _, nbits := range []int{0, 1, 63, 64, 65, 128, 129, 192} {
		dst := []uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
		if 8*Len(nbits) > len(src) {
			continue
		}
		CopyFromBytes(dst, src, nbits)
		for i := range dst {
			want := ^uint64(0) // beyond Len(nbits): untouched
			if i < Len(nbits) {
				want = 0
				for j := 7; j >= 0; j-- {
					want = want<<8 | uint64(src[8*i+j])
				}
			}
			require.Equalf(t, want, dst[i], "CopyFromBytes(nbits=%d) word %d = %#x; want %#x", nbits, i, dst[i], want)
		}
	}
}
