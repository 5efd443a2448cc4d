// Package possiblynil defines an Analyzer that reports KF_RET_NULL results used before they are compared with nil.
//
// # Analyzer possiblynil
//
// possiblynil: report KF_RET_NULL results used before they are compared with nil
//
// A KF_RET_NULL kfunc (BitmapCreate, CpumaskCreate, BitmapCastToCpumask,
// KptrXchg, IterBitsNext) or a core-API allocation whose error says nil may
// return nil. The verifier refuses a maybe-NULL pointer passed to a trusted or
// RCU argument ("Possibly NULL pointer passed to trusted arg%d") and a load
// through one ("invalid mem access 'ptr_or_null_'"); this analyzer reports a
// Go path that passes such a result to a kfunc whose flags make the argument
// trusted or RCU (KF_TRUSTED_ARGS, KF_RELEASE, KF_RCU), or calls a method on it,
// before comparing it (or its error) with nil, directly, through a helper
// returning p != nil, or with testify's require.NotNil, require.NoError,
// require.True of a nil comparison, or require.Same against a value known
// not to be nil.
//
// Which functions acquire, release or may return nil comes from the kfunc
// flag table, kfuncs.Kfuncs, read when the analyzer runs.
package possiblynil

import "github.com/bpfbitmap/prototype/analysis/internal/refs"

// Analyzer reports violations of the possiblynil rule.
var Analyzer = refs.RuleAnalyzer(refs.RulePossiblyNil,
	"report KF_RET_NULL results used before they are compared with nil")
