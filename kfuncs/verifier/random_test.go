package verifier_test

import (
	"errors"
	"flag"
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
	"github.com/bpfbitmap/prototype/kfuncs/verifier"
)

var randomN = flag.Int("verifier.random", 300, "random programs the differential test generates")

// TestKernelAgreement verifies every fixed-design program of kfuncs/progs
// and -verifier.random generated ones with the live kernel and the model:
// the same verdict, and for rejections the same message and instruction.
func TestKernelAgreement(t *testing.T) {
	o := kernel(t)
	tg := target(t, o)
	var agree, total, generated int
	classes := map[string]int{}
	check := func(p progs.Program) {
		total++
		kv := loadKernel(t, o, p.Insns, p.Maps)
		classes[msgClass(kv)]++
		res, err := verifier.VerifyProgram(p, tg, true)
		var ve *verifier.Error
		if err != nil && !errors.As(err, &ve) {
			t.Errorf("%s: model: %v\n%v", p.Name, err, p.Insns)
			return
		}
		switch {
		case kv.ok && err == nil:
			agree++
		case kv.ok:
			t.Errorf("%s: kernel accepts, model rejects: %v\n%v\nmodel log:\n%s", p.Name, ve, p.Insns, ve.Log)
		case err == nil:
			t.Errorf("%s: kernel rejects (%d: %s), model accepts (%+v)\n%v\nkernel log:\n%s", p.Name, kv.insn, kv.msg, res.Stats, p.Insns, kv.log)
		case kv.msg != ve.Msg || kv.insn != ve.Insn:
			t.Errorf("%s: kernel %d: %s\nmodel  %d: %s\n%v\nkernel log:\n%s\nmodel log:\n%s", p.Name, kv.insn, kv.msg, ve.Insn, ve.Msg, p.Insns, kv.log, ve.Log)
		default:
			agree++
		}
	}
	for _, p := range allPrograms(progs.Fixed, tg) {
		check(p)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < *randomN; i++ {
		p := progs.Random(rng, progs.Fixed, tg)
		p.Name = p.Name + "_" + itoa(i)
		check(p)
		generated++
	}
	for c, n := range classes {
		t.Logf("%6d  %s", n, c)
	}
	summary(t, "verifier: kernel agreement %d/%d programs (%d generated)", agree, total, generated)
}

func itoa(i int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
		if i == 0 {
			return string(b)
		}
	}
}

// msgClass is the kernel's verdict with the numbers taken out.
func msgClass(kv kernelVerdict) string {
	if kv.ok {
		return "accepted"
	}
	return digits.ReplaceAllString(kv.msg, "N")
}

var digits = regexp.MustCompile(`[0-9]+`)
