package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/stretchr/testify/assert"
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

// testSeed returns the seed for random inputs: TEST_SEED if set, else a
// fixed one, logged either way so that a failure can be replayed.
func testSeed(t *testing.T) uint64 {
	seed := uint64(1)
	if s := os.Getenv("TEST_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "TEST_SEED")
		seed = v
	}
	t.Logf("TEST_SEED=%d", seed)
	return seed
}

func TestRoundTripSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 2))
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

// fuzzSizes maps the fuzzer's byte to widths around the interesting
// boundaries, so that text inputs meet both fitting and too-small bitmaps.
func fuzzSize(k uint16) int {
	sizes := roundTripSizes()
	return sizes[int(k)%len(sizes)]
}

// checkParse requires that a Parse error is a *ParseError (or New's
// size error) naming the kernel errno and a byte inside s, and that a
// successful parse round-trips.
func checkParse(t *testing.T, s string, n int, b *bpfbitmap.Bitmap, err error) {
	t.Helper()
	if err != nil {
		require.Nil(t, b)
		pe, ok := errors.AsType[*bpfbitmap.ParseError](err)
		require.True(t, ok, "error %v is not a *ParseError", err)
		require.GreaterOrEqual(t, pe.Offset, 0)
		require.LessOrEqual(t, pe.Offset, len(s), "offset past the input")
		require.NotEqual(t, "EIO", errnoName(err), "error %v matches no kernel errno", err)
		return
	}
	defer b.Release()
	require.Equal(t, n, b.Len())
	checkRoundTrip(t, b)
}

// FuzzParseList parses arbitrary text as a list: errors must carry the
// kernel's errno and a position; results must round-trip.
func FuzzParseList(f *testing.F) {
	for _, s := range []string{"", "0", "0-3,8", "0-3,8-15:2/4", "all", "all:1/2", "N", "0-N", "1-5:1/4294967295",
		"0-7:1/4N", " 0 ,\t1\n", "3-1", "0-3:5/4", "0-3:0/0", "4294967296", "x", "0-", "1,,5", "\xa01"} {
		f.Add(s, uint16(0))
		f.Add(s, uint16(70))
	}
	f.Fuzz(func(t *testing.T, s string, k uint16) {
		n := fuzzSize(k)
		b, err := bpfbitmap.ParseList(s, n)
		checkParse(t, s, n, b, err)
	})
}

// FuzzParseHex is FuzzParseList for the hex form.
func FuzzParseHex(f *testing.F) {
	for _, s := range []string{"", "0", "f", "010f", "1,00000000", "1,,5", ",44", ",", "deadBEEF", "x12345678",
		"0x12345678", "0x1", "123456789", "ffffffff,ffffffff", " 3 \n", "g"} {
		f.Add(s, uint16(0))
		f.Add(s, uint16(70))
	}
	f.Fuzz(func(t *testing.T, s string, k uint16) {
		n := fuzzSize(k)
		b, err := bpfbitmap.ParseHex(s, n)
		checkParse(t, s, n, b, err)
	})
}

func TestFuzzSizeCovers(t *testing.T) {
	seen := map[int]bool{}
	for k := range uint16(len(roundTripSizes())) {
		seen[fuzzSize(k)] = true
	}
	assert.Len(t, seen, len(roundTripSizes()))
}
