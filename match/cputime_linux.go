package match

import (
	"syscall"
	"time"
	"unsafe"
)

// ThreadCPUTime returns the CPU time the calling OS thread has used, and
// whether the platform can tell. A benchmark on a shared machine times
// each query with it as well as with the wall clock (with the goroutine
// locked to its thread): time spent waiting for a core while other
// programs run then does not count as query latency.
func ThreadCPUTime() (time.Duration, bool) { return cpuClock(3) } // CLOCK_THREAD_CPUTIME_ID

// ProcessCPUTime returns the CPU time the whole process has used (every
// thread), and whether the platform can tell.
func ProcessCPUTime() (time.Duration, bool) { return cpuClock(2) } // CLOCK_PROCESS_CPUTIME_ID

func cpuClock(id uintptr) (time.Duration, bool) {
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, id, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
