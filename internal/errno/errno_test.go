package errno_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bpfbitmap/prototype/internal/errno"
)

func TestSentinel(t *testing.T) {
	a := errno.New("a", syscall.EINVAL)
	b := errno.New("a", syscall.EINVAL)
	assert.ErrorIs(t, a, syscall.EINVAL)
	assert.NotErrorIs(t, a, syscall.ERANGE)
	assert.False(t, errors.Is(a, b), "sentinels with equal text stay distinct")
	assert.Equal(t, "a", a.Error())
}
