package verifier_test

import (
	"errors"
	"testing"

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

func TestDump(t *testing.T) {
	for _, d := range []progs.Design{progs.Fixed, progs.Generic} {
		for _, p := range allPrograms(d, progs.DefaultTarget) {
			res, err := verifier.VerifyProgram(p, progs.DefaultTarget, false)
			if err != nil {
				t.Logf("%s %s: want %+v: %v", d, p.Name, p.Want, err)
			} else {
				t.Logf("%s %s: want %+v: ok %+v", d, p.Name, p.Want, res.Stats)
			}
		}
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
