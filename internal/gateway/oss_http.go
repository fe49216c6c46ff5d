package gateway

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// HTTPOSS is the webhook OSS gateway: POST {URL}/provisioning-items with the item, signed with
// HMAC-SHA256 of the body (X-Openbss-Signature: sha256=<hex>) and keyed by Idempotency-Key: the
// item id; GET {URL}/provisioning-items/{itemId} for reconciliation.
type HTTPOSS struct {
	URL    string
	Secret string
	Client *http.Client
}

// NewHTTPOSS returns the gateway with a client that times out.
func NewHTTPOSS(baseURL, secret string) *HTTPOSS {
	return &HTTPOSS{URL: strings.TrimRight(baseURL, "/"), Secret: secret, Client: &http.Client{Timeout: 15 * time.Second}}
}

// Sign is the signature header value of body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Provision implements OSS. 200/201 COMPLETED and 409 ALREADY_EXISTS are done; 202 is in
// progress; other 4xx are permanent failures carrying the OSS's message, except 408 and 429,
// which say "not now" rather than "not this item"; 5xx, timeouts and unreadable answers are
// transient.
func (h *HTTPOSS) Provision(ctx context.Context, it Item) (OSSResult, error) {
	body, err := json.Marshal(it)
	if err != nil {
		return OSSResult{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL+"/provisioning-items", bytes.NewReader(body))
	if err != nil {
		return OSSResult{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", it.ItemID)
	req.Header.Set("X-Openbss-Signature", Sign(h.Secret, body))
	status, res, raw, err := h.do(req)
	if err != nil {
		return OSSResult{}, err
	}
	switch {
	case status == http.StatusOK || status == http.StatusCreated:
		res.Status = OSSCompleted
	case status == http.StatusAccepted:
		res.Status = OSSInProgress
	case status == http.StatusConflict:
		res.Status = OSSAlreadyExists
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests:
		return OSSResult{}, fmt.Errorf("%w: OSS answered %d", ErrTransient, status)
	case status >= 400 && status < 500:
		msg := res.Message
		if msg == "" {
			msg = strings.TrimSpace(string(raw))
		}
		return OSSResult{Status: OSSFailed, Message: fmt.Sprintf("OSS answered %d: %s", status, msg)}, nil
	default:
		return OSSResult{}, fmt.Errorf("%w: OSS answered %d", ErrTransient, status)
	}
	return res, nil
}

// Status implements OSS.
func (h *HTTPOSS) Status(ctx context.Context, itemID string) (OSSResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.URL+"/provisioning-items/"+url.PathEscape(itemID), nil)
	if err != nil {
		return OSSResult{}, err
	}
	req.Header.Set("X-Openbss-Signature", Sign(h.Secret, nil))
	status, res, _, err := h.do(req)
	if err != nil {
		return OSSResult{}, err
	}
	switch {
	case status == http.StatusNotFound:
		return OSSResult{Status: OSSNotFound}, nil
	case status >= 500:
		return OSSResult{}, fmt.Errorf("%w: OSS answered %d", ErrTransient, status)
	case status != http.StatusOK:
		return OSSResult{}, fmt.Errorf("%w: OSS status query answered %d", ErrTransient, status)
	}
	return res, nil
}

func (h *HTTPOSS) do(req *http.Request) (int, OSSResult, []byte, error) {
	resp, err := h.Client.Do(req)
	if err != nil {
		return 0, OSSResult{}, nil, fmt.Errorf("%w: %v", ErrTransient, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, OSSResult{}, nil, fmt.Errorf("%w: reading the OSS answer: %v", ErrTransient, err)
	}
	var res OSSResult
	if len(bytes.TrimSpace(raw)) > 0 && json.Unmarshal(raw, &res) != nil && resp.StatusCode < 300 {
		return 0, OSSResult{}, nil, fmt.Errorf("%w: the OSS answer is not JSON", ErrTransient)
	}
	return resp.StatusCode, res, raw, nil
}
