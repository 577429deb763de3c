package server

// The TAXII server's test hooks, for the negative controls of server/taxii_test.go.

// WithTAXIIPagingCutForTest: TAXII pages never say there is more, so a client stops after the
// first page.
func WithTAXIIPagingCutForTest(cfg Config) Config {
	cfg.hooks.taxiiNoMore = true
	return cfg
}

// WithTAXIIWrongMediaTypeForTest: TAXII resources are served as application/json.
func WithTAXIIWrongMediaTypeForTest(cfg Config) Config {
	cfg.hooks.taxiiWrongMediaType = true
	return cfg
}
