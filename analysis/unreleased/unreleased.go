// Package unreleased defines an Analyzer that reports kfunc references that a path to return neither releases, puts in a kptr slot nor returns.
//
// # Analyzer unreleased
//
// unreleased: report kfunc references that a path to return neither releases, puts in a kptr slot nor returns
//
// A KF_ACQUIRE kfunc (BitmapCreate, CpumaskCreate, BitmapAcquire, CpumaskAcquire,
// KptrXchg's old value) or a core-API allocation (bpfbitmap.New, Allocator.New,
// Bitmap.Acquire, ...) returns a reference. The verifier refuses a program
// with a path on which the reference is still held at exit ("Unreleased
// reference"); this analyzer reports the same for a Go function, at the
// acquiring call. A reference is done with when it is passed to a KF_RELEASE
// kfunc or Bitmap.Release (also in a defer), moved into a kptr slot with
// KptrXchg, returned, or handed to code the analyzer cannot follow (stored in
// memory, passed to an unknown function). The branch on which it was found
// nil holds nothing. An iterator KF_ITER_NEW started (IterBitsNew,
// IterBitmapNew) holds a reference until KF_ITER_DESTROY, as
// mark_stack_slots_iter makes it in the verifier.
//
// Which functions acquire, release or may return nil comes from the kfunc
// flag table, kfuncs.Kfuncs, read when the analyzer runs.
package unreleased

import "github.com/bpfbitmap/prototype/analysis/internal/refs"

// Analyzer reports violations of the unreleased rule.
var Analyzer = refs.RuleAnalyzer(refs.RuleUnreleased,
	"report kfunc references that a path to return neither releases, puts in a kptr slot nor returns")
