package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/bpfbitmap/prototype/bench"
)

// sectionNames are the generated sections of design.md, in document order.
var sectionNames = []string{"answers", "memory", "time", "cast", "overrun", "selftests", "scx", "arena", "host"}

// reportSections renders every generated section of design.md from d.
func reportSections(d *reportJSON) []section {
	render := map[string]func(*reportJSON) string{
		"answers":   answersSection,
		"memory":    memorySection,
		"time":      timeSection,
		"cast":      castSection,
		"overrun":   overrunSection,
		"arena":     arenaSection,
		"scx":       scxSection,
		"selftests": selftestsSection,
		"host":      hostSection,
	}
	out := make([]section, 0, len(sectionNames))
	for _, name := range sectionNames {
		out = append(out, section{name, render[name](d)})
	}
	return out
}

// memoryRow returns the row of topology (n, nr), or nil.
func memoryRow(d *reportJSON, n, nr int) *bench.MemoryRow {
	for i := range d.Memory {
		if d.Memory[i].NrCPUIDs == n && d.Memory[i].NrCPUs == nr {
			return &d.Memory[i]
		}
	}
	return nil
}

func answersSection(d *reportJSON) string {
	var b strings.Builder
	s := d.Summary
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	if r := memoryRow(d, 96, 8192); r != nil {
		w("- **Memory: %s.** On an NR_CPUS=8192 distro kernel a `bpf_cpumask` is a %d-byte object, a %d-byte unit, "+
			"a %d-byte size class, whatever the machine; a `bpf_bitmap` for 96 CPUs is %d B "+
			"(%d + 8 + %d: allocator header, refcount and num_bits, words) in the %d-byte class: %d× less",
			memoryLead(d), r.Fixed.ObjectBytes, r.Fixed.UnitBytes, r.Fixed.ClassBytes,
			r.Generic.UnitBytes, 8, r.Generic.UnitBytes-16, r.Generic.ClassBytes, r.Fixed.ClassBytes/r.Generic.ClassBytes)
		if r1 := memoryRow(d, 1024, 8192); r1 != nil {
			w(", and %d B for 1024 CPUs", r1.Generic.ClassBytes)
		}
		w(". Over the %d topologies below the generic design uses a smaller class in %d (bold in the table) and %s.\n",
			s.Topologies, s.Saving, largerCount(d))
	}
	if h := s.Host; h != nil {
		w("- On this host's kernel (NR_CPUS=%d, nr_cpu_ids=%d): `bpf_cpumask` %d B, castable `bpf_bitmap` %d B (%d B without the cast's padding).\n",
			h.NrCPUs, h.NrCPUIDs, h.Fixed.ClassBytes, h.Generic.ClassBytes, h.GenericExact.ClassBytes)
	}
	verdict := "**Time per kfunc: not the same.**"
	if s.GeomeanRatio >= 0.9 && s.GeomeanRatio <= 1.1 {
		verdict = "**Time per kfunc: the same, within 10%.**"
	}
	w("- %s Every cpumask kfunc runs the same code on both designs; over the 23 kfuncs × %d topologies, "+
		"generic/fixed is **%s** (geometric mean of the medians; per topology %s).\n",
		verdict, len(bench.TimingTopologies), ratio(s.GeomeanRatio), perTopology(s.PerTopology))
	var casts, lives []string
	for _, t := range bench.TimingTopologies {
		k := topoKey(t.NrCPUIDs(), t.NrCPUs())
		if p, ok := s.Cast[k]; ok {
			casts = append(casts, fmt.Sprintf("%s ns (fixed: %s) at %d/%d", ns(p.Generic.NsPerOp), ns(p.Fixed.NsPerOp), t.NrCPUIDs(), t.NrCPUs()))
		}
		if p, ok := s.Life[k]; ok {
			lives = append(lives, fmt.Sprintf("%s → %s ns at %d/%d", ns(p.Fixed.NsPerOp), ns(p.Generic.NsPerOp), t.NrCPUIDs(), t.NrCPUs()))
		}
	}
	w("- **The cast** costs %s (nr_cpu_ids/NR_CPUS), 0 allocations; the fixed design's one-way conversion is a free pointer cast, "+
		"so its column is the benchmark loop itself. "+
		"**create+release** (fixed → generic): %s.\n", strings.Join(casts, ", "), strings.Join(lives, ", "))
	w("- **The overrun hazard** (64 < NR_CPUS ≤ 256: `cpumask_copy`/`clear` touch NR_CPUS bits) is closed by giving castable bitmaps "+
		"large_cpumask_bits of backing; that costs a larger size class in %d of the %d topologies "+
		"(128 < NR_CPUS ≤ 256 with nr_cpu_ids ≤ 128), %s.\n", s.Padded, s.Topologies, paddedVersusFixed(d))
	ss := s.Selftests
	w("- **What programs pay:** in the verifier model, porting the %d programs of `cpumask_success.c` adds %d checked casts, "+
		"each a NULL check (%d → %d NULL checks; in %d programs, at most %d in one) and %d → %d instructions; "+
		"sched-ext/scx converts masks at %d sites (%d masks per function). `bpf_assert` cannot replace the check where a "+
		"reference is held or under `bpf_rcu_read_lock()` (§6).\n",
		ss.Programs, ss.Casts, ss.Fixed.NullChecks, ss.Generic.NullChecks, ss.Affected, ss.MaxCasts, ss.Fixed.Insns, ss.Generic.Insns,
		d.Scx.Total.CastMask, d.Scx.Total.Masks)
	w("\n%s", recommendation(d))
	return b.String()
}

