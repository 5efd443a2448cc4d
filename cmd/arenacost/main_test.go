package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bench"
	"github.com/bpfbitmap/prototype/kfuncs/oracle"
)

// TestRun loads and runs every measurement program on the live kernel with
// a short loop (the numbers are not looked at) and checks the JSON has a
// row for each planned body.
func TestRun(t *testing.T) {
	o, err := oracle.Open()
	if errors.Is(err, oracle.ErrUnavailable) {
		t.Skip(err.Error())
	}
	require.NoError(t, err)
	nr := o.Topology().NrCPUIDs
	require.NoError(t, o.Close())

	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run([]string{"-o", "-", "-n", "10", "-runs", "1"}, &stdout, &stderr), stderr.String())
	var k bench.KernelCost
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &k))
	assert.Len(t, k.Rows, len(plan(nr)))
	for _, w := range wordsFor(nr) {
		for _, op := range []string{"and", "or", "empty", "weight", "first"} {
			_, ok := k.Find(op, bench.Arena, w)
			assert.True(t, ok, "%s on %d words", op, w)
		}
	}
	assert.Equal(t, 10, k.Iterations)
	assert.Contains(t, k.Memory, "array map value")
}

func TestUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitUsage, run([]string{"-n", "0"}, &stdout, &stderr))
	assert.Equal(t, exitUsage, run([]string{"extra"}, &stdout, &stderr))
	assert.Equal(t, exitUsage, run([]string{"-bogus"}, &stdout, &stderr))
}
