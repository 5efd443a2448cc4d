package bpfbitmap_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// ListBits is the smallest nbits ParseList accepts the input at: the input
// parses there and fails one bit below.
func TestListBits(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0}, {",, ", 0}, {"0", 1}, {"0-3,8", 9}, {"N", 1}, {"0-N", 1}, {"all", 1},
		{"all:1/2", 1}, {"0-31:2/8", 32}, {"5,1000-1001", 1002}, {"7-N", 8}, {"3\n99", 4},
		{"16777215", bpfbitmap.MaxBits}, {"0-7:1/4N", 8},
	} {
		got, err := bpfbitmap.ListBits(tc.in)
		require.NoError(t, err, "%q", tc.in)
		assert.Equal(t, tc.want, got, "%q", tc.in)
		if got == 0 {
			continue
		}
		b, err := bpfbitmap.ParseList(tc.in, got)
		require.NoError(t, err, "%q at %d bits", tc.in, got)
		b.Release()
		_, err = bpfbitmap.ParseList(tc.in, got-1)
		assert.Error(t, err, "%q at %d bits", tc.in, got-1)
	}
	for _, tc := range []struct {
		in  string
		err error
	}{
		{"x", bpfbitmap.ErrInvalid},
		{"4294967296", bpfbitmap.ErrOverflow},
		{"16777216", bpfbitmap.ErrRange},
		{"0-99999999", bpfbitmap.ErrRange},
	} {
		_, err := bpfbitmap.ListBits(tc.in)
		assert.ErrorIs(t, err, tc.err, "%q", tc.in)
	}
}

func TestHexBits(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0}, {"0", 0}, {"1", 1}, {"ff", 8}, {"10f", 9}, {"1,00000000", 33}, {"0000ffff", 16},
		{"ff,ffffffff", 40},
	} {
		got, err := bpfbitmap.HexBits(tc.in)
		require.NoError(t, err, "%q", tc.in)
		assert.Equal(t, tc.want, got, "%q", tc.in)
		if got == 0 {
			continue
		}
		b, err := bpfbitmap.ParseHex(tc.in, got)
		require.NoError(t, err, "%q at %d bits", tc.in, got)
		b.Release()
		_, err = bpfbitmap.ParseHex(tc.in, got-1)
		assert.ErrorIs(t, err, bpfbitmap.ErrOverflow, "%q at %d bits", tc.in, got-1)
	}
	_, err := bpfbitmap.HexBits("xyz")
	assert.ErrorIs(t, err, bpfbitmap.ErrInvalid)
}
