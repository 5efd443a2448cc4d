package oracle

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/stretchr/testify/require"
)

// modelCall runs Calls on kmodel, so the overrun probe can be applied to
// the model exactly as to the kernel.
func modelCall(tp Topology) func(Call) (Result, error) {
	m := &kmodel{t: tp}
	return func(c Call) (Result, error) {
		masks := make([][]uint64, len(c.Masks))
		for i, w := range c.Masks {
			masks[i] = make([]uint64, tp.Words())
			copy(masks[i], w)
		}
		var r Result
		for range max(c.Repeat, 1) {
			ret, out := m.apply(c.Kfunc, c.CPU, c.Src, masks)
			masks = out
			r.Rets = append(r.Rets, ret)
		}
		r.Ret, r.Masks = r.Rets[len(r.Rets)-1], masks
		return r, nil
	}
}

// expectedOverrun restates reference §3.2 as words: every operation
// touches ceil(width/64) words of its width, S, L or N, and only the words
// at or above ceil(nr_cpu_ids/64) are listed.
func expectedOverrun(tp Topology) []Overrun {
	span := func(bits int) []int {
		out := []int{}
		for j := tp.ValidWords(); j < words(bits); j++ {
			out = append(out, j)
		}
		return out
	}
	none := []int{}
	S, L, N := tp.SmallCpumaskBits, tp.LargeCpumaskBits, tp.NrCPUIDs
	var out []Overrun
	for _, fn := range Kfuncs() {
		o := Overrun{Kfunc: fn}
		for range fn.NumMasks() {
			o.Reads = append(o.Reads, none)
			o.Writes = append(o.Writes, none)
		}
		switch fn {
		case FnCpumaskFirst, FnCpumaskFirstZero, FnCpumaskFirstAnd, FnCpumaskEqual,
			FnCpumaskIntersects, FnCpumaskSubset, FnCpumaskEmpty, FnCpumaskWeight:
			for i := range o.Reads {
				o.Reads[i] = span(S)
			}
		case FnCpumaskAnd, FnCpumaskOr, FnCpumaskXor:
			o.Reads[1], o.Reads[2], o.Writes[0] = span(S), span(S), span(S)
		case FnCpumaskSetall:
			o.Writes[0] = span(N)
		case FnCpumaskClear:
			o.Writes[0] = span(L)
		case FnCpumaskCopy:
			o.Reads[1], o.Writes[0] = span(L), span(L)
		case FnCpumaskFull, FnCpumaskAnyDistribute, FnCpumaskAnyAndDistribute:
			for i := range o.Reads {
				o.Reads[i] = span(N)
			}
		case FnCpumaskPopulate:
			o.Reads = append(o.Reads, span(N))
			o.Writes[0] = span(N)
		}
		out = append(out, o)
	}
	return out
}

// TestOracleOverrunObserved backs docs/design-overrun.md: the words above
// nr_cpu_ids each kfunc reads and writes on this kernel are the ones the
// §3.2 widths predict, and kmodel agrees.
func TestOracleOverrunObserved(t *testing.T) {
	o := Require(t)
	n := countComparisons(t)
	tp := o.Topology()
	got, err := o.ObserveOverrun()
	require.NoError(t, err)
	want := expectedOverrun(tp)
	model, err := observeOverrun(tp, modelCall(tp))
	require.NoError(t, err)
	for i := range want {
		require.Equal(t, want[i], got[i], "kernel, %s", want[i].Kfunc)
		require.Equal(t, want[i], model[i], "model, %s", want[i].Kfunc)
		*n++
	}
}

// verifierProbe is a program asking the verifier whether memory of some
// size may stand in for a struct cpumask.
type verifierProbe struct {
	name, what string
	accept     bool
	build      func(p *sprog)
}

