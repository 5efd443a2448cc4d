//go:build ignore

// mktable writes ../docs/kfuncs.md from kfuncs.Kfuncs. Run it with
// go generate ./kfuncs.
package main

import (
	"log"
	"os"
	"path/filepath"

	"github.com/bpfbitmap/prototype/kfuncs"
)

func main() {
	if err := write("../docs/kfuncs.md", kfuncs.Kfuncs.Markdown()); err != nil {
		log.Fatal(err)
	}
}

// write replaces path with b through a temporary file renamed into place,
// so that a failed run leaves the old file whole.
func write(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".kfuncs-*.md")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly after the rename
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
