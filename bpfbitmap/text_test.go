package bpfbitmap_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// This file holds the lib/test_bitmap.c vectors for the text forms, and an
// oracle: a statement-by-statement transliteration of lib/bitmap-str.c over
// a NUL-terminated byte buffer and a []bool, with C's unsigned int
// arithmetic. The implementation is structured differently (two passes, a
// closed form for the wrapping group loop), so agreement is evidence.

// kernelCtypeSpace is isspace from lib/ctype.c's table: _S is set for 9-13,
// 32 and 160.
func kernelCtypeSpace(c byte) bool {
	switch c {
	case 9, 10, 11, 12, 13, 32, 160:
		return true
	}
	return false
}

// kernelToLower is tolower from include/linux/ctype.h over lib/ctype.c,
// which treats Latin-1 upper case (192-222 except 215) as upper case too.
func kernelToLower(c byte) byte {
	if 'A' <= c && c <= 'Z' || 192 <= c && c <= 222 && c != 215 {
		return c + 32
	}
	return c
}

func kEndOfStr(c byte) bool     { return c == 0 || c == '\n' }
func kEndOfRegion_(c byte) bool { return kernelCtypeSpace(c) || c == ',' }
func kEndOfRegion(c byte) bool  { return kEndOfRegion_(c) || kEndOfStr(c) }
func kStrncasecmpAll(b []byte) bool {
	for i := range 3 {
		c1, c2 := b[i], "all"[i]
		if c1 == 0 {
			return false
		}
		if c1 != c2 && kernelToLower(c1) != kernelToLower(c2) {
			return false
		}
	}
	return true
}

// kHexToBin is hex_to_bin from lib/hexdump.c, constant-time formula and all.
func kHexToBin(ch byte) int {
	c, cu := int32(ch), int32(ch&0xdf)
	return int(-1 +
		((c - '0' + 1) & int32(uint32((c-'9'-1)&('0'-1-c))>>8)) +
		((cu - 'A' + 11) & int32(uint32((cu-'F'-1)&('A'-1-cu))>>8)))
}

type kRegion struct{ start, off, groupLen, end, nbits uint32 }

const kOverflow = 1 << 31 // KSTRTOX_OVERFLOW

// kParseInteger is _parse_integer(s, 10, &n) from lib/kstrtox.c.
func kParseInteger(b []byte) (uint32, uint64) {
	var res uint64
	var rv uint32
	for i := 0; ; i++ {
		c := uint32(b[i])
		lc := c | 0x20
		var val uint32
		switch {
		case '0' <= c && c <= '9':
			val = c - '0'
		case 'a' <= lc && lc <= 'f':
			val = lc - 'a' + 10
		default:
			return rv, res
		}
		if val >= 10 {
			return rv, res
		}
		if res&^(uint64(1)<<60-1) != 0 && res > (math.MaxUint64-uint64(val))/10 {
			rv |= kOverflow
		}
		res = res*10 + uint64(val)
		rv++
	}
}

func kGetnum(b []byte, p int, num *uint32, lastbit uint32) (int, syscall.Errno) {
	if b[p] == 'N' {
		*num = lastbit
		return p + 1, 0
	}
	l, n := kParseInteger(b[p:])
	if l == 0 {
		return 0, syscall.EINVAL
	}
	if l&kOverflow != 0 || n != uint64(uint32(n)) {
		return 0, syscall.EOVERFLOW
	}
	*num = uint32(n)
	return p + int(l), 0
}

// kParseRegion returns -1 for NULL.
func kParseRegion(b []byte, p int, r *kRegion) (int, syscall.Errno) {
	lastbit := r.nbits - 1
	var e syscall.Errno
	if kStrncasecmpAll(b[p:]) {
		r.start, r.end = 0, lastbit
		p += 3
	} else {
		if p, e = kGetnum(b, p, &r.start, lastbit); e != 0 {
			return 0, e
		}
		if kEndOfRegion(b[p]) {
			r.end = r.start // no_end
			goto noPattern
		}
		if b[p] != '-' {
			return 0, syscall.EINVAL
		}
		if p, e = kGetnum(b, p+1, &r.end, lastbit); e != 0 {
			return 0, e
		}
	}
	// check_pattern
	if kEndOfRegion(b[p]) {
		goto noPattern
	}
	if b[p] != ':' {
		return 0, syscall.EINVAL
	}
	if p, e = kGetnum(b, p+1, &r.off, lastbit); e != 0 {
		return 0, e
	}
	if b[p] != '/' {
		return 0, syscall.EINVAL
	}
	return kGetnum(b, p+1, &r.groupLen, lastbit)
noPattern:
	r.off = r.end + 1
	r.groupLen = r.end + 1
	if kEndOfStr(b[p]) {
		return -1, 0
	}
	return p, 0
}

// kernelParselist is bitmap_parselist(in, mask, nbits).
func kernelParselist(in string, nbits int) (boolModel, syscall.Errno) {
	b := append([]byte(in), 0, 0, 0) // NUL, plus room for strncasecmp's reads
	mask := make(boolModel, nbits)
	r := kRegion{nbits: uint32(nbits)}
	for p := 0; p >= 0; {
		for kEndOfRegion_(b[p]) { // bitmap_find_region
			p++
		}
		if kEndOfStr(b[p]) {
			return mask, 0
		}
		var e syscall.Errno
		if p, e = kParseRegion(b, p, &r); e != 0 {
			return nil, e
		}
		// bitmap_check_region
		if r.start > r.end || r.groupLen == 0 || r.off > r.groupLen {
			return nil, syscall.EINVAL
		}
		if r.end >= r.nbits {
			return nil, syscall.ERANGE
		}
		// bitmap_set_region
		for start := r.start; start <= r.end; start += r.groupLen {
			for i := range min(r.end-start+1, r.off) {
				mask[start+i] = true
			}
		}
	}
	return mask, 0
}

