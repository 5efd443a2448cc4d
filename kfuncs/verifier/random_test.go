package verifier_test

import (
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
	"github.com/bpfbitmap/prototype/kfuncs/verifier"
)

var showLogs = flag.Bool("verifier.logs", false, "log the first line where the model's log differs from the kernel's")

var randomN = flag.Int("verifier.random", 300, "random programs the differential test generates")

// TestKernelAgreement verifies every fixed-design program of kfuncs/progs
// and -verifier.random generated ones with the live kernel and the model:
// the same verdict, and for rejections the same message, instruction and
// level-1 log (kfunc BTF ids and map addresses aside; for an accepted
// program the log is the summary line with the processed and state
// counts), and for every program the same number of processed
// instructions.
func TestKernelAgreement(t *testing.T) {
	o := kernel(t)
	tg := target(t, o)
	var agree, total, generated, logsSame, processedSame int
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
		var stats verifier.Stats
		if res != nil {
			stats = res.Stats
		} else if ve != nil {
			stats = ve.Stats
		}
		if stats.Processed == kv.processed {
			processedSame++
		} else if *showLogs {
			t.Logf("%s: processed: kernel %d, model %d", p.Name, kv.processed, stats.Processed)
		}
		switch {
		case kv.ok && err == nil:
			agree++
			// At level 1 an accepted program's log is the summary line.
			if k, m := processedLine(kv.log), strings.TrimSpace(res.Log); k == m {
				logsSame++
			} else if *showLogs {
				t.Logf("%s: summary line:\nkernel: %s\nmodel:  %s", p.Name, k, m)
			}
		case kv.ok:
			t.Errorf("%s: kernel accepts, model rejects: %v\n%v\nmodel log:\n%s", p.Name, ve, p.Insns, ve.Log)
		case err == nil:
			t.Errorf("%s: kernel rejects (%d: %s), model accepts (%+v)\n%v\nkernel log:\n%s", p.Name, kv.insn, kv.msg, res.Stats, p.Insns, kv.log)
		case kv.msg != ve.Msg || kv.insn != ve.Insn:
			t.Errorf("%s: kernel %d: %s\nmodel  %d: %s\n%v\nkernel log:\n%s\nmodel log:\n%s", p.Name, kv.insn, kv.msg, ve.Insn, ve.Msg, p.Insns, kv.log, ve.Log)
		default:
			agree++
			if k, m := normalizeLog(kv.log), normalizeLog(ve.Log); assert.ObjectsAreEqual(k, m) {
				logsSame++
			} else if *showLogs {
				for i := range min(len(k), len(m)) {
					if k[i] != m[i] {
						t.Logf("%s: first differing log line %d:\nkernel: %s\nmodel:  %s", p.Name, i, k[i], m[i])
						break
					}
				}
			}
		}
	}
	var golden strings.Builder
	for _, p := range allPrograms(progs.Fixed, tg) {
		check(p)
		if *updateDoc {
			kv := loadKernel(t, o, p.Insns, p.Maps)
			fmt.Fprintf(&golden, "%s\t%s\n", p.Name, processedLine(kv.log))
		}
	}
	if *updateDoc {
		writeFile(t, summaryGolden, golden.String())
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
	t.Logf("level-1 log identical (kfunc BTF ids and map addresses aside) on %d/%d programs", logsSame, total)
	assert.Equal(t, total, logsSame, "programs whose model log differs from the kernel's (-verifier.logs shows where)")
	t.Logf("processed instructions equal to the kernel's on %d/%d programs", processedSame, total)
	assert.Equal(t, total, processedSame, "programs whose processed count differs from the kernel's (-verifier.logs lists them)")
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

func processedLine(log string) string {
	for _, l := range strings.Split(log, "\n") {
		if strings.HasPrefix(l, "processed ") {
			return l
		}
	}
	return ""
}
