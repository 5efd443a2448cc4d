package oracle

import (
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
)

// Capabilities the oracle needs: CAP_BPF to load, CAP_PERFMON to read a
// bpf_cpumask's words through its BTF pointer (the verifier allows pointer
// reads only with allow_ptr_leaks). CAP_SYS_ADMIN implies both.
const (
	capSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

func checkCaps() error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %v", err)
	}
	has := func(c uint) bool { return data[c/32].Effective&(1<<(c%32)) != 0 }
	if has(capSysAdmin) {
		return nil
	}
	switch {
	case !has(capBPF):
		return fmt.Errorf("no CAP_BPF in the effective set")
	case !has(capPerfmon):
		return fmt.Errorf("no CAP_PERFMON in the effective set")
	}
	return nil
}

func readNrCPUIDs() (int, error) {
	b, err := os.ReadFile("/sys/devices/system/cpu/possible")
	if err != nil {
		return 0, err
	}
	return progs.ParseCPUList(string(b))
}

// LockToCPU wires the calling goroutine to its OS thread and that thread
// to cpu, so successive program runs see the same per-CPU state (the
// any_distribute cursor). The returned func undoes both. Pinning itself
// moves the cursor: sched_setaffinity runs cpumask_any_and_distribute on
// the CPU the thread is leaving.
func LockToCPU(cpu int) (unlock func(), err error) {
	runtime.LockOSThread()
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("sched_getaffinity: %w", err)
	}
	var set unix.CPUSet
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("sched_setaffinity(cpu %d): %w", cpu, err)
	}
	return func() {
		// Restoring before unlocking keeps a pinned thread from going back
		// to the Go scheduler's pool.
		_ = unix.SchedSetaffinity(0, &old)
		runtime.UnlockOSThread()
	}, nil
}
