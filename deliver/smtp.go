package deliver

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/contest-ct/contest"
)

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	// Addr is host:port of the SMTP server (a relay or submission port).
	Addr string
	// From is the sender address, like "CONTEST <bulletins@contest.example>".
	From string
	// Username and Password, when set, authenticate with AUTH PLAIN (only
	// over TLS, or to a server on this machine).
	Username, Password string
	// TLS is "auto" (STARTTLS when offered; the default), "require" or
	// "none".
	TLS string
	// TLSConfig is used for STARTTLS (nil: the system roots and the host
	// of Addr).
	TLSConfig *tls.Config
	// Hello is the name given in EHLO (default "localhost").
	Hello string

	from   *mail.Address
	domain string
}

func (c *SMTPConfig) check() error {
	if c.Addr == "" {
		return errors.New("deliver: SMTP address is empty")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("deliver: SMTP address %q: want host:port", c.Addr)
	}
	a, err := mail.ParseAddress(c.From)
	if err != nil {
		return fmt.Errorf("deliver: SMTP from address %q: %v", c.From, err)
	}
	c.from = a
	c.domain = "contest.invalid"
	if at := strings.LastIndexByte(a.Address, '@'); at >= 0 {
		c.domain = a.Address[at+1:]
	}
	switch c.TLS {
	case "":
		c.TLS = "auto"
	case "auto", "require", "none":
	default:
		return fmt.Errorf("deliver: SMTP TLS %q: want auto, require or none", c.TLS)
	}
	if c.Hello == "" {
		c.Hello = "localhost"
	}
	return nil
}

// gatedConn is the connection under an SMTP client. When armed, the next
// Write (the end of DATA) is sent but for its last byte, which is handed
// to the committer; the Write returns only once the committer has decided.
type gatedConn struct {
	net.Conn
	w     *Worker
	armed bool
	id    int64
	// outcome of the last armed write: true if the last byte went out in
	// a group commit that marked the row sent.
	committed bool
}

func (g *gatedConn) Write(p []byte) (int, error) {
	if !g.armed || len(p) == 0 {
		return g.Conn.Write(p)
	}
	g.armed = false
	if n, err := g.Conn.Write(p[:len(p)-1]); err != nil {
		return n, err
	}
	last := append([]byte(nil), p[len(p)-1])
	if g.committed = g.w.park(g.id, g.Conn, last); !g.committed {
		return len(p) - 1, errAbandoned
	}
	return len(p), nil
}

// errAbandoned marks a message given up before its last byte.
var errAbandoned = errors.New("deliver: message abandoned before its last byte")

// smtpConn is one sender's connection to the mail server.
type smtpConn struct {
	c    *smtp.Client
	g    *gatedConn
	used time.Time
}

func (w *Worker) dialSMTP() (*smtpConn, error) {
	cfg := w.cfg.SMTP
	raw, err := net.DialTimeout("tcp", cfg.Addr, w.cfg.Timeout)
	if err != nil {
		return nil, err
	}
	g := &gatedConn{Conn: raw, w: w}
	raw.SetDeadline(time.Now().Add(w.cfg.Timeout))
	host, _, _ := net.SplitHostPort(cfg.Addr)
	c, err := smtp.NewClient(g, host)
	if err != nil {
		raw.Close()
		return nil, err
	}
	if err := c.Hello(cfg.Hello); err != nil {
		c.Close()
		return nil, err
	}
	if ok, _ := c.Extension("STARTTLS"); ok && cfg.TLS != "none" {
		tc := cfg.TLSConfig
		if tc == nil {
			tc = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(tc); err != nil {
			c.Close()
			return nil, err
		}
		// From here the client writes through a tls.Conn over g: the end
		// of DATA is one TLS record, and a record whose last byte is held
		// back cannot be read, so the gate works the same.
	} else if cfg.TLS == "require" {
		c.Close()
		return nil, errors.New("deliver: the SMTP server does not offer STARTTLS")
	}
	if cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", cfg.Username, cfg.Password, host)); err != nil {
			c.Close()
			return nil, err
		}
	}
	raw.SetDeadline(time.Time{})
	return &smtpConn{c: c, g: g, used: time.Now()}, nil
}

// emailSender sends e-mail jobs over one connection, reconnecting as
// needed and saying QUIT when idle.
func (w *Worker) emailSender(jobs <-chan *job) {
	var sc *smtpConn
	defer func() { sc.close(true) }()
	idle := time.NewTimer(time.Hour)
	defer idle.Stop()
	for {
		idle.Reset(30 * time.Second)
		select {
		case j, ok := <-jobs:
			if !ok {
				return
			}
			w.busy.Add(1)
			sc = w.sendOneEmail(sc, j)
			w.busy.Add(-1)
		case <-idle.C:
			sc.close(true)
			sc = nil
		}
	}
}

// close ends the connection, politely when quit.
func (sc *smtpConn) close(quit bool) {
	if sc == nil {
		return
	}
	if quit {
		sc.g.Conn.SetDeadline(time.Now().Add(5 * time.Second))
		sc.c.Quit()
	}
	sc.c.Close()
}

