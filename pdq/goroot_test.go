package pdq

import (
	"os/exec"
	"strings"
	"sync"
)

// goRoot is the Go installation the tests run with ("go env GOROOT"), whose
// src/image/testdata holds JPEG test images; "" when go is not on PATH.
var goRoot = sync.OnceValue(func() string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
})