// memoryLead is the answer's headline on memory, from the table: whether
// the generic design ever takes a larger class than the fixed one.
func memoryLead(d *reportJSON) string {
	larger, smaller := 0, 0
	for _, r := range d.Memory {
		switch {
		case r.Saved() < 0:
			larger++
		case r.Saved() > 0:
			smaller++
		}
	}
	switch {
	case larger == 0 && smaller > 0:
		return "the generic design never costs more, and saves most where NR_CPUS far exceeds the machine"
	case larger == 0:
		return "the two designs cost the same"
	}
	return fmt.Sprintf("the generic design costs more in %d topologies and less in %d", larger, smaller)
}

// paddedVersusFixed says how the padded bitmaps compare with bpf_cpumask.
func paddedVersusFixed(d *reportJSON) string {
	more := 0
	for _, r := range d.Memory {
		if r.PaddingBytes() > 0 && r.Generic.ClassBytes > r.Fixed.ClassBytes {
			more++
		}
	}
	if more == 0 {
		return "where it is exactly what `bpf_cpumask` costs"
	}
	return fmt.Sprintf("more than `bpf_cpumask` in %d of them", more)
}

// largerCount says in how many topologies the generic design costs more.
func largerCount(d *reportJSON) string {
	n := 0
	for _, r := range d.Memory {
		if r.Saved() < 0 {
			n++
		}
	}
	if n == 0 {
		return "a larger one in none"
	}
	return fmt.Sprintf("a larger one in %d", n)
}

func perTopology(rs []float64) string {
	var parts []string
	for i, t := range bench.TimingTopologies {
		if i < len(rs) {
			parts = append(parts, fmt.Sprintf("%s at %d/%d", ratio(rs[i]), t.NrCPUIDs(), t.NrCPUs()))
		}
	}
	return strings.Join(parts, ", ")
}

