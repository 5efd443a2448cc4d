//go:build ignore

// mktable writes ../docs/kfuncs.md from kfuncs.Kfuncs. Run it with
// go generate ./kfuncs.
package main

import (
	"log"
	"os"

	"github.com/bpfbitmap/prototype/kfuncs"
)

func main() {
	if err := os.WriteFile("../docs/kfuncs.md", kfuncs.Kfuncs.Markdown(), 0o644); err != nil {
		log.Fatal(err)
	}
}
