package progs

import (
	"strconv"
	"testing"

	"github.com/cilium/ebpf/asm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// nullPath returns the instructions of a generic cast's NULL path: from
// after its `if r0 != 0` to the exit.
func nullPath(t *testing.T, insns asm.Instructions) asm.Instructions {
	for i, ins := range insns {
		if name, _ := KfuncName(ins); name == "bpf_bitmap_cast_to_cpumask" {
			require.Equal(t, asm.JNE, insns[i+1].OpCode.JumpOp(), "the cast is NULL-checked at once")
			for j := i + 2; j < len(insns); j++ {
				if insns[j].OpCode.JumpOp() == asm.Exit {
					return insns[i+2 : j+1]
				}
			}
		}
	}
	t.Fatal("no cast")
	return nil
}

// TestCastUnwinds checks the NULL path of a cast releases every reference
// the program holds at that point, each once, testing the ones not known
// to be non-NULL, leaves every RCU read section, sets err and returns:
// a builder that forgot one would leak (Unreleased reference) or exit
// inside RCU, which only the verifier model would otherwise notice.
func TestCastUnwinds(t *testing.T) {
	b := newBuilder(Generic, DefaultTarget)
	b.created(m7, true)  // held, checked
	b.created(m8, false) // held, maybe NULL
	b.loaded(m9)         // an RCU kptr: not ours to release
	b.created(mStack, true)
	b.rcuLock()
	b.rcuLock()
	start := len(b.insns)
	b.cast(m9)
	path := nullPath(t, b.insns[start:])

	released := map[string]int{}
	var guarded []asm.Register
	unlocks := 0
	for i, ins := range path {
		switch name, _ := KfuncName(ins); name {
		case "bpf_bitmap_release":
			src := path[i-1]
			if src.OpCode.JumpOp() == asm.JEq { // if r1 == 0 goto skip
				guarded = append(guarded, src.Dst)
				src = path[i-2]
			}
			released[fmtArg(src)]++
		case "bpf_rcu_read_unlock":
			unlocks++
		case "":
		default:
			t.Errorf("unexpected call %s on the NULL path", name)
		}
	}
	assert.Equal(t, map[string]int{"r7": 1, "r8": 1, "fp-24": 1}, released)
	assert.Equal(t, []asm.Register{asm.R1}, guarded, "only the maybe-NULL mask is tested")
	assert.Equal(t, 2, unlocks)
	n := len(path)
	assert.Equal(t, storeImm64(asm.R6, CtxErr, ErrCodeCast), path[n-3])
	assert.Equal(t, asm.Mov.Imm(asm.R0, 0), path[n-2])

	// The state is untouched by the side path, and the view is recorded.
	assert.True(t, b.ms[m7].held && b.ms[m8].held && !b.ms[m9].held)
	assert.True(t, b.ms[m9].view)
	assert.Equal(t, 2, b.rcu)
	before := len(b.insns)
	b.cast(m9)
	assert.Equal(t, before, len(b.insns), "a mask is cast once")
}

// fmtArg names where a release's argument was loaded from.
func fmtArg(ins asm.Instruction) string {
	if ins.OpCode.Class().IsLoad() {
		return "fp" + strconv.Itoa(int(ins.Offset))
	}
	return ins.Src.String()
}

// TestFixedCastIsFree checks the fixed design emits nothing for a cast:
// a bpf_cpumask is its own cpumask.
func TestFixedCastIsFree(t *testing.T) {
	b := newBuilder(Fixed, DefaultTarget)
	b.created(m7, true)
	n := len(b.insns)
	b.cast(m7)
	assert.Len(t, b.insns, n)
	assert.Equal(t, asm.Mov.Reg(asm.R3, asm.R7), b.viewArg(asm.R3, m7))
}
