package oracle

// The methods below are Call with the kernel's argument order and return
// types. Each returns the mutated mask(s) as full struct cpumask storage
// read back after the call; inputs are loaded with bpf_cpumask_populate,
// so words at or above Topology().ValidWords() must be zero (use Call with
// LoadCopy to plant them).

func (o *Oracle) call1(fn Kfunc, cpu uint32, masks ...[]uint64) (Result, error) {
	return o.Call(Call{Kfunc: fn, CPU: cpu, Masks: masks})
}

// CpumaskFirst returns bpf_cpumask_first(m): the lowest set bit below
// small_cpumask_bits, or small_cpumask_bits if there is none.
func (o *Oracle) CpumaskFirst(m []uint64) (uint32, error) {
	r, err := o.call1(FnCpumaskFirst, 0, m)
	return r.U32(), err
}

// CpumaskFirstZero returns bpf_cpumask_first_zero(m), small_cpumask_bits
// if every bit below it is set.
func (o *Oracle) CpumaskFirstZero(m []uint64) (uint32, error) {
	r, err := o.call1(FnCpumaskFirstZero, 0, m)
	return r.U32(), err
}

// CpumaskFirstAnd returns bpf_cpumask_first_and(a, b), small_cpumask_bits
// for an empty intersection.
func (o *Oracle) CpumaskFirstAnd(a, b []uint64) (uint32, error) {
	r, err := o.call1(FnCpumaskFirstAnd, 0, a, b)
	return r.U32(), err
}

// CpumaskSetCpu returns m after bpf_cpumask_set_cpu(cpu, m); a cpu at or
// above nr_cpu_ids leaves it unchanged.
func (o *Oracle) CpumaskSetCpu(cpu uint32, m []uint64) ([]uint64, error) {
	r, err := o.call1(FnCpumaskSetCpu, cpu, m)
	return first(r), err
}

// CpumaskClearCpu returns m after bpf_cpumask_clear_cpu(cpu, m).
func (o *Oracle) CpumaskClearCpu(cpu uint32, m []uint64) ([]uint64, error) {
	r, err := o.call1(FnCpumaskClearCpu, cpu, m)
	return first(r), err
}

// CpumaskTestCpu returns bpf_cpumask_test_cpu(cpu, m); false for a cpu at
// or above nr_cpu_ids.
func (o *Oracle) CpumaskTestCpu(cpu uint32, m []uint64) (bool, error) {
	r, err := o.call1(FnCpumaskTestCpu, cpu, m)
	return r.Bool(), err
}

// CpumaskTestAndSetCpu returns the old bit and m after
// bpf_cpumask_test_and_set_cpu(cpu, m).
func (o *Oracle) CpumaskTestAndSetCpu(cpu uint32, m []uint64) (bool, []uint64, error) {
	r, err := o.call1(FnCpumaskTestAndSetCpu, cpu, m)
	return r.Bool(), first(r), err
}

// CpumaskTestAndClearCpu returns the old bit and m after
// bpf_cpumask_test_and_clear_cpu(cpu, m).
func (o *Oracle) CpumaskTestAndClearCpu(cpu uint32, m []uint64) (bool, []uint64, error) {
	r, err := o.call1(FnCpumaskTestAndClearCpu, cpu, m)
	return r.Bool(), first(r), err
}

// CpumaskSetall returns m after bpf_cpumask_setall(m).
func (o *Oracle) CpumaskSetall(m []uint64) ([]uint64, error) {
	r, err := o.call1(FnCpumaskSetall, 0, m)
	return first(r), err
}

// CpumaskClear returns m after bpf_cpumask_clear(m).
func (o *Oracle) CpumaskClear(m []uint64) ([]uint64, error) {
	r, err := o.call1(FnCpumaskClear, 0, m)
	return first(r), err
}

// CpumaskAnd returns bpf_cpumask_and(dst, a, b) (true iff the result is
// non-empty) and dst afterwards.
func (o *Oracle) CpumaskAnd(dst, a, b []uint64) (bool, []uint64, error) {
	r, err := o.call1(FnCpumaskAnd, 0, dst, a, b)
	return r.Bool(), first(r), err
}

