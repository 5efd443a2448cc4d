package progs

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// Target is what a program's instructions depend on in one kernel build.
// Everything else in a Program is the same on every kernel.
type Target struct {
	// CpusPtrOffset is offsetof(struct task_struct, cpus_ptr). A DW load at
	// this offset from a trusted struct task_struct pointer (the result of
	// bpf_get_current_task_btf) is task->cpus_ptr: a BTF_TYPE_SAFE_RCU field
	// of type struct cpumask *, so inside an RCU read section the loaded
	// pointer is an RCU struct cpumask and outside it an untrusted one
	// (check_ptr_to_btf_access in kernel/bpf/verifier.c).
	CpusPtrOffset int16
	// CpumaskWords is sizeof(struct cpumask) / 8: NR_CPUS in 64-bit words.
	CpumaskWords int
	// NrCPUIDs is nr_cpu_ids, one past the highest possible CPU. Programs
	// read it from the context at run time (CtxNrCPUs); only the overrun
	// probes size buffers by it.
	NrCPUIDs int
	// KptrFieldsMax is BTF_FIELDS_MAX (include/linux/bpf.h): how many kptr
	// fields a map value may hold. Past it the kernel refuses the value's
	// BTF and the map is created without it.
	KptrFieldsMax int
	// EfficientUnaligned is CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS, which
	// decides whether bpf_cpumask_populate refuses a misaligned source
	// (test_populate_reject_unaligned). It follows the architecture.
	EfficientUnaligned bool
}

// DefaultTarget is the Linux 6.18 x86-64 build the ported programs were
// first checked on (NR_CPUS=256 on a 2-CPU machine). It stands in where no
// kernel BTF is available, as for the verifier model on another OS.
var DefaultTarget = Target{CpusPtrOffset: 800, CpumaskWords: 4, NrCPUIDs: 2, KptrFieldsMax: 11, EfficientUnaligned: true}

// ValidWords returns ceil(nr_cpu_ids/64): the words of a bitmap of exactly
// nr_cpu_ids bits.
func (t Target) ValidWords() int { return (t.NrCPUIDs + 63) / 64 }

// TargetFromBTF reads a Target from a kernel's BTF; nrCPUIDs is the
// kernel's nr_cpu_ids, which BTF does not record.
func TargetFromBTF(spec *btf.Spec, nrCPUIDs int) (Target, error) {
	t := Target{NrCPUIDs: nrCPUIDs, EfficientUnaligned: efficientUnaligned(runtime.GOARCH)}
	if nrCPUIDs < 1 {
		return Target{}, fmt.Errorf("nr_cpu_ids %d: %w", nrCPUIDs, ErrTarget)
	}
	var task *btf.Struct
	if err := spec.TypeByName("task_struct", &task); err != nil {
		return Target{}, fmt.Errorf("%w: struct task_struct: %v", ErrTarget, err)
	}
	found := false
	for _, m := range task.Members {
		if m.Name == "cpus_ptr" {
			t.CpusPtrOffset, found = int16(m.Offset.Bytes()), true
		}
	}
	if !found {
		return Target{}, fmt.Errorf("%w: task_struct has no cpus_ptr", ErrTarget)
	}
	var cpumask *btf.Struct
	if err := spec.TypeByName("cpumask", &cpumask); err != nil {
		return Target{}, fmt.Errorf("%w: struct cpumask: %v", ErrTarget, err)
	}
	t.CpumaskWords = int(cpumask.Size / 8)
	// BTF_FIELDS_MAX is a member of an anonymous enum in include/linux/bpf.h.
	for typ := range spec.All() {
		if e, ok := typ.(*btf.Enum); ok {
			for _, v := range e.Values {
				if v.Name == "BTF_FIELDS_MAX" {
					t.KptrFieldsMax = int(v.Value)
				}
			}
		}
	}
	if t.KptrFieldsMax == 0 {
		return Target{}, fmt.Errorf("%w: no BTF_FIELDS_MAX in BTF", ErrTarget)
	}
	return t, nil
}

// ErrTarget reports a kernel whose BTF or CPU list does not give a Target.
var ErrTarget = errors.New("progs: cannot read the kernel's target")

// KernelTarget reads the running kernel's Target from its BTF
// (btf.LoadKernelSpec) and /sys/devices/system/cpu/possible. When either is
// unavailable it returns DefaultTarget and an error wrapping ErrTarget
// saying why; the Target is usable either way.
func KernelTarget() (Target, error) {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return DefaultTarget, fmt.Errorf("%w: kernel BTF: %v", ErrTarget, err)
	}
	b, err := os.ReadFile("/sys/devices/system/cpu/possible")
	if err != nil {
		return DefaultTarget, fmt.Errorf("%w: %v", ErrTarget, err)
	}
	n, err := ParseCPUList(string(b))
	if err != nil {
		return DefaultTarget, err
	}
	t, err := TargetFromBTF(spec, n)
	if err != nil {
		return DefaultTarget, err
	}
	return t, nil
}

// ParseCPUList returns one past the highest CPU in a cpulist such as
// "0-3,8,10-11" (the format of /sys/devices/system/cpu/possible), which is
// how the kernel sets nr_cpu_ids from cpu_possible_mask. A malformed list
// gives an error wrapping ErrTarget.
func ParseCPUList(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty cpulist: %w", ErrTarget)
	}
	highest := -1
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return 0, fmt.Errorf("cpulist %q: bad cpu %q: %w", s, lo, ErrTarget)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return 0, fmt.Errorf("cpulist %q: bad range %q: %w", s, part, ErrTarget)
			}
		}
		highest = max(highest, b)
	}
	return highest + 1, nil
}

// efficientUnaligned is CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS for the
// architectures Go builds for (each arch's Kconfig selects it).
func efficientUnaligned(goarch string) bool {
	switch goarch {
	case "amd64", "386", "arm64", "ppc64", "ppc64le", "s390x", "loong64", "riscv64":
		return true
	}
	return false
}