func overrunProbes(tp Topology) []verifierProbe {
	exact := 8 * tp.ValidWords()
	copyFrom := func(p *sprog, load func(p *sprog)) {
		p.createCpumask(asm.R7)
		p.ifZeroReturn(asm.R7)
		load(p) // leaves the source in R2
		p.emit(asm.Mov.Reg(asm.R1, asm.R7), p.kf("bpf_cpumask_copy"))
		p.release(asm.R7)
		p.ret0()
	}
	stack := func(bytes int) func(p *sprog) {
		return func(p *sprog) {
			for off := 8; off <= bytes; off += 8 {
				p.emit(storeImm64(asm.RFP, int16(-off), 0))
			}
			p.emit(asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(-bytes)))
		}
	}
	return []verifierProbe{
		{
			name: "copy_src_stack_nr_cpu_ids", accept: false,
			what:  fmt.Sprintf("bpf_cpumask_copy from %d bytes of stack (ceil(nr_cpu_ids/64) words) at the top of the frame", exact),
			build: func(p *sprog) { copyFrom(p, stack(exact)) },
		},
		{
			name: "copy_src_stack_cpumask", accept: true,
			what:  fmt.Sprintf("bpf_cpumask_copy from %d bytes of stack (sizeof(struct cpumask))", 8*tp.Words()),
			build: func(p *sprog) { copyFrom(p, stack(8*tp.Words())) },
		},
		{
			name: "copy_src_map_value_nr_cpu_ids", accept: false,
			what: fmt.Sprintf("bpf_cpumask_copy from an array map value of %d bytes", exact),
			build: func(p *sprog) {
				m := mustValueMap(p.t, cstruct("bitmap", field{"bits", carray(btfLong, uint32(tp.ValidWords()))}))
				copyFrom(p, func(p *sprog) { p.mapValue(asm.R2, m, 0) })
			},
		},
		{
			// Accepted on 6.18: populate's destination is a plain struct
			// cpumask *, and an RCU task->cpus_ptr is one. Never run it.
			name: "populate_dst_task_cpus_ptr", accept: true,
			what: "bpf_cpumask_populate into task->cpus_ptr (a kernel-owned struct cpumask, under RCU)",
			build: func(p *sprog) {
				p.emit(p.kf("bpf_rcu_read_lock"))
				p.currentTask(asm.R8)
				p.emit(
					storeImm64(asm.RFP, -8, 0),
					asm.LoadMem(asm.R1, asm.R8, p.memberOffset("task_struct", "cpus_ptr"), asm.DWord),
					asm.Mov.Reg(asm.R2, asm.RFP),
					asm.Add.Imm(asm.R2, -8),
					asm.Mov.Imm(asm.R3, 8),
					p.kf("bpf_cpumask_populate"),
					p.kf("bpf_rcu_read_unlock"),
				)
				p.ret0()
			},
		},
	}
}

// TestOracleOverrunVerifier asks the verifier about bitmaps of
// nr_cpu_ids bits passed where a struct cpumask is expected. These
// programs are only loaded, never run: one of them would write a task's
// CPU mask if the verifier let it through.
func TestOracleOverrunVerifier(t *testing.T) {
	o := Require(t)
	n := countComparisons(t)
	verdicts := map[string]string{}
	for _, vp := range overrunProbes(o.Topology()) {
		t.Run(vp.name, func(t *testing.T) {
			p := newSprog(t, o)
			vp.build(p)
			prog, err := p.load(vp.name)
			if vp.accept {
				require.NoError(t, err, vp.what)
				prog.Close()
				verdicts[vp.name] = "accepted"
			} else {
				var ve *ebpf.VerifierError
				require.ErrorAs(t, err, &ve, "the verifier must refuse: %s", vp.what)
				verdicts[vp.name] = verdict(ve.Log)
			}
			*n++
		})
	}
	if *update {
		observed, err := o.ObserveOverrun()
		require.NoError(t, err)
		writeOverrunDoc(t, o.Topology(), observed, overrunProbes(o.Topology()), verdicts)
	}
}

func wordList(ws []int) string {
	if len(ws) == 0 {
		return "—"
	}
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = fmt.Sprint(w)
	}
	return strings.Join(s, ", ")
}

