package doc

import (
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

func full(k *cast.Kernel, cpu uint32) bool {
	m := kfuncs.CpumaskCreate(k) // want `unreleased reference: CpumaskCreate's result`
	if m == nil {
		return false
	}
	kfuncs.CpumaskSetCpu(cpu, m)
	if kfuncs.CpumaskFull(m.Cpumask()) {
		return true // m is still held on this path
	}
	kfuncs.CpumaskRelease(m)
	return false
}
