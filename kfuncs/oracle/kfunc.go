package oracle

// Kfunc names one bpf_cpumask kfunc the oracle can call. Go names follow
// cilium/ebpf's FnXxx convention for helpers: the kernel name minus "bpf_",
// each part capitalised, prefixed with Fn.
type Kfunc uint8

// The cpumask kfuncs of kernel/bpf/cpumask.c that take or inspect masks.
// bpf_cpumask_create, _acquire and _release are not listed: every program
// uses create and release to own its masks, so they are measured separately.
const (
	FnCpumaskFirst Kfunc = iota + 1
	FnCpumaskFirstZero
	FnCpumaskFirstAnd
	FnCpumaskSetCpu
	FnCpumaskClearCpu
	FnCpumaskTestCpu
	FnCpumaskTestAndSetCpu
	FnCpumaskTestAndClearCpu
	FnCpumaskSetall
	FnCpumaskClear
	FnCpumaskAnd
	FnCpumaskOr
	FnCpumaskXor
	FnCpumaskEqual
	FnCpumaskIntersects
	FnCpumaskSubset
	FnCpumaskEmpty
	FnCpumaskFull
	FnCpumaskCopy
	FnCpumaskAnyDistribute
	FnCpumaskAnyAndDistribute
	FnCpumaskWeight
	FnCpumaskPopulate
	maxKfunc
)

// argKind is one argument slot of a kfunc's C signature, in order.
type argKind uint8

const (
	argCPU  argKind = iota + 1 // u32 cpu
	argMask                    // struct bpf_cpumask * or const struct cpumask *
	argSrc                     // populate's void *src, followed by its size
)

// RetKind is the C return type of a kfunc, which decides how Result.Ret
// is to be read: the JIT only guarantees the low bits of R0 for narrow types.
type RetKind uint8

// Return kinds of the cpumask kfuncs.
const (
	RetVoid RetKind = iota // void: Result.Ret is meaningless
	RetBool                // bool: only the low byte of R0 is defined
	RetU32                 // u32
	RetInt                 // int: a negative errno or 0
)

type kfuncInfo struct {
	name string
	args []argKind
	ret  RetKind
}

var kfuncTable = [maxKfunc]kfuncInfo{
	FnCpumaskFirst:            {"bpf_cpumask_first", []argKind{argMask}, RetU32},
	FnCpumaskFirstZero:        {"bpf_cpumask_first_zero", []argKind{argMask}, RetU32},
	FnCpumaskFirstAnd:         {"bpf_cpumask_first_and", []argKind{argMask, argMask}, RetU32},
	FnCpumaskSetCpu:           {"bpf_cpumask_set_cpu", []argKind{argCPU, argMask}, RetVoid},
	FnCpumaskClearCpu:         {"bpf_cpumask_clear_cpu", []argKind{argCPU, argMask}, RetVoid},
	FnCpumaskTestCpu:          {"bpf_cpumask_test_cpu", []argKind{argCPU, argMask}, RetBool},
	FnCpumaskTestAndSetCpu:    {"bpf_cpumask_test_and_set_cpu", []argKind{argCPU, argMask}, RetBool},
	FnCpumaskTestAndClearCpu:  {"bpf_cpumask_test_and_clear_cpu", []argKind{argCPU, argMask}, RetBool},
	FnCpumaskSetall:           {"bpf_cpumask_setall", []argKind{argMask}, RetVoid},
	FnCpumaskClear:            {"bpf_cpumask_clear", []argKind{argMask}, RetVoid},
	FnCpumaskAnd:              {"bpf_cpumask_and", []argKind{argMask, argMask, argMask}, RetBool},
	FnCpumaskOr:               {"bpf_cpumask_or", []argKind{argMask, argMask, argMask}, RetVoid},
	FnCpumaskXor:              {"bpf_cpumask_xor", []argKind{argMask, argMask, argMask}, RetVoid},
	FnCpumaskEqual:            {"bpf_cpumask_equal", []argKind{argMask, argMask}, RetBool},
	FnCpumaskIntersects:       {"bpf_cpumask_intersects", []argKind{argMask, argMask}, RetBool},
	FnCpumaskSubset:           {"bpf_cpumask_subset", []argKind{argMask, argMask}, RetBool},
	FnCpumaskEmpty:            {"bpf_cpumask_empty", []argKind{argMask}, RetBool},
	FnCpumaskFull:             {"bpf_cpumask_full", []argKind{argMask}, RetBool},
	FnCpumaskCopy:             {"bpf_cpumask_copy", []argKind{argMask, argMask}, RetVoid},
	FnCpumaskAnyDistribute:    {"bpf_cpumask_any_distribute", []argKind{argMask}, RetU32},
	FnCpumaskAnyAndDistribute: {"bpf_cpumask_any_and_distribute", []argKind{argMask, argMask}, RetU32},
	FnCpumaskWeight:           {"bpf_cpumask_weight", []argKind{argMask}, RetU32},
	FnCpumaskPopulate:         {"bpf_cpumask_populate", []argKind{argMask, argSrc}, RetInt},
}

// Kfuncs returns every kfunc the oracle can call, in declaration order.
func Kfuncs() []Kfunc {
	out := make([]Kfunc, 0, maxKfunc-1)
	for fn := FnCpumaskFirst; fn < maxKfunc; fn++ {
		out = append(out, fn)
	}
	return out
}

// String returns the kernel's name, e.g. "bpf_cpumask_first", so logs and
// testdata grep the same as kernel sources.
func (fn Kfunc) String() string {
	if !fn.valid() {
		return "Kfunc(invalid)"
	}
	return kfuncTable[fn].name
}

// NumMasks returns how many mask arguments the kfunc takes, which is how
// many input masks Call needs.
func (fn Kfunc) NumMasks() int {
	n := 0
	for _, a := range fn.info().args {
		if a == argMask {
			n++
		}
	}
	return n
}

// TakesCPU reports whether the kfunc's first argument is a CPU number.
func (fn Kfunc) TakesCPU() bool {
	args := fn.info().args
	return len(args) > 0 && args[0] == argCPU
}

// Ret returns the kfunc's C return type.
func (fn Kfunc) Ret() RetKind { return fn.info().ret }

func (fn Kfunc) valid() bool { return fn > 0 && fn < maxKfunc }

func (fn Kfunc) info() kfuncInfo {
	if !fn.valid() {
		return kfuncInfo{}
	}
	return kfuncTable[fn]
}
