package bpfbitmap_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// fuzzBits maps the fuzzer's size to 0..2112 bits: every small size, and
// both sides of the 32-bit chunk and 64-bit word boundaries up to 33 words.
// The oracle's group loop is quadratic in it, which bounds it.
func fuzzBits(n uint16) int { return int(n % 2113) }

// FuzzParseList compares ParseList with the transliterated
// bitmap_parselist, and checks errors, the tail and both round trips. It is
// the one fuzz target of ParseList: the convert command's round trips at
// every size up to 65536 bits are cmd/bpfbitmap's FuzzFormatRoundTrip.
func FuzzParseList(f *testing.F) {
	for _, tc := range append(parselistTests, parselistQuirks...) {
		f.Add(tc.in, uint16(tc.nbits))
	}
	for _, s := range []string{"", "0", "0-3,8", "0-3,8-15:2/4", "all", "all:1/2", "N", "0-N", "1-5:1/4294967295",
		"0-7:1/4N", " 0 ,\t1\n", "3-1", "0-3:5/4", "0-3:0/0", "4294967296", "x", "0-", "1,,5", "\xa01"} {
		f.Add(s, uint16(0))
		f.Add(s, uint16(70))
	}
	f.Fuzz(func(t *testing.T, in string, n uint16) {
		nbits := fuzzBits(n)
		want, errno := kernelParselist(in, nbits)
		b, err := bpfbitmap.ParseList(in, nbits)
		fuzzCheck(t, "ParseList", in, nbits, b, err, want, errno)
	})
}

// FuzzParseHex is FuzzParseList for ParseHex and bitmap_parse.
func FuzzParseHex(f *testing.F) {
	for _, tc := range append(parseTests, parseQuirks...) {
		f.Add(tc.in, uint16(tc.nbits))
	}
	for _, s := range []string{"", "0", "f", "010f", "1,00000000", "1,,5", ",44", ",", "deadBEEF", "x12345678",
		"0x12345678", "0x1", "123456789", "ffffffff,ffffffff", " 3 \n", "g"} {
		f.Add(s, uint16(0))
		f.Add(s, uint16(70))
	}
	f.Fuzz(func(t *testing.T, in string, n uint16) {
		nbits := fuzzBits(n)
		want, errno := kernelParse(in, nbits)
		b, err := bpfbitmap.ParseHex(in, nbits)
		fuzzCheck(t, "ParseHex", in, nbits, b, err, want, errno)
	})
}

func fuzzCheck(t *testing.T, name, in string, nbits int, b *bpfbitmap.Bitmap, err error,
	want boolModel, errno syscall.Errno,
) {
	if err != nil {
		require.Nil(t, b)
		require.NotZero(t, errno, "%s(%q, %d): %v; the kernel accepts it", name, in, nbits, err)
		requireOneSentinel(t, err, errno, name)
		var pe *bpfbitmap.ParseError
		require.True(t, errors.As(err, &pe), "%T", err)
		require.True(t, 0 <= pe.Offset && pe.Offset <= len(in), "offset %d in %q", pe.Offset, in)
		return
	}
	defer b.Release()
	require.Zero(t, errno, "%s(%q, %d) = %v; the kernel fails with %v", name, in, nbits, b, errno)
	require.Equal(t, want.words(), b.Words(), "%s(%q, %d) = %v; want %v", name, in, nbits, b, want.set())
	requireClean(t, b, name)

	l, err := bpfbitmap.ParseList(b.FormatList(), nbits)
	require.NoError(t, err, "ParseList(FormatList) of %q", b.FormatList())
	defer l.Release()
	require.True(t, l.Equal(b), "list round trip of %v", b)
	h, err := bpfbitmap.ParseHex(b.FormatHex(), nbits)
	require.NoError(t, err, "ParseHex(FormatHex) of %q", b.FormatHex())
	defer h.Release()
	require.True(t, h.Equal(b), "hex round trip of %q", b.FormatHex())
	require.Equal(t, b.FormatHex(), h.FormatHex())
}
