package bpfbitmap

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bpfbitmap/prototype/internal/words"
)

// The text forms follow the kernel byte for byte:
//
//	list  "0-3,8,10-11"          %*pbl (bitmap_list_string), bitmap_parselist
//	hex   "00000f00,0000000f"    %*pb (bitmap_string), bitmap_parse
//
// Both parsers read the input as the C string the kernel would see: it ends
// at the first NUL byte. Their quirks are kept on purpose, so that a string
// accepted or rejected here is accepted or rejected by the kernel with the
// same errno and sets the same bits; each is documented where it arises.

// ParseError reports where text input went wrong. Err is ErrInvalid,
// ErrRange or ErrOverflow: the sentinel whose errno the kernel function named
// by Func returns for the same input.
type ParseError struct {
	Func   string // kernel function whose rules applied: "bitmap_parselist" or "bitmap_parse"
	Offset int    // byte offset of the offending text in the input
	Text   string // the offending region or chunk (at most 64 bytes)
	Reason string // what is wrong with it
	Err    error  // ErrInvalid, ErrRange or ErrOverflow
}

// Error says where, what and which errno, as in
//
//	bitmap_parselist: at byte 4 "8-9": bit 9 out of range for 8 bits: bit index out of range
func (e *ParseError) Error() string {
	return fmt.Sprintf("%s: at byte %d %q: %s: %v", e.Func, e.Offset, e.Text, e.Reason, e.Err)
}

// Unwrap returns the sentinel, so that errors.Is matches both it and its
// errno (syscall.EINVAL, ERANGE or EOVERFLOW).
func (e *ParseError) Unwrap() error { return e.Err }

// maxErrText bounds ParseError.Text: the input may be a whole sysfs page.
const maxErrText = 64

func parseErr(fn, s string, off, lo, hi int, err error, format string, args ...any) *ParseError {
	if hi-lo > maxErrText {
		hi = lo + maxErrText
		// Do not cut a character in two.
		for hi > lo && !utf8.RuneStart(s[hi]) {
			hi--
		}
	}
	return &ParseError{
		Func:   fn,
		Offset: off,
		// Clone so that an error does not pin a large input in memory.
		Text:   strings.Clone(s[lo:hi]),
		Reason: fmt.Sprintf(format, args...),
		Err:    err,
	}
}

// charAt quotes the character at s[i] for an error message: the UTF-8
// sequence that starts there ('٣'), or the byte alone when none does
// ('\xd9', not the Latin-1 letter 'Ù'); '\x00', the C string's NUL, at the
// end.
func charAt(s string, i int) string {
	if i >= len(s) {
		return `'\x00'`
	}
	if r, n := utf8.DecodeRuneInString(s[i:]); r != utf8.RuneError || n > 1 {
		return strconv.QuoteRune(r)
	}
	return fmt.Sprintf(`'\x%02x'`, s[i])
}

// charEndingAt is charAt for the character whose last byte is s[i], for
// the hex parser, which reads right to left.
func charEndingAt(s string, i int) string {
	if r, n := utf8.DecodeLastRuneInString(s[:i+1]); r != utf8.RuneError || n > 1 {
		return strconv.QuoteRune(r)
	}
	return fmt.Sprintf(`'\x%02x'`, s[i])
}

// cString cuts s at its first NUL: the kernel never sees what follows it.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// isSpace is the kernel's isspace (lib/ctype.c), which unlike Go's
// unicode.IsSpace is a byte table that also marks 0xA0, Latin-1's no-break
// space, and treats no multi-byte sequence as space.
func isSpace(c byte) bool {
	return c == ' ' || '\t' <= c && c <= '\r' || c == 0xa0
}

// isSeparator is __end_of_region in lib/bitmap-str.c.
func isSeparator(c byte) bool { return isSpace(c) || c == ',' }

// token returns the bounds of the separator-delimited token around i, for
// error messages.
func token(s string, i int) (lo, hi int) {
	lo, hi = i, i
	for lo > 0 && !isSeparator(s[lo-1]) {
		lo--
	}
	for hi < len(s) && !isSeparator(s[hi]) {
		hi++
	}
	return lo, hi
}

// region is struct region of lib/bitmap-str.c. The fields are unsigned int
// there and uint32 here, because their wrap-around decides results: "N" with
// nbits 0 and the number 4294967295 both give end+1 == 0, hence group_len 0
// and EINVAL rather than ERANGE.
type region struct {
	start, off, groupLen, end, nbits uint32
}

