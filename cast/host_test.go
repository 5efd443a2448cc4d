package cast

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sysfs returns a fake SysfsCPUDir holding files, each given its trailing
// newline as the kernel writes it.
func sysfs(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, s := range files {
		m[name] = &fstest.MapFile{Data: []byte(s + "\n"), Mode: 0o444}
	}
	return m
}

// noLeaks fails t if the Default allocator holds more live Bitmaps at the
// end of the test than at its start.
func noLeaks(t *testing.T) {
	t.Helper()
	before := bpfbitmap.Default().Stats().Live
	t.Cleanup(func() {
		assert.Equal(t, before, bpfbitmap.Default().Stats().Live, "live Bitmaps after the test; want none leaked")
	})
}

func TestHostFrom(t *testing.T) {
	for _, tt := range []struct {
		name             string
		files            map[string]string
		nrCPUIDs, nrCPUs int
		wantErr          error // the error HostFrom wraps
		wantErrno        error // the errno it matches as well, if any
	}{
		{name: "one cpu", files: map[string]string{"possible": "0", "kernel_max": "0"}, nrCPUIDs: 1, nrCPUs: 1},
		{name: "one cpu of 64", files: map[string]string{"possible": "0", "kernel_max": "63"}, nrCPUIDs: 1, nrCPUs: 64},
		{name: "this vm", files: map[string]string{"possible": "0-1", "kernel_max": "255"}, nrCPUIDs: 2, nrCPUs: 256},
		// nr_cpu_ids is one past the highest possible CPU, holes included.
		{name: "holes", files: map[string]string{"possible": "0-3,8-11", "kernel_max": "63"}, nrCPUIDs: 12, nrCPUs: 64},
		{name: "only the last", files: map[string]string{"possible": "511", "kernel_max": "511"}, nrCPUIDs: 512, nrCPUs: 512},
		{name: "maxsmp", files: map[string]string{"possible": "0-8191", "kernel_max": "8191"}, nrCPUIDs: 8192, nrCPUs: 8192},
		{name: "beyond 1024", files: map[string]string{"possible": "0-1279", "kernel_max": "8191"}, nrCPUIDs: 1280, nrCPUs: 8192},
		{name: "stride", files: map[string]string{"possible": "0-15:1/4", "kernel_max": "15"}, nrCPUIDs: 13, nrCPUs: 16},
		{name: "kernel_max spaces", files: map[string]string{"possible": "0-3", "kernel_max": " 7 "}, nrCPUIDs: 4, nrCPUs: 8},

		{name: "no possible", files: map[string]string{"kernel_max": "63"}, wantErr: fs.ErrNotExist},
		{name: "no kernel_max", files: map[string]string{"possible": "0-3"}, wantErr: fs.ErrNotExist},
		{name: "empty possible", files: map[string]string{"possible": "", "kernel_max": "63"}, wantErr: ErrSysfs, wantErrno: syscall.EINVAL},
		{name: "possible beyond NR_CPUS", files: map[string]string{"possible": "0-64", "kernel_max": "63"}, wantErr: bpfbitmap.ErrRange, wantErrno: syscall.ERANGE},
		{name: "possible garbage", files: map[string]string{"possible": "0-3,x", "kernel_max": "63"}, wantErr: bpfbitmap.ErrInvalid, wantErrno: syscall.EINVAL},
		{name: "possible huge", files: map[string]string{"possible": "99999999999", "kernel_max": "63"}, wantErr: bpfbitmap.ErrOverflow, wantErrno: syscall.EOVERFLOW},
		{name: "kernel_max garbage", files: map[string]string{"possible": "0", "kernel_max": "lots"}, wantErr: ErrSysfs, wantErrno: syscall.EINVAL},
		{name: "kernel_max negative", files: map[string]string{"possible": "0", "kernel_max": "-1"}, wantErr: ErrSysfs, wantErrno: syscall.EINVAL},
		{name: "kernel_max empty", files: map[string]string{"possible": "0", "kernel_max": ""}, wantErr: ErrSysfs, wantErrno: syscall.EINVAL},
	} {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			topo, err := HostFrom(sysfs(tt.files))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				if tt.wantErrno != nil {
					require.ErrorIs(t, err, tt.wantErrno)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.nrCPUIDs, topo.NrCPUIDs(), "nr_cpu_ids")
			assert.Equal(t, tt.nrCPUs, topo.NrCPUs(), "NR_CPUS")
		})
	}
}

// fullSysfs is a machine with every list file: 16 possible CPUs, of which
// 4-7 and 12-15 are offline and 2-3 isolated, on an NR_CPUS=512 kernel.
var fullSysfs = map[string]string{
	"kernel_max": "511",
	"possible":   "0-15",
	"present":    "0-15",
	"online":     "0-3,8-11",
	"offline":    "4-7,12-15",
	"isolated":   "2-3",
}

