package bpfbitmap_test

import (
	"errors"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// The audit's input: "all:1/2" repeated over 2^24 bits cost 25-30 ms a
// region, hours a megabyte. It now stops with E2BIG within the first few
// regions, and says where.
func TestParseListWorkBound(t *testing.T) {
	s := strings.Repeat("all:1/2,", 1<<17) // 1 MiB
	_, err := bpfbitmap.ParseList(s, bpfbitmap.MaxBits)
	require.ErrorIs(t, err, bpfbitmap.ErrTooBig)
	require.ErrorIs(t, err, syscall.E2BIG)
	var pe *bpfbitmap.ParseError
	require.True(t, errors.As(err, &pe))
	// Each region costs 2^23 groups: the base bound takes four.
	assert.Equal(t, 4*len("all:1/2,"), pe.Offset)
	assert.Equal(t, "all:1/2", pe.Text)

	// UnmarshalText applies the same bound and leaves its receiver alone.
	b := bpfbitmap.MustNew(bpfbitmap.MaxBits)
	defer b.Release()
	b.Set(7)
	require.ErrorIs(t, b.UnmarshalText([]byte(s)), bpfbitmap.ErrTooBig)
	assert.Equal(t, 1, b.Weight())
}

// Kernel-sized inputs keep the kernel's semantics: a PAGE_SIZE buffer of
// the most expensive regions at NR_CPUS = 8192 bits parses, and so does a
// long list of cheap regions far past PAGE_SIZE.
func TestParseListKernelSizedInputsUnbounded(t *testing.T) {
	const pageSize, nrCPUs = 4096, 8192
	for _, region := range []string{"all:1/1,", "0-N:1/1,", "N,", "0-8191:1/2,", "1-5:1/4294967295,"} {
		s := strings.Repeat(region, pageSize/len(region))
		b, err := bpfbitmap.ParseList(s, nrCPUs)
		require.NoError(t, err, "%q x %d", region, pageSize/len(region))
		b.Release()
	}
	s := strings.Repeat("63,", 1<<20)
	b, err := bpfbitmap.ParseList(s, 64)
	require.NoError(t, err, "3 MiB of one-bit regions")
	assert.Equal(t, "63", b.FormatList())
	b.Release()
}

// Errors show the character as the input has it: a whole UTF-8 character,
// or a lone byte escaped, never a byte read as Latin-1.
func TestParseErrorShowsCharacters(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		hex      bool
	}{
		{"0-3٣", "unexpected '٣' after a range", false},
		{"0\xd9", `unexpected '\xd9' after a number`, false},
		{"٣", "expected a number or 'N' at '٣'", false},
		{"0-", `expected a number or 'N' at '\x00'`, false},
		{"ff,٣", "'٣' is not a hex digit", true},
		{"ff,\xd9", `'\xd9' is not a hex digit`, true},
	} {
		var err error
		if tc.hex {
			_, err = bpfbitmap.ParseHex(tc.in, 64)
		} else {
			_, err = bpfbitmap.ParseList(tc.in, 64)
		}
		require.ErrorIs(t, err, bpfbitmap.ErrInvalid, "%q", tc.in)
		assert.Contains(t, err.Error(), tc.want, "%q", tc.in)
		assert.NotContains(t, err.Error(), "Ù", "%q", tc.in)
	}
	// The offending text is cut at 64 bytes, on a character boundary.
	_, err := bpfbitmap.ParseList("0x"+strings.Repeat("٣", 100), 64)
	var pe *bpfbitmap.ParseError
	require.True(t, errors.As(err, &pe))
	assert.LessOrEqual(t, len(pe.Text), 64)
	assert.True(t, strings.HasSuffix(pe.Text, "٣"), "%q", pe.Text)
}