// ParseList parses the kernel's list format into a new Bitmap of nbits bits
// from the Default allocator (kernel: bitmap_parselist); see
// Allocator.ParseList.
func ParseList(s string, nbits int) (*Bitmap, error) {
	return defaultAllocator.ParseList(s, nbits)
}

// ParseList parses the kernel's list format into a new Bitmap of nbits bits
// from a (kernel: bitmap_parselist). The input is a list of regions separated
// by commas or whitespace:
//
//	8           one bit
//	0-3         a range, both ends included
//	0-31:2/8    of each 8-bit group from 0 to 31, the first 2 bits: 0-1,8-9,…
//	all         0-N, and may carry a group suffix too ("all:1/2")
//	N           as a number anywhere: the last bit, nbits-1
//
// Empty input, or only separators, gives an empty bitmap. As in the kernel,
// commas and whitespace (isspace, which includes \n and 0xA0) may precede
// any region, but a newline right after a region without a group suffix ends
// the input; after a group suffix the next region may follow without a
// separator ("0-7:1/4N" is "0-7:1/4,N").
//
// Errors are *ParseError wrapping ErrInvalid (EINVAL: bad syntax, start >
// end, a group size of 0, more used bits than the group has), ErrRange
// (ERANGE: end >= nbits) or ErrOverflow (EOVERFLOW: a number above
// 4294967295), checked region by region in the kernel's order; ErrTooBig
// (E2BIG) when the regions need more than ListWorkBase + ListWorkPerByte *
// len(s) steps, which no input the kernel can be given does; and New's
// errors for nbits (ErrInvalid when negative, ErrTooBig above MaxBits,
// ErrNoMem).
func (a *Allocator) ParseList(s string, nbits int) (*Bitmap, error) {
	b, err := a.New(nbits)
	if err != nil {
		return nil, err
	}
	if err := parseList(b.Words(), s, nbits); err != nil {
		b.Release()
		return nil, err
	}
	return b, nil
}

// parseList is bitmap_parselist into w, which must be zero; with w nil it
// only validates, so that UnmarshalText can leave its receiver untouched on
// error.
func parseList(w []uint64, s string, nbits int) error {
	s = cString(s)
	r := region{nbits: uint32(nbits)}
	budget := listBudget(len(s))
	for i := 0; ; {
		// bitmap_find_region: only NUL ends the input here, since '\n' is
		// whitespace and skipped like any other separator.
		for i < len(s) && isSeparator(s[i]) {
			i++
		}
		if i == len(s) {
			return nil
		}
		next, done, err := parseRegion(s, i, &r)
		if err != nil {
			return err
		}
		if err := checkRegion(s, i, next, &r); err != nil {
			return err
		}
		cost := regionCost(&r)
		if cost > budget {
			return parseErr("bitmap_parselist", s, i, i, next, ErrTooBig,
				"the regions so far and this one need more than %d steps (the limit for %d bytes of input)",
				listBudget(len(s)), len(s))
		}
		budget -= cost
		if w != nil {
			setRegion(w, &r)
		}
		if done {
			return nil
		}
		i = next
	}
}

// ListWorkBase is the part of ParseList's work bound that does not grow with
// the input: 2^25 steps, where a step is one group of a region (one
// bitmap_set call of bitmap_set_region in lib/bitmap-str.c) or one word a
// region covers. The kernel's own inputs stay far below it: its callers
// pass nmaskbits <= NR_CPUS (at most 8192) and buffers of at most PAGE_SIZE
// (kernfs caps a sysfs or cgroup write at PAGE_SIZE, fs/kernfs/file.c), so
// at most 2048 regions of at most 8192 groups and 128 words each,
// 2048 * (8192 + 128) < 2^25. Past it, ParseList fails with ErrTooBig
// (E2BIG, what kernfs returns for a write it will not take whole) instead of
// running for hours on "all:1/2" repeated over 2^24 bits.
const ListWorkBase = 1 << 25

// ListWorkPerByte is the part of the bound that grows with the input: 4
// steps per byte, so that a long list of cheap regions (a region and its
// separator take 2 bytes and at most 2 steps) is never refused.
const ListWorkPerByte = 4

func listBudget(n int) uint64 { return ListWorkBase + ListWorkPerByte*uint64(n) }