func memorySection(d *reportJSON) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("![memory, NR_CPUS=8192](img/memory-nr_cpus-8192.svg)\n![memory, NR_CPUS=256](img/memory-nr_cpus-256.svg)\n\n")
	w("Bytes per cpumask, **fixed / generic / arena**: fixed and generic are the `bpf_mem_alloc` size class " +
		"(generic as `bpf_bitmap_create(nr_cpu_ids)` allocates it, padding for the cast included; bold where smaller than fixed), " +
		"arena the sched_ext arena mask's amortized bytes (element, slab tail and index slot; `arena.Layout.PerMaskBytes`); " +
		"— where nr_cpu_ids > NR_CPUS:\n\n")
	w("| nr_cpu_ids |")
	for _, nr := range bench.NrCPUsValues {
		w(" NR_CPUS=%d |", nr)
	}
	w("\n|---:|")
	for range bench.NrCPUsValues {
		w("---:|")
	}
	w("\n")
	for _, n := range bench.NrCPUIDsValues {
		w("| %d |", n)
		for _, nr := range bench.NrCPUsValues {
			if r := memoryRow(d, n, nr); r != nil {
				cell := fmt.Sprintf("%d / %d / %.0f", r.Fixed.ClassBytes, r.Generic.ClassBytes, r.Arena.PerMaskBytes)
				if r.Saved() > 0 {
					cell = fmt.Sprintf("%d / **%d** / %.0f", r.Fixed.ClassBytes, r.Generic.ClassBytes, r.Arena.PerMaskBytes)
				}
				w(" %s |", cell)
			} else {
				w(" — |")
			}
		}
		w("\n")
	}
	w("\nEvery topology in detail, bytes (object = the struct the program sees; unit = object + 8-byte allocator header; " +
		"class = the size class served; waste = class − unit, for the generic design including the cast's padding):\n\n")
	w("<details><summary>%d topologies</summary>\n\n", len(d.Memory))
	w("| NR_CPUS | nr_cpu_ids | L | fixed object | unit | class | waste | generic object | unit | class | waste | unpadded class | saved | arena object | element | per mask |\n")
	w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range d.Memory {
		w("| %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %.1f |\n",
			r.NrCPUs, r.NrCPUIDs, r.LargeCpumaskBits,
			r.Fixed.ObjectBytes, r.Fixed.UnitBytes, r.Fixed.ClassBytes, r.Fixed.WasteBytes,
			r.Generic.ObjectBytes, r.Generic.UnitBytes, r.Generic.ClassBytes, r.Generic.WasteBytes,
			r.GenericExact.ClassBytes, r.Saved(), r.Arena.ObjectBytes, r.Arena.ElementBytes, r.Arena.PerMaskBytes)
	}
	w("\n</details>\n")
	c := d.SizeCap
	past := "returns a bitmap"
	if c.PastIsNull {
		past = "returns NULL, as `bpf_mem_alloc` does for a unit above its largest class"
	}
	w("\n**Size cap.** The largest `bpf_bitmap` is %d bits (`bpfbitmap.KernelMaxBits`): a %d-byte object, "+
		"a %d-byte unit with the allocator header, in the %d-byte class, the largest `bpf_mem_alloc` has "+
		"([kernel-reference.md](kernel-reference.md) §5.2–5.3). `bpf_bitmap_create(%d)` %s. "+
		"Every cpumask fits (NR_CPUS is at most 8192); a generic bitmap for anything larger cannot be made.\n",
		c.MaxBits, c.At.ObjectBytes, c.At.UnitBytes, c.At.ClassBytes, c.MaxBits+1, past)
	return b.String()
}