func TestReadHostCPUs(t *testing.T) {
	noLeaks(t)
	h, err := ReadHostCPUs(sysfs(fullSysfs))
	require.NoError(t, err)
	defer h.Release()
	assert.Equal(t, MustTopology(16, 512), h.Topology)
	for _, m := range []struct {
		name       string
		b          *bpfbitmap.Bitmap
		list, mask string
		nbits      int
	}{
		{"possible", h.Possible, "0-15", "ffff", 16},
		{"present", h.Present, "0-15", "ffff", 16},
		{"online", h.Online, "0-3,8-11", "0f0f", 16},
		{"offline", h.Offline, "4-7,12-15", "", 512}, // NR_CPUS wide
		{"isolated", h.Isolated, "2-3", "000c", 16},
	} {
		assert.Equal(t, m.nbits, m.b.Len(), "%s: Len", m.name)
		assert.Equal(t, m.list, m.b.FormatList(), "%s: FormatList", m.name)
		if m.mask != "" {
			assert.Equal(t, m.mask, m.b.FormatHex(), "%s: FormatHex", m.name)
		}
	}
}

func TestReadHostCPUsShapes(t *testing.T) {
	for _, tt := range []struct {
		name            string
		files           map[string]string
		online, offline string
	}{
		{"one cpu", map[string]string{"kernel_max": "0", "possible": "0", "present": "0", "online": "0", "offline": "", "isolated": ""}, "0", ""},
		{"maxsmp", map[string]string{"kernel_max": "8191", "possible": "0-8191", "present": "0-8191", "online": "0-8191", "offline": "", "isolated": ""}, "0-8191", ""},
		// print_cpus_offline lists the CPUs the firmware has beyond
		// nr_cpu_ids too (possible_cpus= or nr_cpus= on the command line).
		{"offline beyond nr_cpu_ids", map[string]string{"kernel_max": "8191", "possible": "0-3", "present": "0-3", "online": "0-1", "offline": "2-3,4-63", "isolated": ""}, "0-1", "2-63"},
		{"empty isolated and offline", map[string]string{"kernel_max": "63", "possible": "0-7", "present": "0-7", "online": "0-7", "offline": "", "isolated": ""}, "0-7", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			h, err := ReadHostCPUs(sysfs(tt.files))
			require.NoError(t, err)
			defer h.Release()
			assert.Equal(t, tt.online, h.Online.FormatList())
			assert.Equal(t, tt.offline, h.Offline.FormatList())
			assert.Equal(t, h.Topology.NrCPUs(), h.Offline.Len())
		})
	}
}

func TestReadHostCPUsErrors(t *testing.T) {
	for _, tt := range []struct {
		name    string
		drop    string            // a file to remove from fullSysfs
		set     map[string]string // files to replace
		wantErr error
		wantMsg string
	}{
		{name: "no possible", drop: "possible", wantErr: fs.ErrNotExist, wantMsg: "sysfs possible"},
		{name: "no present", drop: "present", wantErr: fs.ErrNotExist, wantMsg: "sysfs present"},
		{name: "no online", drop: "online", wantErr: fs.ErrNotExist, wantMsg: "sysfs online"},
		{name: "no offline", drop: "offline", wantErr: fs.ErrNotExist, wantMsg: "sysfs offline"},
		// The last file read: every mask read before it must be released.
		{name: "no isolated", drop: "isolated", wantErr: fs.ErrNotExist, wantMsg: "sysfs isolated"},
		{name: "online beyond nr_cpu_ids", set: map[string]string{"online": "0-16"}, wantErr: syscall.ERANGE, wantMsg: "sysfs online: bitmap_parselist"},
		{name: "isolated garbage", set: map[string]string{"isolated": "2-"}, wantErr: syscall.EINVAL, wantMsg: "sysfs isolated"},
		{name: "offline beyond NR_CPUS", set: map[string]string{"offline": "512"}, wantErr: bpfbitmap.ErrRange, wantMsg: "sysfs offline"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			files := map[string]string{}
			for k, v := range fullSysfs {
				files[k] = v
			}
			delete(files, tt.drop)
			for k, v := range tt.set {
				files[k] = v
			}
			h, err := ReadHostCPUs(sysfs(files))
			require.ErrorIs(t, err, tt.wantErr)
			require.ErrorContains(t, err, tt.wantMsg)
			require.Nil(t, h)
		})
	}
}

