package pdq

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_THREAD, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestScratchSpeed(t *testing.T) {
	runtime.LockOSThread()
	data := MustBenchJPEG(t)
	h := NewHasher()
	best := time.Hour
	for r := 0; r < 5; r++ {
		c0 := cpuNow()
		for i := 0; i < 50; i++ {
			h.HashBytes(data)
		}
		if d := (cpuNow() - c0) / 50; d < best {
			best = d
		}
	}
	t.Logf("cpu per image %v = %.1f img/s (%d bytes)", best, 1/best.Seconds(), len(data))
}
