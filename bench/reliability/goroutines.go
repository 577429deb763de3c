package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// metricsClient scrapes the services' /metrics, a fresh connection each time, so that the
// scrape's own connection is never left open among the goroutines it counts.
var metricsClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}

// goroutines reads go_goroutines from the service's metrics listener: the goroutines alive in
// the process as the Go runtime counts them (the scrape's own connection among them).
func (s *service) goroutines(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.metricsBase+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := metricsClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET /metrics: status %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return 0, fmt.Errorf("GET /metrics: %w", err)
	}
	f := fams["go_goroutines"]
	if f == nil || len(f.GetMetric()) != 1 || f.GetMetric()[0].GetGauge() == nil {
		return 0, fmt.Errorf("GET /metrics: no go_goroutines gauge")
	}
	return int(f.GetMetric()[0].GetGauge().GetValue()), nil
}

// goroutineExcess is the property "goroutines back to baseline": after a run, once the clients
// have closed their connections, the service holds at most margin goroutines more than before
// the load. It returns why not, or "" when the property holds. A sample it could not read (-1)
// fails it: an unreadable count proves nothing.
func goroutineExcess(before, after procSample, margin int) string {
	switch {
	case before.Goroutines < 0 || after.Goroutines < 0:
		return "the goroutine count could not be read from /metrics"
	case after.Goroutines > before.Goroutines+margin:
		return fmt.Sprintf("goroutines did not return to baseline: %d before the load, %d after it (margin %d)",
			before.Goroutines, after.Goroutines, margin)
	}
	return ""
}

// goroutineControl is the negative control of goroutineExcess: the same check, on samples
// that are certainly over the baseline, must fail. One is planted (the baseline plus margin+1);
// the other is the peak under load, whenever more client connections were open then than the
// margin allows: the service serves each connection on a goroutine of its own, so that sample
// held at least that many goroutines over an idle baseline. It returns the controls tried and
// those the check caught.
func goroutineControl(before, peak procSample, margin int) (planted, caught int) {
	try := func(s procSample) {
		planted++
		if goroutineExcess(before, s, margin) != "" {
			caught++
		}
	}
	if before.Goroutines < 0 {
		return 0, 0 // reported as a violation by the check itself
	}
	leak := before
	leak.Goroutines = before.Goroutines + margin + 1
	try(leak)
	if peak.ClientConns > margin+1 { // one connection of the warm-up may still be closing in before
		try(peak)
	}
	return planted, caught
}

// checkGoroutines applies the property and its control to a run's samples.
func (h *harness) checkGoroutines(r *runResult) {
	m := h.cfg.goroutineMargin
	r.GoroutineMargin = m
	if v := goroutineExcess(r.Before, r.After, m); v != "" {
		r.violate(v)
	}
	planted, caught := goroutineControl(r.Before, r.Peak, m)
	r.GoroutineControl = [2]int{caught, planted}
	if caught != planted {
		r.violate(fmt.Sprintf("negative control: the goroutine check found %d of %d planted excesses", caught, planted))
	}
}
