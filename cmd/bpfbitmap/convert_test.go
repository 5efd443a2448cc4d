package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bpfbitmap/prototype/cast"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConvert(t *testing.T) {
	for _, tt := range []cliCase{
		{name: "list to hex", args: []string{"convert", "--to", "hex", "--bits", "16", "0-3,8"}, stdout: `^010f\n$`},
		{name: "hex to list", args: []string{"convert", "--to", "list", "--bits", "16", "010f"}, stdout: `^0-3,8\n$`},
		{name: "flags after arguments", args: []string{"convert", "0-3,8", "--bits=16", "--to=hex"}, stdout: `^010f\n$`},
		{name: "single dash flags", args: []string{"convert", "-to", "hex", "-bits", "16", "0-3,8"}, stdout: `^010f\n$`},
		{name: "many arguments", args: []string{"convert", "--to", "hex", "--bits", "64", "0", "63", "0-63", ""},
			stdout: `^00000000,00000001\n80000000,00000000\nffffffff,ffffffff\n00000000,00000000\n$`},
		{name: "strides", args: []string{"convert", "--to", "hex", "--bits", "32", "0-31:2/8"}, stdout: `^03030303\n$`},
		{name: "N is the last bit", args: []string{"convert", "--to", "hex", "--bits", "12", "N", "0-N"}, stdout: `^800\nfff\n$`},
		{name: "hex chunks", args: []string{"convert", "--to", "list", "--bits", "64", "1,00000000", "1,,5", "deadBEEF"}, stdout: `^32\n0,2,32\n0-3,5-7,9-13,15-16,18-19,21,23,25-28,30-31\n$`},
		{name: "normalise a list", args: []string{"convert", "--from", "list", "--to", "list", "--bits", "8", "0,1,2,3,7,6"}, stdout: `^0-3,6-7\n$`},
		{name: "normalise a mask", args: []string{"convert", "--from", "hex", "--to", "hex", "--bits", "40", "1"}, stdout: `^00,00000001\n$`},
		{name: "beyond 1024 bits", args: []string{"convert", "--to", "list", "--bits", "2048", "1,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000"},
			stdout: `^1024\n$`},
		{name: "stdin", args: []string{"convert", "--to", "list", "--bits", "64"}, stdin: "3\r\n\nff\n1,,5\n", stdout: `^0-1\n\n0-7\n0,2,32\n$`},
		{name: "stdin without final newline", args: []string{"convert", "--to", "hex", "--bits", "8"}, stdin: "1\n2", stdout: `^02\n04\n$`},
		{name: "empty stdin", args: []string{"convert", "--to", "hex", "--bits", "8"}},

		// Bad input: reported with the kernel's function, position and
		// errno; the other inputs are still converted; exit status 1.
		{name: "bad list", args: []string{"convert", "--to", "hex", "--bits", "16", "0-3", "0-3,x", "8"}, code: exitFail,
			stdout: `^000f\n0100\n$`,
			stderr: `^bpfbitmap convert: "0-3,x": bitmap_parselist: at byte 4 "x": .*invalid argument \(EINVAL\)\n    0-3,x\n        \^\n$`},
		{name: "list out of range", args: []string{"convert", "--to", "hex", "--bits", "8", "0-8"}, code: exitFail,
			stderr: `^bpfbitmap convert: "0-8": bitmap_parselist: at byte 0 "0-8": bit 8 out of range for 8 bits: .* \(ERANGE\); the input needs 9 bits, more than --bits 8 \(give --bits 9 or more, or leave --bits out\)\n    0-8\n    \^\n$`},
		{name: "list overflow", args: []string{"convert", "--to", "hex", "--bits", "8", "1,4294967296"}, code: exitFail,
			stderr: `at byte 2 .*\(EOVERFLOW\)\n    1,4294967296\n      \^\n$`},
		{name: "list start above end", args: []string{"convert", "--to", "hex", "--bits", "8", "5-3"}, code: exitFail, stderr: `start 5 > end 3.*\(EINVAL\)`},
		{name: "bad hex", args: []string{"convert", "--to", "list", "--bits", "64", "0x1g"}, code: exitFail,
			stderr: `^bpfbitmap convert: "0x1g": bitmap_parse: at byte 3 .*\(EINVAL\)\n    0x1g\n       \^\n$`},
		{name: "hex too wide", args: []string{"convert", "--to", "list", "--bits", "8", "1ff"}, code: exitFail, stderr: `bitmap_parse: .*\(EOVERFLOW\)`},
		{name: "hex too many digits", args: []string{"convert", "--to", "list", "--bits", "64", "123456789"}, code: exitFail, stderr: `more than 8 hex digits.*\(EOVERFLOW\)`},
		{name: "bad stdin line", args: []string{"convert", "--to", "list", "--bits", "8"}, stdin: "1\nzz\n2\n", code: exitFail,
			stdout: `^0\n1\n$`, stderr: `^bpfbitmap convert: line 2: "zz": bitmap_parse: .*\(EINVAL\)\n`},
		{name: "no caret for control bytes", args: []string{"convert", "--to", "hex", "--bits", "8", "1\t9"}, code: exitFail,
			stderr: `^bpfbitmap convert: "1\\t9": bitmap_parselist: .*\(ERANGE\); the input needs 10 bits.*\n$`},

		// Usage errors: exit status 2, nothing converted.
		{name: "no --to", args: []string{"convert", "--bits", "8", "1"}, code: exitUsage,
			stderr: `^bpfbitmap convert: --to list\|hex is required\nUsage: bpfbitmap convert \[flags\] \[MASK...\]\nRun 'bpfbitmap convert -h' for help.\n$`},
		{name: "bad --to", args: []string{"convert", "--to", "octal", "1"}, code: exitUsage, stderr: `^bpfbitmap convert: invalid value "octal" for flag --to: must be list or hex\nUsage: bpfbitmap convert`},
		{name: "bad --from", args: []string{"convert", "--from", "dec", "--to", "hex", "1"}, code: exitUsage, stderr: `^bpfbitmap convert: invalid value "dec" for flag --from`},
		{name: "--bits 0", args: []string{"convert", "--to", "hex", "--bits", "0", "1"}, code: exitUsage, stderr: `--bits 0: want 1 to 16777216`},
		{name: "--bits negative", args: []string{"convert", "--to", "hex", "--bits", "-5", "1"}, code: exitUsage, stderr: `--bits -5: want 1 to`},
		{name: "--bits huge", args: []string{"convert", "--to", "hex", "--bits", "16777217", "1"}, code: exitUsage, stderr: `--bits 16777217`},
		{name: "--bits not a number", args: []string{"convert", "--to", "hex", "--bits", "many", "1"}, code: exitUsage, stderr: `^bpfbitmap convert: invalid value "many" for flag --bits`},
		{name: "unknown flag", args: []string{"convert", "--to", "hex", "-x"}, code: exitUsage, stderr: `^bpfbitmap convert: flag provided but not defined: --x\n`},
		{name: "flag without value", args: []string{"convert", "--to"}, code: exitUsage, stderr: `^bpfbitmap convert: flag needs an argument: --to\n`},
	} {
		t.Run(tt.name, tt.check)
	}
}

