package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	temps := make([]string, 0, len(files))
	defer func() {
		if err != nil {
			for _, t := range temps {
				os.Remove(t)
			}
		}
	}()
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.name))
		tmp, err := writeTemp(path, f.data)
		if tmp != "" {
			temps = append(temps, tmp)
		}
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", path, err)
		}
	}
	for i, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.name))
		if err := os.Rename(temps[i], path); err != nil {
			temps = temps[i:]
			return written, err
		}
		written = append(written, path)
	}
	temps = nil
	return written, nil
}

// writeTemp writes data to a new temporary file beside path and returns its
// name, also on failure when one was created.
func writeTemp(path string, data []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", err
	}
	n, err := wrapTemp(path, f).Write(data)
	if err == nil && n < len(data) {
		err = io.ErrShortWrite
	}
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return f.Name(), err
}
