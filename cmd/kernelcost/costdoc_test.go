package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/kfuncs/oracle"
)

func TestRenderCostDoc(t *testing.T) {
	costs := []oracle.Cost{
		{Name: "bpf_cpumask_first", NsPerCall: 3.25, LoopNs: 2, Iterations: 10, Runs: 2},
		{Name: oracle.CreateRelease, NsPerCall: 41, LoopNs: 2, Iterations: 4, Runs: 16, NullCreates: 1},
	}
	var b bytes.Buffer
	err := renderCostDoc(&b, costReport{Topology: oracle.DeriveTopology(256, 2), Kernel: "6.18", Costs: costs, ModelMethod: "Go model: measured somehow."},
		map[string]modelCost{"bpf_cpumask_first": {Fixed: 1.5, Generic: 1.625}})
	require.NoError(t, err)
	doc := b.String()
	require.Contains(t, doc, "| `bpf_cpumask_first` | 3.2 | 1.5 | 1.6 | 0.46 | 0.50 | 2.0 | 10 | 2 | 0 |")
	require.Contains(t, doc, "| `"+oracle.CreateRelease+"` | 41.0 | — | — | — | — |")
	require.Contains(t, doc, "| kfunc | kernel (ns/call) | Go model, fixed (ns/call) | Go model, generic (ns/call) | fixed/kernel | generic/kernel |")
	require.Contains(t, doc, "NR_CPUS=256 nr_cpu_ids=2")
	require.Contains(t, doc, "Go model: measured somehow.")
	require.Contains(t, doc, "## What the numbers say")

	b.Reset()
	require.NoError(t, renderCostDoc(&b, costReport{Costs: costs}, nil))
	require.Contains(t, b.String(), "| `bpf_cpumask_first` | 3.2 | — | — | — | — |", "the model columns stay, empty")
	require.Contains(t, b.String(), "nothing to compare yet")
}

// TestRenderCostDocAllColumns renders a row for every name the kernel side
// measures and checks each has the kernel number, both designs' model
// numbers and both ratios.
func TestRenderCostDocAllColumns(t *testing.T) {
	var costs []oracle.Cost
	model := map[string]modelCost{}
	for i, name := range oracle.CostNames() {
		k := float64(i + 1)
		costs = append(costs, oracle.Cost{Name: name, NsPerCall: k, LoopNs: 1, Iterations: 100, Runs: 3})
		model[name] = modelCost{Fixed: 2 * k, Generic: 3 * k}
	}
	model[castToCpumask] = modelCost{Fixed: 0.25, Generic: 1.5}
	var b bytes.Buffer
	require.NoError(t, renderCostDoc(&b, costReport{Topology: oracle.DeriveTopology(256, 2), Costs: costs}, model))
	doc := b.String()
	for i, name := range oracle.CostNames() {
		k := float64(i + 1)
		row := fmt.Sprintf("| `%s` | %.1f | %.1f | %.1f | 2.00 | 3.00 | 1.0 | 100 | 3 | 0 |", name, k, 2*k, 3*k)
		assert.Contains(t, doc, row, name)
	}
	assert.NotContains(t, doc, "`"+castToCpumask+"` |", "the cast has no kernel row")

	summary := doc[strings.Index(doc, "## What the numbers say"):]
	for _, line := range strings.Split(summary, "\n") {
		assert.LessOrEqual(t, len(line), 100, "summary lines are wrapped")
	}
	summary = strings.Join(strings.Fields(summary), " ")
	assert.Contains(t, summary, fmt.Sprintf("On the %d cpumask kfuncs measured on both sides", len(oracle.CostNames())-1))
	assert.Contains(t, summary, "takes 2.00× the kernel's time")
	assert.Contains(t, summary, "takes 3.00×")
	assert.Contains(t, summary, "within a factor of 2")
	assert.Contains(t, summary, "generic/fixed is 1.50×")
	assert.Contains(t, summary, "50% slower in the model")
	assert.Contains(t, summary, "costs 1.5 ns in the model")
	assert.Contains(t, summary, fmt.Sprintf("create+release costs %.1f ns in the kernel, %.1f ns in the fixed model and %.1f ns in the generic one",
		float64(len(oracle.CostNames())-1+1), 2*float64(len(oracle.CostNames())-1+1), 3*float64(len(oracle.CostNames())-1+1)))
}

// TestCostSummaryEqualDesigns checks the verdict when the designs match and
// that a kernel cost at or below the baseline gets no ratio.
func TestCostSummaryEqualDesigns(t *testing.T) {
	costs := []oracle.Cost{
		{Name: "bpf_cpumask_first", NsPerCall: 2},
		{Name: "bpf_cpumask_weight", NsPerCall: 4},
		{Name: "bpf_cpumask_test_cpu", NsPerCall: -0.1},
	}
	model := map[string]modelCost{
		"bpf_cpumask_first":    {Fixed: 1, Generic: 1.05},
		"bpf_cpumask_weight":   {Fixed: 8, Generic: 8},
		"bpf_cpumask_test_cpu": {Fixed: 1, Generic: 1},
	}
	s := costSummary(costs, model)
	assert.Contains(t, s, "On the 2 cpumask kfuncs")
	assert.Contains(t, s, "1 more have no ratio")
	assert.Contains(t, s, "within ±10%")
	assert.Contains(t, s, "spans a 4.0× range")
	assert.Contains(t, s, "faster than the kernel on 1 of 2")
	assert.Equal(t, "—", fmtRatio(1, -0.1))
	assert.Equal(t, "—", fmtRatio(0, 2))
}
