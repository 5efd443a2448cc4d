package main_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// run runs name with args in dir, an analyzer's testdata module, in its
// workspace, and returns its output and exit code.
func run(t *testing.T, dir, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK="+filepath.Join(dir, "go.work"), "GOFLAGS=", "GOPROXY=off")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	require.NoError(t, err, "%s", out)
	return string(out), 0
}

// The binary works both ways the docs say: standalone (exit 3 on a report)
// and as go vet's tool (exit 1), and each analyzer can be turned off.
func TestRuns(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "bpfbitmapvet")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	dir, err := filepath.Abs(filepath.Join("..", "..", "analysis", "unreleased", "testdata"))
	require.NoError(t, err)

	got, code := run(t, dir, bin, "./doc")
	require.Equal(t, 3, code, got)
	require.Contains(t, got, "bad.go:9:27: unreleased reference: CpumaskCreate's result")
	require.NotContains(t, got, "good.go")

	got, code = run(t, dir, "go", "vet", "-vettool="+bin, "./doc")
	require.Equal(t, 1, code, got)
	require.Contains(t, got, "bad.go:9:27: unreleased reference: CpumaskCreate's result")

	got, code = run(t, dir, bin, "-unreleased=false", "./doc")
	require.Equal(t, 0, code, got)

	// The directives: malformed ones reported by ignoredirective, unused
	// ones by their rule, silenced findings gone.
	dir, err = filepath.Abs(filepath.Join("..", "..", "analysis", "ignoredirective", "testdata"))
	require.NoError(t, err)
	got, code = run(t, dir, bin, "./suppress")
	require.Equal(t, 3, code, got)
	require.Contains(t, got, "bpfbitmapvet:ignore directive for possiblynil gives no reason")
	require.Contains(t, got, "unused bpfbitmapvet:ignore directive: no possiblynil finding")
	require.NotContains(t, got, "suppress.go:17:", "a silenced finding")
	got, code = run(t, dir, bin, "-ignoredirective=false", "./suppress")
	require.Equal(t, 3, code, got)
	require.NotContains(t, got, "gives no reason")
}
