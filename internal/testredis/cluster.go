package testredis

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Cluster is a Redis Cluster for one test: three masters without replicas,
// each a redis-server of the test's own.
type Cluster struct {
	nodes []*Server
}

// StartCluster starts a three-node Redis Cluster on free loopback ports
// when redis-server is on the PATH, and stops it when t
// ends. Otherwise it uses the nodes listed in REDIS_CLUSTER_ADDRS (comma
// separated), or skips t (fails it when CI=true).
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	server, err := exec.LookPath("redis-server")
	if err != nil {
		if env := os.Getenv("REDIS_CLUSTER_ADDRS"); env != "" {
			c := &Cluster{}
			for _, a := range strings.Split(env, ",") {
				c.nodes = append(c.nodes, &Server{addr: strings.TrimSpace(a)})
			}
			return c
		}
		unavailable(t, "redis-server not on PATH and REDIS_CLUSTER_ADDRS unset")
		return nil
	}
	dir := t.TempDir()
	c := &Cluster{}
	t.Cleanup(func() {
		for _, n := range c.nodes {
			n.Kill()
		}
	})
	for range 3 {
		port, err := clusterPort()
		if err != nil {
			unavailable(t, err.Error())
			return nil
		}
		n := &Server{
			path: server,
			addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			extra: []string{
				"--cluster-enabled", "yes",
				"--cluster-config-file", fmt.Sprintf("%s/nodes-%d.conf", dir, port),
				"--dir", dir,
			},
		}
		if err := n.start(); err != nil {
			unavailable(t, err.Error())
			return nil
		}
		c.nodes = append(c.nodes, n)
	}
	// Split the 16384 slots and introduce the nodes to each other; the
	// gossip does the rest (faster than redis-cli --cluster create, which
	// waits in whole seconds).
	for i, n := range c.nodes {
		lo, hi := i*16384/len(c.nodes), (i+1)*16384/len(c.nodes)-1
		if _, err := command(n.addr, fmt.Sprintf("CLUSTER ADDSLOTSRANGE %d %d", lo, hi)); err != nil {
			unavailable(t, fmt.Sprintf("assign slots on %s: %v", n.addr, err))
			return nil
		}
		if i > 0 {
			host, port, _ := net.SplitHostPort(n.addr)
			if _, err := command(c.nodes[0].addr, fmt.Sprintf("CLUSTER MEET %s %s", host, port)); err != nil {
				unavailable(t, fmt.Sprintf("cluster meet %s: %v", n.addr, err))
				return nil
			}
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, n := range c.nodes {
		for {
			info, err := command(n.addr, "CLUSTER INFO")
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				unavailable(t, fmt.Sprintf("cluster node %s not ready: %v %q", n.addr, err, info))
				return nil
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return c
}

// Addrs returns the nodes' host:port addresses.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = n.addr
	}
	return out
}

// clusterPort returns a free port whose cluster bus port (port + 10000) is
// free too.
func clusterPort() (int, error) {
	for range 50 {
		port, err := freePort()
		if err != nil {
			return 0, err
		}
		if port+10000 > 65535 {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
		if err != nil {
			continue
		}
		l.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free port pair for a cluster node")
}

// command sends an inline command and returns a simple or bulk string
// reply.
func command(addr, cmd string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte(cmd + "\r\n")); err != nil {
		return "", err
	}
	return readReply(bufio.NewReader(c))
}

// readReply reads a simple string, a bulk string or an array of them
// (joined by spaces); an error reply or a nil is an error.
func readReply(rd *bufio.Reader) (string, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	switch {
	case strings.HasPrefix(line, "+"):
		return line[1:], nil
	case strings.HasPrefix(line, "$"):
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", fmt.Errorf("bulk reply %q", line)
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case strings.HasPrefix(line, "*"):
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", fmt.Errorf("array reply %q", line)
		}
		parts := make([]string, n)
		for i := range parts {
			if parts[i], err = readReply(rd); err != nil {
				return "", err
			}
		}
		return strings.Join(parts, " "), nil
	}
	return "", fmt.Errorf("reply %q", line)
}
