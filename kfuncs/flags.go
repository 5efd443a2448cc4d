package kfuncs

import "strings"

// Flag is one of the BTF_ID_FLAGS of a kfunc (include/linux/btf.h). The
// values are this package's; String gives the kernel's spelling.
type Flag uint16

// The kfunc flags used by the cpumask, bitmap and iterator kfuncs.
const (
	KfAcquire     Flag = 1 << iota // KF_ACQUIRE
	KfRelease                      // KF_RELEASE
	KfRetNull                      // KF_RET_NULL
	KfTrustedArgs                  // KF_TRUSTED_ARGS
	KfRcu                          // KF_RCU
	KfIterNew                      // KF_ITER_NEW
	KfIterNext                     // KF_ITER_NEXT
	KfIterDestroy                  // KF_ITER_DESTROY
	numFlags                       // end of the list
)

var flagNames = [...]string{
	"KF_ACQUIRE", "KF_RELEASE", "KF_RET_NULL", "KF_TRUSTED_ARGS", "KF_RCU",
	"KF_ITER_NEW", "KF_ITER_NEXT", "KF_ITER_DESTROY",
}

// String returns the flags as the kernel writes them, "KF_ACQUIRE |
// KF_RET_NULL", in the order above, or "0" for none.
func (f Flag) String() string {
	if f == 0 {
		return "0"
	}
	var parts []string
	for i, name := range flagNames {
		if f&(1<<i) != 0 {
			parts = append(parts, name)
		}
	}
	if f >= numFlags {
		parts = append(parts, "KF_UNKNOWN")
	}
	return strings.Join(parts, " | ")
}

// Has reports whether every flag of g is in f.
func (f Flag) Has(g Flag) bool { return f&g == g }
