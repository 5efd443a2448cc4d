package oracle

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/stretchr/testify/require"
)

var kernelAddr = regexp.MustCompile(`0xffff[0-9a-f]{12}`)

var update = flag.Bool("update", false, "rewrite testdata/failure from the running kernel")

// failureCase is one program of tools/testing/selftests/bpf/progs/
// cpumask_failure.c. build is nil when the program cannot be expressed on
// this kernel as a SYSCALL program; why says why.
type failureCase struct {
	name string
	// refMsg is the selftest's __msg substring (reference §8.2).
	refMsg string
	// agrees records whether this kernel's log contains refMsg; the test
	// asserts it stays so, in either direction.
	agrees bool
	build  func(p *sprog)
	why    string
}

var failureCases = []failureCase{
	{
		name: "test_alloc_no_release", refMsg: "Unreleased reference", agrees: true,
		build: func(p *sprog) {
			p.createCpumask(asm.R7)
			p.ret0()
		},
	},
	{
		name: "test_alloc_double_release", refMsg: "NULL pointer passed to trusted arg0", agrees: true,
		build: func(p *sprog) {
			p.createCpumask(asm.R7)
			p.release(asm.R7)
			p.release(asm.R7)
			p.ret0()
		},
	},
	{
		name: "test_acquire_wrong_cpumask", refMsg: "must be referenced", agrees: true,
		build: func(p *sprog) {
			// A tp_btf program runs under RCU; a sleepable SYSCALL program
			// must say so, or task->cpus_ptr reads as untrusted.
			p.emit(p.kf("bpf_rcu_read_lock"))
			p.currentTask(asm.R8)
			p.emit(
				asm.LoadMem(asm.R1, asm.R8, p.memberOffset("task_struct", "cpus_ptr"), asm.DWord),
				p.kf("bpf_cpumask_acquire"),
				p.kf("bpf_rcu_read_unlock"),
			)
			p.ret0()
		},
	},
	{
		name: "test_mutate_cpumask", refMsg: "bpf_cpumask_set_cpu args#1 expected pointer to STRUCT bpf_cpumask", agrees: true,
		build: func(p *sprog) {
			p.emit(p.kf("bpf_rcu_read_lock"))
			p.currentTask(asm.R8)
			p.emit(
				asm.LoadMem(asm.R2, asm.R8, p.memberOffset("task_struct", "cpus_ptr"), asm.DWord),
				asm.Mov.Imm(asm.R1, 0),
				p.kf("bpf_cpumask_set_cpu"),
				p.kf("bpf_rcu_read_unlock"),
			)
			p.ret0()
		},
	},
	{
		name: "test_insert_remove_no_release", refMsg: "Unreleased reference", agrees: true,
		build: func(p *sprog) {
			m := cpumaskMap(p.t)
			p.createCpumask(asm.R7)
			p.ifZeroReturn(asm.R7)
			p.mapInsert(m, asm.R7, 0)
			p.mapLookup(m)
			p.ifZeroReturn(asm.R0)
			p.emit(asm.Mov.Reg(asm.R1, asm.R0), asm.Mov.Imm(asm.R2, 0), asm.FnKptrXchg.Call())
			p.ret0()
		},
	},
	{
		name: "test_kptr_get_no_release", refMsg: "Unreleased reference",
		why: "bpf_cpumask_kptr_get existed only in 6.3; this kernel's BTF has no such kfunc " +
			"(asserted by TestFailureVerdicts), so the program cannot be assembled.",
	},
	{
		name: "test_cpumask_null", refMsg: "NULL pointer passed to trusted arg0", agrees: true,
		build: func(p *sprog) {
			p.emit(asm.Mov.Imm(asm.R1, 0), p.kf("bpf_cpumask_empty"))
			p.ret0()
		},
	},
	{
		name: "test_global_mask_out_of_rcu", refMsg: "R2 must be a rcu pointer", agrees: true,
		build: func(p *sprog) {
			g := globalMaskMap(p.t)
			p.globalInsert(g)
			p.emit(p.kf("bpf_rcu_read_lock"))
			p.loadKptr(asm.R7, g, 0)
			nonNull := p.fresh("non_null")
			p.emit(asm.JNE.Imm(asm.R7, 0, nonNull))
			p.setErr(4)
			p.emit(p.kf("bpf_rcu_read_unlock"))
			p.ret0()
			p.label(nonNull)
			p.emit(p.kf("bpf_rcu_read_unlock"))
			// RCU region is exited before calling a KF_RCU kfunc.
			p.emit(asm.Mov.Imm(asm.R1, 0), asm.Mov.Reg(asm.R2, asm.R7), p.kf("bpf_cpumask_test_cpu"))
			p.ret0()
		},
	},
	{
		name: "test_global_mask_no_null_check", refMsg: "NULL pointer passed to trusted arg1", agrees: true,
		build: func(p *sprog) {
			g := globalMaskMap(p.t)
			p.globalInsert(g)
			p.emit(p.kf("bpf_rcu_read_lock"))
			p.loadKptr(asm.R7, g, 0)
			p.emit(asm.Mov.Imm(asm.R1, 0), asm.Mov.Reg(asm.R2, asm.R7), p.kf("bpf_cpumask_test_cpu"))
			p.emit(p.kf("bpf_rcu_read_unlock"))
			p.ret0()
		},
	},
	{
		name: "test_global_mask_rcu_no_null_check", refMsg: "Possibly NULL pointer passed to helper arg2", agrees: true,
		build: func(p *sprog) {
			g := globalMaskMap(p.t)
			p.emit(p.kf("bpf_cpumask_create"), asm.Mov.Reg(asm.R7, asm.R0))
			p.ifZeroReturn(asm.R7)
			p.kptrXchg(g, 0, asm.R7)
			noPrev := p.fresh("no_prev")
			p.emit(asm.JEq.Imm(asm.R0, 0, noPrev), asm.Mov.Reg(asm.R1, asm.R0), p.kf("bpf_cpumask_release"))
			p.label(noPrev)
			p.emit(p.kf("bpf_rcu_read_lock"))
			p.loadKptr(asm.R7, g, 0)
			// PTR_TO_BTF_ID | PTR_MAYBE_NULL | MEM_RCU passed to bpf_kptr_xchg().
			p.kptrXchg(g, 0, asm.R7)
			p.emit(asm.Mov.Reg(asm.R8, asm.R0), p.kf("bpf_rcu_read_unlock"))
			done := p.fresh("done")
			p.emit(asm.JEq.Imm(asm.R8, 0, done))
			p.release(asm.R8)
			p.label(done)
			p.ret0()
		},
	},
	{
		name: "test_invalid_nested_array", refMsg: "has no valid kptr", agrees: true,
		build: func(p *sprog) {
			// In C the global holds CPUMASK_KPTR_FIELDS_MAX+1 kptrs; the
			// kernel refuses that BTF at map creation and libbpf retries
			// without BTF, so the map the program sees has no kptr fields.
			// cilium/ebpf's NewMap falls back the same way.
			max := kptrFieldsMax(p.t, p.o)
			p.t.Logf("kptr fields per map value (BTF_FIELDS_MAX): %d", max)
			over := cstruct("MASK_NESTED", field{"d_1", cstruct("kptr_nested_array_1",
				field{"d_2", carray(cstruct("kptr_nested_array_2", field{"mask", kptrType()}), uint32(max+1))})})
			m := mustValueMap(p.t, over)
			p.createCpumask(asm.R7)
			p.ifZeroReturn(asm.R7)
			p.kptrXchg(m, 8*max, asm.R7)
			done := p.fresh("done")
			p.emit(asm.JEq.Imm(asm.R0, 0, done), asm.Mov.Reg(asm.R1, asm.R0), p.kf("bpf_cpumask_release"))
			p.setErr(3)
			p.label(done)
			p.ret0()
		},
	},
	{
		name: "test_populate_invalid_destination", refMsg: "type=scalar expected=fp", agrees: true,
		build: func(p *sprog) {
			p.emit(
				asm.Mov.Imm(asm.R1, 0x123456),
				asm.Mov.Reg(asm.R2, asm.RFP),
				asm.Add.Imm(asm.R2, -8),
				asm.Mov.Imm(asm.R3, 8),
				p.kf("bpf_cpumask_populate"),
			)
			p.ret0()
		},
	},
	{
		name: "test_populate_invalid_source", refMsg: "leads to invalid memory access", agrees: true,
		build: func(p *sprog) {
			p.createCpumask(asm.R7)
			p.ifZeroReturn(asm.R7)
			p.emit(
				asm.Mov.Reg(asm.R1, asm.R7),
				asm.Mov.Imm(asm.R2, 0x123456),
				asm.Mov.Imm(asm.R3, 8),
				p.kf("bpf_cpumask_populate"),
			)
			p.release(asm.R7)
			p.ret0()
		},
	},
}