// kernelParse is bitmap_parse(in, UINT_MAX, mask, nbits) on a little-endian
// machine.
func kernelParse(in string, nbits int) (boolModel, syscall.Errno) {
	b := append([]byte(in), 0)
	e := 0
	for b[e] != 0 && b[e] != '\n' { // strnchrnul
		e++
	}
	end := e - 1
	chunks := (nbits + 31) / 32
	total := chunks
	bitmap := make([]uint32, total+1)
	for chunk := 0; ; chunk++ {
		for 0 <= end && kEndOfRegion_(b[end]) { // bitmap_find_region_reverse
			end--
		}
		if 0 > end {
			break
		}
		if chunks == 0 {
			return nil, syscall.EOVERFLOW
		}
		chunks--
		// bitmap_get_x32_reverse
		var ret uint32
		done := false
		for i := 0; i < 32; i += 4 {
			c := kHexToBin(b[end])
			end--
			if c < 0 {
				return nil, syscall.EINVAL
			}
			ret |= uint32(c) << i
			if 0 > end || kEndOfRegion_(b[end]) {
				done = true
				break
			}
		}
		if !done {
			c := kHexToBin(b[end])
			end--
			if c >= 0 {
				return nil, syscall.EOVERFLOW
			}
		}
		bitmap[chunk] = ret
	}
	unset := (total - chunks) * 32
	bit := func(i int) bool { return bitmap[i/32]>>(i%32)&1 == 1 }
	if unset >= nbits {
		for i := nbits; i < unset; i++ { // find_next_bit(maskp, unset_bit, nbits)
			if bit(i) {
				return nil, syscall.EOVERFLOW
			}
		}
	}
	mask := make(boolModel, nbits)
	for i := range min(unset, nbits) {
		mask[i] = bit(i)
	}
	return mask, 0
}

// u64s expands BITMAP_FROM_U64 values into a model of nbits bits.
func u64s(nbits int, ws ...uint64) boolModel {
	m := make(boolModel, nbits)
	for i := range m {
		if i/64 < len(ws) {
			m[i] = ws[i/64]>>(i%64)&1 == 1
		}
	}
	return m
}

type textCase struct {
	in    string
	nbits int
	errno syscall.Errno
	want  []uint64 // nil: empty, or not checked for errors
}

// parselistTests is parselist_tests from lib/test_bitmap.c, with
// &exp1[i * step] replaced by exp1[i].
var parselistTests = []textCase{
	{"0", 8, 0, exp1[0:1]},
	{"1", 8, 0, exp1[1:2]},
	{"0-15", 32, 0, exp1[2:3]},
	{"16-31", 32, 0, exp1[3:4]},
	{"0-31:1/2", 32, 0, exp1[4:5]},
	{"1-31:1/2", 32, 0, exp1[5:6]},
	{"0-31:1/4", 32, 0, exp1[6:7]},
	{"1-31:1/4", 32, 0, exp1[7:8]},
	{"0-31:4/4", 32, 0, exp1[8:9]},
	{"1-31:4/4", 32, 0, exp1[9:10]},
	{"0-31:1/4,32-63:2/4", 64, 0, exp1[10:11]},
	{"0-31:3/4,32-63:4/4", 64, 0, exp1[11:12]},
	{"  ,,  0-31:3/4  ,, 32-63:4/4  ,,  ", 64, 0, exp1[11:12]},
	{"0-31:1/4,32-63:2/4,64-95:3/4,96-127:4/4", 128, 0, []uint64{0x3333333311111111, 0xffffffff77777777}},
	{"0-2047:128/256", 2048, 0, nil}, // PARSE_TIME: result not checked
	{"", 8, 0, exp1[12:13]},
	{"\n", 8, 0, exp1[12:13]},
	{",,  ,,  , ,  ,", 8, 0, exp1[12:13]},
	{" ,  ,,  , ,   ", 8, 0, exp1[12:13]},
	{" ,  ,,  , ,   \n", 8, 0, exp1[12:13]},
	{"0-0", 32, 0, exp1[0:1]},
	{"1-1", 32, 0, exp1[1:2]},
	{"15-15", 32, 0, exp1[13:14]},
	{"31-31", 32, 0, exp1[14:15]},
	{"0-0:0/1", 32, 0, exp1[12:13]},
	{"0-0:1/1", 32, 0, exp1[0:1]},
	{"0-0:1/31", 32, 0, exp1[0:1]},
	{"0-0:31/31", 32, 0, exp1[0:1]},
	{"1-1:1/1", 32, 0, exp1[1:2]},
	{"0-15:16/31", 32, 0, exp1[2:3]},
	{"15-15:1/2", 32, 0, exp1[13:14]},
	{"15-15:31/31", 32, 0, exp1[13:14]},
	{"15-31:1/31", 32, 0, exp1[13:14]},
	{"16-31:16/31", 32, 0, exp1[3:4]},
	{"31-31:31/31", 32, 0, exp1[14:15]},
	{"N-N", 32, 0, exp1[14:15]},
	{"0-0:1/N", 32, 0, exp1[0:1]},
	{"0-0:N/N", 32, 0, exp1[0:1]},
	{"0-15:16/N", 32, 0, exp1[2:3]},
	{"15-15:N/N", 32, 0, exp1[13:14]},
	{"15-N:1/N", 32, 0, exp1[13:14]},
	{"16-N:16/N", 32, 0, exp1[3:4]},
	{"N-N:N/N", 32, 0, exp1[14:15]},
	{"0-N:1/3,1-N:1/3,2-N:1/3", 32, 0, exp1[8:9]},
	{"0-31:1/3,1-31:1/3,2-31:1/3", 32, 0, exp1[8:9]},
	{"1-10:8/12,8-31:24/29,0-31:0/3", 32, 0, exp1[9:10]},
	{"all", 32, 0, exp1[8:9]},
	{"0, 1, all,  ", 32, 0, exp1[8:9]},
	{"all:1/2", 32, 0, exp1[4:5]},
	{"ALL:1/2", 32, 0, exp1[4:5]},
	{"al", 8, syscall.EINVAL, nil},
	{"alll", 8, syscall.EINVAL, nil},
	{"-1", 8, syscall.EINVAL, nil},
	{"-0", 8, syscall.EINVAL, nil},
	{"10-1", 8, syscall.EINVAL, nil},
	{"8-8", 8, syscall.ERANGE, nil},
	{"0-31", 8, syscall.ERANGE, nil},
	{"0-31:", 32, syscall.EINVAL, nil},
	{"0-31:0", 32, syscall.EINVAL, nil},
	{"0-31:0/", 32, syscall.EINVAL, nil},
	{"0-31:0/0", 32, syscall.EINVAL, nil},
	{"0-31:1/0", 32, syscall.EINVAL, nil},
	{"0-31:10/1", 32, syscall.EINVAL, nil},
	{"0-98765432123456789:10/1", 8, syscall.EOVERFLOW, nil},
	{"a-31", 8, syscall.EINVAL, nil},
	{"0-a1", 8, syscall.EINVAL, nil},
	{"a-31:10/1", 8, syscall.EINVAL, nil},
	{"0-31:a/1", 8, syscall.EINVAL, nil},
	{"0-\n", 8, syscall.EINVAL, nil},
}