func timeSection(d *reportJSON) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	for _, t := range bench.TimingTopologies {
		w("![ns per call, nr_cpu_ids=%d NR_CPUS=%d](%s)\n", t.NrCPUIDs(), t.NrCPUs(), timeChartFile(t))
	}
	w("\nns per call (median of %s of %s), fixed | generic | generic/fixed:\n\n", plural(d.Host.Count, "run"), d.Host.Benchtime)
	w("| fn |")
	for _, t := range bench.TimingTopologies {
		w(" fixed %d/%d | generic | ratio |", t.NrCPUIDs(), t.NrCPUs())
	}
	w("\n|---|")
	for range bench.TimingTopologies {
		w("---:|---:|---:|")
	}
	w("\n")
	for _, fn := range bench.Fns {
		name := "`" + fn + "`"
		if bench.IsCpumaskKfunc(fn) {
			name = "`bpf_cpumask_" + fn + "`"
		}
		w("| %s |", name)
		for _, t := range bench.TimingTopologies {
			p, ok := findPair(d.Timings, fn, t.NrCPUIDs(), t.NrCPUs())
			if !ok {
				w(" — | — | — |")
				continue
			}
			w(" %s | %s | %s |", ns(p.Fixed.NsPerOp), ns(p.Generic.NsPerOp), ratio(p.Ratio()))
		}
		w("\n")
	}
	w("| **geomean, 23 cpumask kfuncs** |")
	for i := range bench.TimingTopologies {
		if i < len(d.Summary.PerTopology) {
			w(" | | **%s** |", ratio(d.Summary.PerTopology[i]))
		}
	}
	w("\n\nAllocations per call: ")
	allocs := 0
	for _, p := range d.Timings {
		allocs = max(allocs, int(p.Fixed.AllocsPerOp), int(p.Generic.AllocsPerOp))
	}
	if allocs == 0 {
		w("0 in every benchmark, both designs.\n")
	} else {
		w("up to %d.\n", allocs)
	}
	return b.String()
}

func findPair(ps []bench.Pair, fn string, n, nr int) (bench.Pair, bool) {
	for _, p := range ps {
		if p.Fn == fn && p.NrCPUIDs == n && p.NrCPUs == nr {
			return p, true
		}
	}
	return bench.Pair{}, false
}

func castSection(d *reportJSON) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("| nr_cpu_ids / NR_CPUS | fixed: `BPFCpumask.Cpumask()` | generic: `BitmapCastToCpumask` | arena: copy + `bpf_cpumask_populate` | allocs | create+release fixed | generic | acquire+release fixed | generic |\n")
	w("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, t := range bench.TimingTopologies {
		c, _ := findPair(d.Timings, bench.FnCast, t.NrCPUIDs(), t.NrCPUs())
		l, _ := findPair(d.Timings, bench.FnCreateRelease, t.NrCPUIDs(), t.NrCPUs())
		a, _ := findPair(d.Timings, bench.FnAcquireRelease, t.NrCPUIDs(), t.NrCPUs())
		ar := arenaTiming(d, bench.FnCast, t.NrCPUIDs(), t.NrCPUs())
		w("| %d / %d | %s ns | %s ns | %s ns | %d | %s ns | %s ns | %s ns | %s ns |\n", t.NrCPUIDs(), t.NrCPUs(),
			ns(c.Fixed.NsPerOp), ns(c.Generic.NsPerOp), ns(ar.NsPerOp), max(c.Generic.AllocsPerOp, ar.AllocsPerOp),
			ns(l.Fixed.NsPerOp), ns(l.Generic.NsPerOp), ns(a.Fixed.NsPerOp), ns(a.Generic.NsPerOp))
	}
	return b.String()
}

// arenaTiming returns the arena design's timing of fn on (n, nr), or one
// with NaN ns when it was not measured.
func arenaTiming(d *reportJSON, fn string, n, nr int) bench.Timing {
	for _, t := range d.Arena {
		if t.Fn == fn && t.NrCPUIDs == n && t.NrCPUs == nr {
			return t
		}
	}
	return bench.Timing{NsPerOp: math.NaN()}
}

func overrunSection(d *reportJSON) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("Topologies where the padding moves a castable bitmap to a larger class (bytes of class):\n\n")
	w("| NR_CPUS | nr_cpu_ids | L | exact bitmap | as `BitmapCreate` pads it | `bpf_cpumask` |\n|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range d.Memory {
		if r.PaddingBytes() > 0 {
			w("| %d | %d | %d | %d | %d | %d |\n", r.NrCPUs, r.NrCPUIDs, r.LargeCpumaskBits,
				r.GenericExact.ClassBytes, r.Generic.ClassBytes, r.Fixed.ClassBytes)
		}
	}
	w("\nIn the other %d topologies the padding is free: NR_CPUS ≤ 64 (one word either way), NR_CPUS > 256 "+
		"(large_cpumask_bits = nr_cpu_ids), or nr_cpu_ids > 128 (the class already holds 256 bits).\n",
		d.Summary.Topologies-d.Summary.Padded)
	return b.String()
}

