// Command bpfbitmapvet checks Go code that uses the kfuncs and the core API
// against the verifier's reference and NULL rules, with the flags of the
// kfunc table (kfuncs.Kfuncs), and reports copied Bitmaps.
//
// Run it on its own, or as go vet's tool:
//
//	bpfbitmapvet ./...
//	go vet -vettool=$(command -v bpfbitmapvet) ./...
//
// Analyzers: unreleased, possiblynil, useafterrelease, bitmapcopy, and
// ignoredirective for malformed //bpfbitmapvet:ignore directives; each can be
// turned off with -NAME=false. docs/vet.md explains the rules.
package main

import (
	"golang.org/x/tools/go/analysis/multichecker"

	"github.com/bpfbitmap/prototype/analysis/bitmapcopy"
	"github.com/bpfbitmap/prototype/analysis/ignoredirective"
	"github.com/bpfbitmap/prototype/analysis/possiblynil"
	"github.com/bpfbitmap/prototype/analysis/unreleased"
	"github.com/bpfbitmap/prototype/analysis/useafterrelease"
)

func main() {
	multichecker.Main(
		unreleased.Analyzer,
		possiblynil.Analyzer,
		useafterrelease.Analyzer,
		bitmapcopy.Analyzer,
		ignoredirective.Analyzer,
	)
}
