package words_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/internal/words"
)

// fill writes data over w byte by byte, repeated to the end (zeros if data is
// empty), so that short fuzz inputs still make long bitmaps.
func fill(w []uint64, data []byte) {
	for i := range w {
		w[i] = 0
		for j := range 8 {
			if len(data) > 0 {
				w[i] |= uint64(data[(8*i+j)%len(data)]) << (8 * j)
			}
		}
	}
}

// FuzzWords runs every bulk function in every implementation this CPU has on
// one pair of inputs and requires the pure-Go answer from each: nbits up to
// maxImplWords words, the slices starting off a 64-byte line by off words,
// the contents repeated from the fuzz data (so long runs of zero or all-ones
// words, where the searches scan, are one byte away), and flip toggles one
// bit of b (past nbits it must be ignored).
func FuzzWords(f *testing.F) {
	f.Add(uint16(8192), uint8(0), []byte{0}, []byte{0}, uint16(8191))
	f.Add(uint16(8191), uint8(3), []byte{0xff}, []byte{0xff}, uint16(100))
	f.Add(uint16(1000), uint8(1), []byte{1, 2, 3}, []byte{1, 2, 3}, uint16(65535))
	f.Add(uint16(513), uint8(7), []byte{0x55}, []byte{0xaa}, uint16(512))
	f.Add(uint16(0), uint8(0), []byte{}, []byte{}, uint16(0))
	f.Fuzz(func(t *testing.T, nb uint16, off uint8, ad, bd []byte, flip uint16) {
		nbits := int(nb) % (64*maxImplWords + 1)
		nw := words.Len(nbits)
		o := int(off % 8)
		a, b, d := layout{make([]uint64, 2*guardWords+o+nw), guardWords + o, nw}, layout{make([]uint64, 2*guardWords+o+nw), guardWords + o, nw}, layout{make([]uint64, 2*guardWords+o+nw), guardWords + o, nw}
		fill(a.words(), ad)
		fill(b.words(), bd)
		fill(d.words(), bd)
		if p := int(flip); p < 64*nw {
			b.words()[p/64] ^= 1 << (p % 64)
		}
		starts := []int{0, 1, nbits / 2, nbits - 1, nbits}
		names := words.Impls()
		var want results
		words.WithImpl(t, names[0], func() { want = run(a, b, d, nbits, starts) })
		for _, name := range names[1:] {
			var got results
			words.WithImpl(t, name, func() { got = run(a, b, d, nbits, starts) })
			require.Equal(t, want, got, "%s against %s at nbits %d, offset %d", name, names[0], nbits, o)
		}
	})
}
