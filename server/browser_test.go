package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/incidentgraph/incidentgraph/web"
)

// chromiumPath is Debian's Chromium (package chromium). The browser test never downloads a
// browser: without this one it fails and says what to install.
const chromiumPath = "/usr/bin/chromium"

// browserTestTimeout bounds the whole browser test: start, every wait, and shutdown.
const browserTestTimeout = 60 * time.Second

// pageEvents collects what the page did, from the DevTools events of its tab.
type pageEvents struct {
	mu       sync.Mutex
	requests []*network.Request
	problems []string // uncaught errors, console errors, CSP violations
	messages []string // everything the console showed, for the failure message
}

// record is the tab's listener: it runs in chromedp's read loop, so it only appends.
func (p *pageEvents) record(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		p.requests = append(p.requests, ev.Request)
	case *runtime.EventExceptionThrown:
		msg := "uncaught exception: " + ev.ExceptionDetails.Text
		if ex := ev.ExceptionDetails.Exception; ex != nil && ex.Description != "" {
			msg += " " + ex.Description
		}
		p.problems = append(p.problems, msg)
		p.messages = append(p.messages, msg)
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range ev.Args {
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		msg := fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " "))
		p.messages = append(p.messages, msg)
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert || isCSPViolation(msg) {
			p.problems = append(p.problems, msg)
		}
	case *log.EventEntryAdded:
		// CSP violations come this way (source "security"), as do failed loads (source
		// "network").
		msg := fmt.Sprintf("log %s/%s: %s %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text, ev.Entry.URL)
		p.messages = append(p.messages, msg)
		if ev.Entry.Level == log.EntryLevelError || isCSPViolation(msg) {
			p.problems = append(p.problems, msg)
		}
	}
}

func isCSPViolation(msg string) bool {
	return strings.Contains(msg, "Content Security Policy") || strings.Contains(msg, "Content-Security-Policy")
}

func (p *pageEvents) snapshot() (requests []*network.Request, problems, messages []string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.requests), slices.Clone(p.problems), slices.Clone(p.messages)
}

