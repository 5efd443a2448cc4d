package words

import "testing"

// impl is one implementation of the bulk functions and how to select it.
type impl struct {
	name string
	use  func()
}

// Impls returns the names of the implementations this machine runs:
// "purego" always, then "avx2" and "avx512" where the CPU has them.
func Impls() []string {
	var names []string
	for _, im := range impls() {
		names = append(names, im.name)
	}
	return names
}

// WithImpl runs f with the exported functions taking implementation name
// (from Impls), then restores the choice. Sizes below the thresholds in
// words.go take the pure-Go loops in every implementation.
func WithImpl(t testing.TB, name string, f func()) {
	t.Helper()
	for _, im := range impls() {
		if im.name == name {
			defer saveImpl()()
			im.use()
			f()
			return
		}
	}
	t.Fatalf("no implementation %q on this machine (have %v)", name, Impls())
}
