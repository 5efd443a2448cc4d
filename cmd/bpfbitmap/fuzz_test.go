package main

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/internal/testutil"
	"github.com/stretchr/testify/require"
)

// roundTripSizes are the widths the deterministic round trip covers: every
// size up to three words, then both sides of each word, chunk and class
// boundary that matters (CPU_SETSIZE 1024, NR_CPUS 8192, KernelMaxBits).
func roundTripSizes() []int {
	var sizes []int
	for n := range 3*64 + 2 {
		sizes = append(sizes, n)
	}
	for _, n := range []int{255, 256, 257, 511, 512, 513, 1023, 1024, 1025, 4095, 4096, 4097, 8191, 8192, 8193,
		bpfbitmap.KernelMaxBits - 1, bpfbitmap.KernelMaxBits, bpfbitmap.KernelMaxBits + 1, 65536} {
		sizes = append(sizes, n)
	}
	return sizes
}

// fill sets bits of b from pattern, repeated over b's length: runs of every
// length the pattern has, at every alignment.
func fill(b *bpfbitmap.Bitmap, pattern []byte) {
	if len(pattern) == 0 {
		return
	}
	for i := range b.Len() {
		if pattern[i/8%len(pattern)]>>(i%8)&1 != 0 {
			b.NonAtomicSet(i)
		}
	}
}

// checkRoundTrip requires that b survives FormatList→ParseList and
// FormatHex→ParseHex unchanged, that formatting is stable, and that the
// convert command maps one form to the other.
func checkRoundTrip(t *testing.T, b *bpfbitmap.Bitmap) {
	t.Helper()
	n := b.Len()
	list, hex := b.FormatList(), b.FormatHex()
	for _, form := range []struct {
		name  string
		text  string
		parse func(string, int) (*bpfbitmap.Bitmap, error)
		fmt   func(*bpfbitmap.Bitmap) string
	}{
		{"list", list, bpfbitmap.ParseList, (*bpfbitmap.Bitmap).FormatList},
		{"hex", hex, bpfbitmap.ParseHex, (*bpfbitmap.Bitmap).FormatHex},
	} {
		c, err := form.parse(form.text, n)
		require.NoError(t, err, "Parse%s(Format%s(b), %d) with text %.80q", form.name, form.name, n, form.text)
		eq := c.Equal(b)
		again := form.fmt(c)
		c.Release()
		require.True(t, eq, "Parse%s(%.80q, %d) != b", form.name, form.text, n)
		require.Equal(t, form.text, again, "Format%s(Parse%s(s)) != s at %d bits", form.name, form.name, n)
	}
	if n > 0 {
		first := n % 32
		if first == 0 {
			first = 32
		}
		require.Len(t, hex, (n+31)/32*9-1-(32-first)/4, "FormatHex length at %d bits", n)
	}

	toHex := converter{from: "list", to: "hex", nbits: n}.convert(list)
	require.Empty(t, toHex.Error)
	require.Equal(t, hex, toHex.Output, "convert --to hex %.80q", list)
	toList := converter{from: "hex", to: "list", nbits: n}.convert(hex)
	require.Empty(t, toList.Error)
	require.Equal(t, list, toList.Output, "convert --to list %.80q", hex)
	require.Equal(t, b.Weight(), toList.Weight)
}

func TestRoundTripSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(testutil.Seed(t), 2))
	before := bpfbitmap.Default().Stats().Live
	for _, n := range roundTripSizes() {
		t.Run(fmt.Sprintf("bits=%d", n), func(t *testing.T) {
			patterns := [][]byte{nil, {0xff}, {0x55}, {0x01, 0, 0, 0, 0, 0, 0, 0x80}, {0xf0, 0x0f}}
			for range 3 {
				p := make([]byte, 1+rng.IntN(64))
				for i := range p {
					p[i] = byte(rng.Uint32())
				}
				patterns = append(patterns, p)
			}
			for _, p := range patterns {
				b := bpfbitmap.MustNew(n)
				fill(b, p)
				checkRoundTrip(t, b)
				b.Release()
			}
		})
	}
	require.Equal(t, before, bpfbitmap.Default().Stats().Live, "leaked Bitmaps")
}

// FuzzFormatRoundTrip builds a bitmap of any size up to 65535 bits from a
// repeated bit pattern and checks that both text forms round-trip.
func FuzzFormatRoundTrip(f *testing.F) {
	for _, n := range roundTripSizes() {
		f.Add([]byte{0xa5, 0x0f}, uint16(min(n, 65535)))
	}
	f.Add([]byte{}, uint16(0))
	f.Add([]byte{0xff}, uint16(1))
	f.Fuzz(func(t *testing.T, pattern []byte, size uint16) {
		b, err := bpfbitmap.New(int(size))
		require.NoError(t, err)
		defer b.Release()
		fill(b, pattern)
		checkRoundTrip(t, b)
	})
}