// parselistQuirks are cases read off lib/bitmap-str.c that test_bitmap.c
// does not cover; kernelParselist agrees with each.
var parselistQuirks = []textCase{
	{"0-3\n5", 8, 0, []uint64{0x0f}},           // '\n' after a region ends the input
	{"0-3:1/2\n5", 8, 0, []uint64{0x25}},       // ...but not after a group suffix
	{"0-7:1/4N", 8, 0, []uint64{0x91}},         // nor does a region need a separator there
	{"0-7:1/4all", 8, 0, []uint64{0xff}},       //
	{"\n\n3", 8, 0, []uint64{0x08}},            // leading '\n' is skipped as whitespace
	{"1-5:1/4294967295", 8, 0, []uint64{0x03}}, // start += group_len wraps to start-1
	{"6-7:1/4294967294", 8, 0, []uint64{0x55}}, // ...and walks down by 2: 6,4,2,0
	{"\v1\f2\r3\t4 5", 8, 0, []uint64{0x3e}},   // isspace
	{"\xa01\xa02", 8, 0, []uint64{0x06}},       // 0xA0 is isspace in lib/ctype.c
	{"1\x002", 8, 0, []uint64{0x02}},           // NUL ends the C string
	{"00000000000000000000000007", 8, 0, []uint64{0x80}},
	{"5-N", 8, 0, []uint64{0xe0}},
	{"aLl", 8, 0, []uint64{0xff}},
	{"all:0/1", 8, 0, nil},
	{"0-3:0/2", 8, 0, nil},
	{"", 0, 0, nil},
	{" , ", 0, 0, nil},
	{"0", 0, syscall.ERANGE, nil},
	{"all", 0, syscall.EINVAL, nil},          // end = -1u, end+1 = 0 = group_len
	{"N", 0, syscall.EINVAL, nil},            // likewise
	{"4294967295", 8, syscall.EINVAL, nil},   // likewise, not ERANGE
	{"0-4294967295", 8, syscall.EINVAL, nil}, // likewise
	{"0-4294967295:1/2", 8, syscall.ERANGE, nil},
	{"4294967296", 8, syscall.EOVERFLOW, nil},
	{"18446744073709551616", 8, syscall.EOVERFLOW, nil}, // 2^64: _parse_integer's flag
	{"3-1:1/2", 8, syscall.EINVAL, nil},                 // start > end checked first
	{"0-9:3/2", 8, syscall.EINVAL, nil},                 // off > group before ERANGE
	{"0-9:1/0", 8, syscall.EINVAL, nil},
	{"n", 8, syscall.EINVAL, nil},
	{"+1", 8, syscall.EINVAL, nil},
	{"0x1", 8, syscall.EINVAL, nil},
	{"1N", 8, syscall.EINVAL, nil},
	{"N5", 8, syscall.EINVAL, nil},
	{"N-0", 8, syscall.EINVAL, nil},
	{"0:1/2", 8, syscall.EINVAL, nil},
	{"1 - 3", 8, syscall.EINVAL, nil},
	{"allx", 8, syscall.EINVAL, nil},
	{"all-3", 8, syscall.EINVAL, nil},
	{"0-1:1/2:3", 8, syscall.EINVAL, nil},
	{"0-1:1-2", 8, syscall.EINVAL, nil},
	{"1,9", 8, syscall.ERANGE, nil},
	{"9,x", 8, syscall.ERANGE, nil}, // regions are checked in order
	{"x,9", 8, syscall.EINVAL, nil},
}

