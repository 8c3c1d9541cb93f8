// Package testredis gives tests a Redis server to talk to.
//
// When redis-server is on the PATH, [Start] runs a server of the test's own
// on a free loopback port, without persistence, so the test may stop and
// restart it (a fault test kills Redis mid-run). Otherwise it uses the
// server at REDIS_ADDR (default 127.0.0.1:6379), which the test must not
// stop. Without any Redis the test is skipped with a message, except when
// CI=true, where it fails.
package testredis

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// DefaultAddr is used when REDIS_ADDR is unset and redis-server is not on
// the PATH.
const DefaultAddr = "127.0.0.1:6379"

// Server is a Redis server for one test. Its methods are safe for
// concurrent use.
type Server struct {
	addr  string
	mu    sync.Mutex
	cmd   *exec.Cmd // nil for an external server
	path  string
	extra []string // more redis-server arguments
	first []string // arguments before the options (a config file)
}

// Start returns a Redis server for t: its own (when redis-server is on the
// PATH and REDIS_EXTERNAL is not set) or the external one. The server is
// stopped when t ends. Start skips t when no Redis is reachable, or fails it
// when CI=true.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t)
}

// StartWith is Start with more redis-server arguments for a server of the
// test's own (for example "--maxmemory", "1mb"). An external server is used
// as it is: check [Server.Own] before relying on the arguments.
func StartWith(t testing.TB, args ...string) *Server {
	t.Helper()
	if path, err := exec.LookPath("redis-server"); err == nil && os.Getenv("REDIS_EXTERNAL") == "" {
		s := &Server{path: path, extra: args}
		port, err := freePort()
		if err != nil {
			unavailable(t, fmt.Sprintf("no free port for redis-server: %v", err))
			return nil
		}
		s.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if err := s.start(); err != nil {
			unavailable(t, err.Error())
			return nil
		}
		t.Cleanup(func() { s.Kill() })
		return s
	}
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		addr = DefaultAddr
	}
	if err := ping(addr, time.Second); err != nil {
		unavailable(t, fmt.Sprintf("no redis-server on PATH and no Redis at %s (set REDIS_ADDR): %v", addr, err))
		return nil
	}
	return &Server{addr: addr}
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("testredis: Redis is required when CI=true: %s", why)
	}
	t.Skipf("testredis: skipping, Redis unavailable: %s", why)
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return s.addr }

// Own reports whether the server was started for this test (and so may be
// killed and restarted).
func (s *Server) Own() bool { return s.path != "" }

// Kill stops a server of the test's own at once (SIGKILL) and waits for it
// to exit. It does nothing for an external server or a stopped one.
func (s *Server) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGCONT) // a paused server dies too
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Pause stops a server of the test's own without closing its connections
// (SIGSTOP): clients see a server that accepts and never answers, as with
// a hung or overloaded Redis. It does nothing for an external server.
func (s *Server) Pause() error { return s.signal(syscall.SIGSTOP) }

// Resume continues a paused server (SIGCONT).
func (s *Server) Resume() error { return s.signal(syscall.SIGCONT) }

func (s *Server) signal(sig os.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return nil
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("testredis: signal %v to redis-server: %w", sig, err)
	}
	return nil
}

// Restart starts a killed server of the test's own again on the same
// address, empty, and waits until it answers. It returns an error for an
// external server.
func (s *Server) Restart() error {
	if !s.Own() {
		return fmt.Errorf("testredis: cannot restart the external server at %s", s.addr)
	}
	s.Kill()
	return s.start()
}

func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, port, _ := net.SplitHostPort(s.addr)
	args := []string{
		"--port", port, "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no",
		"--daemonize", "no", "--loglevel", "warning"}
	args = append(append(append([]string(nil), s.first...), args...), s.extra...)
	cmd := exec.Command(s.path, args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("testredis: start %s: %w", s.path, err)
	}
	var err error
	for range 200 { // up to 5s
		if err = ping(s.addr, 100*time.Millisecond); err == nil {
			s.cmd = cmd
			return nil
		}
		time.Sleep(25 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return fmt.Errorf("testredis: redis-server on %s did not answer: %w", s.addr, err)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ping sends PING over a fresh connection and expects +PONG, or the
// NOAUTH refusal of a server started with --requirepass (it is up).
func ping(addr string, timeout time.Duration) error {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") && !strings.HasPrefix(line, "-NOAUTH") {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(line))
	}
	return nil
}
