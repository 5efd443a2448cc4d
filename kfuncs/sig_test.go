package kfuncs_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/kfuncs"
)

func TestSignatureEveryRow(t *testing.T) {
	for _, k := range kfuncs.Kfuncs {
		sig, err := k.Signature()
		require.NoError(t, err, k.Kernel)
		for _, p := range sig.Params {
			assert.NotEmpty(t, p.Name, k.Kernel)
			assert.NotEqual(t, kfuncs.ParamVoid, p.Kind, "%s: void parameter %s", k.Kernel, p.Name)
		}
	}
}

func sigOf(t *testing.T, name string) kfuncs.Signature {
	t.Helper()
	k, ok := kfuncs.Kfuncs.Lookup(name)
	require.True(t, ok, name)
	sig, err := k.Signature()
	require.NoError(t, err)
	return sig
}

func TestSignatureKinds(t *testing.T) {
	set := sigOf(t, "bpf_cpumask_set_cpu")
	assert.Equal(t, kfuncs.ParamVoid, set.Ret.Kind)
	require.Len(t, set.Params, 2)
	assert.Equal(t, kfuncs.Param{Name: "cpu", Kind: kfuncs.ParamScalar, Type: "u32"}, set.Params[0])
	assert.Equal(t, kfuncs.Param{Name: "cpumask", Kind: kfuncs.ParamStruct, Struct: "bpf_cpumask", Type: "struct bpf_cpumask *"}, set.Params[1])

	first := sigOf(t, "bpf_cpumask_first")
	assert.Equal(t, kfuncs.ParamScalar, first.Ret.Kind)
	assert.Equal(t, kfuncs.Param{Name: "cpumask", Kind: kfuncs.ParamStruct, Struct: "cpumask", Const: true, Type: "const struct cpumask *"}, first.Params[0])

	create := sigOf(t, "bpf_cpumask_create")
	assert.Empty(t, create.Params)
	assert.Equal(t, kfuncs.Param{Kind: kfuncs.ParamStruct, Struct: "bpf_cpumask", Type: "struct bpf_cpumask *"}, create.Ret)

	pop := sigOf(t, "bpf_cpumask_populate")
	require.Len(t, pop.Params, 3)
	assert.Equal(t, kfuncs.ParamMem, pop.Params[1].Kind)
	assert.Equal(t, kfuncs.ParamMemSize, pop.Params[2].Kind)
	assert.Equal(t, "src__sz", pop.Params[2].Name)

	it := sigOf(t, "bpf_iter_bits_new")
	assert.Equal(t, kfuncs.ParamIter, it.Params[0].Kind)
	assert.Equal(t, "bpf_iter_bits", it.Params[0].Struct)
	assert.Equal(t, kfuncs.ParamMem, sigOf(t, "bpf_iter_bits_next").Ret.Kind)

	bc := sigOf(t, "bpf_bitmap_create")
	assert.Equal(t, kfuncs.Param{Name: "bits", Kind: kfuncs.ParamScalar, Type: "int"}, bc.Params[0])
	assert.Equal(t, "bpf_bitmap", bc.Ret.Struct)
	assert.Equal(t, "cpumask", sigOf(t, "bpf_bitmap_cast_to_cpumask").Ret.Struct)
}

func TestSignatureRejects(t *testing.T) {
	for _, proto := range []string{
		"u32 bpf_x",                      // no parameter list
		"u32 bpf_y(void)",                // names another function
		"float bpf_x(void)",              // unknown return type
		"void bpf_x(u32)",                // unnamed parameter
		"void bpf_x(struct foo cpumask)", // struct by value
		"void bpf_x(u32 a__sz)",          // __sz without memory before it
		"void bpf_x(u32 a, u32 b, u32 c, u32 d, u32 e, u32 f)", // six arguments
	} {
		_, err := kfuncs.Kfunc{Kernel: "bpf_x", Proto: proto}.Signature()
		assert.ErrorIs(t, err, kfuncs.ErrProto, proto)
	}
}
