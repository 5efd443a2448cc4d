package cast

import (
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// SysfsCPUDir is the sysfs directory Host reads: the kernel's CPU lists
// (possible, present, online, offline, isolated) and kernel_max.
const SysfsCPUDir = "/sys/devices/system/cpu"

// ErrSysfs reports a sysfs file whose content the kernel would never
// write: an empty possible list, a kernel_max that is not a number. It
// matches syscall.EINVAL.
var ErrSysfs = fmt.Errorf("malformed sysfs cpu file: %w", syscall.EINVAL)

// CPUList names one of the kernel's CPU list files in SysfsCPUDir
// (Documentation/ABI/testing/sysfs-devices-system-cpu). Each holds a cpulist
// in the %*pbl form, such as "0-3,8-11", and a newline.
type CPUList string

// The CPU lists the kernel publishes in SysfsCPUDir.
const (
	// Possible is cpu_possible_mask: every CPU id that can ever be
	// online; nr_cpu_ids is one more than its highest bit.
	Possible CPUList = "possible"
	// Present is cpu_present_mask: CPUs physically present.
	Present CPUList = "present"
	// Online is cpu_online_mask: CPUs the scheduler may use now.
	Online CPUList = "online"
	// Offline lists possible CPUs that are not online, plus, when the
	// firmware reports more CPUs than nr_cpu_ids allows, the ids from
	// nr_cpu_ids up to that count (print_cpus_offline).
	Offline CPUList = "offline"
	// Isolated lists CPUs removed from scheduling by isolcpus=.
	Isolated CPUList = "isolated"
)

// hostTopology caches the running machine's topology: neither nr_cpu_ids nor
// NR_CPUS changes while the system is up.
var hostTopology = sync.OnceValues(func() (Topology, error) {
	return HostFrom(os.DirFS(SysfsCPUDir))
})

// Host returns the running machine's topology: nr_cpu_ids from
// SysfsCPUDir/possible and NR_CPUS from SysfsCPUDir/kernel_max. It reads sysfs
// once per process and returns the same result, error included, afterwards.
// Where sysfs is missing (not Linux, a sandbox without /sys) the error wraps
// fs.ErrNotExist.
func Host() (Topology, error) { return hostTopology() }

// HostAt is HostFrom on the directory root, laid out like SysfsCPUDir.
func HostAt(root string) (Topology, error) { return HostFrom(os.DirFS(root)) }

// HostFrom reads a topology from fsys, a directory laid out like SysfsCPUDir.
// NR_CPUS is one more than the number in kernel_max; nr_cpu_ids is one more
// than the highest CPU in possible, as setup_nr_cpu_ids computes it, so holes
// in the possible list ("0-3,8-11" gives 12) count. A missing or unreadable
// file, a malformed list and an impossible topology are errors.
func HostFrom(fsys fs.FS) (Topology, error) {
	nrCPUs, err := readKernelMax(fsys)
	if err != nil {
		return Topology{}, err
	}
	possible, err := ReadCPUList(fsys, Possible, nrCPUs)
	if err != nil {
		return Topology{}, err
	}
	last := possible.FindLastBit()
	possible.Release()
	if last >= nrCPUs {
		return Topology{}, fmt.Errorf("sysfs %s: no possible cpu: %w", Possible, ErrSysfs)
	}
	return NewTopology(last+1, nrCPUs)
}

// readKernelMax returns NR_CPUS, read as kernel_max + 1.
func readKernelMax(fsys fs.FS) (int, error) {
	data, err := fs.ReadFile(fsys, "kernel_max")
	if err != nil {
		return 0, fmt.Errorf("sysfs kernel_max: %w", err)
	}
	s := strings.TrimSpace(string(data))
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n >= bpfbitmap.MaxBits {
		return 0, fmt.Errorf("sysfs kernel_max %q: %w", s, ErrSysfs)
	}
	return n + 1, nil
}

// ReadCPUList parses the CPU list file name in fsys (a directory laid out
// like SysfsCPUDir) into a new Bitmap of nbits bits with
// bpfbitmap.ParseList; the caller releases it. A CPU at or above nbits is an
// error that matches syscall.ERANGE; a missing file one that matches
// fs.ErrNotExist. An empty file (isolated and offline usually are) is an
// empty mask.
func ReadCPUList(fsys fs.FS, name CPUList, nbits int) (*bpfbitmap.Bitmap, error) {
	data, err := fs.ReadFile(fsys, string(name))
	if err != nil {
		return nil, fmt.Errorf("sysfs %s: %w", name, err)
	}
	s := strings.TrimSuffix(string(data), "\n")
	b, err := bpfbitmap.ParseList(s, nbits)
	if err != nil {
		return nil, fmt.Errorf("sysfs %s: %w", name, err)
	}
	return b, nil
}

// HostCPUs is a snapshot of the kernel's CPU lists. Every mask but Offline
// has Topology.NrCPUIDs() bits; Offline has NR_CPUS bits, because the kernel
// also lists there the CPUs the firmware reported beyond nr_cpu_ids.
// Release the snapshot when done.
type HostCPUs struct {
	Topology Topology
	Possible *bpfbitmap.Bitmap
	Present  *bpfbitmap.Bitmap
	Online   *bpfbitmap.Bitmap
	Offline  *bpfbitmap.Bitmap
	Isolated *bpfbitmap.Bitmap
}

// ReadHostCPUs reads the topology and every CPU list from fsys, a directory
// laid out like SysfsCPUDir (os.DirFS(SysfsCPUDir) for this machine). The
// first error is returned and nothing stays allocated.
func ReadHostCPUs(fsys fs.FS) (*HostCPUs, error) {
	topo, err := HostFrom(fsys)
	if err != nil {
		return nil, err
	}
	h := &HostCPUs{Topology: topo}
	for _, f := range []struct {
		dst   **bpfbitmap.Bitmap
		name  CPUList
		nbits int
	}{
		{&h.Possible, Possible, topo.NrCPUIDs()},
		{&h.Present, Present, topo.NrCPUIDs()},
		{&h.Online, Online, topo.NrCPUIDs()},
		{&h.Offline, Offline, topo.NrCPUs()},
		{&h.Isolated, Isolated, topo.NrCPUIDs()},
	} {
		if *f.dst, err = ReadCPUList(fsys, f.name, f.nbits); err != nil {
			h.Release()
			return nil, err
		}
	}
	return h, nil
}

// Release releases every mask of h; h must not be used afterwards. Release of
// nil does nothing.
func (h *HostCPUs) Release() {
	if h == nil {
		return
	}
	for _, b := range []**bpfbitmap.Bitmap{&h.Possible, &h.Present, &h.Online, &h.Offline, &h.Isolated} {
		(*b).Release()
		*b = nil
	}
}
