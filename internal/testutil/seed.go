package testutil

import (
	"os"
	"strconv"
	"testing"
)

// Seed returns the seed for a test's random inputs: TEST_SEED when set, else
// 1. It logs the seed, so that a failure can be replayed with TEST_SEED=N,
// and fails the test on a TEST_SEED that is not a number.
func Seed(tb testing.TB) uint64 {
	tb.Helper()
	seed := uint64(1)
	if s, ok := os.LookupEnv("TEST_SEED"); ok {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			tb.Fatalf("TEST_SEED=%q: %v", s, err)
		}
		seed = v
	}
	tb.Logf("TEST_SEED=%d", seed)
	return seed
}