// parseTests is parse_tests from lib/test_bitmap.c.
var parseTests = []textCase{
	{"", 32, 0, []uint64{0}},
	{" ", 32, 0, []uint64{0}},
	{"0", 32, 0, []uint64{0}},
	{"0\n", 32, 0, []uint64{0}},
	{"1", 32, 0, []uint64{1}},
	{"deadbeef", 32, 0, []uint64{0xdeadbeef}},
	{"1,0", 33, 0, []uint64{0x100000000}},
	{"deadbeef,\n,0,1", 96, 0, []uint64{0xdeadbeef}},
	{"deadbeef,1,0", 96, 0, []uint64{0x100000000, 0xdeadbeef}},
	{"baadf00d,deadbeef,1,0", 128, 0, []uint64{0x100000000, 0xbaadf00ddeadbeef}},
	{"badf00d,deadbeef,1,0", 124, 0, []uint64{0x100000000, 0x0badf00ddeadbeef}},
	{"  badf00d,deadbeef,1,0  ", 124, 0, []uint64{0x100000000, 0x0badf00ddeadbeef}},
	{" , badf00d,deadbeef,1,0 , ", 124, 0, []uint64{0x100000000, 0x0badf00ddeadbeef}},
	{" , badf00d, ,, ,,deadbeef,1,0 , ", 124, 0, []uint64{0x100000000, 0x0badf00ddeadbeef}},
	{"goodfood,deadbeef,1,0", 128, syscall.EINVAL, nil},
	{"3,0", 33, syscall.EOVERFLOW, nil},
	{"123badf00d,deadbeef,1,0", 128, syscall.EOVERFLOW, nil},
	{"badf00d,deadbeef,1,0", 90, syscall.EOVERFLOW, nil},
	{"fbadf00d,deadbeef,1,0", 95, syscall.EOVERFLOW, nil},
	{"badf00d,deadbeef,1,0", 100, syscall.EOVERFLOW, nil},
}

// parseQuirks are bitmap_parse cases read off lib/bitmap-str.c.
var parseQuirks = []textCase{
	{"x12345678", 32, 0, []uint64{0x12345678}},  // the byte left of 8 digits is eaten
	{"0x12345678", 64, 0, []uint64{0x12345678}}, // ...so "0" is a chunk of its own
	{"0x12345678", 32, syscall.EOVERFLOW, nil},  // ...which needs a 33rd bit
	{"0x1234", 64, syscall.EINVAL, nil},         // "0x" before a short chunk
	{"12345678g12345678", 64, 0, []uint64{0x1234567812345678}},
	{"1 2", 64, 0, []uint64{0x100000002}}, // whitespace separates chunks
	{"1\n2", 64, 0, []uint64{1}},          // '\n' ends the input
	{"1\x002", 64, 0, []uint64{1}},        // so does NUL
	{"\xa0ff\xa0", 8, 0, []uint64{0xff}},
	{"DeadBeef", 32, 0, []uint64{0xdeadbeef}},
	{"00000000", 32, 0, nil},
	{"3", 2, 0, []uint64{3}},
	{"1,,5", 64, 0, []uint64{0x100000005}},
	{",44", 32, 0, []uint64{0x44}},
	{",", 0, 0, nil},
	{"", 0, 0, nil},
	{"0", 0, syscall.EOVERFLOW, nil},
	{"4", 2, syscall.EOVERFLOW, nil},
	{"000000000", 64, syscall.EOVERFLOW, nil}, // 9 digits, even zeros
	{"1,00000000", 32, syscall.EOVERFLOW, nil},
	{"zz,1", 32, syscall.EOVERFLOW, nil}, // chunk count is checked first
	{"1,zz", 64, syscall.EINVAL, nil},
	{"-1", 32, syscall.EINVAL, nil},
	{"+1", 32, syscall.EINVAL, nil},
	{"1;2", 64, syscall.EINVAL, nil},
}

var textSentinels = []error{
	bpfbitmap.ErrInvalid, bpfbitmap.ErrRange, bpfbitmap.ErrOverflow,
	bpfbitmap.ErrTooBig, bpfbitmap.ErrNoMem, bpfbitmap.ErrSizeMismatch,
}

// requireOneSentinel checks that err matches exactly one of the package's
// sentinels, and the errno.
func requireOneSentinel(t testing.TB, err error, errno syscall.Errno, what string) {
	t.Helper()
	var matched []error
	for _, s := range textSentinels {
		if errors.Is(err, s) {
			matched = append(matched, s)
		}
	}
	require.Len(t, matched, 1, "%s: %v matches sentinels %v", what, err, matched)
	require.ErrorIs(t, err, errno, "%s", what)
}

func errnoOf(err error) syscall.Errno {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return 0
}

