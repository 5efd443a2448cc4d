package verifier_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
	"github.com/bpfbitmap/prototype/kfuncs/verifier"
)

// modelTarget is the build the model-only tests assume.
var modelTarget = progs.DefaultTarget

func verify(t testing.TB, c ruleCase, tg progs.Target) (*verifier.Result, *verifier.Error) {
	t.Helper()
	res, err := verifier.Verify(withCpusPtr(c.insns, int(tg.CpusPtrOffset)), verifier.Config{Maps: c.maps, Target: tg, Log: true})
	if err == nil {
		return res, nil
	}
	var ve *verifier.Error
	require.True(t, errors.As(err, &ve), "%s: not a verifier.Error: %v", c.name, err)
	return nil, ve
}

func TestRuleCases(t *testing.T) {
	for _, c := range ruleCases {
		t.Run(c.name, func(t *testing.T) {
			_, ve := verify(t, c, modelTarget)
			if c.msg == "" {
				require.Nil(t, ve, "want accepted; log:\n%v", ve)
				return
			}
			require.NotNil(t, ve, "want %q", c.msg)
			assert.Equal(t, c.msg, ve.Msg, "log:\n%s", ve.Log)
			assert.Equal(t, c.insn, ve.Insn)
		})
	}
}

func TestRuleCasesKernel(t *testing.T) {
	o := kernel(t)
	tg := target(t, o)
	n := 0
	for _, c := range ruleCases {
		if !c.kernel {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			kv := loadKernel(t, o, withCpusPtr(c.insns, int(tg.CpusPtrOffset)), c.maps)
			if c.msg == "" {
				assert.True(t, kv.ok, "kernel rejected:\n%s", kv.log)
			} else {
				assert.Equal(t, c.msg, kv.msg, "kernel log:\n%s", kv.log)
				if kv.insn >= 0 {
					assert.Equal(t, c.insn, kv.insn, "kernel's insn; log:\n%s", kv.log)
				}
			}
			res, ve := verify(t, c, tg)
			if kv.ok {
				if assert.Nil(t, ve) {
					assert.Equal(t, processedLine(kv.log), strings.TrimSpace(res.Log), "summary line")
				}
			} else if assert.NotNil(t, ve) {
				assert.Equal(t, kv.msg, ve.Msg)
			}
		})
		n++
	}
	t.Logf("kernel comparisons: %d", n)
}

func TestProposalRules(t *testing.T) {
	for _, r := range proposalRules {
		t.Run(r.title, func(t *testing.T) {
			_, ve := verify(t, r.reject, modelTarget)
			require.NotNil(t, ve, "the rejected example is accepted")
			t.Log(ve.Msg)
			_, ve = verify(t, r.accept, modelTarget)
			require.Nil(t, ve, "the accepted example is rejected:\n%v", ve)
		})
	}
}
