package words_test

import (
	"os"
	"os/exec"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inlined are the functions whose one-word path must inline into their
// callers, each with the helper that holds that path and the call out: one
// node over the inliner's budget and every one-word call pays a function
// call again, which no other test would notice. The helper is listed too, as
// the exported function still inlines when the helper does not, as a plain
// call to it. The ...Asm functions hand slices to the kernels as pointers;
// out of line they would cost a call more than the slices they save.
var inlined = []string{
	"weightAsm", "weightAndAsm", "andWeightAsm", "andAsm", "andNotAsm", "orAsm", "xorAsm", "firstNonZeroAsm",
	"firstNotFullAsm", "firstDiffAsm", "firstAndAsm", "firstAndNotAsm", "copyAsm",
	"Copy", "copy1",
	"Weight", "weight1", "WeightAnd", "weightAnd1", "And", "and1", "AndWeight", "andWeight1", "AndNot", "andNot1", "Or", "or1",
	"Xor", "xor1", "Equal", "equal1", "Intersects", "intersects1",
	"Subset", "subset1", "Empty", "empty1", "Full", "full1",
	"FindFirstBit", "findFirst1", "FindNextBit", "findNext1",
	"FindFirstZeroBit", "FindNextZeroBit",
	"FirstSetFrom", "firstFrom1",
}

// TestInlined asks the compiler (go build -gcflags=-m) which functions of
// the package it can inline, with the assembly and under the purego tag.
func TestInlined(t *testing.T) {
	goBin, err := exec.LookPath("go") // go test puts GOROOT/bin first in PATH
	require.NoError(t, err)
	for _, tags := range []string{"", "purego"} {
		out, err := exec.Command(goBin, "build", "-tags="+tags, "-gcflags=-m", "-o", os.DevNull, ".").CombinedOutput()
		require.NoError(t, err, "%s", out)
		for _, name := range inlined {
			assert.Regexp(t, regexp.MustCompile(`(?m): can inline `+name+`$`), string(out), "tags %q: %s no longer inlines", tags, name)
		}
	}
}