func selftestsSection(d *reportJSON) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("Per program, fixed → generic, as the verifier model (`kfuncs/verifier`) counts the two ports in `kfuncs/progs`: " +
		"the NULL checks the verifier makes the program write, the kfunc calls it reaches, the program's instructions " +
		"and the instructions the verifier processed:\n\n")
	w("| program | NULL checks | kfunc calls | instructions | processed |\n|---|---:|---:|---:|---:|\n")
	for _, p := range d.Selftests {
		w("| `%s` | %d → %d | %d → %d | %d → %d | %d → %d |\n", p.Name,
			p.Fixed.NullChecks, p.Generic.NullChecks, p.Fixed.KfuncCalls, p.Generic.KfuncCalls,
			p.Fixed.Insns, p.Generic.Insns, p.Fixed.Processed, p.Generic.Processed)
	}
	s := d.Summary.Selftests
	w("| **total** | **%d → %d** | %d → %d | %d → %d | %d → %d |\n\n", s.Fixed.NullChecks, s.Generic.NullChecks,
		s.Fixed.KfuncCalls, s.Generic.KfuncCalls, s.Fixed.Insns, s.Generic.Insns, s.Fixed.Processed, s.Generic.Processed)
	w("%d more NULL checks in %d of %d programs, at most %d in one. Counted on %s.\n",
		s.Casts, s.Affected, s.Programs, s.MaxCasts, bench.SelftestSource)
	return b.String()
}

func hostSection(d *reportJSON) string {
	h := d.Host
	kernel := "sysfs unavailable"
	if h.NrCPUs > 0 {
		kernel = fmt.Sprintf("NR_CPUS=%d, nr_cpu_ids=%d", h.NrCPUs, h.NrCPUIDs)
	}
	return fmt.Sprintf("Timings: %s %s/%s, %d CPUs, host kernel %s; each benchmark %s, %s interleaved, median reported "+
		"(`go run ./cmd/bpfbitmap report -benchtime %s -count %d`). Memory and program numbers do not depend on the machine.\n",
		h.GoVersion, h.GOOS, h.GOARCH, h.CPUs, kernel, h.Benchtime, plural(h.Count, "run"), h.Benchtime, h.Count)
}

// plural returns "1 run", "3 runs".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// kernelNs formats a kernel measurement: below half a nanosecond the
// subtraction of the loop is within its noise.
func kernelNs(x float64) string {
	if x < 0.5 {
		return "< 0.5"
	}
	return ns(x)
}

// arenaWords are the arena mask lengths the kernel measurement covers, in
// the order measured.
func arenaWords(k bench.KernelCost) []int {
	var ws []int
	for _, r := range k.Rows {
		if r.Design == bench.Arena && r.Op == "and" {
			ws = append(ws, r.Words)
		}
	}
	return ws
}

