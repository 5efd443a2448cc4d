package kfuncs_test

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/kfuncs"
)

// TestOwnershipCompileTime type-checks a program that hands each kind of
// mask to every mutator kfunc. BPF-owned masks (a BPFCpumask, a cast bitmap)
// must compile; kernel-owned ones (task->cpus_ptr, cpu_online_mask) must be
// rejected on exactly the line that passes them, as the kernel's verifier
// rejects test_mutate_cpumask ("bpf_cpumask_set_cpu args#1 expected pointer
// to STRUCT bpf_cpumask"). Readers must accept all of them.
func TestOwnershipCompileTime(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks from source")
	}
	funcs := parsePackage(t)
	var src strings.Builder
	src.WriteString(`package prog

import (
	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

var (
	k     *cast.Kernel
	task  *cast.Task
	fixed *kfuncs.BPFCpumask
	bm    *bpfbitmap.Bitmap
	ro    *cast.Cpumask
)

func prog() {
	generic := kfuncs.BitmapCastToCpumask(bm)
	_ = generic
`)
	line := strings.Count(src.String(), "\n") + 1
	wantErr := map[int]string{} // line -> what is passed
	emit := func(call string, bad string) {
		if bad != "" {
			wantErr[line] = bad
		}
		src.WriteString("\t" + call + "\n")
		line++
	}
	mutators := 0
	for _, k := range kfuncsTable() {
		fd := funcs[k]
		if fd == nil || fd.Type.TypeParams == nil || types.ExprString(fd.Type.TypeParams.List[0].Type) != "BPFOwned" {
			continue
		}
		mutators++
		for _, mask := range []struct{ expr, bad string }{
			{"fixed", ""},
			{"generic", ""},
			{"task.CpusPtr", "task->cpus_ptr"},
			{"k.CPUOnlineMask()", "cpu_online_mask"},
			{"ro", "a const struct cpumask *"},
		} {
			emit(fmt.Sprintf("_ = func() { kfuncs.%s(%s) }", k, callArgs(fd, mask.expr)), mask.bad)
		}
	}
	require.Equal(t, 11, mutators, "set/clear/test_and_set/test_and_clear/setall/clear/and/or/xor/copy/populate")
	for _, r := range []string{"CpumaskFirst", "CpumaskWeight", "CpumaskEmpty", "CpumaskAnyDistribute"} {
		for _, mask := range []string{"task.CpusPtr", "k.CPUOnlineMask()", "fixed.Cpumask()", "generic.Cpumask()"} {
			emit(fmt.Sprintf("kfuncs.%s(%s)", r, mask), "")
		}
	}
	// The kernel's test_acquire_wrong_cpumask: no way from a kernel mask to
	// the acquire kfunc, not even by a conversion.
	emit("kfuncs.CpumaskAcquire(task.CpusPtr)", "task->cpus_ptr to acquire")
	emit("kfuncs.CpumaskRelease((*kfuncs.BPFCpumask)(task.CpusPtr))", "converted task->cpus_ptr")
	emit("kfuncs.CpumaskSetCpu(0, (*cast.OwnedCpumask)(k.CPUOnlineMask()))", "converted cpu_online_mask")
	src.WriteString("}\n")

	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "prog.go", src.String(), 0)
	require.NoError(t, err)
	gotErr := map[int][]string{}
	conf := types.Config{
		Importer: importer.ForCompiler(fset, "source", nil),
		Error: func(err error) {
			te := err.(types.Error)
			l := te.Fset.Position(te.Pos).Line
			gotErr[l] = append(gotErr[l], te.Msg)
		},
	}
	_, _ = conf.Check("prog", fset, []*ast.File{f}, nil)
	for l, what := range wantErr {
		if assert.Containsf(t, gotErr, l, "passing %s must not compile: line %d", what, l) {
			assert.Truef(t, strings.Contains(gotErr[l][0], "does not satisfy kfuncs.BPFOwned") ||
				strings.Contains(gotErr[l][0], "cannot use") || strings.Contains(gotErr[l][0], "cannot convert"),
				"line %d: %v", l, gotErr[l])
		}
	}
	for l, msgs := range gotErr {
		assert.Containsf(t, wantErr, l, "unexpected error on line %d: %v\n%s", l, msgs, lineOf(src.String(), l))
	}
}

// callArgs builds an argument list for fd with mask in the type-parameter
// position and valid values elsewhere.
func callArgs(fd *ast.FuncDecl, mask string) string {
	var args []string
	for _, f := range fd.Type.Params.List {
		for range max(len(f.Names), 1) {
			switch types.ExprString(f.Type) {
			case "M":
				args = append(args, mask)
			case "uint32":
				args = append(args, "0")
			case "*cast.Cpumask":
				args = append(args, "ro")
			case "[]byte":
				args = append(args, "nil")
			default:
				args = append(args, "nil /* "+types.ExprString(f.Type)+" */")
			}
		}
	}
	return strings.Join(args, ", ")
}

func lineOf(s string, l int) string {
	lines := strings.Split(s, "\n")
	if l-1 < len(lines) {
		return lines[l-1]
	}
	return ""
}

func kfuncsTable() []string {
	var out []string
	for _, k := range kfuncs.Kfuncs {
		out = append(out, k.Go)
	}
	return out
}
