// Command scxcount counts, in the BPF sources of a sched-ext/scx commit,
// what the design report's "UX on real code" section quotes: the
// bpf_cpumask_create sites, the conversions of struct bpf_cpumask * to
// const struct cpumask * (scx's cast_mask() helper, and explicit casts), the
// bpf_cpumask_* calls, the arena road's scx_bitmap_* calls and the
// bpf_assert uses, and for each conversion whether it sits in an explicit
// RCU read section or after an acquire in its function, where the verifier
// refuses bpf_throw. It writes them as JSON (bench/scx_counts.json, which
// package bench embeds, so the sources are not needed at test time).
//
// Usage:
//
//	git clone https://github.com/sched-ext/scx /tmp/scx
//	go run ./cmd/scxcount -repo /tmp/scx -commit 7a58a3a1a857fa748ea5a3bda5ad312afbbeca5b
//
// The classification is textual, per function: an "after acquire" site
// follows a call of an acquiring kfunc or helper earlier in the same
// function (the reference may have been released by then); references
// held by a caller are not seen.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/bpfbitmap/prototype/bench"
	"github.com/bpfbitmap/prototype/internal/atomicfile"
)

const exitOK, exitFail, exitUsage = 0, 1, 2

// DefaultCommit is the sched-ext/scx commit the committed counts are from.
const DefaultCommit = "7a58a3a1a857fa748ea5a3bda5ad312afbbeca5b"

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scxcount", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repo := fs.String("repo", "", "a git clone of sched-ext/scx (bare or not)")
	commit := fs.String("commit", DefaultCommit, "the commit to count")
	out := fs.String("o", "bench/scx_counts.json", "write the JSON here (- for stdout)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *repo == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "scxcount: -repo is required; no arguments")
		return exitUsage
	}
	counts, err := countRepo(*repo, *commit)
	if err == nil {
		err = atomicfile.WriteJSON(*out, stdout, counts)
	}
	if err != nil {
		fmt.Fprintf(stderr, "scxcount: %v\n", err)
		return exitFail
	}
	return exitOK
}

func git(repo string, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func countRepo(repo, commit string) (bench.ScxCounts, error) {
	full, err := git(repo, "rev-parse", "--verify", commit+"^{commit}")
	if err != nil {
		return bench.ScxCounts{}, err
	}
	date, err := git(repo, "show", "-s", "--format=%cs", commit)
	if err != nil {
		return bench.ScxCounts{}, err
	}
	list, err := git(repo, "ls-tree", "-r", "-z", "--name-only", commit)
	if err != nil {
		return bench.ScxCounts{}, err
	}
	res := bench.ScxCounts{
		Repo: "sched-ext/scx", Commit: strings.TrimSpace(string(full)), Date: strings.TrimSpace(string(date)),
		Command: "go run ./cmd/scxcount -repo SCX_CLONE -commit " + commit,
	}
	groups := map[string]*bench.ScxRow{}
	total := bench.ScxRow{Name: "total"}
	for _, path := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		if !isBPFSource(path) {
			continue
		}
		src, err := git(repo, "cat-file", "blob", commit+":"+path)
		if err != nil {
			res.Unreadable = append(res.Unreadable, path)
			continue
		}
		c := countFile(string(src))
		add(&total, c)
		g := group(path)
		if groups[g] == nil {
			groups[g] = &bench.ScxRow{Name: g}
		}
		add(groups[g], c)
	}
	res.Total = total
	for _, g := range sortedKeys(groups) {
		if c := groups[g]; c.CpumaskCalls+c.BitmapCalls+c.CastMask+c.AssertUses+c.AssertInMacros > 0 {
			res.Groups = append(res.Groups, *c)
		}
	}
	return res, nil
}
