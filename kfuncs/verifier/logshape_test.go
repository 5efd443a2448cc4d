package verifier_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

var (
	btfIDs    = regexp.MustCompile(`#[0-9]+`)
	mapAddrs  = regexp.MustCompile(`r(\d) = (0xffff[0-9a-f]+|map\[\w+\]\+\d+)`)
	alignment = regexp.MustCompile(` +;`)
)

// normalizeLog drops what a model cannot know: kfunc BTF ids, map
// addresses (and the padding they change), and the statistics that level
// 4 adds (verification time, stack depth).
func normalizeLog(log string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		if strings.HasPrefix(l, "verification time ") || strings.HasPrefix(l, "stack depth ") {
			continue
		}
		l = btfIDs.ReplaceAllString(l, "#")
		l = mapAddrs.ReplaceAllString(l, "r$1 = map")
		l = alignment.ReplaceAllString(l, " ;")
		out = append(out, l)
	}
	return out
}

// TestLogShape compares the model's level-1 log with the kernel's, line by
// line, for the rule cases the kernel rejects: the model must reproduce
// every line but the kfunc BTF ids and map addresses.
func TestLogShape(t *testing.T) {
	o := kernel(t)
	tg := target(t, o)
	same, total := 0, 0
	for _, c := range ruleCases {
		if !c.kernel || c.msg == "" {
			continue
		}
		kv := loadKernel(t, o, withCpusPtr(c.insns, int(tg.CpusPtrOffset)), c.maps)
		_, ve := verify(t, c, tg)
		if kv.ok || ve == nil {
			continue
		}
		total++
		k, m := normalizeLog(kv.log), normalizeLog(ve.Log)
		if assert.ObjectsAreEqual(k, m) {
			same++
		} else {
			t.Logf("%s:\nkernel:\n%s\nmodel:\n%s", c.name, strings.Join(k, "\n"), strings.Join(m, "\n"))
		}
	}
	t.Logf("model log identical to the kernel's on %d/%d rejected rule cases", same, total)
	assert.Equal(t, total, same)
}