func runTextCases(t *testing.T, name string, cases []textCase,
	parse func(*bpfbitmap.Allocator, string, int) (*bpfbitmap.Bitmap, error),
	oracle func(string, int) (boolModel, syscall.Errno),
) {
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%d/%q/%d", i, tc.in, tc.nbits), func(t *testing.T) {
			a := leakChecked(t)
			want := u64s(tc.nbits, tc.want...)
			om, oerr := oracle(tc.in, tc.nbits)
			require.Equal(t, tc.errno, oerr, "oracle %s(%q, %d)", name, tc.in, tc.nbits)

			b, err := parse(a, tc.in, tc.nbits)
			if tc.errno != 0 {
				require.Error(t, err, "%s(%q, %d)", name, tc.in, tc.nbits)
				require.Nil(t, b)
				requireOneSentinel(t, err, tc.errno, name)
				var pe *bpfbitmap.ParseError
				require.ErrorAs(t, err, &pe)
				require.GreaterOrEqual(t, pe.Offset, 0)
				require.LessOrEqual(t, pe.Offset, len(tc.in))
				return
			}
			require.NoError(t, err, "%s(%q, %d)", name, tc.in, tc.nbits)
			defer b.Release()
			requireClean(t, b, name)
			require.Equal(t, om.words(), b.Words(), "%s(%q, %d) vs oracle", name, tc.in, tc.nbits)
			if tc.want != nil || tc.nbits <= 64 {
				require.Equal(t, want.words(), b.Words(), "%s(%q, %d) = %v; want %v",
					name, tc.in, tc.nbits, b, want)
			}
		})
	}
}

func TestParseListKernelVectors(t *testing.T) {
	runTextCases(t, "ParseList", parselistTests, (*bpfbitmap.Allocator).ParseList, kernelParselist)
}

func TestParseListQuirks(t *testing.T) {
	runTextCases(t, "ParseList", parselistQuirks, (*bpfbitmap.Allocator).ParseList, kernelParselist)
}

func TestParseHexKernelVectors(t *testing.T) {
	runTextCases(t, "ParseHex", parseTests, (*bpfbitmap.Allocator).ParseHex, kernelParse)
}

func TestParseHexQuirks(t *testing.T) {
	runTextCases(t, "ParseHex", parseQuirks, (*bpfbitmap.Allocator).ParseHex, kernelParse)
}

// TestParseListPARSE_TIME checks the one vector whose result test_bitmap.c
// only times: 128 of every 256 bits.
func TestParseListPARSE_TIME(t *testing.T) {
	b, err := bpfbitmap.ParseList("0-2047:128/256", 2048)
	require.NoError(t, err)
	defer b.Release()
	want := make([]string, 8)
	for i := range want {
		want[i] = fmt.Sprintf("%d-%d", i*256, i*256+127)
	}
	require.Equal(t, strings.Join(want, ","), b.FormatList())
}

// TestParseErrorDetail checks that errors say where and what.
func TestParseErrorDetail(t *testing.T) {
	for _, tc := range []struct {
		fn, in   string
		nbits    int
		sentinel error
		offset   int
		text     string
		reason   string
	}{
		{"list", "0-3, 8-9", 8, bpfbitmap.ErrRange, 5, "8-9", "bit 9 out of range for 8 bits"},
		{"list", "0-3,10-1", 16, bpfbitmap.ErrInvalid, 4, "10-1", "start 10 > end 1"},
		{"list", "1,0-31:9/4", 32, bpfbitmap.ErrInvalid, 2, "0-31:9/4", "used size 9 > group size 4"},
		{"list", "1,0-31:1/0", 32, bpfbitmap.ErrInvalid, 2, "0-31:1/0", "group size 0"},
		{"list", "0-3 7x", 8, bpfbitmap.ErrInvalid, 5, "7x", "unexpected 'x'"},
		{"list", "2, 3-a", 8, bpfbitmap.ErrInvalid, 5, "3-a", "expected a number"},
		{"list", "2-99999999999", 8, bpfbitmap.ErrOverflow, 2, "2-99999999999", "99999999999 does not fit"},
		{"list", "4294967295", 8, bpfbitmap.ErrInvalid, 0, "4294967295", "wraps"},
		{"hex", "ff,goodfood", 64, bpfbitmap.ErrInvalid, 9, "goodfood", "'o' is not a hex digit"},
		{"hex", "123456789", 64, bpfbitmap.ErrOverflow, 0, "123456789", "more than 8 hex digits"},
		{"hex", "1, 2, 3", 64, bpfbitmap.ErrOverflow, 0, "1", "does not fit in 64 bits"},
		{"hex", "f", 3, bpfbitmap.ErrOverflow, 0, "f", "at or above 3"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			parse := bpfbitmap.ParseList
			if tc.fn == "hex" {
				parse = bpfbitmap.ParseHex
			}
			b, err := parse(tc.in, tc.nbits)
			require.Nil(t, b)
			require.ErrorIs(t, err, tc.sentinel)
			var pe *bpfbitmap.ParseError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.offset, pe.Offset, "offset in %v", err)
			assert.Equal(t, tc.text, pe.Text, "text in %v", err)
			assert.Contains(t, pe.Reason, tc.reason)
			assert.Contains(t, err.Error(), fmt.Sprintf("at byte %d %q", tc.offset, tc.text))
		})
	}
}

func TestParseErrorTextBounded(t *testing.T) {
	in := "0-" + strings.Repeat("1", 10000)
	_, err := bpfbitmap.ParseList(in, 8)
	var pe *bpfbitmap.ParseError
	require.ErrorAs(t, err, &pe)
	require.ErrorIs(t, err, syscall.EOVERFLOW)
	require.LessOrEqual(t, len(err.Error()), 300)
}

