package oracle_test

import (
	"errors"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/kfuncs/oracle"
)

// openOracle opens the live-kernel oracle or skips t with the reason.
func openOracle(t *testing.T) *oracle.Oracle {
	t.Helper()
	o, err := oracle.Open()
	if errors.Is(err, oracle.ErrUnavailable) {
		t.Skip(err.Error())
	}
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, o.Close()) })
	return o
}

// TestThrowRules asks the kernel where bpf_assert (an if and a bpf_throw)
// may stand in for the NULL check of a checked cast, and where not:
// docs/kernel-reference.md §7.6 and docs/design.md §6 quote these verdicts.
// A reference held at the throw, as the bitmap being cast is, is a leak;
// inside bpf_rcu_read_lock the throw is refused. Where the only reference
// is the maybe-NULL result itself (the NULL branch drops it), the throw
// loads.
func TestThrowRules(t *testing.T) {
	o := openOracle(t)
	call := func(name string) asm.Instruction {
		ins, err := o.KfuncCall(name)
		require.NoError(t, err)
		return ins
	}
	throw := asm.Instructions{asm.Mov.Imm(asm.R1, 0), call("bpf_throw")}
	for _, tt := range []struct {
		name  string
		insns asm.Instructions
		msg   string // "" means the program must load
	}{
		{
			// A held bpf_cpumask stands in for the bitmap whose cast failed.
			name: "reference held",
			insns: concat(
				asm.Instructions{
					call("bpf_cpumask_create"),
					asm.JNE.Imm(asm.R0, 0, "have"),
					asm.Mov.Imm(asm.R0, 0),
					asm.Return(),
					asm.Mov.Reg(asm.R6, asm.R0).WithSymbol("have"),
				},
				throw,
				asm.Instructions{asm.Mov.Reg(asm.R1, asm.R6), call("bpf_cpumask_release"), asm.Mov.Imm(asm.R0, 0), asm.Return()},
			),
			msg: "bpf_throw would lead to reference leak",
		},
		{
			name: "inside rcu read lock",
			insns: concat(
				asm.Instructions{call("bpf_rcu_read_lock")},
				throw,
				asm.Instructions{call("bpf_rcu_read_unlock"), asm.Mov.Imm(asm.R0, 0), asm.Return()},
			),
			msg: "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region",
		},
		{
			name: "assert on the acquired result itself",
			insns: concat(
				asm.Instructions{
					call("bpf_cpumask_create"),
					asm.Mov.Reg(asm.R6, asm.R0),
					asm.JNE.Imm(asm.R0, 0, "have"),
				},
				throw,
				asm.Instructions{
					asm.Mov.Reg(asm.R1, asm.R6).WithSymbol("have"),
					call("bpf_cpumask_release"),
					asm.Mov.Imm(asm.R0, 0),
					asm.Return(),
				},
			),
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := o.LoadProgram("throw_rule", tt.insns)
			if tt.msg == "" {
				require.NoError(t, err)
				require.NoError(t, p.Close())
				return
			}
			var ve *ebpf.VerifierError
			require.ErrorAs(t, err, &ve)
			assert.Contains(t, ve.Log, tt.msg)
		})
	}
}

func concat(parts ...asm.Instructions) asm.Instructions {
	var out asm.Instructions
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
