package progs_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
	"github.com/bpfbitmap/prototype/kfuncs/verifier"
)

// TestRandom checks that Random is deterministic per seed and that every
// program it makes, in both designs, is one the verifier model judges
// (accepts or rejects, never unsupported or malformed), with both verdicts
// represented.
func TestRandom(t *testing.T) {
	for _, d := range []progs.Design{progs.Fixed, progs.Generic} {
		a := progs.Random(rand.New(rand.NewPCG(7, 9)), d, progs.DefaultTarget)
		b := progs.Random(rand.New(rand.NewPCG(7, 9)), d, progs.DefaultTarget)
		require.Equal(t, a.Insns.String(), b.Insns.String())
		rng := rand.New(rand.NewPCG(1, uint64(d)))
		verdicts := map[bool]int{}
		for range 300 {
			p := progs.Random(rng, d, progs.DefaultTarget)
			_, err := verifier.VerifyProgram(p, progs.DefaultTarget, false)
			var ve *verifier.Error
			if err != nil && !errors.As(err, &ve) {
				t.Fatalf("%s: %v\n%v", d, err, p.Insns)
			}
			verdicts[err == nil]++
		}
		assert.Positive(t, verdicts[true], "%s: no program accepted", d)
		assert.Positive(t, verdicts[false], "%s: no program rejected", d)
	}
}
