package stats_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bpfbitmap/prototype/internal/stats"
)

func TestMedian(t *testing.T) {
	assert.True(t, math.IsNaN(stats.Median(nil)))
	assert.Equal(t, 2.0, stats.Median([]float64{3, 1, 2}))
	assert.Equal(t, 2.5, stats.Median([]float64{4, 1, 3, 2}))
	in := []float64{3, 1, 2}
	stats.Median(in)
	assert.Equal(t, []float64{3, 1, 2}, in, "input left unsorted")
}