func TestHostAt(t *testing.T) {
	dir := t.TempDir()
	for name, s := range fullSysfs {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(s+"\n"), 0o644))
	}
	topo, err := HostAt(dir)
	require.NoError(t, err)
	assert.Equal(t, MustTopology(16, 512), topo)

	_, err = HostAt(filepath.Join(dir, "nonexistent"))
	require.ErrorIs(t, err, fs.ErrNotExist)
}

// TestHost reads this machine. Without sysfs (not Linux, a sandbox) Host
// must say so rather than invent a topology.
func TestHost(t *testing.T) {
	topo, err := Host()
	if _, statErr := os.Stat(filepath.Join(SysfsCPUDir, "possible")); statErr != nil {
		require.Error(t, err, "no %s/possible, yet Host succeeded", SysfsCPUDir)
		return
	}
	require.NoError(t, err)
	assert.GreaterOrEqual(t, topo.NrCPUIDs(), runtime.NumCPU(), "nr_cpu_ids < usable CPUs")
	assert.GreaterOrEqual(t, topo.NrCPUs(), topo.NrCPUIDs())
	again, err := Host()
	require.NoError(t, err)
	assert.Equal(t, topo, again, "Host is cached")

	noLeaks(t)
	h, err := ReadHostCPUs(os.DirFS(SysfsCPUDir))
	require.NoError(t, err)
	defer h.Release()
	assert.Equal(t, topo, h.Topology)
	assert.True(t, h.Online.Subset(h.Present), "online %v not within present %v", h.Online, h.Present)
	assert.True(t, h.Present.Subset(h.Possible), "present %v not within possible %v", h.Present, h.Possible)
}

func TestAffinity(t *testing.T) {
	noLeaks(t)
	topo, err := Host()
	if runtime.GOOS != "linux" {
		_, err := Affinity(0, 64)
		require.ErrorIs(t, err, errors.ErrUnsupported)
		require.ErrorIs(t, SetAffinity(0, nil), errors.ErrUnsupported)
		return
	}
	require.NoError(t, err)
	n := topo.NrCPUIDs()

	// The Go runtime read the same mask at start-up for NumCPU.
	b, err := Affinity(0, n)
	require.NoError(t, err)
	defer b.Release()
	assert.Equal(t, runtime.NumCPU(), b.Weight(), "affinity %v", b)
	assert.Equal(t, n, b.Len())

	// Buffers past CPU_SETSIZE (1024 CPUs) work: the kernel copies its
	// nr_cpu_ids bits and the rest stays clear.
	for _, nbits := range []int{1024, 1025, 4096, 8192} {
		if nbits < n {
			continue
		}
		wide, err := Affinity(0, nbits)
		require.NoError(t, err, "Affinity(0, %d)", nbits)
		assert.Equal(t, nbits, wide.Len())
		assert.Equal(t, b.FormatList(), wide.FormatList(), "Affinity(0, %d)", nbits)
		wide.Release()
	}

	// A mask with a CPU outside the Bitmap is an error, not a truncation.
	if last := b.FindLastBit(); last > 0 {
		_, err := Affinity(0, last)
		require.ErrorIs(t, err, bpfbitmap.ErrRange)
	}

	_, err = Affinity(-1, n)
	require.ErrorIs(t, err, syscall.ESRCH, "negative pid")

	_, err = Affinity(0, -1)
	require.ErrorIs(t, err, bpfbitmap.ErrInvalid, "negative size")
}

func TestSetAffinity(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("sched_setaffinity is Linux-only; TestAffinity checks ErrUnsupported")
	}
	noLeaks(t)
	topo, err := Host()
	require.NoError(t, err)
	// pid 0 is this thread: keep the test on it, and leave the affinity as
	// it was.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := Affinity(0, topo.NrCPUIDs())
	require.NoError(t, err)
	defer orig.Release()
	defer func() { require.NoError(t, SetAffinity(0, orig)) }()

	// One CPU, from a bitmap wider than CPU_SETSIZE.
	one := bpfbitmap.MustNew(max(4096, topo.NrCPUIDs()))
	defer one.Release()
	one.Set(orig.FindFirstBit())
	require.NoError(t, SetAffinity(0, one))
	got, err := Affinity(0, topo.NrCPUIDs())
	require.NoError(t, err)
	assert.Equal(t, one.FormatList(), got.FormatList())
	got.Release()

	empty := bpfbitmap.MustNew(topo.NrCPUIDs())
	defer empty.Release()
	err = SetAffinity(0, empty)
	require.ErrorIs(t, err, syscall.EINVAL, "an empty mask")
	require.ErrorContains(t, err, "sched_setaffinity")

	// A pid that cannot exist (above PID_MAX_LIMIT, 2^22).
	err = SetAffinity(1<<30, orig)
	require.ErrorIs(t, err, syscall.ESRCH)
}
