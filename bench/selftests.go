package bench

// SelftestSource says where Selftests was counted: the kernel's
// cpumask_success.c, every program of which must load and leave err == 0.
const SelftestSource = "torvalds/linux tools/testing/selftests/bpf/progs/cpumask_success.c at 0eaed89c18aeedf0898baf2dbf5ff027c6795152"

// SelftestProgram is what porting one cpumask_success.c program to the
// proposal changes, counted by hand from its source (SelftestSource).
//
// The rule: every struct bpf_cpumask the program creates becomes a struct
// bpf_bitmap from bpf_bitmap_create(nr_cpu_ids), one for one, with the same
// NULL check and the same release, so acquire/release pairs do not change.
// Each distinct mask the program hands to a cpumask kfunc (reader or
// mutator, through the selftests' cast() helper or directly) must first go
// through bpf_bitmap_cast_to_cpumask once, whose result is kept in a
// variable and reused: one extra call, and one extra NULL check with its
// error path (which must release every reference held at that point;
// bpf_assert() cannot replace it, since the kernel refuses bpf_throw with a
// reference held or under bpf_rcu_read_lock: docs/kernel-reference.md §7.6).
// Masks that are only created,
// stored in a kptr or released need no cast.
type SelftestProgram struct {
	Name string `json:"name"`
	// Casts is the number of distinct masks the program passes to cpumask
	// kfuncs: extra bpf_bitmap_cast_to_cpumask calls and NULL checks.
	Casts int `json:"casts"`
	// RCU is true when a cast applies to a kptr read under bpf_rcu_read_lock
	// (the cast must accept RCU pointers: KF_RCU).
	RCU bool `json:"rcu,omitempty"`
}

// Selftests lists every program of cpumask_success.c in source order with
// what the proposal adds to it.
var Selftests = []SelftestProgram{
	{Name: "test_alloc_free_cpumask"},
	{Name: "test_set_clear_cpu", Casts: 1},
	{Name: "test_setall_clear_cpu", Casts: 1},
	{Name: "test_first_firstzero_cpu", Casts: 1},
	{Name: "test_firstand_nocpu", Casts: 2},
	{Name: "test_test_and_set_clear", Casts: 1},
	{Name: "test_and_or_xor", Casts: 4},
	{Name: "test_intersects_subset", Casts: 3}, // dst2 is created and released only
	{Name: "test_copy_any_anyand", Casts: 4},
	{Name: "test_insert_leave"},
	{Name: "test_insert_remove_release"},
	{Name: "test_global_mask_rcu", Casts: 1, RCU: true},
	{Name: "test_global_mask_array_one_rcu"},
	{Name: "test_global_mask_array_rcu"},
	{Name: "test_global_mask_array_l2_rcu"},
	{Name: "test_global_mask_nested_rcu"},
	{Name: "test_global_mask_nested_deep_rcu"},
	{Name: "test_global_mask_nested_deep_array_rcu"},
	{Name: "test_cpumask_weight", Casts: 1},
	{Name: "test_refcount_null_tracking", Casts: 2},
	{Name: "test_populate_reject_small_mask", Casts: 1},
	{Name: "test_populate_reject_unaligned", Casts: 1},
	{Name: "test_populate", Casts: 1},
}

// SelftestSummary totals Selftests.
type SelftestSummary struct {
	Programs int `json:"programs"`
	// Affected is how many programs need at least one cast.
	Affected int `json:"affected"`
	// Casts is the extra bpf_bitmap_cast_to_cpumask calls, and NULL checks,
	// over all programs.
	Casts int `json:"casts"`
	// MaxCasts is the most any one program needs.
	MaxCasts int `json:"max_casts"`
	// ExtraAcquireRelease is the change in acquire/release pairs: zero, since
	// create and release map one for one and the cast takes no reference.
	ExtraAcquireRelease int `json:"extra_acquire_release"`
}

// SummarizeSelftests totals ps.
func SummarizeSelftests(ps []SelftestProgram) SelftestSummary {
	s := SelftestSummary{Programs: len(ps)}
	for _, p := range ps {
		if p.Casts > 0 {
			s.Affected++
		}
		s.Casts += p.Casts
		s.MaxCasts = max(s.MaxCasts, p.Casts)
	}
	return s
}
