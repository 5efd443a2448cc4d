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

// loadKernel loads insns through the oracle, asking for the level-1 log and
// statistics, as cilium/ebpf's retry after a failure would: the failing
// path and the "processed" line.
func loadKernel(t testing.TB, o *oracle.Oracle, insns asm.Instructions, maps []progs.Map) kernelVerdict {
	t.Helper()
	p, err := o.LoadWith(progs.Program{Name: "vdiff", Design: progs.Fixed, Insns: insns, Maps: maps},
		ebpf.ProgramOptions{LogLevel: ebpf.LogLevelBranch | ebpf.LogLevelStats, LogSizeStart: 1 << 20})
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
