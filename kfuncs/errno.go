package kfuncs

import (
	"errors"
	"syscall"
)

// errno turns an error into the int a kernel function returns: 0 for nil,
// otherwise the negated errno the error matches (-EINVAL if none does).
func errno(err error) int32 {
	if err == nil {
		return 0
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		return -int32(e)
	}
	return -int32(syscall.EINVAL)
}