// TestParseSizeErrors checks the sizes New rejects and allocation failure,
// and that a failed parse leaks nothing.
func TestParseSizeErrors(t *testing.T) {
	for name, p := range map[string]struct {
		parse func(*bpfbitmap.Allocator, string, int) (*bpfbitmap.Bitmap, error)
		bad   string // fails with ERANGE or EOVERFLOW at 4 bits
		errno syscall.Errno
	}{
		"list": {(*bpfbitmap.Allocator).ParseList, "0-7", syscall.ERANGE},
		"hex":  {(*bpfbitmap.Allocator).ParseHex, "ff", syscall.EOVERFLOW},
	} {
		parse := p.parse
		t.Run(name, func(t *testing.T) {
			a := leakChecked(t)
			for _, tc := range []struct {
				nbits int
				want  error
				errno syscall.Errno
			}{
				{-1, bpfbitmap.ErrInvalid, syscall.EINVAL},
				{math.MinInt, bpfbitmap.ErrInvalid, syscall.EINVAL},
				{bpfbitmap.MaxBits + 1, bpfbitmap.ErrTooBig, syscall.E2BIG},
				{math.MaxInt, bpfbitmap.ErrTooBig, syscall.E2BIG},
			} {
				b, err := parse(a, "", tc.nbits)
				require.Nil(t, b)
				require.ErrorIs(t, err, tc.want, "nbits %d", tc.nbits)
				requireOneSentinel(t, err, tc.errno, name)
			}
			a.FailNext(1)
			b, err := parse(a, "1", 8)
			require.Nil(t, b)
			requireOneSentinel(t, err, syscall.ENOMEM, name)
			b, err = parse(a, p.bad, 4) // a parse error after allocation is released
			require.Nil(t, b)
			requireOneSentinel(t, err, p.errno, name+" after allocation")
			b, err = parse(a, "", bpfbitmap.MaxBits)
			require.NoError(t, err)
			require.True(t, b.Empty())
			b.Release()
		})
	}
}

// TestParseErrorsMatchOneSentinel runs every error vector and checks the
// errno against the kernel's and that exactly one sentinel matches.
func TestParseErrorsMatchOneSentinel(t *testing.T) {
	check := func(name string, cases []textCase, parse func(string, int) (*bpfbitmap.Bitmap, error)) {
		for _, tc := range cases {
			b, err := parse(tc.in, tc.nbits)
			if tc.errno == 0 {
				require.NoError(t, err)
				b.Release()
				continue
			}
			requireOneSentinel(t, err, tc.errno, fmt.Sprintf("%s(%q, %d)", name, tc.in, tc.nbits))
			require.Equal(t, tc.errno, errnoOf(err))
		}
	}
	check("ParseList", append(parselistTests, parselistQuirks...), bpfbitmap.ParseList)
	check("ParseHex", append(parseTests, parseQuirks...), bpfbitmap.ParseHex)
}

// TestParseListWrapClosedForm checks the closed form of the wrapping group
// loop against running it, for every small start, step, used size and end.
func TestParseListWrapClosedForm(t *testing.T) {
	a := leakChecked(t)
	const nbits = 48
	for start := range 40 {
		for k := 1; k <= start; k++ {
			for off := 0; off <= k+2; off++ {
				for end := start; end < nbits; end += 3 {
					in := fmt.Sprintf("%d-%d:%d/%d", start, end, off, 1<<32-k)
					want, errno := kernelParselist(in, nbits)
					b, err := a.ParseList(in, nbits)
					if errno != 0 {
						require.Error(t, err, in)
						require.Equal(t, errno, errnoOf(err), in)
						continue
					}
					require.NoError(t, err, in)
					require.Equal(t, want.words(), b.Words(), "ParseList(%q) = %v", in, b)
					b.Release()
				}
			}
		}
	}
}

// textAlphabet is what random inputs are made of: the grammar's tokens and
// the bytes whose handling differs from Go's conventions.
var textAlphabet = []string{
	"0", "1", "3", "7", "9", "12", "31", "32", "63", "64", "N", "n", "all", "AlL", "al",
	"-", "-", ":", ":", "/", "/", ",", ",", " ", "\t", "\n", "\x00", "\xa0", "\v",
	"4294967295", "4294967294", "4294967296", "99999999999999999999",
	"a", "f", "F", "x", "0x", "g", "deadbeef", "12345678", "123456789", "ffffffff",
}

func randText(rng *rand.Rand) string {
	var sb strings.Builder
	for range rng.IntN(10) {
		sb.WriteString(textAlphabet[rng.IntN(len(textAlphabet))])
	}
	return sb.String()
}

// TestParseVsOracle compares both parsers with the transliterations on
// random inputs at sizes around the word and chunk boundaries.
func TestParseVsOracle(t *testing.T) {
	a := leakChecked(t)
	rng := newRand()
	sizes := []int{0, 1, 2, 7, 8, 31, 32, 33, 63, 64, 65, 100, 128, 129}
	for range 20000 {
		in, nbits := randText(rng), sizes[rng.IntN(len(sizes))]
		for _, p := range []struct {
			name   string
			parse  func(string, int) (*bpfbitmap.Bitmap, error)
			oracle func(string, int) (boolModel, syscall.Errno)
		}{
			{"ParseList", a.ParseList, kernelParselist},
			{"ParseHex", a.ParseHex, kernelParse},
		} {
			want, errno := p.oracle(in, nbits)
			b, err := p.parse(in, nbits)
			require.Equal(t, errno, errnoOf(err), "%s(%q, %d): %v", p.name, in, nbits, err)
			if err != nil {
				requireOneSentinel(t, err, errno, p.name)
				continue
			}
			require.Equal(t, want.words(), b.Words(), "%s(%q, %d) = %v; want %v", p.name, in, nbits, b, want.set())
			requireClean(t, b, p.name)
			b.Release()
		}
	}
}

