package testredis

import (
	"strings"
	"testing"
	"time"
)

func TestStartKillRestart(t *testing.T) {
	s := Start(t)
	if err := ping(s.Addr(), time.Second); err != nil {
		t.Fatalf("server at %s does not answer: %v", s.Addr(), err)
	}
	if !s.Own() {
		t.Skip("external server: kill and restart not tried")
	}
	s.Kill()
	if err := ping(s.Addr(), 200*time.Millisecond); err == nil {
		t.Fatal("killed server still answers")
	}
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	if err := ping(s.Addr(), time.Second); err != nil {
		t.Fatalf("restarted server does not answer: %v", err)
	}
}

func TestPauseResume(t *testing.T) {
	s := Start(t)
	if !s.Own() {
		t.Skip("external server: not paused")
	}
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	if err := ping(s.Addr(), 200*time.Millisecond); err == nil {
		t.Fatal("paused server answers")
	}
	if err := s.Resume(); err != nil {
		t.Fatal(err)
	}
	if err := ping(s.Addr(), time.Second); err != nil {
		t.Fatalf("resumed server does not answer: %v", err)
	}
}

func TestExternal(t *testing.T) {
	t.Setenv("REDIS_EXTERNAL", "1")
	t.Setenv("REDIS_ADDR", "")
	s := Start(t) // skips without a Redis at the default address
	if s.Own() {
		t.Error("external server reported as own")
	}
	if err := s.Restart(); err == nil {
		t.Error("Restart of an external server: no error")
	}
}

func TestStartCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node cluster")
	}
	c := StartCluster(t)
	if len(c.Addrs()) < 3 {
		t.Fatalf("Addrs = %v", c.Addrs())
	}
	for _, a := range c.Addrs() {
		info, err := command(a, "CLUSTER INFO")
		if err != nil || !strings.Contains(info, "cluster_state:ok") {
			t.Errorf("node %s: %v %q", a, err, info)
		}
	}
}

func TestStartSentinel(t *testing.T) {
	s := StartSentinel(t)
	reply, err := command(s.Addr(), "SENTINEL GET-MASTER-ADDR-BY-NAME "+s.MasterName)
	if err != nil || s.Master == nil || reply != strings.Replace(s.Master.Addr(), ":", " ", 1) {
		t.Errorf("sentinel reports master %q, %v", reply, err)
	}
}
