package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
)

var cmdConvert = &command{
	name:  "convert",
	args:  "[MASK...]",
	short: "convert CPU lists (0-3,8) to hex masks (10f) and back",
	long: `
Convert converts each MASK, or each line of standard input when there is
none, between the kernel's two CPU mask text forms: the list form of
/sys/devices/system/cpu/online and taskset -c ("0-3,8", with the kernel's
"0-15:2/4" strides; %*pbl) and the hex form of /proc/self/status and taskset
("10f", comma-separated 32-bit groups allowed; %*pb).

--to picks the output form; the input is in the other form unless --from
says otherwise (--from list --to list normalises a list).

Masks are as wide as each input needs and at least this host's nr_cpu_ids,
so a mask copied from a larger machine converts here ("N" and "all" stand
for the last CPU of that width). With --bits, masks are exactly --bits wide
and the kernel's rules apply: a CPU at or above it is an error (ERANGE for
a list, EOVERFLOW for a hex mask), and the message says how many bits the
input needs.

Bad input is reported on standard error in the kernel's terms (EINVAL for
malformed text, ERANGE for a CPU out of range, EOVERFLOW for a number too
large), the other inputs are still converted, and the exit status is 1.`,
	flags: func(c *command, fs *flag.FlagSet) runFunc {
		to := &choice{allowed: []string{"list", "hex"}}
		from := &choice{allowed: []string{"list", "hex"}}
		fs.Var(to, "to", "output `FORM`: list or hex (required)")
		fs.Var(from, "from", "input `FORM`: list or hex (default: the form --to is not)")
		bits := fs.Int("bits", 0, "mask width in bits, `N` from 1 to 16777216 (default: what the input needs, at least this host's nr_cpu_ids)")
		asJSON := fs.Bool("json", false, "print a JSON array with both forms of every input instead of text")
		return func(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
			if to.val == "" {
				return c.usageError(stderr, "--to list|hex is required")
			}
			if from.val == "" {
				from.val = map[string]string{"list": "hex", "hex": "list"}[to.val]
			}
			cv := converter{cmd: c, from: from.val, to: to.val, nbits: *bits}
			if isSet(fs, "bits") {
				if cv.nbits < 1 || cv.nbits > bpfbitmap.MaxBits {
					return c.usageError(stderr, "--bits %d: want 1 to %d", cv.nbits, bpfbitmap.MaxBits)
				}
			} else {
				// Without sysfs the inputs alone decide the width.
				if t, err := cast.Host(); err == nil {
					cv.minBits = t.NrCPUIDs()
				}
				cv.auto = true
			}
			return cv.run(args, stdin, stdout, stderr, *asJSON)
		}
	},
}

// converter converts masks of nbits bits from one text form to another;
// with auto, each mask is as wide as its input needs, at least minBits.
type converter struct {
	cmd      *command
	from, to string // "list" or "hex"
	nbits    int
	auto     bool
	minBits  int
}

// convertJSON is one element of the --json output of convert.
type convertJSON struct {
	Input string `json:"input"` // cut to maxEcho bytes in an error entry
	// InputBytes is the input's length when an error entry cut it.
	InputBytes int    `json:"input_bytes,omitempty"`
	Line       int    `json:"line,omitempty"` // 1-based line of standard input
	Output     string `json:"output,omitempty"`
	*MaskJSON
	Error  string `json:"error,omitempty"`
	Errno  string `json:"errno,omitempty"`  // "EINVAL", "ERANGE", "EOVERFLOW"
	Offset *int   `json:"offset,omitempty"` // byte of Input the error is at
}

func (cv converter) run(args []string, stdin io.Reader, stdout, stderr io.Writer, asJSON bool) int {
	var results []convertJSON
	status := exitOK
	one := func(in string, line int) error {
		r := cv.convert(in)
		r.Line = line
		if r.Error != "" {
			status = exitFail
			writeConvertError(stderr, &r)
		}
		if asJSON {
			results = append(results, r)
			return nil
		}
		if r.Error != "" {
			return nil
		}
		_, err := fmt.Fprintln(stdout, r.Output)
		return err
	}
	if len(args) > 0 {
		for _, a := range args {
			if err := one(a, 0); err != nil {
				return cv.cmd.fail(stderr, err)
			}
		}
	} else {
		sc := bufio.NewScanner(stdin)
		sc.Buffer(nil, 4*bpfbitmap.MaxBits) // a full hex mask with commas fits
		for line := 1; sc.Scan(); line++ {
			if err := one(strings.TrimSuffix(sc.Text(), "\r"), line); err != nil {
				return cv.cmd.fail(stderr, err)
			}
		}
		if err := sc.Err(); err != nil {
			return cv.cmd.fail(stderr, fmt.Errorf("reading standard input: %w", err))
		}
	}
	if asJSON {
		if results == nil {
			results = []convertJSON{}
		}
		if err := writeJSON(stdout, results); err != nil {
			return cv.cmd.fail(stderr, err)
		}
	}
	return status
}