func arenaSection(d *reportJSON) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	k := d.Kernel
	cheaper, same := 0, 0
	for i, r := range d.Memory {
		if i >= d.Summary.Topologies {
			break
		}
		switch {
		case r.Arena.PerMaskBytes < float64(r.Generic.ClassBytes):
			cheaper++
		case r.Arena.PerMaskBytes == float64(r.Generic.ClassBytes):
			same++
		}
	}
	w("**Memory** (table in §1): per mask the arena road costs less than a castable `bpf_bitmap`'s size class in %d of the %d topologies "+
		"and more in %d: its elements grow in 8-byte steps instead of size classes, but carry a second 8-byte id and an index slot. "+
		"Every mask it hands to a kernel API still needs a `bpf_cpumask` (NR_CPUS bits) to copy into.\n\n",
		cheaper, d.Summary.Topologies, d.Summary.Topologies-cheaper-same)

	ws := arenaWords(k)
	w("**On the live kernel** (%s, %s, NR_CPUS=%d, nr_cpu_ids=%d; `go run ./cmd/arenacost`, committed as `bench/kernel_cost.json`): "+
		"ns per operation, the arena road's BPF code on masks of %s words against the `bpf_cpumask` kfunc doing the same work "+
		"on this kernel's cpumask. The arena masks lived in %s.\n\n", k.Kernel, k.CPU, k.NrCPUs, k.NrCPUIDs, joinInts(ws), k.Memory)
	w("| operation | `bpf_cpumask` kfunc |")
	for _, n := range ws {
		w(" arena, %s (%d CPUs) |", plural(n, "word"), 64*n)
	}
	w("\n|---|---:|")
	for range ws {
		w("---:|")
	}
	w("\n")
	for _, op := range []string{"and", "or", "empty", "weight", "first"} {
		kf, _ := k.Find(op, bench.Fixed, 0)
		w("| %s | %s ns (`%s`) |", op, kernelNs(kf.NsPerOp), kf.Name)
		for _, n := range ws {
			if r, ok := k.Find(op, bench.Arena, n); ok {
				w(" %s ns |", kernelNs(r.NsPerOp))
			} else {
				w(" — |")
			}
		}
		w("\n")
	}
	w("\nWhat becoming a `const struct cpumask *` costs, on the same kernel:\n\n| design | how | ns |\n|---|---|---:|\n")
	w("| fixed | `struct bpf_cpumask *` passed as is: the verifier matches the type at load time | 0 (no instruction) |\n")
	for _, op := range []string{"cast-inline", "cast-kfunc"} {
		if r, ok := k.Find(op, bench.Generic, 0); ok {
			w("| generic | %s | %s |\n", r.Name, kernelNs(r.NsPerOp))
		}
	}
	for _, n := range ws {
		if r, ok := k.Find("convert", bench.Arena, n); ok {
			w("| arena, %s | %s | %s |\n", plural(n, "word"), r.Name, kernelNs(r.NsPerOp))
		}
	}
	for _, r := range k.Rows {
		if r.Op == "populate" {
			w("| (part of arena) | `bpf_cpumask_populate` alone, src__sz = %d bytes | %s |\n", r.SrcBytes, kernelNs(r.NsPerOp))
		}
	}
	w("\n`bpf_cpumask_populate` copies ceil(nr_cpu_ids/64) words whatever `src__sz` is (it only refuses a shorter one), " +
		"so on this kernel every size copies one word and the rows differ by noise.\n")
	w("\nMethod: %s; %d iterations (divided by the words for the arena loops), fastest of %d runs; the loop itself (`bpf_iter_num_next` and the jump) took %s ns per iteration "+
		"and is subtracted. The kernel has no `bpf_bitmap`, so the cast is timed by stand-ins, named in the table. "+
		"The kfuncs run at this kernel's widths (nr_cpu_ids=%d: one word), so the longer arena masks have no kfunc to compare with here.\n",
		k.Method, k.Iterations, k.Runs, kernelNs(k.LoopNs), k.NrCPUIDs)
	return b.String()
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}

