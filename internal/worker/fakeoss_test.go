package worker_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openbss/openbss/internal/gateway"
)

// fakeOSS is an OSS behind the webhook contract, as a provider would run one: it checks every
// request's HMAC signature and idempotency key, remembers what it did per item id, answers a
// retry of a done item 409 ALREADY_EXISTS, and answers GET /provisioning-items/{id} from its
// books. How it answers a new item is up to the test (answer). It can be taken off the network
// (connection refused) and put back on the same address.
type fakeOSS struct {
	t      *testing.T
	secret string
	addr   string

	mu      sync.Mutex
	answer  func(it gateway.Item, try int) ossAnswer
	items   map[string]*fakeItem
	posts   map[string]int  // POSTs per item id
	done    map[string]int  // times the work was done per item id
	badReqs []string        // requests that broke the contract
	unavail bool            // answer 503 to everything
	badGet  map[string]bool // item ids whose status query answers 500
	srv     *http.Server
}

// ossAnswer is how the fake answers a POST of an item it has not done: the HTTP status, the
// state it records (COMPLETED means it did the work; IN_PROGRESS that it will; "" nothing) and
// the message of a failure.
type ossAnswer struct {
	code    int
	state   string
	message string
}

type fakeItem struct {
	state string
	subID string
}

// Answers of a well-behaved OSS.
func completes(gateway.Item, int) ossAnswer { return ossAnswer{code: 201, state: gateway.OSSCompleted} }
func accepts(gateway.Item, int) ossAnswer   { return ossAnswer{code: 202, state: gateway.OSSInProgress} }

func newFakeOSS(t *testing.T, answer func(gateway.Item, int) ossAnswer) *fakeOSS {
	f := &fakeOSS{t: t, secret: "s3cret-" + t.Name(), answer: answer, items: map[string]*fakeItem{},
		posts: map[string]int{}, done: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = ln.Addr().String()
	f.serve(ln)
	t.Cleanup(func() {
		f.down()
		f.mu.Lock()
		defer f.mu.Unlock()
		if len(f.badReqs) > 0 {
			t.Errorf("requests breaking the OSS contract: %q", f.badReqs)
		}
	})
	return f
}

func (f *fakeOSS) url() string { return "http://" + f.addr }

// gateway is openbss's HTTP OSS gateway pointed at the fake.
func (f *fakeOSS) gateway() gateway.OSS {
	g := gateway.NewHTTPOSS(f.url()+"/", f.secret)
	g.Client.Timeout = 2 * time.Second
	return g
}

func (f *fakeOSS) serve(ln net.Listener) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /provisioning-items", f.post)
	mux.HandleFunc("GET /provisioning-items/{id}", f.get)
	srv := &http.Server{Handler: mux}
	f.mu.Lock()
	f.srv = srv
	f.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// down takes the OSS off the network: connections are refused.
func (f *fakeOSS) down() {
	f.mu.Lock()
	srv := f.srv
	f.srv = nil
	f.mu.Unlock()
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
}

// up puts the OSS back on its address.
func (f *fakeOSS) up() {
	f.t.Helper()
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", f.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		f.t.Fatalf("fake OSS back on %s: %v", f.addr, err)
	}
	f.serve(ln)
}

func (f *fakeOSS) setUnavailable(v bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.unavail = v
}

// breakStatus makes the status query of an item answer 500.
func (f *fakeOSS) breakStatus(itemID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.badGet == nil {
		f.badGet = map[string]bool{}
	}
	f.badGet[itemID] = true
}

func (f *fakeOSS) setAnswer(a func(gateway.Item, int) ossAnswer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer = a
}

// finish completes an item the OSS had in progress, as its back office would.
func (f *fakeOSS) finish(itemID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if it := f.items[itemID]; it != nil && it.state == gateway.OSSInProgress {
		it.state = gateway.OSSCompleted
		f.done[itemID]++
	}
}

func (f *fakeOSS) counts(itemID string) (posts, done int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.posts[itemID], f.done[itemID]
}

func (f *fakeOSS) bad(format string) {
	f.badReqs = append(f.badReqs, format)
}

func validSignature(secret string, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fakeOSS) post(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.unavail {
		reply(w, http.StatusServiceUnavailable, map[string]string{"message": "maintenance"})
		return
	}
	var it gateway.Item
	switch {
	case err != nil:
		f.bad("unreadable body")
	case !validSignature(f.secret, body, r.Header.Get("X-Openbss-Signature")):
		f.bad("bad signature " + r.Header.Get("X-Openbss-Signature"))
	case json.Unmarshal(body, &it) != nil:
		f.bad("body is not an item: " + string(body))
	case it.ItemID == "" || r.Header.Get("Idempotency-Key") != it.ItemID:
		f.bad("Idempotency-Key " + r.Header.Get("Idempotency-Key") + " is not the item id " + it.ItemID)
	case it.OrderID == "" || it.OrderNumber == "" || it.AccountID == "" || it.PlanID == "" || it.SubscriptionID == "" ||
		!strings.Contains("CREATE CHANGE RENEW CANCEL", it.Action) || it.Action == "":
		f.bad("incomplete item: " + string(body))
	default:
		f.posts[it.ItemID]++
		if prev := f.items[it.ItemID]; prev != nil && prev.state == gateway.OSSCompleted {
			reply(w, http.StatusConflict, gateway.OSSResult{Status: gateway.OSSAlreadyExists, OSSSubscriptionID: prev.subID})
			return
		}
		a := f.answer(it, f.posts[it.ItemID])
		subID := "oss-" + it.ItemID
		switch a.state {
		case gateway.OSSCompleted:
			f.done[it.ItemID]++
			f.items[it.ItemID] = &fakeItem{state: a.state, subID: subID}
		case gateway.OSSInProgress:
			f.items[it.ItemID] = &fakeItem{state: a.state, subID: subID}
		}
		switch {
		case a.code < 300 && a.state == gateway.OSSCompleted:
			reply(w, a.code, gateway.OSSResult{Status: gateway.OSSCompleted, OSSSubscriptionID: subID})
		case a.code < 300:
			reply(w, a.code, gateway.OSSResult{Status: gateway.OSSInProgress})
		case a.code < 500:
			reply(w, a.code, gateway.OSSResult{Status: gateway.OSSFailed, Message: a.message})
		default:
			reply(w, a.code, map[string]string{"message": "internal error"})
		}
		return
	}
	reply(w, http.StatusUnauthorized, map[string]string{"message": "contract violation"})
}

func (f *fakeOSS) get(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.unavail {
		reply(w, http.StatusServiceUnavailable, map[string]string{"message": "maintenance"})
		return
	}
	if !validSignature(f.secret, nil, r.Header.Get("X-Openbss-Signature")) {
		f.bad("bad GET signature")
		reply(w, http.StatusUnauthorized, map[string]string{"message": "bad signature"})
		return
	}
	if f.badGet[r.PathValue("id")] {
		reply(w, http.StatusInternalServerError, map[string]string{"message": "corrupt record"})
		return
	}
	it := f.items[r.PathValue("id")]
	if it == nil {
		reply(w, http.StatusNotFound, gateway.OSSResult{Status: gateway.OSSNotFound})
		return
	}
	reply(w, http.StatusOK, gateway.OSSResult{Status: it.state, OSSSubscriptionID: it.subID})
}