// regionCost is the number of steps setRegion takes for r: the groups its
// loop visits plus the words the region spans.
func regionCost(r *region) uint64 {
	span := uint64(r.end) - uint64(r.start) + 1
	groups := span/uint64(r.groupLen) + 1
	if uint64(r.start)+uint64(r.groupLen) > math.MaxUint32 {
		// The wrapped walk of setRegion: down from start in steps of k.
		groups = uint64(r.start)/uint64(-r.groupLen) + 1
	}
	return groups + span/words.WordBits + 1
}

// at returns s[i], or the terminating NUL past the end.
func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func endOfStr(c byte) bool    { return c == 0 || c == '\n' }
func endOfRegion(c byte) bool { return isSeparator(c) || endOfStr(c) }

// parseRegion is bitmap_parse_region: it fills r from the region at s[i:] and
// returns where parsing stopped and whether the input ends there.
func parseRegion(s string, i int, r *region) (next int, done bool, err error) {
	lastbit := r.nbits - 1 // wraps to 4294967295 for nbits 0, as in C
	begin := i
	bad := func(at int, format string, args ...any) error {
		lo, hi := token(s, begin)
		return parseErr("bitmap_parselist", s, at, lo, hi, ErrInvalid, format, args...)
	}

	if len(s)-i >= 3 && asciiLower(s[i]) == 'a' && asciiLower(s[i+1]) == 'l' && asciiLower(s[i+2]) == 'l' {
		// strncasecmp(str, "all", 3): "allx" is not a word boundary problem
		// here but an unexpected 'x' below.
		r.start, r.end = 0, lastbit
		i += 3
	} else {
		if r.start, i, err = getNum(s, i, lastbit, begin); err != nil {
			return 0, false, err
		}
		if c := at(s, i); endOfRegion(c) {
			r.end = r.start
			return noPattern(s, i, r)
		} else if c != '-' {
			return 0, false, bad(i, "unexpected %s after a number, want '-', ',' or whitespace", charAt(s, i))
		}
		if r.end, i, err = getNum(s, i+1, lastbit, begin); err != nil {
			return 0, false, err
		}
	}

	if c := at(s, i); endOfRegion(c) {
		return noPattern(s, i, r)
	} else if c != ':' {
		return 0, false, bad(i, "unexpected %s after a range, want ':', ',' or whitespace", charAt(s, i))
	}
	if r.off, i, err = getNum(s, i+1, lastbit, begin); err != nil {
		return 0, false, err
	}
	if c := at(s, i); c != '/' {
		return 0, false, bad(i, "unexpected %s after the used size, want '/'", charAt(s, i))
	}
	if r.groupLen, i, err = getNum(s, i+1, lastbit, begin); err != nil {
		return 0, false, err
	}
	// The kernel returns here without looking at what follows the group
	// size, so even a newline does not end the input after a group suffix.
	return i, false, nil
}

// noPattern completes a region without a group suffix: one group as long as
// the range. The uint32 addition wraps for end 4294967295, as in C.
func noPattern(s string, i int, r *region) (int, bool, error) {
	r.off = r.end + 1
	r.groupLen = r.end + 1
	return i, endOfStr(at(s, i)), nil
}

func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// getNum is bitmap_getnum: 'N' or a decimal number (_parse_integer, base 10:
// no sign, no "0x", leading zeros allowed) that fits in unsigned int.
func getNum(s string, i int, lastbit uint32, begin int) (uint32, int, error) {
	if at(s, i) == 'N' {
		return lastbit, i + 1, nil
	}
	var n uint64
	overflow := false
	j := i
	for ; j < len(s) && '0' <= s[j] && s[j] <= '9'; j++ {
		d := uint64(s[j] - '0')
		// _parse_integer keeps consuming digits after a 64-bit overflow
		// and only flags it.
		if n > (math.MaxUint64-d)/10 {
			overflow = true
		}
		n = n*10 + d
	}
	lo, hi := token(s, begin)
	switch {
	case j == i:
		return 0, 0, parseErr("bitmap_parselist", s, i, lo, hi, ErrInvalid,
			"expected a number or 'N' at %s", charAt(s, i))
	case overflow || n > math.MaxUint32:
		return 0, 0, parseErr("bitmap_parselist", s, i, lo, hi, ErrOverflow,
			"number %s does not fit in 32 bits", s[i:min(j, i+maxErrText)])
	}
	return uint32(n), j, nil
}

