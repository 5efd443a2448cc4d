//go:build !amd64 || !gc || purego

package words

func impls() []impl { return []impl{{"purego", func() {}}} }

func saveImpl() func() { return func() {} }
