package bench

import (
	"fmt"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
	"github.com/bpfbitmap/prototype/kfuncs/verifier"
)

// SelftestSource says what the program costs are counted on: the kernel's
// cpumask_success.c, ported to both designs by package progs.
const SelftestSource = "torvalds/linux tools/testing/selftests/bpf/progs/cpumask_success.c, ported by kfuncs/progs and counted by the kfuncs/verifier model"

// ProgramCost is what the verifier model counts for one program.
type ProgramCost struct {
	// Insns is the program's length in raw instructions; Processed the
	// instructions the verifier simulated over all paths.
	Insns     int `json:"insns"`
	Processed int `json:"processed"`
	// KfuncCalls is the kfunc calls reached; NullChecks the NULL tests the
	// verifier made the program write.
	KfuncCalls int `json:"kfunc_calls"`
	NullChecks int `json:"null_checks"`
}

// SelftestProgram is one cpumask_success.c program in both designs: the
// merged one as the selftest is written, the proposal's with each mask a
// bpf_bitmap cast once (and NULL-checked) before it reaches a cpumask kfunc.
type SelftestProgram struct {
	Name    string      `json:"name"`
	Fixed   ProgramCost `json:"fixed"`
	Generic ProgramCost `json:"generic"`
}

// ExtraNullChecks is what the proposal adds in NULL checks.
func (p SelftestProgram) ExtraNullChecks() int { return p.Generic.NullChecks - p.Fixed.NullChecks }

// Selftests verifies every cpumask_success.c program of both designs with
// the verifier model, for the default target, and returns their costs in
// source order. A program the model rejects is an error.
func Selftests() ([]SelftestProgram, error) {
	t := progs.DefaultTarget
	fixed, generic := progs.Success(progs.Fixed, t), progs.Success(progs.Generic, t)
	if len(fixed) != len(generic) {
		return nil, fmt.Errorf("bench: %d fixed and %d generic selftest programs", len(fixed), len(generic))
	}
	cost := func(p progs.Program) (ProgramCost, error) {
		r, err := verifier.VerifyProgram(p, t, false)
		if err != nil {
			return ProgramCost{}, fmt.Errorf("bench: %s (%s): %w", p.Name, p.Design, err)
		}
		s := r.Stats
		return ProgramCost{Insns: s.Insns, Processed: s.Processed, KfuncCalls: s.KfuncCalls, NullChecks: s.NullChecks}, nil
	}
	out := make([]SelftestProgram, len(fixed))
	for i := range fixed {
		if fixed[i].Name != generic[i].Name {
			return nil, fmt.Errorf("bench: selftest %d is %s in one design and %s in the other", i, fixed[i].Name, generic[i].Name)
		}
		f, err := cost(fixed[i])
		if err != nil {
			return nil, err
		}
		g, err := cost(generic[i])
		if err != nil {
			return nil, err
		}
		out[i] = SelftestProgram{Name: fixed[i].Name, Fixed: f, Generic: g}
	}
	return out, nil
}

// SelftestSummary totals Selftests.
type SelftestSummary struct {
	Programs int `json:"programs"`
	// Affected is how many programs need at least one more NULL check.
	Affected int `json:"affected"`
	// Casts is the extra NULL checks over all programs: one per checked
	// cast; MaxCasts the most in one program.
	Casts    int `json:"casts"`
	MaxCasts int `json:"max_casts"`
	// Fixed and Generic sum each design's costs.
	Fixed   ProgramCost `json:"fixed"`
	Generic ProgramCost `json:"generic"`
}

// SummarizeSelftests totals ps.
func SummarizeSelftests(ps []SelftestProgram) SelftestSummary {
	s := SelftestSummary{Programs: len(ps)}
	add := func(a *ProgramCost, b ProgramCost) {
		a.Insns += b.Insns
		a.Processed += b.Processed
		a.KfuncCalls += b.KfuncCalls
		a.NullChecks += b.NullChecks
	}
	for _, p := range ps {
		if n := p.ExtraNullChecks(); n > 0 {
			s.Affected++
			s.Casts += n
			s.MaxCasts = max(s.MaxCasts, n)
		}
		add(&s.Fixed, p.Fixed)
		add(&s.Generic, p.Generic)
	}
	return s
}