// checkRegion is bitmap_check_region, with its checks in the kernel's order.
func checkRegion(s string, begin, next int, r *region) error {
	fail := func(err error, format string, args ...any) error {
		return parseErr("bitmap_parselist", s, begin, begin, next, err, format, args...)
	}
	switch {
	case r.start > r.end:
		return fail(ErrInvalid, "start %d > end %d", r.start, r.end)
	case r.groupLen == 0 && r.end == math.MaxUint32:
		return fail(ErrInvalid, "group size 0: end %d + 1 wraps to 0", r.end)
	case r.groupLen == 0:
		return fail(ErrInvalid, "group size 0")
	case r.off > r.groupLen:
		return fail(ErrInvalid, "used size %d > group size %d", r.off, r.groupLen)
	case r.end >= r.nbits:
		return fail(ErrRange, "bit %d out of range for %d bits", r.end, r.nbits)
	}
	return nil
}

// setRegion is bitmap_set_region:
//
//	for (start = r->start; start <= r->end; start += r->group_len)
//		bitmap_set(bitmap, start, min(r->end - start + 1, r->off));
//
// with its unsigned int loop variable. A group size of 2^32-k, k <= start,
// makes start+group_len wrap to start-k, and the loop then walks down by k
// to start%k, setting off bits (clipped at end) at each step: the kernel sets
// bits below the region's start ("1-5:1/4294967295" sets 0 and 1). That walk
// is computed here in closed form, since running it is quadratic.
func setRegion(w []uint64, r *region) {
	if r.off == 0 {
		return
	}
	start, end := int(r.start), int(r.end) // both below nbits <= MaxBits
	// A longer run is clipped at end anyway; the cap keeps int arithmetic
	// from overflowing where int has 32 bits.
	off := int(min(r.off, MaxBits+1))
	if uint64(r.start)+uint64(r.groupLen) <= math.MaxUint32 {
		switch {
		case r.off >= r.groupLen:
			words.SetRange(w, start, end+1-start)
		case r.groupLen > r.end:
			words.SetRange(w, start, min(end-start+1, off)) // one iteration
		default:
			group := int(r.groupLen)
			for t := start; t <= end; t += group {
				words.SetRange(w, t, min(end-t+1, off))
			}
		}
		return
	}
	// The wrap: group_len is 2^32-k with 1 <= k <= start.
	k := int(-r.groupLen)
	words.SetRange(w, start, min(end-start+1, off))
	// The steps below start reach t = start - j*k for every j with t >= 0;
	// each sets [t, t+off), clipped at end, which lies above start.
	lowest := start % k
	if off >= k {
		words.SetRange(w, lowest, start-lowest)
		return
	}
	for t := lowest; t < start; t += k {
		words.SetRange(w, t, off)
	}
}

// ListBits returns the fewest bits a bitmap needs for ParseList(s, nbits)
// to succeed, if it can: one more than the largest region bound written as
// a number, at least 1 if there is a region, 0 if there is none. 'N' and
// "all" stand for the last bit of whatever nbits is, and add nothing. It fails as ParseList does
// for bad syntax (ErrInvalid, ErrOverflow), and with ErrRange when the
// input needs more than MaxBits. It lets a caller parse a mask copied from
// a machine of another size.
func ListBits(s string) (int, error) {
	s = cString(s)
	// nbits 0 makes 'N' the sentinel 4294967295, above MaxBits.
	r := region{}
	need := 0
	for i := 0; ; {
		for i < len(s) && isSeparator(s[i]) {
			i++
		}
		if i == len(s) {
			return need, nil
		}
		next, done, err := parseRegion(s, i, &r)
		if err != nil {
			return 0, err
		}
		// A region needs at least one bit: at 0 bits 'N' wraps (EINVAL).
		need = max(need, 1)
		if r.end != math.MaxUint32 {
			if r.end >= MaxBits {
				return 0, parseErr("bitmap_parselist", s, i, i, next, ErrRange,
					"bit %d out of range for %d bits, the most a bitmap has", r.end, MaxBits)
			}
			need = max(need, int(r.end)+1)
		} else if r.start != math.MaxUint32 {
			// "7-N": N must be at least 7.
			need = max(need, int(min(r.start, MaxBits))+1)
		}
		if done {
			return need, nil
		}
		i = next
	}
}

