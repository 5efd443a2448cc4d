package bench

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// ScxCounts is what command scxcount counted in the BPF sources of one
// sched-ext/scx commit: how the largest user of bpf_cpumask converts and
// uses masks, for the report's "UX on real code". The committed copy is
// bench/scx_counts.json.
type ScxCounts struct {
	Repo    string   `json:"repo"`
	Commit  string   `json:"commit"`
	Date    string   `json:"date"`
	Command string   `json:"command"`
	Total   ScxRow   `json:"total"`
	Groups  []ScxRow `json:"groups"`
	// Unreadable lists files git could not read (large files stored
	// outside the repository).
	Unreadable []string `json:"unreadable,omitempty"`
}

// ScxRow is the counts of one scheduler, library directory, or the total.
type ScxRow struct {
	Name  string `json:"name"`
	Files int    `json:"files"`
	// CreateSites are bpf_cpumask_create calls; CpumaskCalls all
	// bpf_cpumask_* calls.
	CreateSites  int `json:"bpf_cpumask_create_sites"`
	CpumaskCalls int `json:"bpf_cpumask_calls"`
	// CastMask are calls of cast_mask(), scx's struct bpf_cpumask * to
	// const struct cpumask * conversion; ExplicitCasts are C casts to
	// (const) struct cpumask *.
	CastMask      int `json:"cast_mask_calls"`
	ExplicitCasts int `json:"explicit_cpumask_casts"`
	// BitmapCalls are calls of the arena road's scx_bitmap_* functions.
	BitmapCalls int `json:"scx_bitmap_calls"`
	// AssertUses are bpf_assert* calls; AssertInMacros the occurrences in
	// #define bodies (bpf_experimental.h defines them).
	AssertUses     int `json:"bpf_assert_uses"`
	AssertInMacros int `json:"bpf_assert_in_macro_definitions"`
	// The cast_mask sites by where they sit in their function: inside an
	// explicit bpf_rcu_read_lock section, after an acquiring call, or
	// neither (where the verifier's resource checks would let a bpf_assert
	// stand).
	InRCU         int `json:"conversions_in_rcu_section"`
	AfterAcquire  int `json:"conversions_after_acquire"`
	AssertAllowed int `json:"conversions_assert_allowed"`
	// Masks counts distinct cast_mask arguments per function: the casts a
	// program needs if it casts each mask once and keeps the result.
	Masks int `json:"conversions_distinct_masks"`
}

//go:embed scx_counts.json
var scxCountsJSON []byte

// Scx returns the committed sched-ext/scx counts.
func Scx() (ScxCounts, error) {
	var c ScxCounts
	if err := json.Unmarshal(scxCountsJSON, &c); err != nil {
		return ScxCounts{}, fmt.Errorf("bench: scx_counts.json: %w", err)
	}
	return c, nil
}
