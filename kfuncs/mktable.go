//go:build ignore

// mktable writes ../docs/kfuncs.md from kfuncs.Kfuncs. Run it with
// go generate ./kfuncs.
package main

import (
	"log"

	"github.com/bpfbitmap/prototype/internal/atomicfile"
	"github.com/bpfbitmap/prototype/kfuncs"
)

func main() {
	if err := atomicfile.WriteFile("../docs/kfuncs.md", kfuncs.Kfuncs.Markdown()); err != nil {
		log.Fatal(err)
	}
}