// HexBits returns the fewest bits a bitmap needs for ParseHex(s, nbits) not
// to fail with ErrOverflow for want of bits: one more than the highest set
// bit, or 0 when none is. It fails as ParseHex(s, MaxBits) does.
func HexBits(s string) (int, error) {
	b, err := ParseHex(s, MaxBits)
	if err != nil {
		return 0, err
	}
	defer b.Release()
	if last := b.FindLastBit(); last < b.Len() {
		return last + 1, nil
	}
	return 0, nil
}

// ParseHex parses the kernel's hex mask format into a new Bitmap of nbits
// bits from the Default allocator (kernel: bitmap_parse); see
// Allocator.ParseHex.
func ParseHex(s string, nbits int) (*Bitmap, error) {
	return defaultAllocator.ParseHex(s, nbits)
}

// ParseHex parses the kernel's hex mask format into a new Bitmap of nbits
// bits from a (kernel: bitmap_parse). Chunks of at most 8 hex digits (either
// case) separated by commas or whitespace give 32 bits each, the last chunk
// bits 0-31, the one before it bits 32-63, and so on; a short chunk has
// leading zeros. Empty chunks are skipped, so "1,,5", ",44", "," and "" are
// valid. The input ends at its first newline.
//
// The kernel reads the chunks from the right, and a byte just left of an
// 8-digit chunk is consumed without being checked, so "x12345678" parses as
// 0x12345678 and "0x12345678" as two chunks, 0 and 0x12345678, which fit
// only in more than 32 bits. "0x" before a shorter chunk is an error.
//
// Errors are *ParseError wrapping ErrInvalid (EINVAL: a byte that is neither
// a hex digit nor a separator) or ErrOverflow (EOVERFLOW: a chunk of more
// than 8 digits, more chunks than nbits needs, or a set bit at or above
// nbits); and New's errors for nbits.
func (a *Allocator) ParseHex(s string, nbits int) (*Bitmap, error) {
	b, err := a.New(nbits)
	if err != nil {
		return nil, err
	}
	if err := parseHex(b.Words(), s, nbits); err != nil {
		b.Release()
		return nil, err
	}
	return b, nil
}

func hexVal(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return int(c - 'A' + 10)
	}
	return -1
}

// parseHex is bitmap_parse into w, which must be zero; with w nil it only
// validates.
func parseHex(w []uint64, s string, nbits int) error {
	// strnchrnul(start, buflen, '\n'): the input ends at a newline or NUL.
	if i := strings.IndexAny(s, "\n\x00"); i >= 0 {
		s = s[:i]
	}
	total := (nbits + 31) / 32 // BITS_TO_U32
	var top uint32             // the most significant chunk, if parsed
	topAt := 0
	chunk := 0
	for end := len(s) - 1; ; chunk++ {
		// bitmap_find_region_reverse
		for end >= 0 && isSeparator(s[end]) {
			end--
		}
		if end < 0 {
			break
		}
		if chunk == total {
			lo, hi := token(s, end)
			return parseErr("bitmap_parse", s, lo, lo, hi, ErrOverflow,
				"chunk %d from the right does not fit in %d bits", chunk+1, nbits)
		}
		v, next, err := getX32Reverse(s, end)
		if err != nil {
			return err
		}
		if w != nil {
			w[chunk/2] |= uint64(v) << (chunk % 2 * 32)
		}
		top, topAt = v, end
		end = next
	}
	// The kernel clears what no chunk reached, or, when every chunk was
	// given, checks that none set a bit at or above nbits.
	if chunk < total || chunk == 0 {
		return nil
	}
	if used := nbits - (total-1)*32; top>>used != 0 {
		lo, hi := token(s, topAt)
		return parseErr("bitmap_parse", s, lo, lo, hi, ErrOverflow,
			"chunk %#x sets bits at or above %d", top, nbits)
	}
	return nil
}

// getX32Reverse is bitmap_get_x32_reverse: up to 8 hex digits ending at
// s[end], read right to left. It returns the value and the index left of
// what it consumed.
func getX32Reverse(s string, end int) (uint32, int, error) {
	var v uint32
	for i := 0; i < 32; i += 4 {
		c := hexVal(s[end])
		if c < 0 {
			lo, hi := token(s, end)
			return 0, 0, parseErr("bitmap_parse", s, end, lo, hi, ErrInvalid,
				"%s is not a hex digit", charEndingAt(s, end))
		}
		v |= uint32(c) << i
		end--
		if end < 0 || isSeparator(s[end]) {
			return v, end, nil
		}
	}
	if hexVal(s[end]) >= 0 {
		lo, hi := token(s, end)
		return 0, 0, parseErr("bitmap_parse", s, end, lo, hi, ErrOverflow,
			"more than 8 hex digits in a chunk")
	}
	// The kernel's *end-- consumed the byte it just looked at.
	return v, end - 1, nil
}