func TestConvertJSON(t *testing.T) {
	r := runCLI(t, "0-3\n0-3,x\n\n", "convert", "--json", "--to", "hex", "--bits", "8")
	assert.Equal(t, exitFail, r.code)
	assert.Contains(t, r.stderr, `line 2: "0-3,x"`)
	var got []convertJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got), r.stdout)
	four := 4
	assert.Equal(t, []convertJSON{
		{Input: "0-3", Line: 1, Output: "0f", MaskJSON: &MaskJSON{List: "0-3", Mask: "0f", Weight: 4, Bits: 8}},
		{Input: "0-3,x", Line: 2, Errno: "EINVAL", Offset: &four,
			Error: `bitmap_parselist: at byte 4 "x": expected a number or 'N' at 'x': invalid argument (EINVAL)`},
		{Input: "", Line: 3, Output: "00", MaskJSON: &MaskJSON{List: "", Mask: "00", Weight: 0, Bits: 8}},
	}, got)

	r = runCLI(t, "", "convert", "--json", "--to", "list", "--bits", "8")
	assert.Equal(t, exitOK, r.code)
	assert.JSONEq(t, `[]`, r.stdout, "no input is an empty array")
}

// TestConvertDefaultBits checks that without --bits a mask is as wide as
// its input needs and at least this host's nr_cpu_ids, so that a mask from
// a larger machine converts here.
func TestConvertDefaultBits(t *testing.T) {
	n := 1
	if topo, err := cast.Host(); err == nil {
		n = topo.NrCPUIDs()
	}
	width := func(t *testing.T, args ...string) int {
		r := runCLI(t, "", append([]string{"convert", "--json"}, args...)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		var got []convertJSON
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
		require.Len(t, got, 1)
		return got[0].Bits
	}
	assert.Equal(t, n, width(t, "--to", "list", "0"))
	assert.Equal(t, n, width(t, "--to", "hex", "0-N"), "N is the host's last CPU")
	assert.Equal(t, max(n, 200), width(t, "--to", "hex", "0-3,199"))
	assert.Equal(t, max(n, 64), width(t, "--to", "list", "ff,ffffffff"[:0]+"80000000,00000000"))

	// The audit's case: a 64-CPU mask on this host.
	(cliCase{args: []string{"convert", "--to", "list", "ff,ffffffff"}, stdout: `^0-39\n$`}).check(t)
	(cliCase{args: []string{"convert", "--to", "hex", "0-39"}, stdout: `^ff,ffffffff\n$`}).check(t)
	last := strconv.Itoa(n - 1)
	(cliCase{args: []string{"convert", "--to", "hex", last}, stdout: `^[0-9a-f,]+\n$`}).check(t)
	// Input no width can hold still fails, in the kernel's terms.
	(cliCase{args: []string{"convert", "--to", "hex", "16777216"}, code: exitFail, stderr: `\(ERANGE\)`}).check(t)
	(cliCase{args: []string{"convert", "--to", "hex", "x"}, code: exitFail, stderr: `\(EINVAL\)`}).check(t)
}

// A bad line is echoed at most maxEcho bytes long, on stderr and in JSON.
func TestConvertEchoBounded(t *testing.T) {
	line := "0-3," + strings.Repeat("٣", 1<<19) // 1 MiB
	r := runCLI(t, line+"\n", "convert", "--json", "--to", "hex", "--bits", "8")
	assert.Equal(t, exitFail, r.code)
	assert.Less(t, len(r.stderr), 1024, "stderr repeats the line")
	assert.Contains(t, r.stderr, fmt.Sprintf("... (%d bytes)", len(line)))
	var got []convertJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	require.Len(t, got, 1)
	assert.LessOrEqual(t, len(got[0].Input), maxEcho)
	assert.True(t, utf8.ValidString(got[0].Input), "cut inside a character")
	assert.Equal(t, len(line), got[0].InputBytes)
	assert.Less(t, len(r.stdout), 1024)
}
