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
	ok   bool
	msg  string
	insn int
	log  string
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
	p, err := o.LoadProgram("vdiff", out)
	if err == nil {
		p.Close()
		return kernelVerdict{ok: true}
	}
	var ve *ebpf.VerifierError
	if !errors.As(err, &ve) {
		t.Fatalf("load: %v", err)
	}
	end := len(ve.Log)
	for i, l := range ve.Log {
		if strings.HasPrefix(l, "processed ") {
			end = i
		}
	}
	start := end
	for start > 0 && !insnLine.MatchString(ve.Log[start-1]) {
		start--
	}
	kv := kernelVerdict{msg: strings.Join(ve.Log[start:end], "\n"), log: strings.Join(ve.Log, "\n"), insn: -1}
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