// CpumaskOr returns dst after bpf_cpumask_or(dst, a, b).
func (o *Oracle) CpumaskOr(dst, a, b []uint64) ([]uint64, error) {
	r, err := o.call1(FnCpumaskOr, 0, dst, a, b)
	return first(r), err
}

// CpumaskXor returns dst after bpf_cpumask_xor(dst, a, b).
func (o *Oracle) CpumaskXor(dst, a, b []uint64) ([]uint64, error) {
	r, err := o.call1(FnCpumaskXor, 0, dst, a, b)
	return first(r), err
}

// CpumaskEqual returns bpf_cpumask_equal(a, b).
func (o *Oracle) CpumaskEqual(a, b []uint64) (bool, error) {
	r, err := o.call1(FnCpumaskEqual, 0, a, b)
	return r.Bool(), err
}

// CpumaskIntersects returns bpf_cpumask_intersects(a, b).
func (o *Oracle) CpumaskIntersects(a, b []uint64) (bool, error) {
	r, err := o.call1(FnCpumaskIntersects, 0, a, b)
	return r.Bool(), err
}

// CpumaskSubset returns bpf_cpumask_subset(a, b): whether every bit of a
// is in b.
func (o *Oracle) CpumaskSubset(a, b []uint64) (bool, error) {
	r, err := o.call1(FnCpumaskSubset, 0, a, b)
	return r.Bool(), err
}

// CpumaskEmpty returns bpf_cpumask_empty(m).
func (o *Oracle) CpumaskEmpty(m []uint64) (bool, error) {
	r, err := o.call1(FnCpumaskEmpty, 0, m)
	return r.Bool(), err
}

// CpumaskFull returns bpf_cpumask_full(m), which checks exactly
// nr_cpu_ids bits.
func (o *Oracle) CpumaskFull(m []uint64) (bool, error) {
	r, err := o.call1(FnCpumaskFull, 0, m)
	return r.Bool(), err
}

// CpumaskCopy returns dst after bpf_cpumask_copy(dst, src).
func (o *Oracle) CpumaskCopy(dst, src []uint64) ([]uint64, error) {
	r, err := o.call1(FnCpumaskCopy, 0, dst, src)
	return first(r), err
}

// CpumaskAnyDistribute returns bpf_cpumask_any_distribute(m): nr_cpu_ids
// if m is empty, else the next set bit after this CPU's cursor, which
// depends on earlier calls by anyone on this CPU (see the package doc).
func (o *Oracle) CpumaskAnyDistribute(m []uint64) (uint32, error) {
	r, err := o.call1(FnCpumaskAnyDistribute, 0, m)
	return r.U32(), err
}

// CpumaskAnyAndDistribute returns bpf_cpumask_any_and_distribute(a, b),
// with the same shared-cursor caveat as CpumaskAnyDistribute.
func (o *Oracle) CpumaskAnyAndDistribute(a, b []uint64) (uint32, error) {
	r, err := o.call1(FnCpumaskAnyAndDistribute, 0, a, b)
	return r.U32(), err
}

// CpumaskWeight returns bpf_cpumask_weight(m).
func (o *Oracle) CpumaskWeight(m []uint64) (uint32, error) {
	r, err := o.call1(FnCpumaskWeight, 0, m)
	return r.U32(), err
}

// CpumaskPopulate returns bpf_cpumask_populate(m, src, len(src)) (0,
// -EACCES or -EINVAL) and m afterwards.
func (o *Oracle) CpumaskPopulate(m []uint64, src []byte) (int32, []uint64, error) {
	r, err := o.Call(Call{Kfunc: FnCpumaskPopulate, Masks: [][]uint64{m}, Src: src})
	return r.Int(), first(r), err
}

func first(r Result) []uint64 {
	if len(r.Masks) == 0 {
		return nil
	}
	return r.Masks[0]
}