func TestFormatListKernel(t *testing.T) {
	a := leakChecked(t)
	// test_zero_clear and test_fill_set: expect_eq_pbl on 1024 bits.
	for _, tc := range []struct {
		nbits int
		set   [][2]int // ranges [lo, hi)
		want  string
	}{
		{23, [][2]int{{0, 23}}, "0-22"},
		{1024, [][2]int{{0, 1024}}, "0-1023"},
		{1024, [][2]int{{9, 1024}}, "9-1023"},
		{1024, [][2]int{{64, 1024}}, "64-1023"},
		{1024, [][2]int{{64, 79}, {98, 1024}}, "64-78,98-1023"},
		{1024, [][2]int{{128, 1024}}, "128-1023"},
		{1024, nil, ""},
		{23, nil, ""},
		{1024, [][2]int{{0, 9}}, "0-8"},
		{1024, [][2]int{{0, 64}}, "0-63"},
		{1024, [][2]int{{0, 64}, {79, 98}}, "0-63,79-97"},
		{1024, [][2]int{{0, 128}}, "0-127"},
		{1024, [][2]int{{0, 109}, {128, 1024}}, "0-108,128-1023"},
		{8, [][2]int{{0, 1}, {2, 3}, {4, 5}, {7, 8}}, "0,2,4,7"},
		{0, nil, ""},
	} {
		b := mustNew(t, a, tc.nbits)
		for _, r := range tc.set {
			for i := r[0]; i < r[1]; i++ {
				b.NonAtomicSet(i)
			}
		}
		require.Equal(t, tc.want, b.FormatList())
		require.Equal(t, tc.want, b.String())
		require.Equal(t, tc.want, fmt.Sprint(b))
		b.Release()
	}
}

// TestPrintBufKernel is test_bitmap_print_buf: small_bitmap and
// large_bitmap, 0x3333333311111111 repeated, in both forms.
func TestPrintBufKernel(t *testing.T) {
	a := leakChecked(t)
	const word = 0x3333333311111111
	wordList := func(base int) string {
		var parts []string
		for i := 0; i < 32; i += 4 {
			parts = append(parts, fmt.Sprint(base+i))
		}
		for i := 32; i < 64; i += 4 {
			parts = append(parts, fmt.Sprintf("%d-%d", base+i, base+i+1))
		}
		return strings.Join(parts, ",")
	}
	require.Equal(t, "0,4,8,12,16,20,24,28,32-33,36-37,40-41,44-45,48-49,52-53,56-57,60-61", wordList(0))
	for _, nwords := range []int{1, 40} {
		b := mustNew(t, a, nwords*64)
		var list, mask []string
		for i := range nwords {
			b.Words()[i] = word
			list = append(list, wordList(i*64))
			mask = append(mask, "33333333,11111111")
		}
		require.Equal(t, strings.Join(mask, ","), b.FormatHex())
		require.Equal(t, strings.Join(list, ","), b.FormatList())
		if nwords == 40 {
			require.Greater(t, len(b.FormatList()), 4096, "large_list is more than 4KB")
			require.True(t, strings.HasSuffix(b.FormatList(), ",2552-2553,2556-2557"))
		}
		b.Release()
	}
}

// TestFormatHexWidth checks bitmap_string's first-chunk width,
// DIV_ROUND_UP(nbits % 32 or 32, 4), and zero padding.
func TestFormatHexWidth(t *testing.T) {
	a := leakChecked(t)
	for _, tc := range []struct {
		nbits int
		set   []int
		want  string
	}{
		{0, nil, ""},
		{1, nil, "0"},
		{1, []int{0}, "1"},
		{2, []int{0, 1}, "3"},
		{4, []int{0, 1, 2, 3}, "f"},
		{5, []int{4}, "10"},
		{31, []int{30}, "40000000"},
		{32, nil, "00000000"},
		{32, []int{31}, "80000000"},
		{33, []int{32}, "1,00000000"},
		{36, nil, "0,00000000"},
		{37, []int{36}, "10,00000000"},
		{64, []int{0}, "00000000,00000001"},
		{65, nil, "0,00000000,00000000"},
		{96, []int{95, 4}, "80000000,00000000,00000010"},
		{100, []int{99, 0}, "8,00000000,00000000,00000001"},
	} {
		b := mustNew(t, a, tc.nbits)
		for _, i := range tc.set {
			b.NonAtomicSet(i)
		}
		require.Equal(t, tc.want, b.FormatHex(), "FormatHex at %d bits", tc.nbits)
		b.Release()
	}
}