// globalInsert is the prologue shared by the global-mask programs:
// create a mask and move it into global_mask, returning if either fails.
func (p *sprog) globalInsert(g *ebpf.Map) {
	p.createCpumask(asm.R7)
	p.ifZeroReturn(asm.R7)
	p.kptrXchg(g, 0, asm.R7)
	noPrev := p.fresh("no_prev")
	p.emit(asm.JEq.Imm(asm.R0, 0, noPrev), asm.Mov.Reg(asm.R1, asm.R0), p.kf("bpf_cpumask_release"))
	p.setErr(3)
	p.ret0()
	p.label(noPrev)
	p.emit(asm.Mov.Reg(asm.R7, asm.R7))
}

// verdict is the last line of a verifier log that says something: the
// "processed N insns" statistics and blank lines are skipped.
func verdict(log []string) string {
	for i := len(log) - 1; i >= 0; i-- {
		l := strings.TrimSpace(log[i])
		if l == "" || strings.HasPrefix(l, "processed ") || strings.HasPrefix(l, "verification time") ||
			strings.HasPrefix(l, "stack depth") {
			continue
		}
		return l
	}
	return ""
}

func failureLogPath(name string) string {
	return filepath.Join("testdata", "failure", name+".log")
}

// TestFailureVerdicts loads each expressible cpumask_failure.c program and
// checks that the kernel still rejects it with the recorded verdict. Run
// with -update to record the running kernel's logs and README.
func TestFailureVerdicts(t *testing.T) {
	o := Require(t)
	n := countComparisons(t)
	var readme []string
	for _, fc := range failureCases {
		t.Run(fc.name, func(t *testing.T) {
			if fc.build == nil {
				// The reason for not expressing it is itself checked.
				_, err := o.KfuncCall("bpf_cpumask_kptr_get")
				require.Error(t, err, "kfunc reappeared: port %s", fc.name)
				*n++
				readme = append(readme, fmt.Sprintf("| `%s` | `%s` | not expressible | %s |", fc.name, fc.refMsg, fc.why))
				return
			}
			p := newSprog(t, o)
			fc.build(p)
			_, err := p.load(fc.name)
			var ve *ebpf.VerifierError
			require.ErrorAs(t, err, &ve, "the kernel must reject %s", fc.name)
			got := verdict(ve.Log)
			full := strings.Join(ve.Log, "\n")
			path := failureLogPath(fc.name)
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				// Kernel addresses (map values) change every load; scrub
				// them so regenerating only shows real changes.
				scrubbed := kernelAddr.ReplaceAllString(full, "0x<kaddr>")
				require.NoError(t, os.WriteFile(path, []byte(scrubbed+"\n"), 0o644))
			}
			recorded, err := os.ReadFile(path)
			require.NoError(t, err, "run with -update to record")
			want := verdict(strings.Split(string(recorded), "\n"))
			require.Equal(t, want, got, "verdict of %s changed; full log:\n%s", fc.name, full)
			*n++
			if fc.agrees {
				require.Contains(t, full, fc.refMsg, "selftest __msg")
			} else {
				require.NotContains(t, full, fc.refMsg, "kernel now agrees with the selftest: flip agrees")
			}
			*n++
			agree := "yes"
			if !fc.agrees {
				agree = "**no**"
			}
			readme = append(readme, fmt.Sprintf("| `%s` | `%s` | %s | `%s` |", fc.name, fc.refMsg, agree, got))
		})
	}
	if *update {
		writeFailureReadme(t, o, readme)
	}
}

