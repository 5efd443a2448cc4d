package progs

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/kfuncs"
)

var update = flag.Bool("update", false, "rewrite testdata/fixed.golden")

// all returns every program of both designs on target t.
func all(t Target) []Program {
	var out []Program
	for _, d := range []Design{Fixed, Generic} {
		out = append(out, Success(d, t)...)
		out = append(out, Failure(d, t)...)
		out = append(out, Throw(d, t)...)
		out = append(out, Overrun(d, t)...)
		out = append(out, PortingProbes(d, t)...)
	}
	return append(out, GenericFailure(t)...)
}

// listing prints a program one instruction a line, with the kfunc each
// call names, so a golden file shows every byte that matters.
func listing(p Program) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s (%s)\n", p.Name, p.Design)
	for _, m := range p.Maps {
		fmt.Fprintf(&b, "map %s: %v\n", m.Name, m.Value)
	}
	for _, ins := range p.Insns {
		if sym := ins.Symbol(); sym != "" {
			fmt.Fprintf(&b, "%s:\n", sym)
		}
		s := fmt.Sprint(ins)
		if name, ok := KfuncName(ins); ok {
			s += " " + name
		}
		fmt.Fprintf(&b, "\t%s\n", s)
	}
	return b.String()
}

func TestCounts(t *testing.T) {
	for _, d := range []Design{Fixed, Generic} {
		assert.Len(t, Success(d, DefaultTarget), 23, "cpumask_success.c has 23 programs")
		assert.Len(t, Failure(d, DefaultTarget), 12, "cpumask_failure.c has 13 programs, one unported")
		assert.Len(t, Overrun(d, DefaultTarget), 4)
		assert.Len(t, Throw(d, DefaultTarget), 4)
		assert.Len(t, PortingProbes(d, DefaultTarget), 1)
	}
	assert.Len(t, Unported, 1)
	names := map[string]bool{}
	for _, p := range Failure(Fixed, DefaultTarget) {
		names[p.Name] = true
	}
	for _, u := range Unported {
		assert.True(t, names[u.After], "%s follows %q, which is no ported program", u.Name, u.After)
		assert.False(t, names[u.Name], "%s is both ported and unported", u.Name)
	}
	assert.Len(t, GenericFailure(DefaultTarget), 6)
}

// TestAssemble checks every program is well formed: unique names per
// design, a symbol for every jump, a declared map for every map
// reference, a unique map name per program, a kfunc name on every kfunc
// call, an exit as the last instruction, and a Want that says something.
// It catches a builder that drops a label or forgets a map.
func TestAssemble(t *testing.T) {
	names := map[string]bool{}
	for _, p := range all(DefaultTarget) {
		key := p.Design.String() + "/" + p.Name
		require.False(t, names[key], "duplicate %s", key)
		names[key] = true
		t.Run(key, func(t *testing.T) {
			syms, err := p.Insns.SymbolOffsets()
			require.NoError(t, err)
			maps := map[string]bool{}
			for _, m := range p.Maps {
				require.False(t, maps[m.Name], "map %s declared twice", m.Name)
				require.Equal(t, m.Name, m.Value.Name)
				maps[m.Name] = true
			}
			for i, ins := range p.Insns {
				ref := ins.Reference()
				switch {
				case ins.IsLoadFromMap():
					assert.True(t, maps[ref], "insn %d: map %q not declared", i, ref)
				case ref != "":
					_, ok := syms[ref]
					assert.True(t, ok, "insn %d: no symbol %q", i, ref)
				}
				if ins.IsKfuncCall() {
					_, ok := KfuncName(ins)
					assert.True(t, ok, "insn %d: kfunc call without a name", i)
					assert.EqualValues(t, -1, ins.Constant, "insn %d: a BTF id is the loader's business", i)
				}
			}
			require.NotEmpty(t, p.Insns)
			last := p.Insns[len(p.Insns)-1]
			assert.Equal(t, asm.Exit, last.OpCode.JumpOp(), "last insn is an exit")
			assert.True(t, p.Want.Accept != (p.Want.Msg != ""), "accepted xor a message: %+v", p.Want)
			assert.False(t, p.Want.Run && !p.Want.Accept, "only accepted programs run")
		})
	}
}

// TestKfuncsFromTable checks every kfunc a program calls has a row, in
// kfuncs.Kfuncs or in Support, and that Support adds only what kfuncs lacks.
func TestKfuncsFromTable(t *testing.T) {
	for _, s := range Support {
		_, ok := kfuncs.Kfuncs.Lookup(s.Kernel)
		assert.False(t, ok, "%s is in kfuncs.Kfuncs: drop it from Support", s.Kernel)
		_, err := s.Signature()
		assert.NoError(t, err)
	}
	used := map[string]bool{}
	for _, p := range all(DefaultTarget) {
		for _, ins := range p.Insns {
			if name, ok := KfuncName(ins); ok {
				row, found := Lookup(name)
				require.True(t, found, "%s calls %s, which has no row", p.Name, name)
				require.Equal(t, name, row.Kernel)
				used[name] = true
			}
		}
	}
	for _, s := range Support {
		assert.True(t, used[s.Kernel], "Support row %s is used by no program", s.Kernel)
	}
	_, ok := Lookup("bpf_no_such_kfunc")
	assert.False(t, ok)
	_, ok = Lookup("CpumaskFirst")
	assert.False(t, ok, "Lookup takes kernel names only")
}