// writeConvertError prints r's error as
//
//	bpfbitmap convert: line 2: "0-3,x": bitmap_parselist: at byte 4 "x": … (EINVAL)
//	    0-3,x
//	        ^
//
// the caret under the byte the kernel stopped at, when the input is short
// plain text.
func writeConvertError(w io.Writer, r *convertJSON) {
	where := ""
	if r.Line > 0 {
		where = fmt.Sprintf("line %d: ", r.Line)
	}
	in := r.Input
	if r.InputBytes > 0 {
		in = fmt.Sprintf("%q... (%d bytes)", in, r.InputBytes)
	} else {
		in = strconv.Quote(in)
	}
	fmt.Fprintf(w, "bpfbitmap convert: %s%s: %s\n", where, in, r.Error)
	if r.Offset == nil || r.InputBytes > 0 || len(r.Input) > 72 || *r.Offset > len(r.Input) {
		return
	}
	for _, c := range []byte(r.Input) {
		if c < ' ' || c > '~' {
			return
		}
	}
	fmt.Fprintf(w, "    %s\n    %s^\n", r.Input, strings.Repeat(" ", *r.Offset))
}

// maxEcho bounds how much of a bad input an error repeats: a line may be
// megabytes long, and the error already names the offending region.
const maxEcho = 64

// convert parses in and formats it, or describes why it cannot.
func (cv converter) convert(in string) convertJSON {
	r := convertJSON{Input: in}
	parse, width := bpfbitmap.ParseList, bpfbitmap.ListBits
	if cv.from == "hex" {
		parse, width = bpfbitmap.ParseHex, bpfbitmap.HexBits
	}
	nbits := cv.nbits
	need, needErr := 0, error(nil)
	if cv.auto {
		need, needErr = width(in)
		nbits = max(need, cv.minBits, 1)
	}
	var b *bpfbitmap.Bitmap
	err := needErr
	if err == nil {
		b, err = parse(in, nbits)
	}
	if err != nil {
		r.Errno = errnoName(err)
		r.Error = fmt.Sprintf("%v (%s)", err, r.Errno)
		if pe, ok := errors.AsType[*bpfbitmap.ParseError](err); ok {
			r.Offset = &pe.Offset
		}
		// Say when the input is fine and only --bits is too small.
		if !cv.auto && (errors.Is(err, bpfbitmap.ErrRange) || errors.Is(err, bpfbitmap.ErrOverflow)) {
			if need, err := width(in); err == nil && need > cv.nbits {
				r.Error += fmt.Sprintf("; the input needs %d bits, more than --bits %d (give --bits %d or more, or leave --bits out)", need, cv.nbits, need)
			}
		}
		if len(in) > maxEcho {
			cut := maxEcho
			for cut > 0 && !utf8.RuneStart(in[cut]) {
				cut--
			}
			r.Input, r.InputBytes = in[:cut], len(in)
		}
		return r
	}
	defer b.Release()
	r.MaskJSON = newMaskJSON(b)
	r.Output = r.List
	if cv.to == "hex" {
		r.Output = r.Mask
	}
	return r
}

// errnoName returns the kernel's name for the errno err matches.
func errnoName(err error) string {
	for _, e := range []struct {
		errno syscall.Errno
		name  string
	}{
		{syscall.EINVAL, "EINVAL"},
		{syscall.ERANGE, "ERANGE"},
		{syscall.EOVERFLOW, "EOVERFLOW"},
		{syscall.E2BIG, "E2BIG"},
		{syscall.ENOMEM, "ENOMEM"},
	} {
		if errors.Is(err, e.errno) {
			return e.name
		}
	}
	return "EIO"
}
