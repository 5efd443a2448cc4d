package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/bpfbitmap/prototype/internal/atomicfile"
)

// outFile is one file of the report: its path relative to the output
// directory and its content.
type outFile struct {
	name string
	data []byte
}

// checkOutDir makes dir and dir/img if needed and proves that a file can be
// created in each, so that a run fails on an unusable directory before any
// benchmark runs rather than after.
func checkOutDir(dir string) error {
	for _, d := range []string{dir, filepath.Join(dir, "img")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		f, err := os.CreateTemp(d, ".report-check-*")
		if err != nil {
			return err
		}
		name := f.Name()
		err = f.Close()
		if rmErr := os.Remove(name); err == nil {
			err = rmErr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// wrapTemp lets a test make the write of one temporary file fail midway; it
// returns the writer a file's content is written through.
var wrapTemp = func(name string, w io.Writer) io.Writer { return w }

// writeAll writes every file under dir: each to a temporary name in its own
// directory first, synced and closed, and only when all of them are ready
// renamed into place. A failure before the renames removes the temporary
// files and leaves every previous file as it was; renames within one
// directory do not fail short of the directory being removed under us.
func writeAll(dir string, files []outFile) (written []string, err error) {
	pending := make([]*atomicfile.Pending, 0, len(files))
	defer func() {
		if err != nil {
			for _, p := range pending {
				p.Abort()
			}
		}
	}()
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.name))
		p, err := atomicfile.Prepare(path, f.data, func(w io.Writer) io.Writer { return wrapTemp(path, w) })
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", path, err)
		}
		pending = append(pending, p)
	}
	for i, p := range pending {
		if err := p.Commit(); err != nil {
			pending = pending[i+1:]
			return written, err
		}
		written = append(written, p.Path())
	}
	pending = nil
	return written, nil
}