func writeFailureReadme(t *testing.T, o *Oracle, rows []string) {
	var b strings.Builder
	b.WriteString("# Kernel verifier verdicts for cpumask_failure.c\n\n")
	b.WriteString("Generated by `go test ./kfuncs/oracle -run TestFailureVerdicts -update`; do not edit.\n\n")
	fmt.Fprintf(&b, "Kernel topology: %s.\n\n", o.Topology())
	b.WriteString("Each `<program>.log` is the full verifier log of the hand-assembled SYSCALL port of the\n")
	b.WriteString("selftest program (see `selftest_asm_test.go` for how tp_btf arguments and globals are\n")
	b.WriteString("replaced). The verdict is the log's last line other than statistics. \"Agrees\" says whether\n")
	b.WriteString("the log contains the selftest's `__msg` substring, as the selftest harness matches it.\n\n")
	b.WriteString("| Program | Selftest `__msg` | Agrees | Kernel verdict (last line) |\n|---|---|---|---|\n")
	for _, r := range rows {
		b.WriteString(r + "\n")
	}
	b.WriteString("\nDifferences in wording from the selftests' `__msg` (all still match as substrings):\n")
	b.WriteString("NULL arguments are reported as \"Possibly NULL pointer passed to trusted argN\" even for a\n")
	b.WriteString("literal NULL; \"Unreleased reference id=N alloc_insn=M\" is followed by \"BPF_EXIT instruction in\n")
	b.WriteString("main prog would lead to reference leak\", so the log no longer ends with it; the 6.3 message for\n")
	b.WriteString("`test_acquire_wrong_cpumask` (\"expected pointer to STRUCT bpf_cpumask\") is now\n")
	b.WriteString("\"R1 must be referenced or trusted\".\n\n")
	b.WriteString("Porting notes: a sleepable SYSCALL program is not in an RCU read section, so the\n")
	b.WriteString("`task->cpus_ptr` programs take `bpf_rcu_read_lock()` as a tp_btf program implicitly has it;\n")
	b.WriteString("without it `test_mutate_cpumask` gets \"R2 must be a rcu pointer\" instead\n")
	b.WriteString("(`TestFailureCpusPtrOutsideRCU`). ")
	fmt.Fprintf(&b, "This kernel honours %d kptr fields per map value\n", kptrFieldsMax(t, o))
	b.WriteString("(BTF_FIELDS_MAX; the selftests hard-code CPUMASK_KPTR_FIELDS_MAX); past it the kernel refuses\n")
	b.WriteString("the map's BTF and libbpf and cilium/ebpf both retry without BTF, hence \"has no valid kptr\".\n\n")
	b.WriteString("## cpumask_success.c\n\n")
	b.WriteString("`TestSuccessPrograms` ports every program of the file and asserts each loads, runs and leaves\n")
	b.WriteString("`err == 0`: ")
	for i, sc := range successCases {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "`%s`", sc.name)
	}
	b.WriteString(".\n`test_populate_reject_unaligned` evaluates its `CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS` guard in\n")
	b.WriteString("Go and runs the body anyway: on such arches (x86-64, arm64) populate accepts a misaligned\n")
	b.WriteString("source and returns 0, elsewhere it must return -EINVAL.\n")
	require.NoError(t, os.WriteFile(filepath.Join("testdata", "failure", "README.md"), []byte(b.String()), 0o644))
}

// TestFailureCpusPtrOutsideRCU backs the porting note in the README: the
// RCU section is what makes task->cpus_ptr a typed pointer the verifier
// then refuses for its type; outside it the pointer is untrusted.
func TestFailureCpusPtrOutsideRCU(t *testing.T) {
	o := Require(t)
	n := countComparisons(t)
	p := newSprog(t, o)
	p.currentTask(asm.R8)
	p.emit(
		asm.LoadMem(asm.R2, asm.R8, p.memberOffset("task_struct", "cpus_ptr"), asm.DWord),
		asm.Mov.Imm(asm.R1, 0),
		p.kf("bpf_cpumask_set_cpu"),
	)
	p.ret0()
	_, err := p.load("mutate_no_rcu")
	var ve *ebpf.VerifierError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "R2 must be a rcu pointer", verdict(ve.Log))
	*n++
}
