package words_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/internal/words"
)

func TestSetClearRange(t *testing.T) {
	const nbits = 200
	for start := 0; start <= nbits; start += 7 {
		for n := -1; start+n <= nbits; n += 5 {
			set := make([]uint64, words.Len(nbits))
			cleared := make([]uint64, words.Len(nbits))
			for i := range cleared {
				cleared[i] = ^uint64(0)
			}
			words.SetRange(set, start, n)
			words.ClearRange(cleared, start, n)
			for i := range nbits {
				in := i >= start && i < start+n
				got := set[i/64]>>(i%64)&1 == 1
				require.Equal(t, in, got, "SetRange(%d, %d) bit %d", start, n, i)
				got = cleared[i/64]>>(i%64)&1 == 1
				require.Equal(t, !in, got, "ClearRange(%d, %d) bit %d", start, n, i)
			}
		}
	}
}