func scxSection(d *reportJSON) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	c := d.Scx
	t := c.Total
	w("In %s at %s (%s), counted by `%s` (committed as `bench/scx_counts.json`), %d BPF source files hold "+
		"%d `bpf_cpumask_create` sites, %d `bpf_cpumask_*` calls, **%d conversions** of `struct bpf_cpumask *` to "+
		"`const struct cpumask *` through `cast_mask()` (and %d explicit casts to `struct cpumask *`), %d `scx_bitmap_*` calls "+
		"(the arena road) and %d `bpf_assert` uses (the %d occurrences of the name are the macro definitions in "+
		"`bpf_experimental.h`).\n\n",
		c.Repo, c.Commit[:8], c.Date, c.Command, t.Files, t.CreateSites, t.CpumaskCalls, t.CastMask, t.ExplicitCasts,
		t.BitmapCalls, t.AssertUses, t.AssertInMacros)
	w("Under the generic design each conversion becomes a `bpf_bitmap_cast_to_cpumask` with a NULL check: **%d** if every "+
		"conversion site casts, as `cast_mask()` is used today, or **%d** if each function casts each mask once and keeps the "+
		"result. Of the %d sites, %d sit inside an explicit `bpf_rcu_read_lock()` section and %d follow an acquiring call "+
		"in their function: there the kernel refuses `bpf_assert`'s throw, and the NULL check needs an error path that "+
		"unlocks or releases. The other %d have neither in their function, so the verifier's resource checks would let a "+
		"`bpf_assert` stand there (references held by a caller are not seen by this textual count, and whether sched_ext's "+
		"struct_ops programs may throw at all was not checked). The arena road's "+
		"%d `scx_bitmap_*` calls need no NULL check.\n\n",
		t.CastMask, t.Masks, t.CastMask, t.InRCU, t.AfterAcquire, t.AssertAllowed, t.BitmapCalls)
	w("| scheduler or directory | files | `bpf_cpumask_create` | `bpf_cpumask_*` calls | `cast_mask()` | distinct masks | in RCU section | after acquire | `scx_bitmap_*` calls |\n")
	w("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, g := range c.Groups {
		w("| %s | %d | %d | %d | %d | %d | %d | %d | %d |\n", g.Name, g.Files, g.CreateSites, g.CpumaskCalls, g.CastMask, g.Masks, g.InRCU, g.AfterAcquire, g.BitmapCalls)
	}
	w("| **total** | %d | %d | %d | %d | %d | %d | %d | %d |\n", t.Files, t.CreateSites, t.CpumaskCalls, t.CastMask, t.Masks, t.InRCU, t.AfterAcquire, t.BitmapCalls)
	return b.String()
}

// manyMasks is the mask count the recommendation prices "thousands of
// masks" at: one per task on a busy machine.
const manyMasks = 10000

// recNumbers are the figures the recommendation quotes, each read from
// the report's data.
type recNumbers struct {
	smallTopologies, smallSame, smallPadded int     // NR_CPUS <= 256
	distroFixed, distro96, distro1024       int     // class bytes on NR_CPUS=8192
	arena96                                 float64 // arena bytes per mask, 96 CPUs
	geomean                                 float64
	selftestCasts, scxSites, scxMasks       int
	kfAnd, arenaAnd1, arenaAnd16            float64
	convert1, castInline, populate          float64
}

func recFigures(d *reportJSON) recNumbers {
	n := recNumbers{geomean: d.Summary.GeomeanRatio, selftestCasts: d.Summary.Selftests.Casts,
		scxSites: d.Scx.Total.CastMask, scxMasks: d.Scx.Total.Masks}
	for i, r := range d.Memory {
		if i >= d.Summary.Topologies || r.NrCPUs > 256 {
			continue
		}
		n.smallTopologies++
		if r.Saved() == 0 {
			n.smallSame++
		}
		if r.PaddingBytes() > 0 {
			n.smallPadded++
		}
	}
	if r := memoryRow(d, 96, 8192); r != nil {
		n.distroFixed, n.distro96, n.arena96 = r.Fixed.ClassBytes, r.Generic.ClassBytes, r.Arena.PerMaskBytes
	}
	if r := memoryRow(d, 1024, 8192); r != nil {
		n.distro1024 = r.Generic.ClassBytes
	}
	k := d.Kernel
	get := func(op string, des bench.Design, words int) float64 {
		if r, ok := k.Find(op, des, words); ok {
			return r.NsPerOp
		}
		return math.NaN()
	}
	n.kfAnd = get("and", bench.Fixed, 0)
	n.arenaAnd1, n.arenaAnd16 = get("and", bench.Arena, 1), get("and", bench.Arena, 16)
	n.convert1, n.castInline = get("convert", bench.Arena, 1), get("cast-inline", bench.Generic, 0)
	for _, r := range k.Rows {
		if r.Op == "populate" && r.SrcBytes == 512 {
			n.populate = r.NsPerOp
		}
	}
	return n
}