// TestGraphiQLInChromium opens GraphiQL, served by the real server over the seed graph, in a
// real headless Chromium, runs the first example tab with the execute button and reads the
// answer in the result pane. The page must reach nothing but the server it came from (any
// other host does not even resolve), and the console must show no CSP violation and no error.
func TestGraphiQLInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("no Chromium at %s (%v): this test drives a real browser and never downloads one; install Debian's package: apt-get install chromium", chromiumPath, err)
	}
	if !web.Built() {
		t.Fatal("GraphiQL is not built into the test binary: run make web (cd web && npm ci && npm run build), then the tests again")
	}
	examples, err := web.Examples()
	if err != nil {
		t.Fatal(err)
	}
	var wantTabs []string // GraphiQL names each tab after its operation
	for _, ex := range examples {
		wantTabs = append(wantTabs, exampleOperationName(t, ex.Name, ex.Query))
	}
	if len(wantTabs) < 17 {
		t.Errorf("%d example tabs, want the 17 shipped at least: %v", len(wantTabs), wantTabs)
	}

	db := seededDB(t)
	ts := newTestServer(t, db, db)
	origin, err := url.Parse(ts.URL)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), browserTestTimeout)
	defer cancel()
	var browserOutput syncBuffer
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromiumOptions(1280, 1024, &browserOutput)...)
	defer cancelAlloc() // waits for the browser to exit and removes its profile
	events := &pageEvents{}
	var cdpErrors syncBuffer
	tab, cancelTab := chromedp.NewContext(allocCtx,
		chromedp.WithListener(events.record), // from the tab's first event on
		chromedp.WithErrorf(func(format string, args ...any) { fmt.Fprintf(&cdpErrors, format+"\n", args...) }),
	)
	defer cancelTab()
	failed := func(step string, err error) {
		t.Helper()
		_, _, messages := events.snapshot()
		t.Fatalf("%s: %v\nconsole:\n  %s\nchromedp errors:\n%s\nbrowser output:\n%s",
			step, err, strings.Join(messages, "\n  "), cdpErrors.String(), browserOutput.String())
	}
	poll := []chromedp.PollOption{chromedp.WithPollingInterval(100 * time.Millisecond), chromedp.WithPollingTimeout(browserTestTimeout)}

	start := time.Now()
	if err := chromedp.Do(tab, chromedp.Navigate(ts.URL+"/")); err != nil {
		failed("open "+ts.URL+"/", err)
	}
	t.Logf("browser started and page loaded in %v", time.Since(start).Round(time.Millisecond))
	if err := chromedp.Do(tab, chromedp.WaitVisible(chromedp.CSS(".graphiql-container"))); err != nil {
		failed("wait for .graphiql-container", err)
	}

	// The example tabs, in order, titled with their operation names.
	tabs, err := chromedp.Run(tab, chromedp.Poll[[]string](fmt.Sprintf(`(() => {
		const titles = Array.from(document.querySelectorAll('.graphiql-tab-button'), (b) => b.textContent.trim());
		return titles.length >= %d ? titles : null;
	})()`, len(wantTabs)), poll...))
	if err != nil {
		failed("wait for the example tabs", err)
	}
	if !slices.Equal(tabs, wantTabs) {
		t.Errorf("tabs %q, want %q", tabs, wantTabs)
	}

	// The first tab is active and its query is in the editor: run it with the execute button.
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](fmt.Sprintf(`(() => {
		const cm = document.querySelector('.graphiql-query-editor .CodeMirror');
		return !!cm && !!cm.CodeMirror && cm.CodeMirror.getValue() === %s;
	})()`, jsString(t, examples[0].Query)), poll...)); err != nil {
		failed("wait for the first example in the query editor", err)
	}
	beforeClick, _, _ := events.snapshot()
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(".graphiql-execute-button"), chromedp.NodeVisible)); err != nil {
		failed("click the execute button", err)
	}
	clicked := time.Now()
	response, err := chromedp.Run(tab, chromedp.Poll[string](`(() => {
		const cm = document.querySelector('.graphiql-response .CodeMirror');
		const text = cm && cm.CodeMirror ? cm.CodeMirror.getValue() : '';
		return text.includes('"islamic-state"') ? text : null;
	})()`, poll...))
	if err != nil {
		failed(`wait for "islamic-state" in the result pane`, err)
	}
	t.Logf("answer shown %v after the click", time.Since(clicked).Round(time.Millisecond))

	// The result pane holds the server's JSON answer, and shows it.
	type relationship struct {
		Type  string
		Other struct{ ID string }
	}
	var result struct {
		Data struct {
			Entity struct {
				ID            string
				Relationships []relationship
			}
		}
		Errors []any
	}
	if err := json.Unmarshal([]byte(response), &result); err != nil {
		t.Fatalf("the result pane holds no JSON: %v\n%s", err, response)
	}
	if len(result.Errors) > 0 || result.Data.Entity.ID != "islamic-state-khorasan-province" ||
		!slices.ContainsFunc(result.Data.Entity.Relationships, func(r relationship) bool { return r.Other.ID == "islamic-state" }) {
		t.Errorf("the result pane does not answer who IS-K is affiliated with:\n%s", response)
	}
	shown, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(".graphiql-response")))
	if err != nil {
		failed("read the result pane", err)
	}
	if !strings.Contains(shown, `"islamic-state`) {
		t.Errorf("the result pane shows %q", shown)
	}

	requests, problems, messages := events.snapshot()
	for _, r := range requests {
		u, err := url.Parse(r.URL)
		if err == nil && u.Scheme == "data" { // GraphiQL's inlined fonts and icons, and the favicon
			continue
		}
		if err != nil || u.Scheme != origin.Scheme || u.Host != origin.Host {
			t.Errorf("the page made a request to another origin than the test server's (%s): %s %.200s", ts.URL, r.Method, r.URL)
		}
	}
	// The listener saw the page's requests at all: the click sent the query.
	if !slices.ContainsFunc(requests[len(beforeClick):], func(r *network.Request) bool {
		return r.Method == "POST" && r.URL == ts.URL+"/graphql"
	}) {
		t.Errorf("no POST %s/graphql after the click among the page's %d requests", ts.URL, len(requests))
	}
	if len(problems) > 0 {
		t.Errorf("the console shows errors:\n  %s", strings.Join(problems, "\n  "))
	}
	if t.Failed() {
		t.Logf("console:\n  %s", strings.Join(messages, "\n  "))
	}

	// The watch on the console is not blind: an inline script, which the CSP forbids, is
	// reported.
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.createElement('script');
		s.textContent = 'window.inlineScriptRan = true';
		document.head.appendChild(s);
	})()`)); err != nil {
		failed("add an inline script", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, problems, _ := events.snapshot()
		if slices.ContainsFunc(problems, isCSPViolation) {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("an inline script raised no CSP violation the test could see: %v", problems)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}

	if err := chromedp.Cancel(tab); err != nil {
		t.Errorf("close the browser: %v", err)
	}
	t.Logf("browser test took %v", time.Since(start).Round(time.Millisecond))
}

// jsString returns s as a JavaScript string literal.
func jsString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// chromiumOptions starts Debian's Chromium headless with the flags the browser tests share, its
// output to out. No UserDataDir: the allocator gives each browser a fresh profile in a new
// temporary directory and removes it when the browser has exited.
func chromiumOptions(width, height int, out io.Writer) []chromedp.ExecAllocatorOption {
	return append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun,
		// Every host name but the test server's address fails to resolve: whatever the page
		// tried to fetch from the internet would fail, offline or not.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.WindowSize(width, height),
		chromedp.CombinedOutput(out),
	)
}
