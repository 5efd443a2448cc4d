package atomicfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/internal/atomicfile"
)

// entries lists dir's names, so a test can see that no temporary file stayed.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "doc.md")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o600))
	require.NoError(t, atomicfile.WriteFile(path, []byte("new content")))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "new content", string(b))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	assert.Equal(t, []string{"doc.md"}, entries(t, dir))
}

// failAfter writes n bytes and then fails, as a full disk would.
type failAfter struct {
	w io.Writer
	n int
}

var errDiskFull = errors.New("disk full")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		n, _ := f.w.Write(p[:f.n])
		return n, errDiskFull
	}
	return f.w.Write(p)
}

func TestPrepareFailureLeavesOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "doc.md")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))
	_, err := atomicfile.Prepare(path, []byte("new content"), func(w io.Writer) io.Writer { return &failAfter{w: w, n: 3} })
	require.ErrorIs(t, err, errDiskFull)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old", string(b))
	assert.Equal(t, []string{"doc.md"}, entries(t, dir), "the temporary file is removed")
}

func TestPendingCommitAndAbort(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	pa, err := atomicfile.Prepare(a, []byte("A"), nil)
	require.NoError(t, err)
	pb, err := atomicfile.Prepare(b, []byte("B"), nil)
	require.NoError(t, err)
	assert.Equal(t, a, pa.Path())
	_, err = os.Stat(a)
	require.ErrorIs(t, err, os.ErrNotExist, "nothing is in place before Commit")
	require.NoError(t, pa.Commit())
	pb.Abort()
	assert.Equal(t, []string{"a"}, entries(t, dir))
	got, err := os.ReadFile(a)
	require.NoError(t, err)
	assert.Equal(t, "A", string(got))
}

func TestPrepareMissingDirectory(t *testing.T) {
	_, err := atomicfile.Prepare(filepath.Join(t.TempDir(), "no", "such"), []byte("x"), nil)
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestCommitFailureRemovesTemp(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	require.NoError(t, os.Mkdir(target, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(target, "keep"), nil, 0o644))
	p, err := atomicfile.Prepare(target, []byte("x"), nil)
	require.NoError(t, err)
	require.Error(t, p.Commit(), "a file cannot replace a non-empty directory")
	assert.Equal(t, []string{"target"}, entries(t, dir))
}

func TestWriteJSON(t *testing.T) {
	v := map[string]int{"b": 2, "a": 1}
	want := "{\n  \"a\": 1,\n  \"b\": 2\n}\n"
	path := filepath.Join(t.TempDir(), "v.json")
	var stdout strings.Builder
	require.NoError(t, atomicfile.WriteJSON(path, &stdout, v))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, want, string(got))
	assert.Empty(t, stdout.String(), "a path writes nothing to stdout")

	require.NoError(t, atomicfile.WriteJSON("-", &stdout, v))
	assert.Equal(t, want, stdout.String())
	_, err = os.Stat("-")
	assert.ErrorIs(t, err, os.ErrNotExist, `"-" is stdout, not a file`)

	assert.Error(t, atomicfile.WriteJSON(path, &stdout, func() {}), "a value JSON cannot encode")
}
