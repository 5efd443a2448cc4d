// Package testutil holds what the tests of several packages share, so that
// each exists once: the reference model of the kernel's cpumask code, which
// kfuncs' tests and the live-kernel oracle both check against, and the
// replayable random seed. Only tests import it.
package testutil
