// Package helpers wraps the kfuncs; package cross uses it, so the rules see
// these functions only through the facts exported for them.
package helpers

import (
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// NewMask acquires for its caller.
func NewMask(k *cast.Kernel) *kfuncs.BPFCpumask {
	m := kfuncs.CpumaskCreate(k)
	if m != nil {
		kfuncs.CpumaskSetall(m)
	}
	return m
}

// Drop releases m on every path.
func Drop(m *kfuncs.BPFCpumask) {
	if m != nil {
		kfuncs.CpumaskRelease(m)
	}
}

// Weight only reads m.
func Weight(m *kfuncs.BPFCpumask) uint32 { return kfuncs.CpumaskWeight(m.Cpumask()) }
