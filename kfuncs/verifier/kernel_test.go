package verifier_test

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/bpfbitmap/prototype/kfuncs/oracle"
	"github.com/bpfbitmap/prototype/kfuncs/progs"
)

var (
	oracleOnce sync.Once
	theOracle  *oracle.Oracle
	oracleErr  error
)

// kernel returns the live-kernel oracle, or skips the test saying why.
func kernel(t testing.TB) *oracle.Oracle {
	t.Helper()
	oracleOnce.Do(func() { theOracle, oracleErr = oracle.Open() })
	if oracleErr != nil {
		if errors.Is(oracleErr, oracle.ErrUnavailable) {
			t.Skipf("differential test skipped: %v", oracleErr)
		}
		t.Fatal(oracleErr)
	}
	return theOracle
}

// target is the running kernel's build.
func target(t testing.TB, o *oracle.Oracle) progs.Target {
	tg, err := progs.TargetFromBTF(o.KernelBTF(), o.Topology().NrCPUIDs)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// kernelVerdict is what the live verifier said: ok, or the error lines of
// its log (between the last instruction and the "processed" line).
type kernelVerdict struct {
	ok        bool
	msg       string
	insn      int
	log       string
	processed int // "processed N insns"
}

// bpfFSleepable is BPF_F_SLEEPABLE, which SYSCALL programs need.
const bpfFSleepable = 16

var processedRe = regexp.MustCompile(`processed (\d+) insns`)

func processedInsns(log string) int {
	m := processedRe.FindStringSubmatch(log)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

var (
	insnLine = regexp.MustCompile(`^\d+: `)
	insnOp   = regexp.MustCompile(`^(\d+): \(`)
)

// loadKernel loads insns, with kfunc names resolved to the kernel's BTF ids
// and maps created, as a sleepable SYSCALL program.
func loadKernel(t testing.TB, o *oracle.Oracle, insns asm.Instructions, maps []progs.Map) kernelVerdict {
	t.Helper()
	out := make(asm.Instructions, len(insns))
	for i, ins := range insns {
		if name, ok := progs.KfuncName(ins); ok {
			call, err := o.KfuncCall(name)
			if err != nil {
				t.Fatalf("insn %d: %v", i, err)
			}
			ins.Constant = call.Constant
		}
		out[i] = ins
	}
	refs := out.ReferenceOffsets()
	for _, pm := range maps {
		if len(refs[pm.Name]) == 0 {
			continue
		}
		size, err := btf.Sizeof(pm.Value)
		if err != nil {
			t.Fatal(err)
		}
		m, err := ebpf.NewMap(&ebpf.MapSpec{
			Name: pm.Name, Type: ebpf.Array, KeySize: 4, ValueSize: uint32(size), MaxEntries: 1,
			Key: &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}, Value: pm.Value,
		})
		if err != nil {
			t.Fatalf("map %s: %v", pm.Name, err)
		}
		defer m.Close()
		if err := out.AssociateMap(pm.Name, m); err != nil {
			t.Fatalf("map %s: %v", pm.Name, err)
		}
	}
	// Level 1 and statistics, as cilium/ebpf's retry after a failure
	// would ask: the failing path and the "processed" line.
	p, err := ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{
		Name: "vdiff", Type: ebpf.Syscall, Flags: bpfFSleepable, License: "GPL", Instructions: out,
	}, ebpf.ProgramOptions{LogLevel: ebpf.LogLevelBranch | ebpf.LogLevelStats, LogSizeStart: 1 << 20})
	if err == nil {
		defer p.Close()
		return kernelVerdict{ok: true, processed: processedInsns(p.VerifierLog), insn: -1, log: p.VerifierLog}
	}
	var ve *ebpf.VerifierError
	if !errors.As(err, &ve) {
		t.Fatalf("load: %v", err)
	}
	end := len(ve.Log)
	for i := len(ve.Log) - 1; i >= 0; i-- {
		if l := ve.Log[i]; strings.HasPrefix(l, "processed ") || strings.HasPrefix(l, "verification time ") || strings.HasPrefix(l, "stack depth ") {
			end = i
		}
	}
	start := end
	for start > 0 && !insnLine.MatchString(ve.Log[start-1]) {
		start--
	}
	kv := kernelVerdict{msg: strings.Join(ve.Log[start:end], "\n"), log: strings.Join(ve.Log, "\n"), insn: -1,
		processed: processedInsns(strings.Join(ve.Log, "\n"))}
	for i := start - 1; i >= 0; i-- {
		if m := insnOp.FindStringSubmatch(ve.Log[i]); m != nil {
			kv.insn, _ = strconv.Atoi(m[1])
			break
		}
	}
	return kv
}

// summary logs one line that .ci/oracle.sh picks out of go test -v.
func summary(t testing.TB, format string, args ...any) {
	t.Logf(format, args...)
}
