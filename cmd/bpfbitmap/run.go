package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit statuses, as util-linux tools and cmd/go use them.
const (
	exitOK    = 0 // success, or help that was asked for
	exitFail  = 1 // the command ran and failed
	exitUsage = 2 // bad flags or arguments
)

// A command is one subcommand. Adding one is a new file that defines it and
// a line in commands; no other command changes.
type command struct {
	name  string // as typed: "cpus"
	args  string // what follows the flags in the usage line: "[MASK...]"
	short string // one line for the command list
	long  string // paragraphs for -h, before the flags
	// flags declares the command's flags on fs and returns the function
	// that runs it once they are parsed, with the remaining arguments.
	flags func(c *command, fs *flag.FlagSet) runFunc
}

// runFunc runs a command on the arguments its flags left, with the
// program's streams, and returns the exit status.
type runFunc func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

// commands is the command table, in the order help lists it.
var commands = []*command{
	cmdCPUs,
	cmdConvert,
	cmdReport,
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// run is the whole program: it parses args, runs a command with the given
// streams and returns the exit status. Nothing below it touches os.Std* or
// exits.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch name := args[0]; name {
	case "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	case "help":
		if len(args) == 1 {
			usage(stdout)
			return exitOK
		}
		c := lookup(args[1])
		if c == nil || len(args) > 2 {
			fmt.Fprintf(stderr, "bpfbitmap help: unknown command %q\nRun 'bpfbitmap -h' for usage.\n", strings.Join(args[1:], " "))
			return exitUsage
		}
		return c.run([]string{"-h"}, stdin, stdout, stderr)
	default:
		c := lookup(name)
		if c == nil {
			fmt.Fprintf(stderr, "bpfbitmap: unknown command %q\nRun 'bpfbitmap -h' for usage.\n", name)
			return exitUsage
		}
		return c.run(args[1:], stdin, stdout, stderr)
	}
}

// usage prints the program's help: the usage line and the command list.
func usage(w io.Writer) {
	fmt.Fprint(w, "Usage: bpfbitmap <command> [flags] [arguments]\n\n"+
		"Cpumask costs of the bpf_bitmap proposal and the merged bpf_cpumask on this\n"+
		"machine, and the kernel's CPU list and mask text forms.\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.short)
	}
	fmt.Fprint(w, "\nRun 'bpfbitmap <command> -h' for a command's flags.\n"+
		"Exit status: 0 success, 1 failure, 2 usage error.\n")
}

// run parses c's flags from args and runs c. -h prints c's help to stdout
// and returns exitOK; a flag error prints the usage line to stderr and
// returns exitUsage. Flags and arguments may be mixed ("convert 0-3 --to
// hex"); "--" ends the flags.
func (c *command) run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bpfbitmap "+c.name, flag.ContinueOnError)
	// The flag package prints its errors bare and with -name; they are
	// printed below, with the command's prefix and the --name of -h.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {} // help goes to stdout, below; errors get a short hint
	runFn := c.flags(c, fs)
	rest, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		c.help(fs, stdout)
		return exitOK
	case err != nil:
		return c.usageError(stderr, "%s", gnuFlags(err.Error()))
	}
	return runFn(rest, stdin, stdout, stderr)
}

// help prints c's usage line, description and flags.
func (c *command) help(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n\nFlags:", c.usageLine(), strings.TrimSpace(c.long))
	var flags strings.Builder
	fs.SetOutput(&flags)
	fs.PrintDefaults()
	// The flag package takes -name and --name alike; print the GNU spelling
	// util-linux documents.
	fmt.Fprint(w, strings.ReplaceAll("\n"+flags.String(), "\n  -", "\n  --"))
}

// gnuFlags rewrites the flag package's "-name" in msg as "--name", the
// spelling -h shows. The flag package puts a flag's name after one of
// these words only.
func gnuFlags(msg string) string {
	for _, before := range []string{"flag -", "for -", "defined: -", "argument: -"} {
		msg = strings.ReplaceAll(msg, before, before+"-")
	}
	return msg
}

// hint prints c's usage line and where to find its help, after a usage error.
func (c *command) hint(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\nRun 'bpfbitmap %s -h' for help.\n", c.usageLine(), c.name)
}

// usageLine returns "bpfbitmap NAME [flags] ARGS".
func (c *command) usageLine() string {
	return strings.TrimSpace("bpfbitmap " + c.name + " [flags] " + c.args)
}

// usageError prints msg and c's usage hint to stderr and returns exitUsage.
func (c *command) usageError(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "bpfbitmap %s: %s\n", c.name, fmt.Sprintf(format, a...))
	c.hint(stderr)
	return exitUsage
}

// fail prints err to stderr as "bpfbitmap <command>: err" and returns
// exitFail.
func (c *command) fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "bpfbitmap %s: %v\n", c.name, err)
	return exitFail
}

// parseInterspersed parses flags anywhere in args and returns the other
// arguments in order. An argument "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		left := fs.Args()
		if n := len(args) - len(left); n > 0 && args[n-1] == "--" {
			return append(rest, left...), nil
		}
		if len(left) == 0 {
			return rest, nil
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
}

// isSet reports whether the flag name was given on the command line.
func isSet(fs *flag.FlagSet, name string) (set bool) {
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// writeJSON writes v to w as indented JSON and a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// choice is a flag.Value that accepts one of a fixed set of words.
type choice struct {
	val     string
	allowed []string
}

func (c *choice) String() string {
	if c == nil {
		return ""
	}
	return c.val
}

func (c *choice) Set(s string) error {
	for _, a := range c.allowed {
		if s == a {
			c.val = s
			return nil
		}
	}
	return fmt.Errorf("must be %s", strings.Join(c.allowed, " or "))
}