func TestFormatFill(t *testing.T) {
	a := leakChecked(t)
	for n := range 200 {
		b := mustNew(t, a, n)
		b.Fill()
		want := ""
		if n == 1 {
			want = "0"
		} else if n > 1 {
			want = fmt.Sprintf("0-%d", n-1)
		}
		require.Equal(t, want, b.FormatList())
		h := b.FormatHex()
		if n > 0 {
			first := (n%32+31)%32 + 1 // bits in the first chunk
			require.Len(t, h, (n+31)/32*9-9+(first+3)/4, "FormatHex at %d bits: %q", n, h)
		}
		// "all", the list and the hex mask give it back.
		for _, p := range []struct {
			parse func(string, int) (*bpfbitmap.Bitmap, error)
			in    string
		}{{a.ParseList, "all"}, {a.ParseList, want}, {a.ParseHex, h}} {
			c, err := p.parse(p.in, n)
			if n == 0 && p.in == "all" {
				require.ErrorIs(t, err, syscall.EINVAL)
				continue
			}
			require.NoError(t, err, "%q at %d", p.in, n)
			require.True(t, c.Equal(b), "%q at %d = %v", p.in, n, c)
			requireClean(t, c)
			c.Release()
		}
		b.Release()
	}
}

// TestTextRoundTrip checks Parse(Format(b)) == b for both forms and
// UnmarshalText(MarshalText(b)) at the tail sizes.
func TestTextRoundTrip(t *testing.T) {
	a := leakChecked(t)
	rng := newRand()
	for _, n := range append(tailSizes, 31, 32, 33, 2049) {
		for name, m := range patterns(rng, n) {
			b := fromModel(t, a, m)
			list, hex := b.FormatList(), b.FormatHex()
			l, err := a.ParseList(list, n)
			require.NoError(t, err, "%s/%d: ParseList(%q)", name, n, list)
			require.Equal(t, m.words(), l.Words(), "%s/%d list %q", name, n, list)
			h, err := a.ParseHex(hex, n)
			require.NoError(t, err, "%s/%d: ParseHex(%q)", name, n, hex)
			require.Equal(t, m.words(), h.Words(), "%s/%d hex %q", name, n, hex)

			text, err := b.MarshalText()
			require.NoError(t, err)
			require.Equal(t, list, string(text))
			u := mustNew(t, a, n)
			u.Fill() // UnmarshalText replaces, it does not OR
			require.NoError(t, u.UnmarshalText(text))
			require.Equal(t, m.words(), u.Words())
			requireClean(t, u)
			for _, x := range []*bpfbitmap.Bitmap{b, l, h, u} {
				x.Release()
			}
		}
	}
}

func TestUnmarshalText(t *testing.T) {
	a := leakChecked(t)
	var nilMap *bpfbitmap.Bitmap
	err := nilMap.UnmarshalText([]byte("1"))
	requireOneSentinel(t, err, syscall.EINVAL, "nil receiver")
	text, err := nilMap.MarshalText()
	require.NoError(t, err)
	require.Empty(t, text)
	require.Equal(t, "", nilMap.String())
	require.Equal(t, "", nilMap.FormatHex())

	b := mustNew(t, a, 16)
	defer b.Release()
	require.NoError(t, b.UnmarshalText([]byte("1-3,15")))
	require.Equal(t, "1-3,15", b.String())
	// Errors leave b as it was, even when early regions were valid.
	for _, bad := range []string{"0-16", "4,x", "0-3,99", "4294967296", "2-1"} {
		err := b.UnmarshalText([]byte(bad))
		require.Error(t, err, bad)
		require.Equal(t, "1-3,15", b.String(), "after UnmarshalText(%q)", bad)
	}
	require.NoError(t, b.UnmarshalText(nil))
	require.True(t, b.Empty())
	require.NoError(t, b.UnmarshalText([]byte("N")))
	require.Equal(t, "15", b.String())
}

func TestAppendNoAlloc(t *testing.T) {
	a := leakChecked(t)
	b, err := a.ParseList("0-3,8,10-11,100-200:3/7,4000-4095", 4096)
	require.NoError(t, err)
	defer b.Release()
	require.Equal(t, "x=0-3,8,10-11", string(b.AppendList([]byte("x="))[:13]))
	require.Equal(t, "y="+b.FormatHex(), string(b.AppendHex([]byte("y="))))
	buf := make([]byte, 0, 4096)
	require.Zero(t, testing.AllocsPerRun(100, func() { buf = b.AppendList(buf[:0]) }))
	require.Zero(t, testing.AllocsPerRun(100, func() { buf = b.AppendHex(buf[:0]) }))
	require.Equal(t, b.FormatHex(), string(buf))
	small := mustNew(t, a, 64)
	defer small.Release()
	small.Fill()
	require.LessOrEqual(t, testing.AllocsPerRun(100, func() { _ = small.FormatList() }), 1.0)
	require.LessOrEqual(t, testing.AllocsPerRun(100, func() { _ = small.FormatHex() }), 1.0)
}

// benchText is a cpulist of a 4096-CPU machine with SMT siblings offline.
const benchText = "0-1023:1/2,1024-2047,2048-4095:16/32"

func BenchmarkParseList(b *testing.B) {
	a := bpfbitmap.NewAllocator()
	b.ReportAllocs()
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		m, err := a.ParseList(benchText, 4096)
		if err != nil {
			b.Fatal(err)
		}
		m.Release()
	}
}

func BenchmarkFormatList(b *testing.B) {
	a := bpfbitmap.NewAllocator()
	m, err := a.ParseList(benchText, 4096)
	require.NoError(b, err)
	defer m.Release()
	buf := m.AppendList(nil)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		buf = m.AppendList(buf[:0])
	}
}
