// Package suppress holds //bpfbitmapvet:ignore directives: well-formed ones
// silence their rule's finding and nothing else; malformed and unused ones
// are reported.
package suppress

import (
	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

var k = cast.MustKernel(cast.MustTopology(4, 64))

// A directive after the code silences its rule on its own line.
func trailing() {
	m := kfuncs.CpumaskCreate(k)
	kfuncs.CpumaskSetCpu(1, m) //bpfbitmapvet:ignore possiblynil the test knows the create succeeds
	kfuncs.CpumaskRelease(m)
}

// A directive alone on its line silences the next line.
func above() {
	b := kfuncs.BitmapCreate(k, 64)
	if b == nil {
		return
	}
	kfuncs.BitmapRelease(b)
	//bpfbitmapvet:ignore useafterrelease the second release tests refcount_t's underflow warning
	kfuncs.BitmapRelease(b)
}

// Only the named rule: the leak on the same line is still reported.
func otherRuleSameLine() {
	kfuncs.CpumaskSetCpu(1, kfuncs.CpumaskCreate(k)) //bpfbitmapvet:ignore possiblynil shown here // want `unreleased reference: CpumaskCreate's result`
}

// Several rules, comma-separated.
func twoRules() {
	kfuncs.CpumaskSetCpu(1, kfuncs.CpumaskCreate(k)) //bpfbitmapvet:ignore possiblynil,unreleased a deliberate leak of a mask known to exist
}

// Not the next line but one.
func tooFarAbove() {
	m := kfuncs.CpumaskCreate(k)
	//bpfbitmapvet:ignore possiblynil covers the blank line only // want `unused bpfbitmapvet:ignore directive: no possiblynil finding on line 46`

	kfuncs.CpumaskSetCpu(1, m) // want `possibly nil: CpumaskCreate's result`
	kfuncs.CpumaskRelease(m)
}

// Without a reason a directive silences nothing, and is reported.
func noReason() {
	m := kfuncs.CpumaskCreate(k)
	// want +1 `bpfbitmapvet:ignore directive for possiblynil gives no reason`
	//bpfbitmapvet:ignore possiblynil
	kfuncs.CpumaskSetCpu(1, m) // want `possibly nil: CpumaskCreate's result`
	kfuncs.CpumaskRelease(m)
}

// A misspelt rule silences nothing, and is reported.
func unknownRule() {
	m := kfuncs.CpumaskCreate(k)
	// want +1 `bpfbitmapvet:ignore directive names unknown rule "possiblenil" \(rules: unreleased, possiblynil, useafterrelease, bitmapcopy\)`
	//bpfbitmapvet:ignore possiblenil the create succeeds here
	kfuncs.CpumaskSetCpu(1, m) // want `possibly nil: CpumaskCreate's result`
	kfuncs.CpumaskRelease(m)
}

// One unknown rule in a list spoils the directive.
func unknownInList() {
	m := kfuncs.CpumaskCreate(k)
	// want +1 `names unknown rule "leak"`
	//bpfbitmapvet:ignore possiblynil,leak the create succeeds here
	kfuncs.CpumaskSetCpu(1, m) // want `possibly nil: CpumaskCreate's result`
	kfuncs.CpumaskRelease(m)
}

func noRule() {
	// want +1 `bpfbitmapvet:ignore directive names no rule`
	//bpfbitmapvet:ignore
}

// A directive with nothing to silence is reported by its rule, so stale ones
// go.
func unused() {
	m := kfuncs.CpumaskCreate(k)
	if m == nil {
		return
	}
	kfuncs.CpumaskSetCpu(1, m) //bpfbitmapvet:ignore possiblynil checked above // want `unused bpfbitmapvet:ignore directive: no possiblynil finding on line 90`
	kfuncs.CpumaskRelease(m)
}

// A directive naming another rule silences nothing here and is reported by
// that rule as unused.
func wrongRule() {
	m := kfuncs.CpumaskCreate(k)
	kfuncs.CpumaskSetCpu(1, m) //bpfbitmapvet:ignore useafterrelease wrong rule // want `possibly nil: CpumaskCreate's result` `unused bpfbitmapvet:ignore directive: no useafterrelease finding`
	kfuncs.CpumaskRelease(m)
}

// The copy rule too.
func copied(b *bpfbitmap.Bitmap) int {
	//bpfbitmapvet:ignore bitmapcopy only the header is read, never released
	c := *b
	return c.Len()
}

// Another word is not a directive.
func notADirective() {
	m := kfuncs.CpumaskCreate(k)
	kfuncs.CpumaskSetCpu(1, m) //bpfbitmapvet:ignored possiblynil not a directive // want `possibly nil: CpumaskCreate's result`
	kfuncs.CpumaskRelease(m)
}