// FormatList returns the set bits in the kernel's list format, "0-3,8,10-11",
// and "" when none is set (%*pbl: bitmap_list_string in lib/vsprintf.c).
func (b *Bitmap) FormatList() string {
	var buf [128]byte // most lists fit: one allocation, the string
	return string(b.AppendList(buf[:0]))
}

// AppendList appends the list format of FormatList (%*pbl:
// bitmap_list_string) to dst and returns the extended buffer, allocating only
// when dst must grow.
func (b *Bitmap) AppendList(dst []byte) []byte {
	n, w := b.Len(), b.Words()
	sep := false
	for lo := words.FindFirstBit(w, n); lo < n; {
		hi := words.FindNextZeroBit(w, n, lo+1) // the range is [lo, hi)
		if sep {
			dst = append(dst, ',')
		}
		sep = true
		dst = strconv.AppendUint(dst, uint64(lo), 10)
		if hi-1 > lo {
			dst = append(dst, '-')
			dst = strconv.AppendUint(dst, uint64(hi-1), 10)
		}
		lo = words.FindNextBit(w, n, hi+1) // hi itself is clear
	}
	return dst
}

// FormatHex returns the bits in the kernel's hex mask format (%*pb:
// bitmap_string in lib/vsprintf.c): 32-bit chunks in lower-case hex, most
// significant first, separated by commas. Every chunk has 8 digits except the
// first, which has as many as its nbits%32 bits need: "3" for 2 bits,
// "1,00000000" for 33, "00000000,00000001" for 64. A 0-bit bitmap gives "".
func (b *Bitmap) FormatHex() string {
	var buf [128]byte
	return string(b.AppendHex(buf[:0]))
}

// AppendHex appends the hex mask format of FormatHex (%*pb: bitmap_string)
// to dst and returns the extended buffer, growing dst at most once.
func (b *Bitmap) AppendHex(dst []byte) []byte {
	const hexDigits = "0123456789abcdef"
	n, w := b.Len(), b.Words()
	if n == 0 {
		return dst
	}
	chunks := (n + 31) / 32
	first := n % 32
	if first == 0 {
		first = 32
	}
	dst = growBytes(dst, (chunks-1)*9+(first+3)/4)
	size := first
	for i := (chunks - 1) * 32; i >= 0; i -= 32 {
		v := uint32(w[i/64]>>(i%64)) & (math.MaxUint32 >> (32 - size))
		if i != (chunks-1)*32 {
			dst = append(dst, ',')
		}
		for d := (size+3)/4 - 1; d >= 0; d-- {
			dst = append(dst, hexDigits[v>>(4*d)&0xf])
		}
		size = 32
	}
	return dst
}

func growBytes(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n)
		copy(nb, b)
		return nb
	}
	return b
}

// String returns FormatList, so that %v prints a Bitmap the way the kernel's
// %*pbl does.
func (b *Bitmap) String() string { return b.FormatList() }

// MarshalText implements encoding.TextMarshaler with the list format of
// FormatList (%*pbl: bitmap_list_string); a nil b gives empty text.
func (b *Bitmap) MarshalText() ([]byte, error) {
	return b.AppendList(nil), nil
}

// UnmarshalText implements encoding.TextUnmarshaler: it parses the list
// format as ParseList does (bitmap_parselist) into b, keeping b's length.
// On error b is unchanged. A nil b is an error (ErrInvalid). Like the
// NonAtomic operations it writes plain words: do not run it concurrently
// with other users of b.
func (b *Bitmap) UnmarshalText(text []byte) error {
	if b == nil {
		return fmt.Errorf("bpfbitmap: UnmarshalText into a nil *Bitmap: %w", ErrInvalid)
	}
	s := string(text)
	// Validate before touching b, which the kernel, zeroing the mask first,
	// does not do.
	if err := parseList(nil, s, b.Len()); err != nil {
		return err
	}
	w := b.Words()
	clear(w)
	return parseList(w, s, b.Len())
}
