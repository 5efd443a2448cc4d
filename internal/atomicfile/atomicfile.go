// Package atomicfile replaces files so that a reader, or the next run, sees
// either the old content or the new, never a file cut short: the content is
// written to a temporary file beside the destination, synced, and renamed
// over it. Every command and generator of the module writes through it.
package atomicfile

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
)

// Pending is a file whose new content is written and synced beside its
// destination but not yet in place. Commit renames it over the
// destination; Abort removes it. Preparing every file of a set before
// committing any keeps the set consistent when one write fails.
type Pending struct {
	tmp, path string
}

// Prepare writes data to a new temporary file in path's directory, through
// wrap when it is not nil (tests use it to fail a write midway), syncs it
// and gives it mode 0644. On failure nothing is left behind.
func Prepare(path string, data []byte, wrap func(io.Writer) io.Writer) (*Pending, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	var w io.Writer = f
	if wrap != nil {
		w = wrap(f)
	}
	n, err := w.Write(data)
	if err == nil && n < len(data) {
		err = io.ErrShortWrite
	}
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return nil, err
	}
	return &Pending{tmp: f.Name(), path: path}, nil
}

// Path returns the destination.
func (p *Pending) Path() string { return p.path }

// Commit renames the new content over the destination. On failure the
// temporary file is removed and the destination is as it was.
func (p *Pending) Commit() error {
	if err := os.Rename(p.tmp, p.path); err != nil {
		os.Remove(p.tmp)
		return err
	}
	return nil
}

// Abort removes the temporary file; the destination is as it was.
func (p *Pending) Abort() { os.Remove(p.tmp) }

// WriteFile replaces path with data, atomically: Prepare, then Commit.
func WriteFile(path string, data []byte) error {
	p, err := Prepare(path, data, nil)
	if err != nil {
		return err
	}
	return p.Commit()
}

// WriteJSON writes v as indented JSON, with a final newline, to path
// through WriteFile, or to stdout when path is "-" (the commands' -o flag).
func WriteJSON(path string, stdout io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "-" {
		_, err = stdout.Write(b)
		return err
	}
	return WriteFile(path, b)
}
