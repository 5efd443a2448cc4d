package kfuncs_test

import (
	"slices"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/kfuncs"
)

func collect(t *testing.T, w []uint64, nrWords uint32) (int32, []int) {
	t.Helper()
	var it kfuncs.IterBits
	defer kfuncs.IterBitsDestroy(&it)
	ret := kfuncs.IterBitsNew(&it, w, nrWords)
	var got []int
	for p := kfuncs.IterBitsNext(&it); p != nil; p = kfuncs.IterBitsNext(&it) {
		got = append(got, int(*p))
	}
	return ret, got
}

func TestIterBits(t *testing.T) {
	big := make([]uint64, 600)
	big[0], big[2], big[510] = 1<<63|1, 1<<5, 1<<1
	tests := []struct {
		name    string
		w       []uint64
		nrWords uint32
		ret     syscall.Errno
		want    []int
	}{
		{"nil", nil, 1, syscall.EINVAL, nil},
		{"zero words", big, 0, syscall.EINVAL, nil},
		{"one word inline", big, 1, 0, []int{0, 63}},
		{"three words", big, 3, 0, []int{0, 63, 133}},
		{"511 words", big, 511, 0, []int{0, 63, 133, 510*64 + 1}},
		{"512 words", big, 512, syscall.E2BIG, nil},
		{"past the area", big[:2], 3, syscall.EFAULT, nil},
		{"empty area", make([]uint64, 4), 4, 0, nil},
	}
	live := bpfbitmap.Default().Stats().Live
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ret, got := collect(t, tt.w, tt.nrWords)
			assert.Equal(t, -int32(tt.ret), ret)
			assert.Equal(t, tt.want, got)
		})
	}
	assert.Equal(t, live, bpfbitmap.Default().Stats().Live, "destroy frees every copy")
}

func TestIterBitsSnapshotAndENOMEM(t *testing.T) {
	w := []uint64{0b101, 0, 1}
	var it kfuncs.IterBits
	require.Zero(t, kfuncs.IterBitsNew(&it, w, 3))
	w[0], w[2] = 0, 0 // later changes are not seen
	p := kfuncs.IterBitsNext(&it)
	require.NotNil(t, p)
	assert.EqualValues(t, 0, *p)
	p = kfuncs.IterBitsNext(&it)
	require.NotNil(t, p)
	assert.EqualValues(t, 2, *p)
	p = kfuncs.IterBitsNext(&it)
	require.NotNil(t, p)
	assert.EqualValues(t, 128, *p)
	assert.Nil(t, kfuncs.IterBitsNext(&it))
	assert.Nil(t, kfuncs.IterBitsNext(&it), "stays exhausted")
	kfuncs.IterBitsDestroy(&it)
	//bpfbitmapvet:ignore useafterrelease a second destroy tests that it does nothing
	kfuncs.IterBitsDestroy(&it) // idempotent

	bpfbitmap.Default().FailNext(1)
	ret, got := collect(t, []uint64{1, 1}, 2)
	assert.Equal(t, -int32(syscall.ENOMEM), ret)
	assert.Empty(t, got, "next after a failed new yields nothing")
	ret, got = collect(t, []uint64{1}, 1) // one word needs no allocation
	assert.Zero(t, ret)
	assert.Equal(t, []int{0}, got)
}

func TestBitsSeq(t *testing.T) {
	w := []uint64{1 << 3, 1<<0 | 1<<63}
	assert.Equal(t, []int{3, 64, 127}, slices.Collect(kfuncs.Bits(w)))
	live := bpfbitmap.Default().Stats().Live
	for i := range kfuncs.Bits(w) {
		assert.Equal(t, 3, i)
		break // destroy still runs
	}
	assert.Equal(t, live, bpfbitmap.Default().Stats().Live)
	assert.Empty(t, slices.Collect(kfuncs.Bits(nil)))
	assert.Empty(t, slices.Collect(kfuncs.Bits(make([]uint64, kfuncs.IterBitsMaxWords+1))), "-E2BIG")
}
