package testredis

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Sentinel is a Redis master watched by one Sentinel, for one test.
type Sentinel struct {
	// Master is the monitored server; the test may kill it.
	Master *Server
	// MasterName is the name the Sentinel knows the master by.
	MasterName string
	sentinel   *Server
}

// StartSentinel starts a Redis master and a Sentinel monitoring it as
// "mymaster", on free loopback ports, when redis-server is on the PATH, and
// stops both when t ends. Otherwise it uses the Sentinel at
// REDIS_SENTINEL_ADDR monitoring REDIS_SENTINEL_MASTER (default
// "mymaster"), or skips t (fails it when CI=true).
func StartSentinel(t testing.TB) *Sentinel {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil || os.Getenv("REDIS_EXTERNAL") != "" {
		addr := os.Getenv("REDIS_SENTINEL_ADDR")
		if addr == "" {
			unavailable(t, "no redis-server of the test's own (not on PATH, or REDIS_EXTERNAL set) and REDIS_SENTINEL_ADDR unset")
			return nil
		}
		name := os.Getenv("REDIS_SENTINEL_MASTER")
		if name == "" {
			name = "mymaster"
		}
		return &Sentinel{MasterName: name, sentinel: &Server{addr: addr}}
	}
	master := Start(t)
	port, err := freePort()
	if err != nil {
		unavailable(t, err.Error())
		return nil
	}
	// Sentinel rewrites its configuration file, so it needs one of its own.
	host, mport, _ := net.SplitHostPort(master.Addr())
	conf := fmt.Sprintf("%s/sentinel-%d.conf", t.TempDir(), port)
	body := fmt.Sprintf("sentinel monitor mymaster %s %s 1\nsentinel down-after-milliseconds mymaster 1000\n", host, mport)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		unavailable(t, err.Error())
		return nil
	}
	sen := &Server{
		path:  path,
		addr:  net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		first: []string{conf, "--sentinel"},
	}
	if err := sen.start(); err != nil {
		unavailable(t, err.Error())
		return nil
	}
	t.Cleanup(sen.Kill)
	s := &Sentinel{Master: master, MasterName: "mymaster", sentinel: sen}
	deadline := time.Now().Add(5 * time.Second)
	for {
		reply, err := command(sen.addr, "SENTINEL GET-MASTER-ADDR-BY-NAME mymaster")
		if err == nil && strings.HasSuffix(reply, " "+mport) {
			break
		}
		if time.Now().After(deadline) {
			unavailable(t, fmt.Sprintf("sentinel on %s does not know the master: %v %q", sen.addr, err, reply))
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s
}

// Addr returns the Sentinel's host:port.
func (s *Sentinel) Addr() string { return s.sentinel.addr }
