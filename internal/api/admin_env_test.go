package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/api"
	"github.com/openbss/openbss/internal/demo"
	"github.com/openbss/openbss/internal/store"
	"github.com/openbss/openbss/internal/storetest"
)

// Identifiers of the management API tests start with adm: the api_test package is shared.

// admEnv is a real HTTP server over a fresh database of one engine.
type admEnv struct {
	t    *testing.T
	st   *store.Store
	base string
	hc   *http.Client
}

// admEngines runs fn per engine on a database holding the demo data (or nothing, when empty).
func admEngines(t *testing.T, empty bool, fn func(t *testing.T, e *admEnv)) {
	t.Helper()
	storetest.EngineDSNs(t, func(t *testing.T, dsn string) {
		fn(t, admOpen(t, dsn, empty, nil, nil))
	})
}

func admOpen(t *testing.T, dsn string, empty bool, clock func() time.Time, opts []api.Option) *admEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var so []store.Option
	if clock != nil {
		so = append(so, store.WithClock(clock))
	}
	st, err := store.Open(ctx, dsn, so...)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if !empty {
		if err := demo.Load(ctx, st); err != nil {
			t.Fatalf("demo data: %v", err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(api.NewServer(st, log, opts...))
	t.Cleanup(srv.Close)
	return &admEnv{t: t, st: st, base: srv.URL, hc: srv.Client()}
}

type admReply struct {
	status int
	header http.Header
	body   []byte
}

func (r admReply) String() string { return fmt.Sprintf("%d %s", r.status, bytes.TrimSpace(r.body)) }

// call sends a request (body: nil, a string of JSON, or a value to encode) with a bearer token.
// A 5xx fails the test; every 4xx must be the documented error body.
func (e *admEnv) call(method, path, token string, body any, header ...string) admReply {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := admReply{status: res.StatusCode, header: res.Header, body: b}
	if r.status >= 500 {
		e.t.Errorf("%s %s: %s (a 5xx is a bug)", method, path, r)
	}
	if r.status >= 400 {
		var p struct {
			Code    *int   `json:"code"`
			Type    string `json:"type"`
			Message string `json:"message"`
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil || p.Code == nil || *p.Code != r.status || p.Type == "" || p.Message == "" {
			e.t.Errorf("%s %s: error body is not {code,type,message}: %s", method, path, r)
		}
	}
	return r
}

// must sends a request, wants the status and decodes the answer into out (when not nil).
func (e *admEnv) must(want int, method, path, token string, body any, out any) admReply {
	e.t.Helper()
	r := e.call(method, path, token, body)
	if r.status != want {
		e.t.Fatalf("%s %s: %s, want %d", method, path, r, want)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, r.body, err)
		}
	}
	return r
}

// refused wants a 4xx of the given status and type (type "" for any).
func (e *admEnv) refused(status int, typ, method, path, token string, body any) {
	e.t.Helper()
	r := e.call(method, path, token, body)
	if r.status != status || (typ != "" && !strings.Contains(string(r.body), `"type":"`+typ+`"`)) {
		e.t.Errorf("%s %s: %s, want %d %s", method, path, r, status, typ)
	}
}

// token makes an API token for an account through the API, as the provider.
func (e *admEnv) token(accountAPSID string, scopes ...string) string {
	e.t.Helper()
	var out struct {
		ID    int64  `json:"id"`
		Token string `json:"token"`
	}
	e.must(http.StatusCreated, "POST", "/aps/2/collections/accounts/"+accountAPSID+"/tokens", demo.ProviderToken,
		map[string]any{"name": "test", "scopes": scopes}, &out)
	if out.Token == "" {
		e.t.Fatalf("token creation returned no token")
	}
	return out.Token
}

// obj is a JSON object under construction.
type admObj = map[string]any

func admRef(id string) admObj { return admObj{"aps": admObj{"id": id}} }
