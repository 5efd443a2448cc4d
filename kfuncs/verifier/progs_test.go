package verifier_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
	"github.com/bpfbitmap/prototype/kfuncs/verifier"
)

// allPrograms is every program of package progs built for design d.
func allPrograms(d progs.Design, t progs.Target) []progs.Program {
	var out []progs.Program
	out = append(out, progs.Success(d, t)...)
	out = append(out, progs.Failure(d, t)...)
	out = append(out, progs.Overrun(d, t)...)
	out = append(out, progs.Throw(d, t)...)
	out = append(out, progs.PortingProbes(d, t)...)
	if d == progs.Fixed {
		// Within the kernel's kptr field limit and one past it: the map
		// then loses its BTF and the xchg has no kptr to aim at.
		out = append(out, progs.KptrFieldsProbe(t, t.KptrFieldsMax), progs.KptrFieldsProbe(t, t.KptrFieldsMax+1))
	}
	if d == progs.Generic {
		out = append(out, progs.GenericFailure(t)...)
	}
	return out
}

func modelVerdict(t testing.TB, p progs.Program, tg progs.Target) (*verifier.Result, *verifier.Error) {
	t.Helper()
	res, err := verifier.VerifyProgram(p, tg, true)
	if err == nil {
		return res, nil
	}
	var ve *verifier.Error
	if !errors.As(err, &ve) {
		t.Fatalf("%s: %v", p.Name, err)
	}
	return nil, ve
}

// TestFixedWants checks the model against every fixed program's Want, so
// the model's side of the differential test runs without a kernel.
func TestFixedWants(t *testing.T) {
	for _, p := range allPrograms(progs.Fixed, progs.DefaultTarget) {
		t.Run(p.Name, func(t *testing.T) {
			_, ve := modelVerdict(t, p, progs.DefaultTarget)
			if p.Want.Accept {
				require.Nil(t, ve, "log:\n%v", ve)
				return
			}
			require.NotNil(t, ve)
			if !p.Want.Diverges {
				assert.Contains(t, ve.Msg, p.Want.Msg)
			}
		})
	}
}

// TestGenericDesign is the proposal, model only: the 23 success ports
// accepted, the failure ports rejected with the fixed design's message
// (numbers aside), the throw programs as in the fixed design, and the
// generic design's own failures rejected with their messages.
func TestGenericDesign(t *testing.T) {
	tg := progs.DefaultTarget
	fixed := map[string]*verifier.Error{}
	for _, p := range allPrograms(progs.Fixed, tg) {
		_, ve := modelVerdict(t, p, tg)
		fixed[p.Name] = ve
	}
	success := progs.Success(progs.Generic, tg)
	require.Len(t, success, 23)
	failure := progs.Failure(progs.Generic, tg)
	require.Len(t, failure, 12)
	for _, p := range allPrograms(progs.Generic, tg) {
		t.Run(p.Name, func(t *testing.T) {
			_, ve := modelVerdict(t, p, tg)
			if p.Want.Accept {
				require.Nil(t, ve, "log:\n%v", ve)
				return
			}
			require.NotNil(t, ve, "want %q", p.Want.Msg)
			assert.Contains(t, ve.Msg, p.Want.Msg)
			if f, ok := fixed[p.Name]; ok && f != nil {
				assert.Equal(t, digits.ReplaceAllString(f.Class(), "N"), digits.ReplaceAllString(ve.Class(), "N"),
					"the fixed design's port is rejected with %q", f.Msg)
			}
		})
	}
}

func TestProgsKernel(t *testing.T) {
	o := kernel(t)
	tg := target(t, o)
	for _, p := range allPrograms(progs.Fixed, tg) {
		t.Run(p.Name, func(t *testing.T) {
			kv := loadKernel(t, o, p.Insns, p.Maps)
			_, ve := modelVerdict(t, p, tg)
			if kv.ok {
				if ve != nil {
					t.Errorf("kernel accepts, model: %v\n%s", ve, ve.Log)
				}
				return
			}
			if ve == nil {
				t.Errorf("kernel rejects (%s), model accepts", kv.msg)
				return
			}
			if kv.msg != ve.Msg || kv.insn != ve.Insn {
				t.Errorf("kernel: %d: %s\nmodel:  %d: %s\nkernel log:\n%s\nmodel log:\n%s", kv.insn, kv.msg, ve.Insn, ve.Msg, kv.log, ve.Log)
			}
		})
	}
}
