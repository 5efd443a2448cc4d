package main

import (
	"regexp"
	"sort"
	"strings"

	"github.com/bpfbitmap/prototype/bench"
)

// add sums o into c, the counts of one file into its group's or the total.
func add(c *bench.ScxRow, o bench.ScxRow) {
	c.Files += o.Files
	c.CreateSites += o.CreateSites
	c.CpumaskCalls += o.CpumaskCalls
	c.CastMask += o.CastMask
	c.ExplicitCasts += o.ExplicitCasts
	c.BitmapCalls += o.BitmapCalls
	c.AssertUses += o.AssertUses
	c.AssertInMacros += o.AssertInMacros
	c.InRCU += o.InRCU
	c.AfterAcquire += o.AfterAcquire
	c.AssertAllowed += o.AssertAllowed
	c.Masks += o.Masks
}

var (
	callRE   = regexp.MustCompile(`\b(bpf_cpumask_\w+|cast_mask|scx_bitmap_\w+|bpf_assert\w*|bpf_rcu_read_lock|bpf_rcu_read_unlock|bpf_cpumask_acquire|bpf_kptr_xchg|bpf_task_acquire|bpf_task_from_pid|bpf_cgroup_acquire|bpf_cgroup_from_id|bpf_obj_new)\s*\(`)
	castRE   = regexp.MustCompile(`\(\s*(const\s+)?struct\s+cpumask\s*\*\s*\)`)
	assertRE = regexp.MustCompile(`\bbpf_assert\w*`)
	// acquires are calls after which a program holds a reference until it
	// releases or stores it.
	acquires = map[string]bool{
		"bpf_cpumask_create": true, "bpf_cpumask_acquire": true, "bpf_kptr_xchg": true,
		"bpf_task_acquire": true, "bpf_task_from_pid": true, "bpf_cgroup_acquire": true,
		"bpf_cgroup_from_id": true, "bpf_obj_new": true,
	}
)

// stripC removes comments and string and character literals, keeping line
// breaks, and joins backslash-continued lines (a macro's body becomes one
// line that starts with #define).
func stripC(src string) string {
	var b strings.Builder
	for i := 0; i < len(src); i++ {
		switch {
		case strings.HasPrefix(src[i:], "//"):
			for i < len(src) && src[i] != '\n' {
				i++
			}
			i--
		case strings.HasPrefix(src[i:], "/*"):
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				return b.String()
			}
			b.WriteString(strings.Repeat("\n", strings.Count(src[i:i+2+j], "\n")))
			i += j + 3
		case src[i] == '"' || src[i] == '\'':
			q := src[i]
			b.WriteByte(q)
			for i++; i < len(src) && src[i] != q && src[i] != '\n'; i++ {
				if src[i] == '\\' {
					i++
				}
			}
			b.WriteByte(q)
		case src[i] == '\\' && i+1 < len(src) && src[i+1] == '\n':
			i++ // continuation: join
		default:
			b.WriteByte(src[i])
		}
	}
	return b.String()
}

// countFile counts one file's source.
// countFile counts one source file (bench.ScxRow says what each count is).
func countFile(src string) bench.ScxRow {
	c := bench.ScxRow{Files: 1}
	text := stripC(src)
	depth := 0
	// Per function: whether an explicit RCU section is open, whether a
	// reference was acquired, and the masks cast.
	inRCU, acquired := false, false
	masks := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") {
			if strings.HasPrefix(trimmed, "#define") {
				c.AssertInMacros += countAssert(trimmed)
			}
			continue
		}
		c.ExplicitCasts += len(castRE.FindAllString(line, -1))
		for _, m := range callRE.FindAllStringSubmatchIndex(line, -1) {
			name := line[m[2]:m[3]]
			if depth == 0 {
				continue // file scope: a declaration or a function's header, not a call
			}
			switch {
			case name == "bpf_rcu_read_lock":
				inRCU = true
			case name == "bpf_rcu_read_unlock":
				inRCU = false
			case name == "cast_mask":
				c.CastMask++
				switch {
				case inRCU:
					c.InRCU++
				case acquired:
					c.AfterAcquire++
				default:
					c.AssertAllowed++
				}
				masks[argument(line[m[1]:])] = true
			case strings.HasPrefix(name, "scx_bitmap_"):
				c.BitmapCalls++
			case strings.HasPrefix(name, "bpf_assert"):
				c.AssertUses++
			}
			if strings.HasPrefix(name, "bpf_cpumask_") {
				c.CpumaskCalls++
				if name == "bpf_cpumask_create" {
					c.CreateSites++
				}
			}
			if acquires[name] {
				acquired = true
			}
		}
		depth += strings.Count(line, "{") - strings.Count(line, "}")
		if depth <= 0 {
			depth = 0
			c.Masks += len(masks)
			inRCU, acquired = false, false
			masks = map[string]bool{}
		}
	}
	c.Masks += len(masks)
	return c
}

func countAssert(macro string) int { return len(assertRE.FindAllString(macro, -1)) }

// argument returns the text of a call's first argument, from just after
// its opening parenthesis, with spaces removed.
func argument(s string) string {
	depth := 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')', ',':
			if depth == 0 {
				return strings.Join(strings.Fields(s[:i]), "")
			}
			if r == ')' {
				depth--
			}
		}
	}
	return strings.Join(strings.Fields(s), "")
}

// isBPFSource reports whether path is BPF program source in the scx tree:
// *.bpf.c and *.bpf.h anywhere, and headers under a bpf/, include/ or lib/
// directory, but not the kernel's own headers in scheds/vmlinux.
func isBPFSource(path string) bool {
	if strings.HasPrefix(path, "scheds/vmlinux/") {
		return false
	}
	if strings.HasSuffix(path, ".bpf.c") || strings.HasSuffix(path, ".bpf.h") {
		return true
	}
	if !strings.HasSuffix(path, ".h") {
		return false
	}
	for _, dir := range []string{"/bpf/", "/include/", "lib/"} {
		if strings.Contains("/"+path, dir) {
			return true
		}
	}
	return false
}

// group returns the scheduler or library a file belongs to:
// scheds/rust/scx_lavd/..., scheds/c/scx_simple.bpf.c, lib, scheds/include.
func group(path string) string {
	parts := strings.Split(path, "/")
	switch {
	case len(parts) >= 3 && parts[0] == "scheds" && (parts[1] == "rust" || parts[1] == "c" || parts[1] == "experimental"):
		name := parts[2]
		if i := strings.Index(name, "."); i > 0 {
			name = name[:i]
		}
		return name
	case len(parts) >= 2 && parts[0] == "scheds":
		return "scheds/" + parts[1]
	}
	return parts[0]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
