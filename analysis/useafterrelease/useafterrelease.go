// Package useafterrelease defines an Analyzer that reports references used after they were released.
//
// # Analyzer useafterrelease
//
// useafterrelease: report references used after they were released
//
// After a KF_RELEASE kfunc (BitmapRelease, CpumaskRelease) or Bitmap.Release,
// or after KptrXchg moved it into a slot, the verifier turns every copy of the
// pointer into a scalar, and any later use fails ("R1 type=scalar
// expected=fp", "invalid mem access 'scalar'"). This analyzer reports a Go
// path that uses the value, or a cast view made from it (BitmapCastToCpumask,
// Cpumask()), after such a call, including a second release, and an
// iterator after KF_ITER_DESTROY ("expected an initialized iter_bits as arg
// #0").
//
// Which functions acquire, release or may return nil comes from the kfunc
// flag table, kfuncs.Kfuncs, read when the analyzer runs.
package useafterrelease

import "github.com/bpfbitmap/prototype/analysis/internal/refs"

// Analyzer reports violations of the useafterrelease rule.
var Analyzer = refs.RuleAnalyzer(refs.RuleUseAfterRelease,
	"report references used after they were released")
