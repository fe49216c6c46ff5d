package panel

import (
	"fmt"
	"html/template"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/openbss/openbss/internal/money"
	"github.com/openbss/openbss/internal/order"
	"github.com/openbss/openbss/internal/store"
)

// parsePages parses every page template with the shared layout: one template set per page, so
// each page defines its own "content".
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("panel template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

var funcs = template.FuncMap{
	"money":    func(d money.Decimal) string { return d.String() },
	"ts":       func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") },
	"date":     func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
	"optdate":  optDate,
	"age":      age,
	"count":    formatCount,
	"num":      thousands,
	"flowName": func(f order.FlowStatus) string { return flowNames[f] },
	"badge":    badge,
	"depth":    func(d int) string { return "depth-" + strconv.Itoa(min(d, 9)) },
	"join":     strings.Join,
	"itemActs": func() []string { return []string{"creation", "completed", "failed"} },
	"itemAct":  func(k string) string { return itemEvents[k] },
	"isTrue":   func(b bool) string { return map[bool]string{true: "yes", false: "no"}[b] },
	"same":     func(a, b order.FlowStatus) bool { return a == b },
}

func optDate(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.UTC().Format(time.DateOnly)
}

// age renders a duration the way operators read it: 45s, 12m, 5h 03m, 3d 04h.
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %02dh", int(d.Hours())/24, int(d.Hours())%24)
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func formatCount(c store.Count) string {
	if c.More {
		return "more than " + thousands(c.N)
	}
	return thousands(c.N)
}

// badge is the CSS class of a status: what needs someone is red, what waits amber, what is
// done green.
func badge(status any) string {
	switch fmt.Sprint(status) {
	case "PF", "NP", "PD", "HL", "PROBLEM", "FAILED", "DECLINED", "TERMINATED", "EXPIRED", "SUSPENDED":
		return "badge bad"
	case "WP", "NW", "OP", "PR", "IN_PROGRESS", "NOT_STARTED", "WAITING", "GRACE", "HOLD":
		return "badge warn"
	case "CP", "COMPLETED", "ACTIVE", "FINISHED":
		return "badge ok"
	}
	return "badge"
}
