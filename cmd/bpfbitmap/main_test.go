package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the current output")

// result is what one in-process run of the program produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the program in-process with stdin and args, and checks that
// it released every Bitmap it allocated.
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	before := bpfbitmap.Default().Stats().Live
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(stdin), &stdout, &stderr)
	require.Equal(t, before, bpfbitmap.Default().Stats().Live, "bpfbitmap %s: live Bitmaps leaked", strings.Join(args, " "))
	return result{code, stdout.String(), stderr.String()}
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run 'go test ./cmd/bpfbitmap -update' to create it")
	assert.Equal(t, string(want), got, "output differs from %s; if intended, run with -update", path)
}

// cliCase is one run of the program and what it must produce. Outputs are
// regular expressions; an empty one must match empty output.
type cliCase struct {
	name   string
	args   []string
	stdin  string
	code   int
	stdout string
	stderr string
}

func (tt cliCase) check(t *testing.T) {
	t.Helper()
	r := runCLI(t, tt.stdin, tt.args...)
	assert.Equal(t, tt.code, r.code, "exit status of bpfbitmap %q\nstdout:\n%s\nstderr:\n%s", tt.args, r.stdout, r.stderr)
	for _, o := range []struct{ name, re, got string }{
		{"stdout", tt.stdout, r.stdout},
		{"stderr", tt.stderr, r.stderr},
	} {
		if o.re == "" {
			assert.Empty(t, o.got, o.name)
			continue
		}
		assert.Regexp(t, regexp.MustCompile(o.re), o.got, o.name)
	}
}

func TestRun(t *testing.T) {
	for _, tt := range []cliCase{
		{name: "no args", code: exitUsage, stderr: `(?s)^Usage: bpfbitmap <command>.*cpus .*convert `},
		{name: "-h", args: []string{"-h"}, stdout: `(?s)^Usage: bpfbitmap <command>.*Commands:\n  cpus .*\n  convert `},
		{name: "--help", args: []string{"--help"}, stdout: `^Usage: bpfbitmap <command>`},
		{name: "help", args: []string{"help"}, stdout: `^Usage: bpfbitmap <command>`},
		{name: "help cpus", args: []string{"help", "cpus"}, stdout: `(?s)^Usage: bpfbitmap cpus \[flags\]\n.*\n  --json\n.*\n  --sysfs DIR\n`},
		{name: "help convert", args: []string{"help", "convert"}, stdout: `(?s)^Usage: bpfbitmap convert \[flags\] \[MASK...\]\n.*  --to FORM\n`},
		{name: "help unknown", args: []string{"help", "frob"}, code: exitUsage, stderr: `bpfbitmap help: unknown command "frob"`},
		{name: "help too many", args: []string{"help", "cpus", "convert"}, code: exitUsage, stderr: `unknown command "cpus convert"`},
		{name: "unknown command", args: []string{"frob"}, code: exitUsage, stderr: `^bpfbitmap: unknown command "frob"\nRun 'bpfbitmap -h' for usage.\n$`},
		{name: "flag before command", args: []string{"--json", "cpus"}, code: exitUsage, stderr: `unknown command "--json"`},
		{name: "cpus -h", args: []string{"cpus", "-h"}, stdout: `^Usage: bpfbitmap cpus \[flags\]\n\nCpus prints`},
		{name: "cpus --help", args: []string{"cpus", "--help"}, stdout: `^Usage: bpfbitmap cpus`},
		{name: "cpus bad flag", args: []string{"cpus", "--frob"}, code: exitUsage, stderr: `^bpfbitmap cpus: flag provided but not defined: --frob\nUsage: bpfbitmap cpus \[flags\]\nRun 'bpfbitmap cpus -h' for help.\n$`},
		{name: "cpus argument", args: []string{"cpus", "0-3"}, code: exitUsage, stderr: `^bpfbitmap cpus: unexpected argument "0-3"\nUsage:`},
		{name: "cpus --sysfs without value", args: []string{"cpus", "--sysfs"}, code: exitUsage, stderr: `^bpfbitmap cpus: flag needs an argument: --sysfs\n`},
		{name: "convert -h", args: []string{"convert", "-h"}, stdout: `^Usage: bpfbitmap convert \[flags\] \[MASK...\]\n\nConvert converts`},
		{name: "convert -h after args", args: []string{"convert", "0-3", "-h"}, stdout: `^Usage: bpfbitmap convert`},
	} {
		t.Run(tt.name, tt.check)
	}
}

func TestParseInterspersed(t *testing.T) {
	for _, tt := range []struct {
		args []string
		rest []string
		to   string
	}{
		{[]string{"a", "--to", "x", "b"}, []string{"a", "b"}, "x"},
		{[]string{"--to=x", "a"}, []string{"a"}, "x"},
		{[]string{"a", "--", "--to", "y"}, []string{"a", "--to", "y"}, ""},
		{[]string{"--", "-1"}, []string{"-1"}, ""},
		{nil, nil, ""},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		to := fs.String("to", "", "")
		rest, err := parseInterspersed(fs, tt.args)
		require.NoError(t, err, "%q", tt.args)
		assert.Equal(t, tt.rest, rest, "parseInterspersed(%q) arguments", tt.args)
		assert.Equal(t, tt.to, *to, "parseInterspersed(%q) --to", tt.args)
	}
}
