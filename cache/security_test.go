package cache

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/internal/testredis"
	"github.com/redis/go-redis/v9"
)

// TestRedisCredentials runs a password-protected Redis of the test's own,
// with an ACL user too: NewRedisClient with the right credentials caches
// (hits on the second read); with wrong or missing ones every call fails
// with an error that does not show the password, and GetOrLoad still returns
// the loaded value.
func TestRedisCredentials(t *testing.T) {
	const secret = "s3cr3t-redis-PW"
	const userSecret = "alice-s3cr3t"
	srv := testredis.StartWith(t, "--requirepass", secret, "--user", "alice", "on", ">"+userSecret, "~*", "&*", "+@all")
	if !srv.Own() {
		t.Skip("needs redis-server on PATH to start a password-protected server")
	}
	ctx := context.Background()
	open := func(o RedisClientOptions) *Redis {
		t.Helper()
		o.Addrs = []string{srv.Addr()}
		o.Timeout = 500 * time.Millisecond
		client, err := NewRedisClient(o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { client.Close() })
		r, err := NewRedis(client, RedisOptions{Prefix: "sec:"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	load := func(context.Context) (string, error) { return "loaded", nil }
	for name, o := range map[string]RedisClientOptions{
		"requirepass": {Password: secret},
		"acl user":    {Username: "alice", Password: userSecret},
	} {
		r := open(o)
		for range 2 {
			if v, err := GetOrLoad(ctx, r, "k-"+name, time.Minute, load); err != nil || v != "loaded" {
				t.Fatalf("%s: %q, %v", name, v, err)
			}
		}
		if s := r.Stats(); s.Hits != 1 || s.Loads != 1 || s.BackendErrors != 0 {
			t.Fatalf("%s: stats %+v, want one load then one hit", name, s)
		}
	}
	for name, o := range map[string]RedisClientOptions{
		"wrong password": {Password: "wrong-" + secret},
		"wrong user":     {Username: "alice", Password: "wrong-" + userSecret},
		"no password":    {},
	} {
		r := open(o)
		_, _, err := r.Get(ctx, "k")
		if err == nil {
			t.Fatalf("%s: Get succeeded", name)
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), userSecret) {
			t.Errorf("%s: error shows the password: %v", name, err)
		}
		if v, err := GetOrLoad(ctx, r, "k", time.Minute, load); err != nil || v != "loaded" {
			t.Fatalf("%s: GetOrLoad %q, %v; want the loaded value", name, v, err)
		}
		if s := r.Stats(); s.BackendErrors == 0 {
			t.Errorf("%s: backend errors not counted: %+v", name, s)
		}
	}
}

// TestNewRedisClientOptions: the TLS configuration and credentials reach the
// client, its timeouts are those NewRedis advises, and the client's String
// form does not show the password.
func TestNewRedisClientOptions(t *testing.T) {
	if _, err := NewRedisClient(RedisClientOptions{}); err == nil {
		t.Error("no address accepted")
	}
	if _, err := NewRedisClient(RedisClientOptions{Addrs: []string{"x:1"}, Timeout: -1}); err == nil {
		t.Error("negative timeout accepted")
	}
	tc := &tls.Config{ServerName: "cache.internal", MinVersion: tls.VersionTLS12}
	client, err := NewRedisClient(RedisClientOptions{Addrs: []string{"127.0.0.1:1"}, Username: "u", Password: "pw-secret", DB: 2, TLS: tc})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	c, ok := client.(*redis.Client)
	if !ok {
		t.Fatalf("one address gave a %T", client)
	}
	o := c.Options()
	if o.TLSConfig != tc || o.Username != "u" || o.Password != "pw-secret" || o.DB != 2 || !o.ContextTimeoutEnabled ||
		o.ReadTimeout != DefaultRedisTimeout || o.MaxRetries != 0 || o.DialerRetries != 1 {
		t.Errorf("TLS %v user %q DB %d context timeouts %v read timeout %v retries %d dial retries %d",
			o.TLSConfig, o.Username, o.DB, o.ContextTimeoutEnabled, o.ReadTimeout, o.MaxRetries, o.DialerRetries)
	}
	if strings.Contains(c.String(), "pw-secret") {
		t.Errorf("String shows the password: %s", c.String())
	}
	r, err := NewRedis(client, RedisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.bounded {
		t.Error("the client's own timeouts do not bound each call")
	}
	sentinel, err := NewRedisClient(RedisClientOptions{Addrs: []string{"127.0.0.1:1"}, MasterName: "m", SentinelPassword: "sp"})
	if err != nil {
		t.Fatal(err)
	}
	sentinel.Close()
}

// TestCorruptEntriesBounded: stored bytes that claim more than they hold (a
// tag count the entry cannot contain) or an impossible HTTP status are
// refused as ErrCorrupt before anything is allocated or served.
func TestCorruptEntriesBounded(t *testing.T) {
	b := envelope{tags: []tagVersion{{"a", 1}}, payload: []byte("x")}.encode()
	// Claim 5 tags in room for one and a bit.
	b[envHeaderLen] = 5
	if _, err := decodeEnvelope(b); !errors.Is(err, ErrCorrupt) {
		t.Errorf("oversized tag count: %v", err)
	}
	for _, status := range []uint32{0, 99, 1000, 1 << 31} {
		e, _ := (&httpEntry{Status: 200, Body: []byte("{}")}).MarshalBinary()
		binary.BigEndian.PutUint32(e, status)
		var got httpEntry
		if err := got.UnmarshalBinary(e); !errors.Is(err, ErrCorrupt) {
			t.Errorf("status %d: %v", status, err)
		}
	}
}