func writeOverrunDoc(t *testing.T, tp Topology, obs []Overrun, probes []verifierProbe, verdicts map[string]string) {
	V, W := tp.ValidWords(), tp.Words()
	var b strings.Builder
	b.WriteString("# The overrun hazard of casting an nr_cpu_ids-sized bitmap to a cpumask\n\n")
	b.WriteString("Generated by `go test ./kfuncs/oracle -run TestOracleOverrunVerifier -update` on the live\n")
	b.WriteString("kernel; do not edit. Every statement below is asserted by `TestOracleOverrunObserved`,\n")
	b.WriteString("`TestOracleOverrunVerifier` or `TestOracleKernelMatchesModel` in `kfuncs/oracle`.\n\n")
	b.WriteString("## This kernel\n\n")
	fmt.Fprintf(&b, "| | value | source |\n|---|---:|---|\n")
	fmt.Fprintf(&b, "| NR_CPUS | %d | 8 × sizeof(struct cpumask) = 8 × %d from BTF |\n", tp.NrCPUs, tp.NrCPUs/8)
	fmt.Fprintf(&b, "| nr_cpu_ids | %d | /sys/devices/system/cpu/possible; confirmed in-kernel: any_distribute(empty) returns it |\n", tp.NrCPUIDs)
	fmt.Fprintf(&b, "| small_cpumask_bits (S) | %d | reference §3.2; confirmed: first(empty) returns it |\n", tp.SmallCpumaskBits)
	fmt.Fprintf(&b, "| large_cpumask_bits (L) | %d | reference §3.2; confirmed: clear zeroes exactly that many bits |\n", tp.LargeCpumaskBits)
	fmt.Fprintf(&b, "| words of an nr_cpu_ids bitmap | %d | ceil(nr_cpu_ids/64) = %d bytes |\n", V, 8*V)
	fmt.Fprintf(&b, "| words of struct cpumask | %d | %d bytes |\n\n", W, 8*W)
	fmt.Fprintf(&b, "An exactly nr_cpu_ids-sized bitmap has words 0..%d. The table lists, per kfunc, which\n", V-1)
	fmt.Fprintf(&b, "words %d..%d (beyond such a bitmap) each argument's contents are read from (they change\n", V, W-1)
	b.WriteString("the result) and written to, observed by planting all-zero and all-one patterns in each high\n")
	b.WriteString("word alone (masks filled with `bpf_cpumask_copy` from a stack buffer, read back through the\n")
	b.WriteString("`bpf_cpumask` pointer). Argument order is the kernel's; populate's second argument is its\n")
	b.WriteString("source buffer.\n\n")
	b.WriteString("| kfunc | words read beyond, per argument | words written beyond, per mask argument |\n|---|---|---|\n")
	var readers, writers []string
	for _, o := range obs {
		var rs, ws []string
		for i, r := range o.Reads {
			rs = append(rs, fmt.Sprintf("arg%d: %s", i, wordList(r)))
			if len(r) > 0 {
				readers = append(readers, fmt.Sprintf("`%s` (arg%d, words %s)", o.Kfunc, i, wordList(r)))
			}
		}
		for i, w := range o.Writes {
			ws = append(ws, fmt.Sprintf("arg%d: %s", i, wordList(w)))
			if len(w) > 0 {
				writers = append(writers, fmt.Sprintf("`%s` (arg%d, words %s)", o.Kfunc, i, wordList(w)))
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", o.Kfunc, strings.Join(rs, "; "), strings.Join(ws, "; "))
	}
	b.WriteString("\n## What a cast would overrun\n\n")
	if len(readers) == 0 && len(writers) == 0 {
		b.WriteString("Nothing: on this kernel no kfunc touches storage beyond ceil(nr_cpu_ids/64) words.\n\n")
	} else {
		fmt.Fprintf(&b, "Reads beyond word %d: %s.\n", V-1, strings.Join(readers, ", "))
		fmt.Fprintf(&b, "Writes beyond word %d: %s.\n\n", V-1, strings.Join(writers, ", "))
		fmt.Fprintf(&b, "A `struct cpumask *` produced by casting a bitmap of exactly nr_cpu_ids = %d bits (%d bytes)\n", tp.NrCPUIDs, 8*V)
		b.WriteString("is read-only to the kfuncs (every mutator except populate demands `struct bpf_cpumask *`),\n")
		b.WriteString("so the writers above cannot reach it. The readers can: passed as the source of\n")
		fmt.Fprintf(&b, "`bpf_cpumask_copy`, it is read for large_cpumask_bits = %d bits, i.e. %d bytes past its\n", tp.LargeCpumaskBits, 8*(words(tp.LargeCpumaskBits)-V))
		b.WriteString("end, and those bytes land in the destination mask, where S-width queries ignore them but\n")
		b.WriteString("`or`/`xor`/`copy` carry them on. A cast must therefore guarantee large_cpumask_bits of backing\n")
		b.WriteString("storage (sizeof(struct cpumask) when NR_CPUS ≤ 256), not num_bits == nr_cpu_ids alone.\n\n")
	}
	b.WriteString("## What the verifier allows\n\n")
	b.WriteString("For BPF-owned memory the verifier already enforces sizeof(struct cpumask): a pointer to\n")
	b.WriteString("stack or map memory passed as `const struct cpumask *` must have that many readable bytes.\n")
	b.WriteString("So the hazard is specific to a kernel-allocated bitmap handed out as a trusted\n")
	b.WriteString("`struct cpumask *`: for those the verifier has only the BTF type, whose size is always\n")
	b.WriteString("sizeof(struct cpumask). Probes (loaded, never run):\n\n")
	b.WriteString("| probe | verdict |\n|---|---|\n")
	for _, p := range probes {
		fmt.Fprintf(&b, "| %s | `%s` |\n", p.what, verdicts[p.name])
	}
	b.WriteString("\nThe last probe settles reference §11's open question, and not reassuringly: populate's\n")
	b.WriteString("destination is typed `struct cpumask *` with KF_RCU, and the verifier accepts a kernel-owned\n")
	b.WriteString("mask there. The verifier thus lets a sleepable SYSCALL program (CAP_BPF + CAP_PERFMON) hand\n")
	b.WriteString("`task->cpus_ptr` to a kfunc that copies ceil(nr_cpu_ids/64) words into it, behind the\n")
	b.WriteString("scheduler's back. The probe is loaded and never run, so the write is inferred from\n")
	b.WriteString("`bpf_cpumask_populate`'s code, not observed.\n")
	b.WriteString("A `bpf_bitmap` cast that yields a writable `struct cpumask *` would widen the same door.\n")
	path := filepath.Join("..", "..", "docs", "design-overrun.md")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
}