// sendOneEmail sends one e-mail job, on sc or a new connection, and
// returns the connection to use next (nil after a failure).
func (w *Worker) sendOneEmail(sc *smtpConn, j *job) *smtpConn {
	msg, err := w.renderEmail(j.d)
	if err != nil {
		w.retry(j.d, err, false)
		return sc
	}
	// A connection that has been idle may have been closed by the server:
	// one fresh try before counting a failure.
	var sendErr error
	for try := 0; try < 2; try++ {
		if sc == nil {
			if sc, sendErr = w.dialSMTP(); sendErr != nil {
				sc = nil
				break
			}
		}
		var done bool
		done, sendErr = w.sendEmail(sc, j.d, msg)
		if sendErr == nil || done {
			break
		}
		sc.close(false)
		sc = nil
		var te *textproto.Error
		if errors.As(sendErr, &te) || errors.Is(sendErr, errAbandoned) {
			break // the server answered, or the message was given up
		}
	}
	switch {
	case sendErr == nil:
		w.stats.add(func(s *Stats) { s.Sent++ })
		w.done(j.d.Channel)
		return sc
	case errors.Is(sendErr, errAbandoned):
		w.stats.add(func(s *Stats) { s.Aborted++ })
		w.done(j.d.Channel)
	default:
		var te *textproto.Error
		permanent := errors.As(sendErr, &te) && te.Code >= 500
		w.retry(j.d, sendErr, permanent)
	}
	sc.close(false)
	return nil
}

// sendEmail runs one SMTP transaction. done reports whether the message
// got as far as its last byte (so that it must not be tried again on
// another connection).
func (w *Worker) sendEmail(sc *smtpConn, d *contest.Delivery, msg []byte) (done bool, err error) {
	c, g := sc.c, sc.g
	g.Conn.SetDeadline(time.Now().Add(w.cfg.Timeout))
	defer g.Conn.SetDeadline(time.Time{})
	if err := c.Mail(w.cfg.SMTP.from.Address); err != nil {
		c.Reset()
		return false, err
	}
	if err := c.Rcpt(d.Target); err != nil {
		c.Reset()
		return false, err
	}
	wc, err := c.Data()
	if err != nil {
		c.Reset()
		return false, err
	}
	if _, err := wc.Write(msg); err != nil {
		return false, err
	}
	// Everything but the end of DATA is now on its way; the next write is
	// the final ".\r\n", whose last byte the committer sends.
	if err := c.Text.W.Flush(); err != nil {
		return false, err
	}
	g.armed, g.id, g.committed = true, d.ID, false
	err = wc.Close()
	g.armed = false
	if !g.committed {
		if err == nil {
			err = errAbandoned
		}
		return false, err
	}
	// The row is marked sent; a refusal now puts it back.
	return true, err
}

var mailHeaderEscaper = strings.NewReplacer("\r", " ", "\n", " ")

// renderEmail builds the message for a delivery: the bulletin in full when
// it is OFFICIAL, otherwise a notice to sign in to read it (e-mail is not
// cleared above OFFICIAL).
func (w *Worker) renderEmail(d *contest.Delivery) ([]byte, error) {
	b, err := w.bulletin(d.BulletinID)
	if err != nil {
		return nil, err
	}
	cfg := w.cfg.SMTP
	link := strings.TrimRight(w.cfg.BaseURL, "/") + fmt.Sprintf("/bulletins/%d", b.ID)
	marking := b.Meta.Classification.String()
	subject := "[" + marking + "] " + b.Type.Label() + ": " + b.Title
	var body strings.Builder
	fmt.Fprintf(&body, "%s\n\n", marking)
	if b.Meta.Classification == contest.Official {
		fmt.Fprintf(&body, "%s\n\n%s\n\nFrom: %s\nPublished: %s\n\nAcknowledge that you have read this bulletin:\n%s\n",
			b.Title, b.Body, b.SenderName, b.PublishedAt.UTC().Format("2 January 2006 15:04 MST"), link)
	} else {
		subject = "[" + marking + "] A new bulletin is waiting for you in CONTEST"
		fmt.Fprintf(&body, "A new %s bulletin marked %s is waiting for you. It is not sent by e-mail because of its marking.\n\nSign in to read and acknowledge it:\n%s\n",
			strings.ToLower(b.Type.Label()), marking, link)
	}
	fmt.Fprintf(&body, "\n%s\n", marking)
	var buf bytes.Buffer
	to := mail.Address{Name: mailHeaderEscaper.Replace(d.RecipientName), Address: d.Target}
	hdr := func(k, v string) { fmt.Fprintf(&buf, "%s: %s\r\n", k, v) }
	hdr("From", cfg.from.String())
	hdr("To", to.String())
	hdr("Subject", encodeHeader(mailHeaderEscaper.Replace(subject)))
	hdr("Date", time.Now().UTC().Format(time.RFC1123Z))
	hdr("Message-ID", "<"+d.Key+"@"+cfg.domain+">")
	hdr("X-Contest-Delivery", d.Key)
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("Content-Transfer-Encoding", "quoted-printable")
	buf.WriteString("\r\n")
	writeQP(&buf, body.String())
	return buf.Bytes(), nil
}

// encodeHeader encodes a header value as RFC 2047 words when it is not
// plain ASCII.
func encodeHeader(s string) string { return mime.QEncoding.Encode("utf-8", s) }

// writeQP writes text as quoted-printable with CRLF line ends.
func writeQP(buf *bytes.Buffer, text string) {
	qw := quotedprintable.NewWriter(buf)
	qw.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")))
	qw.Close()
}
