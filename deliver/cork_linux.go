package deliver

import (
	"net"
	"syscall"
)

// cork holds back (on) or releases (off) what is written to a TCP
// connection: while corked, a short write is queued in the kernel and not
// sent. The last byte of a message is written corked just before the
// commit that marks it sent, and released after: the write is cheap and
// wakes no one, so the gap between it and the commit stays a few
// microseconds, and if the process dies in between the kernel still sends
// the queued byte when it closes the connection (the message was marked
// sent, or the commit was about to happen).
func cork(c net.Conn, on bool) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	v := 0
	if on {
		v = 1
	}
	raw.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_CORK, v) })
}

// abort closes a connection so that anything still queued is thrown away
// (RST), as for a message whose commit failed after its last byte was
// queued.
func abort(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}
