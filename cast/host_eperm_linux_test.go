package cast

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// epermChild marks the re-executed test binary that runs unprivileged.
const epermChild = "BPFBITMAP_EPERM_CHILD"

// TestSetAffinityEPERM checks that the kernel's EPERM comes back from
// SetAffinity: a process of another user may not change pid 1's affinity
// without CAP_SYS_NICE. Run as root (as CI does), the test re-executes its
// own binary as nobody (uid 65534) to be that other user.
func TestSetAffinityEPERM(t *testing.T) {
	if os.Getenv(epermChild) == "1" || os.Geteuid() != 0 {
		mask, err := bpfbitmap.New(1)
		require.NoError(t, err)
		defer mask.Release()
		mask.Set(0)
		err = SetAffinity(1, mask)
		require.ErrorIs(t, err, syscall.EPERM)
		require.ErrorContains(t, err, "sched_setaffinity(1, 0)")
		return
	}
	// The test binary sits in a directory only root may enter: copy it to
	// one nobody can read.
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} { // t.TempDir nests two 0700 levels
		require.NoError(t, os.Chmod(d, 0o755))
	}
	bin := filepath.Join(dir, "cast.test")
	copyFile(t, bin)
	cmd := exec.Command(bin, "-test.run=^TestSetAffinityEPERM$", "-test.count=1")
	cmd.Env = append(os.Environ(), epermChild+"=1")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "unprivileged child:\n%s", out)
	require.Contains(t, string(out), "PASS")
}

func copyFile(t *testing.T, dst string) {
	src, err := os.Executable()
	require.NoError(t, err)
	in, err := os.Open(src)
	require.NoError(t, err)
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o755)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	require.NoError(t, out.Close())
}