// TestDesignsCallTheirOwnKfuncs checks each design calls only its own
// objects' kfuncs: a generic program that called bpf_cpumask_create, or a
// fixed one that called bpf_bitmap_*, would test the wrong design.
func TestDesignsCallTheirOwnKfuncs(t *testing.T) {
	for _, p := range all(DefaultTarget) {
		casts := 0
		for _, ins := range p.Insns {
			name, ok := KfuncName(ins)
			if !ok {
				continue
			}
			row, _ := Lookup(name)
			switch p.Design {
			case Fixed:
				assert.NotEqual(t, kfuncs.DesignProposed, row.Design, "%s (fixed) calls %s", p.Name, name)
			case Generic:
				assert.NotEqual(t, kfuncs.DesignMerged, row.Design, "%s (generic) calls %s", p.Name, name)
			}
			if name == "bpf_bitmap_cast_to_cpumask" {
				casts++
			}
		}
		if p.Design == Fixed {
			assert.Zero(t, casts, p.Name)
		}
	}
	// Programs that allocate a mask and hand it to a cpumask kfunc cast it
	// in the generic design.
	for _, p := range Success(Generic, DefaultTarget) {
		assert.Contains(t, listing(p), "bpf_bitmap_cast_to_cpumask", p.Name)
	}
}

// TestGenericCreateReadsNrCPUs checks bpf_bitmap_create is sized by the
// nr_cpus the context carries (except where a program is about the wrong
// size): a builder that passed a constant would make every cast fail.
func TestGenericCreateReadsNrCPUs(t *testing.T) {
	for _, p := range all(DefaultTarget) {
		for i, ins := range p.Insns {
			if name, _ := KfuncName(ins); name != "bpf_bitmap_create" {
				continue
			}
			prev := p.Insns[i-1]
			if p.Name == "cast_wrong_size_no_null_check" {
				assert.Equal(t, asm.Mov.Op(asm.ImmSource), prev.OpCode)
				continue
			}
			assert.Equal(t, asm.LoadMemOp(asm.DWord), prev.OpCode, "%s insn %d", p.Name, i)
			assert.Equal(t, asm.R1, prev.Dst)
			assert.Equal(t, asm.R6, prev.Src, "R6 is the ctx")
			assert.EqualValues(t, CtxNrCPUs, prev.Offset)
		}
	}
}

// TestFixedGolden pins the fixed design's instructions: the kernel's
// verdicts on them are recorded (kfuncs/oracle), so any change must be
// deliberate. Run with -update to rewrite.
func TestFixedGolden(t *testing.T) {
	var b strings.Builder
	for _, p := range all(DefaultTarget) {
		if p.Design == Fixed {
			b.WriteString(listing(p))
		}
	}
	path := filepath.Join("testdata", "fixed.golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to record")
	require.Equal(t, string(want), b.String(),
		"the fixed design's instructions changed: if that is deliberate, run kfuncs/oracle's tests on a kernel "+
			"(and -update there if verdicts moved), then go test ./kfuncs/progs -update")
}

func TestTargetFromBTFErrors(t *testing.T) {
	_, err := ParseCPUList("3-1")
	assert.ErrorIs(t, err, ErrTarget)
	for s, want := range map[string]int{"0": 1, "0-1\n": 2, "0-3,8,10-11": 12, "5,0-2": 6} {
		got, err := ParseCPUList(s)
		require.NoError(t, err, s)
		assert.Equal(t, want, got, "ParseCPUList(%q)", s)
	}
	for _, s := range []string{"", "a", "3-1", "-1", "1-"} {
		_, err := ParseCPUList(s)
		assert.ErrorIs(t, err, ErrTarget, "ParseCPUList(%q)", s)
	}
	tg, err := KernelTarget()
	if err != nil {
		assert.ErrorIs(t, err, ErrTarget)
		assert.Equal(t, DefaultTarget, tg)
		t.Skip(err)
	}
	assert.Positive(t, tg.CpusPtrOffset)
	assert.Positive(t, tg.CpumaskWords)
	assert.Positive(t, tg.KptrFieldsMax)
}

func TestDesignString(t *testing.T) {
	assert.Equal(t, "fixed", Fixed.String())
	assert.Equal(t, "generic", Generic.String())
	assert.Equal(t, "Design(9)", Design(9).String())
	assert.Equal(t, "bpf_cpumask", Fixed.KptrStruct())
	assert.Equal(t, "bpf_bitmap", Generic.KptrStruct())
}