// sameTime says how the designs' kfunc times compare.
func sameTime(geomean float64) string {
	if geomean >= 0.9 && geomean <= 1.1 {
		return "a kfunc costs the same on either, within 10%"
	}
	return "the kfunc timings of this run differ by more than 10% between two designs that run the same code, so they are noise"
}

// kib formats bytes as KiB or MiB.
func kib(bytes float64) string {
	if bytes >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", bytes/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", bytes/(1<<10))
}

// recommendation says which design for which users, from the data.
func recommendation(d *reportJSON) string {
	n := recFigures(d)
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("**Recommendation.**\n\n")
	w("- **Kernels with NR_CPUS ≤ 256** (embedded, test and small-server configs): keep the merged `bpf_cpumask`. "+
		"In %d of the %d such topologies here a castable `bpf_bitmap` takes the same size class as a `bpf_cpumask` "+
		"(in %d of them only because the cast must pad it to large_cpumask_bits), and %s "+
		"(generic/fixed %s); the proposal would only add checked casts: %d in the kernel's selftests, %d sites in sched-ext/scx.\n",
		n.smallSame, n.smallTopologies, n.smallPadded, sameTime(n.geomean), ratio(n.geomean), n.selftestCasts, n.scxSites)
	w("- **Distro kernels with NR_CPUS=8192**: a `bpf_cpumask` takes a %d-byte class on any machine; a castable `bpf_bitmap` "+
		"would take %d bytes for 96 CPUs and %d for 1024. That matters where a program keeps many masks: %d masks for 96 CPUs "+
		"are %s as `bpf_cpumask` and %s as `bpf_bitmap`. For a program with a few masks the difference is a few KiB, "+
		"and the merged design's zero NULL checks win: keep `bpf_cpumask` there too.\n",
		n.distroFixed, n.distro96, n.distro1024, manyMasks, kib(float64(manyMasks*n.distroFixed)), kib(float64(manyMasks*n.distro96)))
	w("- **Schedulers with thousands of masks** (per task or per cgroup): use the arena road for the bulk masks, as "+
		"sched_ext does, and `bpf_cpumask` for the few handed to kernel APIs. It already gives nr_cpu_ids-sized masks "+
		"(%.0f bytes per mask for 96 CPUs, %s for %d) with no reference, RCU or NULL check, and needs no kernel change. "+
		"It pays in BPF loops (an `and` of one word %s ns, of 16 words %s ns, against %s ns for `bpf_cpumask_and` on this kernel), "+
		"in a copy for every kernel API call (%s ns for one word, `bpf_cpumask_populate` alone %s ns, against %s ns for the cast's "+
		"inline check), in masks the verifier cannot check, and in a 4096-CPU limit on conversion. The generic `bpf_bitmap` "+
		"would give the same memory at kfunc speed with verifier-checked ownership — the case for the proposal — but only "+
		"after the verifier work of §5, and at %d casts in sched-ext/scx (%d if each function casts each mask once).\n",
		n.arena96, kib(float64(manyMasks)*n.arena96), manyMasks, kernelNs(n.arenaAnd1), kernelNs(n.arenaAnd16), kernelNs(n.kfAnd),
		kernelNs(n.convert1), kernelNs(n.populate), kernelNs(n.castInline), n.scxSites, n.scxMasks)
	w("- **Limits of the evidence:** memory is computed on models of `bpf_mem_alloc` and of scx's allocator (the arena "+
		"amortized over a full slab); the Go timings compare designs, not kernels; the kernel timings come from one 2-CPU "+
		"kernel with NR_CPUS=%d (kfuncs on one word) on a shared machine, the arena road's bit operations in a BPF arena but "+
		"its conversion's source in a map value, "+
		"and the cast by stand-ins, since no kernel has it; program costs are from the selftests and a textual count of one "+
		"sched-ext/scx commit.\n", d.Kernel.NrCPUs)
	return b.String()
}
