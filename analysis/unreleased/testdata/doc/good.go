package doc

import (
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

func fullReleased(k *cast.Kernel, cpu uint32) bool {
	m := kfuncs.CpumaskCreate(k)
	if m == nil {
		return false
	}
	defer kfuncs.CpumaskRelease(m) // every path now releases m
	kfuncs.CpumaskSetCpu(cpu, m)
	return kfuncs.CpumaskFull(m.Cpumask())
}
