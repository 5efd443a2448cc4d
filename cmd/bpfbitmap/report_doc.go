package main

import "strings"

// designSkeleton returns design.md when no prose file exists: a title and
// every generated section's markers, nothing else. The prose lives only in
// docs/design.md.
func designSkeleton() string {
	var b strings.Builder
	b.WriteString("# Design report: fixed `bpf_cpumask` or generic `bpf_bitmap`?\n")
	for _, name := range sectionNames {
		b.WriteString("\n" + beginMarker(name) + "\n" + endMarker(name) + "\n")
	}
	return b.String()
}
